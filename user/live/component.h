/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_LIVE_COMPONENT_H
#define GOTRACE_LIVE_COMPONENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct fact_store;
struct identity;

/*
 * A live window: tracer components that start together, run for a while
 * and add what they saw to one fact store, where the shared rules
 * (rank/rules.h) rank it together with everything else. `doctor --live SEC`
 * runs every component that applies to its target for SEC seconds.
 *
 * A component is the thin adapter between a tracer (its backend and
 * session, which its own command uses too) and the window; it lives next to
 * that tracer (user/block/component.c) and is listed once in
 * live/components.c. It never prints: what it saw is facts; how it went
 * is its finish() summary or its error message (err_msg()).
 *
 *   applies   is there anything to trace in this target? (false: skipped,
 *             with the reason; e.g. no process, not a Go program)
 *   start     open, load, attach. -GT_ENOTGO / -GT_ETARGET mean "does not
 *             apply after all" (skipped with err_msg()); other errors fail
 *             the component, not the window
 *   poll      wait up to timeout_ms for events and handle them; facts that
 *             happen (a kill, an exit) may go into fs at once. 0: go on;
 *             1: nothing more to see (the target exited); -errno: failed
 *   finish    the window is over: add the window's facts to fs, write a
 *             one-line summary ("1234 parks at 5 sites")
 *   stop      detach and free; state may be NULL (a failed start)
 *   on_exec   optional: a process of the target exec'd, as another
 *             component saw it (crash's exec events reach oom's read-ahead:
 *             a restarted container can die before oom's next cgroup walk)
 *
 * Every callback runs on the window's one thread, one component at a time.
 */
struct live_target {
	pid_t pid;		/* the process; 0 when none runs */
	const char *cgroup;	/* the container's cgroup path (cgroup2's, else v1), "" unknown */
	const char *mem_cgroup; /* its memory controller path, "" unknown */
	const struct identity *id; /* who it is (proc/identity.h) */
	const char *subject;	   /* the subject of its facts */
	const char *host_root;
	/* Set by the window: a component that sees execs reports each here. */
	void (*exec_seen)(void *ctx, pid_t pid);
	void *exec_ctx;
};

struct live_component {
	const char *name;    /* "block" */
	const char *summary; /* one line: what it adds */
	bool (*applies)(const struct live_target *t, char *why, size_t len);
	int (*start)(const struct live_target *t, void **state);
	int (*poll)(void *state, int timeout_ms, struct fact_store *fs); /* optional */
	int (*finish)(void *state, struct fact_store *fs, char *summary, size_t len);
	void (*stop)(void *state);
	void (*on_exec)(void *state, pid_t pid); /* optional */
};

/* Every component, in start order (live/components.c). */
size_t live_components__count(void);
const struct live_component *live_components__get(size_t i);

enum live_state {
	LIVE_SKIPPED, /* did not apply */
	LIVE_FAILED,  /* could not start, or failed while running */
	LIVE_RAN,
};

struct live_result {
	const struct live_component *c;
	enum live_state state;
	char detail[320]; /* why skipped or failed; the summary when it ran */
	size_t nfacts;	  /* facts it added */
};

struct live_window {
	uint64_t window_ns;  /* asked for */
	uint64_t elapsed_ns; /* how long it ran */
	bool interrupted;    /* Ctrl-C ended it early */
	bool ended_early;    /* every component was done (the target exited) */
	struct live_result *v;
	size_t n;
};

/*
 * Runs every component that applies to t for window_ns (or until Ctrl-C,
 * or until every running component is done) and adds their facts to fs.
 * Only allocation failure is an error: a component that fails is reported
 * in out.
 */
int live_window__run(const struct live_target *t, uint64_t window_ns, struct fact_store *fs,
		     struct live_window *out);
/* The same with a list of one's own (tests). */
int live_window__run_list(const struct live_component *const *list, size_t n,
			  const struct live_target *t, uint64_t window_ns, struct fact_store *fs,
			  struct live_window *out);
void live_window__clear(struct live_window *w);
const char *live_state_name(enum live_state s);

#endif
