// SPDX-License-Identifier: GPL-2.0
/*
 * kernel.oom_log: the OOM kills of this container or pod that the kernel's
 * log still holds (the runbook's "grep dmesg for OOM kills", kern/kmsg.h).
 * The cgroup counters (memory.oom_kills) vanish with a container's cgroup,
 * and a cgroup v1 pod does not count its children's kills, so for a
 * crash loop the kernel log is often the only record of an instance
 * killed at its limit. Kills are matched by the pod UID (cgroupfs and
 * systemd spellings) or the container id in the victim's memory cgroup
 * path, else by the process's own cgroup or pid.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "doctor/check.h"
#include "doctor/target.h"
#include "kern/kmsg.h"
#include "out/units.h"
#include "rank/fact.h"

#define SHOW_KILLS 5

struct oom_scan {
	const struct doctor_target *t;
	char uid_us[80]; /* the pod UID with '_' for '-' (systemd driver) */
	struct kmsg_oom last[SHOW_KILLS];
	size_t n, total;
};

static bool matches(const struct oom_scan *s, const struct kmsg_oom *k)
{
	const struct doctor_target *t = s->t;
	const char *uid = t->id.cg.pod_uid, *cid = t->id.cg.container_id;

	if (uid[0])
		return strstr(k->task_memcg, uid) || strstr(k->task_memcg, s->uid_us);
	if (cid[0])
		return strstr(k->task_memcg, cid) != NULL;
	if (t->id.memcg[0] && strcmp(t->id.memcg, "/"))
		return !strcmp(k->task_memcg, t->id.memcg);
	return t->pid && k->pid == t->pid;
}

static int on_kill(void *ctx, const struct kmsg_oom *k)
{
	struct oom_scan *s = ctx;

	if (!matches(s, k))
		return 0;
	s->total++;
	if (s->n == SHOW_KILLS) {
		memmove(s->last, s->last + 1, (SHOW_KILLS - 1) * sizeof(s->last[0]));
		s->n--;
	}
	s->last[s->n++] = *k;
	return 0;
}

static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

static void show(const struct kmsg_oom *k, uint64_t now, struct check_result *r)
{
	char ago[32], rss[32], lim[32];

	check_evidence(r, "%s ago: killed %s (pid %d), anon-rss %s%s%s, %s, oom_memcg=%s",
		       fmt_duration((now > k->usec ? now - k->usec : 0) * 1000, ago, sizeof(ago)),
		       k->comm, (int)k->pid,
		       k->have_rss ? fmt_bytes(k->anon_rss_kib << 10, rss, sizeof(rss)) : "?",
		       k->have_usage ? " at a limit of " : "",
		       k->have_usage ? fmt_bytes(k->limit_kib << 10, lim, sizeof(lim)) : "",
		       k->constraint, k->oom_memcg);
}

static void add_fact(const struct doctor_target *t, const struct oom_scan *s, uint64_t now,
		     uint64_t oldest, struct check_result *r)
{
	const struct kmsg_oom *k = s->n ? &s->last[s->n - 1] : NULL;
	struct fact *f = check_fact(r, t, "oom_kill_log");

	if (!f)
		return;
	fact_set_int(f, "kills", (int64_t)s->total);
	fact_set_int(f, "log_span_ns", (int64_t)((now > oldest ? now - oldest : 0) * 1000));
	if (!k)
		return;
	fact_set_int(f, "last_pid", k->pid);
	fact_set_str(f, "last_comm", k->comm);
	fact_set_int(f, "last_age_ns", (int64_t)((now > k->usec ? now - k->usec : 0) * 1000));
	fact_set_str(f, "constraint", k->constraint);
	fact_set_str(f, "oom_memcg", k->oom_memcg);
	if (k->have_rss)
		fact_set_int(f, "last_anon_rss_kib", (int64_t)k->anon_rss_kib);
	if (k->have_usage)
		fact_set_int(f, "limit_bytes", (int64_t)(k->limit_kib << 10));
}

static void run(const struct doctor_check *self, const struct doctor_target *t,
		struct check_result *r)
{
	struct oom_scan s = {.t = t};
	const struct kmsg_oom *last;
	uint64_t oldest = 0, now;
	char span[32];
	int err;

	snprintf(s.uid_us, sizeof(s.uid_us), "%s", t->id.cg.pod_uid);
	for (char *p = s.uid_us; *p; p++)
		*p = *p == '-' ? '_' : *p;
	err_clear();
	err = kmsg__oom_kills(t->kmsg_path ? t->kmsg_path : "/dev/kmsg", on_kill, &s, &oldest);
	if (err) {
		check_skip(r, "%s", err_msg());
		return;
	}
	now = mono_us();
	fmt_duration((now > oldest ? now - oldest : 0) * 1000, span, sizeof(span));
	check_evidence(r, "%s goes back %s", t->kmsg_path ? t->kmsg_path : "/dev/kmsg", span);
	for (size_t i = 0; i < s.n; i++)
		show(&s.last[i], now, r);
	add_fact(t, &s, now, oldest, r);
	if (!s.total) {
		check_finding(r, CHECK_PASS, "no OOM kill of it in the kernel log (the last %s)",
			      span);
		return;
	}
	last = &s.last[s.n - 1];
	check_finding(
		r, CHECK_FAIL,
		"%zu OOM kill%s of this %s in the kernel log; the last %s ago: "
		"%s (pid %d)",
		s.total, s.total == 1 ? "" : "s", t->id.cg.pod_uid[0] ? "pod" : "container",
		fmt_duration((now > last->usec ? now - last->usec : 0) * 1000, span, sizeof(span)),
		last->comm, (int)last->pid);
	check_fix(r, "see memory.limit (for Go: GOMEMLIMIT below the limit) or raise the limit; "
		     "`gotrace oom` reports the next kill with how usage got there");
}

const struct doctor_check check_kmsg = {
	.id = "kernel.oom_log",
	.description = "OOM kills of this container or pod in the kernel log (dmesg)",
	.timeout_ms = 2000,
	.needs = 0,
	.run = run,
};
