/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_PROC_CGROUP_H
#define GOTRACE_PROC_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * /proc/<pid>/cgroup: one line per hierarchy, "id:controllers:path".
 * cgroup v1 lines name their controllers ("4:memory:/x", "2:cpu,cpuacct:/x",
 * "1:name=systemd:/x"); the cgroup2 line is "0::/x"; a hybrid host prints
 * both (cgroups(7)). Paths are relative to the reader's cgroup namespace,
 * so gotrace must run in the host's to see full paths. The kernel prints a
 * cgroup name raw, so a process allowed to create cgroups can put a newline
 * and a fake line in one; a hierarchy id printed twice is refused.
 */

struct proc_cgroup {
	uint32_t hier_id;	 /* 0 for cgroup2 */
	const char *controllers; /* as printed; "" for cgroup2 */
	const char *path;
};

struct proc_cgroups;

int proc_cgroups__read(pid_t pid, struct proc_cgroups **out);
int proc_cgroups__parse(const char *text, size_t len, struct proc_cgroups **out);
void proc_cgroups__free(struct proc_cgroups *cgs);

size_t proc_cgroups__count(const struct proc_cgroups *cgs);
const struct proc_cgroup *proc_cgroups__get(const struct proc_cgroups *cgs, size_t i);
/* The v1 path of the hierarchy with this controller ("memory", "cpuacct", "name=systemd"), or NULL.
 */
const char *proc_cgroups__path(const struct proc_cgroups *cgs, const char *controller);
/* The cgroup2 path (the "0::" line), or NULL on a pure v1 host. */
const char *proc_cgroups__unified(const struct proc_cgroups *cgs);

/*
 * Who owns a cgroup, from its path alone: the layouts of the kubelet
 * (cgroupfs and systemd drivers), containerd, CRI-O, docker, podman and
 * systemd, documented in cgroup_id.c.
 */
enum cgroup_kind {
	CGROUP_KIND_UNKNOWN,
	CGROUP_KIND_ROOT,	     /* "/" */
	CGROUP_KIND_K8S_POD,	     /* a pod's cgroup, no container below it identified */
	CGROUP_KIND_K8S_CONTAINER,   /* a container of a pod */
	CGROUP_KIND_CONTAINER,	     /* a container outside Kubernetes (docker, podman, nerdctl) */
	CGROUP_KIND_SYSTEMD_SERVICE, /* system.slice/foo.service */
	CGROUP_KIND_SYSTEMD_SCOPE,   /* init.scope, session-3.scope, ... */
};

enum cgroup_driver { CGROUP_DRIVER_NONE, CGROUP_DRIVER_CGROUPFS, CGROUP_DRIVER_SYSTEMD };

enum cgroup_qos {
	CGROUP_QOS_NONE,
	CGROUP_QOS_GUARANTEED,
	CGROUP_QOS_BURSTABLE,
	CGROUP_QOS_BESTEFFORT,
};

enum cgroup_runtime {
	CGROUP_RT_NONE,
	CGROUP_RT_UNKNOWN, /* a container id with no runtime marker (cgroupfs driver) */
	CGROUP_RT_CONTAINERD,
	CGROUP_RT_CRIO,
	CGROUP_RT_DOCKER,
	CGROUP_RT_PODMAN,
};

#define CGROUP_POD_UID_MAX 64
#define CGROUP_CONTAINER_ID_LEN 64

struct cgroup_identity {
	enum cgroup_kind kind;
	enum cgroup_driver driver;
	enum cgroup_qos qos;
	enum cgroup_runtime runtime;
	bool conmon; /* the runtime's monitor scope (crio-conmon-, libpod-conmon-), not the
			container */
	char pod_uid[CGROUP_POD_UID_MAX + 1];		/* with dashes, as in metadata.uid */
	char container_id[CGROUP_CONTAINER_ID_LEN + 1]; /* 64 lowercase hex digits */
	char unit[256]; /* innermost systemd unit (.service/.scope) */
};

/* Never fails on a well-formed path: an unrecognized one is CGROUP_KIND_UNKNOWN. */
int cgroup_path__classify(const char *path, struct cgroup_identity *id);
/*
 * The identity of a process: the cgroup2 path when it says something, else
 * the v1 name=systemd, memory, cpu, pids paths, else any other line.
 */
int proc_cgroups__identity(const struct proc_cgroups *cgs, struct cgroup_identity *id);

const char *cgroup_kind__name(enum cgroup_kind k);
const char *cgroup_qos__name(enum cgroup_qos q);
const char *cgroup_runtime__name(enum cgroup_runtime r);
const char *cgroup_driver__name(enum cgroup_driver d);

#endif
