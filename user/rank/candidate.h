/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_RANK_CANDIDATE_H
#define GOTRACE_RANK_CANDIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A root-cause candidate: what a rule concluded from facts, with the
 * evidence that supports it and the fix. Every command prints candidates
 * in this one form (rank/render.c).
 *
 * The score (0-100) is the sum of the points of its basis lines, each
 * naming the fact and why it counts (`-v` prints them), so an ordering is
 * always explainable. Candidates with the same subject and a non-empty
 * merge_key explain the same event (e.g. "death:<pid>": an OOM kill and the
 * exit 137 that followed) and merge into one.
 */

enum severity { SEV_INFO, SEV_WARNING, SEV_CRITICAL };

#define CAND_MAX_LINES 16

struct candidate {
	char rule[48];	     /* the rule that produced it */
	char subject[256];   /* fact subject key */
	char display[256];   /* human name of the subject (pod/container/process) */
	char merge_key[128]; /* "" never merges */
	int score;	     /* 0..100, from the basis */
	enum severity severity;
	char cause[400]; /* one line */
	char fix[400];
	char *evidence[CAND_MAX_LINES];
	size_t nevidence;
	char *basis[CAND_MAX_LINES]; /* "+40 oom_kill at 12:00:01: memcg OOM" */
	size_t nbasis;
	char merged_rules[160]; /* rules whose candidates merged into this one */
	uint64_t first_seen_ns; /* realtime ns of the first supporting fact */
	uint64_t last_seen_ns;
	uint32_t count; /* how many times it happened */
};

struct cand_list {
	struct candidate *v;
	size_t n;
	size_t cap;
};

/* Appends a zeroed candidate; NULL on ENOMEM. */
struct candidate *cand_list__add(struct cand_list *l, const char *rule, const char *subject);
void cand_list__clear(struct cand_list *l);
/* Frees one candidate's evidence and basis lines (it stays in its list). */
void cand_free_lines(struct candidate *c);
/* Merges candidates that explain the same event, then sorts by score (desc), newest first. */
void cand_list__finish(struct cand_list *l);

void cand_cause(struct candidate *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cand_fix(struct candidate *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cand_evidence(struct candidate *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Adds points (may be negative) to the score with the reason; the score stays in 0..100. */
void cand_basis(struct candidate *c, int points, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Widens the seen window and counts one more occurrence. */
void cand_seen(struct candidate *c, uint64_t time_ns);

const char *severity_name(enum severity s);

#endif
