/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_RANK_RULES_H
#define GOTRACE_RANK_RULES_H

#include "rank/candidate.h"
#include "rank/fact.h"

/*
 * The one rule engine every command shares. A rule reads facts and adds
 * candidates; it is a pure function of the fact store, so the same facts
 * always give the same verdict (recorded facts replay into unit tests), and
 * `watch` can re-evaluate after every new fact. Rules live one per file in
 * rank/rule_<name>.c and are listed in rank/rules.c.
 */

struct rule {
	const char *id;
	const char *summary;
	void (*eval)(const struct fact_store *fs, struct cand_list *out);
};

size_t rules__count(void);
const struct rule *rules__get(size_t i);
const struct rule *rules__find(const char *id);

/*
 * Runs every rule whose id starts with one of the prefixes (NULL: all),
 * merges candidates that explain the same event, sorts them. out is cleared first.
 */
void rank__evaluate(const struct fact_store *fs, const char *const *prefixes,
		    struct cand_list *out);

/* Candidate subject display from a fact's identity attributes (pod, container, pid). */
void rank__display(const struct fact *f, char *buf, size_t len);

#endif
