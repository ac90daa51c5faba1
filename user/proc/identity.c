// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "proc/identity.h"
#include "proc/procfs.h"
#include "rank/fact.h"

/* "<pod>_<namespace>_<container>-<64 hex id>.log" ends with "-<id>.log". */
static bool container_link_matches(const char *name, const char *cid, char *ctr, size_t len)
{
	size_t n = strlen(name), idlen = strlen(cid);
	const char *dash, *us;

	if (idlen == 0 || n < idlen + 5 || strcmp(name + n - 4, ".log"))
		return false;
	dash = name + n - 4 - idlen - 1;
	if (*dash != '-' || strncmp(dash + 1, cid, idlen))
		return false;
	us = memrchr(name, '_', dash - name);
	if (!us || (size_t)(dash - us - 1) >= len)
		return false;
	memcpy(ctr, us + 1, dash - us - 1);
	ctr[dash - us - 1] = '\0';
	return ctr[0] != '\0';
}

static int name_from_links(const char *host_root, const char *cid, char *name, size_t len)
{
	char dir[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int err = -ENOENT;

	snprintf(dir, sizeof(dir), "%s/var/log/containers", host_root);
	d = opendir(dir);
	if (!d)
		return -ENOENT;
	while ((de = readdir(d)) && err)
		if (container_link_matches(de->d_name, cid, name, len))
			err = 0;
	closedir(d);
	return err;
}

/* The pod's single container directory, when it has exactly one. */
static int only_container(const char *host_root, const struct pod_log *pl, const char *uid,
			  char *name, size_t len)
{
	char dir[PATH_MAX];
	struct dirent *de;
	int found = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/var/log/pods/%s_%s_%s", host_root, pl->namespace, pl->pod,
		 uid);
	d = opendir(dir);
	if (!d)
		return -ENOENT;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || de->d_type != DT_DIR)
			continue;
		if (found++)
			break;
		snprintf(name, len, "%s", de->d_name);
	}
	closedir(d);
	return found == 1 ? 0 : -ENOENT;
}

int identity__container_name(const char *host_root, const char *pod_uid, const char *container_id,
			     char *name, size_t len)
{
	struct pod_log pl;

	if (container_id && container_id[0] && !name_from_links(host_root, container_id, name, len))
		return 0;
	if (pod_logs__find(host_root, pod_uid, NULL, &pl))
		return -ENOENT;
	return only_container(host_root, &pl, pod_uid, name, len);
}

static void find_logs(const char *host_root, struct identity *id)
{
	char ctr[64];

	if (!id->cg.pod_uid[0])
		return;
	if (identity__container_name(host_root, id->cg.pod_uid, id->cg.container_id, ctr,
				     sizeof(ctr)))
		ctr[0] = '\0';
	id->have_logs = !pod_logs__find(host_root, id->cg.pod_uid, ctr[0] ? ctr : NULL, &id->logs);
	if (!id->have_logs && id->logs.pod[0])
		id->have_logs = true; /* the pod's names without a container directory */
}

int identity__from_cgroup(const char *cgroup_path, const char *host_root, struct identity *id)
{
	memset(id, 0, sizeof(*id));
	snprintf(id->cgroup, sizeof(id->cgroup), "%s", cgroup_path);
	cgroup_path__classify(cgroup_path, &id->cg);
	find_logs(host_root ? host_root : "/", id);
	return 0;
}

int identity__from_pid(pid_t pid, const char *host_root, struct identity *id)
{
	struct proc_cgroups *cgs;
	const char *path;
	int err;

	memset(id, 0, sizeof(*id));
	id->pid = pid;
	err = proc_cgroups__read(pid, &cgs);
	if (err)
		return err;
	proc_cgroups__identity(cgs, &id->cg);
	path = proc_cgroups__unified(cgs);
	if (!path || !strcmp(path, "/"))
		path = proc_cgroups__path(cgs, "memory");
	snprintf(id->cgroup, sizeof(id->cgroup), "%s", path ? path : "/");
	path = proc_cgroups__path(cgs, "memory");
	if (!path)
		path = proc_cgroups__unified(cgs);
	snprintf(id->memcg, sizeof(id->memcg), "%s", path ? path : "");
	proc_cgroups__free(cgs);
	if (proc_pid__comm(pid, id->comm, sizeof(id->comm)))
		id->comm[0] = '\0';
	find_logs(host_root ? host_root : "/", id);
	return 0;
}

void identity__subject(const struct identity *id, char *buf, size_t len)
{
	if (id->cg.pod_uid[0] && id->have_logs && id->logs.container[0])
		snprintf(buf, len, "pod:%s/%s", id->cg.pod_uid, id->logs.container);
	else if (id->cg.container_id[0])
		snprintf(buf, len, "container:%s", id->cg.container_id);
	else if (id->cgroup[0] && strcmp(id->cgroup, "/"))
		snprintf(buf, len, "cgroup:%s", id->cgroup);
	else
		snprintf(buf, len, "pid:%d", (int)id->pid);
}

int identity__to_fact(const struct identity *id, struct fact *f)
{
	int err = 0;

	if (id->pid)
		err |= fact_set_int(f, "pid", id->pid);
	if (id->comm[0])
		err |= fact_set_str(f, "comm", id->comm);
	if (id->cgroup[0])
		err |= fact_set_str(f, "cgroup", id->cgroup);
	if (id->memcg[0])
		err |= fact_set_str(f, "memcg", id->memcg);
	if (id->cg.pod_uid[0])
		err |= fact_set_str(f, "pod_uid", id->cg.pod_uid);
	if (id->cg.container_id[0])
		err |= fact_set_str(f, "container_id", id->cg.container_id);
	if (id->cg.qos != CGROUP_QOS_NONE)
		err |= fact_set_str(f, "qos", cgroup_qos__name(id->cg.qos));
	if (id->have_logs) {
		err |= fact_set_str(f, "namespace", id->logs.namespace);
		err |= fact_set_str(f, "pod", id->logs.pod);
		if (id->logs.container[0]) {
			err |= fact_set_str(f, "container", id->logs.container);
			err |= fact_set_int(f, "restart", id->logs.restart);
		}
	}
	return err ? -ENOMEM : 0;
}
