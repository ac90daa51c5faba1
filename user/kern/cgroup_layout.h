/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_KERN_CGROUP_LAYOUT_H
#define GOTRACE_KERN_CGROUP_LAYOUT_H

/*
 * How this node mounts cgroups, from mountinfo: v1 (one hierarchy per
 * controller), v2 (one unified hierarchy) or hybrid (systemd's: v1
 * controllers plus a cgroup2 mount, usually /sys/fs/cgroup/unified), and
 * where the memory controller lives, since memory limits and OOM kills are
 * read there.
 */
enum cgroup_mode {
	CGROUP_NONE,
	CGROUP_V1,
	CGROUP_V2,
	CGROUP_HYBRID,
};

struct cgroup_layout {
	enum cgroup_mode mode;
	int memory_version;	 /* 1, 2, or 0 when no hierarchy has it */
	char memory_mount[512];	 /* its mount point ("" when memory_version is 0) */
	char unified_mount[512]; /* the cgroup2 mount point, "" when none */
	int cpu_version;	 /* the same for the cpu controller (quota, throttling) */
	char cpu_mount[512];
};

/* Classifies mountinfo text. -GT_EFORMAT never: malformed lines are skipped. */
int cgroup_layout__parse(const char *mountinfo, struct cgroup_layout *out);

/*
 * cgroup_layout__parse on /proc/self/mountinfo, then checks a v2 memory
 * controller against the unified root's cgroup.controllers (the controller
 * may be disabled on the command line, cgroup_disable=memory).
 */
int cgroup_layout__read(struct cgroup_layout *out);

const char *cgroup_mode_name(enum cgroup_mode m);

#endif
