// SPDX-License-Identifier: GPL-2.0
/*
 * GOMAXPROCS above the CPU quota: the runtime runs more Ps than the quota
 * pays for, spends it early in each CFS period and the whole container is
 * throttled for the rest (up to 100 ms stalls). From the cpu_budget and
 * cpu_throttling facts (proc/cpufacts.c) that doctor's checks, `block` and
 * watch's sampler (live/cpusampler.c) write; measured
 * throttling makes it a cause rather than a risk. block.sched_latency says
 * the same from the goroutines' side when a live window measured it.
 */
#include <math.h>

#include "out/units.h"
#include "rank/doctor_evidence.h"
#include "rank/rules.h"

/*
 * What throttling does to latency: while throttled, every thread of the
 * container waits, runnable, for the next period; the stall per throttled
 * period is the delay a request can pick up at any point. cpu.stat's
 * throttled time is summed over the CPUs' run queues (each one throttled
 * counts), so the wall-clock stall is that sum over the CPUs the container
 * runs on at once: min(CPUs allowed, GOMAXPROCS).
 */
static void stalls(const struct fact *b, const struct fact *t, struct candidate *c)
{
	int64_t n = fact_int(t, "sample_throttled", 0);
	int64_t ns = fact_int(t, "sample_throttled_ns", 0);
	int64_t window = fact_int(t, "sample_ns", 0);
	int64_t cpus = fact_int(b, "cpus_allowed", 0);
	int64_t gmp = fact_int(b, "gomaxprocs", 0);
	char a[32], s[32], w[32];

	if (n <= 0 || ns <= 0 || window <= 0)
		return;
	if (gmp > 0 && (cpus <= 0 || gmp < cpus))
		cpus = gmp;
	if (cpus <= 0)
		cpus = 1;
	cand_evidence(c,
		      "over %s: %s of throttled time summed over CPUs (cpu.stat), a stall of "
		      "~%s per throttled period on each of %lld CPUs: the scheduling delay any "
		      "goroutine can pick up",
		      fmt_duration((uint64_t)window, w, sizeof(w)),
		      fmt_duration((uint64_t)ns, a, sizeof(a)),
		      fmt_duration((uint64_t)(ns / n / cpus), s, sizeof(s)), (long long)cpus);
}

static void throttling(const struct fact_store *fs, const struct fact *b, struct candidate *c)
{
	const struct fact *t = fact_store__latest(fs, "cpu_throttling", b->subject);
	double ratio = t ? fact_float(t, "throttled_ratio", 0) : 0;
	int64_t sp = t ? fact_int(t, "sample_periods", 0) : 0;
	double now = sp > 0 ? (double)fact_int(t, "sample_throttled", 0) / (double)sp : 0;
	double worst = now > ratio ? now : ratio;

	if (!t)
		return;
	cand_evidence(c,
		      "throttled in %.0f%% of CFS periods since the start, %.0f%% just now "
		      "(cpu.stat)",
		      100 * ratio, 100 * now);
	stalls(b, t, c);
	if (worst >= 0.25)
		cand_basis(c, 35, "cpu_throttling: throttled in %.0f%% of periods", 100 * worst);
	else if (worst >= 0.05)
		cand_basis(c, 15, "cpu_throttling: throttled in %.0f%% of periods", 100 * worst);
}

static void eval_one(const struct fact_store *fs, const struct fact *b, struct cand_list *out)
{
	double quota = fact_float(b, "quota_cpus", 0);
	int64_t gmp = fact_int(b, "gomaxprocs", 0);
	struct candidate *c;

	if (!fact_bool(b, "has_quota", false) || quota <= 0 || gmp <= (int64_t)ceil(quota) ||
	    !(c = doctor_candidate(out, "doctor.cpu_quota", b, "cpu_quota", SEV_WARNING)))
		return;
	cand_cause(c,
		   "GOMAXPROCS=%lld above the CPU quota of %.2f CPUs: throttling stalls the "
		   "whole container",
		   (long long)gmp, quota);
	cand_basis(c, 30, "cpu_budget: GOMAXPROCS %lld > quota %.2f (%s)", (long long)gmp, quota,
		   fact_str(b, "gomaxprocs_source") ? fact_str(b, "gomaxprocs_source") : "?");
	cand_evidence(c, "CFS quota %.2f CPUs; GOMAXPROCS %lld (%s)", quota, (long long)gmp,
		      fact_str(b, "gomaxprocs_source") ? fact_str(b, "gomaxprocs_source") : "?");
	throttling(fs, b, c);
	cand_fix(c,
		 "set GOMAXPROCS=%d (or go.uber.org/automaxprocs; Go 1.25+ does it by "
		 "default), or raise the CPU limit",
		 (int)ceil(quota));
}

static void eval(const struct fact_store *fs, struct cand_list *out)
{
	const struct fact *f;
	size_t cur = 0;

	/* The newest budget per subject (block's live component writes one too). */
	while ((f = fact_store__next(fs, &cur, "cpu_budget", NULL)))
		if (f == fact_store__latest(fs, "cpu_budget", f->subject))
			eval_one(fs, f, out);
}

const struct rule rule_doctor_cpu = {
	.id = "doctor.cpu_quota",
	.summary = "GOMAXPROCS above the CPU quota, and the throttling it causes",
	.eval = eval,
};
