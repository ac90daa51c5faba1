/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_GOROUTINES_SAMPLE_H
#define GOTRACE_GOROUTINES_SAMPLE_H

#include <stdint.h>

#include "goroutines/goroutines.h"
#include "goroutines/group.h"
#include "goroutines/render.h"

/*
 * Snapshots at hz for duration_ns (or until SIGINT/SIGTERM), every
 * goroutine counted into t. A snapshot that fails because the target
 * changed under it is counted in st->failed; the process exiting ends
 * the run with -ESRCH.
 */
int go_sample(struct go_proc *p, double hz, uint64_t duration_ns, struct go_groups *t,
	      struct go_sample_stats *st);

#endif
