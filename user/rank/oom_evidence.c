// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "out/units.h"
#include "rank/oom_evidence.h"
#include "rank/rules.h"

#define MIB (1024ULL * 1024)

struct candidate *oom_candidate(struct cand_list *out, const char *rule, const struct fact *f)
{
	struct candidate *c = cand_list__add(out, rule, f->subject);

	if (!c)
		return NULL;
	rank__display(f, c->display, sizeof(c->display));
	snprintf(c->merge_key, sizeof(c->merge_key), "death:%lld",
		 (long long)fact_int(f, "victim_pid", fact_int(f, "pid", 0)));
	c->severity = SEV_CRITICAL;
	cand_seen(c, f->time_ns);
	return c;
}

bool oom_is_go_with_env(const struct fact *f)
{
	return fact_bool(f, "is_go", false) && fact_bool(f, "env_known", false);
}

uint64_t oom_memcg_limit(const struct fact *f)
{
	const char *kind = fact_str(f, "oom_kind");
	int64_t lim = fact_int(f, "limit_bytes", -1);

	return kind && !strcmp(kind, "memcg") && lim > 0 ? (uint64_t)lim : 0;
}

uint64_t oom_suggest_memlimit(uint64_t limit_bytes)
{
	return limit_bytes / 10 * 9 / MIB * MIB;
}

bool oom_go_line(const struct fact *f, char *buf, size_t len)
{
	const char *ver = fact_str(f, "go_version"), *gogc = fact_str(f, "gogc");
	const char *lim = fact_str(f, "gomemlimit");
	size_t n;

	if (!oom_is_go_with_env(f))
		return false;
	snprintf(buf, len, "%s, GOGC=%s%s, GOMEMLIMIT=%s", ver ? ver : "Go (version unknown)",
		 gogc ? gogc : "100", gogc ? "" : " (unset)", lim ? lim : "unset");
	/* What code changed is named: the environment no longer tells. */
	if (fact_bool(f, "go_gc_percent_set_in_code", false)) {
		n = strlen(buf);
		snprintf(buf + n, len - n, "; in effect ");
		n = strlen(buf);
		oom_go_gogc_words(f, buf + n, len - n);
	}
	if (fact_bool(f, "go_memory_limit_set_in_code", false)) {
		n = strlen(buf);
		snprintf(buf + n, len - n, "; in effect ");
		n = strlen(buf);
		oom_go_memlimit_words(f, buf + n, len - n);
	}
	return true;
}

bool oom_go_heap_read(const struct fact *f)
{
	return fact_has(f, "go_heap_live_bytes");
}

int64_t oom_go_gc_percent(const struct fact *f)
{
	if (fact_has(f, "go_gc_percent_effective"))
		return fact_int(f, "go_gc_percent_effective", 100);
	return fact_int(f, "gogc_percent", 100);
}

int64_t oom_go_memlimit(const struct fact *f)
{
	if (oom_go_heap_read(f))
		return fact_int(f, "go_memory_limit_effective_bytes", -1);
	return fact_int(f, "gomemlimit_bytes", -1);
}

void oom_go_gogc_words(const struct fact *f, char *buf, size_t len)
{
	int64_t p = oom_go_gc_percent(f);
	const char *env = fact_str(f, "gogc");
	char was[64];

	if (env)
		snprintf(was, sizeof(was), "GOGC=%s", env);
	else
		snprintf(was, sizeof(was), "no GOGC");
	if (fact_bool(f, "go_gc_percent_set_in_code", false) && p < 0)
		snprintf(buf, len,
			 "GOGC off, set in code by debug.SetGCPercent(-1) while the environment "
			 "has %s",
			 was);
	else if (fact_bool(f, "go_gc_percent_set_in_code", false))
		snprintf(
			buf, len,
			"GOGC %lld, set in code by debug.SetGCPercent while the environment has %s",
			(long long)p, was);
	else if (env)
		snprintf(buf, len, "GOGC=%s", env);
	else
		snprintf(buf, len, "GOGC %lld (default)", (long long)p);
}

void oom_go_memlimit_words(const struct fact *f, char *buf, size_t len)
{
	int64_t lim = oom_go_memlimit(f);
	const char *env = fact_str(f, "gomemlimit");
	char a[32];

	if (lim < 0)
		snprintf(buf, len, "GOMEMLIMIT unset");
	else if (fact_bool(f, "go_memory_limit_set_in_code", false))
		snprintf(buf, len, "memory limit %s, set in code by debug.SetMemoryLimit",
			 fmt_bytes((uint64_t)lim, a, sizeof(a)));
	else
		snprintf(buf, len, "GOMEMLIMIT=%s",
			 env ? env : fmt_bytes((uint64_t)lim, a, sizeof(a)));
}

/* What the Go runtime's own statistics said at the death, or why they are unknown. */
static void heap_lines(struct candidate *c, const struct fact *f)
{
	const char *why = fact_str(f, "go_heap_unavailable");
	int64_t goal = fact_int(f, "go_heap_goal_bytes", -1);
	int64_t ago = fact_int(f, "go_last_gc_before_kill_ns", -1);
	char a[32], b[32], d[32], e[32], g[64];

	if (why) {
		cand_evidence(c, "Go heap state at the death unavailable: %s", why);
		return;
	}
	if (!oom_go_heap_read(f))
		return;
	if (goal >= 0)
		snprintf(g, sizeof(g), "next GC due at %s",
			 fmt_bytes((uint64_t)goal, a, sizeof(a)));
	else
		snprintf(g, sizeof(g), "no GC due (%s)", fact_str(f, "go_heap_goal_by"));
	cand_evidence(c,
		      "Go heap at the death: %s in use, %s live after GC #%lld%s%s%s; %s; the "
		      "runtime held %s in all",
		      fmt_bytes((uint64_t)fact_int(f, "go_heap_live_bytes", 0), b, sizeof(b)),
		      fmt_bytes((uint64_t)fact_int(f, "go_heap_marked_bytes", 0), d, sizeof(d)),
		      (long long)fact_int(f, "go_gc_cycles", 0), ago >= 0 ? ", " : "",
		      ago >= 0 ? fmt_duration((uint64_t)ago, a, sizeof(a)) : "",
		      ago >= 0 ? " before" : "", g,
		      fmt_bytes((uint64_t)fact_int(f, "go_runtime_mapped_bytes", 0), e, sizeof(e)));
}

static void limit_lines(struct candidate *c, const struct fact *f)
{
	int64_t lim = fact_int(f, "limit_bytes", -1), use = fact_int(f, "usage_bytes", -1);
	const char *cg = fact_str(f, "oom_cgroup"), *traj = fact_str(f, "traj_summary");
	char a[32], b[32];

	if (lim > 0 && use >= 0)
		cand_evidence(c, "usage %s of the %s limit at the kill%s%s",
			      fmt_bytes((uint64_t)use, a, sizeof(a)),
			      fmt_bytes((uint64_t)lim, b, sizeof(b)), cg ? " in " : "",
			      cg ? cg : "");
	if (traj)
		cand_evidence(c, "before the kill: %s", traj);
}

static void victim_lines(struct candidate *c, const struct fact *f)
{
	int64_t anon = fact_int(f, "anon_rss_kib", -1), file = fact_int(f, "file_rss_kib", 0);
	int64_t shm = fact_int(f, "shmem_rss_kib", 0);
	const char *tc = fact_str(f, "trigger_comm");
	char a[32], b[32], d[32];

	if (anon >= 0)
		cand_evidence(c, "victim RSS: anon %s, file %s, shmem %s (oom_score_adj %lld)",
			      fmt_bytes((uint64_t)anon * 1024, a, sizeof(a)),
			      fmt_bytes((uint64_t)file * 1024, b, sizeof(b)),
			      fmt_bytes((uint64_t)shm * 1024, d, sizeof(d)),
			      (long long)fact_int(f, "oom_score_adj", 0));
	if (!fact_bool(f, "trigger_is_victim", true))
		cand_evidence(c, "triggered by pid %lld (%s), not the victim",
			      (long long)fact_int(f, "trigger_pid", 0), tc ? tc : "?");
}

static void pressure_lines(struct candidate *c, const struct fact *f)
{
	int64_t n = fact_int(f, "reclaim_count", 0);
	char a[32];

	if (n > 0)
		cand_evidence(
			c, "%lld direct reclaims in the memcg stalled it %s", (long long)n,
			fmt_duration((uint64_t)fact_int(f, "reclaim_stall_ns", 0), a, sizeof(a)));
	if (fact_has(f, "psi_some_avg10") && fact_float(f, "psi_some_avg10", 0) > 0)
		cand_evidence(c, "memory pressure (PSI avg10): some %.2f%%, full %.2f%%",
			      fact_float(f, "psi_some_avg10", 0),
			      fact_float(f, "psi_full_avg10", 0));
}

void oom_evidence(struct candidate *c, const struct fact *f)
{
	char go[400];

	limit_lines(c, f);
	victim_lines(c, f);
	pressure_lines(c, f);
	if (oom_go_line(f, go, sizeof(go)))
		cand_evidence(c, "%s", go);
	heap_lines(c, f);
}
