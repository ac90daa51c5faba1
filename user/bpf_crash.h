/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_USER_BPF_CRASH_H
#define GOTRACE_USER_BPF_CRASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "crash.h"

/*
 * libbpf backend of bpf/crash.bpf.c (`crash`, `bind`): picks one program
 * per kernel hook through kern/hooks.h, loads, attaches, and hands every
 * ring-buffer event to the caller's handler. It also attaches the Go
 * fatal-path uprobes to a binary on request and releases processes the
 * kernel side held for inspection.
 */
struct crash_tracer;

struct crash_tracer_opts {
	enum crash_scope scope;
	uint64_t cgroup_id; /* CRASH_SCOPE_CGROUP */
	pid_t pid;	    /* CRASH_SCOPE_PIDS */
	bool hold_new_binaries;
	bool hold_exec_fail;
	bool report_bind_ok;
	bool capture_output;
	uint32_t out_budget_kib; /* stdout/stderr KiB copied per process and second; 0: no limit */
	bool go_probes;		 /* load the uprobe program */
	uint32_t max_fail_per_sec;
	uint64_t sig_mask;
	/* Hooks to attach, by kern/hooks.c name; NULL-terminated. */
	const char *const *hooks;
	/* Called for every event; data is a struct crash_* starting with crash_hdr. */
	int (*handler)(void *ctx, const void *data, size_t len);
	void *ctx;
};

/* A hook and what the chain chose for it (for -v), or why it is missing. */
struct crash_hook_state {
	const char *hook;
	char mech[96]; /* "tp_btf sched_process_exec", or "" when unavailable */
	char why[300];
};

int crash_tracer__open(const struct crash_tracer_opts *o, struct crash_tracer **out);
/* Waits up to timeout_ms and dispatches events; >= 0 events handled, or -errno. */
int crash_tracer__poll(struct crash_tracer *b, int timeout_ms);
size_t crash_tracer__hooks(const struct crash_tracer *b, const struct crash_hook_state **states);

/*
 * The fatal-path uprobes of one Go binary, at offsets[i] with cookies[i], of
 * exe (e.g. /proc/PID/exe) for every process running it; all or none.
 */
int crash_tracer__attach_go(struct crash_tracer *b, const char *exe, const uint64_t *offsets,
			    const uint64_t *cookies, size_t n);
int crash_tracer__set_go_layout(struct crash_tracer *b, uint32_t slot,
				const struct crash_go_layout *l);
/* The kernel side stops holding new processes of this binary. */
int crash_tracer__bin_done(struct crash_tracer *b, uint64_t dev, uint64_t ino);
int crash_tracer__stats(struct crash_tracer *b, uint64_t out[CRASH_STAT_NR]);
void crash_tracer__free(struct crash_tracer *b);

/* SIGCONT for a process held by the kernel side (CRASH_F_HELD). */
void crash_release(pid_t pid);

#endif
