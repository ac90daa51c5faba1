// SPDX-License-Identifier: GPL-2.0
/*
 * memory.limit: the container's memory limit (v1 memory.limit_in_bytes,
 * v2 memory.max; the pod's too, the kubelet sets one there) against what
 * the Go GC paces itself by. Without GOMEMLIMIT the GC targets live heap x
 * (1 + GOGC/100) and never looks at the limit, so a heap that could have
 * been collected in time grows into it and the kernel kills the container;
 * GOMEMLIMIT (Go 1.19+) makes the GC work harder near it, and must sit below
 * the limit with room for what is not heap (goroutine stacks, runtime
 * structures, cgo). The values in effect are read from the process's memory
 * when its binary allows (they include debug.SetMemoryLimit in code), else
 * from its environment.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "doctor/check.h"
#include "doctor/goproc.h"
#include "doctor/target.h"
#include "out/units.h"
#include "proc/memcg.h"
#include "rank/oom_evidence.h"
#include "rank/fact.h"

#define CLOSE_PERCENT 95 /* GOMEMLIMIT above this share of the limit leaves no room */
#define USAGE_PERCENT 90 /* usage this close to the limit is a warning */

struct limits {
	struct memcg_state ctr;
	bool have_ctr;
	uint64_t limit; /* the tighter of the container's and the pod's; MEMCG_NO_LIMIT */
	const char *src;
	char file[PATH_MAX + 32];
};

/* The file the limit came from, as evidence. */
static void limit_file(const struct doctor_target *t, const char *dir, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", dir,
		 t->cl.memory_version == 1 ? "memory.limit_in_bytes" : "memory.max");
}

static void read_limits(const struct doctor_target *t, struct limits *l, struct check_result *r)
{
	struct memcg_state pod;
	char a[32], b[32];

	l->limit = MEMCG_NO_LIMIT;
	l->have_ctr = t->mem_dir[0] &&
		      !memcg_state__read(t->mem_dir, t->cl.memory_version, MEMCG_READ_ALL, &l->ctr);
	if (l->have_ctr && l->ctr.limit_bytes != MEMCG_NO_LIMIT) {
		l->limit = l->ctr.limit_bytes;
		l->src = "container";
		limit_file(t, t->mem_dir, l->file, sizeof(l->file));
	}
	if (l->have_ctr)
		check_evidence(r, "usage %s, peak %s, limit %s (%s/)",
			       fmt_bytes(l->ctr.usage_bytes, a, sizeof(a)),
			       l->ctr.peak_bytes ? fmt_bytes(l->ctr.peak_bytes, b, sizeof(b)) : "?",
			       l->ctr.limit_bytes == MEMCG_NO_LIMIT ? "none" : "set", t->mem_dir);
	if (l->limit != MEMCG_NO_LIMIT)
		check_evidence(r, "limit %s = %llu bytes (%s)", fmt_bytes(l->limit, a, sizeof(a)),
			       (unsigned long long)l->limit, l->file);
	if (t->pod_mem_dir[0] && strcmp(t->pod_mem_dir, t->mem_dir) &&
	    !memcg_state__read(t->pod_mem_dir, t->cl.memory_version, MEMCG_READ_ALL, &pod) &&
	    pod.limit_bytes != MEMCG_NO_LIMIT && pod.limit_bytes < l->limit) {
		l->limit = pod.limit_bytes;
		l->src = "pod";
		limit_file(t, t->pod_mem_dir, l->file, sizeof(l->file));
		check_evidence(r, "pod limit %s = %llu bytes (%s)",
			       fmt_bytes(l->limit, a, sizeof(a)), (unsigned long long)l->limit,
			       l->file);
	}
}

/* The GOMEMLIMIT and GOGC in effect: the runtime's own when read, else the environment's. */
static void knobs(const struct doctor_go *g, int64_t *memlimit, int *gc_percent, const char **from,
		  struct check_result *r)
{
	char a[32];

	*memlimit = g->env_err ? INT64_MAX : g->env.memlimit_bytes;
	*gc_percent = g->env_err ? 100 : g->env.gc_percent;
	*from = "environment";
	if (!g->env_err)
		check_evidence(r, "environment: GOGC=%s GOMEMLIMIT=%s (%s)",
			       go_env_var__show(&g->env.gogc), go_env_var__show(&g->env.gomemlimit),
			       g->version[0] ? g->version : "Go version unknown");
	if (!g->live_err && g->live.have_memory_limit && g->live.have_gc_percent) {
		*memlimit = g->live.memory_limit;
		*gc_percent = g->live.gc_percent;
		*from = "the runtime's memory";
		check_evidence(r, "in effect (runtime.gcController): gcPercent=%d memoryLimit=%s",
			       (int)g->live.gc_percent,
			       g->live.memory_limit == INT64_MAX
				       ? "none"
				       : fmt_bytes((uint64_t)g->live.memory_limit, a, sizeof(a)));
	} else if (g->live_err && g->live_err != -ESRCH) {
		check_evidence(r, "values in effect not read: %s", g->live_msg);
	}
}

static void judge_go(const struct doctor_go *g, const struct limits *l, int64_t ml, int gcp,
		     const char *from, struct check_result *r)
{
	uint64_t want = oom_suggest_memlimit(l->limit) >> 20;
	char a[32], b[32];

	if (gcp < 0 && ml == INT64_MAX) {
		check_finding(r, CHECK_FAIL,
			      "GOGC=off and no GOMEMLIMIT (%s): the heap is never collected and "
			      "grows until the %s limit kills the container",
			      from, fmt_bytes(l->limit, a, sizeof(a)));
		check_fix(r, "set GOMEMLIMIT=%lluMiB (~90%% of the limit) or remove GOGC=off",
			  (unsigned long long)want);
	} else if (ml == INT64_MAX) {
		check_finding(r, CHECK_WARN,
			      "GOMEMLIMIT is not set (%s): the GC paces by GOGC=%d alone and does "
			      "not see the %s limit",
			      from, gcp, fmt_bytes(l->limit, a, sizeof(a)));
		check_fix(r, "%s GOMEMLIMIT=%lluMiB (~90%% of the limit)",
			  g->ver_ok && g->ver.minor < 19 ? "upgrade to Go 1.19+ and set" : "set",
			  (unsigned long long)want);
	} else if ((uint64_t)ml > l->limit) {
		check_finding(r, CHECK_FAIL,
			      "GOMEMLIMIT=%s (%s) is above the %s limit: the kernel kills the "
			      "container before the GC reacts",
			      fmt_bytes((uint64_t)ml, a, sizeof(a)), from,
			      fmt_bytes(l->limit, b, sizeof(b)));
		check_fix(r, "set GOMEMLIMIT=%lluMiB (~90%% of the limit) or raise the limit",
			  (unsigned long long)want);
	} else if ((uint64_t)ml > l->limit / 100 * CLOSE_PERCENT) {
		check_finding(r, CHECK_WARN,
			      "GOMEMLIMIT=%s (%s) is %.0f%% of the %s limit: no room for memory "
			      "that is not heap (stacks, runtime, cgo)",
			      fmt_bytes((uint64_t)ml, a, sizeof(a)), from,
			      100.0 * (double)ml / (double)l->limit,
			      fmt_bytes(l->limit, b, sizeof(b)));
		check_fix(r, "set GOMEMLIMIT=%lluMiB (~90%% of the limit)",
			  (unsigned long long)want);
	} else {
		check_finding(r, CHECK_PASS, "GOMEMLIMIT=%s (%s) is %.0f%% of the %s limit",
			      fmt_bytes((uint64_t)ml, a, sizeof(a)), from,
			      100.0 * (double)ml / (double)l->limit,
			      fmt_bytes(l->limit, b, sizeof(b)));
	}
}

static void add_fact(const struct doctor_target *t, const struct limits *l, struct check_result *r)
{
	struct fact *f = check_fact(r, t, "mem_limit");

	if (!f)
		return;
	fact_set_int(f, "memcg_version", t->cl.memory_version);
	if (l->limit != MEMCG_NO_LIMIT) {
		fact_set_int(f, "limit_bytes", (int64_t)l->limit);
		fact_set_str(f, "limit_source", l->src);
		fact_set_str(f, "limit_file", l->file);
	}
	if (l->have_ctr) {
		fact_set_int(f, "usage_bytes", (int64_t)l->ctr.usage_bytes);
		if (l->ctr.peak_bytes)
			fact_set_int(f, "peak_bytes", (int64_t)l->ctr.peak_bytes);
	}
}

static void run(const struct doctor_check *self, const struct doctor_target *t,
		struct check_result *r)
{
	struct limits l = {0};
	struct doctor_go g;
	const char *from;
	int64_t ml;
	int gcp;
	char a[32];

	read_limits(t, &l, r);
	add_fact(t, &l, r);
	if (l.limit == MEMCG_NO_LIMIT && t->container_gone) {
		check_skip(r,
			   "the container's cgroup left with its last instance, and the pod's has "
			   "no limit (kernel.oom_log has the limit of the last kill)");
		return;
	}
	if (l.limit == MEMCG_NO_LIMIT) {
		check_finding(r, CHECK_PASS, "no memory limit on the container%s",
			      t->pod_mem_dir[0] ? " or the pod" : "");
		return;
	}
	if (l.have_ctr && l.ctr.usage_bytes >= l.limit / 100 * USAGE_PERCENT)
		check_finding(r, CHECK_WARN, "usage is %.0f%% of the %s limit",
			      100.0 * (double)l.ctr.usage_bytes / (double)l.limit,
			      fmt_bytes(l.limit, a, sizeof(a)));
	if (!t->pid) {
		check_finding(r, CHECK_SKIP,
			      "limit %s; no process to read GOMEMLIMIT/GOGC from (%s)",
			      fmt_bytes(l.limit, a, sizeof(a)), t->why_no_pid);
		return;
	}
	doctor_go__read(t, DOCTOR_GO_ENV | DOCTOR_GO_LIVE, &g);
	if (!g.is_go) {
		check_finding(r, CHECK_PASS, "limit %s; not a Go program (no Go knobs to compare)",
			      fmt_bytes(l.limit, a, sizeof(a)));
		return;
	}
	knobs(&g, &ml, &gcp, &from, r);
	if (g.env_err && (g.live_err || !g.live.have_memory_limit)) {
		check_finding(r, CHECK_SKIP, "limit %s; the process's Go knobs could not be read",
			      fmt_bytes(l.limit, a, sizeof(a)));
		return;
	}
	judge_go(&g, &l, ml, gcp, from, r);
}

const struct doctor_check check_memlimit = {
	.id = "memory.limit",
	.description = "the container's memory limit vs GOMEMLIMIT and GOGC (environment and in "
		       "effect)",
	.timeout_ms = 3000,
	.needs = NEED_CGROUP,
	.run = run,
};
