// SPDX-License-Identifier: GPL-2.0
/*
 * A Go program killed at its memory cgroup limit without GOMEMLIMIT: the
 * GC paces itself by GOGC alone (next GC at live heap × (1 + GOGC/100)),
 * blind to the container limit, so a heap that could have been collected
 * in time grows into the limit instead. GOMEMLIMIT (Go 1.19+) makes the GC
 * work harder as the heap approaches it. GOGC=off is rule_oom_gogc_off's.
 * A limit set in code (debug.SetMemoryLimit) counts when the runtime's own
 * state was read at the death.
 */
#include <string.h>

#include "goelf/goversion.h"
#include "out/units.h"
#include "rank/oom_evidence.h"
#include "rank/rules.h"

/* GOMEMLIMIT exists since Go 1.19 (runtime/debug.SetMemoryLimit). */
static bool has_memlimit(const char *ver)
{
	struct go_version v;

	return !ver || go_version_parse(ver, &v) || v.devel || go_version_cmp_minor(&v, 1, 19) >= 0;
}

static void eval_one(const struct fact *f, struct cand_list *out)
{
	uint64_t limit = oom_memcg_limit(f), want;
	const char *ver = fact_str(f, "go_version");
	struct candidate *c;
	char a[32], b[32];

	if (!limit || !oom_is_go_with_env(f) || oom_go_memlimit(f) >= 0 ||
	    oom_go_gc_percent(f) < 0 || !(c = oom_candidate(out, "oom_go_memlimit_unset", f)))
		return;
	want = oom_suggest_memlimit(limit);
	cand_cause(c, "Go heap grew to the %s limit with GOMEMLIMIT unset",
		   fmt_bytes(limit, a, sizeof(a)));
	cand_basis(c, 50, "oom_kill: memcg OOM of a Go program");
	cand_basis(c, 20, "gomemlimit unset: the GC never looked at the %s limit",
		   fmt_bytes(limit, a, sizeof(a)));
	oom_evidence(c, f);
	if (has_memlimit(ver))
		cand_fix(c,
			 "set GOMEMLIMIT=%lluMiB (~90%% of the %s limit) so the GC collects "
			 "harder before the limit, or raise the limit",
			 (unsigned long long)(want >> 20), fmt_bytes(limit, b, sizeof(b)));
	else
		cand_fix(c,
			 "GOMEMLIMIT needs Go 1.19+ (this binary is %s): upgrade and set "
			 "GOMEMLIMIT=%lluMiB, or lower GOGC, or raise the limit",
			 ver, (unsigned long long)(want >> 20));
}

static void eval(const struct fact_store *fs, struct cand_list *out)
{
	const struct fact *f;
	size_t cur = 0;

	while ((f = fact_store__next(fs, &cur, "oom_kill", NULL)))
		eval_one(f, out);
}

const struct rule rule_oom_memlimit_unset = {
	.id = "oom_go_memlimit_unset",
	.summary = "a Go program killed at its memory limit without GOMEMLIMIT",
	.eval = eval,
};
