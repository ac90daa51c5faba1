// SPDX-License-Identifier: GPL-2.0
/* /proc/PID/cgroup parser and the cgroup path classifier on arbitrary text. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proc/cgroup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_identity(const struct cgroup_identity *id)
{
	size_t cl = strlen(id->container_id), ul = strlen(id->pod_uid);

	if (cl != 0 &&
	    (cl != CGROUP_CONTAINER_ID_LEN || strspn(id->container_id, "0123456789abcdef") != cl))
		abort();
	if (ul > CGROUP_POD_UID_MAX || strchr(id->pod_uid, '_') || strchr(id->pod_uid, '/'))
		abort();
	if ((id->kind == CGROUP_KIND_K8S_POD || id->kind == CGROUP_KIND_K8S_CONTAINER) &&
	    (ul == 0 || id->qos == CGROUP_QOS_NONE || id->driver == CGROUP_DRIVER_NONE))
		abort();
	if ((id->kind == CGROUP_KIND_K8S_CONTAINER || id->kind == CGROUP_KIND_CONTAINER) &&
	    (cl == 0 || id->runtime == CGROUP_RT_NONE))
		abort();
	if (strlen(id->unit) >= sizeof(id->unit))
		abort();
	(void)cgroup_kind__name(id->kind);
}

static void classify_raw(const uint8_t *data, size_t size)
{
	struct cgroup_identity id;
	char *path = malloc(size + 2);

	if (!path)
		return;
	path[0] = '/';
	memcpy(path + 1, data, size);
	path[size + 1] = '\0';
	if (cgroup_path__classify(path, &id) == 0)
		check_identity(&id);
	free(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proc_cgroups *cgs;
	struct cgroup_identity id;

	classify_raw(data, size);
	if (proc_cgroups__parse((const char *)data, size, &cgs))
		return 0;
	for (size_t i = 0; i < proc_cgroups__count(cgs); i++) {
		const struct proc_cgroup *c = proc_cgroups__get(cgs, i);

		if (c->path[0] != '/' || (c->hier_id == 0) != (c->controllers[0] == '\0'))
			abort();
		if (cgroup_path__classify(c->path, &id) == 0)
			check_identity(&id);
	}
	(void)proc_cgroups__path(cgs, "memory");
	(void)proc_cgroups__unified(cgs);
	if (proc_cgroups__identity(cgs, &id) == 0)
		check_identity(&id);
	proc_cgroups__free(cgs);
	return 0;
}
