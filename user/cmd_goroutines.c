// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace goroutines: every goroutine of a running Go process, read from
 * its memory without stopping it; or, with --sample, where goroutines wait
 * over time, with no trap in the target.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/err.h"
#include "base/signals.h"
#include "commands.h"
#include "goroutines/goroutines.h"
#include "goroutines/group.h"
#include "goroutines/render.h"
#include "goroutines/sample.h"

enum {
	ID_STACKS = 0x100,
	ID_SAMPLE,
	ID_PROCMEM,
};

static const struct cmd_opt goroutines_opts[] = {
	{"stacks", 's', no_argument, ID_STACKS, NULL,
	 "every goroutine on its own, like the runtime's dump (default: grouped by stack)"},
	{"sample", 0, required_argument, ID_SAMPLE, "HZ",
	 "snapshots HZ times a second for -d (default 10 s): where goroutines wait"},
	{"procmem", 0, no_argument, ID_PROCMEM, NULL, "read through /proc/PID/mem", true},
	{0},
};

struct goroutines_args {
	bool stacks;
	bool procmem;
	double hz;
};

static int goroutines_opt(void *ctx, int id, const char *arg)
{
	struct goroutines_args *a = ctx;
	char *end;

	switch (id) {
	case ID_STACKS:
		a->stacks = true;
		break;
	case ID_PROCMEM:
		a->procmem = true;
		break;
	case ID_SAMPLE:
		a->hz = strtod(arg, &end);
		if (*end || !isfinite(a->hz) || a->hz < 0.1 || a->hz > 1000)
			return err_fail(GT_EUSAGE,
					"goroutines: --sample takes a rate in Hz between "
					"0.1 and 1000, not '%s'",
					arg);
		break;
	}
	return 0;
}

static int run_once(struct go_proc *p, const struct go_render *r)
{
	struct go_snapshot *s;
	int err = go_proc__snapshot(p, &s);

	if (err)
		return err;
	err = go_render_snapshot(r, s);
	go_snapshot__free(s);
	return err;
}

static int run_sampling(struct go_proc *p, const struct go_render *r, double hz,
			uint64_t duration_ns)
{
	struct go_sample_stats st = {0};
	struct go_groups *t;
	int err = go_groups__new(&t);

	if (err)
		return err;
	signals__install();
	err = go_sample(p, hz, duration_ns ? duration_ns : 10000000000ULL, t, &st);
	/* Exiting mid-run still shows what was sampled before. */
	if (!err || (err == -ESRCH && st.snapshots)) {
		if (err)
			fprintf(stderr, "gotrace: %s; showing the %llu snapshots taken before\n",
				err_msg(), (unsigned long long)st.snapshots);
		go_render_samples(r, &st, t);
	}
	go_groups__free(t);
	return err;
}

static int goroutines_run(const struct cmd_spec *spec, int argc, char **argv)
{
	struct goroutines_args a = {0};
	struct common_opts co;
	struct go_render r;
	struct go_proc *p;
	int first, err;

	err = opts_parse(spec, argc, argv, &co, goroutines_opt, &a, &first);
	if (err)
		return err;
	if (!co.pid || first < argc)
		return err_fail(GT_EUSAGE, "goroutines: give --pid PID (and nothing else; see "
					   "'gotrace goroutines --help')");
	if (co.duration_ns && !a.hz)
		return err_fail(GT_EUSAGE, "goroutines: -d goes with --sample");
	err = go_proc__open(co.pid, &p);
	if (err)
		return err;
	if (a.procmem)
		go_proc__force_procmem(p);
	r = (struct go_render){.proc = p,
			       .out = stdout,
			       .json = co.json,
			       .stacks = a.stacks,
			       .verbose = co.verbose};
	err = a.hz ? run_sampling(p, &r, a.hz, co.duration_ns) : run_once(p, &r);
	go_proc__free(p);
	return err;
}

const struct cmd_spec cmd_goroutines = {
	.name = "goroutines",
	.summary = "every goroutine of a running Go process, read without stopping it",
	.usage = "--pid PID [--stacks] [--json] [--sample HZ [-d DUR]]",
	.description =
		"Reads runtime.allgs and each goroutine's g and stack from the process's memory\n"
		"(process_vm_readv; the process is never stopped or signalled): id, state and "
		"wait\n"
		"reason, how long it has been blocked where the runtime recorded it, its creator,\n"
		"and its stack with inlined frames. Grouped by identical stack like pprof's\n"
		"goroutine profile (debug=1); --stacks lists them one by one like the runtime's\n"
		"SIGQUIT dump. Works on stripped and PIE binaries. Goroutines running on a CPU\n"
		"are listed without a stack. Records that change while being read are read once\n"
		"more, then dropped and counted.\n"
		"With --sample HZ: snapshots for -d (default 10 s) and the share of goroutines\n"
		"waiting at each place: a statistical view with no traps in the target.",
	.examples = "  sudo gotrace goroutines --pid 4242            # grouped by stack\n"
		    "  sudo gotrace goroutines --pid 4242 --stacks   # every goroutine\n"
		    "  sudo gotrace goroutines --pid 4242 --json     # one JSON document\n"
		    "  sudo gotrace goroutines --pid 4242 --sample 10 -d 30  # where they wait\n",
	.shared = OPT_PID | OPT_JSON | OPT_DURATION,
	.opts = goroutines_opts,
	.run = goroutines_run,
};
