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

	if (!oom_is_go_with_env(f))
		return false;
	snprintf(buf, len, "%s, GOGC=%s%s, GOMEMLIMIT=%s", ver ? ver : "Go (version unknown)",
		 gogc ? gogc : "100", gogc ? "" : " (unset)", lim ? lim : "unset");
	return true;
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
		cand_evidence(c, "%lld direct reclaims in the memcg stalled it %s", (long long)n,
			      fmt_duration((uint64_t)fact_int(f, "reclaim_stall_ns", 0), a,
					      sizeof(a)));
	if (fact_has(f, "psi_some_avg10") && fact_float(f, "psi_some_avg10", 0) > 0)
		cand_evidence(c, "memory pressure (PSI avg10): some %.2f%%, full %.2f%%",
			      fact_float(f, "psi_some_avg10", 0),
			      fact_float(f, "psi_full_avg10", 0));
}

void oom_evidence(struct candidate *c, const struct fact *f)
{
	char go[200];

	limit_lines(c, f);
	victim_lines(c, f);
	pressure_lines(c, f);
	if (oom_go_line(f, go, sizeof(go)))
		cand_evidence(c, "%s", go);
}
