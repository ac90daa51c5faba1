// SPDX-License-Identifier: GPL-2.0
/*
 * GOMEMLIMIT at or above the container's limit: the GC starts working
 * harder only when the Go heap (plus runtime overhead) nears GOMEMLIMIT,
 * but the kernel kills the process at the cgroup limit first, and the
 * cgroup also counts non-heap memory (stacks, cgo, page cache). The limit
 * is soft for Go and hard for the kernel: it must sit below, with room.
 */
#include "out/units.h"
#include "rank/oom_evidence.h"
#include "rank/rules.h"

/* Within 5% of the limit is too close: non-heap memory alone fills that. */
#define TOO_CLOSE_PERCENT 95

static void eval_one(const struct fact *f, struct cand_list *out)
{
	uint64_t limit = oom_memcg_limit(f), want;
	int64_t gml = oom_go_memlimit(f);
	struct candidate *c;
	bool above;
	char b[32], what[160];

	if (!limit || !oom_is_go_with_env(f) || gml < 0 ||
	    (uint64_t)gml < limit / 100 * TOO_CLOSE_PERCENT)
		return;
	c = oom_candidate(out, "oom_go_memlimit_above", f);
	if (!c)
		return;
	above = (uint64_t)gml >= limit;
	want = oom_suggest_memlimit(limit);
	oom_go_memlimit_words(f, what, sizeof(what));
	cand_cause(c, "%s is %s the %s container limit: the kernel kills before the Go GC reacts",
		   what, above ? "above" : "too close to", fmt_bytes(limit, b, sizeof(b)));
	cand_basis(c, 50, "oom_kill: memcg OOM of a Go program");
	cand_basis(c, above ? 30 : 20, "gomemlimit_bytes %lld %s limit_bytes %llu", (long long)gml,
		   above ? ">=" : "within 5% of", (unsigned long long)limit);
	oom_evidence(c, f);
	cand_fix(c,
		 "set GOMEMLIMIT=%lluMiB (~90%% of the limit, leaving room for non-heap "
		 "memory), or raise the limit above GOMEMLIMIT",
		 (unsigned long long)(want >> 20));
}

static void eval(const struct fact_store *fs, struct cand_list *out)
{
	const struct fact *f;
	size_t cur = 0;

	while ((f = fact_store__next(fs, &cur, "oom_kill", NULL)))
		eval_one(f, out);
}

const struct rule rule_oom_memlimit_above = {
	.id = "oom_go_memlimit_above",
	.summary = "GOMEMLIMIT at or above the container's memory limit",
	.eval = eval,
};
