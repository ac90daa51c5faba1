// SPDX-License-Identifier: GPL-2.0
/*
 * cpu.throttling: how often the kernel stopped the container for the rest
 * of a CFS period because it had used its quota (cpu.stat nr_throttled /
 * nr_periods, throttled_usec on v2 and throttled_time on v1). The counters
 * run since the cgroup was created, so a sample over SAMPLE_MS tells
 * whether it is happening now; the worse of the two decides.
 */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "doctor/check.h"
#include "doctor/target.h"
#include "out/units.h"
#include "proc/cpuquota.h"
#include "rank/fact.h"

#define SAMPLE_MS 500
#define WARN_RATIO 0.05
#define FAIL_RATIO 0.25

static double ratio(uint64_t throttled, uint64_t periods)
{
	return periods ? (double)throttled / (double)periods : 0;
}

static void add_fact(const struct doctor_target *t, const struct cpu_budget *a,
		     const struct cpu_budget *b, struct check_result *r)
{
	struct fact *f = check_fact(r, t, "cpu_throttling");

	if (f)
		cpu_throttling__to_fact(a, b, SAMPLE_MS * 1000000ULL, f);
}

static void judge(const struct cpu_budget *a, const struct cpu_budget *b, struct check_result *r)
{
	double all = ratio(b->nr_throttled, b->nr_periods);
	double now = ratio(b->nr_throttled - a->nr_throttled, b->nr_periods - a->nr_periods);
	double worst = all > now ? all : now;
	char d[32];

	check_evidence(r,
		       "since the cgroup started: throttled in %llu of %llu periods (%.1f%%), "
		       "%s in total",
		       (unsigned long long)b->nr_throttled, (unsigned long long)b->nr_periods,
		       100 * all, fmt_duration(b->throttled_ns, d, sizeof(d)));
	check_evidence(r, "over %d ms now: throttled in %llu of %llu periods", SAMPLE_MS,
		       (unsigned long long)(b->nr_throttled - a->nr_throttled),
		       (unsigned long long)(b->nr_periods - a->nr_periods));
	if (worst < WARN_RATIO) {
		check_finding(r, CHECK_PASS, "throttled in %.1f%% of CFS periods", 100 * all);
		return;
	}
	check_finding(r, worst >= FAIL_RATIO ? CHECK_FAIL : CHECK_WARN,
		      "throttled in %.0f%% of CFS periods%s (quota %.2f CPUs): latency spikes of "
		      "up to a period (100 ms) at a time",
		      100 * worst, now > all ? " right now" : "", b->quota_cpus);
	check_fix(r, "match GOMAXPROCS to the quota (see cpu.quota) or raise the CPU limit");
}

static void run(const struct doctor_check *self, const struct doctor_target *t,
		struct check_result *r)
{
	struct cpu_budget a = {0}, b = {0};
	struct timespec ts = {.tv_sec = 0, .tv_nsec = SAMPLE_MS * 1000000L};

	if (!t->cpu_dir[0] || cpu_budget__read_cgroup(t->cpu_dir, t->cl.cpu_version, &a) ||
	    !a.have_stat) {
		check_skip(r, "no cpu.stat for the container's cgroup");
		return;
	}
	check_evidence(r, "%s/cpu.stat", t->cpu_dir);
	if (!a.has_quota && !a.nr_periods && t->container_gone) {
		check_skip(r,
			   "the container's cgroup left with its last instance; the pod's has no "
			   "quota");
		return;
	}
	if (!a.has_quota && !a.nr_periods) {
		add_fact(t, &a, &a, r);
		check_finding(r, CHECK_PASS, "no CPU quota: never throttled");
		return;
	}
	nanosleep(&ts, NULL);
	if (cpu_budget__read_cgroup(t->cpu_dir, t->cl.cpu_version, &b) || !b.have_stat ||
	    b.nr_periods < a.nr_periods || b.nr_throttled < a.nr_throttled)
		b = a; /* gone or reset meanwhile: the totals alone */
	add_fact(t, &a, &b, r);
	judge(&a, &b, r);
}

const struct doctor_check check_throttle = {
	.id = "cpu.throttling",
	.description = "CFS throttling of the container (cpu.stat), in total and right now",
	.timeout_ms = 2000,
	.needs = NEED_CGROUP,
	.run = run,
};
