// SPDX-License-Identifier: GPL-2.0
/*
 * `block` as a live component (live/component.h): the same session as
 * `gotrace block --pid` (block_session__start, the overhead governor with
 * its default 2% budget), and at the end of the window the same facts its
 * verdict ranks (block_facts): blocking sites, goroutines stuck since
 * before the window, scheduling latency and the CPU budget.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/err.h"
#include "base/signals.h"
#include "block/block.h"
#include "block/governor.h"
#include "live/component.h"
#include "proc/procfs.h"

#define STUCK_MIN_NS 1000000000ULL /* goroutines parked at least 1 s count as stuck */
#define BUDGET_PCT 2.0		   /* `block`'s default --max-overhead */

struct block_live {
	struct block_session s;
	struct governor gov;
	struct proc_pid_ref ref;
	bool exited;
};

static bool applies(const struct live_target *t, char *why, size_t len)
{
	if (t->pid)
		return true;
	snprintf(why, len, "no process to attach to");
	return false;
}

static int start(const struct live_target *t, void **state)
{
	struct block_live *b = calloc(1, sizeof(*b));
	int err;

	*state = b;
	if (!b)
		return -ENOMEM;
	err = proc_pid_ref__init(&b->ref, t->pid);
	if (!err)
		err = block_session__start(&b->s, t->pid, 0, STUCK_MIN_NS, t->host_root);
	if (!err)
		governor__init(&b->gov, BUDGET_PCT); /* calibrates: before the clock starts */
	b->s.start_ns = mono_ns();
	return err;
}

static int poll_once(void *state, int timeout_ms, struct fact_store *fs)
{
	struct block_live *b = state;

	usleep((useconds_t)timeout_ms * 1000);
	if (proc_pid_ref__check(&b->ref)) {
		b->exited = true;
		return 1;
	}
	return governor__tick(&b->gov, &b->s);
}

static int finish(void *state, struct fact_store *fs, char *summary, size_t len)
{
	struct block_live *b = state;
	struct block_report_full rep;
	uint64_t parks;
	int err;

	governor__finish(&b->gov, &b->s);
	block_pre__finish(&b->s);
	err = block_session__report(&b->s, &rep);
	if (err)
		return err;
	err = block_facts(&b->s, &rep, fs);
	parks = rep.r.counters[BC_PARKS];
	snprintf(summary, len,
		 "%llu goroutine parks at %zu sites, %zu groups parked >= 1s, %zu blocked since "
		 "before the window; probes attached %.0f%% of the time%s",
		 (unsigned long long)parks, rep.r.nrows, rep.nstuck, b->s.npre,
		 100 * governor__sampled(&b->gov), b->exited ? "; the process exited" : "");
	block_report_full__clear(&rep);
	return err;
}

static void stop(void *state)
{
	struct block_live *b = state;

	if (!b)
		return;
	block_session__close(&b->s);
	free(b);
}

const struct live_component block_live_component = {
	.name = "block",
	.summary = "where goroutines block and for how long, scheduling latency (uprobes)",
	.applies = applies,
	.start = start,
	.poll = poll_once,
	.finish = finish,
	.stop = stop,
};
