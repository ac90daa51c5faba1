/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_RANK_RENDER_H
#define GOTRACE_RANK_RENDER_H

#include <stdio.h>

#include "out/json.h"
#include "rank/candidate.h"

/*
 * Candidates as every command prints them. Text: rank, score, severity,
 * subject, cause; then evidence lines, the fix, and with verbose >= 1 the
 * basis of the score. Strings are sanitized for the terminal.
 */
void rank_print_text(FILE *f, const struct cand_list *l, size_t max, int verbose);
/* One candidate as a JSON object (inside an array, or with a key). */
void rank_write_json(struct json_writer *w, const char *key, const struct candidate *c);
/* "candidates": [...] for the whole list. */
void rank_write_json_list(struct json_writer *w, const char *key, const struct cand_list *l);

#endif
