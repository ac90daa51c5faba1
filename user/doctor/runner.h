/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_DOCTOR_RUNNER_H
#define GOTRACE_DOCTOR_RUNNER_H

#include <stddef.h>

#include "doctor/check.h"

struct doctor_target;

/* One check's result in a run. */
struct check_outcome {
	const struct doctor_check *check;
	struct check_result result;
};

/*
 * Runs checks[0..n) on t, each in its own thread (at most max_parallel at
 * a time; 0: all at once), each bounded by its timeout_ms from the moment
 * it starts. A check that does not finish in time — a read that blocks on a
 * FIFO or on a /proc file of a process stuck in the kernel — is reported as
 * timed out (WARN) and abandoned: its thread keeps its own copy of the
 * target and frees its result if it ever finishes, so the run ends on time
 * whatever the check does. Checks whose needs the target cannot meet are
 * skipped with the reason, without a thread. out[i] is checks[i]'s.
 * Returns how many checks were abandoned (their definitions must stay
 * valid: their threads may still read them).
 */
size_t doctor_run_checks(const struct doctor_target *t, const struct doctor_check *const *checks,
			 size_t n, unsigned max_parallel, struct check_outcome *out);

/* Frees every result of a run. */
void check_outcomes__clear(struct check_outcome *out, size_t n);

/* The worst status among n outcomes (CHECK_PASS when n is 0). */
enum check_status check_outcomes__worst(const struct check_outcome *out, size_t n);

#endif
