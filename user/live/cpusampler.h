/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_LIVE_CPUSAMPLER_H
#define GOTRACE_LIVE_CPUSAMPLER_H

#include <stdbool.h>
#include <stdint.h>

struct fact_sink;

/*
 * CFS throttling of the containers in scope, sampled (`watch`): there is
 * no event to trace when the kernel stops a cgroup for the rest of a CFS
 * period, only the counters in cpu.stat. Every interval the sampler reads
 * cpu.stat of each cgroup in scope that has a CPU quota and, when the
 * cgroup was throttled in a noticeable share of the periods since the last
 * reading, hands the sink what doctor's cpu checks write: a cpu_budget fact
 * (the quota against the GOMAXPROCS of a Go process in it, the value in
 * effect when the runtime's memory can be read) and a cpu_throttling fact
 * (the interval's periods, throttled periods and stall time). The shared
 * rule doctor.cpu_quota ranks them.
 *
 * Cost: one pass over /proc/<pid>/cgroup per interval (the cgroups in
 * scope are found through their processes), one cpu.stat read per cgroup
 * with a quota, and a Go process is examined once per throttled episode.
 */
struct cpu_sampler_opts {
	/* Is this cgroup path (as in /proc/PID/cgroup) in scope? NULL: all. */
	bool (*in_scope)(void *ctx, const char *path);
	void *scope_ctx;
	const char *host_root; /* for the pod's names (proc/identity.h) */
	struct fact_sink *sink;
	uint64_t interval_ns; /* 0: 5 s */
};

struct cpu_sampler;

int cpu_sampler__new(const struct cpu_sampler_opts *o, struct cpu_sampler **out);
/* Samples when the interval is due (now: mono_ns). */
void cpu_sampler__tick(struct cpu_sampler *s, uint64_t now);
void cpu_sampler__free(struct cpu_sampler *s);

#endif
