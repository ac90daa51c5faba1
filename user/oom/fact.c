// SPDX-License-Identifier: GPL-2.0
/*
 * The "oom_kill" fact: everything the rules need about one kill, flat,
 * snake_case keys with units (rank/fact.h). Identity attributes (pid, comm,
 * cgroup, pod, container, restart) come from proc/identity.h and name the
 * victim. Unknown values are left out rather than guessed. A fact holds at
 * most 96 attributes (rank/fact.c): the full detail is in the JSON report,
 * the fact keeps what rules and displays use (69 at most).
 */
#include <stdio.h>
#include <string.h>

#include "oom/report.h"
#include "oom/trajectory.h"
#include "rank/fact.h"

static int set_victim(struct fact *f, const struct oom_report *r)
{
	const struct oom_kill_event *e = &r->ev;
	int err = 0;

	err |= fact_set_int(f, "victim_pid", e->victim_pid);
	err |= fact_set_str(f, "victim_comm", e->victim_comm);
	err |= fact_set_str(f, "victim_source", victim_source__name(r->victim_source));
	err |= fact_set_int(f, "trigger_pid", e->trigger_pid);
	err |= fact_set_str(f, "trigger_comm", e->trigger_comm);
	err |= fact_set_bool(f, "trigger_is_victim", e->trigger_pid == e->victim_pid);
	if (e->flags & OOM_F_SCORE_ADJ)
		err |= fact_set_int(f, "oom_score_adj", e->oom_score_adj);
	if (e->flags & OOM_F_RSS) {
		err |= fact_set_int(f, "anon_rss_kib", (int64_t)e->anon_rss_kib);
		err |= fact_set_int(f, "file_rss_kib", (int64_t)e->file_rss_kib);
		err |= fact_set_int(f, "shmem_rss_kib", (int64_t)e->shmem_rss_kib);
	}
	return err;
}

static int set_domain(struct fact *f, const struct oom_report *r)
{
	int err = 0;

	err |= fact_set_str(f, "oom_kind", oom_kind__name(r->kind));
	if (r->kind_via)
		err |= fact_set_str(f, "oom_via", r->kind_via);
	err |= fact_set_str(f, "mechanism", r->mechanism);
	if (r->domain >= 0) {
		const struct oom_level *d = &r->levels[r->domain];

		if (d->path[0])
			err |= fact_set_str(f, "oom_cgroup", d->path);
		err |= fact_set_int(f, "limit_bytes", (int64_t)d->limit_bytes);
		err |= fact_set_int(f, "usage_bytes", (int64_t)d->usage_bytes);
		if (d->high_bytes != UINT64_MAX)
			err |= fact_set_int(f, "high_bytes", (int64_t)d->high_bytes);
		err |= fact_set_int(f, "failcnt", (int64_t)d->failcnt);
		err |= fact_set_int(f, "memcg_max_events", (int64_t)d->ev_max);
	}
	if (r->kind == OOM_KIND_NODE) {
		err |= fact_set_int(f, "mem_total_bytes", (int64_t)r->mem_total_bytes);
		err |= fact_set_int(f, "mem_available_bytes", (int64_t)r->mem_available_bytes);
	}
	return err;
}

static int set_before(struct fact *f, const struct oom_report *r)
{
	const struct trajectory *t = &r->traj;
	char sentence[256];
	int err = 0;

	if (r->have_traj) {
		trajectory__describe(t, sentence, sizeof(sentence));
		err |= fact_set_str(f, "traj_kind", traj_kind__name(t->kind));
		err |= fact_set_str(f, "traj_summary", sentence);
		err |= fact_set_int(f, "traj_samples", (int64_t)t->nsamples);
		err |= fact_set_int(f, "traj_from_bytes", (int64_t)t->from_bytes);
		err |= fact_set_int(f, "traj_to_bytes", (int64_t)t->to_bytes);
		err |= fact_set_int(f, "traj_rise_ns", (int64_t)t->rise_ns);
		err |= fact_set_float(f, "traj_rate_bytes_per_s", t->rate_bytes_per_s);
		err |= fact_set_int(f, "traj_jump_bytes", (int64_t)t->jump_bytes);
	}
	if (r->have_reclaim) {
		err |= fact_set_int(f, "reclaim_count", (int64_t)r->reclaim.reclaim_count);
		err |= fact_set_int(f, "reclaim_stall_ns", (int64_t)r->reclaim.reclaim_ns_total);
		err |= fact_set_int(f, "reclaim_max_ns", (int64_t)r->reclaim.reclaim_ns_max);
		err |= fact_set_int(f, "pgscan_direct", (int64_t)r->reclaim.pgscan_direct);
	}
	if (r->have_psi) {
		err |= fact_set_str(f, "psi_source", r->psi_node ? "node" : "cgroup");
		err |= fact_set_float(f, "psi_some_avg10", r->psi.some.avg10);
		err |= fact_set_float(f, "psi_full_avg10", r->psi.full.avg10);
		if (r->psi_window_ns) {
			err |= fact_set_int(f, "psi_some_stall_us", (int64_t)r->psi_some_stall_us);
			err |= fact_set_int(f, "psi_full_stall_us", (int64_t)r->psi_full_stall_us);
		}
	}
	return err;
}

static int set_env_var(struct fact *f, const char *key, const struct go_env_var *v)
{
	return v->set ? fact_set_str(f, key, v->val) : 0;
}

/* Go facts only when they were read; "is_go": false only when the binary was. */
static int set_go(struct fact *f, const struct oom_report *r)
{
	const struct proc_info *pi = &r->info;
	int err = 0;

	if (!r->have_info)
		return 0;
	if (pi->exe_err == 0) {
		err |= fact_set_bool(f, "is_go", pi->is_go);
		if (pi->go_version[0])
			err |= fact_set_str(f, "go_version", pi->go_version);
	}
	err |= fact_set_bool(f, "env_known", pi->env_err == 0);
	if (pi->env_err)
		return err;
	err |= set_env_var(f, "gogc", &pi->env.gogc);
	err |= set_env_var(f, "gomemlimit", &pi->env.gomemlimit);
	err |= set_env_var(f, "godebug", &pi->env.godebug);
	err |= set_env_var(f, "gomaxprocs", &pi->env.gomaxprocs);
	err |= fact_set_int(f, "gogc_percent", pi->env.gc_percent);
	if (pi->env.memlimit_valid && pi->env.memlimit_bytes != INT64_MAX)
		err |= fact_set_int(f, "gomemlimit_bytes", pi->env.memlimit_bytes);
	return err;
}

/*
 * The Go heap at the death, as the runtime itself had it (the GC percent
 * and memory limit in effect, whatever the environment said), or why it is
 * not known.
 */
static int set_heap(struct fact *f, const struct oom_report *r)
{
	const struct heap_report *h = &r->heap;
	const struct go_heap_state *s = &h->st;
	int err = 0;

	if (h->status == HEAP_NOT_GO)
		return 0;
	if (h->status == HEAP_UNAVAILABLE)
		return fact_set_str(f, "go_heap_unavailable", h->why);
	err |= fact_set_str(f, "go_heap_read_at",
			    h->snap.where == OOM_HEAP_AT_KILL ? "kill" : "sigkill");
	err |= fact_set_int(f, "go_heap_live_bytes", (int64_t)s->heap_live);
	err |= fact_set_int(f, "go_heap_marked_bytes", (int64_t)s->heap_marked);
	err |= fact_set_str(f, "go_heap_goal_by", go_heap_goal_by__name(s->goal_by));
	if (s->goal_by != GO_GOAL_UNKNOWN && s->goal_by != GO_GOAL_NONE)
		err |= fact_set_int(f, "go_heap_goal_bytes", (int64_t)s->heap_goal);
	err |= fact_set_int(f, "go_gc_percent_effective", s->gc_percent);
	if (s->memory_limit != INT64_MAX)
		err |= fact_set_int(f, "go_memory_limit_effective_bytes", s->memory_limit);
	if (r->have_info && !r->info.env_err) {
		const struct go_env *e = &r->info.env;

		err |= fact_set_bool(f, "go_gc_percent_set_in_code",
				     heap_gc_percent_set_in_code(e->gc_percent, s->gc_percent));
		if (e->memlimit_valid)
			err |= fact_set_bool(
				f, "go_memory_limit_set_in_code",
				heap_memory_limit_set_in_code(e->memlimit_bytes, s->memory_limit));
	}
	err |= fact_set_int(f, "go_gc_cycles", s->gc_cycles);
	err |= fact_set_int(f, "go_heap_sys_bytes", (int64_t)s->heap_sys);
	err |= fact_set_int(f, "go_runtime_mapped_bytes", (int64_t)s->mapped_ready);
	/* Go's nanotime and bpf_ktime_get_ns are both CLOCK_MONOTONIC. */
	if (s->gc_cycles && s->last_gc_nanotime && s->last_gc_nanotime <= r->ev.ktime_ns)
		err |= fact_set_int(f, "go_last_gc_before_kill_ns",
				    (int64_t)(r->ev.ktime_ns - s->last_gc_nanotime));
	return err;
}

struct fact *oom_report__to_fact(const struct oom_report *r)
{
	struct fact *f = fact_new("oom_kill", r->subject, r->kill_realtime_ns);
	int err;

	if (!f)
		return NULL;
	err = r->have_id ? identity__to_fact(&r->id, f) : fact_set_int(f, "pid", r->ev.victim_pid);
	err |= set_victim(f, r);
	err |= set_domain(f, r);
	err |= set_before(f, r);
	err |= set_go(f, r);
	err |= set_heap(f, r);
	if (err) {
		fact_free(f);
		return NULL;
	}
	return f;
}
