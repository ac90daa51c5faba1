// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel OOM-killed the container at its memory limit: its memory
 * cgroup's counters say so (oom_events; on cgroup v2 the pod's counts its
 * containers' kills, which outlive them), or the kernel log does
 * (oom_kill_log: the one record left of a dead instance on cgroup v1).
 * The two sources agree into one candidate (merge key "oom_history"), and
 * with doctor.go_memlimit, which says why the Go heap got there.
 */
#include <string.h>

#include "out/units.h"
#include "rank/doctor_evidence.h"
#include "rank/rules.h"

static void eval_one(const struct fact_store *fs, const struct fact *f, struct cand_list *out)
{
	int64_t kills = fact_int(f, "oom_kill", 0), restarts;
	const char *scope = fact_str(f, "scope");
	struct candidate *c;

	if (kills <= 0 ||
	    !(c = doctor_candidate(out, "doctor.oom_killed", f, "oom_history", SEV_CRITICAL)))
		return;
	cand_cause(c,
		   "OOM-killed at the memory limit: %lld kill%s recorded by the %s's memory "
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

static void from_log(const struct fact_store *fs, const struct fact *f, struct cand_list *out)
{
	int64_t kills = fact_int(f, "kills", 0), restarts;
	int64_t rss = fact_int(f, "last_anon_rss_kib", -1), lim = fact_int(f, "limit_bytes", -1);
	struct candidate *c;
	char a[32], b[32], d[32];

	if (kills <= 0 ||
	    !(c = doctor_candidate(out, "doctor.oom_killed", f, "oom_history", SEV_CRITICAL)))
		return;
	cand_cause(c, "OOM-killed: %lld kill%s in the kernel log, the last of %s (pid %lld)%s%s%s",
		   (long long)kills, kills == 1 ? "" : "s", fact_str(f, "last_comm") ?: "?",
		   (long long)fact_int(f, "last_pid", 0), lim > 0 ? " at its " : "",
		   lim > 0 ? fmt_bytes((uint64_t)lim, a, sizeof(a)) : "", lim > 0 ? " limit" : "");
	cand_basis(c, 45, "oom_kill_log: %lld kill(s) of this target in /dev/kmsg",
		   (long long)kills);
	cand_evidence(c, "kernel log: the last kill %s ago, anon-rss %s, oom_memcg=%s",
		      fmt_duration((uint64_t)fact_int(f, "last_age_ns", 0), d, sizeof(d)),
		      rss >= 0 ? fmt_bytes((uint64_t)rss << 10, b, sizeof(b)) : "?",
		      fact_str(f, "oom_memcg") ?: "?");
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
	cur = 0;
	while ((f = fact_store__next(fs, &cur, "oom_kill_log", NULL)))
		from_log(fs, f, out);
}

const struct rule rule_doctor_oom = {
	.id = "doctor.oom_killed",
	.summary = "the memory cgroup recorded OOM kills of the container",
	.eval = eval,
};
