// SPDX-License-Identifier: GPL-2.0
/*
 * The cpu_budget and cpu_throttling facts, one shape for everyone who
 * writes them (doctor's cpu.quota and cpu.throttling checks, watch's
 * throttle sampler) and the one rule that reads them (rank/rule_doctor_cpu.c).
 */
#include "proc/cpuquota.h"
#include "rank/fact.h"

int cpu_budget__to_fact(const struct cpu_budget *b, struct fact *f)
{
	int err = fact_set_bool(f, "has_quota", b->has_quota);

	if (!err && b->has_quota)
		err = fact_set_float(f, "quota_cpus", b->quota_cpus);
	if (!err && b->cpus_allowed)
		err = fact_set_int(f, "cpus_allowed", b->cpus_allowed);
	if (!err && b->gomaxprocs) {
		err = fact_set_int(f, "gomaxprocs", b->gomaxprocs);
		if (!err)
			err = fact_set_str(f, "gomaxprocs_source", b->gomaxprocs_source);
	}
	if (!err)
		err = fact_set_int(f, "nr_periods", (int64_t)b->nr_periods);
	if (!err)
		err = fact_set_int(f, "nr_throttled", (int64_t)b->nr_throttled);
	if (!err)
		err = fact_set_int(f, "throttled_ns", (int64_t)b->throttled_ns);
	return err;
}

int cpu_throttling__to_fact(const struct cpu_budget *a, const struct cpu_budget *b,
			    uint64_t sample_ns, struct fact *f)
{
	double all = b->nr_periods ? (double)b->nr_throttled / (double)b->nr_periods : 0;
	int err = fact_set_bool(f, "has_quota", b->has_quota);

	if (!err && b->has_quota)
		err = fact_set_float(f, "quota_cpus", b->quota_cpus);
	if (!err)
		err = fact_set_int(f, "nr_periods", (int64_t)b->nr_periods);
	if (!err)
		err = fact_set_int(f, "nr_throttled", (int64_t)b->nr_throttled);
	if (!err)
		err = fact_set_int(f, "throttled_ns", (int64_t)b->throttled_ns);
	if (!err)
		err = fact_set_float(f, "throttled_ratio", all);
	if (!err)
		err = fact_set_int(f, "sample_ns", (int64_t)sample_ns);
	if (!err)
		err = fact_set_int(f, "sample_periods", (int64_t)(b->nr_periods - a->nr_periods));
	if (!err)
		err = fact_set_int(f, "sample_throttled",
				   (int64_t)(b->nr_throttled - a->nr_throttled));
	if (!err)
		err = fact_set_int(f, "sample_throttled_ns",
				   (int64_t)(b->throttled_ns - a->throttled_ns));
	return err;
}
