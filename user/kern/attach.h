/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_KERN_ATTACH_H
#define GOTRACE_KERN_ATTACH_H

#include "kern/features.h"

struct bpf_program;
struct bpf_link;

/*
 * The two per-mechanism steps every backend does with a kern_target from
 * kern/hooks.h, in one place: before load, enable the program and point
 * fentry/tp_btf at their BTF target; after load, attach the way the
 * mechanism attaches. Errors name the stage and the errno
 * ("attach failed: ENOENT (No such file or directory)").
 */
int kern_prog__prepare(struct bpf_program *prog, const struct kern_target *t);
int kern_prog__attach(struct bpf_program *prog, const struct kern_target *t, struct bpf_link **out);

/* err_fail(err, "<stage>: ENAME (strerror)"), err positive or negative. */
int kern_stage_fail(const char *stage, int err);

#endif
