// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>

#include "base/err.h"
#include "base/signals.h"
#include "crash/crash_int.h"
#include "crash/names.h"
#include "goelf/binfacts.h"
#include "kern/cgroup_layout.h"
#include "kern/features.h"

/* Every hook the crash tracer can use; `bind` needs only the socket ones. */
static const char *const crash_hooks[] = {
	"process_exec",	       "process_exit",	   "process_fork",
	"signal_generate",     "signal_deliver",   "cap_capable",
	"sys_exit_execve",     "sys_exit_openat",  "sys_exit_connect",
	"sys_exit_getsockopt", "sys_exit_bind",	   "sys_exit_listen",
	"sys_enter_write",     "sys_enter_writev", NULL,
};

static const char *const bind_hooks[] = {
	"process_exec",	 "process_exit",    "process_fork", "cap_capable",
	"sys_exit_bind", "sys_exit_listen", NULL,
};

/* -c PATH → the cgroup2 directory's id (its inode), "/" → every process. */
static int cgroup_scope(const char *path, struct crash_tracer_opts *to)
{
	const struct cgroup_layout *cl = features__cgroup();
	char dir[PATH_MAX];
	struct stat st;

	if (!strcmp(path, "/")) {
		to->scope = CRASH_SCOPE_ALL;
		return 0;
	}
	if (!cl || !cl->unified_mount[0])
		return err_fail(GT_ENOFEAT, "crash: -c needs a cgroup2 mount (none on this node)");
	snprintf(dir, sizeof(dir), "%s/%s", cl->unified_mount, path[0] == '/' ? path + 1 : path);
	if (stat(dir, &st) || !S_ISDIR(st.st_mode))
		return err_fail(GT_EUSAGE, "crash: no cgroup %s (looked for %s)", path, dir);
	to->scope = CRASH_SCOPE_CGROUP;
	to->cgroup_id = st.st_ino;
	return 0;
}

static int tracer_opts(const struct crash_session *s, struct crash_tracer_opts *to)
{
	bool crash = s->o.mode == CRASH_MODE_CRASH;

	memset(to, 0, sizeof(*to));
	to->scope = CRASH_SCOPE_CONTAINERS;
	to->hold_new_binaries = crash && s->o.hold;
	to->hold_exec_fail = crash && s->o.hold;
	to->report_bind_ok = !crash;
	to->capture_output = crash;
	to->out_budget_kib = s->o.out_budget_kib ? s->o.out_budget_kib : CRASH_OUT_BUDGET_KIB;
	to->go_probes = crash;
	to->max_fail_per_sec = 64;
	to->sig_mask = crash_terminating_sig_mask();
	to->hooks = crash ? crash_hooks : bind_hooks;
	to->handler = crash_on_event;
	if (s->o.pid) {
		to->scope = CRASH_SCOPE_PIDS;
		to->pid = s->o.pid;
	} else if (s->o.cgroup) {
		return cgroup_scope(s->o.cgroup, to);
	}
	return 0;
}

static void clocks(struct crash_session *s)
{
	struct timespec r, m;

	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_MONOTONIC, &m);
	s->mono_to_real_ns =
		((int64_t)r.tv_sec - m.tv_sec) * 1000000000LL + (r.tv_nsec - m.tv_nsec);
}

static void host_machine(struct crash_session *s)
{
	struct utsname u;

	if (uname(&u))
		snprintf(s->host_machine, sizeof(s->host_machine), "?");
	else if (!strcmp(u.machine, "x86_64"))
		snprintf(s->host_machine, sizeof(s->host_machine), "%s", elf_machine_name(62));
	else if (!strcmp(u.machine, "aarch64"))
		snprintf(s->host_machine, sizeof(s->host_machine), "%s", elf_machine_name(183));
	else
		snprintf(s->host_machine, sizeof(s->host_machine), "%.31s", u.machine);
}

static void print_hooks(struct crash_session *s)
{
	const struct crash_hook_state *h;
	size_t n = crash_tracer__hooks(s->tr, &h);

	for (size_t i = 0; i < n; i++) {
		if (h[i].mech[0] && s->o.verbose >= 1)
			fprintf(stderr, "crash: hook %-16s %s\n", h[i].hook, h[i].mech);
		else if (!h[i].mech[0])
			fprintf(stderr, "crash: hook %s unavailable, its facts are missing: %s\n",
				h[i].hook, h[i].why);
	}
}

static const char *scope_name(const struct crash_session *s)
{
	if (s->o.pid)
		return "pid";
	if (s->o.cgroup)
		return strcmp(s->o.cgroup, "/") ? "cgroup" : "node";
	return "containers";
}

/* Everything is attached: from here on nothing is missed (scripts wait for this line). */
static void print_ready(struct crash_session *s)
{
	const char *cmd = s->o.mode == CRASH_MODE_CRASH ? "crash" : "bind";
	const struct crash_hook_state *h;
	size_t n = crash_tracer__hooks(s->tr, &h), ok = 0;

	for (size_t i = 0; i < n; i++)
		ok += h[i].mech[0] != '\0';
	if (s->o.json)
		printf("{\"status\":{\"command\":\"%s\",\"ready\":true,\"scope\":\"%s\","
		       "\"hooks_attached\":%zu,\"hooks_missing\":%zu,\"go_binaries\":%zu}}\n",
		       cmd, scope_name(s), ok, n - ok, s->nbins);
	else
		fprintf(stderr, "%s: watching %s (%zu hooks; Ctrl-C to stop)\n", cmd,
			s->o.pid ? "the process and its children" : scope_name(s), ok);
	fflush(stdout);
}

int crash_session__open(const struct crash_session_opts *o, struct crash_session **out)
{
	struct crash_session *s = calloc(1, sizeof(*s));
	struct crash_tracer_opts to;
	int err;

	*out = NULL;
	if (!s)
		return -ENOMEM;
	s->o = *o;
	if (!s->o.host_root)
		s->o.host_root = "/";
	for (size_t i = 0; i < CRASH_MAX_SNAPS; i++)
		s->snaps[i].root_fd = -1;
	clocks(s);
	host_machine(s);
	err = tracer_opts(s, &to);
	if (!err) {
		to.ctx = s;
		err = crash_tracer__open(&to, &s->tr);
	}
	if (err) {
		crash_session__free(s);
		return err;
	}
	if (!o->quiet)
		print_hooks(s);
	if (o->mode == CRASH_MODE_CRASH)
		crash_gobin__scan_running(s);
	if (!o->quiet)
		print_ready(s);
	*out = s;
	return 0;
}

int crash_session__poll(void *ctx, int timeout_ms)
{
	struct crash_session *s = ctx;
	int n = crash_tracer__poll(s->tr, timeout_ms);

	return n < 0 ? n : 0;
}

int crash_session__tick(void *ctx, bool final)
{
	struct crash_session *s = ctx;
	uint64_t st[CRASH_STAT_NR];

	if (!final)
		return 0;
	crash_tracer__poll(s->tr, 0); /* what is still in the ring */
	if (s->o.quiet)
		return 0;
	crash_tracer__stats(s->tr, st);
	if (s->o.json) {
		printf("{\"summary\":{\"deaths\":%llu,\"verdicts\":%llu,\"events\":%llu,"
		       "\"events_lost\":%llu,\"rate_limited\":%llu,\"procs_full\":%llu,"
		       "\"holds\":%llu,\"output_bytes\":%llu,\"max_death_to_verdict_ns\":%llu}}\n",
		       (unsigned long long)s->deaths, (unsigned long long)s->verdicts,
		       (unsigned long long)st[CRASH_STAT_EVENTS],
		       (unsigned long long)st[CRASH_STAT_RB_FULL],
		       (unsigned long long)st[CRASH_STAT_RATE],
		       (unsigned long long)st[CRASH_STAT_PROCS_FULL],
		       (unsigned long long)st[CRASH_STAT_HOLDS],
		       (unsigned long long)st[CRASH_STAT_OUT_BYTES],
		       (unsigned long long)s->max_latency_ns);
	} else {
		fprintf(stderr,
			"%s: %llu deaths, %llu events (%llu lost, %llu rate-limited), %llu "
			"processes held for inspection\n",
			s->o.mode == CRASH_MODE_CRASH ? "crash" : "bind",
			(unsigned long long)s->deaths, (unsigned long long)st[CRASH_STAT_EVENTS],
			(unsigned long long)st[CRASH_STAT_RB_FULL],
			(unsigned long long)st[CRASH_STAT_RATE],
			(unsigned long long)st[CRASH_STAT_HOLDS]);
	}
	fflush(stdout);
	return 0;
}

void crash_session__stats(struct crash_session *s, struct crash_session_stats *out)
{
	const struct crash_hook_state *h;
	uint64_t st[CRASH_STAT_NR];
	size_t n = crash_tracer__hooks(s->tr, &h);

	memset(out, 0, sizeof(*out));
	crash_tracer__stats(s->tr, st);
	for (size_t i = 0; i < n; i++) {
		if (h[i].mech[0])
			out->hooks_attached++;
		else
			out->hooks_missing++;
	}
	out->deaths = s->deaths;
	out->events = st[CRASH_STAT_EVENTS];
	out->events_lost = st[CRASH_STAT_RB_FULL];
	out->rate_limited = st[CRASH_STAT_RATE];
	out->holds = st[CRASH_STAT_HOLDS];
}

void crash_session__free(struct crash_session *s)
{
	if (!s)
		return;
	crash_tracer__free(s->tr);
	crash_snap__drop_all(s);
	crash_gobin__free_all(s);
	fact_store__clear(&s->facts);
	free(s);
}
