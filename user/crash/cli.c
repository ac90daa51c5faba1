// SPDX-License-Identifier: GPL-2.0
/* The command-line half shared by `crash` and `bind`: options → session → loop. */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/loop.h"
#include "base/mem.h"
#include "base/num.h"
#include "crash/crash.h"

enum {
	ID_NO_HOLD = 0x100,
	ID_OUTPUT_BUDGET,
};

const struct cmd_opt crash_cmd_opts[] = {
	{"no-hold", 0, no_argument, ID_NO_HOLD, NULL,
	 "never stop a process for inspection (Go probes may then miss a crash at startup)"},
	{"output-budget", 0, required_argument, ID_OUTPUT_BUDGET, "KIB",
	 "stdout/stderr KiB copied per process and second (default 1024; 0: no limit)"},
	{0},
};

static int crash_opt(void *ctx, int id, const char *arg)
{
	struct crash_session_opts *o = ctx;

	if (id == ID_NO_HOLD)
		o->hold = false;
	if (id == ID_OUTPUT_BUDGET) {
		uint32_t kib;
		/* 4 GiB/s: more is no limit at all. */
		int err = num_parse_u32(arg, 0, 4194303, &kib);

		if (err)
			return err;
		o->out_budget_kib = kib ? kib : UINT32_MAX;
	}
	return 0;
}

int crash_cmd_run(const struct cmd_spec *spec, int argc, char **argv, enum crash_mode mode)
{
	struct crash_session_opts o = {.mode = mode, .hold = true};
	struct crash_session *s;
	struct common_opts co;
	struct run_loop rl = {0};
	int first, err;

	mem__tune_for_daemon();
	err = opts_parse(spec, argc, argv, &co, crash_opt, &o, &first);
	if (err)
		return err;
	if (first < argc)
		return err_fail(GT_EUSAGE, "%s: unexpected argument '%s' (see 'gotrace %s --help')",
				spec->name, argv[first], spec->name);
	if (!!co.pid + !!co.cgroup > 1)
		return err_fail(GT_EUSAGE, "%s: give -p or -c, not both", spec->name);
	o.pid = co.pid;
	o.cgroup = co.cgroup;
	o.pod = co.pod;
	o.container = co.container;
	o.json = co.json;
	o.verbose = co.verbose;
	o.host_root = g_opts.host_root;
	err = crash_session__open(&o, &s);
	if (err)
		return err;
	rl.duration_ns = co.duration_ns;
	rl.poll = crash_session__poll;
	rl.tick = crash_session__tick;
	rl.ctx = s;
	err = run_loop__run(&rl);
	crash_session__free(s);
	return err;
}
