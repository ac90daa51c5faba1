// SPDX-License-Identifier: GPL-2.0
/*
 * A memory cgroup hit its limit and the kernel killed a process in it. The
 * trajectory decides the advice: steady growth is a leak or an unbounded
 * cache to find, a sudden jump is one allocation to find, and a working set
 * that sat at the limit needs a bigger limit.
 */
#include <string.h>

#include "out/units.h"
#include "rank/oom_evidence.h"
#include "rank/rules.h"

static void fix_for(struct candidate *c, const struct fact *f, uint64_t limit)
{
	const char *kind = fact_str(f, "traj_kind");
	char a[32], b[32];

	if (kind && !strcmp(kind, "jump"))
		cand_fix(c,
			 "find the code path that allocated %s at once (a request, a file "
			 "read into memory) and bound it; or raise the %s limit",
			 fmt_bytes((uint64_t)fact_int(f, "traj_jump_bytes", 0), a, sizeof(a)),
			 fmt_bytes(limit, b, sizeof(b)));
	else if (kind && !strcmp(kind, "at_limit"))
		cand_fix(c, "the working set needs more than %s: raise the memory limit",
			 fmt_bytes(limit, a, sizeof(a)));
	else
		cand_fix(c,
			 "find what grows (a heap profile before the limit); raise the %s "
			 "limit only if the working set is legitimately larger",
			 fmt_bytes(limit, a, sizeof(a)));
}

/*
 * GOMEMLIMIT well below the limit and still killed: the GC did what it
 * could and the live heap outgrew it anyway, so this is live memory (a
 * leak or an undersized limit), not GC pacing.
 */
static void memlimit_outgrown(struct candidate *c, const struct fact *f, uint64_t limit)
{
	int64_t gml = oom_go_memlimit(f);
	char a[32];

	if (!oom_is_go_with_env(f) || gml < 0 || (uint64_t)gml >= limit / 100 * 95)
		return;
	cand_evidence(c,
		      "GOMEMLIMIT=%s was below the limit: the live Go heap outgrew it, the "
		      "GC could not free enough",
		      fmt_bytes((uint64_t)gml, a, sizeof(a)));
	cand_basis(c, 5, "gomemlimit_bytes %lld below the limit: live memory, not GC pacing",
		   (long long)gml);
}

static void eval_one(const struct fact *f, struct cand_list *out)
{
	uint64_t limit = oom_memcg_limit(f);
	const char *comm = fact_str(f, "victim_comm"), *traj = fact_str(f, "traj_summary");
	struct candidate *c;
	char lim[32];

	if (!limit || !(c = oom_candidate(out, "oom_memcg", f)))
		return;
	cand_cause(c, "memcg OOM kill of %s (pid %lld): %s", comm ? comm : "?",
		   (long long)fact_int(f, "victim_pid", 0),
		   traj ? traj : fmt_bytes(limit, lim, sizeof(lim)));
	cand_basis(c, 50, "oom_kill: the kernel killed pid %lld at the memcg limit",
		   (long long)fact_int(f, "victim_pid", 0));
	if (traj)
		cand_basis(c, 5, "traj_kind=%s: how usage reached the limit is known",
			   fact_str(f, "traj_kind"));
	oom_evidence(c, f);
	memlimit_outgrown(c, f, limit);
	fix_for(c, f, limit);
}

static void eval(const struct fact_store *fs, struct cand_list *out)
{
	const struct fact *f;
	size_t cur = 0;

	while ((f = fact_store__next(fs, &cur, "oom_kill", NULL)))
		eval_one(f, out);
}

const struct rule rule_oom_memcg = {
	.id = "oom_memcg",
	.summary = "a memory cgroup hit its limit: the kill, the trajectory, the limit",
	.eval = eval,
};
