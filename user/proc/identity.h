/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_PROC_IDENTITY_H
#define GOTRACE_PROC_IDENTITY_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "proc/cgroup.h"
#include "proc/podlogs.h"

struct fact;

/*
 * Who a process or cgroup is, from the node alone (DESIGN.md "Container
 * context without an API server"): the cgroup path names the pod UID, QoS
 * and container ID; the kubelet's log layout under the host root names the
 * namespace, pod, container and restart count. One implementation for every
 * command; facts carry it as attributes and rank/rules.c displays it.
 */
struct identity {
	pid_t pid; /* 0 when built from a cgroup path */
	char comm[32];
	char cgroup[PATH_MAX]; /* the path that identified it (unified, else v1) */
	char memcg[PATH_MAX];  /* the memory controller's path ("" when unknown) */
	struct cgroup_identity cg;
	bool have_logs;
	struct pod_log logs; /* namespace, pod, container, restart, log paths */
};

/* From /proc/PID/cgroup (+ comm). -ESRCH when the process is gone. */
int identity__from_pid(pid_t pid, const char *host_root, struct identity *id);
/* From a cgroup path as the kernel reports it (e.g. in an OOM event). */
int identity__from_cgroup(const char *cgroup_path, const char *host_root, struct identity *id);

/* Stable subject key: "pod:<uid>/<container>", "container:<id>", "cgroup:<path>", "pid:<pid>". */
void identity__subject(const struct identity *id, char *buf, size_t len);
/* Sets the identity attributes on a fact (pid, comm, cgroup, pod_uid, namespace, pod, ...). */
int identity__to_fact(const struct identity *id, struct fact *f);

/*
 * The container's name for a container ID through the kubelet's
 * /var/log/containers/<pod>_<namespace>_<container>-<id>.log links; else,
 * when the pod's log directory has a single container, that one.
 */
int identity__container_name(const char *host_root, const char *pod_uid, const char *container_id,
			     char *name, size_t len);

#endif
