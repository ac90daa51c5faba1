// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace oom: every OOM kill as it happens, node-wide by default: who was
 * killed and who triggered it, which limit was hit, how usage got there,
 * the pod and container, the Go runtime's memory knobs, and ranked causes
 * with a fix.
 *
 * Lifecycle: scope → watch (cgroup history and process read-ahead start
 * before the hooks, so the first kill already has a past) → tracer
 * open/attach → loop (ring buffer poll; every tick a watch round) → summary.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/loop.h"
#include "base/num.h"
#include "base/signals.h"
#include "bpf_oom.h"
#include "commands.h"
#include "kern/cgroup_layout.h"
#include "kern/hooks.h"
#include "oom/render.h"
#include "oom/report.h"
#include "oom/scope.h"
#include "oom/watch.h"
#include "out/json.h"
#include "rank/fact.h"
#include "rank/rules.h"
#include "sym/ksyms.h"

enum {
	ID_COUNT = 0x100,
	ID_FORCE_KILL_HOOK,
	ID_LOAD_ONLY,
	ID_NO_READ_AHEAD,
};

#define SAMPLE_NS 100000000ULL	   /* usage every 100 ms */
#define FULL_NS 1000000000ULL	   /* limits, events, PSI, processes every second */
#define WINDOW_NS 120000000000ULL  /* two minutes of history */
#define ARM_PERCENT 75		   /* usage/limit that arms the charge-path counters */
#define ARM_HOLD_NS 10000000000ULL /* and for how long after the last time it was seen */

static const struct cmd_opt oom_opts[] = {
	{"count", 'n', required_argument, ID_COUNT, "N", "stop after N kills in scope"},
	{"force-kill-hook", 0, required_argument, ID_FORCE_KILL_HOOK, "MECH",
	 "use this mechanism for the kill hook (fentry, kprobe, tp_btf, raw_tp, tracepoint)", true},
	{"load-only", 0, no_argument, ID_LOAD_ONLY, NULL,
	 "load the programs (verifier) and stop before attaching", true},
	{"no-read-ahead", 0, no_argument, ID_NO_READ_AHEAD, NULL,
	 "do not read processes before they are killed (tests the victim-gone path)", true},
	{0},
};

struct oom_args {
	uint32_t count;
	bool no_read_ahead;
	struct oom_tracer_opts topts;
};

struct oom_run {
	const struct common_opts *co;
	const struct oom_args *a;
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
};

static int parse_mech(const char *s, enum kern_mech *out)
{
	for (int m = 0; m < MECH_UPROBE; m++) {
		if (!strcmp(s, kern_mech_name(m))) {
			*out = m;
			return 0;
		}
	}
	return err_fail(GT_EUSAGE, "oom: --force-kill-hook: unknown mechanism '%s'", s);
}

static int oom_opt(void *ctx, int id, const char *arg)
{
	struct oom_args *a = ctx;

	switch (id) {
	case ID_COUNT:
		if (num_parse_u32(arg, 1, 1000000, &a->count))
			return err_fail(GT_EUSAGE,
					"oom: --count '%s' is not a number of kills (1 or more)",
					arg);
		return 0;
	case ID_FORCE_KILL_HOOK:
		return parse_mech(arg, &a->topts.force_kill_mech);
	case ID_LOAD_ONLY:
		a->topts.load_only = true;
		return 0;
	case ID_NO_READ_AHEAD:
		a->no_read_ahead = true;
		return 0;
	}
	return 0;
}

/* ------------------------------------------------------------------ kills */

static int on_kill(void *ctx, const struct oom_kill_event *e)
{
	struct oom_run *run = ctx;
	struct oom_enrich_ctx cx = {
		.watch = run->watch,
		.ksyms = run->ksyms,
		.tracer = run->tracer,
		.host_root = g_opts.host_root,
		.mechanism = run->mechanism,
		.unified_mount = run->cl.unified_mount,
		.window_ns = WINDOW_NS,
	};
	struct oom_report *r = malloc(sizeof(*r));
	struct fact_store one = {0};
	struct cand_list cands = {0};
	struct fact *f;

	if (!r)
		return -ENOMEM;
	oom_report__build(r, e, &cx);
	if (!oom_scope__kill(&run->scope, r)) {
		run->skipped++;
		free(r);
		return 0;
	}
	/* One kill's fact alone: its candidates explain this death (merge_key death:<pid>). */
	f = oom_report__to_fact(r);
	if (f && !fact_store__add(&one, f))
		rank__evaluate(&one, (const char *const[]){"oom_", NULL}, &cands);
	else
		f = NULL; /* add() freed it */
	r->print_mono_ns = mono_ns();
	if (run->co->json)
		oom_render_json(stdout, r, f, &cands);
	else
		oom_render_text(stdout, r, &cands, run->co->verbose);
	run->kills++;
	cand_list__clear(&cands);
	fact_store__clear(&one);
	free(r);
	return 0;
}

static int run_poll(void *ctx, int timeout_ms)
{
	struct oom_run *run = ctx;

	return oom_tracer__poll(run->tracer, timeout_ms, on_kill, run);
}

static bool run_stop(void *ctx)
{
	struct oom_run *run = ctx;

	return run->a->count && run->kills >= run->a->count;
}

/* ------------------------------------------------------------------ start, summary */

static void hooks_json(struct json_writer *w, const struct oom_run *run)
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

static void print_start(const struct oom_run *run)
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
static void arm(struct oom_run *run, uint64_t now)
{
	bool hot;

	if (watch__hot(run->watch, ARM_PERCENT))
		run->hot_until = now + ARM_HOLD_NS;
	hot = now < run->hot_until;

	if (hot != oom_tracer__hook(run->tracer, OOM_HOOK_EVENTS)->armed &&
	    !oom_tracer__arm_events(run->tracer, hot) && hot)
		run->armed++;
}

static int run_tick(void *ctx, bool final)
{
	struct oom_run *run = ctx;
	struct oom_bpf_stats st;
	struct json_writer w;

	if (!final) {
		uint64_t now = mono_ns();

		watch__tick(run->watch, now);
		arm(run, now);
		return 0;
	}
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

static int setup_watch(struct oom_run *run)
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
		.no_read_ahead = run->a->no_read_ahead,
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

static int setup(struct oom_run *run)
{
	const struct oom_hook_state *kill;
	char tgt[96];
	int err;

	err = cgroup_layout__read(&run->cl);
	if (!err)
		err = oom_scope__init(&run->scope, run->co, &run->cl);
	if (!err)
		err = setup_watch(run);
	if (!err)
		err = oom_tracer__open(&run->a->topts, &run->tracer);
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

static int load_only_report(const struct oom_run *run)
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

static void teardown(struct oom_run *run)
{
	oom_tracer__free(run->tracer);
	watch__free(run->watch);
	ksyms__free(run->ksyms);
}

static int oom_run(const struct cmd_spec *spec, int argc, char **argv)
{
	struct oom_args a = {.topts = {.force_kill_mech = MECH_NR}};
	struct common_opts co;
	struct oom_run run = {.co = &co, .a = &a};
	struct run_loop rl = {0};
	int first, err;

	err = opts_parse(spec, argc, argv, &co, oom_opt, &a, &first);
	if (err)
		return err;
	if (first < argc)
		return err_fail(GT_EUSAGE,
				"oom: unexpected argument '%s' (see 'gotrace oom --help')",
				argv[first]);
	err = setup(&run);
	if (!err && a.topts.load_only)
		err = load_only_report(&run);
	if (err || a.topts.load_only)
		goto out;
	run.start_ns = mono_ns();
	print_start(&run);
	rl = (struct run_loop){.duration_ns = co.duration_ns,
			       .interval_ns = SAMPLE_NS,
			       .max_poll_ms = 50,
			       .poll = run_poll,
			       .tick = run_tick,
			       .stop = run_stop,
			       .ctx = &run};
	err = run_loop__run(&rl);
out:
	teardown(&run);
	return err;
}

const struct cmd_spec cmd_oom = {
	.name = "oom",
	.summary = "OOM kills as they happen: victim, pod, the limit and how usage got there, Go "
		   "facts",
	.usage = "[--pid PID | -c CGROUP | --pod UID | --container ID] [-d DUR] [-n N] [--json]",
	.description =
		"Reports every OOM kill on the node (or in the given scope) as it happens: the\n"
		"victim (pid, comm, RSS, oom_score_adj) and the task that triggered it, memcg or\n"
		"node OOM, the limit that was hit and the usage, the pod, container and restart\n"
		"count from the node's cgroup and kubelet log layout, how usage got to the limit\n"
		"(steady growth, a sudden jump, or sitting at the limit; reclaim stalls, PSI),\n"
		"and for Go programs the Go version and GOGC/GOMEMLIMIT/GODEBUG/GOMAXPROCS with\n"
		"ranked causes and fixes. Memory cgroups with a limit are sampled while it runs\n"
		"(usage every 100 ms): start it before the trouble to see the trajectory.",
	.examples =
		"  sudo gotrace oom                          # every OOM kill on the node\n"
		"  sudo gotrace oom --pod 7f6c1a2e-...       # one pod's kills\n"
		"  sudo gotrace oom -c /kubepods/burstable   # kills below a cgroup\n"
		"  sudo gotrace oom --json -n 1              # the next kill as JSON, then exit\n",
	.shared = OPT_PID | OPT_CGROUP | OPT_POD | OPT_CONTAINER | OPT_DURATION | OPT_JSON,
	.opts = oom_opts,
	.run = oom_run,
};
