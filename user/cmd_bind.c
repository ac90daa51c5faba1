// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace bind: every bind/listen with its outcome and, on failure, why
 * (missing CAP_NET_BIND_SERVICE, who holds the port). The engine is
 * user/crash/, shared with `crash`.
 */
#include "commands.h"
#include "crash/crash.h"

static int bind_run(const struct cmd_spec *spec, int argc, char **argv)
{
	return crash_cmd_run(spec, argc, argv, CRASH_MODE_BIND);
}

const struct cmd_spec cmd_bind = {
	.name = "bind",
	.summary = "every bind/listen with its outcome; for failures, why and who holds the port",
	.usage = "[-p PID | -c CGROUP | --pod UID | --container ID] [-d DUR] [--json]",
	.description =
		"Prints every bind(2) and listen(2) of the scope (default: every container of the\n"
		"node) with the address, port, result, the process's effective capabilities and\n"
		"its network namespace's net.ipv4.ip_unprivileged_port_start. For EADDRINUSE it\n"
		"names the process holding the port (another container of the pod, a previous\n"
		"instance of the same container, anything else); for EACCES the missing\n"
		"CAP_NET_BIND_SERVICE; each failure with ranked candidates and the fix.",
	.examples = "  sudo gotrace bind                           # every container of the node\n"
		    "  sudo gotrace bind -p 4242                   # one process\n"
		    "  sudo gotrace bind --json                    # one fact per line\n",
	.shared = OPT_PID | OPT_CGROUP | OPT_POD | OPT_CONTAINER | OPT_DURATION | OPT_JSON,
	.opts = NULL,
	.run = bind_run,
};
