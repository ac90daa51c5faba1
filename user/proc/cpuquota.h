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
	double quota_cpus;    /* quota / period */
	char quota_file[600]; /* where it was read */
	bool have_stat;	      /* cpu.stat was read */
	uint64_t nr_periods, nr_throttled, throttled_ns;
	int cpus_allowed;	       /* from Cpus_allowed_list */
	int gomaxprocs;		       /* what the Go runtime uses (see gomaxprocs_source) */
	const char *gomaxprocs_source; /* "GOMAXPROCS env", "CPUs allowed", "quota (go1.25+)" */
};

/* go_minor: the target's Go minor version (0 when unknown). */
int cpu_budget__read(pid_t pid, int go_minor, struct cpu_budget *b);

/*
 * The pieces, for callers that read the files themselves (doctor reads a
 * container's cgroup directory, tests a fake one): the quota and cpu.stat
 * of one cpu controller directory (version 1 or 2; -ENOENT when it does
 * not exist), a CPU list's size ("0-3,6" is 5), and the GOMAXPROCS the
 * runtime picks from the GOMAXPROCS value (NULL: unset) and b's quota and
 * cpus_allowed.
 */
int cpu_budget__read_cgroup(const char *dir, int version, struct cpu_budget *b);
int cpu_list__count(const char *list);
void cpu_budget__set_gomaxprocs(struct cpu_budget *b, const char *env, int go_minor);

struct fact;

/*
 * Their facts (proc/cpufacts.c): cpu_budget from b; cpu_throttling from two
 * readings sample_ns apart, a before b (b's totals, the differences as
 * sample_*). Counters must not have gone backwards (a reset cgroup: pass
 * b as a too).
 */
int cpu_budget__to_fact(const struct cpu_budget *b, struct fact *f);
int cpu_throttling__to_fact(const struct cpu_budget *a, const struct cpu_budget *b,
			    uint64_t sample_ns, struct fact *f);

#endif
