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
 * estimated slowdown is hits/s * cost / target CPU. When that exceeds the
 * budget, the probes are duty-cycled: attached for a fraction f of each
 * period, f = budget / estimate. Attaching and detaching costs CPU, so the
 * period is long (10 s). Everything it did is reported (sampled fraction,
 * estimate), so sampled numbers are never mistaken for exact ones.
 */
struct governor {
	double budget_pct;	/* 0: exact mode, never detach */
	double trap_ns;		/* per hit: the trap alone (calibrated) */
	double cost_ns;		/* per hit: trap + the BPF programs' measured run time */
	bool cost_measured;
	uint64_t period_ns;
	double on_fraction;	/* of the current period */
	double est_pct;		/* estimated slowdown with the probes always on */
	uint64_t phase_start_ns;
	uint64_t on_ns, off_ns; /* time attached / detached so far */
	uint64_t sample_start_ns, sample_hits, sample_cpu_ns; /* current measurement */
	unsigned cycles;	/* detach/attach cycles done */
};

void governor__init(struct governor *g, double budget_pct);
/* Called from the poll loop: measures, and attaches or detaches at phase changes. */
int governor__tick(struct governor *g, struct block_session *s);
/* Fraction of the run the probes were attached. */
double governor__sampled(const struct governor *g);

#endif
