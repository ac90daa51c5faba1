/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_KERN_HOOKS_H
#define GOTRACE_KERN_HOOKS_H

#include <stdbool.h>
#include <stddef.h>

#include "kern/features.h"

/*
 * Every kernel hook gotrace's commands use, each with its candidates in
 * order of preference (fentry → kprobe → tp_btf → raw_tp → tracefs
 * tracepoint, DESIGN.md; syscalls prefer their own tracefs event, see
 * hooks.c). The resolver picks, per hook, the first candidate that truly
 * loads and attaches here, and records why every earlier one was rejected.
 * Results are cached for the run.
 */
#define HOOK_MAX_CANDS 6

struct hook_cand {
	struct kern_target t;
	bool tried; /* false: an earlier candidate was chosen first */
	bool ok;
	char reason[200]; /* why it was rejected ("" when ok or not tried) */
};

struct hook_info {
	const char *name;
	const char *description;
	int ncands;
	struct hook_cand cands[HOOK_MAX_CANDS];
	int chosen; /* index into cands; -1: no candidate works here */
};

int hooks__count(void);
/* Hook i, resolved on first access; NULL when out of range. */
const struct hook_info *hooks__get(int i);
/* Index of the hook called name, or -ENOENT. */
int hooks__find(const char *name);
/* Resolves every hook (what `info --kernel` shows). */
void hooks__resolve_all(void);

/*
 * For command backends: which mechanism and target to use for the hook
 * called name. 0 and *out filled; -ENOENT for an unknown hook;
 * -GT_ENOFEAT when nothing works here, err_msg() saying why per candidate.
 */
int hooks__choice(const char *name, struct kern_target *out);

/* "oom:mark_victim", "oom_kill_process", "raw_syscalls:sys_enter" (no syscall filter). */
void kern_target__format(const struct kern_target *t, char *buf, size_t len);

#endif
