/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_GOROUTINES_RENDER_H
#define GOTRACE_GOROUTINES_RENDER_H

#include <stdbool.h>
#include <stdio.h>

#include "goroutines/goroutines.h"
#include "goroutines/group.h"
#include "out/json.h"

/* Output of `gotrace goroutines`: text (sanitized for terminals) and JSON. */

struct go_render {
	struct go_proc *proc;
	FILE *out;
	bool json;
	bool stacks; /* one by one (like debug=2) instead of grouped (debug=1) */
	int verbose;
};

/* One snapshot: grouped, or every goroutine with --stacks. */
int go_render_snapshot(const struct go_render *r, const struct go_snapshot *s);

/* The totals of a sampling run. */
struct go_sample_stats {
	double hz;
	uint64_t duration_ns;
	uint64_t snapshots; /* taken successfully */
	uint64_t failed;    /* snapshots that failed (allgs moving) */
	uint64_t missed;    /* ticks skipped because a snapshot overran its slot */
	uint64_t goroutine_samples;
	uint64_t dropped;
	uint64_t reused;  /* stacks not read: the goroutine had not run since the snapshot before */
	uint64_t retried; /* records that changed while read, read again and kept */
	uint64_t cpu_ns;  /* gotrace's own CPU (user + system) while sampling */
	uint64_t read_syscalls;
};

int go_render_samples(const struct go_render *r, const struct go_sample_stats *st,
		      struct go_groups *groups);

#endif
