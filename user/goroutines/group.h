/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_GOROUTINES_GROUP_H
#define GOTRACE_GOROUTINES_GROUP_H

#include <stddef.h>
#include <stdint.h>

#include "goroutines/goroutines.h"

/*
 * Goroutines grouped by what they are doing: the same state (wait reason
 * or status), the same stack and the same creator, like pprof's goroutine
 * profile with debug=1. Groups survive across snapshots (sampling mode
 * adds every snapshot into one table); states point into the go_proc.
 */

struct go_group {
	const char *state;
	uint32_t status;
	enum go_stack_state stack;
	uint64_t gopc;	      /* creator, 0 unknown */
	uint64_t parent_goid; /* of the first goroutine added */
	struct go_pc *pcs;
	uint32_t npcs;
	uint64_t count;	     /* goroutines added (over all snapshots) */
	int64_t max_wait_ns; /* -1 when no member's wait is known */
	uint64_t *goids;     /* the first GO_GROUP_MAX_IDS ids (one snapshot's view) */
	size_t ngoids;
	struct go_goroutine rep; /* a member, for rendering (pcs = this group's pcs) */
};

#define GO_GROUP_MAX_IDS 64

struct go_groups;

int go_groups__new(struct go_groups **out);
void go_groups__free(struct go_groups *t);
/* Counts g into its group (a new one when none matches). */
int go_groups__add(struct go_groups *t, const struct go_goroutine *g);
/* Every group, most goroutines first (ties: state, then lowest goid); valid until the next add. */
size_t go_groups__sorted(struct go_groups *t, struct go_group ***out);

#endif
