// SPDX-License-Identifier: GPL-2.0
/*
 * A crash loop gives one candidate per death (each death has its own
 * merge_key, so an OOM kill and its exit 137 merge but two deaths do not).
 * The live view is per container: the same rule with the same cause about
 * the same container is one row, counted, first and last seen, showing the
 * newest death's evidence.
 */
#include <stdlib.h>
#include <string.h>

#include "live/live.h"

static bool same_story(const struct candidate *a, const struct candidate *b)
{
	return !strcmp(a->rule, b->rule) && !strcmp(a->subject, b->subject) &&
	       !strcmp(a->cause, b->cause);
}

/* b (a later row of the same story) folds into a. */
static void fold_into(struct candidate *a, struct candidate *b)
{
	uint32_t count = (a->count ? a->count : 1) + (b->count ? b->count : 1);
	uint64_t first = a->first_seen_ns && a->first_seen_ns < b->first_seen_ns
				 ? a->first_seen_ns
				 : (b->first_seen_ns ? b->first_seen_ns : a->first_seen_ns);

	if (b->last_seen_ns > a->last_seen_ns) {
		/* The newest death's evidence and display (its restart count). */
		struct candidate keep = *a;

		*a = *b;
		*b = keep;
	}
	a->count = count;
	a->first_seen_ns = first;
	if (b->score > a->score)
		a->score = b->score;
	cand_free_lines(b);
}

void live_fold(struct cand_list *l)
{
	size_t i, j, out = 0;

	for (i = 0; i < l->n; i++) {
		bool folded = false;

		for (j = 0; j < out; j++) {
			if (same_story(&l->v[j], &l->v[i])) {
				fold_into(&l->v[j], &l->v[i]);
				folded = true;
				break;
			}
		}
		if (!folded)
			l->v[out++] = l->v[i];
	}
	l->n = out;
}
