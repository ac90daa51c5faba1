// SPDX-License-Identifier: GPL-2.0
/*
 * Events → who: the cgroup path the kernel side captured (kernfs names,
 * leaf first) becomes a proc/identity.h identity, cached per cgroup id.
 * The path comes with the event because the container's cgroup directory
 * is removed right after its init exits, before we could look it up.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/signals.h"
#include "crash/crash_int.h"

void crash_cgpath_string(const struct crash_cgpath *cg, char *buf, size_t len)
{
	size_t n = 0;
	int i, depth = cg->depth > CRASH_CG_LEVELS ? CRASH_CG_LEVELS : (int)cg->depth;

	buf[0] = '\0';
	if (depth == 0) {
		snprintf(buf, len, "/");
		return;
	}
	if (cg->truncated)
		n += snprintf(buf + n, len - n, "/...");
	for (i = depth - 1; i >= 0 && n < len; i--)
		n += snprintf(buf + n, len - n, "/%.*s", CRASH_CG_NAME, cg->names[i]);
}

static bool prefix_match(const char *want, const char *have)
{
	return !want || !want[0] || (have && !strncmp(have, want, strlen(want)));
}

static void ident_fill(struct crash_session *s, struct crash_ident *ci, uint64_t cgroup_id,
		       const struct crash_cgpath *cg, pid_t pid)
{
	char path[1024];

	memset(ci, 0, sizeof(*ci));
	ci->cgroup_id = cgroup_id;
	if (cg && cg->depth) {
		crash_cgpath_string(cg, path, sizeof(path));
		identity__from_cgroup(path, s->o.host_root, &ci->id);
	} else if (pid <= 0 || identity__from_pid(pid, s->o.host_root, &ci->id)) {
		identity__from_cgroup("/", s->o.host_root, &ci->id);
	}
	ci->id.pid = 0; /* the cache is per cgroup; facts set their own pid */
	identity__subject(&ci->id, ci->subject, sizeof(ci->subject));
	ci->in_filter = prefix_match(s->o.pod, ci->id.cg.pod_uid) &&
			prefix_match(s->o.container, ci->id.cg.container_id);
}

/* Only the restart count changes under a cached identity (a restart adds N.log). */
static void refresh_restart(struct crash_session *s, struct crash_ident *ci)
{
	struct pod_log pl;

	if (ci->id.logs.container[0] &&
	    !pod_logs__find(s->o.host_root, ci->id.cg.pod_uid, ci->id.logs.container, &pl))
		ci->id.logs = pl;
}

/*
 * The identity of a cgroup. Cached by id; an entry made without a path
 * (a signal event from the tracefs fallback) is redone when a path comes.
 * The log layout changes under us (each restart adds N.log), so the
 * restart count is re-read on every use.
 */
const struct crash_ident *crash_ident__get(struct crash_session *s, uint64_t cgroup_id,
					   const struct crash_cgpath *cg, pid_t pid)
{
	struct crash_ident *ci;
	size_t i;

	for (i = 0; i < s->nidents && cgroup_id; i++) {
		ci = &s->idents[i];
		if (ci->cgroup_id != cgroup_id)
			continue;
		if (cg && cg->depth && (!ci->id.cgroup[0] || !ci->id.cgroup[1]))
			ident_fill(s, ci, cgroup_id, cg, pid);
		else if (ci->id.have_logs)
			refresh_restart(s, ci);
		return ci;
	}
	if (s->nidents < CRASH_MAX_IDENTS) {
		ci = &s->idents[s->nidents++];
	} else {
		ci = &s->idents[s->next_ident];
		s->next_ident = (s->next_ident + 1) % CRASH_MAX_IDENTS;
	}
	ident_fill(s, ci, cgroup_id, cg, pid);
	return ci;
}

uint64_t crash_realtime(const struct crash_session *s, uint64_t mono_ns)
{
	return (uint64_t)((int64_t)mono_ns + s->mono_to_real_ns);
}

struct fact *crash_fact_new(struct crash_session *s, const char *kind, const struct crash_ident *ci,
			    const struct crash_hdr *h)
{
	bool no_group = !ci->id.cgroup[0] || !strcmp(ci->id.cgroup, "/");
	char comm[CRASH_COMM_LEN + 1], subj[32];
	struct fact *f;
	int err = 0;

	/* Outside any cgroup of its own (the root), a process is only itself. */
	snprintf(subj, sizeof(subj), "pid:%u", h->pid);
	f = fact_new(kind, no_group ? subj : ci->subject, crash_realtime(s, h->time_ns));
	if (!f)
		return NULL;
	err |= identity__to_fact(&ci->id, f);
	err |= fact_set_int(f, "pid", h->pid);
	if (h->tid != h->pid)
		err |= fact_set_int(f, "tid", h->tid);
	if (h->ns_pid && h->ns_pid != h->pid)
		err |= fact_set_int(f, "ns_pid", h->ns_pid);
	memcpy(comm, h->comm, CRASH_COMM_LEN);
	comm[CRASH_COMM_LEN] = '\0';
	if (comm[0])
		err |= fact_set_str(f, "comm", comm);
	if (err) {
		fact_free(f);
		return NULL;
	}
	return f;
}
