/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_PROC_CPUQUOTA_H
#define GOTRACE_PROC_CPUQUOTA_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * A process's CPU budget: its cgroup's CFS quota (v1 cpu.cfs_quota_us /
 * cpu.cfs_period_us, v2 cpu.max) as a number of CPUs, the throttling
 * counters (cpu.stat), the CPUs it may run on, and the GOMAXPROCS it runs
 * with (its environment, else the runtime's default: the CPUs it may run
 * on, and since go1.25 also the quota, rounded up).
 */
struct cpu_budget {
	bool has_quota;
	double quota_cpus;	 /* quota / period */
	char quota_file[600];	 /* where it was read */
	uint64_t nr_periods, nr_throttled, throttled_ns;
	int cpus_allowed;	 /* from Cpus_allowed_list */
	int gomaxprocs;		 /* what the Go runtime uses (see gomaxprocs_source) */
	const char *gomaxprocs_source; /* "GOMAXPROCS env", "CPUs allowed", "quota (go1.25+)" */
};

/* go_minor: the target's Go minor version (0 when unknown). */
int cpu_budget__read(pid_t pid, int go_minor, struct cpu_budget *b);

#endif
