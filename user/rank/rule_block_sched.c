// SPDX-License-Identifier: GPL-2.0
/*
 * Scheduling latency: runnable goroutines wait for a CPU. With a CFS quota
 * below GOMAXPROCS the runtime runs more threads than the quota pays for and
 * the kernel throttles the whole container for the rest of each period.
 */
#include <math.h>

#include "rank/rule_util.h"
#include "rank/rules.h"

#define HIGH_P99_NS 2000000LL

static void eval(const struct fact_store *fs, struct cand_list *out)
{
	const struct fact *lat = fact_store__latest(fs, "sched_latency", NULL), *b;
	double quota, throttled;
	char p99[16];
	struct candidate *c;
	int64_t gmp;

	if (!lat || fact_int(lat, "p99_ns", 0) < HIGH_P99_NS)
		return;
	b = fact_store__latest(fs, "cpu_budget", lat->subject);
	quota = b ? fact_float(b, "quota_cpus", 0) : 0;
	gmp = b ? fact_int(b, "gomaxprocs", 0) : 0;
	throttled = b && fact_int(b, "nr_periods", 0) ? (double)fact_int(b, "nr_throttled", 0) /
								(double)fact_int(b, "nr_periods", 1)
						      : 0;
	c = rule_candidate(out, "block.sched_latency", lat);
	if (!c)
		return;
	rule_dur(lat, "p99_ns", p99, sizeof(p99));
	c->severity = SEV_WARNING;
	cand_basis(c, 25, "sched_latency: runnable goroutines wait p99 %s for a CPU", p99);
	if (quota > 0 && gmp > (int64_t)ceil(quota)) {
		cand_basis(c, 35, "cpu_budget: GOMAXPROCS=%lld (%s) > CPU quota %.2f",
			   (long long)gmp, fact_str(b, "gomaxprocs_source"), quota);
		if (throttled > 0.05)
			cand_basis(c, 20, "throttled in %.0f%% of CFS periods", 100 * throttled);
		cand_cause(c,
			   "scheduler latency from the CPU quota: p99 %s to get a CPU; "
			   "GOMAXPROCS=%lld "
			   "but the container may use %.2f CPUs",
			   p99, (long long)gmp, quota);
		cand_evidence(c, "CFS quota %.2f CPUs, GOMAXPROCS %lld (%s)", quota, (long long)gmp,
			      fact_str(b, "gomaxprocs_source"));
		cand_evidence(c, "throttled in %.0f%% of periods (cpu.stat)", 100 * throttled);
		cand_fix(c,
			 "set GOMAXPROCS=%d (or use go.uber.org/automaxprocs; Go 1.25+ does it by "
			 "default) or raise the CPU limit",
			 (int)ceil(quota));
	} else {
		cand_cause(c, "CPU saturation: runnable goroutines wait p99 %s for a CPU", p99);
		cand_evidence(c, "GOMAXPROCS %lld, %s", (long long)gmp,
			      quota > 0 ? "below the CPU quota" : "no CPU quota");
		cand_fix(c, "the process needs more CPU than it gets: profile CPU use or add CPUs");
	}
	cand_seen(c, lat->time_ns);
}

const struct rule rule_block_sched = {
	.id = "block.sched_latency",
	.summary = "runnable goroutines wait for a CPU (GOMAXPROCS vs CPU quota)",
	.eval = eval,
};
