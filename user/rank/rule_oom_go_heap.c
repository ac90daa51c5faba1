// SPDX-License-Identifier: GPL-2.0
/*
 * A Go program killed at its memory cgroup limit, with its heap state read
 * from the runtime at the death (`gotrace oom`, go_heap_* attributes). The
 * runtime's own numbers say which knob could have saved it:
 *
 *   live    the heap still reachable at the end of the last GC (heapMarked)
 *           was most of the limit: the program needs that memory or holds
 *           on to it; no GC setting frees reachable memory.
 *   other   the Go runtime held well under what the cgroup was charged:
 *           the memory that did not fit was not this Go heap (another
 *           process of the container, C memory, page cache).
 *   pacing  the next GC was due above the limit (GOGC's goal with no memory
 *           limit in effect, or no GC at all): the garbage allocated since
 *           the last GC filled the cgroup before the GC ran. A GOMEMLIMIT
 *           below the limit makes it run in time.
 *   jump    the GC was due below the limit and still the heap in use passed
 *           it: one allocation grew the heap faster than a GC could run.
 *
 * The knobs are the ones in effect, which code may have set
 * (debug.SetGCPercent, debug.SetMemoryLimit); such a knob is named.
 */
#include <string.h>

#include "out/units.h"
#include "rank/oom_evidence.h"
#include "rank/rules.h"

#define LIVE_PERCENT 75	 /* live heap at least this share of the limit: it needs the memory */
#define DUE_PERCENT 90	 /* GC due at or above this share of the limit: too late */
#define OTHER_PERCENT 75 /* the runtime held under this share of the usage: not Go's heap */
#define MIB (1024ULL * 1024)

struct heap {
	uint64_t limit, usage, live, marked, mapped;
	int64_t goal; /* -1: none (the GC never runs) */
	int64_t cycles;
	bool goal_known;
	char gogc[160], memlimit[160];
};

static void read_heap(const struct fact *f, uint64_t limit, struct heap *h)
{
	const char *by = fact_str(f, "go_heap_goal_by");

	h->limit = limit;
	h->usage = (uint64_t)fact_int(f, "usage_bytes", (int64_t)limit);
	h->live = (uint64_t)fact_int(f, "go_heap_live_bytes", 0);
	h->marked = (uint64_t)fact_int(f, "go_heap_marked_bytes", 0);
	h->mapped = (uint64_t)fact_int(f, "go_runtime_mapped_bytes", 0);
	h->goal = fact_int(f, "go_heap_goal_bytes", -1);
	h->cycles = fact_int(f, "go_gc_cycles", 0);
	h->goal_known = h->goal >= 0 || (by && !strcmp(by, "none"));
	oom_go_gogc_words(f, h->gogc, sizeof(h->gogc));
	oom_go_memlimit_words(f, h->memlimit, sizeof(h->memlimit));
}

static void live(struct candidate *c, const struct fact *f, const struct heap *h)
{
	char a[32], b[32];

	cand_cause(c,
		   "the live Go heap was %s after the last GC, %llu%% of the %s limit: the "
		   "program needs that memory or holds on to it, and no GC setting frees it",
		   fmt_bytes(h->marked, a, sizeof(a)),
		   (unsigned long long)(h->marked * 100 / h->limit),
		   fmt_bytes(h->limit, b, sizeof(b)));
	cand_basis(c, 40, "go_heap_marked_bytes %llu >= %d%% of limit_bytes: reachable memory",
		   (unsigned long long)h->marked, LIVE_PERCENT);
	if (oom_go_memlimit(f) >= 0)
		cand_evidence(c, "%s made the GC run hard, and it could not free more",
			      h->memlimit);
	cand_fix(c,
		 "raise the memory limit well above the %s live heap (plus the runtime's "
		 "non-heap memory), or find what stays reachable (a heap profile: go tool "
		 "pprof -sample_index=inuse_space); GOMEMLIMIT will not save it",
		 fmt_bytes(h->marked, a, sizeof(a)));
}

/* The knob to change: GOGC off is undone or paired; a limit too high is lowered; else set. */
static void pacing_fix(struct candidate *c, const struct fact *f, const struct heap *h)
{
	unsigned long long want = oom_suggest_memlimit(h->limit) / MIB;
	const char *gogc = fact_str(f, "gogc");
	char a[32], b[32], fits[96] = "", knob[64];

	if (h->cycles)
		snprintf(fits, sizeof(fits), ": the %s live at the last GC fits under it",
			 fmt_bytes(h->marked, b, sizeof(b)));
	fmt_bytes(h->limit, a, sizeof(a));
	if (oom_go_gc_percent(f) < 0) {
		if (fact_bool(f, "go_gc_percent_set_in_code", false))
			snprintf(knob, sizeof(knob), "debug.SetGCPercent(-1)");
		else
			snprintf(knob, sizeof(knob), "GOGC=%s", gogc ? gogc : "off");
		cand_fix(c,
			 "remove %s, or pair it with GOMEMLIMIT=%lluMiB (~90%% of the %s limit) "
			 "so the GC runs before the limit%s",
			 knob, want, a, fits);
	} else {
		cand_fix(c,
			 "%s GOMEMLIMIT=%lluMiB (~90%% of the %s limit) so the GC runs before the "
			 "limit%s (if the live heap grows GC after GC, that is a leak to find)",
			 oom_go_memlimit(f) >= 0 ? "lower the Go memory limit to" : "set", want, a,
			 fits);
	}
}

static void pacing(struct candidate *c, const struct fact *f, const struct heap *h)
{
	char a[32], b[32], d[32], e[32];

	if (h->goal < 0 && !h->cycles)
		cand_cause(c,
			   "the Go GC never ran (%s, no memory limit): %s of garbage and live "
			   "data was in use at the death",
			   h->gogc, fmt_bytes(h->live, a, sizeof(a)));
	else if (h->goal < 0)
		cand_cause(c,
			   "the Go GC stopped running (%s, no memory limit): %s was in use at "
			   "the death, %s of it live at the last GC",
			   h->gogc, fmt_bytes(h->live, a, sizeof(a)),
			   fmt_bytes(h->marked, b, sizeof(b)));
	else
		cand_cause(c,
			   "the next Go GC was due at %s (%s, %s), above the %s limit: the "
			   "garbage since the last GC filled the cgroup before the GC ran (%s "
			   "in use, %s live after the last GC)",
			   fmt_bytes((uint64_t)h->goal, a, sizeof(a)), h->gogc, h->memlimit,
			   fmt_bytes(h->limit, b, sizeof(b)), fmt_bytes(h->live, d, sizeof(d)),
			   fmt_bytes(h->marked, e, sizeof(e)));
	cand_basis(c, 40, "go_heap_goal_bytes %lld >= %d%% of limit_bytes: the GC was due too late",
		   (long long)h->goal, DUE_PERCENT);
	pacing_fix(c, f, h);
}

static void jump(struct candidate *c, const struct heap *h)
{
	char a[32], b[32], d[32], e[32];

	cand_cause(c,
		   "one allocation outgrew the %s limit: the Go heap in use was %s while the "
		   "next GC was due at %s (%s live after the last GC); no GC could run in time",
		   fmt_bytes(h->limit, a, sizeof(a)), fmt_bytes(h->live, b, sizeof(b)),
		   fmt_bytes((uint64_t)h->goal, d, sizeof(d)), fmt_bytes(h->marked, e, sizeof(e)));
	cand_basis(c, 35, "go_heap_live_bytes %llu far past go_heap_goal_bytes %lld",
		   (unsigned long long)h->live, (long long)h->goal);
	cand_fix(c,
		 "find the allocation (a large buffer, a whole file or response read into "
		 "memory) and bound or stream it, or raise the %s limit",
		 fmt_bytes(h->limit, a, sizeof(a)));
}

static void other(struct candidate *c, const struct fact *f, const struct heap *h)
{
	const char *tc = fact_str(f, "trigger_comm");
	char a[32], b[32], t[96] = "";

	if (!fact_bool(f, "trigger_is_victim", true))
		snprintf(t, sizeof(t), "; pid %lld (%s) charged what did not fit",
			 (long long)fact_int(f, "trigger_pid", 0), tc ? tc : "?");
	cand_cause(c,
		   "the Go runtime of the victim held only %s of the %s charged to the cgroup: "
		   "the memory that did not fit was not its Go heap%s",
		   fmt_bytes(h->mapped, a, sizeof(a)), fmt_bytes(h->usage, b, sizeof(b)), t);
	cand_basis(c, 30, "go_runtime_mapped_bytes %llu < %d%% of usage_bytes",
		   (unsigned long long)h->mapped, OTHER_PERCENT);
	cand_fix(c,
		 "look at the rest of the container's memory: its other processes, C/cgo "
		 "allocations, tmpfs and page cache (memory.stat); the limit must hold them all");
}

enum verdict { V_NONE, V_LIVE, V_PACING, V_JUMP, V_OTHER };

/*
 * What the numbers say, in this order: a live heap near the limit explains
 * everything; a runtime that held far less than the cgroup's usage explains
 * nothing about it; then when the GC was due.
 */
static enum verdict verdict(const struct heap *h)
{
	uint64_t jump_margin = h->limit / 8 > 4 * MIB ? h->limit / 8 : 4 * MIB;

	if (h->marked * 100 >= h->limit * LIVE_PERCENT)
		return V_LIVE;
	if (h->mapped * 100 < h->usage * OTHER_PERCENT)
		return V_OTHER;
	if (h->goal_known && (h->goal < 0 || (uint64_t)h->goal * 100 >= h->limit * DUE_PERCENT))
		return V_PACING;
	if (h->goal >= 0 && h->live >= (uint64_t)h->goal + jump_margin)
		return V_JUMP;
	return V_NONE;
}

static void eval_one(const struct fact *f, struct cand_list *out)
{
	uint64_t limit = oom_memcg_limit(f);
	struct candidate *c;
	enum verdict v;
	struct heap h;

	if (!limit || !oom_is_go_with_env(f) || !oom_go_heap_read(f))
		return;
	read_heap(f, limit, &h);
	v = verdict(&h);
	if (v == V_NONE || !(c = oom_candidate(out, "oom_go_heap", f)))
		return;
	cand_basis(c, 50, "oom_kill: memcg OOM of a Go program, its heap read at the death");
	if (v == V_LIVE)
		live(c, f, &h);
	else if (v == V_PACING)
		pacing(c, f, &h);
	else if (v == V_JUMP)
		jump(c, &h);
	else
		other(c, f, &h);
	oom_evidence(c, f);
}

static void eval(const struct fact_store *fs, struct cand_list *out)
{
	const struct fact *f;
	size_t cur = 0;

	while ((f = fact_store__next(fs, &cur, "oom_kill", NULL)))
		eval_one(f, out);
}

const struct rule rule_oom_go_heap = {
	.id = "oom_go_heap",
	.summary = "the Go heap at the death: live memory, GC pacing, one allocation, or not Go's",
	.eval = eval,
};
