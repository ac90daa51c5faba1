// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "kern/cgroup_layout.h"
#include "kern/mountinfo.h"

const char *cgroup_mode_name(enum cgroup_mode m)
{
	static const char *const names[] = {"none", "v1", "v2", "hybrid"};

	return (unsigned)m < sizeof(names) / sizeof(names[0]) ? names[m] : "?";
}

int cgroup_layout__parse(const char *mountinfo, struct cgroup_layout *out)
{
	const char *pos = mountinfo;
	struct mountinfo_ent e;
	bool v1 = false;
	int r;

	memset(out, 0, sizeof(*out));
	while ((r = mountinfo__next(&pos, &e)) != 0) {
		if (r < 0)
			continue;
		if (!strcmp(e.fstype, "cgroup2") && !out->unified_mount[0]) {
			snprintf(out->unified_mount, sizeof(out->unified_mount), "%s",
				 e.mount_point);
		} else if (!strcmp(e.fstype, "cgroup")) {
			v1 = true;
			/* A v1 hierarchy lists its controllers in the super options. */
			if (out->memory_version != 1 &&
			    mountinfo__has_opt(e.super_opts, "memory")) {
				out->memory_version = 1;
				snprintf(out->memory_mount, sizeof(out->memory_mount), "%s",
					 e.mount_point);
			}
			if (out->cpu_version != 1 && mountinfo__has_opt(e.super_opts, "cpu")) {
				out->cpu_version = 1;
				snprintf(out->cpu_mount, sizeof(out->cpu_mount), "%s",
					 e.mount_point);
			}
		}
	}
	if (v1)
		out->mode = out->unified_mount[0] ? CGROUP_HYBRID : CGROUP_V1;
	else if (out->unified_mount[0])
		out->mode = CGROUP_V2;
	/* A controller bound to no v1 hierarchy is available on v2. */
	if (!out->memory_version && out->unified_mount[0]) {
		out->memory_version = 2;
		memcpy(out->memory_mount, out->unified_mount, sizeof(out->memory_mount));
	}
	if (!out->cpu_version && out->unified_mount[0]) {
		out->cpu_version = 2;
		memcpy(out->cpu_mount, out->unified_mount, sizeof(out->cpu_mount));
	}
	return 0;
}

/* Whether the unified root offers the memory controller (cgroup.controllers). */
static bool v2_has_memory(const char *mnt)
{
	char path[600], line[512];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.controllers", mnt);
	f = fopen(path, "re");
	if (!f)
		return true; /* unknown: keep what the mounts imply */
	if (fgets(line, sizeof(line), f)) {
		char *save = NULL, *tok;

		for (tok = strtok_r(line, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
			found |= !strcmp(tok, "memory");
	}
	fclose(f);
	return found;
}

int cgroup_layout__read(struct cgroup_layout *out)
{
	char *text = mountinfo__read("/proc/self/mountinfo");
	int err;

	if (!text)
		return err_fail(errno, "cannot read /proc/self/mountinfo: %s", strerror(errno));
	err = cgroup_layout__parse(text, out);
	free(text);
	if (!err && out->memory_version == 2 && !v2_has_memory(out->memory_mount)) {
		out->memory_version = 0;
		out->memory_mount[0] = '\0';
	}
	return err;
}
