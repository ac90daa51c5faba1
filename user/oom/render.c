// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "oom/render.h"
#include "out/json.h"
#include "out/units.h"
#include "out/utf8.h"
#include "rank/render.h"
#include "rank/rules.h"

/* ------------------------------------------------------------------ text */

/* Every line is formatted first, then sanitized: it carries container strings. */
static void line(FILE *f, const char *label, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void line(FILE *f, const char *label, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(f, "  %-9s ", label);
	term_write_sanitized(f, buf, strlen(buf));
	fputc('\n', f);
}

static void header(FILE *f, const struct oom_report *r)
{
	char when[32], who[512], buf[600];
	time_t t = (time_t)(r->kill_realtime_ns / 1000000000ULL);
	struct tm tm;
	struct fact *fa = oom_report__to_fact(r);

	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	if (fa)
		rank__display(fa, who, sizeof(who));
	else
		snprintf(who, sizeof(who), "pid %u", r->ev.victim_pid);
	fact_free(fa);
	snprintf(buf, sizeof(buf), "%s.%03llu  OOM KILL (%s)  %s\n", when,
		 (unsigned long long)(r->kill_realtime_ns / 1000000 % 1000),
		 oom_kind__name(r->kind), who);
	term_write_sanitized(f, buf, strlen(buf) - 1);
	fputc('\n', f);
}

static void victim(FILE *f, const struct oom_report *r)
{
	const struct oom_kill_event *e = &r->ev;
	char a[32], b[32], c[32], d[32];

	if (e->flags & OOM_F_RSS)
		line(f, "victim",
		     "pid %u (%s), uid %u, oom_score_adj %d: rss %s anon + %s file + %s "
		     "shmem, total-vm %s",
		     e->victim_pid, e->victim_comm, e->victim_uid, e->oom_score_adj,
		     fmt_bytes(e->anon_rss_kib * 1024, a, sizeof(a)),
		     fmt_bytes(e->file_rss_kib * 1024, b, sizeof(b)),
		     fmt_bytes(e->shmem_rss_kib * 1024, c, sizeof(c)),
		     fmt_bytes(e->total_vm_kib * 1024, d, sizeof(d)));
	else
		line(f, "victim", "pid %u (%s)", e->victim_pid, e->victim_comm);
	if (e->trigger_pid == e->victim_pid)
		line(f, "trigger", "the victim itself (thread %u)", e->trigger_tid);
	else
		line(f, "trigger",
		     "pid %u (%s), not the victim: it charged the memory that did "
		     "not fit",
		     e->trigger_pid, e->trigger_comm);
	/* The domain line names it when the victim's own memcg hit its limit. */
	if (r->victim_memcg[0] &&
	    (r->domain < 0 || strcmp(r->victim_memcg, r->levels[r->domain].path)))
		line(f, "cgroup", "%s", r->victim_memcg);
}

static void domain(FILE *f, const struct oom_report *r)
{
	char a[32], b[32];

	if (r->domain < 0) {
		if (r->mem_total_bytes)
			line(f, "domain", "the node: %s available of %s at the kill",
			     fmt_bytes(r->mem_available_bytes, a, sizeof(a)),
			     fmt_bytes(r->mem_total_bytes, b, sizeof(b)));
		return;
	}
	const struct oom_level *d = &r->levels[r->domain];

	line(f, "domain", "%s: usage %s of limit %s, failcnt %llu, max events %llu",
	     d->path[0] ? d->path : "(unnamed memcg)", fmt_bytes(d->usage_bytes, a, sizeof(a)),
	     fmt_bytes(d->limit_bytes, b, sizeof(b)), (unsigned long long)d->failcnt,
	     (unsigned long long)d->ev_max);
}

/* The per-fault counters exist only when they were armed (near a limit). */
static const char *reclaim_counts(const struct oom_memcg_stats *st, char *buf, size_t len)
{
	buf[0] = '\0';
	if (st->pgscan_direct || st->pgmajfault)
		snprintf(buf, len, "; %llu pages scanned, %llu stolen, %llu major faults",
			 (unsigned long long)st->pgscan_direct,
			 (unsigned long long)st->pgsteal_direct,
			 (unsigned long long)st->pgmajfault);
	return buf;
}

static void before(FILE *f, const struct oom_report *r)
{
	char s[256], a[32], b[32];

	if (r->have_traj) {
		trajectory__describe(&r->traj, s, sizeof(s));
		line(f, "before", "%s (%zu samples over %s)", s, r->traj.nsamples,
		     fmt_duration(r->traj.window_ns, a, sizeof(a)));
	}
	if (r->have_reclaim && r->reclaim.reclaim_count)
		line(f, "reclaim", "%llu direct reclaims stalled %s (longest %s)%s",
		     (unsigned long long)r->reclaim.reclaim_count,
		     fmt_duration(r->reclaim.reclaim_ns_total, a, sizeof(a)),
		     fmt_duration(r->reclaim.reclaim_ns_max, b, sizeof(b)),
		     reclaim_counts(&r->reclaim, s, sizeof(s)));
	if (r->have_psi)
		line(f, "pressure", "PSI memory some %.2f%% full %.2f%% (avg10, %s)",
		     r->psi.some.avg10, r->psi.full.avg10, r->psi_node ? "node" : "cgroup");
}

static void go(FILE *f, const struct oom_report *r)
{
	const struct proc_info *pi = &r->info;
	const struct go_env *e = &pi->env;

	if (!r->have_info) {
		line(f, "process", "gone before gotrace could read it (the kernel's record only)");
		return;
	}
	if (pi->exe_err == 0 && !pi->is_go)
		line(f, "binary", "%s: not a Go program", pi->exe);
	if (pi->exe_err || !pi->is_go)
		return;
	if (pi->env_err) {
		line(f, "go", "%s; environment unreadable (process exiting)",
		     pi->go_version[0] ? pi->go_version : "Go (version unknown)");
		return;
	}
	line(f, "go", "%s  GOGC=%s  GOMEMLIMIT=%s  GOMAXPROCS=%s  GODEBUG=%s",
	     pi->go_version[0] ? pi->go_version : "Go (version unknown)",
	     go_env_var__show(&e->gogc), go_env_var__show(&e->gomemlimit),
	     go_env_var__show(&e->gomaxprocs), go_env_var__show(&e->godebug));
}

/* The knobs in effect, and whether code changed them from what the environment says. */
static void heap_knobs(const struct oom_report *r, char *buf, size_t len)
{
	const struct go_heap_state *s = &r->heap.st;
	const struct go_env *e = &r->info.env;
	bool env = r->have_info && !r->info.env_err;
	char a[32];

	if (s->gc_percent < 0)
		snprintf(buf, len, "GOGC off");
	else
		snprintf(buf, len, "GOGC %d", s->gc_percent);
	if (env && heap_gc_percent_set_in_code(e->gc_percent, s->gc_percent))
		snprintf(buf + strlen(buf), len - strlen(buf),
			 " (set in code; the environment: %s)", go_env_var__show(&e->gogc));
	if (s->memory_limit == INT64_MAX)
		snprintf(buf + strlen(buf), len - strlen(buf), ", no memory limit");
	else
		snprintf(buf + strlen(buf), len - strlen(buf), ", memory limit %s",
			 fmt_bytes((uint64_t)s->memory_limit, a, sizeof(a)));
	if (env && e->memlimit_valid &&
	    heap_memory_limit_set_in_code(e->memlimit_bytes, s->memory_limit))
		snprintf(buf + strlen(buf), len - strlen(buf),
			 " (set in code; the environment: GOMEMLIMIT %s)",
			 go_env_var__show(&e->gomemlimit));
}

static void heap(FILE *f, const struct oom_report *r)
{
	const struct heap_report *h = &r->heap;
	const struct go_heap_state *s = &h->st;
	char live[32], marked[32], goal[96], sys[32], mapped[32], knobs[300], ago[32];

	if (h->status == HEAP_UNAVAILABLE)
		line(f, "go heap", "unavailable: %s", h->why);
	if (h->status != HEAP_READ)
		return;
	if (s->goal_by == GO_GOAL_NONE)
		snprintf(goal, sizeof(goal), "no goal (the GC never runs)");
	else if (s->goal_by == GO_GOAL_UNKNOWN)
		snprintf(goal, sizeof(goal), "goal not computed (this Go's heapGoal() is unknown)");
	else
		snprintf(goal, sizeof(goal), "goal %s (%s)",
			 fmt_bytes(s->heap_goal, sys, sizeof(sys)),
			 go_heap_goal_by__name(s->goal_by));
	ago[0] = '\0';
	if (s->gc_cycles && s->last_gc_nanotime && s->last_gc_nanotime <= r->ev.ktime_ns)
		snprintf(
			ago, sizeof(ago), ", %s before",
			fmt_duration(r->ev.ktime_ns - s->last_gc_nanotime, mapped, sizeof(mapped)));
	line(f, "go heap", "in use %s, %s live at the end of GC #%u%s; %s",
	     fmt_bytes(s->heap_live, live, sizeof(live)),
	     fmt_bytes(s->heap_marked, marked, sizeof(marked)), s->gc_cycles, ago, goal);
	heap_knobs(r, knobs, sizeof(knobs));
	line(f, "", "%s; heap from the OS %s, runtime total %s; read %s", knobs,
	     fmt_bytes(s->heap_sys, sys, sizeof(sys)),
	     fmt_bytes(s->mapped_ready, mapped, sizeof(mapped)), heap_report__where(h));
}

static const char *const source_words[] = {
	[VICTIM_KERNEL] = "unknown (gone before gotrace read it)",
	[VICTIM_LIVE] = "read at the kill",
	[VICTIM_READ_AHEAD] = "read ahead (it was exiting at the kill)",
};

void oom_render_text(FILE *f, const struct oom_report *r, const struct cand_list *cands,
		     int verbose)
{
	char lat[32];

	header(f, r);
	victim(f, r);
	domain(f, r);
	before(f, r);
	go(f, r);
	heap(f, r);
	line(f, "source", "%s; %s OOM by %s; process facts %s; printed %s after the kill",
	     r->mechanism, oom_kind__name(r->kind), r->kind_via ? r->kind_via : "nothing known",
	     source_words[r->victim_source],
	     fmt_duration(r->print_mono_ns - r->ev.ktime_ns, lat, sizeof(lat)));
	rank_print_text(f, cands, 3, verbose);
	fputc('\n', f);
	fflush(f);
}

/* ------------------------------------------------------------------ JSON */

static void json_limit(struct json_writer *w, const char *key, uint64_t v)
{
	if (v == MEMCG_NO_LIMIT)
		json_null(w, key);
	else
		json_u64(w, key, v);
}

static void json_victim(struct json_writer *w, const struct oom_report *r)
{
	const struct oom_kill_event *e = &r->ev;

	json_obj_begin(w, "victim");
	json_u64(w, "pid", e->victim_pid);
	json_u64(w, "tid", e->victim_tid);
	json_str(w, "comm", e->victim_comm);
	if (e->flags & OOM_F_SCORE_ADJ) {
		json_u64(w, "uid", e->victim_uid);
		json_i64(w, "oom_score_adj", e->oom_score_adj);
	}
	if (e->flags & OOM_F_RSS) {
		json_u64(w, "anon_rss_kib", e->anon_rss_kib);
		json_u64(w, "file_rss_kib", e->file_rss_kib);
		json_u64(w, "shmem_rss_kib", e->shmem_rss_kib);
		json_u64(w, "total_vm_kib", e->total_vm_kib);
		json_u64(w, "pgtables_kib", e->pgtables_kib);
	}
	json_str(w, "memcg", r->victim_memcg);
	json_str(w, "source", victim_source__name(r->victim_source));
	if (r->have_info)
		json_str(w, "exe", r->info.exe);
	json_obj_end(w);
	json_obj_begin(w, "trigger");
	json_u64(w, "pid", e->trigger_pid);
	json_u64(w, "tid", e->trigger_tid);
	json_str(w, "comm", e->trigger_comm);
	json_bool(w, "is_victim", e->trigger_pid == e->victim_pid);
	json_obj_end(w);
}

static void json_levels(struct json_writer *w, const struct oom_report *r)
{
	json_obj_begin(w, "oom");
	json_str(w, "kind", oom_kind__name(r->kind));
	json_str(w, "via", r->kind_via);
	json_str(w, "cgroup", r->domain >= 0 ? r->levels[r->domain].path : NULL);
	json_limit(w, "limit_bytes", r->limit_bytes);
	json_u64(w, "usage_bytes", r->usage_bytes);
	json_u64(w, "mem_total_bytes", r->mem_total_bytes);
	if (r->ev.constraint != OOM_CONSTRAINT_UNKNOWN)
		json_u64(w, "constraint", r->ev.constraint);
	json_arr_begin(w, "memcgs"); /* the victim's (or trigger's) memcg up to the root */
	for (size_t i = 0; i < r->nlevels; i++) {
		const struct oom_level *l = &r->levels[i];

		json_obj_begin(w, NULL);
		json_u64(w, "id", l->id);
		json_str(w, "path", l->path);
		json_u64(w, "usage_bytes", l->usage_bytes);
		json_limit(w, "limit_bytes", l->limit_bytes);
		json_limit(w, "high_bytes", l->high_bytes);
		json_u64(w, "failcnt", l->failcnt);
		json_u64(w, "events_high", l->ev_high);
		json_u64(w, "events_max", l->ev_max);
		json_u64(w, "events_oom", l->ev_oom);
		json_u64(w, "events_oom_kill", l->ev_oom_kill);
		json_obj_end(w);
	}
	json_arr_end(w);
	json_bool(w, "memcgs_of_victim", r->levels_of_victim);
	json_arr_begin(w, "kernel_stack");
	for (size_t i = 0; i < r->nframes; i++)
		json_str(w, NULL, r->frames[i]);
	json_arr_end(w);
	json_obj_end(w);
}

/* The OOM domain's own files at gotrace's latest read before the kill (<= 1 s old). */
static void json_files(struct json_writer *w, const struct oom_report *r)
{
	const struct memcg_state *st = &r->files;

	if (!r->have_files) {
		json_null(w, "cgroup_files");
		return;
	}
	json_obj_begin(w, "cgroup_files");
	json_u64(w, "version", (uint64_t)st->version);
	json_u64(w, "usage_bytes", st->usage_bytes);
	json_limit(w, "limit_bytes", st->limit_bytes);
	json_limit(w, "high_bytes", st->high_bytes);
	json_u64(w, "peak_bytes", st->peak_bytes);
	json_u64(w, "failcnt", st->failcnt);
	if (st->have_events) {
		json_u64(w, "events_high", st->ev_high);
		json_u64(w, "events_max", st->ev_max);
		json_u64(w, "events_oom", st->ev_oom);
		json_u64(w, "events_oom_kill", st->ev_oom_kill);
		json_bool(w, "under_oom", st->under_oom);
	}
	json_obj_end(w);
}

static void json_traj(struct json_writer *w, const struct oom_report *r)
{
	char s[256];

	if (!r->have_traj) {
		json_null(w, "trajectory");
		return;
	}
	trajectory__describe(&r->traj, s, sizeof(s));
	json_obj_begin(w, "trajectory");
	json_str(w, "kind", traj_kind__name(r->traj.kind));
	json_str(w, "summary", s);
	json_u64(w, "from_bytes", r->traj.from_bytes);
	json_u64(w, "to_bytes", r->traj.to_bytes);
	json_u64(w, "rise_ns", r->traj.rise_ns);
	json_f64(w, "rate_bytes_per_s", r->traj.rate_bytes_per_s);
	json_u64(w, "jump_bytes", r->traj.jump_bytes);
	json_u64(w, "jump_ns", r->traj.jump_ns);
	json_u64(w, "near_limit_ns", r->traj.near_limit_ns);
	json_arr_begin(w, "samples"); /* [ns before the kill, usage bytes] */
	for (size_t i = 0; i < r->nsamples; i++) {
		if (r->samples[i].t_ns >= r->ev.ktime_ns)
			continue;
		json_arr_begin(w, NULL);
		json_u64(w, NULL, r->ev.ktime_ns - r->samples[i].t_ns);
		json_u64(w, NULL, r->samples[i].usage_bytes);
		json_arr_end(w);
	}
	json_arr_end(w);
	json_obj_end(w);
}

static void json_go(struct json_writer *w, const struct oom_report *r)
{
	const struct proc_info *pi = &r->info;

	if (!r->have_info || pi->exe_err || !pi->is_go) {
		json_null(w, "go");
		return;
	}
	json_obj_begin(w, "go");
	json_str(w, "version", pi->go_version[0] ? pi->go_version : NULL);
	json_bool(w, "env_known", pi->env_err == 0);
	if (!pi->env_err) {
		json_str(w, "gogc", pi->env.gogc.set ? pi->env.gogc.val : NULL);
		json_str(w, "gomemlimit", pi->env.gomemlimit.set ? pi->env.gomemlimit.val : NULL);
		json_str(w, "godebug", pi->env.godebug.set ? pi->env.godebug.val : NULL);
		json_str(w, "gomaxprocs", pi->env.gomaxprocs.set ? pi->env.gomaxprocs.val : NULL);
		json_i64(w, "gc_percent", pi->env.gc_percent);
		if (pi->env.memlimit_valid && pi->env.memlimit_bytes != INT64_MAX)
			json_i64(w, "memory_limit_bytes", pi->env.memlimit_bytes);
		else
			json_null(w, "memory_limit_bytes");
	}
	json_obj_end(w);
}

static void json_heap_state(struct json_writer *w, const struct oom_report *r)
{
	const struct go_heap_state *s = &r->heap.st;
	const struct go_env *e = &r->info.env;
	bool env = r->have_info && !r->info.env_err;

	json_u64(w, "live_bytes", s->heap_live);
	json_u64(w, "marked_bytes", s->heap_marked);
	json_u64(w, "alloc_bytes", s->heap_alloc);
	json_str(w, "goal_by", go_heap_goal_by__name(s->goal_by));
	if (s->goal_by == GO_GOAL_UNKNOWN || s->goal_by == GO_GOAL_NONE)
		json_null(w, "goal_bytes");
	else
		json_u64(w, "goal_bytes", s->heap_goal);
	json_i64(w, "gc_percent", s->gc_percent);
	if (s->memory_limit == INT64_MAX)
		json_null(w, "memory_limit_bytes");
	else
		json_i64(w, "memory_limit_bytes", s->memory_limit);
	if (env) {
		json_bool(w, "gc_percent_set_in_code",
			  heap_gc_percent_set_in_code(e->gc_percent, s->gc_percent));
		json_bool(w, "memory_limit_set_in_code",
			  e->memlimit_valid && heap_memory_limit_set_in_code(e->memlimit_bytes,
									     s->memory_limit));
	}
	json_u64(w, "gc_cycles", s->gc_cycles);
	if (s->gc_cycles && s->last_gc_nanotime && s->last_gc_nanotime <= r->ev.ktime_ns)
		json_u64(w, "last_gc_ns_before_kill", r->ev.ktime_ns - s->last_gc_nanotime);
	json_u64(w, "heap_sys_bytes", s->heap_sys);
	json_u64(w, "heap_released_bytes", s->heap_released);
	json_u64(w, "runtime_mapped_bytes", s->mapped_ready);
}

/* The Go heap at the death: null for a victim not known to be Go. */
static void json_heap(struct json_writer *w, const struct oom_report *r)
{
	const struct heap_report *h = &r->heap;

	if (h->status == HEAP_NOT_GO) {
		json_null(w, "go_heap");
		return;
	}
	json_obj_begin(w, "go_heap");
	json_str(w, "status", h->status == HEAP_READ ? "read" : "unavailable");
	if (h->source[0])
		json_str(w, "source", h->source);
	if (h->status == HEAP_UNAVAILABLE) {
		json_str(w, "why", h->why);
	} else {
		json_str(w, "read_at", h->snap.where == OOM_HEAP_AT_KILL ? "kill" : "sigkill");
		json_i64(w, "read_ns_after_kill", h->read_before_kill_ns);
		json_u64(w, "read_tid", h->snap.tid);
		json_heap_state(w, r);
	}
	json_obj_end(w);
}

static void json_pressure(struct json_writer *w, const struct oom_report *r)
{
	if (r->have_reclaim) {
		json_obj_begin(w, "reclaim");
		json_u64(w, "count", r->reclaim.reclaim_count);
		json_u64(w, "stall_ns", r->reclaim.reclaim_ns_total);
		json_u64(w, "max_ns", r->reclaim.reclaim_ns_max);
		json_u64(w, "reclaimed_pages", r->reclaim.reclaimed_pages);
		json_u64(w, "pgscan_direct", r->reclaim.pgscan_direct);
		json_u64(w, "pgsteal_direct", r->reclaim.pgsteal_direct);
		json_u64(w, "pgmajfault", r->reclaim.pgmajfault);
		json_obj_end(w);
	} else {
		json_null(w, "reclaim");
	}
	if (!r->have_psi) {
		json_null(w, "psi");
		return;
	}
	json_obj_begin(w, "psi");
	json_str(w, "source", r->psi_node ? "node" : "cgroup");
	json_f64(w, "some_avg10", r->psi.some.avg10);
	json_f64(w, "full_avg10", r->psi.full.avg10);
	json_u64(w, "some_total_us", r->psi.some.total_us);
	json_u64(w, "full_total_us", r->psi.full.total_us);
	if (r->psi_window_ns) {
		json_u64(w, "window_ns", r->psi_window_ns);
		json_u64(w, "some_stall_us", r->psi_some_stall_us);
		json_u64(w, "full_stall_us", r->psi_full_stall_us);
	}
	json_obj_end(w);
}

void oom_render_json(FILE *f, const struct oom_report *r, const struct fact *fact,
		     const struct cand_list *cands)
{
	struct json_writer w;

	json_init(&w, f);
	json_obj_begin(&w, NULL);
	json_str(&w, "event", "oom_kill");
	json_u64(&w, "time_ns", r->kill_realtime_ns);
	json_u64(&w, "kill_ktime_ns", r->ev.ktime_ns);
	json_u64(&w, "print_latency_ns", r->print_mono_ns - r->ev.ktime_ns);
	json_str(&w, "mechanism", r->mechanism);
	json_str(&w, "subject", r->subject);
	json_victim(&w, r);
	json_levels(&w, r);
	json_traj(&w, r);
	json_files(&w, r);
	json_pressure(&w, r);
	json_go(&w, r);
	json_heap(&w, r);
	if (fact)
		fact_write_json(&w, "fact", fact);
	rank_write_json_list(&w, "candidates", cands);
	json_obj_end(&w);
	json_end_line(&w);
}
