// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void read_quota(const struct cgroup_layout *l, const char *cg, struct cpu_budget *b)
{
	char path[700], buf[256];
	long long quota = -1, period = 0;

	if (l->cpu_version == 1) {
		snprintf(path, sizeof(path), "%s%s/cpu.cfs_quota_us", l->cpu_mount, cg);
		if (!read_small(path, buf, sizeof(buf)))
			quota = atoll(buf);
		snprintf(path + strlen(path) - strlen("quota_us"), 16, "period_us");
		if (!read_small(path, buf, sizeof(buf)))
			period = atoll(buf);
	} else {
		snprintf(path, sizeof(path), "%s%s/cpu.max", l->cpu_mount, cg);
		if (!read_small(path, buf, sizeof(buf)) && strncmp(buf, "max", 3))
			sscanf(buf, "%lld %lld", &quota, &period);
	}
	if (quota > 0 && period > 0) {
		b->has_quota = true;
		b->quota_cpus = (double)quota / (double)period;
		snprintf(b->quota_file, sizeof(b->quota_file), "%s", path);
	}
}

static void read_stat(const struct cgroup_layout *l, const char *cg, struct cpu_budget *b)
{
	char path[700], buf[1024], *p;
	unsigned long long v;

	snprintf(path, sizeof(path), "%s%s/cpu.stat", l->cpu_mount, cg);
	if (read_small(path, buf, sizeof(buf)))
		return;
	if ((p = strstr(buf, "nr_periods ")) && sscanf(p + 11, "%llu", &v) == 1)
		b->nr_periods = v;
	if ((p = strstr(buf, "nr_throttled ")) && sscanf(p + 13, "%llu", &v) == 1)
		b->nr_throttled = v;
	if ((p = strstr(buf, "throttled_usec ")) && sscanf(p + 15, "%llu", &v) == 1)
		b->throttled_ns = v * 1000; /* v2 */
	else if ((p = strstr(buf, "throttled_time ")) && sscanf(p + 15, "%llu", &v) == 1)
		b->throttled_ns = v; /* v1: ns */
}

/* "0-3,6" → 5 CPUs. */
static int count_list(const char *s)
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

static void gomaxprocs(pid_t pid, int go_minor, struct cpu_budget *b)
{
	struct proc_strlist env = {0};
	const char *v;
	uint32_t n;

	if (!proc_pid__environ(pid, 256 * 1024, &env) &&
	    (v = proc_strlist__getenv(&env, "GOMAXPROCS")) && !num_parse_u32(v, 1, 1 << 20, &n)) {
		b->gomaxprocs = (int)n;
		b->gomaxprocs_source = "GOMAXPROCS env";
	} else if (go_minor >= 25 && b->has_quota &&
		   (int)ceil(b->quota_cpus) < b->cpus_allowed) {
		/* go1.25: the default respects the cgroup CPU limit (at least 2). */
		b->gomaxprocs = (int)ceil(b->quota_cpus) < 2 ? 2 : (int)ceil(b->quota_cpus);
		if (b->gomaxprocs > b->cpus_allowed)
			b->gomaxprocs = b->cpus_allowed;
		b->gomaxprocs_source = "cgroup CPU limit (go1.25+ default)";
	} else {
		b->gomaxprocs = b->cpus_allowed;
		b->gomaxprocs_source = "CPUs allowed (the runtime's default)";
	}
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
		read_quota(&l, cg, b);
		read_stat(&l, cg, b);
	}
	proc_cgroups__free(cgs);
	if (!procfs__read_pid(pid, "status", 64 * 1024, &st) &&
	    (p = strstr(st.data, "Cpus_allowed_list:")))
		b->cpus_allowed = count_list(p + 18 + strspn(p + 18, " \t"));
	procfs_buf__clear(&st);
	if (b->cpus_allowed <= 0)
		b->cpus_allowed = 1;
	gomaxprocs(pid, go_minor, b);
	return 0;
}
