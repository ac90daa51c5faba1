/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_PROC_PODLOGS_H
#define GOTRACE_PROC_PODLOGS_H

#include <limits.h>

/*
 * The kubelet's log layout gives a pod's namespace and name, and a
 * container's restart count, without an API server:
 *   /var/log/pods/<namespace>_<pod>_<uid>/<container>/<restart>.log
 * (pkg/kubelet/kuberuntime/helpers.go BuildPodLogsDirectory,
 * BuildContainerLogsDirectory; <restart> is the attempt number, so the
 * highest is the running instance and the next lower one its predecessor,
 * kept for `kubectl logs --previous`). Namespaces and pod names are DNS
 * names without '_', which is what makes the directory name splittable.
 * Rotated files ("0.log.20240101-120000", ".gz") are not instances.
 */

struct pod_log {
	char namespace[64];
	char pod[254];
	char container[64];
	int restart; /* highest <n> of <n>.log, -1 when there is none */
	char path[PATH_MAX];
	int prev_restart; /* the next lower <n> present, -1 when none */
	char prev_path[PATH_MAX];
};

/*
 * host_root is "/" on a node, a temporary folder in tests. container may be
 * NULL for the pod's names only. -ENOENT when no directory of the pod (or
 * of the container) exists; namespace and pod are filled in as soon as the
 * pod's directory is found.
 */
int pod_logs__find(const char *host_root, const char *pod_uid, const char *container,
		   struct pod_log *out);

#endif
