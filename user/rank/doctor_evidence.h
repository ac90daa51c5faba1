/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_RANK_DOCTOR_EVIDENCE_H
#define GOTRACE_RANK_DOCTOR_EVIDENCE_H

#include <stdbool.h>
#include <stdint.h>

#include "rank/candidate.h"
#include "rank/fact.h"

/*
 * What the rules about doctor's facts (rank/rule_doctor_*.c; the facts are
 * written by user/doctor/check_*.c) read in the same way: the Go memory
 * knobs in effect, the OOM kills on record, the restart history.
 */

struct doctor_go_mem {
	bool known;	     /* a go_env or go_runtime fact about the subject exists */
	int64_t memlimit;    /* INT64_MAX: none */
	int gc_percent;	     /* -1: off */
	const char *from;    /* "in effect" (read from memory) or "environment" */
	const char *version; /* NULL when unknown */
};

/* The knobs in effect (go_runtime) when read, else the environment's (go_env). */
bool doctor_go_mem(const struct fact_store *fs, const char *subject, struct doctor_go_mem *m);
/* The most OOM kills any oom_events fact of the subject records; *scope "container"/"pod". */
int64_t doctor_oom_kills(const struct fact_store *fs, const char *subject, const char **scope);
/* True when the restart history says the container crash-loops (restarts, or none runs). */
bool doctor_crash_looping(const struct fact_store *fs, const char *subject, int64_t *restarts);
/*
 * A log error repeats (a retry loop, one line per restart): rules use only
 * the newest log_error fact of each class per subject, so one failure is
 * one candidate. *count is how many lines of that class there were.
 */
bool doctor_log_newest(const struct fact_store *fs, const struct fact *f, int *count);
/* A candidate for f's subject with its display, merge key ("" none), severity and time. */
struct candidate *doctor_candidate(struct cand_list *out, const char *rule, const struct fact *f,
				   const char *merge_key, enum severity sev);

#endif
