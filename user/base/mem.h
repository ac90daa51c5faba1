/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_BASE_MEM_H
#define GOTRACE_BASE_MEM_H

/*
 * For the commands that run for days (watch, oom, crash, bind): a fixed
 * mmap threshold. glibc raises it to the size of any large block freed (the
 * kernel BTF, ~5 MB, parsed and freed at start), and the large tables
 * allocated after it (the crash session's 11 MB of slots, kallsyms) then
 * land in the brk heap, zeroed page by page into the RSS. Mapped, their
 * untouched pages cost nothing and freed ones go back.
 *
 * Not for everyone: `goroutines --sample` allocates its large read buffers
 * anew every snapshot, and mapping them each time (page faults on every
 * page) made it a third slower.
 */
void mem__tune_for_daemon(void);

#endif
