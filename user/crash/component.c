// SPDX-License-Identifier: GPL-2.0
/*
 * `crash` as a live component (live/component.h): the same session as
 * `gotrace crash` (exec, exits, signals and their senders, failed
 * syscalls, Go fatal errors through uprobes), scoped to the target's pod,
 * process or cgroup, quiet, its facts handed to the window as they come.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crash/crash.h"
#include "live/component.h"
#include "live/sinkstore.h"
#include "proc/identity.h"

struct crash_live {
	struct crash_session *s;
	struct sink_store out;
	struct crash_session_opts o;
};

static bool applies(const struct live_target *t, char *why, size_t len)
{
	if (t->pid || (t->id && t->id->cg.pod_uid[0]) || (t->cgroup && t->cgroup[0]))
		return true;
	snprintf(why, len, "no process, pod or cgroup to scope it to");
	return false;
}

static int start(const struct live_target *t, void **state)
{
	struct crash_live *c = calloc(1, sizeof(*c));
	int err;

	*state = c;
	if (!c)
		return -ENOMEM;
	sink_store__init(&c->out);
	c->o = (struct crash_session_opts){.mode = CRASH_MODE_CRASH,
					   .hold = true,
					   .host_root = t->host_root,
					   .sink = &c->out.sink,
					   .quiet = true,
					   .on_exec = t->exec_seen,
					   .exec_ctx = t->exec_ctx};
	/* The pod outlives its processes (restarts); else the process; else the cgroup. */
	if (t->id && t->id->cg.pod_uid[0])
		c->o.pod = t->id->cg.pod_uid;
	else if (t->pid)
		c->o.pid = t->pid;
	else
		c->o.cgroup = t->cgroup;
	err = crash_session__open(&c->o, &c->s);
	return err;
}

static int poll_once(void *state, int timeout_ms, struct fact_store *fs)
{
	struct crash_live *c = state;
	int err = crash_session__poll(c->s, timeout_ms);

	return err ? err : sink_store__drain(&c->out, fs);
}

static int finish(void *state, struct fact_store *fs, char *summary, size_t len)
{
	struct crash_live *c = state;
	struct crash_session_stats st;
	int err = crash_session__tick(c->s, true);

	if (!err)
		err = sink_store__drain(&c->out, fs);
	crash_session__stats(c->s, &st);
	snprintf(summary, len, "%llu deaths, %llu events (%llu lost), %zu hooks attached",
		 (unsigned long long)st.deaths, (unsigned long long)st.events,
		 (unsigned long long)st.events_lost, st.hooks_attached);
	return err;
}

static void stop(void *state)
{
	struct crash_live *c = state;

	if (!c)
		return;
	crash_session__free(c->s);
	sink_store__clear(&c->out);
	free(c);
}

const struct live_component crash_live_component = {
	.name = "crash",
	.summary = "deaths, exit codes, signals and their senders, failed execs and syscalls, Go "
		   "fatal errors",
	.applies = applies,
	.start = start,
	.poll = poll_once,
	.finish = finish,
	.stop = stop,
};
