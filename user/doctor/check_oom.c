// SPDX-License-Identifier: GPL-2.0
/*
 * memory.oom_kills: the memory cgroup's own record of OOM kills (v2
 * memory.events oom_kill, v1 memory.oom_control oom_kill) and of hitting
 * the limit (v2 "max" events, v1 failcnt). The pod's cgroup counts the
 * kills of its containers too, including instances that are gone: for a
 * crash loop that is often the whole story.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "doctor/check.h"
#include "doctor/target.h"
#include "proc/memcg.h"
#include "rank/fact.h"

static void add_fact(const struct doctor_target *t, const char *scope, const struct memcg_state *st,
		     struct check_result *r)
{
	struct fact *f = check_fact(r, t, "oom_events");

	if (!f)
		return;
	fact_set_str(f, "scope", scope);
	fact_set_int(f, "oom_kill", (int64_t)st->ev_oom_kill);
	fact_set_int(f, "oom", (int64_t)st->ev_oom);
	fact_set_int(f, "max_events", (int64_t)st->ev_max);
	fact_set_int(f, "failcnt", (int64_t)st->failcnt);
	fact_set_bool(f, "under_oom", st->under_oom);
	if (st->limit_bytes != MEMCG_NO_LIMIT)
		fact_set_int(f, "limit_bytes", (int64_t)st->limit_bytes);
}

static void show(const struct doctor_target *t, const char *scope, const char *dir,
		 const struct memcg_state *st, struct check_result *r)
{
	if (t->cl.memory_version == 1)
		check_evidence(r,
			       "%s: oom_kill %llu, under_oom %d (%s/memory.oom_control); failcnt "
			       "%llu",
			       scope, (unsigned long long)st->ev_oom_kill, st->under_oom, dir,
			       (unsigned long long)st->failcnt);
	else
		check_evidence(
			r, "%s: oom_kill %llu, oom %llu, max %llu, high %llu (%s/memory.events)",
			scope, (unsigned long long)st->ev_oom_kill, (unsigned long long)st->ev_oom,
			(unsigned long long)st->ev_max, (unsigned long long)st->ev_high, dir);
}

/* One cgroup's record; false when it could not be read. */
static bool one(const struct doctor_target *t, const char *scope, const char *dir,
		struct check_result *r)
{
	struct memcg_state st;

	if (!dir[0] || memcg_state__read(dir, t->cl.memory_version, MEMCG_READ_ALL, &st) ||
	    !st.have_events)
		return false;
	show(t, scope, dir, &st, r);
	add_fact(t, scope, &st, r);
	if (st.ev_oom_kill)
		check_finding(r, CHECK_FAIL, "%llu OOM kill%s in the %s's memory cgroup",
			      (unsigned long long)st.ev_oom_kill, st.ev_oom_kill == 1 ? "" : "s",
			      scope);
	else if (st.under_oom)
		check_finding(r, CHECK_FAIL, "the %s is under OOM right now (oom_kill_disable?)",
			      scope);
	else if (st.ev_max || st.failcnt)
		check_finding(r, CHECK_WARN,
			      "the %s hit its memory limit %llu times (reclaimed, "
			      "not killed yet)",
			      scope, (unsigned long long)(st.ev_max ? st.ev_max : st.failcnt));
	return true;
}

static void run(const struct doctor_check *self, const struct doctor_target *t,
		struct check_result *r)
{
	bool any = one(t, "container", t->mem_dir, r);

	if (t->pod_mem_dir[0] && strcmp(t->pod_mem_dir, t->mem_dir))
		any |= one(t, "pod", t->pod_mem_dir, r);
	if (!any) {
		check_skip(r, "no memory.events / memory.oom_control for the container");
		return;
	}
	if (r->status >= CHECK_WARN) {
		check_fix(r,
			  "see memory.limit: set GOMEMLIMIT below the limit, or raise the limit; "
			  "`gotrace oom` shows the next kill as it happens");
	} else if (t->container_gone && t->cl.memory_version == 1) {
		/* v1 counts only a cgroup's own kills (no hierarchical memory.events). */
		check_skip(r, "the container's cgroup left with its last instance, and a cgroup v1 "
			      "pod does not count its containers' kills: see kernel.oom_log");
	} else {
		check_finding(r, CHECK_PASS, "no OOM kills recorded");
	}
}

const struct doctor_check check_oom = {
	.id = "memory.oom_kills",
	.description = "OOM kills and limit hits recorded by the container's and the pod's memory "
		       "cgroups",
	.timeout_ms = 1000,
	.needs = NEED_CGROUP,
	.run = run,
};
