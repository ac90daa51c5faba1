/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_CRASH_CRASH_H
#define GOTRACE_CRASH_CRASH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cli/opts.h"
#include "rank/fact.h"

/*
 * The engine behind `gotrace crash` and `gotrace bind`: it runs the crash
 * tracer (bpf_crash.h), turns each kernel event into facts (rank/fact.h)
 * about a container (proc/identity.h), enriches them while the process can
 * still be inspected (the ELF of a failed exec, cwd/env/mounts, who holds
 * a port, Go stacks symbolized), and on every death prints the ranked
 * candidates that explain it (rank/rules.h, rank/render.h).
 */
struct crash_session;

enum crash_mode {
	CRASH_MODE_CRASH, /* deaths and why */
	CRASH_MODE_BIND,  /* every bind/listen and its outcome */
};

struct crash_session_opts {
	enum crash_mode mode;
	pid_t pid;	       /* -p: this process and its descendants */
	const char *cgroup;    /* -c: a cgroup path under the cgroup2 mount ("/" = all) */
	const char *pod;       /* --pod UID (prefix) */
	const char *container; /* --container ID (prefix) */
	bool json;
	int verbose;
	bool hold; /* hold new binaries / failed execs for inspection */
	/* stdout/stderr KiB copied per process and second: 0 the default, UINT32_MAX no limit. */
	uint32_t out_budget_kib;
	const char *host_root;
	/* For watch/doctor: every fact also goes there; quiet: print nothing. */
	const struct fact_sink *sink;
	bool quiet;
	/*
	 * Every exec in scope, while a held new binary is still stopped (watch:
	 * the OOM half reads the process ahead before it can die).
	 */
	void (*on_exec)(void *ctx, pid_t pid);
	void *exec_ctx;
};

int crash_session__open(const struct crash_session_opts *o, struct crash_session **out);
/* run_loop callbacks (base/loop.h). */
int crash_session__poll(void *s, int timeout_ms);
int crash_session__tick(void *s, bool final);
void crash_session__free(struct crash_session *s);

struct crash_session_stats {
	uint64_t deaths, events, events_lost, rate_limited, holds;
	size_t hooks_attached, hooks_missing;
};
void crash_session__stats(struct crash_session *s, struct crash_session_stats *out);

/* cli.c: a command's run(): its options, a session, the poll loop. */
extern const struct cmd_opt crash_cmd_opts[];
int crash_cmd_run(const struct cmd_spec *spec, int argc, char **argv, enum crash_mode mode);

#endif
