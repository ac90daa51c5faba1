// SPDX-License-Identifier: GPL-2.0
/*
 * Lock contention: goroutines wait on a sync.Mutex/RWMutex at one site.
 * Scored by how much of the window goroutines spent waiting there (a
 * goroutine-second per second is a full-time waiter) and by the tail.
 */
#include <stdio.h>

#include "rank/rule_util.h"
#include "rank/rules.h"

#define MIN_P99_NS 1000000LL /* waits under a millisecond are not a story */

static void eval(const struct fact_store *fs, struct cand_list *out)
{
	const struct fact *f;
	size_t cur = 0;

	while ((f = fact_store__next(fs, &cur, "block_site", NULL))) {
		int64_t total = fact_int(f, "total_ns", 0), win = fact_int(f, "window_ns", 1);
		double share = win > 0 ? (double)total / (double)win : 0;
		char where[400], p99[16], tot[16];
		struct candidate *c;

		if (!fact_bool(f, "lock", false) || fact_int(f, "p99_ns", 0) < MIN_P99_NS)
			continue;
		c = rule_candidate(out, "block.lock_contention", f);
		if (!c)
			return;
		rule_where(f, where, sizeof(where));
		/* The same site seen as a blocked handler and as lock contention is one story. */
		snprintf(c->merge_key, sizeof(c->merge_key), "site:%.80s:%.30s", where,
			 fact_str(f, "reason"));
		c->severity = share >= 0.5 ? SEV_CRITICAL : SEV_WARNING;
		cand_basis(c, 30, "block_site: goroutines wait on a lock at %s", where);
		cand_basis(c, share >= 1 ? 40 : (int)(40 * share),
			   "%.2f goroutine-seconds waited per second there", share);
		if (fact_int(f, "p99_ns", 0) >= 100000000LL)
			cand_basis(c, 10, "p99 wait >= 100ms");
		cand_cause(c, "lock contention at %s: %lld waits, %s blocked, p99 %s", where,
			   (long long)fact_int(f, "count", 0),
			   rule_dur(f, "total_ns", tot, sizeof(tot)),
			   rule_dur(f, "p99_ns", p99, sizeof(p99)));
		cand_evidence(c, "wait reason %s at %s", fact_str(f, "reason"), where);
		cand_evidence(c,
			      "%.0f%% of the traced time was spent waiting there (summed over "
			      "goroutines)",
			      100 * share);
		cand_fix(c,
			 "shorten what runs while the lock is held (no I/O or channel waits under "
			 "it) or split the lock; `gotrace goroutines --pid` shows who holds it");
		cand_seen(c, f->time_ns);
	}
}

const struct rule rule_block_lock = {
	.id = "block.lock_contention",
	.summary = "goroutines spend a large share of time waiting on one lock",
	.eval = eval,
};
