/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_DOCTOR_TARGET_H
#define GOTRACE_DOCTOR_TARGET_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "kern/cgroup_layout.h"
#include "proc/identity.h"
#include "proc/procfs.h"

struct common_opts;

/*
 * What doctor examines, resolved once before the checks start and then
 * only read (by every check, in parallel): the process, if one runs, and
 * the container's cgroup directories, root and identity.
 *
 * A crash-looping container often has no process at the moment doctor
 * looks (between restarts): --pod / --container / -c then resolve to the
 * cgroup that is left (the pod's, whose counters keep past instances'
 * OOM kills) and the kubelet's logs; checks that need a process are
 * skipped with why_no_pid.
 *
 * Paths are absolute so tests can point a target at a fake tree
 * (proc_dir "/tmp/x/proc/42", cgroup directories under /tmp/x/cg).
 */
struct doctor_target {
	pid_t pid; /* the process checked (the container's first); 0 when none */
	struct proc_pid_ref ref;
	char proc_dir[64];	 /* "/proc/<pid>"; "" without a pid */
	char root_dir[PATH_MAX]; /* the container's root: --rootfs, else "<proc_dir>/root" */
	bool root_is_image;	 /* root_dir came from --rootfs */
	char why_no_pid[256];	 /* why pid is 0 */
	bool container_gone;	 /* no container cgroup left: the directories are the pod's */
	int nprocs;		 /* processes in the container's cgroup (-1 unknown) */
	struct identity id;
	char subject[512]; /* fact subject (proc/identity.h) */
	char display[640]; /* "pod shop/api container app (restart 3), pid 4242 (server)" */
	char note[320];	   /* how the target was chosen, when there was a choice */
	struct cgroup_layout cl;
	char mem_dir[PATH_MAX];	    /* the container's memory controller directory */
	char cpu_dir[PATH_MAX];	    /* its cpu controller directory */
	char unified_dir[PATH_MAX]; /* its cgroup2 directory (PSI; v2 files) */
	char pod_mem_dir[PATH_MAX]; /* the pod's memory directory; "" outside a pod */
	const char *host_root;
	const char *kmsg_path; /* the kernel log: "/dev/kmsg" (tests: a saved copy) */
	uint64_t time_ns;      /* CLOCK_REALTIME when doctor started: the facts' time */
};

/*
 * From exactly one of --pid, --pod, --container, -c (validated by
 * oom/scope.h). rootfs (may be NULL) is an image directory to use as the
 * container's root. -GT_EUSAGE, -ESRCH (no such process/cgroup) or
 * -EACCES with a message.
 */
int doctor_target__resolve(const struct common_opts *co, const char *rootfs, const char *host_root,
			   struct doctor_target *t);

/* "<proc_dir>/<name>" into buf; false when there is no process or it does not fit. */
bool doctor_target__proc_path(const struct doctor_target *t, const char *name, char *buf,
			      size_t len);
/*
 * The container's root as an O_PATH directory fd for proc/rootfs.h: the
 * image (--rootfs), else the process's /proc/PID/root. -errno when none.
 */
int doctor_target__open_root(const struct doctor_target *t);
/* "<dir>/<name>" into buf; false when dir is "" or it does not fit. */
bool doctor_path(const char *dir, const char *name, char *buf, size_t len);

#endif
