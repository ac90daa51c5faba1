// SPDX-License-Identifier: GPL-2.0
/*
 * pod.restarts: the container's restart history from the kubelet's logs
 * (one <restart>.log per instance: how many, when each started and last
 * wrote, so how long each lived) and the last lines of the last instance
 * that ended: what `kubectl logs --previous` shows, read from the node.
 * Errors in those lines (a failed exec, a refused bind, a missing file, a
 * Go panic) become facts the rules rank.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor/check.h"
#include "doctor/logscan.h"
#include "doctor/target.h"
#include "out/units.h"
#include "rank/fact.h"

#define SHOW_LINES 10
#define SHORT_LIFE_NS (300ULL * 1000000000ULL) /* an instance dead within 5 min: a crash loop */
#define MAX_INSTANCES 64

struct instance {
	int restart;
	uint64_t first_ns, last_ns;
};

static int by_restart(const void *a, const void *b)
{
	return ((const struct instance *)a)->restart - ((const struct instance *)b)->restart;
}

/* Every <n>.log of the container's log directory, with its first and last time. */
static size_t instances(const char *dir, struct instance *v)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d = opendir(dir);

	if (!d)
		return 0;
	while ((de = readdir(d)) && n < MAX_INSTANCES) {
		char path[PATH_MAX + 300], *end;
		struct log_tail tail;
		long r = strtol(de->d_name, &end, 10);

		if (end == de->d_name || strcmp(end, ".log") || r < 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (log_tail__read(path, 1, &tail))
			continue;
		v[n++] = (struct instance){(int)r, tail.first_ns, tail.last_ns};
		log_tail__clear(&tail);
	}
	closedir(d);
	qsort(v, n, sizeof(*v), by_restart);
	return n;
}

static void history(const struct instance *v, size_t n, bool running, struct check_result *r)
{
	char d[32];

	for (size_t i = n > 5 ? n - 5 : 0; i < n; i++) {
		bool live = running && i == n - 1;
		uint64_t life = v[i].last_ns > v[i].first_ns ? v[i].last_ns - v[i].first_ns : 0;

		if (!v[i].first_ns)
			check_evidence(r, "instance %d: %s, its log is empty", v[i].restart,
				       live ? "running" : "ended");
		else
			check_evidence(r, "instance %d: %s %s", v[i].restart,
				       live ? "running, logging for" : "logged for",
				       fmt_duration(life, d, sizeof(d)));
	}
}

static void show_tail(const struct log_tail *t, const char *path, struct check_result *r)
{
	size_t from = t->n > SHOW_LINES ? t->n - SHOW_LINES : 0;

	check_evidence(r, "last lines of %s%s:%s", path, t->cut ? " (tail)" : "",
		       t->n ? "" : " (empty)");
	for (size_t i = from; i < t->n; i++)
		check_evidence(r, "| %s", t->v[i].text);
}

/* One fact per recognized error line of a tail. */
static void errors(const struct doctor_target *t, const struct log_tail *tail, const char *which,
		   int restart, struct check_result *r)
{
	for (size_t i = 0; i < tail->n; i++) {
		struct log_error e;
		struct fact *f;

		if (!log_line__classify(tail->v[i].text, &e) ||
		    !(f = check_fact(r, t, "log_error")))
			continue;
		fact_set_str(f, "class", log_class_name(e.cls));
		fact_set_str(f, "line", tail->v[i].text);
		fact_set_str(f, "instance", which);
		fact_set_int(f, "restart", restart);
		if (e.path[0])
			fact_set_str(f, "path", e.path);
		if (e.port)
			fact_set_int(f, "port", e.port);
		if (e.addr[0])
			fact_set_str(f, "addr", e.addr);
		if (tail->v[i].time_ns)
			f->time_ns = tail->v[i].time_ns;
	}
}

static void judge(const struct instance *v, size_t n, const struct instance_logs *l, bool running,
		  struct check_result *r)
{
	const struct instance *last = n ? &v[running && n > 1 ? n - 2 : n - 1] : NULL;
	uint64_t life = last && last->last_ns > last->first_ns ? last->last_ns - last->first_ns : 0;
	int restarts = n ? v[n - 1].restart : 0;
	char d[32];

	if (restarts == 0 && running) {
		check_finding(r, CHECK_PASS, "first instance, running; no restarts");
		return;
	}
	if (restarts == 0) {
		check_finding(r, CHECK_FAIL, "the first instance is not running (it exited)");
		return;
	}
	if (!running || life < SHORT_LIFE_NS)
		check_finding(r, CHECK_FAIL,
			      "crash-looping: %d restart%s, the last ended instance "
			      "%s%s%s",
			      restarts, restarts == 1 ? "" : "s",
			      last && last->first_ns ? "logged for " : "left an empty log",
			      last && last->first_ns ? fmt_duration(life, d, sizeof(d)) : "",
			      running ? "" : "; none runs now");
	else
		check_finding(r, CHECK_WARN,
			      "restarted %d time%s; the last ended instance lived %s", restarts,
			      restarts == 1 ? "" : "s", fmt_duration(life, d, sizeof(d)));
	if (l->have_prev)
		check_fix(r, "read the last lines above; the ranked causes below combine them with "
			     "the other checks");
}

static void add_fact(const struct doctor_target *t, const struct instance *v, size_t n,
		     bool running, struct check_result *r)
{
	struct fact *f = check_fact(r, t, "restart_history");
	const struct instance *last = n ? &v[running && n > 1 ? n - 2 : n - 1] : NULL;

	if (!f)
		return;
	fact_set_int(f, "restarts", n ? v[n - 1].restart : 0);
	fact_set_int(f, "instances", (int64_t)n);
	fact_set_bool(f, "running", running);
	if (last && last->last_ns > last->first_ns)
		fact_set_int(f, "last_life_ns", (int64_t)(last->last_ns - last->first_ns));
}

static void run(const struct doctor_check *self, const struct doctor_target *t,
		struct check_result *r)
{
	struct instance v[MAX_INSTANCES];
	struct instance_logs l;
	char dir[PATH_MAX];
	size_t n;

	if (instance_logs__read(t, &l)) {
		check_skip(r,
			   "no kubelet logs for this target under %s/var/log/pods (not a pod, or "
			   "give --host-root)",
			   t->host_root);
		return;
	}
	snprintf(dir, sizeof(dir), "%s", t->id.logs.path);
	if (strrchr(dir, '/'))
		*strrchr(dir, '/') = '\0';
	n = instances(dir, v);
	check_evidence(r, "%s: %zu instance log%s", dir, n, n == 1 ? "" : "s");
	history(v, n, t->pid != 0, r);
	if (l.have_prev)
		show_tail(&l.prev, l.prev_path, r);
	add_fact(t, v, n, t->pid != 0, r);
	if (l.have_prev)
		errors(t, &l.prev, "previous", l.prev_restart, r);
	if (l.have_cur)
		errors(t, &l.cur, "current", l.cur_restart, r);
	judge(v, n, &l, t->pid != 0, r);
	instance_logs__clear(&l);
}

const struct doctor_check check_restarts = {
	.id = "pod.restarts",
	.description = "restart history from /var/log/pods and the last ended instance's last "
		       "lines",
	.timeout_ms = 2000,
	.needs = 0,
	.run = run,
};
