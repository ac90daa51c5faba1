// SPDX-License-Identifier: GPL-2.0
/*
 * A Go program whose GC cannot see its container's memory limit: no
 * GOMEMLIMIT (the GC paces by GOGC alone), GOMEMLIMIT above the limit (the
 * kernel kills first), or GOGC=off with nothing bounding the heap. From
 * doctor's mem_limit, go_env / go_runtime and oom_events facts; OOM kills
 * already on record make it the likely cause of the crash loop rather than
 * a risk. It merges with doctor.oom_killed ("oom_history").
 */
#include <stdio.h>

#include "out/units.h"
#include "rank/doctor_evidence.h"
#include "rank/oom_evidence.h"
#include "rank/rules.h"

/* The problem in one line, or NULL when the knobs fit the limit. */
static const char *problem(const struct doctor_go_mem *m, uint64_t limit, int *points)
{
	if (m->gc_percent < 0 && m->memlimit == INT64_MAX) {
		*points = 40;
		return "GOGC=off and no GOMEMLIMIT: nothing bounds the heap";
	}
	if (m->memlimit == INT64_MAX) {
		*points = 30;
		return "GOMEMLIMIT unset: the GC never looks at the limit";
	}
	if ((uint64_t)m->memlimit > limit) {
		*points = 35;
		return "GOMEMLIMIT above the limit: the kernel kills before the GC reacts";
	}
	return NULL;
}

static void eval_one(const struct fact_store *fs, const struct fact *lim, struct cand_list *out)
{
	uint64_t limit = (uint64_t)fact_int(lim, "limit_bytes", 0);
	struct doctor_go_mem m;
	const char *why, *scope;
	struct candidate *c;
	int points = 0;
	int64_t kills = doctor_oom_kills(fs, lim->subject, &scope);
	char a[32], b[32];

	if (!limit || !doctor_go_mem(fs, lim->subject, &m) ||
	    !(why = problem(&m, limit, &points)) ||
	    !(c = doctor_candidate(out, "doctor.go_memlimit", lim, "oom_history",
				   kills ? SEV_CRITICAL : SEV_WARNING)))
		return;
	cand_basis(c, points, "%s (%s)", why, m.from);
	cand_cause(c, "Go heap vs the %s memory limit: %s", fmt_bytes(limit, a, sizeof(a)), why);
	cand_evidence(c, "memory limit %s (%s)", fmt_bytes(limit, a, sizeof(a)),
		      fact_str(lim, "limit_file") ? fact_str(lim, "limit_file") : "cgroup");
	cand_evidence(c, "GOGC=%d, GOMEMLIMIT=%s (%s%s%s)", m.gc_percent,
		      m.memlimit == INT64_MAX ? "unset"
					      : fmt_bytes((uint64_t)m.memlimit, b, sizeof(b)),
		      m.from, m.version ? ", " : "", m.version ? m.version : "");
	if (kills) {
		cand_basis(c, 40, "oom_events: %lld OOM kill(s) recorded by the %s cgroup",
			   (long long)kills, scope);
		cand_evidence(c, "%lld OOM kill%s recorded by the %s's memory cgroup",
			      (long long)kills, kills == 1 ? "" : "s", scope);
	}
	if (fact_int(lim, "usage_bytes", 0) >= (int64_t)(limit / 100 * 90)) {
		cand_basis(c, 10, "usage at %.0f%% of the limit",
			   100.0 * (double)fact_int(lim, "usage_bytes", 0) / (double)limit);
		cand_evidence(c, "usage %s of %s now",
			      fmt_bytes((uint64_t)fact_int(lim, "usage_bytes", 0), a, sizeof(a)),
			      fmt_bytes(limit, b, sizeof(b)));
	}
	cand_fix(c, "set GOMEMLIMIT=%lluMiB (~90%% of the limit)%s, or raise the limit",
		 (unsigned long long)(oom_suggest_memlimit(limit) >> 20),
		 m.gc_percent < 0 ? " or remove GOGC=off" : "");
}

static void eval(const struct fact_store *fs, struct cand_list *out)
{
	const struct fact *f;
	size_t cur = 0;

	while ((f = fact_store__next(fs, &cur, "mem_limit", NULL)))
		eval_one(fs, f, out);
}

const struct rule rule_doctor_memlimit = {
	.id = "doctor.go_memlimit",
	.summary = "the Go GC cannot see the container's memory limit (GOMEMLIMIT, GOGC)",
	.eval = eval,
};
