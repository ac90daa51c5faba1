// SPDX-License-Identifier: GPL-2.0
/*
 * The live window (live/component.h): start what applies, poll the running
 * components in turn with short slices until the deadline, Ctrl-C, or
 * until all of them are done; then finish and stop each. Start and finish
 * happen in list order, so a component listed later may count on the
 * earlier ones' facts being in the store at its finish.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/signals.h"
#include "live/component.h"
#include "rank/fact.h"

#define SLICE_MS 50

struct running {
	void *state;
	bool started; /* start() succeeded */
	bool done;    /* poll() said there is nothing more, or failed */
};

const char *live_state_name(enum live_state s)
{
	switch (s) {
	case LIVE_RAN:
		return "ran";
	case LIVE_FAILED:
		return "failed";
	default:
		return "skipped";
	}
}

static void start_one(const struct live_component *c, const struct live_target *t,
		      struct live_result *res, struct running *run)
{
	int err;

	res->c = c;
	res->state = LIVE_SKIPPED;
	if (c->applies && !c->applies(t, res->detail, sizeof(res->detail)))
		return;
	err_clear();
	err = c->start(t, &run->state);
	if (!err) {
		run->started = true;
		res->state = LIVE_RAN;
		return;
	}
	res->state = err == -GT_ENOTGO || err == -GT_ETARGET ? LIVE_SKIPPED : LIVE_FAILED;
	snprintf(res->detail, sizeof(res->detail), "%s", err_msg()[0] ? err_msg() : err_name(err));
	c->stop(run->state);
	run->state = NULL;
}

struct exec_bus {
	const struct live_component *const *list;
	struct running *run;
	size_t n;
};

/* A component saw an exec: every other started component that wants it hears of it. */
static void exec_seen(void *ctx, pid_t pid)
{
	struct exec_bus *b = ctx;

	for (size_t i = 0; i < b->n; i++)
		if (b->run[i].started && b->list[i]->on_exec)
			b->list[i]->on_exec(b->run[i].state, pid);
}

/* One round of polls; false when nothing is left to wait for. */
static bool poll_round(const struct live_component *const *list, size_t n, struct running *run,
		       struct live_result *res, uint64_t deadline, struct fact_store *fs)
{
	size_t i, active = 0, alive = 0;

	for (i = 0; i < n; i++) {
		alive += run[i].started && !run[i].done;
		active += run[i].started && !run[i].done && list[i]->poll;
	}
	if (!alive)
		return false; /* everyone is done: the window ends early */
	if (!active) {
		signals__sleep_until(deadline); /* nothing to poll: they work on their own */
		return false;
	}
	for (i = 0; i < n && !signals__stop_requested(); i++) {
		uint64_t now = mono_ns();
		int ms = SLICE_MS / (int)active, err;
		size_t before;

		if (!run[i].started || run[i].done || !list[i]->poll)
			continue;
		if (now >= deadline)
			break;
		if ((uint64_t)ms * 1000000ULL > deadline - now)
			ms = (int)((deadline - now) / 1000000ULL);
		before = fs->n;
		err = list[i]->poll(run[i].state, ms > 0 ? ms : 1, fs);
		res[i].nfacts += fs->n - before;
		if (err < 0) {
			res[i].state = LIVE_FAILED;
			snprintf(res[i].detail, sizeof(res[i].detail), "%s",
				 err_msg()[0] ? err_msg() : err_name(err));
		}
		run[i].done = err != 0;
	}
	for (i = 0; i < n; i++)
		if (run[i].started && !run[i].done)
			return true;
	return false;
}

static void finish_one(const struct live_component *c, struct live_result *res, struct running *run,
		       struct fact_store *fs)
{
	size_t before = fs->n;
	char summary[sizeof(res->detail)] = "";

	if (run->started && res->state == LIVE_RAN) {
		err_clear();
		if (c->finish(run->state, fs, summary, sizeof(summary))) {
			res->state = LIVE_FAILED;
			snprintf(res->detail, sizeof(res->detail), "%s",
				 err_msg()[0] ? err_msg() : "finishing failed");
		} else {
			snprintf(res->detail, sizeof(res->detail), "%s", summary);
		}
	}
	res->nfacts += fs->n - before;
	if (run->started)
		c->stop(run->state);
}

int live_window__run_list(const struct live_component *const *list, size_t n,
			  const struct live_target *t, uint64_t window_ns, struct fact_store *fs,
			  struct live_window *out)
{
	struct running *run = calloc(n ? n : 1, sizeof(*run));
	struct exec_bus bus = {.list = list, .run = run, .n = n};
	struct live_target target = *t;
	uint64_t start, deadline;
	size_t i;

	memset(out, 0, sizeof(*out));
	out->v = calloc(n ? n : 1, sizeof(*out->v));
	if (!run || !out->v) {
		free(run);
		free(out->v);
		out->v = NULL;
		return -ENOMEM;
	}
	out->n = n;
	out->window_ns = window_ns;
	target.exec_seen = exec_seen;
	target.exec_ctx = &bus;
	for (i = 0; i < n; i++)
		start_one(list[i], &target, &out->v[i], &run[i]);
	start = mono_ns();
	deadline = start + window_ns;
	while (mono_ns() < deadline && !signals__stop_requested())
		if (!poll_round(list, n, run, out->v, deadline, fs)) {
			out->ended_early = mono_ns() < deadline && !signals__stop_requested();
			break;
		}
	out->interrupted = signals__stop_requested();
	out->elapsed_ns = mono_ns() - start;
	for (i = 0; i < n; i++)
		finish_one(list[i], &out->v[i], &run[i], fs);
	free(run);
	return 0;
}

int live_window__run(const struct live_target *t, uint64_t window_ns, struct fact_store *fs,
		     struct live_window *out)
{
	size_t n = live_components__count();
	const struct live_component **list = calloc(n ? n : 1, sizeof(*list));
	int err;

	if (!list)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		list[i] = live_components__get(i);
	err = live_window__run_list(list, n, t, window_ns, fs, out);
	free(list);
	return err;
}

void live_window__clear(struct live_window *w)
{
	free(w->v);
	memset(w, 0, sizeof(*w));
}
