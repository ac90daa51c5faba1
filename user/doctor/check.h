/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_DOCTOR_CHECK_H
#define GOTRACE_DOCTOR_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rank/fact.h"

struct doctor_target;

/*
 * One step of the crash-loop checklist (DESIGN.md "The problem it
 * replaces"), made atomic and verifiable: a check reads what it needs
 * itself (no state shared with other checks, so they run in parallel and
 * one that hangs holds up nobody), and reports
 *
 *   status    PASS, SKIP (with the reason), WARN or FAIL
 *   summary   one line: what it found
 *   evidence  what it read, where ("memory.limit_in_bytes = 67108864 (<path>)")
 *   fix       what to do, when it is not PASS
 *   facts     what it observed, for the rules (rank/rules.h), which rank
 *             causes across checks
 *
 * Checks are user/doctor/check_<name>.c, listed once in doctor/registry.c.
 * Strings in a result may come from the container (env, paths, log lines):
 * they are stored raw and escaped by every renderer.
 */

/* In increasing severity: the worst status of a run is the maximum. */
enum check_status {
	CHECK_PASS,
	CHECK_SKIP,
	CHECK_WARN,
	CHECK_FAIL,
};

#define CHECK_MAX_EVIDENCE 24

struct check_result {
	enum check_status status;
	char summary[400];
	char fix[400];
	char *evidence[CHECK_MAX_EVIDENCE];
	size_t nevidence;
	bool evidence_cut; /* more lines were offered than kept */
	struct fact_store facts;
	bool timed_out;
	uint64_t elapsed_ns;
};

/* What a check needs from the target; the runner skips it (with the reason) when absent. */
enum check_need {
	NEED_PID = 1u << 0,    /* a running process */
	NEED_CGROUP = 1u << 1, /* the container's cgroup directories */
	NEED_ROOT = 1u << 2,   /* the container's root (a process's, or --rootfs) */
};

struct doctor_check {
	const char *id;		 /* "memory.limit": lowercase, dot-separated */
	const char *description; /* one line: what it verifies */
	uint32_t timeout_ms;
	unsigned needs; /* enum check_need bits */
	void (*run)(const struct doctor_check *self, const struct doctor_target *t,
		    struct check_result *r);
	const void *data; /* the check's own definition (user checks) */
};

/*
 * A finding: raises the status to s when it is worse than the current one
 * (the summary becomes this text); a finding as bad as the current one is
 * appended to the summary; a milder one becomes an evidence line.
 */
void check_finding(struct check_result *r, enum check_status s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* SKIP with the reason, replacing whatever was found so far. */
void check_skip(struct check_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void check_evidence(struct check_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Sets the fix; a second call appends ("; ..."). */
void check_fix(struct check_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * A new fact about the target (kind, its subject, now, its identity
 * attributes), already in r->facts; NULL when out of memory.
 */
struct fact *check_fact(struct check_result *r, const struct doctor_target *t, const char *kind);
void check_result__clear(struct check_result *r);

const char *check_status_name(enum check_status s); /* "PASS", ... */

/* The built-in checks (doctor/registry.c), in report order. */
size_t doctor_checks__count(void);
const struct doctor_check *doctor_checks__get(size_t i);
const struct doctor_check *doctor_checks__find(const char *id);

#endif
