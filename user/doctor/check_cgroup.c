// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup.version: how this node mounts cgroups (v1, v2, or systemd's hybrid)
 * and where the container's directories are. Every other cgroup check
 * reads the files of the version found here (v1 memory.limit_in_bytes and
 * cpu.cfs_quota_us, v2 memory.max and cpu.max).
 */
#include <errno.h>
#include <string.h>

#include "doctor/check.h"
#include "doctor/target.h"
#include "rank/fact.h"

static void run(const struct doctor_check *self, const struct doctor_target *t,
		struct check_result *r)
{
	const struct cgroup_layout *cl = &t->cl;
	struct fact *f;

	if (cl->mode == CGROUP_NONE) {
		check_skip(r, "no cgroup filesystem is mounted on this node");
		return;
	}
	check_evidence(r, "node: cgroup %s (memory controller v%d at %s, cpu v%d at %s%s%s)",
		       cgroup_mode_name(cl->mode), cl->memory_version, cl->memory_mount,
		       cl->cpu_version, cl->cpu_mount, cl->unified_mount[0] ? ", cgroup2 at " : "",
		       cl->unified_mount);
	if (t->mem_dir[0])
		check_evidence(r, "memory cgroup: %s", t->mem_dir);
	if (t->cpu_dir[0])
		check_evidence(r, "cpu cgroup: %s", t->cpu_dir);
	if (t->unified_dir[0])
		check_evidence(r, "cgroup2 directory: %s", t->unified_dir);
	if (t->pod_mem_dir[0])
		check_evidence(r, "pod memory cgroup: %s", t->pod_mem_dir);
	if (!t->mem_dir[0] || !strcmp(t->mem_dir, cl->memory_mount)) {
		check_finding(r, CHECK_WARN,
			      "the process is in the root memory cgroup: no container limits "
			      "apply, the node's memory is the limit");
		check_fix(r, "run it in a container (or a systemd unit with MemoryMax=) so a "
			     "leak cannot take the node");
	} else {
		check_finding(r, CHECK_PASS, "cgroup %s; %s", cgroup_mode_name(cl->mode),
			      t->container_gone
				      ? "only the pod's cgroup is left (no container runs)"
				      : "the container's cgroups found");
	}
	f = check_fact(r, t, "cgroup_layout");
	if (!f)
		return;
	fact_set_str(f, "cgroup_mode", cgroup_mode_name(cl->mode));
	fact_set_int(f, "memory_version", cl->memory_version);
	fact_set_int(f, "cpu_version", cl->cpu_version);
	fact_set_str(f, "memory_dir", t->mem_dir);
	fact_set_str(f, "cpu_dir", t->cpu_dir);
	fact_set_str(f, "unified_dir", t->unified_dir);
}

const struct doctor_check check_cgroup = {
	.id = "cgroup.version",
	.description = "cgroup version (v1, v2, hybrid) and the container's cgroup directories",
	.timeout_ms = 1000,
	.needs = NEED_CGROUP,
	.run = run,
};
