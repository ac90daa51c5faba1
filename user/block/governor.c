// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/signals.h"
#include "block/block.h"
#include "block/governor.h"
#include "kern/uprobe_cost.h"

#define MEASURE_NS 1000000000ULL /* the first phase: measure the hit rate */
/*
 * Clearly over budget (several times over) is clear after 50 ms: a chan
 * ping-pong traced at full cost runs ~25x slower, and a whole first second
 * of that was most of what `block` cost a short run. Only phases meant to be
 * always on end early; a duty cycle's on phases keep their planned length.
 */
#define DECIDE_NS 50000000ULL
/*
 * Measured (bench/block.py, chan): with one classic uprobe per site, the
 * detach after that decision took 1.7-1.9 s on a target hitting them ~750k
 * times/s (each perf event's close waits for a grace period under the
 * kernel's event_mutex), and the target ran traced all that while. With
 * uprobe_multi links (kern/uprobe_multi.h) the whole set detaches at once.
 */
#define CLEARLY_OVER 4.0
/*
 * Sooner still when the hit rate alone says so: the target cannot use more
 * CPU than the machine has, so hits x cost / (CPUs x elapsed) is a floor on
 * the overhead that needs no CPU accounting (/proc's is in 10 ms ticks, too
 * coarse for a 10 ms sample). A channel ping-pong clears it after 10 ms.
 */
#define FAST_DECIDE_NS 10000000ULL
#define ESTIMATE_NS 200000000ULL /* the estimate kept current for the report */
#define MIN_ON_NS 100000000ULL	 /* shorter on phases would see too few parks */
#define MAX_ON_NS 10000000000ULL /* re-estimate at least this often */
#define BUDGET_AIM 0.75		 /* of the budget: what a plan aims at (plan()) */
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
	if (!p ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
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
	g->fraction = 1.0;
	g->on_plan_ns = MEASURE_NS;
	uprobe_cost__get(&cost);
	g->trap_ns = g->cost_ns = cost.emulated_ns;
	g->cost_measured = cost.measured;
}

/*
 * A hit costs the trap (calibrated) plus the BPF program's own run time,
 * which the kernel measures per program (the park's stack walk dominates).
 * Measuring it costs every hit two clock reads, node-wide: once the mean
 * stands on COST_RUNS runs the statistics go off and the mean is kept.
 * perf on the HTTP benchmark in exact mode: uprobe_prog_run fell from 4.9%
 * to 3.4% of all CPU samples (kvm-clock reads gone); wrk's rate did not move
 * beyond its noise (that server idles a quarter of the time: trap latency,
 * not CPU, bounds it).
 */
#define COST_RUNS 20000

static void update_cost(struct governor *g, struct block_session *s)
{
	uint64_t ns, runs;

	if (block_tracer__prog_time(s->tracer, &ns, &runs) || !runs)
		return;
	g->cost_ns = g->trap_ns + (double)ns / (double)runs;
	if (runs >= COST_RUNS)
		block_tracer__stop_run_stats(s->tracer);
}

static void estimate(struct governor *g, struct block_session *s, uint64_t now)
{
	double secs = (now - g->sample_start_ns) / 1e9, hits, cpu;

	if (secs <= 0)
		return;
	hits = (double)(probe_hits(s) - g->sample_hits) / secs;
	update_cost(g, s);
	/* The traps are charged to the target: its CPU without them is the base. */
	cpu = (double)(target_cpu_ns(s->target.pid) - g->sample_cpu_ns) / secs - hits * g->cost_ns;
	if (cpu < MIN_TARGET_CPU_NS_PER_S)
		cpu = MIN_TARGET_CPU_NS_PER_S;
	g->est_pct = 100.0 * hits * g->cost_ns / cpu;
}

static double online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (double)n : 1.0;
}

/* The overhead if the target had used every CPU: a floor on the estimate. */
static double overhead_floor(const struct governor *g, struct block_session *s, uint64_t now)
{
	double secs = (now - g->sample_start_ns) / 1e9;

	if (secs <= 0)
		return 0;
	return 100.0 * (double)(probe_hits(s) - g->sample_hits) * g->cost_ns /
	       (online_cpus() * 1e9 * secs);
}

static void start_sample(struct governor *g, struct block_session *s, uint64_t now)
{
	g->sample_start_ns = now;
	g->sample_hits = probe_hits(s);
	g->sample_cpu_ns = target_cpu_ns(s->target.pid);
}

/* On phases of on_ns, the off phases stretched to keep the fraction (< 1). */
static void set_phases(struct governor *g, uint64_t on_ns)
{
	g->on_plan_ns = on_ns;
	g->off_plan_ns = (uint64_t)((double)on_ns * (1.0 - g->fraction) / g->fraction);
}

/*
 * The next plan from the estimate: always on, or on/off phases whose
 * overhead is the aim, below the budget. The budget is a maximum, and the
 * estimate behind a plan wanders: successive phases of one steady wrk load
 * estimated 47%, 47% and 63% (CPU in /proc's 10 ms ticks, hits over a few
 * hundred ms). A plan aimed at the budget itself would exceed it about
 * half the time; aimed at 3/4 of it, an estimate 33% low still keeps it.
 */
double governor__aim_pct(const struct governor *g)
{
	return BUDGET_AIM * g->budget_pct;
}

static void plan(struct governor *g)
{
	double aim = governor__aim_pct(g), f = g->est_pct > aim ? aim / g->est_pct : 1.0;

	g->fraction = f;
	/* Within budget: stay on, and look again in a second (the load may change). */
	g->on_plan_ns = MEASURE_NS;
	g->off_plan_ns = 0;
	if (f >= 1.0)
		return;
	set_phases(g, f * MAX_ON_NS < MIN_ON_NS ? MIN_ON_NS : (uint64_t)(f * MAX_ON_NS));
}

/*
 * A plan cut short by a clearly-over test rests on a few of /proc's 10 ms
 * CPU ticks. Measured under wrk (bench/block.py's http load arriving at an
 * idle target), such first estimates ranged from 9% to 59% where the steady
 * one says ~60%; at 9% the plan kept the probes on for 2.2 s of every 10,
 * at six times the budget. So the next on phase is the shortest, the off
 * phase before it keeps the fraction, and that phase's full sample makes
 * the real plan.
 */
static void remeasure_soon(struct governor *g)
{
	set_phases(g, MIN_ON_NS);
}

int governor__tick(struct governor *g, struct block_session *s)
{
	uint64_t now = mono_ns();
	int err;

	if (!g->phase_start_ns) {
		g->phase_start_ns = now;
		start_sample(g, s, now);
		return 0;
	}
	if (block_tracer__attached(s->tracer)) {
		uint64_t sampled = now - g->sample_start_ns;
		bool always_on = g->budget_pct > 0 && g->fraction >= 1.0;
		bool deciding = always_on && sampled >= DECIDE_NS, clearly_over = false;
		double floor;

		if (sampled >= ESTIMATE_NS || deciding)
			estimate(g, s, now); /* kept current for the report, exact mode too */
		if (g->budget_pct <= 0)
			return 0;
		if (deciding) {
			clearly_over = g->est_pct > CLEARLY_OVER * g->budget_pct;
		} else if (always_on && sampled >= FAST_DECIDE_NS) {
			update_cost(g, s);
			floor = overhead_floor(g, s, now);
			clearly_over = floor > CLEARLY_OVER * g->budget_pct;
			/*
			 * The CPU-based estimate is a tick or two this early: kept
			 * between the floor and the floor for a target using one CPU
			 * (the next on phase, >= MIN_ON_NS, replans from a full one).
			 */
			if (clearly_over) {
				estimate(g, s, now);
				if (g->est_pct < floor)
					g->est_pct = floor;
				if (g->est_pct > floor * online_cpus())
					g->est_pct = floor * online_cpus();
			}
		}
		if (now - g->phase_start_ns < g->on_plan_ns && !clearly_over)
			return 0;
		if (!clearly_over)
			estimate(g, s, now); /* from the whole phase, however short */
		plan(g);
		if (clearly_over && g->fraction < 1.0)
			remeasure_soon(g);
		if (g->fraction >= 1.0) {
			g->on_ns += now - g->phase_start_ns;
		} else {
			block_tracer__detach(s->tracer);
			/* Their wakes will not be seen: no stale "still parked" claims. */
			block_tracer__clear_inflight(s->tracer);
			g->on_ns += now - g->phase_start_ns;
			g->cycles++;
		}
		g->phase_start_ns = now;
		start_sample(g, s, now);
		return 0;
	}
	if (now - g->phase_start_ns < g->off_plan_ns)
		return 0;
	g->off_ns += now - g->phase_start_ns;
	block_tracer__clear_inflight(s->tracer); /* their ends were not seen */
	err = block_tracer__attach(s->tracer, s->target.probes, s->target.nprobes);
	if (err)
		return err;
	g->phase_start_ns = now;
	start_sample(g, s, now);
	return 0;
}

void governor__finish(struct governor *g, struct block_session *s)
{
	uint64_t now = mono_ns();

	if (!g->phase_start_ns)
		return;
	if (block_tracer__attached(s->tracer))
		g->on_ns += now - g->phase_start_ns;
	else
		g->off_ns += now - g->phase_start_ns;
	g->phase_start_ns = now;
}

double governor__sampled(const struct governor *g)
{
	uint64_t total = g->on_ns + g->off_ns;

	return total ? (double)g->on_ns / (double)total : 1.0;
}
