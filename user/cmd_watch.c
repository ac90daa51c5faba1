// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace watch: the live incident terminal. Runs the crash/bind tracer
 * (exec, exits, signals and their senders, failed syscalls, Go fatal errors
 * through uprobes on every Go binary that starts), the OOM tracer and the
 * CPU throttling sampler together, quietly, into one fact store; after new facts the shared rules
 * re-rank every candidate and the view shows what is new or changed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/loop.h"
#include "base/mem.h"
#include "base/signals.h"
#include "commands.h"
#include "kern/features.h"
#include "crash/crash.h"
#include "kern/cgroup_layout.h"
#include "live/cpusampler.h"
#include "live/live.h"
#include "oom/scope.h"
#include "oom/session.h"
#include "rank/rules.h"

/*
 * What watch remembers, in bytes: 4 MiB is thousands of deaths. When
 * it is full the oldest context facts (failed syscalls, execs, output,
 * signals delivered: a busy node's flood, kilobytes each) go first, the
 * deaths and what explains them (exits, kills, Go fatal errors, throttling)
 * last, down to three quarters of it.
 */
#define FACT_BUDGET_BYTES (4u << 20)
#define REDRAW_NS 1000000000ULL /* the TTY view ages ("last 3s ago") even when quiet */

enum { ID_NO_HOLD = 0x100, ID_FACTS };

static const struct cmd_opt watch_opts[] = {
	{"facts", 0, no_argument, ID_FACTS, NULL,
	 "with --json: also every fact as it is observed (the evidence stream)"},
	{"no-hold", 0, no_argument, ID_NO_HOLD, NULL,
	 "never pause a new binary at its first exec to attach the Go probes (a crash in its first "
	 "milliseconds may then be missed)"},
	{0},
};

struct watch_run {
	struct common_opts co;
	bool no_hold;
	bool print_facts;
	struct crash_session *crash;
	struct oom_session *oom;
	struct oom_scope scope; /* the CPU sampler's */
	struct cpu_sampler *cpu;
	struct fact_store facts;
	size_t fact_bytes; /* fact_bytes() of the store */
	struct fact_sink sink;
	struct live_dumps *dumps;
	bool dirty;
	struct cand_list cands;
	struct live_view view;
	uint64_t kills;
};

static int watch_opt(void *ctx, int id, const char *arg)
{
	struct watch_run *r = ctx;

	if (id == ID_NO_HOLD)
		r->no_hold = true;
	else if (id == ID_FACTS)
		r->print_facts = true;
	return 0;
}

/* Spared when the budget is full: everything but the context facts. */
static bool spared_in_trim(const struct fact *f)
{
	static const char *const kinds[] = {"open_fail",     "connect_fail", "bind",
					    "cap_denied",    "exec",	     "output",
					    "signal_deliver"};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(f->kind, kinds[i]))
			return false;
	return true;
}

/* Both tracers hand their facts here. */
static void on_fact(void *ctx, const struct fact *f)
{
	struct watch_run *r = ctx;
	struct fact *copy = fact_clone(f);
	size_t bytes;

	if (!copy)
		return;
	if (r->print_facts && r->co.json) {
		fact_write_json(&r->view.w, NULL, f);
		json_end_line(&r->view.w);
	}
	if (r->fact_bytes > FACT_BUDGET_BYTES)
		r->fact_bytes = fact_store__trim_bytes(&r->facts, FACT_BUDGET_BYTES / 4 * 3,
						       spared_in_trim);
	bytes = fact_bytes(copy);
	if (!fact_store__add(&r->facts, copy)) {
		r->fact_bytes += bytes;
		r->dirty = true;
	}
	if (!strcmp(f->kind, "oom_kill"))
		r->kills++;
	live_dumps__on_fact(r->dumps, f);
}

static void stats(struct watch_run *r, struct live_stats *st)
{
	struct crash_session_stats cs;
	struct oom_session_stats os;

	memset(st, 0, sizeof(*st));
	crash_session__stats(r->crash, &cs);
	oom_session__stats(r->oom, &os);
	st->deaths = cs.deaths;
	st->events = cs.events;
	st->lost = cs.events_lost + os.ringbuf_drops;
	st->holds = cs.holds;
	st->kills = os.kills;
	st->hooks_attached = cs.hooks_attached;
	st->hooks_missing = cs.hooks_missing;
	st->facts = r->facts.n;
}

static void rerank(struct watch_run *r, bool force)
{
	struct live_stats st;

	if (r->dirty) {
		rank__evaluate(&r->facts, NULL, &r->cands);
		live_fold(&r->cands);
		r->dirty = false;
		force = true;
	}
	stats(r, &st);
	live_view__update(&r->view, &r->cands, &st, force);
}

static int watch_poll(void *ctx, int timeout_ms)
{
	struct watch_run *r = ctx;
	int half = timeout_ms / 2, err;

	err = crash_session__poll(r->crash, half);
	if (!err)
		err = oom_session__poll(r->oom, timeout_ms - half);
	if (!err && r->dirty)
		rerank(r, false); /* a verdict within one poll of its facts */
	return err;
}

static int watch_tick(void *ctx, bool final)
{
	struct watch_run *r = ctx;
	struct live_stats st;
	int err = crash_session__tick(r->crash, final);

	if (!err)
		err = oom_session__tick(r->oom, final);
	if (err)
		return err;
	live_dumps__tick(r->dumps, &r->sink);
	if (!final)
		cpu_sampler__tick(r->cpu, mono_ns());
	if (!final) {
		rerank(r, r->view.tty && mono_ns() - r->view.last_draw_ns >= REDRAW_NS);
		return 0;
	}
	if (r->dirty) {
		rank__evaluate(&r->facts, NULL, &r->cands);
		live_fold(&r->cands);
	}
	stats(r, &st);
	live_view__final(&r->view, &r->cands, &st);
	return 0;
}

static void on_exec(void *ctx, pid_t pid)
{
	struct watch_run *r = ctx;

	oom_session__see_exec(r->oom, pid);
}

static void describe_scope(struct watch_run *r)
{
	char *s = r->view.scope;
	size_t n = sizeof(r->view.scope);

	if (r->co.pid)
		snprintf(s, n, "pid %d", (int)r->co.pid);
	else if (r->co.pod)
		snprintf(s, n, "pod %.200s", r->co.pod);
	else if (r->co.container)
		snprintf(s, n, "container %.64s", r->co.container);
	else if (r->co.cgroup)
		snprintf(s, n, "cgroup %.200s", r->co.cgroup);
	else
		snprintf(s, n, "all containers on this node");
}

static int watch_start(struct watch_run *r)
{
	struct crash_session_opts co = {
		.mode = CRASH_MODE_CRASH,
		.pid = r->co.pid,
		.cgroup = r->co.cgroup,
		.pod = r->co.pod,
		.container = r->co.container,
		.verbose = r->co.verbose,
		.hold = !r->no_hold,
		.host_root = g_opts.host_root,
		.sink = &r->sink,
		.quiet = true,
		.on_exec = on_exec,
		.exec_ctx = r,
	};
	struct oom_session_opts oo = {.co = &r->co,
				      .sink = &r->sink,
				      .quiet = true,
				      .topts = {.force_kill_mech = MECH_NR}};
	struct cpu_sampler_opts so = {.in_scope = oom_scope__cgroup,
				      .scope_ctx = &r->scope,
				      .host_root = g_opts.host_root,
				      .sink = &r->sink};
	struct cgroup_layout cl;
	int err;

	r->sink = (struct fact_sink){.add = on_fact, .ctx = r};
	err = live_dumps__new(&r->dumps);
	if (!err)
		err = oom_session__open(&oo, &r->oom); /* validates the scope, with the messages */
	if (!err)
		err = crash_session__open(&co, &r->crash);
	if (err)
		return err;
	/* Without cgroups there is no quota to sample: the sampler is simply absent. */
	if (!cgroup_layout__read(&cl) && !oom_scope__init(&r->scope, &r->co, &cl))
		err = cpu_sampler__new(&so, &r->cpu);
	return err;
}

static int watch_run(const struct cmd_spec *spec, int argc, char **argv)
{
	struct watch_run *r = calloc(1, sizeof(*r));
	struct run_loop rl = {0};
	int first, err;

	mem__tune_for_daemon();
	if (!r)
		return -ENOMEM;
	err = opts_parse(spec, argc, argv, &r->co, watch_opt, r, &first);
	if (!err && first < argc)
		err = err_fail(GT_EUSAGE, "watch: unexpected argument '%s'", argv[first]);
	if (err)
		goto out;
	r->view.json = r->co.json;
	r->view.verbose = r->co.verbose;
	r->view.tty = isatty(STDOUT_FILENO);
	r->view.color = r->view.tty && !getenv("NO_COLOR");
	r->view.start_mono_ns = mono_ns();
	json_init(&r->view.w, stdout);
	describe_scope(r);
	err = watch_start(r);
	if (err)
		goto out;
	features__release_memory();
	if (r->co.json) {
		/* Everything is attached: from here on nothing is missed (scripts wait for it). */
		json_obj_begin(&r->view.w, NULL);
		json_obj_begin(&r->view.w, "status");
		json_str(&r->view.w, "command", "watch");
		json_bool(&r->view.w, "ready", true);
		json_str(&r->view.w, "scope", r->view.scope);
		json_obj_end(&r->view.w);
		json_obj_end(&r->view.w);
		json_end_line(&r->view.w);
	} else if (!r->view.tty) {
		fprintf(stderr,
			"gotrace watch: %s; a verdict per new or changed root cause. Ctrl-C "
			"for the summary.\n",
			r->view.scope);
	}
	rerank(r, true);
	rl = (struct run_loop){.duration_ns = r->co.duration_ns,
			       .interval_ns = OOM_SESSION_TICK_NS,
			       .max_poll_ms = 50,
			       .poll = watch_poll,
			       .tick = watch_tick,
			       .ctx = r};
	err = run_loop__run(&rl);
out:
	crash_session__free(r->crash);
	oom_session__free(r->oom);
	cpu_sampler__free(r->cpu);
	live_dumps__free(r->dumps);
	cand_list__clear(&r->cands);
	fact_store__clear(&r->facts);
	live_view__free(&r->view);
	free(r);
	return err;
}

const struct cmd_spec cmd_watch = {
	.name = "watch",
	.summary = "live incident terminal: ranked root causes of deaths and OOM kills, node-wide",
	.usage = "[-p PID | -c CGROUP | --pod UID | --container ID] [-d DUR] [--json] [--no-hold]",
	.description =
		"Runs the crash, bind and OOM tracers together (and the Go fatal-error probes on\n"
		"every Go program that starts), reads cpu.stat of every cgroup in scope with a\n"
		"CPU quota every 5 s (a throttled Go process gets the GOMAXPROCS check), and\n"
		"keeps a ranked list of root-cause candidates per container: score, cause,\n"
		"evidence, fix, first and last seen, how many times. On a terminal it redraws in\n"
		"place like top; otherwise it prints each new or changed candidate once (a line\n"
		"block, or with --json one object). Ctrl-C prints the summary; a second Ctrl-C\n"
		"exits at once. Default scope: every container on the node.",
	.examples = "  sudo gotrace watch                          # every container on the node\n"
		    "  sudo gotrace watch --pod 7f6c1a2e-...       # one pod\n"
		    "  sudo gotrace watch --json | tee verdicts.jsonl   # for a log pipeline\n"
		    "  sudo gotrace watch -c / -d 60               # every process, for a minute\n",
	.shared = OPT_PID | OPT_CGROUP | OPT_POD | OPT_CONTAINER | OPT_DURATION | OPT_JSON,
	.opts = watch_opts,
	.run = watch_run,
};
