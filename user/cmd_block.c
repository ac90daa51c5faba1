// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace block --pid PID: where goroutines block, why, and for how long.
 * Lifecycle: resolve the target (Go version, probe offsets, scheduler call
 * sites) → load BPF → attach uprobes → report every -i and at the end →
 * detach. The target is never stopped or written to.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/loop.h"
#include "base/num.h"
#include "base/signals.h"
#include "block/block.h"
#include "block/governor.h"
#include "commands.h"
#include "out/units.h"
#include "proc/procfs.h"
#include "rank/render.h"
#include "rank/rules.h"

enum {
	ID_MIN_BLOCK = 0x100,
	ID_STUCK,
	ID_PPROF,
	ID_FOLDED,
	ID_MAX_OVERHEAD,
	ID_TOP,
};

static const struct cmd_opt block_opts[] = {
	{"min-block", 0, required_argument, ID_MIN_BLOCK, "DUR",
	 "count only waits at least this long (e.g. 1ms; default: all)"},
	{"stuck", 0, required_argument, ID_STUCK, "DUR",
	 "report goroutines parked at least this long (default 1s)"},
	{"pprof", 0, required_argument, ID_PPROF, "FILE",
	 "write a block profile readable by `go tool pprof`"},
	{"folded", 0, required_argument, ID_FOLDED, "FILE", "write folded stacks (flame graphs)"},
	{"max-overhead", 0, required_argument, ID_MAX_OVERHEAD, "PCT",
	 "keep the target's slowdown under PCT% (default 2; 0: exact mode, never sample)"},
	{"top", 'n', required_argument, ID_TOP, "N", "rows to print (default 20)"},
	{0},
};

struct block_args {
	uint64_t min_block_ns;
	uint64_t stuck_ns;
	const char *pprof;
	const char *folded;
	double max_overhead_pct;
	uint32_t top;
};

static int block_opt(void *ctx, int id, const char *arg)
{
	struct block_args *a = ctx;
	uint32_t v;
	int err = 0;

	switch (id) {
	case ID_MIN_BLOCK:
		err = num_parse_duration_ns(arg, 1000000ULL, &a->min_block_ns);
		break;
	case ID_STUCK:
		err = num_parse_duration_ns(arg, 1000000000ULL, &a->stuck_ns);
		break;
	case ID_PPROF:
		a->pprof = arg;
		break;
	case ID_FOLDED:
		a->folded = arg;
		break;
	case ID_MAX_OVERHEAD:
		err = num_parse_u32(arg, 0, 100, &v);
		if (!err)
			a->max_overhead_pct = v;
		break;
	case ID_TOP:
		err = num_parse_u32(arg, 1, 100000, &a->top);
		break;
	}
	if (err) {
		char why[256];

		snprintf(why, sizeof(why), "%s", err_msg());
		return err_fail(GT_EUSAGE, "block: bad value '%s': %s", arg, why);
	}
	return 0;
}

struct block_run {
	struct block_session s;
	struct block_args a;
	struct common_opts co;
	struct proc_pid_ref ref;
	struct json_writer w;
	struct governor gov;
	bool exited;
	bool tty;
};

static void print_header(struct block_run *r)
{
	const struct block_target *t = &r->s.target;

	if (r->co.json)
		return;
	fprintf(stdout, "tracing pid %d (%s, %s): %s, %zu scheduler %s; %s\n", (int)t->pid, t->exe,
		t->facts.bi.version ? t->facts.bi.version : "go?",
		t->parks_at_park_m ? "parks read at park_m" : "gopark probed",
		t->casg_entry_fallback ? 1 : t->nsched_sites,
		t->casg_entry_fallback ? "probe (casgstatus entry)" : "call sites",
		r->co.duration_ns ? "until the duration ends or Ctrl-C" : "Ctrl-C to stop");
}

static void print_governor(struct block_run *r)
{
	const struct governor *g = &r->gov;

	printf("overhead: estimated %.1f%% of the target's CPU with the probes on (%.2f µs per "
	       "hit: "
	       "trap %s %.2f µs + BPF); ",
	       g->est_pct, g->cost_ns / 1000, g->cost_measured ? "measured" : "assumed",
	       g->trap_ns / 1000);
	if (g->budget_pct <= 0)
		printf("exact mode: probes attached the whole time\n");
	else if (g->cycles)
		printf("budget %.0f%% (aiming at %.1f%%): sampled, probes attached %.0f%% of the "
		       "time\n",
		       g->budget_pct, governor__aim_pct(g), 100 * governor__sampled(g));
	else
		printf("budget %.0f%%: probes attached the whole time\n", g->budget_pct);
}

static void print_summary(struct block_run *r, const struct block_report_full *rep)
{
	const uint64_t *c = rep->r.counters;
	char p50[16], p99[16];
	double unmatched = c[BC_CONFIRMED] ? 100.0 * c[BC_MISSED_WAKE] / c[BC_CONFIRMED] : 0;

	printf("parks %llu, wakes matched %llu, unmatched %.2f%% (%llu wakes we never saw), "
	       "cancelled %llu, woken without a park seen %llu\n",
	       (unsigned long long)c[BC_PARKS], (unsigned long long)c[BC_WAKES], unmatched,
	       (unsigned long long)c[BC_MISSED_WAKE], (unsigned long long)c[BC_CANCELLED],
	       (unsigned long long)c[BC_WAKE_UNKNOWN]);
	print_governor(r);
	printf("scheduling latency (woken or preempted -> running): p50 %s, p99 %s over %llu "
	       "runs\n",
	       fmt_duration(block_hist_quantile(&rep->r.sched, 0.5), p50, sizeof(p50)),
	       fmt_duration(block_hist_quantile(&rep->r.sched, 0.99), p99, sizeof(p99)),
	       (unsigned long long)rep->r.sched.count);
}

static void json_summary(struct block_run *r, const struct block_report_full *rep, bool final)
{
	static const char *const names[BC_NR] = {
		[BC_PARKS] = "parks",
		[BC_PARK_REFIRE] = "park_refires",
		[BC_CONFIRMED] = "parks_confirmed",
		[BC_CANCELLED] = "parks_cancelled",
		[BC_WAKES] = "wakes_matched",
		[BC_WAKE_UNKNOWN] = "wakes_without_park",
		[BC_MISSED_WAKE] = "wakes_missed",
		[BC_SHORT] = "wakes_below_min_block",
		[BC_RUNS] = "runs",
		[BC_RUNS_MATCHED] = "runs_matched",
		[BC_STACK_ERRORS] = "stack_errors",
		[BC_MAP_FULL] = "map_full",
		[BC_CASG_HITS] = "sched_probe_hits",
	};
	const uint64_t *c = rep->r.counters;
	int i;

	json_obj_begin(&r->w, NULL);
	json_str(&r->w, "type", "block_summary");
	json_i64(&r->w, "pid", r->s.target.pid);
	json_bool(&r->w, "final", final);
	json_bool(&r->w, "target_exited", r->exited);
	json_u64(&r->w, "elapsed_ns", rep->r.elapsed_ns);
	json_u64(&r->w, "window_ns", rep->r.window_ns);
	json_obj_begin(&r->w, "counters");
	for (i = 0; i < BC_NR; i++)
		json_u64(&r->w, names[i], c[i]);
	json_obj_end(&r->w);
	json_obj_begin(&r->w, "overhead");
	json_f64(&r->w, "budget_pct", r->gov.budget_pct);
	json_f64(&r->w, "aim_pct", governor__aim_pct(&r->gov));
	json_f64(&r->w, "estimated_pct", r->gov.est_pct);
	json_f64(&r->w, "cost_per_hit_ns", r->gov.cost_ns);
	json_bool(&r->w, "cost_measured", r->gov.cost_measured);
	json_f64(&r->w, "sampled_fraction", governor__sampled(&r->gov));
	json_u64(&r->w, "duty_cycles", r->gov.cycles);
	json_obj_end(&r->w);
	json_f64(&r->w, "unmatched_pct",
		 c[BC_CONFIRMED] ? 100.0 * c[BC_MISSED_WAKE] / c[BC_CONFIRMED] : 0);
	json_obj_begin(&r->w, "runq_latency");
	json_u64(&r->w, "count", rep->r.sched.count);
	json_u64(&r->w, "total_ns", rep->r.sched.total_ns);
	json_u64(&r->w, "p50_ns", block_hist_quantile(&rep->r.sched, 0.5));
	json_u64(&r->w, "p99_ns", block_hist_quantile(&rep->r.sched, 0.99));
	json_u64(&r->w, "max_ns", rep->r.sched.max_ns);
	json_obj_end(&r->w);
	json_obj_end(&r->w);
	json_end_line(&r->w);
}

/* The facts of the whole run through the shared rules: ranked candidates. */
static int block_verdict(struct block_run *r, const struct block_report_full *rep)
{
	static const char *const prefixes[] = {"block.", NULL};
	struct fact_store fs = {0};
	struct cand_list cands = {0};
	size_t i;
	int err = block_facts(&r->s, rep, &fs);

	if (err)
		goto out;
	rank__evaluate(&fs, prefixes, &cands);
	if (r->co.json) {
		for (i = 0; i < fs.n; i++) {
			json_obj_begin(&r->w, NULL);
			json_str(&r->w, "type", "fact");
			fact_write_json_fields(&r->w, fs.v[i]);
			json_obj_end(&r->w);
			json_end_line(&r->w);
		}
		json_obj_begin(&r->w, NULL);
		json_str(&r->w, "type", "candidates");
		rank_write_json_list(&r->w, "candidates", &cands);
		json_obj_end(&r->w);
		json_end_line(&r->w);
	} else {
		printf("\nroot-cause candidates:\n");
		rank_print_text(stdout, &cands, 5, r->co.verbose);
	}
out:
	cand_list__clear(&cands);
	fact_store__clear(&fs);
	return err;
}

static int block_tick(void *ctx, bool final)
{
	struct block_run *r = ctx;
	struct block_report_full rep;
	int err;

	if (!final && !r->co.interval_ns)
		return 0;
	if (final) {
		governor__finish(&r->gov, &r->s);
		block_pre__finish(&r->s);
	}
	err = block_session__report(&r->s, &rep);
	if (err)
		return err;
	if (r->co.json) {
		block_json_rows(&r->w, &rep, r->s.target.pid, rep.r.elapsed_ns);
		block_json_stuck(&r->w, &rep, r->s.target.pid);
		if (final)
			block_json_pre(&r->w, &r->s);
		json_summary(r, &rep, final);
	} else {
		if (r->tty && !final)
			fputs("\033[H\033[J", stdout);
		printf("\n%s after %.1f s%s\n", final ? "== total" : "== last interval",
		       rep.r.elapsed_ns / 1e9, r->exited ? " (the target exited)" : "");
		block_print_rows(stdout, &rep, final, r->co.verbose, r->a.top);
		block_print_stuck(stdout, &rep, r->co.verbose);
		if (final)
			block_print_pre(stdout, &r->s, r->co.verbose);
		print_summary(r, &rep);
	}
	if (final)
		err = block_verdict(r, &rep);
	if (final && !err)
		err = block_write_outputs(&r->s, &rep, r->a.pprof, r->a.folded);
	if (!err)
		err = block_session__advance(&r->s, &rep);
	block_report_full__clear(&rep);
	return err;
}

static int block_poll(void *ctx, int timeout_ms)
{
	struct block_run *r = ctx;

	usleep((useconds_t)timeout_ms * 1000);
	if (proc_pid_ref__check(&r->ref)) {
		r->exited = true;
		return 0;
	}
	return governor__tick(&r->gov, &r->s);
}

static bool block_stop(void *ctx)
{
	return ((struct block_run *)ctx)->exited;
}

static int block_start(struct block_run *r)
{
	int err = proc_pid_ref__init(&r->ref, r->co.pid);

	if (!err)
		err = block_session__start(&r->s, r->co.pid, r->a.min_block_ns, r->a.stuck_ns,
					   g_opts.host_root);
	if (!err)
		governor__init(&r->gov,
			       r->a.max_overhead_pct); /* calibrates: before the clock starts */
	r->s.start_ns = mono_ns();
	return err;
}

static int block_run(const struct cmd_spec *spec, int argc, char **argv)
{
	struct block_run *r = calloc(1, sizeof(*r));
	struct run_loop loop = {.poll = block_poll, .tick = block_tick, .stop = block_stop};
	int first, err;

	if (!r)
		return -ENOMEM;
	r->a.stuck_ns = 1000000000ULL;
	r->a.max_overhead_pct = 2;
	r->a.top = 20;
	err = opts_parse(spec, argc, argv, &r->co, block_opt, &r->a, &first);
	if (!err && first < argc)
		err = err_fail(GT_EUSAGE, "block: unexpected argument '%s'", argv[first]);
	if (!err && !r->co.pid)
		err = err_fail(GT_EUSAGE,
			       "block: --pid PID is required (see 'gotrace block --help')");
	if (err)
		goto out;
	json_init(&r->w, stdout);
	r->tty = isatty(STDOUT_FILENO);
	err = block_start(r);
	if (err)
		goto out;
	print_header(r);
	/* The governor decides at poll granularity (governor.c FAST_DECIDE_NS). */
	loop.max_poll_ms = 10;
	loop.duration_ns = r->co.duration_ns;
	loop.interval_ns = r->co.interval_ns;
	loop.ctx = r;
	err = run_loop__run(&loop);
out:
	block_session__close(&r->s);
	free(r);
	return err;
}

const struct cmd_spec cmd_block = {
	.name = "block",
	.summary = "where goroutines block, why, and for how long (uprobes on the Go runtime)",
	.usage = "--pid PID [-d DUR] [-i DUR] [--min-block DUR] [--json] [--pprof FILE] "
		 "[--folded FILE]",
	.description =
		"Attaches uprobes to the Go runtime of one process (never uretprobes; the target\n"
		"is not stopped or written to) and reports, per blocking site, the wait reason\n"
		"(named from the binary itself), the first user frame, how often and how long\n"
		"goroutines waited (p50/p99 from in-kernel histograms), and how long they then\n"
		"waited for a CPU (run queue). Goroutines still parked are grouped by site; a\n"
		"growing group is a leak.",
	.examples =
		"  sudo gotrace block --pid 4242 -d 10              # ten seconds, then the table\n"
		"  sudo gotrace block -p 4242 -i 2                  # refresh every 2 s\n"
		"  sudo gotrace block -p 4242 --min-block 1ms -v    # waits >= 1ms, with stacks\n"
		"  sudo gotrace block -p 4242 -d 30 --pprof block.pb.gz  # then go tool pprof\n"
		"  sudo gotrace block -p 4242 -d 5 --json           # one object per site\n",
	.shared = OPT_PID | OPT_DURATION | OPT_INTERVAL | OPT_JSON,
	.opts = block_opts,
	.run = block_run,
};
