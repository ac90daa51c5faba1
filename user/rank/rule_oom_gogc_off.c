// SPDX-License-Identifier: GPL-2.0
/*
 * GOGC=off (or negative) with no GOMEMLIMIT: the Go GC never runs, so
 * every allocation stays until the process is killed. GOGC=off is only
 * safe paired with GOMEMLIMIT, which then is the only GC trigger.
 */
#include "out/units.h"
#include "rank/oom_evidence.h"
#include "rank/rules.h"

static void eval_one(const struct fact *f, struct cand_list *out)
{
	uint64_t limit = oom_memcg_limit(f);
	const char *gogc = fact_str(f, "gogc");
	struct candidate *c;
	char a[32];

	if (!oom_is_go_with_env(f) || fact_int(f, "gogc_percent", 100) >= 0 ||
	    fact_has(f, "gomemlimit_bytes") || !(c = oom_candidate(out, "oom_go_gogc_off", f)))
		return;
	cand_cause(c,
		   "GOGC=%s without GOMEMLIMIT: the Go GC never ran, garbage piled up until "
		   "the kernel killed it",
		   gogc ? gogc : "off");
	cand_basis(c, 50, "oom_kill of a Go program");
	cand_basis(c, 35, "gogc_percent < 0 and no gomemlimit: garbage is never collected");
	oom_evidence(c, f);
	if (limit)
		cand_fix(c,
			 "remove GOGC=%s, or pair it with GOMEMLIMIT=%lluMiB (~90%% of the %s "
			 "limit) so the GC runs when it matters",
			 gogc ? gogc : "off",
			 (unsigned long long)(oom_suggest_memlimit(limit) >> 20),
			 fmt_bytes(limit, a, sizeof(a)));
	else
		cand_fix(c,
			 "remove GOGC=%s, or pair it with a GOMEMLIMIT below the memory the "
			 "process may use",
			 gogc ? gogc : "off");
}

static void eval(const struct fact_store *fs, struct cand_list *out)
{
	const struct fact *f;
	size_t cur = 0;

	while ((f = fact_store__next(fs, &cur, "oom_kill", NULL)))
		eval_one(f, out);
}

const struct rule rule_oom_gogc_off = {
	.id = "oom_go_gogc_off",
	.summary = "GOGC=off without GOMEMLIMIT: the Go GC never runs",
	.eval = eval,
};
