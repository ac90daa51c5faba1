/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_DOCTOR_RENDER_H
#define GOTRACE_DOCTOR_RENDER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "doctor/runner.h"
#include "live/component.h"
#include "rank/candidate.h"
#include "rank/fact.h"

struct doctor_target;

/* Everything one doctor run found, for the three views. */
struct doctor_report {
	const struct doctor_target *t;
	const struct check_outcome *checks;
	size_t nchecks;
	size_t nuser;			/* the last nuser checks came from --checks FILE */
	const struct live_window *live; /* NULL: no live window */
	const struct cand_list *cands;
	const struct fact_store *facts;
	enum check_status worst;
	int exit_code;
	uint64_t started_ns; /* CLOCK_REALTIME */
	uint64_t elapsed_ns; /* the whole run */
	uint64_t checks_ns;  /* the checks alone */
	int verbose;
};

/*
 * The table: one row per check (status, id, what it found), with the
 * evidence and the fix under every row that is not PASS (all rows with
 * -v), then the ranked candidates and the live window. color: ANSI colors
 * for the status (a TTY). Every string from the container is sanitized.
 */
void doctor_render_text(FILE *f, const struct doctor_report *r, bool color);
/* One JSON document on one line: target, checks, live window, candidates, facts. */
void doctor_render_json(FILE *f, const struct doctor_report *r);
/* An incident report in Markdown, to paste into a ticket. */
void doctor_render_markdown(FILE *f, const struct doctor_report *r);

/* Counts per status. */
void doctor_report__counts(const struct doctor_report *r, size_t counts[4]);

#endif
