/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_RANK_RULE_UTIL_H
#define GOTRACE_RANK_RULE_UTIL_H

#include "rank/candidate.h"
#include "rank/fact.h"

/* Small helpers every rule uses. */

/* A candidate for fact f's subject, display set from its identity attributes. */
struct candidate *rule_candidate(struct cand_list *out, const char *rule, const struct fact *f);
/* "main.handler (server.go:42)" from user_func/user_file/user_line, or "an unknown site". */
const char *rule_where(const struct fact *f, char *buf, size_t len);
/* A duration attribute formatted ("1.2s"). */
const char *rule_dur(const struct fact *f, const char *key, char *buf, size_t len);

#endif
