// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace crash: why each instance of a container died, across restarts —
 * failed execs, exit codes, fatal signals and who sent them, Go fatal
 * errors with the failing goroutine's stack, failed syscalls before the
 * exit, the last output — with ranked candidates and fixes.
 * The engine is user/crash/.
 */
#include "commands.h"
#include "crash/crash.h"

static int crash_run(const struct cmd_spec *spec, int argc, char **argv)
{
	return crash_cmd_run(spec, argc, argv, CRASH_MODE_CRASH);
}

const struct cmd_spec cmd_crash = {
	.name = "crash",
	.summary = "why each instance of a container died: exec, exit, signals, Go fatal errors",
	.usage = "[-p PID | -c CGROUP | --pod UID | --container ID] [-d DUR] [--json]",
	.description =
		"Watches every container of the node (or the given process, cgroup, pod or\n"
		"container) and, each time a process dies, prints why, with the evidence captured\n"
		"when it happened: a failed exec and the ELF analysis of the binary inside the\n"
		"container (missing interpreter, wrong architecture, missing file); the exit code\n"
		"or fatal signal and who sent it (the kernel, a kubelet-like process, itself); a "
		"Go\n"
		"panic or fatal error with the failing goroutine's stack, symbolized; failed "
		"opens,\n"
		"connects and binds before the exit (path, cwd, env vars naming paths, volumes);\n"
		"capability denials; the last KiB written to stdout/stderr; and, per container,\n"
		"the restart loop (deaths, back-off, same cause each time).\n"
		"The first process of each new binary is stopped for a few milliseconds before "
		"its\n"
		"first instruction so the Go probes are in place before it can crash (--no-hold\n"
		"turns that off). -c / traces every process of the node, not only containers.",
	.examples =
		"  sudo gotrace crash                          # every container of the node\n"
		"  sudo gotrace crash --pod 7f3c...  -d 10m    # one pod, ten minutes\n"
		"  sudo gotrace crash -p 4242                  # a process and its children\n"
		"  sudo gotrace crash -c /                     # every process, containers or not\n"
		"  sudo gotrace crash --json | jq .verdict     # facts and verdicts as JSON "
		"lines\n",
	.shared = OPT_PID | OPT_CGROUP | OPT_POD | OPT_CONTAINER | OPT_DURATION | OPT_JSON,
	.opts = crash_cmd_opts,
	.run = crash_run,
};
