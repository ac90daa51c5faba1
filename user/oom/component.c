// SPDX-License-Identifier: GPL-2.0
/*
 * `oom` as a live component (live/component.h): the same session as
 * `gotrace oom`, scoped to the target, sampling its memory cgroup's
 * trajectory, quiet, each kill's fact handed to the window.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/signals.h"
#include "live/component.h"
#include "live/sinkstore.h"
#include "oom/session.h"
#include "proc/identity.h"

struct oom_live {
	struct oom_session *s;
	struct sink_store out;
	struct common_opts co;
	uint64_t last_tick_ns;
};

static bool applies(const struct live_target *t, char *why, size_t len)
{
	/* A pod's containers come and go: its scope holds even when none runs now. */
	if ((t->mem_cgroup && t->mem_cgroup[0]) || (t->id && t->id->cg.pod_uid[0]) || t->pid)
		return true;
	snprintf(why, len, "no memory cgroup, pod or process known for the target");
	return false;
}

static int start(const struct live_target *t, void **state)
{
	struct oom_live *o = calloc(1, sizeof(*o));
	struct oom_session_opts so;

	*state = o;
	if (!o)
		return -ENOMEM;
	sink_store__init(&o->out);
	if (t->id && t->id->cg.pod_uid[0])
		o->co.pod = t->id->cg.pod_uid;
	else if (t->pid)
		o->co.pid = t->pid;
	else
		o->co.cgroup = t->cgroup;
	so = (struct oom_session_opts){.co = &o->co,
				       .sink = &o->out.sink,
				       .quiet = true,
				       .topts = {.force_kill_mech = MECH_NR}};
	o->last_tick_ns = mono_ns();
	return oom_session__open(&so, &o->s);
}

static int poll_once(void *state, int timeout_ms, struct fact_store *fs)
{
	struct oom_live *o = state;
	int err = oom_session__poll(o->s, timeout_ms);

	/* The trajectory samples usage every tick: what the run loop does for `oom`. */
	if (!err && mono_ns() - o->last_tick_ns >= OOM_SESSION_TICK_NS) {
		o->last_tick_ns = mono_ns();
		err = oom_session__tick(o->s, false);
	}
	return err ? err : sink_store__drain(&o->out, fs);
}

static int finish(void *state, struct fact_store *fs, char *summary, size_t len)
{
	struct oom_live *o = state;
	struct oom_session_stats st;
	int err = sink_store__drain(&o->out, fs);

	oom_session__stats(o->s, &st);
	snprintf(summary, len, "%u OOM kills via %s (%llu records lost)", st.kills, st.mechanism,
		 (unsigned long long)st.ringbuf_drops);
	return err;
}

static void on_exec(void *state, pid_t pid)
{
	struct oom_live *o = state;

	oom_session__see_exec(o->s, pid);
}

static void stop(void *state)
{
	struct oom_live *o = state;

	if (!o)
		return;
	oom_session__free(o->s);
	sink_store__clear(&o->out);
	free(o);
}

const struct live_component oom_live_component = {
	.name = "oom",
	.summary = "OOM kills with the memory cgroup's trajectory and Go's memory settings",
	.applies = applies,
	.start = start,
	.poll = poll_once,
	.finish = finish,
	.stop = stop,
	.on_exec = on_exec,
};
