// SPDX-License-Identifier: GPL-2.0
/* The words of gcController and memstats, as the runtime reads them (mgcpacer.go). */
#include <stdint.h>
#include <string.h>

#include "goelf/goheap.h"

#define NO_TRIGGER UINT64_MAX	  /* gcController.triggered between cycles (^uint64(0)) */
#define MIN_RUNWAY (64ULL << 10)  /* heapGoalInternal's minRunway */
#define MIN_HEADROOM (1ULL << 20) /* memoryLimit(Min)HeapGoalHeadroom */
#define HEADROOM_PERCENT 3	  /* memoryLimitHeapGoalHeadroomPercent, go1.21+ */

/*
 * heapGoal()'s source was read for these versions: go1.19 leaves a fixed
 * 1 MiB of headroom below the memory limit's goal, go1.21 to go1.27 3% of
 * it (at least 1 MiB). go1.20 and go1.25 were not available to read.
 */
static bool goal_known(int minor)
{
	return minor == 19 || (minor >= 21 && minor <= 27 && minor != 25);
}

/* memoryLimitHeapGoal(): the heap the limit leaves room for, never below heapMarked. */
static uint64_t memlimit_goal(const uint64_t *w, const struct go_heap_state *s, int minor)
{
	uint64_t limit = (uint64_t)s->memory_limit, ready = s->mapped_ready, non_heap = 0;
	uint64_t overage = 0, goal, headroom;

	/* The runtime retries a torn read (free + alloc > ready); a snapshot cannot. */
	if (w[GO_HEAP_FREE] + s->heap_alloc <= ready)
		non_heap = ready - w[GO_HEAP_FREE] - s->heap_alloc;
	if (ready > limit)
		overage = ready - limit;
	if (non_heap + overage >= limit)
		return s->heap_marked;
	goal = limit - (non_heap + overage);
	headroom = MIN_HEADROOM;
	if (minor >= 21 && goal / 100 * HEADROOM_PERCENT > headroom)
		headroom = goal / 100 * HEADROOM_PERCENT;
	if (goal < headroom || goal - headroom < headroom)
		goal = headroom;
	else
		goal -= headroom;
	return goal < s->heap_marked ? s->heap_marked : goal;
}

/* heapGoalInternal(): GOGC's goal unless the limit's is lower, then its adjustments. */
static void heap_goal(const uint64_t *w, struct go_heap_state *s, int minor)
{
	uint64_t goal = s->gogc_goal, sweep = w[GO_HEAP_SWEEP_DIST_TRIGGER];
	uint64_t triggered = w[GO_HEAP_TRIGGERED];

	s->memlimit_goal = s->memory_limit == INT64_MAX ? UINT64_MAX : memlimit_goal(w, s, minor);
	if (!goal_known(minor)) {
		s->goal_by = GO_GOAL_UNKNOWN;
		return;
	}
	if (s->gc_percent < 0 && s->memory_limit == INT64_MAX) {
		s->goal_by = GO_GOAL_NONE;
		return;
	}
	s->goal_by = GO_GOAL_GOGC;
	if (s->memlimit_goal < goal) {
		goal = s->memlimit_goal;
		s->goal_by = GO_GOAL_MEMORY_LIMIT;
	} else {
		if (sweep > goal) {
			goal = sweep;
			s->goal_by = GO_GOAL_SWEEP;
		}
		if (triggered != NO_TRIGGER && goal < triggered + MIN_RUNWAY) {
			goal = triggered + MIN_RUNWAY;
			s->goal_by = GO_GOAL_RUNWAY;
		}
	}
	s->heap_goal = goal;
}

void go_heap_state__decode(const uint64_t words[GO_HEAP_NFIELDS], int minor,
			   struct go_heap_state *out)
{
	const uint64_t *w = words;

	memset(out, 0, sizeof(*out));
	out->gc_percent = (int32_t)(uint32_t)w[GO_HEAP_GC_PERCENT];
	out->memory_limit = (int64_t)w[GO_HEAP_MEMORY_LIMIT];
	out->heap_live = w[GO_HEAP_LIVE];
	out->heap_marked = w[GO_HEAP_MARKED];
	if (w[GO_HEAP_TOTAL_ALLOC] >= w[GO_HEAP_TOTAL_FREE])
		out->heap_alloc = w[GO_HEAP_TOTAL_ALLOC] - w[GO_HEAP_TOTAL_FREE];
	out->heap_sys = w[GO_HEAP_IN_USE] + w[GO_HEAP_FREE] + w[GO_HEAP_RELEASED];
	out->heap_released = w[GO_HEAP_RELEASED];
	out->mapped_ready = w[GO_HEAP_MAPPED_READY];
	out->gc_cycles = (uint32_t)w[GO_HEAP_NUMGC];
	out->last_gc_nanotime = w[GO_HEAP_LAST_GC_NANOTIME];
	out->gogc_goal = w[GO_HEAP_PERCENT_GOAL];
	heap_goal(w, out, minor);
}

const char *go_heap_goal_by__name(enum go_heap_goal_by b)
{
	switch (b) {
	case GO_GOAL_NONE:
		return "none";
	case GO_GOAL_GOGC:
		return "gogc";
	case GO_GOAL_MEMORY_LIMIT:
		return "memory_limit";
	case GO_GOAL_SWEEP:
		return "sweep_distance";
	case GO_GOAL_RUNWAY:
		return "trigger_runway";
	default:
		return "unknown";
	}
}
