/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_USER_BPF_HOOKPROBE_H
#define GOTRACE_USER_BPF_HOOKPROBE_H

#include <stdint.h>
#include <sys/types.h>

#include "kern/features.h"

/*
 * libbpf backend of bpf/hookprobe.bpf.c: one trivial counting program,
 * loaded for one mechanism and attached to one target. The hook resolver
 * uses it to prove a candidate works; the self-test reads its counter.
 */
struct hookprobe;

/*
 * Opens, loads and attaches the program for t, counting into slot; with
 * filter_parent > 0 only tasks whose parent is that tgid are counted.
 * On failure err_msg() names the stage and the errno, e.g.
 * "program load refused: EPERM (Operation not permitted)".
 */
int hookprobe__prepare(const struct kern_target *t, unsigned slot, pid_t filter_parent,
		       struct hookprobe **out);
int hookprobe__hits(const struct hookprobe *hp, uint64_t *hits);
void hookprobe__finish(struct hookprobe *hp);

/* prepare + finish: does t load and attach on this kernel? Quiet about expected failures. */
int hookprobe__try(const struct kern_target *t);

#endif
