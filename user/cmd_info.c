// SPDX-License-Identifier: GPL-2.0
/* gotrace info: placeholder until the Go binary facts land. */
#include "base/err.h"
#include "commands.h"

static int info_run(const struct cmd_spec *spec, int argc, char **argv)
{
	struct common_opts co;
	int first, err;

	err = opts_parse(spec, argc, argv, &co, NULL, NULL, &first);
	if (err)
		return err;
	return 0;
}

const struct cmd_spec cmd_info = {
	.name = "info",
	.summary = "what Go binary is this, and can gotrace trace it",
	.usage = "[OPTIONS] BINARY | --pid PID | --kernel",
	.shared = OPT_PID | OPT_JSON,
	.run = info_run,
};
