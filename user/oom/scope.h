/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_OOM_SCOPE_H
#define GOTRACE_OOM_SCOPE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "proc/cgroup.h"

/*
 * Which kills `gotrace oom` reports and which cgroups it watches: all of
 * them (node-wide, the default), or one process, cgroup, pod or container.
 * Validated up front so a typo is a usage error, not a silent empty run.
 * `doctor` parses its target with it too, so the messages name no command.
 */
struct oom_scope {
	bool all;
	pid_t pid;
	char pid_memcg[PATH_MAX]; /* --pid: the process's memory cgroup */
	char cgroup[PATH_MAX];	  /* -c: path relative to the cgroup mounts */
	char pod_uid[CGROUP_POD_UID_MAX + 1];
	char container[CGROUP_CONTAINER_ID_LEN + 1]; /* id or prefix, lowercase hex */
};

struct common_opts;
struct cgroup_layout;
struct oom_report;

/* From the shared options; -GT_EUSAGE (or -ESRCH for --pid) with a message. */
int oom_scope__init(struct oom_scope *s, const struct common_opts *co,
		    const struct cgroup_layout *cl);
/* For the watcher: is this cgroup path in scope? (ctx is the scope) */
bool oom_scope__cgroup(void *ctx, const char *path);
/* Is this kill in scope? */
bool oom_scope__kill(const struct oom_scope *s, const struct oom_report *r);
/* "node-wide", "pid 4242", "cgroup /x", "pod <uid>", "container <id>" */
void oom_scope__describe(const struct oom_scope *s, char *buf, size_t len);

#endif
