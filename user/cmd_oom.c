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
#include "base/mem.h"
#include "base/num.h"
#include "oom/session.h"
#include "commands.h"
#include "kern/hooks.h"

enum {
	ID_COUNT = 0x100,
	ID_FORCE_KILL_HOOK,
	ID_LOAD_ONLY,
	ID_NO_READ_AHEAD,
};

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

static int oom_run(const struct cmd_spec *spec, int argc, char **argv)
{
	/* No crash tracer here to report execs: the oom tracer's own hook does. */
	struct oom_args a = {.topts = {.force_kill_mech = MECH_NR, .want_exec = true}};
	struct common_opts co;
	struct oom_session *run = NULL;
	struct oom_session_opts so;
	struct run_loop rl = {0};
	int first, err;

	mem__tune_for_daemon();
	err = opts_parse(spec, argc, argv, &co, oom_opt, &a, &first);
	if (err)
		return err;
	if (first < argc)
		return err_fail(GT_EUSAGE,
				"oom: unexpected argument '%s' (see 'gotrace oom --help')",
				argv[first]);
	so = (struct oom_session_opts){
		.co = &co, .count = a.count, .no_read_ahead = a.no_read_ahead, .topts = a.topts};
	err = oom_session__open(&so, &run);
	if (!err && a.topts.load_only)
		err = oom_session__load_only_report(run);
	if (err || a.topts.load_only)
		goto out;
	oom_session__print_start(run);
	rl = (struct run_loop){.duration_ns = co.duration_ns,
			       .interval_ns = OOM_SESSION_TICK_NS,
			       .max_poll_ms = 50,
			       .poll = oom_session__poll,
			       .tick = oom_session__tick,
			       .stop = oom_session__done,
			       .ctx = run};
	err = run_loop__run(&rl);
out:
	oom_session__free(run);
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
