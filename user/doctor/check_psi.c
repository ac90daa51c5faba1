// SPDX-License-Identifier: GPL-2.0
/*
 * psi: pressure stall information of the container's cgroup2 directory
 * (cpu.pressure, memory.pressure, io.pressure; Documentation/accounting/
 * psi.rst): the share of the last 10/60 s in which some (or all) of its
 * tasks waited for the resource. On a hybrid node the files are in the
 * unified hierarchy, where runc also places the container. "full" memory
 * pressure means every task was stalled in reclaim: the container is
 * thrashing at its limit, typically just before an OOM kill.
 */
#include <errno.h>
#include <stdio.h>

#include "doctor/check.h"
#include "doctor/target.h"
#include "proc/memcg.h"
#include "rank/fact.h"

struct res {
	const char *name;
	double warn_some, fail_full; /* avg10 percent thresholds; 0: none */
};

static const struct res resources[] = {
	{"memory", 10, 10},
	{"cpu", 20, 0}, /* throttling shows here too (waiting for the quota) */
	{"io", 30, 20},
};

static void one(const struct doctor_target *t, const struct res *rs, const struct psi *p,
		struct check_result *r)
{
	struct fact *f = check_fact(r, t, "psi");

	check_evidence(r, "%s: some avg10=%.2f avg60=%.2f%s", rs->name, p->some.avg10,
		       p->some.avg60, p->full.valid ? "" : " (no full line)");
	if (p->full.valid)
		check_evidence(r, "%s: full avg10=%.2f avg60=%.2f", rs->name, p->full.avg10,
			       p->full.avg60);
	if (f) {
		fact_set_str(f, "resource", rs->name);
		fact_set_str(f, "psi_source", "cgroup");
		fact_set_float(f, "some_avg10", p->some.avg10);
		fact_set_float(f, "some_avg60", p->some.avg60);
		fact_set_int(f, "some_total_us", (int64_t)p->some.total_us);
		if (p->full.valid) {
			fact_set_float(f, "full_avg10", p->full.avg10);
			fact_set_float(f, "full_avg60", p->full.avg60);
		}
	}
	if (rs->fail_full && p->full.valid && p->full.avg10 >= rs->fail_full) {
		check_finding(r, CHECK_FAIL,
			      "%s pressure: all tasks stalled %.0f%% of the last 10 s", rs->name,
			      p->full.avg10);
		check_fix(r, "%s",
			  rs->name[0] == 'm' ? "the container thrashes at its memory limit: "
					       "raise the limit or cut the heap (GOMEMLIMIT)"
					     : "find what saturates it (iostat, the IO limit)");
	} else if (p->some.avg10 >= rs->warn_some) {
		check_finding(r, CHECK_WARN, "%s pressure: tasks waited %.0f%% of the last 10 s",
			      rs->name, p->some.avg10);
		check_fix(r, "the container needs more %s than it gets", rs->name);
	}
}

static void run(const struct doctor_check *self, const struct doctor_target *t,
		struct check_result *r)
{
	char path[PATH_MAX + 32];
	size_t i, found = 0;

	if (!t->unified_dir[0]) {
		check_skip(r, "the container has no cgroup2 directory (pure cgroup v1 node)");
		return;
	}
	for (i = 0; i < sizeof(resources) / sizeof(resources[0]); i++) {
		struct psi p;

		snprintf(path, sizeof(path), "%s/%s.pressure", t->unified_dir, resources[i].name);
		if (psi__read(path, &p) || !p.some.valid)
			continue;
		found++;
		one(t, &resources[i], &p, r);
	}
	if (!found) {
		check_skip(r, "no *.pressure files in %s (kernel without PSI, or psi=0)",
			   t->unified_dir);
		return;
	}
	check_evidence(r, "from %s/{memory,cpu,io}.pressure", t->unified_dir);
	if (r->status == CHECK_PASS)
		check_finding(r, CHECK_PASS, "no sustained CPU, memory or IO pressure");
}

const struct doctor_check check_psi = {
	.id = "psi",
	.description = "pressure stall information (CPU, memory, IO) of the container's cgroup",
	.timeout_ms = 1000,
	.needs = NEED_CGROUP,
	.run = run,
};
