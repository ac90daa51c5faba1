// SPDX-License-Identifier: GPL-2.0
/*
 * cpu.quota: the container's CFS quota (v1 cpu.cfs_quota_us /
 * cpu.cfs_period_us, v2 cpu.max) against GOMAXPROCS. Before Go 1.25 the
 * runtime sizes GOMAXPROCS by the CPUs it may run on, not by the quota: a
 * pod limited to 0.5 CPU on a 64-core node runs 64 Ps, burns its quota in
 * the first few milliseconds of each 100 ms period and is throttled for the
 * rest (cpu.throttling measures that). The value in effect is read from the
 * runtime's memory when possible (runtime.GOMAXPROCS() in code changes it).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "doctor/check.h"
#include "doctor/goproc.h"
#include "doctor/target.h"
#include "proc/cpuquota.h"
#include "rank/fact.h"

static int cpus_allowed(const struct doctor_target *t)
{
	struct procfs_buf b;
	const char *p;
	int n = 0;

	if (doctor_proc_file(t, "status", 64 * 1024, &b))
		return 0;
	p = strstr(b.data, "Cpus_allowed_list:");
	if (p)
		n = cpu_list__count(p + 18 + strspn(p + 18, " \t"));
	procfs_buf__clear(&b);
	return n;
}

/* GOMAXPROCS: the runtime's own value when read, else what it would pick. */
static void gomaxprocs(const struct doctor_target *t, struct cpu_budget *b, struct check_result *r)
{
	struct doctor_go g;

	doctor_go__read(t, DOCTOR_GO_ENV | DOCTOR_GO_LIVE, &g);
	b->cpus_allowed = cpus_allowed(t);
	if (b->cpus_allowed <= 0)
		b->cpus_allowed = 1;
	cpu_budget__set_gomaxprocs(b,
				   g.env_err || !g.env.gomaxprocs.set ? NULL : g.env.gomaxprocs.val,
				   doctor_go__minor(&g));
	check_evidence(r, "CPUs allowed: %d (/proc/PID/status Cpus_allowed_list)", b->cpus_allowed);
	if (!g.live_err && g.live.have_gomaxprocs) {
		check_evidence(r, "GOMAXPROCS in effect: %d (runtime.gomaxprocs); %s would give %d",
			       g.live.gomaxprocs, b->gomaxprocs_source, b->gomaxprocs);
		b->gomaxprocs = g.live.gomaxprocs;
		b->gomaxprocs_source = "runtime.gomaxprocs (in effect)";
	} else {
		check_evidence(r, "GOMAXPROCS: %d (%s)%s%s", b->gomaxprocs, b->gomaxprocs_source,
			       g.live_err && g.live_err != -ESRCH ? "; value in effect not read: "
								  : "",
			       g.live_err && g.live_err != -ESRCH ? g.live_msg : "");
	}
	if (!g.is_go)
		b->gomaxprocs = 0;
}

static void add_fact(const struct doctor_target *t, const struct cpu_budget *b,
		     struct check_result *r)
{
	struct fact *f = check_fact(r, t, "cpu_budget");

	if (f)
		cpu_budget__to_fact(b, f);
}

static void judge(const struct cpu_budget *b, struct check_result *r)
{
	int q = (int)ceil(b->quota_cpus);

	if (!b->has_quota) {
		check_finding(r, CHECK_PASS, "no CPU quota");
		return;
	}
	if (!b->gomaxprocs) {
		check_finding(r, CHECK_PASS, "CPU quota %.2f CPUs (not a Go program)",
			      b->quota_cpus);
		return;
	}
	if (b->gomaxprocs > q) {
		check_finding(r, CHECK_WARN,
			      "GOMAXPROCS=%d but the CPU quota is %.2f CPUs: %d Ps spend the "
			      "quota early in each period and the container is throttled for the "
			      "rest",
			      b->gomaxprocs, b->quota_cpus, b->gomaxprocs);
		check_fix(r,
			  "set GOMAXPROCS=%d (the quota, rounded up), use "
			  "go.uber.org/automaxprocs, or build with Go 1.25+ (its default "
			  "follows the quota); or raise the CPU limit",
			  q);
	} else {
		check_finding(r, CHECK_PASS, "GOMAXPROCS=%d fits the CPU quota of %.2f CPUs",
			      b->gomaxprocs, b->quota_cpus);
	}
}

static void run(const struct doctor_check *self, const struct doctor_target *t,
		struct check_result *r)
{
	struct cpu_budget b = {0};

	if (!t->cpu_dir[0] || cpu_budget__read_cgroup(t->cpu_dir, t->cl.cpu_version, &b)) {
		check_skip(r, "no cpu controller directory for the container");
		return;
	}
	if (b.has_quota)
		check_evidence(r, "CPU quota %.2f CPUs (%s)", b.quota_cpus, b.quota_file);
	else
		check_evidence(r, "no CPU quota (%s/%s)", t->cpu_dir,
			       t->cl.cpu_version == 1 ? "cpu.cfs_quota_us = -1" : "cpu.max = max");
	if (!b.has_quota && t->container_gone) {
		check_skip(r,
			   "the container's cgroup left with its last instance, and the pod's has "
			   "no CPU quota");
		return;
	}
	if (!t->pid) {
		add_fact(t, &b, r);
		if (b.has_quota)
			check_finding(r, CHECK_SKIP,
				      "CPU quota %.2f CPUs; no process to read "
				      "GOMAXPROCS from (%s)",
				      b.quota_cpus, t->why_no_pid);
		else
			check_finding(r, CHECK_PASS, "no CPU quota");
		return;
	}
	gomaxprocs(t, &b, r);
	add_fact(t, &b, r);
	judge(&b, r);
}

const struct doctor_check check_cpu = {
	.id = "cpu.quota",
	.description = "the container's CPU quota vs GOMAXPROCS (environment and in effect)",
	.timeout_ms = 3000,
	.needs = NEED_CGROUP,
	.run = run,
};
