// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/signals.h"
#include "block/block.h"
#include "block/governor.h"
#include "kern/uprobe_cost.h"

#define PERIOD_NS (10ULL * 1000000000ULL)
#define MIN_FRACTION 0.05
/* A nearly idle target would make any overhead look huge: count at least 10 ms/s of its CPU. */
#define MIN_TARGET_CPU_NS_PER_S 10000000.0

/* utime + stime of the whole process, in ns. */
static uint64_t target_cpu_ns(pid_t pid)
{
	unsigned long long ut = 0, st = 0;
	char path[64], buf[1024], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* comm may contain spaces and parentheses */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut,
			 &st) != 2)
		return 0;
	return (ut + st) * (1000000000ULL / (unsigned long long)sysconf(_SC_CLK_TCK));
}

static uint64_t probe_hits(struct block_session *s)
{
	uint64_t c[BC_NR];

	if (block_tracer__counters(s->tracer, c))
		return 0;
	return c[BC_PARKS] + c[BC_CASG_HITS];
}

void governor__init(struct governor *g, double budget_pct)
{
	struct uprobe_cost cost;

	memset(g, 0, sizeof(*g));
	g->budget_pct = budget_pct;
	g->period_ns = PERIOD_NS;
	g->on_fraction = 1.0;
	uprobe_cost__get(&cost);
	g->trap_ns = g->cost_ns = cost.emulated_ns;
	g->cost_measured = cost.measured;
}

/*
 * A hit costs the trap (calibrated) plus the BPF program's own run time,
 * which the kernel measures per program (gopark's stack walk dominates).
 */
static void update_cost(struct governor *g, struct block_session *s)
{
	uint64_t ns, runs;

	if (!block_tracer__prog_time(s->tracer, &ns, &runs) && runs > 0)
		g->cost_ns = g->trap_ns + (double)ns / (double)runs;
}

/* Estimate from the attached part of the phase; sets the next phase's fraction. */
static void estimate(struct governor *g, struct block_session *s, uint64_t now)
{
	double secs = (now - g->sample_start_ns) / 1e9, hits, cpu;

	if (secs <= 0)
		return;
	hits = (double)(probe_hits(s) - g->sample_hits) / secs;
	update_cost(g, s);
	/* The traps are charged to the target: its CPU without them is the base. */
	cpu = (double)(target_cpu_ns(s->target.pid) - g->sample_cpu_ns) / secs -
	      hits * g->cost_ns;
	if (cpu < MIN_TARGET_CPU_NS_PER_S)
		cpu = MIN_TARGET_CPU_NS_PER_S;
	g->est_pct = 100.0 * hits * g->cost_ns / cpu;
	if (g->budget_pct <= 0)
		return;
	g->on_fraction = g->est_pct > g->budget_pct ? g->budget_pct / g->est_pct : 1.0;
	if (g->on_fraction < MIN_FRACTION)
		g->on_fraction = MIN_FRACTION;
}

static void start_sample(struct governor *g, struct block_session *s, uint64_t now)
{
	g->sample_start_ns = now;
	g->sample_hits = probe_hits(s);
	g->sample_cpu_ns = target_cpu_ns(s->target.pid);
}

int governor__tick(struct governor *g, struct block_session *s)
{
	uint64_t now = mono_ns(), in_phase;
	bool attached = block_tracer__attached(s->tracer);
	int err;

	if (!g->phase_start_ns) {
		g->phase_start_ns = now;
		start_sample(g, s, now);
		return 0;
	}
	in_phase = now - g->phase_start_ns;
	/* Keep the estimate current for the report, even in exact mode. */
	if (attached && now - g->sample_start_ns >= 1000000000ULL)
		estimate(g, s, now);
	if (g->budget_pct <= 0)
		return 0;
	if (attached && in_phase >= (uint64_t)(g->on_fraction * g->period_ns)) {
		estimate(g, s, now);
		if (g->on_fraction < 1.0) {
			block_tracer__detach(s->tracer);
			g->on_ns += in_phase;
			g->cycles++;
		}
	} else if (!attached && in_phase >= g->period_ns) {
		g->off_ns += in_phase - (uint64_t)(g->on_fraction * g->period_ns);
		block_tracer__clear_inflight(s->tracer);
		err = block_tracer__attach(s->tracer, s->target.probes, s->target.nprobes);
		if (err)
			return err;
		g->phase_start_ns = now;
		start_sample(g, s, now);
	} else if (attached && in_phase >= g->period_ns) {
		g->on_ns += in_phase;
		g->phase_start_ns = now;
		start_sample(g, s, now);
	}
	return 0;
}

double governor__sampled(const struct governor *g)
{
	uint64_t total = g->on_ns + g->off_ns;

	return total ? (double)g->on_ns / (double)total : 1.0;
}
