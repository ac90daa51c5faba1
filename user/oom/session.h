/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_OOM_SESSION_H
#define GOTRACE_OOM_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "bpf_oom.h"
#include "cli/opts.h"
#include "rank/fact.h"

/*
 * One run of the OOM tracer: the kill hook, the cgroup watch (trajectory,
 * read-ahead), enrichment and rules. `gotrace oom` prints each kill;
 * watch and doctor pass a sink and quiet to rank the facts themselves.
 * open → poll/tick (from a run_loop) → free.
 */
struct oom_session_opts {
	const struct common_opts *co; /* scope (pid, cgroup, pod, container), json, verbose */
	uint32_t count;		      /* stop after this many kills in scope (0: never) */
	bool no_read_ahead;
	struct oom_tracer_opts topts;
	const struct fact_sink *sink; /* every kill's fact also goes there */
	bool quiet;		      /* print nothing */
};

struct oom_session;

int oom_session__open(const struct oom_session_opts *o, struct oom_session **out);
/* run_loop callbacks (ctx is the session). */
int oom_session__poll(void *ctx, int timeout_ms);
int oom_session__tick(void *ctx, bool final);
bool oom_session__done(void *ctx);
/* `--load-only`: what loaded, then stop. */
int oom_session__load_only_report(const struct oom_session *s);
/* Prints the start line (what is watched, through which hooks). */
void oom_session__print_start(const struct oom_session *s);
void oom_session__free(struct oom_session *s);
/* A process exec'd (watch's exec events): read it ahead now if it runs under a limit. */
void oom_session__see_exec(struct oom_session *s, pid_t pid);

/* The sampling period the tick callback expects. */
#define OOM_SESSION_TICK_NS 100000000ULL

struct oom_session_stats {
	uint32_t kills, skipped;
	uint64_t ringbuf_drops;
	char mechanism[128];
};
void oom_session__stats(const struct oom_session *s, struct oom_session_stats *out);

#endif
