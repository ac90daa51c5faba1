// SPDX-License-Identifier: GPL-2.0
/* gotrace info: placeholder until the Go binary facts land. */
#include <stdbool.h>
#include <stdio.h>

#include "base/err.h"
#include "commands.h"
#include "kern/report.h"

enum { ID_KERNEL = 0x101, ID_SELFTEST };

static const struct cmd_opt info_opts[] = {
	{"kernel", 0, 0, ID_KERNEL, NULL, "which kernel hooks this node supports, and why"},
	{"selftest", 0, 0, ID_SELFTEST, NULL, "with --kernel: prove the exec hook counts events",
	 true},
	{0},
};

struct info_args {
	bool kernel, selftest;
};

static int info_opt(void *ctx, int id, const char *arg)
{
	struct info_args *a = ctx;

	if (id == ID_KERNEL)
		a->kernel = true;
	else if (id == ID_SELFTEST)
		a->selftest = true;
	return 0;
}

static int info_run(const struct cmd_spec *spec, int argc, char **argv)
{
	struct info_args a = {0};
	struct common_opts co;
	int first, err;

	err = opts_parse(spec, argc, argv, &co, info_opt, &a, &first);
	if (err)
		return err;
	if (a.kernel)
		return a.selftest ? kern_report_selftest(stdout, co.json)
				  : kern_report(stdout, co.json);
	return 0;
}

const struct cmd_spec cmd_info = {
	.name = "info",
	.summary = "what Go binary is this, and can gotrace trace it",
	.usage = "[OPTIONS] BINARY | --pid PID | --kernel",
	.shared = OPT_PID | OPT_JSON,
	.opts = info_opts,
	.run = info_run,
};
