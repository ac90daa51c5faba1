/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_BLOCK_GOVERNOR_H
#define GOTRACE_BLOCK_GOVERNOR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct block_session;

/*
 * The overhead governor (DESIGN.md "Overhead is a feature"). A uprobe hit
 * costs the target a trap (calibrated per machine, kern/uprobe_cost.h); with
 * the hit rate measured while attached and the target's own CPU use, the
 * estimated slowdown is hits/s * cost / target CPU. The first second
 * measures it (50 ms when it is clearly several times over budget, and then
 * the next on phase is the shortest, to measure again on more than a few
 * CPU ticks); when it exceeds 3/4 of the budget (the aim), the probes are
 * duty-cycled: attached a fraction f = aim / estimate of the time, in phases of at
 * least 100 ms on (enough parks to see) and at most 10 s (so the estimate
 * follows the load), the off phase stretched to keep f. Attaching and
 * detaching costs CPU, hence the long phases. Everything it did is reported
 * (sampled fraction, estimate): sampled numbers are never taken for exact.
 */
struct governor {
	double budget_pct; /* 0: exact mode, never detach */
	double trap_ns;	   /* per hit: the trap alone (calibrated) */
	double cost_ns;	   /* per hit: trap + the BPF programs' measured run time */
	bool cost_measured;
	double est_pct;			  /* estimated slowdown with the probes always on */
	double fraction;		  /* of the time the current plan keeps the probes on */
	uint64_t on_plan_ns, off_plan_ns; /* the current plan's phases */
	uint64_t phase_start_ns;
	uint64_t on_ns, off_ns; /* closed phases: time attached / detached */
	uint64_t sample_start_ns, sample_hits, sample_cpu_ns; /* current measurement */
	unsigned cycles;				      /* detach/attach cycles done */
};

void governor__init(struct governor *g, double budget_pct);
/* Called from the poll loop: measures, and attaches or detaches at phase changes. */
int governor__tick(struct governor *g, struct block_session *s);
/* Closes the current phase (at the end of the run). */
void governor__finish(struct governor *g, struct block_session *s);
/* The overhead a duty cycle aims at: 3/4 of the budget (the estimate wanders). */
double governor__aim_pct(const struct governor *g);
/* Fraction of the run the probes were attached. */
double governor__sampled(const struct governor *g);

#endif
