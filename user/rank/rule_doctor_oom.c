// SPDX-License-Identifier: GPL-2.0
/*
 * The container's (or pod's) memory cgroup recorded OOM kills: the kernel
 * killed it at its limit, the last instance too when it crash-loops. From
 * doctor's oom_events facts, which outlive the instances (the pod's cgroup
 * counts its containers' kills). Merges with doctor.go_memlimit, which
 * says why the Go heap got there.
 */
#include <string.h>

#include "rank/doctor_evidence.h"
#include "rank/rules.h"

static void eval_one(const struct fact_store *fs, const struct fact *f, struct cand_list *out)
{
	int64_t kills = fact_int(f, "oom_kill", 0), restarts;
	const char *scope = fact_str(f, "scope");
	struct candidate *c;

	if (kills <= 0 || !(c = doctor_candidate(out, "doctor.oom_killed", f, "oom_history",
						 SEV_CRITICAL)))
		return;
	cand_cause(c, "OOM-killed at the memory limit: %lld kill%s recorded by the %s's memory "
		      "cgroup",
		   (long long)kills, kills == 1 ? "" : "s", scope ? scope : "container");
	cand_basis(c, 45, "oom_events: oom_kill=%lld (%s)", (long long)kills, scope ? scope : "?");
	cand_evidence(c, "%lld OOM kill%s recorded by the %s's memory cgroup", (long long)kills,
		      kills == 1 ? "" : "s", scope ? scope : "container");
	if (doctor_crash_looping(fs, f->subject, &restarts)) {
		cand_basis(c, 10, "restart_history: %lld restarts", (long long)restarts);
		cand_evidence(c, "%lld restart%s (kubelet logs)", (long long)restarts,
			      restarts == 1 ? "" : "s");
	}
	cand_fix(c, "find what the heap holds at the limit (`gotrace oom` shows the next kill with "
		    "its trajectory); for Go set GOMEMLIMIT below the limit, or raise the limit");
}

static void eval(const struct fact_store *fs, struct cand_list *out)
{
	const struct fact *f, *best = NULL;
	size_t cur = 0;

	/* One candidate per subject: the scope with the most kills. */
	while ((f = fact_store__next(fs, &cur, "oom_events", NULL))) {
		if (best && strcmp(best->subject, f->subject)) {
			eval_one(fs, best, out);
			best = NULL;
		}
		if (!best || fact_int(f, "oom_kill", 0) > fact_int(best, "oom_kill", 0))
			best = f;
	}
	if (best)
		eval_one(fs, best, out);
}

const struct rule rule_doctor_oom = {
	.id = "doctor.oom_killed",
	.summary = "the memory cgroup recorded OOM kills of the container",
	.eval = eval,
};
