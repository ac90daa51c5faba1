/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_LIVE_LIVE_H
#define GOTRACE_LIVE_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "out/json.h"
#include "rank/candidate.h"
#include "rank/fact.h"

/*
 * gotrace watch: the live incident terminal. The crash and oom tracers run
 * quietly and hand every fact to one store; after new facts the shared
 * rules re-rank everything, and the view shows what is new or changed.
 */

/* What was shown for a candidate, to tell new and changed ones apart. */
struct live_seen {
	char key[480]; /* rule | subject | cause */
	int score;
	uint32_t count;
	char cause[160];
};

struct live_view {
	bool tty;
	bool color;
	bool json;
	int verbose;
	struct json_writer w;
	struct live_seen *seen;
	size_t nseen;
	uint64_t start_mono_ns;
	uint64_t last_draw_ns;
	uint64_t max_latency_ns; /* a death's time to its printed verdict */
	uint64_t updates;
	char scope[256];
};

struct live_stats {
	uint64_t deaths, kills, events, lost, holds, facts;
	size_t hooks_attached, hooks_missing;
	const char *oom_mechanism;
};

/* New or changed candidates: a line (text) or an object (JSON) each; on a TTY, a redraw. */
void live_view__update(struct live_view *v, const struct cand_list *cands,
		       const struct live_stats *st, bool force_redraw);
/* The final summary after Ctrl-C or the duration. */
void live_view__final(struct live_view *v, const struct cand_list *cands,
		      const struct live_stats *st);
void live_view__free(struct live_view *v);

/* One row per container and story: deaths with the same cause fold into a count. */
void live_fold(struct cand_list *l);

/* Goroutine dumps of Go processes sent SIGTERM (live/dump.c). */
struct live_dumps;
int live_dumps__new(struct live_dumps **out);
/* Watches the facts for SIGTERMs to Go processes; takes the first dump. */
void live_dumps__on_fact(struct live_dumps *d, const struct fact *f);
/* Takes the second dumps that are due; facts go to out. */
void live_dumps__tick(struct live_dumps *d, const struct fact_sink *out);
void live_dumps__free(struct live_dumps *d);

/* The key a candidate is tracked by across re-rankings. */
void live_candidate_key(const struct candidate *c, char *buf, size_t len);

#endif
