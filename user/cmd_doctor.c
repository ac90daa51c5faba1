// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace doctor: the crash-loop runbook as atomic, verifiable checks.
 * Lifecycle: resolve the target (doctor/target.h) → the checks, in parallel,
 * each bounded by its timeout (doctor/runner.h) → the live window, when
 * asked: tracer components add what they see (live/component.h) → every
 * fact through the shared rules (rank/rules.h) → one report (table, JSON or
 * Markdown) → the exit code of the worst finding.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/num.h"
#include "base/signals.h"
#include "commands.h"
#include "doctor/render.h"
#include "doctor/runner.h"
#include "doctor/target.h"
#include "doctor/userchecks.h"
#include "live/component.h"
#include "out/units.h"
#include "rank/rules.h"

#define DEFAULT_LIVE_NS (10ULL * 1000000000ULL)
#define MAX_LIVE_NS (3600ULL * 1000000000ULL)

enum {
	ID_LIVE = 0x100,
	ID_MARKDOWN,
	ID_CHECKS,
	ID_ROOTFS,
	ID_ONLY,
	ID_LIST,
};

static const struct cmd_opt doctor_opts[] = {
	{"live", 0, required_argument, ID_LIVE, "SEC",
	 "trace for SEC seconds after the checks (default 10; 0: checks only)"},
	{"markdown", 0, no_argument, ID_MARKDOWN, NULL, "an incident report in Markdown"},
	{"checks", 0, required_argument, ID_CHECKS, "FILE", "also run the checks defined in FILE"},
	{"rootfs", 0, required_argument, ID_ROOTFS, "DIR",
	 "the container's image root, for when no process runs (exec failures)"},
	{"only", 0, required_argument, ID_ONLY, "LIST",
	 "run only these built-in checks (comma-separated ids or prefixes, e.g. memory,cpu.quota)"},
	{"list-checks", 0, no_argument, ID_LIST, NULL, "list the built-in checks and exit"},
	{0},
};

struct doctor_args {
	uint64_t live_ns;
	bool markdown, list;
	const char *checks_file, *rootfs, *only;
};

static int doctor_opt(void *ctx, int id, const char *arg)
{
	struct doctor_args *a = ctx;
	char why[256];

	switch (id) {
	case ID_LIVE:
		if (!strcmp(arg, "0")) {
			a->live_ns = 0;
			return 0;
		}
		if (num_parse_duration_ns(arg, 1000000000ULL, &a->live_ns) ||
		    a->live_ns > MAX_LIVE_NS) {
			snprintf(why, sizeof(why), "%s", err_msg());
			return err_fail(GT_EUSAGE, "doctor: --live '%s': %s", arg,
					a->live_ns > MAX_LIVE_NS ? "at most an hour" : why);
		}
		return 0;
	case ID_MARKDOWN:
		a->markdown = true;
		return 0;
	case ID_CHECKS:
		a->checks_file = arg;
		return 0;
	case ID_ROOTFS:
		a->rootfs = arg;
		return 0;
	case ID_ONLY:
		a->only = arg;
		return 0;
	case ID_LIST:
		a->list = true;
		return 0;
	}
	return 0;
}

/* ------------------------------------------------------------------ which checks */

static bool selected(const char *only, const char *id)
{
	char list[512], *tok, *save = NULL;

	if (!only)
		return true;
	snprintf(list, sizeof(list), "%s", only);
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (!strncmp(id, tok, strlen(tok)) &&
		    (id[strlen(tok)] == '\0' || id[strlen(tok)] == '.'))
			return true;
	return false;
}

static int list_checks(void)
{
	for (size_t i = 0; i < doctor_checks__count(); i++) {
		const struct doctor_check *c = doctor_checks__get(i);

		printf("%-18s %5u ms  %s\n", c->id, c->timeout_ms, c->description);
	}
	for (size_t i = 0; i < live_components__count(); i++)
		printf("live: %-12s %s\n", live_components__get(i)->name,
		       live_components__get(i)->summary);
	return 0;
}

/* The built-in checks asked for, then the user's. */
static int plan(const struct doctor_args *a, const struct user_checks *u,
		const struct doctor_check ***out, size_t *n)
{
	size_t cap = doctor_checks__count() + user_checks__count(u), k = 0;
	const struct doctor_check **v = calloc(cap ? cap : 1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < doctor_checks__count(); i++)
		if (selected(a->only, doctor_checks__get(i)->id))
			v[k++] = doctor_checks__get(i);
	for (size_t i = 0; i < user_checks__count(u); i++)
		v[k++] = user_checks__get(u, i);
	if (!k) {
		free(v);
		return err_fail(GT_EUSAGE,
				"doctor: --only '%s' selects no check (see --list-checks)",
				a->only);
	}
	*out = v;
	*n = k;
	return 0;
}

/* ------------------------------------------------------------------ the run */

struct doctor_run {
	struct doctor_args a;
	struct common_opts co;
	struct doctor_target t;
	struct user_checks *user;
	const struct doctor_check **plan;
	size_t nplan;
	struct check_outcome *out;
	struct live_window live;
	bool have_live;
	uint64_t checks_ns;
	struct fact_store facts;
	struct cand_list cands;
	size_t abandoned;
};

static void live_window(struct doctor_run *run)
{
	const struct doctor_target *t = &run->t;
	struct live_target lt = {
		.pid = t->pid,
		.cgroup = t->id.cgroup,
		.mem_cgroup = t->id.memcg,
		.id = &t->id,
		.subject = t->subject,
		.host_root = t->host_root,
	};
	char d[32];

	if (!run->co.json && !run->a.markdown)
		fprintf(stderr,
			"gotrace doctor: checks done; live window of %s (Ctrl-C ends it "
			"early)\n",
			fmt_duration(run->a.live_ns, d, sizeof(d)));
	run->have_live = !live_window__run(&lt, run->a.live_ns, &run->facts, &run->live);
}

/* FAIL and WARN from the checks, and from the candidates' severities. */
static enum check_status worst(const struct doctor_run *run)
{
	enum check_status w = check_outcomes__worst(run->out, run->nplan);

	for (size_t i = 0; i < run->cands.n; i++) {
		if (run->cands.v[i].severity == SEV_CRITICAL)
			w = CHECK_FAIL;
		else if (run->cands.v[i].severity == SEV_WARNING && w < CHECK_WARN)
			w = CHECK_WARN;
	}
	return w;
}

static int report(struct doctor_run *run, uint64_t started_ns, uint64_t t0)
{
	struct doctor_report r = {
		.t = &run->t,
		.checks = run->out,
		.nchecks = run->nplan,
		.nuser = user_checks__count(run->user),
		.live = run->have_live ? &run->live : NULL,
		.cands = &run->cands,
		.facts = &run->facts,
		.started_ns = started_ns,
		.checks_ns = run->checks_ns,
		.verbose = run->co.verbose,
	};

	r.worst = worst(run);
	r.exit_code = r.worst == CHECK_FAIL   ? EXIT_FOUND_FAIL
		      : r.worst == CHECK_WARN ? EXIT_FOUND_WARN
					      : EXIT_OK;
	r.elapsed_ns = mono_ns() - t0;
	if (run->co.json)
		doctor_render_json(stdout, &r);
	else if (run->a.markdown)
		doctor_render_markdown(stdout, &r);
	else
		doctor_render_text(stdout, &r, isatty(STDOUT_FILENO));
	fflush(stdout);
	return r.exit_code ? CMD_EXIT(r.exit_code) : 0;
}

static int execute(struct doctor_run *run)
{
	uint64_t t0 = mono_ns(), started = run->t.time_ns;
	int err;

	run->out = calloc(run->nplan, sizeof(*run->out));
	if (!run->out)
		return -ENOMEM;
	run->abandoned = doctor_run_checks(&run->t, run->plan, run->nplan, 0, run->out);
	run->checks_ns = mono_ns() - t0;
	for (size_t i = 0; i < run->nplan; i++) {
		err = fact_store__take(&run->facts, &run->out[i].result.facts);
		if (err)
			return err;
	}
	if (run->a.live_ns)
		live_window(run);
	rank__evaluate(&run->facts, NULL, &run->cands);
	return report(run, started, t0);
}

static int setup(struct doctor_run *run, int argc, char **argv, const struct cmd_spec *spec)
{
	int first, err;

	run->a.live_ns = DEFAULT_LIVE_NS;
	err = opts_parse(spec, argc, argv, &run->co, doctor_opt, &run->a, &first);
	if (err)
		return err;
	if (first < argc)
		return err_fail(GT_EUSAGE,
				"doctor: unexpected argument '%s' (see 'gotrace doctor "
				"--help')",
				argv[first]);
	if (run->a.list)
		return 0;
	if (run->co.json && run->a.markdown)
		return err_fail(GT_EUSAGE, "doctor: --json and --markdown exclude each other");
	if (run->a.checks_file) {
		err = user_checks__load(run->a.checks_file, &run->user);
		if (err)
			return err == -GT_EFORMAT ? -GT_EUSAGE : err;
	}
	err = plan(&run->a, run->user, &run->plan, &run->nplan);
	if (!err)
		err = doctor_target__resolve(&run->co, run->a.rootfs, g_opts.host_root, &run->t);
	return err;
}

static int doctor_run(const struct cmd_spec *spec, int argc, char **argv)
{
	struct doctor_run *run = calloc(1, sizeof(*run));
	int err;

	if (!run)
		return -ENOMEM;
	err = setup(run, argc, argv, spec);
	if (!err && run->a.list)
		err = list_checks();
	else if (!err) {
		signals__install();
		err = execute(run);
	}
	check_outcomes__clear(run->out, run->nplan);
	free(run->out);
	free(run->plan);
	live_window__clear(&run->live);
	fact_store__clear(&run->facts);
	cand_list__clear(&run->cands);
	/* An abandoned check's thread may still read its definition: keep it. */
	if (!run->abandoned)
		user_checks__free(run->user);
	free(run);
	return err;
}

const struct cmd_spec cmd_doctor = {
	.name = "doctor",
	.summary = "the crash-loop checklist, automated: atomic checks, then ranked causes",
	.usage = "(--pid PID | --pod UID | --container ID | -c CGROUP) [--live SEC] [--json | "
		 "--markdown] [--checks FILE] [--rootfs DIR]",
	.description =
		"Runs the runbook for a crash-looping or struggling Go service as atomic checks,\n"
		"in parallel, each with a timeout (a check whose read hangs is reported as timed\n"
		"out; doctor still ends in seconds): cgroup version; memory limit vs GOMEMLIMIT\n"
		"and GOGC, and CPU quota vs GOMAXPROCS (from the environment and, when the binary\n"
		"has symbols, the values in effect); CPU throttling; PSI; OOM kills (cgroup\n"
		"counters and the kernel log); /proc status and maps; the Go build vs the libc in\n"
		"the container's root; capabilities vs the ports it wants; working directory,\n"
		"paths and mounts; the restart history and the last instance's log. Each check\n"
		"reports PASS, WARN, FAIL or SKIP (with the reason), the evidence it read, and\n"
		"the fix. Then --live traces for a while (goroutine blocking for Go processes)\n"
		"and the shared rules rank root causes from all the facts.\n"
		"\n"
		"With --pod, --container or -c the process checked is the container's first one;\n"
		"when none runs (between restarts) doctor checks what is left: the cgroups, the\n"
		"logs, and with --rootfs the image.\n"
		"\n"
		"Exit codes: 0 every check passed or was skipped; 4 the worst finding is a WARN "
		"(or\n"
		"a warning candidate); 5 something FAILed (or a critical candidate); 1 runtime\n"
		"error, 2 usage error, 3 missing privilege (as every command). Scripts: 0 "
		"healthy,\n"
		"4/5 doctor worked and found trouble, 1-3 doctor itself could not run.",
	.examples = "  sudo gotrace doctor --pid 4242                   # checks, then 10 s of "
		    "tracing\n"
		    "  sudo gotrace doctor --pod 7f6c1a2e-... --live 0  # checks only (about a "
		    "second)\n"
		    "  sudo gotrace doctor --pod 7f6c... --markdown     # a report to paste in a "
		    "ticket\n"
		    "  sudo gotrace doctor -p 4242 --json | jq .candidates[0]\n"
		    "  sudo gotrace doctor -p 4242 --checks runbook.json  # plus your own checks\n"
		    "  gotrace doctor --list-checks                     # what it checks\n",
	.shared = OPT_PID | OPT_CGROUP | OPT_POD | OPT_CONTAINER | OPT_JSON,
	.opts = doctor_opts,
	.run = doctor_run,
};
