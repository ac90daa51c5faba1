// SPDX-License-Identifier: GPL-2.0
/*
 * Goroutine leak: many goroutines parked at one site, for long, and the
 * count growing. A few long-parked goroutines (a listener, a ticker) are
 * normal; hundreds at one channel operation, growing, are not.
 */
#include "rank/rule_util.h"
#include "rank/rules.h"

#define MIN_GOROUTINES 100
#define MIN_GROWING 20

static void eval(const struct fact_store *fs, struct cand_list *out)
{
	const struct fact *f;
	size_t cur = 0;

	while ((f = fact_store__next(fs, &cur, "block_stuck", NULL))) {
		int64_t n = fact_int(f, "goroutines", 0);
		double growth = fact_float(f, "growth_per_s", 0);
		char where[400], age[16];
		struct candidate *c;

		if (n < MIN_GOROUTINES && !(n >= MIN_GROWING && growth >= 1))
			continue;
		c = rule_candidate(out, "block.goroutine_leak", f);
		if (!c)
			return;
		rule_where(f, where, sizeof(where));
		c->severity = growth >= 1 ? SEV_CRITICAL : SEV_WARNING;
		cand_basis(c, 30, "block_stuck: %lld goroutines parked at %s", (long long)n, where);
		if (n >= 1000)
			cand_basis(c, 20, "more than 1000 of them");
		if (growth >= 1)
			cand_basis(c, 30, "their count grows %.0f/s", growth);
		cand_cause(c, "goroutine leak: %lld goroutines stuck in %s at %s for up to %s%s",
			   (long long)n, fact_str(f, "reason"), where,
			   rule_dur(f, "oldest_ns", age, sizeof(age)),
			   growth >= 1 ? ", count growing" : "");
		if (growth >= 1)
			cand_evidence(c, "count growing %.0f goroutines/s", growth);
		cand_evidence(c, "%lld goroutines parked in %s at %s", (long long)n,
			      fact_str(f, "reason"), where);
		cand_fix(
			c,
			"whatever they wait for never comes: give the wait a way out (a ctx.Done() "
			"case, a timeout, closing the channel when the producer stops)");
		cand_seen(c, f->time_ns);
	}
}

const struct rule rule_block_leak = {
	.id = "block.goroutine_leak",
	.summary = "many goroutines parked at one site, count growing",
	.eval = eval,
};
