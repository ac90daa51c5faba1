// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/num.h"
#include "kern/cgroup_layout.h"
#include "proc/cgroup.h"
#include "proc/cpuquota.h"
#include "proc/procfs.h"

static int read_small(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -errno;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	return 0;
}

static void read_quota(const char *dir, int version, struct cpu_budget *b)
{
	char path[700], buf[256], qpath[700];
	long long quota = -1, period = 0;

	if (version == 1) {
		snprintf(path, sizeof(path), "%s/cpu.cfs_quota_us", dir);
		if (!read_small(path, buf, sizeof(buf)))
			quota = atoll(buf);
		memcpy(qpath, path, sizeof(qpath)); /* the quota's file is the one to show */
		snprintf(path + strlen(path) - strlen("quota_us"), 16, "period_us");
		if (!read_small(path, buf, sizeof(buf)))
			period = atoll(buf);
	} else {
		snprintf(path, sizeof(path), "%s/cpu.max", dir);
		if (!read_small(path, buf, sizeof(buf)) && strncmp(buf, "max", 3))
			sscanf(buf, "%lld %lld", &quota, &period);
		memcpy(qpath, path, sizeof(qpath));
	}
	if (quota > 0 && period > 0) {
		b->has_quota = true;
		b->quota_cpus = (double)quota / (double)period;
		snprintf(b->quota_file, sizeof(b->quota_file), "%s", qpath);
	}
}

static void read_stat(const char *dir, struct cpu_budget *b)
{
	char path[700], buf[1024], *p;
	unsigned long long v;

	snprintf(path, sizeof(path), "%s/cpu.stat", dir);
	if (read_small(path, buf, sizeof(buf)))
		return;
	b->have_stat = true;
	if ((p = strstr(buf, "nr_periods ")) && sscanf(p + 11, "%llu", &v) == 1)
		b->nr_periods = v;
	if ((p = strstr(buf, "nr_throttled ")) && sscanf(p + 13, "%llu", &v) == 1)
		b->nr_throttled = v;
	if ((p = strstr(buf, "throttled_usec ")) && sscanf(p + 15, "%llu", &v) == 1)
		b->throttled_ns = v * 1000; /* v2 */
	else if ((p = strstr(buf, "throttled_time ")) && sscanf(p + 15, "%llu", &v) == 1)
		b->throttled_ns = v; /* v1: ns */
}

int cpu_budget__read_cgroup(const char *dir, int version, struct cpu_budget *b)
{
	struct stat st;

	if (stat(dir, &st))
		return -errno;
	read_quota(dir, version, b);
	read_stat(dir, b);
	return 0;
}

int cpu_list__count(const char *s)
{
	int n = 0, a, c;

	while (*s && *s != '\n') {
		if (sscanf(s, "%d-%d", &a, &c) == 2 && c >= a)
			n += c - a + 1;
		else if (sscanf(s, "%d", &a) == 1)
			n++;
		s += strcspn(s, ",\n");
		if (*s == ',')
			s++;
	}
	return n;
}

void cpu_budget__set_gomaxprocs(struct cpu_budget *b, const char *env, int go_minor)
{
	uint32_t n;

	if (env && !num_parse_u32(env, 1, 1 << 20, &n)) {
		b->gomaxprocs = (int)n;
		b->gomaxprocs_source = "GOMAXPROCS env";
	} else if (go_minor >= 25 && b->has_quota && (int)ceil(b->quota_cpus) < b->cpus_allowed) {
		/* go1.25: the default respects the cgroup CPU limit (at least 2). */
		b->gomaxprocs = (int)ceil(b->quota_cpus) < 2 ? 2 : (int)ceil(b->quota_cpus);
		if (b->gomaxprocs > b->cpus_allowed)
			b->gomaxprocs = b->cpus_allowed;
		b->gomaxprocs_source = "cgroup CPU limit (go1.25+ default)";
	} else {
		b->gomaxprocs = b->cpus_allowed;
		b->gomaxprocs_source = "CPUs allowed (the runtime's default)";
	}
}

static void gomaxprocs(pid_t pid, int go_minor, struct cpu_budget *b)
{
	struct proc_strlist env = {0};

	if (proc_pid__environ(pid, 256 * 1024, &env))
		env.n = 0;
	cpu_budget__set_gomaxprocs(b, proc_strlist__getenv(&env, "GOMAXPROCS"), go_minor);
	proc_strlist__clear(&env);
}

int cpu_budget__read(pid_t pid, int go_minor, struct cpu_budget *b)
{
	struct cgroup_layout l;
	struct proc_cgroups *cgs;
	struct procfs_buf st = {0};
	const char *cg, *p;
	int err;

	memset(b, 0, sizeof(*b));
	err = cgroup_layout__read(&l);
	if (!err)
		err = proc_cgroups__read(pid, &cgs);
	if (err)
		return err;
	cg = l.cpu_version == 1 ? proc_cgroups__path(cgs, "cpu") : proc_cgroups__unified(cgs);
	if (cg && l.cpu_mount[0]) {
		char dir[PATH_MAX];

		snprintf(dir, sizeof(dir), "%s%s", l.cpu_mount, cg);
		cpu_budget__read_cgroup(dir, l.cpu_version, b);
	}
	proc_cgroups__free(cgs);
	if (!procfs__read_pid(pid, "status", 64 * 1024, &st) &&
	    (p = strstr(st.data, "Cpus_allowed_list:")))
		b->cpus_allowed = cpu_list__count(p + 18 + strspn(p + 18, " \t"));
	procfs_buf__clear(&st);
	if (b->cpus_allowed <= 0)
		b->cpus_allowed = 1;
	gomaxprocs(pid, go_minor, b);
	return 0;
}
