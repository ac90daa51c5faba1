// SPDX-License-Identifier: GPL-2.0
/* One run of the OOM tracer (oom/session.h): setup, kills, ticks, teardown. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/signals.h"
#include "kern/cgroup_layout.h"
#include "kern/hooks.h"
#include "oom/render.h"
#include "oom/report.h"
#include "oom/scope.h"
#include "oom/session.h"
#include "oom/watch.h"
#include "out/json.h"
#include "rank/fact.h"
#include "rank/rules.h"
#include "sym/ksyms.h"

#define SAMPLE_NS 100000000ULL	   /* usage every 100 ms */
#define FULL_NS 1000000000ULL	   /* limits, events, PSI, processes every second */
#define WINDOW_NS 120000000000ULL  /* two minutes of history */
#define ARM_PERCENT 75		   /* usage/limit that arms the charge-path counters */
#define ARM_HOLD_NS 10000000000ULL /* and for how long after the last time it was seen */
/*
 * How long a kill waits for its victim's Go heap reading: a victim killed
 * by another process reads it when it dequeues its SIGKILL, normally within
 * a millisecond; one stuck in the kernel may never. The wait is part of the
 * kill-to-print latency.
 */
#define HEAP_WAIT_NS 100000000ULL
#define HEAP_POLL_MS 5 /* poll granularity while a kill waits */
#define MAX_WAITING 64

struct oom_session {
	struct oom_session_opts o;
	const struct common_opts *co;
	struct oom_scope scope;
	struct cgroup_layout cl;
	struct watch *watch;
	struct oom_tracer *tracer;
	struct ksyms *ksyms;
	char mechanism[128];
	uint32_t kills, skipped;
	uint32_t armed; /* times the charge-path counters were armed */
	uint64_t hot_until;
	uint64_t start_ns;
	/* Kills waiting for their victim's Go heap reading (oom_report__heap). */
	struct oom_report *waiting[MAX_WAITING];
	uint64_t waiting_until[MAX_WAITING];
	size_t nwaiting;
};

/* ------------------------------------------------------------------ kills */

static struct oom_enrich_ctx enrich_ctx(const struct oom_session *run)
{
	return (struct oom_enrich_ctx){
		.watch = run->watch,
		.ksyms = run->ksyms,
		.tracer = run->tracer,
		.host_root = g_opts.host_root,
		.mechanism = run->mechanism,
		.unified_mount = run->cl.unified_mount,
		.window_ns = WINDOW_NS,
	};
}

/* A kill with everything known: its fact, the rules, the output. Frees r. */
static void finish(struct oom_session *run, struct oom_report *r)
{
	struct fact_store one = {0};
	struct cand_list cands = {0};
	struct fact *f;

	/* One kill's fact alone: its candidates explain this death (merge_key death:<pid>). */
	f = oom_report__to_fact(r);
	if (f && !fact_store__add(&one, f))
		rank__evaluate(&one, (const char *const[]){"oom_", NULL}, &cands);
	else
		f = NULL; /* add() freed it */
	if (f && run->o.sink)
		run->o.sink->add(run->o.sink->ctx, f);
	r->print_mono_ns = mono_ns();
	if (run->o.quiet)
		; /* watch/doctor print */
	else if (run->co->json)
		oom_render_json(stdout, r, f, &cands);
	else
		oom_render_text(stdout, r, &cands, run->co->verbose);
	run->kills++;
	cand_list__clear(&cands);
	fact_store__clear(&one);
	free(r);
}

/* Why a kill stopped waiting for its heap reading. */
static const char *why_no_reading(const struct oom_session *run, const struct oom_report *r,
				  bool stopping, char *buf, size_t len)
{
	const struct oom_hook_state *sk = oom_tracer__hook(run->tracer, OOM_HOOK_SIGKILL);

	if (stopping)
		snprintf(buf, len, "gotrace stopped before the victim dequeued its SIGKILL");
	else if (!sk->used)
		snprintf(buf, len,
			 "the victim did not run the OOM killer itself (pid %u did) and "
			 "signal_deliver is unavailable here (%.160s)",
			 r->ev.trigger_pid, sk->why_not);
	else
		snprintf(buf, len,
			 "the victim had not dequeued its SIGKILL %llu ms after the kill (stuck "
			 "in the kernel, or already exiting)",
			 (unsigned long long)(HEAP_WAIT_NS / 1000000));
	return buf;
}

/* Kills whose reading came, or whose wait is over (all of them when stopping). */
static void flush_waiting(struct oom_session *run, bool stopping)
{
	struct oom_enrich_ctx cx = enrich_ctx(run);
	uint64_t now = mono_ns();
	size_t i = 0;
	char why[300];

	while (i < run->nwaiting) {
		struct oom_report *r = run->waiting[i];

		if (oom_report__heap(r, &cx, NULL) == -EAGAIN) {
			if (!stopping && now < run->waiting_until[i]) {
				i++;
				continue;
			}
			oom_report__heap(r, &cx,
					 why_no_reading(run, r, stopping, why, sizeof(why)));
		}
		run->nwaiting--;
		run->waiting[i] = run->waiting[run->nwaiting];
		run->waiting_until[i] = run->waiting_until[run->nwaiting];
		finish(run, r);
	}
}

static int on_kill(void *ctx, const struct oom_kill_event *e)
{
	struct oom_session *run = ctx;
	struct oom_enrich_ctx cx = enrich_ctx(run);
	struct oom_report *r = malloc(sizeof(*r));
	char why[300];

	if (!r)
		return -ENOMEM;
	oom_report__build(r, e, &cx);
	if (!oom_scope__kill(&run->scope, r)) {
		run->skipped++;
		free(r);
		return 0;
	}
	if (oom_report__heap(r, &cx, NULL) == -EAGAIN) {
		if (run->nwaiting < MAX_WAITING &&
		    oom_tracer__hook(run->tracer, OOM_HOOK_SIGKILL)->used) {
			run->waiting[run->nwaiting] = r;
			run->waiting_until[run->nwaiting++] = r->recv_mono_ns + HEAP_WAIT_NS;
			return 0;
		}
		oom_report__heap(r, &cx, why_no_reading(run, r, false, why, sizeof(why)));
	}
	finish(run, r);
	return 0;
}

/* The tracer's own exec hook (standalone oom); see oom_session__see_exec. */
static void on_exec(void *ctx, pid_t pid)
{
	struct oom_session *run = ctx;

	if (run->watch)
		watch__see_exec(run->watch, pid);
}

int oom_session__poll(void *ctx, int timeout_ms)
{
	struct oom_session *run = ctx;
	int n;

	if (run->nwaiting && timeout_ms > HEAP_POLL_MS)
		timeout_ms = HEAP_POLL_MS;
	n = oom_tracer__poll(run->tracer, timeout_ms, on_kill, on_exec, run);
	flush_waiting(run, false);
	return n;
}

bool oom_session__done(void *ctx)
{
	struct oom_session *run = ctx;

	return run->o.count && run->kills >= run->o.count;
}

/* ------------------------------------------------------------------ start, summary */

static void hooks_json(struct json_writer *w, const struct oom_session *run)
{
	json_arr_begin(w, "hooks");
	for (int h = 0; h < OOM_HOOK_NR; h++) {
		const struct oom_hook_state *hs = oom_tracer__hook(run->tracer, h);
		char tgt[96];

		json_obj_begin(w, NULL);
		json_str(w, "hook", hs->hook);
		if (hs->used) {
			kern_target__format(&hs->t, tgt, sizeof(tgt));
			json_str(w, "mechanism", kern_mech_name(hs->t.mech));
			json_str(w, "target", tgt);
			json_bool(w, "attached", hs->armed);
		} else {
			json_str(w, "unavailable", hs->why_not);
		}
		json_obj_end(w);
	}
	json_arr_end(w);
}

void oom_session__print_start(const struct oom_session *run)
{
	char scope[PATH_MAX + 64];
	size_t limited = 0;
	struct json_writer w;

	oom_scope__describe(&run->scope, scope, sizeof(scope));
	watch__ncgroups(run->watch, &limited);
	if (run->co->json) {
		json_init(&w, stdout);
		json_obj_begin(&w, NULL);
		json_str(&w, "event", "start");
		json_str(&w, "scope", scope);
		json_u64(&w, "watched_cgroups", limited);
		hooks_json(&w, run);
		json_obj_end(&w);
		json_end_line(&w);
		return;
	}
	fprintf(stderr, "gotrace oom: %s, %zu memory cgroup%s with a limit watched; kills via %s",
		scope, limited, limited == 1 ? "" : "s", run->mechanism);
	for (int h = OOM_HOOK_EVENTS; h < OOM_HOOK_NR; h++)
		if (!oom_tracer__hook(run->tracer, h)->used)
			fprintf(stderr, "\n  (no %s: %s)", oom_tracer__hook(run->tracer, h)->hook,
				oom_tracer__hook(run->tracer, h)->why_not);
	fprintf(stderr, ". Ctrl-C to stop.\n");
}

/*
 * The charge-path counters cost a little on every page fault: armed only
 * near a limit, and kept armed for a while after, so usage swinging around
 * the threshold does not attach and detach every tick.
 */
static void arm(struct oom_session *run, uint64_t now)
{
	bool hot;

	if (watch__hot(run->watch, ARM_PERCENT))
		run->hot_until = now + ARM_HOLD_NS;
	hot = now < run->hot_until;

	if (hot != oom_tracer__hook(run->tracer, OOM_HOOK_EVENTS)->armed &&
	    !oom_tracer__arm_events(run->tracer, hot) && hot)
		run->armed++;
}

int oom_session__tick(void *ctx, bool final)
{
	struct oom_session *run = ctx;
	struct oom_bpf_stats st;
	struct json_writer w;

	if (!final) {
		uint64_t now = mono_ns();

		watch__tick(run->watch, now);
		arm(run, now);
		return 0;
	}
	flush_waiting(run, true);
	if (run->o.quiet)
		return 0;
	oom_tracer__stats(run->tracer, &st);
	if (run->co->json) {
		json_init(&w, stdout);
		json_obj_begin(&w, NULL);
		json_str(&w, "event", "summary");
		json_u64(&w, "kills", run->kills);
		json_u64(&w, "kills_out_of_scope", run->skipped);
		json_u64(&w, "duration_ns", mono_ns() - run->start_ns);
		json_u64(&w, "ringbuf_drops", st.ringbuf_drops);
		json_u64(&w, "memcg_map_full", st.memcg_map_full);
		json_u64(&w, "charge_counters_armed", run->armed);
		json_u64(&w, "go_heap_reads", st.go_heap_reads);
		json_u64(&w, "go_heap_read_faults", st.go_heap_faults);
		json_obj_end(&w);
		json_end_line(&w);
	} else {
		fprintf(stderr,
			"gotrace oom: %u kill%s in scope (%u outside); lost records: %llu\n",
			run->kills, run->kills == 1 ? "" : "s", run->skipped,
			(unsigned long long)st.ringbuf_drops);
	}
	return 0;
}

/* ------------------------------------------------------------------ setup */

/* Where a Go process read ahead keeps its heap words goes to the kernel half. */
static void on_proc(void *ctx, const struct proc_info *pi, bool alive)
{
	struct oom_session *run = ctx;
	uint64_t addrs[GO_HEAP_NFIELDS];

	if (!pi->heap_tried || pi->heap.err)
		return;
	if (!alive) {
		oom_tracer__go_heap_forget(run->tracer, (uint32_t)pi->pid);
		return;
	}
	for (int f = 0; f < GO_HEAP_NFIELDS; f++)
		addrs[f] = pi->heap.addr[f];
	oom_tracer__go_heap_set(run->tracer, (uint32_t)pi->pid, addrs, GO_HEAP_NFIELDS);
}

static int setup_watch(struct oom_session *run)
{
	struct watch_cfg cfg = {
		.mem_version = run->cl.memory_version,
		.mem_mount = run->cl.memory_mount,
		.unified_mount = run->cl.unified_mount,
		.in_scope = oom_scope__cgroup,
		.scope_ctx = &run->scope,
		.sample_ns = SAMPLE_NS,
		.full_ns = FULL_NS,
		.window_ns = WINDOW_NS,
		.no_read_ahead = run->o.no_read_ahead,
		.on_proc = on_proc,
		.proc_ctx = run,
	};
	int err;

	if (!run->cl.memory_version)
		return err_fail(GT_ENOFEAT, "oom: this node has no memory cgroup controller "
					    "mounted (neither cgroup v1 memory nor cgroup2)");
	err = watch__new(&cfg, &run->watch);
	if (!err)
		err = watch__tick(run->watch, mono_ns());
	return err;
}

static int setup(struct oom_session *run)
{
	const struct oom_hook_state *kill;
	char tgt[96];
	int err;

	err = cgroup_layout__read(&run->cl);
	if (!err)
		err = oom_scope__init(&run->scope, run->co, &run->cl);
	/* The tracer first: the watch's first round names Go processes' heap words to it. */
	if (!err)
		err = oom_tracer__open(&run->o.topts, &run->tracer);
	if (!err)
		err = setup_watch(run);
	if (err)
		return err;
	kill = oom_tracer__hook(run->tracer, OOM_HOOK_KILL);
	kern_target__format(&kill->t, tgt, sizeof(tgt));
	snprintf(run->mechanism, sizeof(run->mechanism), "%s %s", kern_mech_name(kill->t.mech),
		 tgt);
	/* Without kernel symbols the kind comes from the memcg counters instead. */
	if (ksyms__load(&run->ksyms))
		run->ksyms = NULL;
	return 0;
}

int oom_session__load_only_report(const struct oom_session *run)
{
	struct json_writer w;

	if (!run->co->json) {
		printf("loaded (verifier accepted): %s\n", run->mechanism);
		return 0;
	}
	json_init(&w, stdout);
	json_obj_begin(&w, NULL);
	json_str(&w, "event", "loaded");
	hooks_json(&w, run);
	json_obj_end(&w);
	json_end_line(&w);
	return 0;
}

static void teardown(struct oom_session *run)
{
	for (size_t i = 0; i < run->nwaiting; i++)
		free(run->waiting[i]);
	watch__free(run->watch);
	oom_tracer__free(run->tracer);
	ksyms__free(run->ksyms);
}

int oom_session__open(const struct oom_session_opts *o, struct oom_session **out)
{
	struct oom_session *run = calloc(1, sizeof(*run));
	int err;

	if (!run)
		return -ENOMEM;
	run->o = *o;
	run->co = o->co;
	err = setup(run);
	if (err) {
		oom_session__free(run);
		return err;
	}
	run->start_ns = mono_ns();
	*out = run;
	return 0;
}

void oom_session__see_exec(struct oom_session *run, pid_t pid)
{
	if (run && run->watch)
		watch__see_exec(run->watch, pid);
}

void oom_session__free(struct oom_session *run)
{
	if (!run)
		return;
	teardown(run);
	free(run);
}

void oom_session__stats(const struct oom_session *run, struct oom_session_stats *out)
{
	struct oom_bpf_stats st;

	memset(out, 0, sizeof(*out));
	out->kills = run->kills;
	out->skipped = run->skipped;
	oom_tracer__stats(run->tracer, &st);
	out->ringbuf_drops = st.ringbuf_drops;
	snprintf(out->mechanism, sizeof(out->mechanism), "%s", run->mechanism);
}
