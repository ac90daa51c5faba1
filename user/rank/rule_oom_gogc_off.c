// SPDX-License-Identifier: GPL-2.0
/*
 * GOGC=off (or negative) with no GOMEMLIMIT: the Go GC never runs, so
 * every allocation stays until the process is killed. GOGC=off is only
 * safe paired with GOMEMLIMIT, which then is the only GC trigger. The
 * knobs in effect count (read from the runtime at the death when it could
 * be: debug.SetGCPercent(-1) in code is GOGC=off too).
 */
#include "out/units.h"
#include "rank/oom_evidence.h"
#include "rank/rules.h"

static void eval_one(const struct fact *f, struct cand_list *out)
{
	uint64_t limit = oom_memcg_limit(f);
	bool code = fact_bool(f, "go_gc_percent_set_in_code", false);
	const char *gogc = fact_str(f, "gogc");
	struct candidate *c;
	char a[32], what[160], knob[64];

	if (!oom_is_go_with_env(f) || oom_go_gc_percent(f) >= 0 || oom_go_memlimit(f) >= 0 ||
	    !(c = oom_candidate(out, "oom_go_gogc_off", f)))
		return;
	oom_go_gogc_words(f, what, sizeof(what));
	if (code)
		snprintf(knob, sizeof(knob), "debug.SetGCPercent(-1)");
	else
		snprintf(knob, sizeof(knob), "GOGC=%s", gogc ? gogc : "off");
	cand_cause(c,
		   "%s without GOMEMLIMIT: the Go GC never ran, garbage piled up until the "
		   "kernel killed it",
		   what);
	cand_basis(c, 50, "oom_kill of a Go program");
	cand_basis(c, 35, "%s and no memory limit: garbage is never collected",
		   code ? "go_gc_percent_effective < 0" : "gogc_percent < 0");
	oom_evidence(c, f);
	if (limit)
		cand_fix(c,
			 "remove %s, or pair it with GOMEMLIMIT=%lluMiB (~90%% of the %s limit) "
			 "so the GC runs when it matters",
			 knob, (unsigned long long)(oom_suggest_memlimit(limit) >> 20),
			 fmt_bytes(limit, a, sizeof(a)));
	else
		cand_fix(c,
			 "remove %s, or pair it with a GOMEMLIMIT below the memory the process "
			 "may use",
			 knob);
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
