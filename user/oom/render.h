/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_OOM_RENDER_H
#define GOTRACE_OOM_RENDER_H

#include <stdio.h>

#include "oom/report.h"
#include "rank/candidate.h"
#include "rank/fact.h"

/*
 * One kill as `gotrace oom` prints it: a block of text (every string from a
 * container sanitized), or one JSON object on one line with the kernel's
 * record, the enrichment, the fact and the ranked candidates.
 */
void oom_render_text(FILE *f, const struct oom_report *r, const struct cand_list *cands,
		     int verbose);
void oom_render_json(FILE *f, const struct oom_report *r, const struct fact *fact,
		     const struct cand_list *cands);

#endif
