/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_KERN_UPROBE_MULTI_H
#define GOTRACE_KERN_UPROBE_MULTI_H

#include <stdint.h>
#include <sys/types.h>

/*
 * BPF uprobe_multi links (Linux 6.6): one link puts one program on many
 * offsets of one file, with a cookie each, without a perf event per probe.
 *
 * Why gotrace wants them: a classic uprobe is a perf event, and closing one
 * waits for a tracepoint grace period while holding the kernel's
 * event_mutex, so detaching is serial at ~100 ms per probe here. `block`
 * puts 6-20 probes on a hot target and the overhead governor detaches them
 * whenever tracing costs too much: 1.7-1.9 s of full-cost tracing per
 * detach, measured (bench/block.py). A multi link detaches all its probes
 * with one synchronization.
 *
 * The installed libbpf (1.1) and UAPI headers (6.1) predate the link type,
 * so the attach is a raw BPF_LINK_CREATE; the program must have been loaded
 * with expected_attach_type UPROBE_MULTI_ATTACH_TYPE.
 */
#define UPROBE_MULTI_ATTACH_TYPE 48 /* BPF_TRACE_UPROBE_MULTI */

/*
 * Attaches prog_fd at offsets[0..n) of path (file offsets, as for classic
 * uprobes), cookies[i] for offsets[i] (or NULL), only in process pid's mm
 * (0: every process mapping the file). Returns the link fd or -errno.
 */
int uprobe_multi__attach(int prog_fd, const char *path, const uint64_t *offsets,
			 const uint64_t *cookies, uint32_t n, pid_t pid);

/* 1: this kernel has uprobe_multi links; 0: not; < 0: could not tell (-errno). */
int uprobe_multi__probe(void);

#endif
