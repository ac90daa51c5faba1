// SPDX-License-Identifier: GPL-2.0
/* The built-in checks, one line each, in report order (doctor/check_<name>.c). */
#include <string.h>

#include "doctor/check.h"

extern const struct doctor_check check_cgroup, check_memlimit, check_oom, check_cpu, check_throttle,
	check_psi, check_status, check_maps, check_goenv, check_goruntime, check_gobuild,
	check_ports, check_paths, check_restarts, check_kmsg;

static const struct doctor_check *const checks[] = {
	&check_restarts, &check_cgroup,	   &check_memlimit, &check_oom,	   &check_kmsg,
	&check_cpu,	 &check_throttle,  &check_psi,	    &check_status, &check_maps,
	&check_goenv,	 &check_goruntime, &check_gobuild,  &check_ports,  &check_paths,
};

#define NCHECKS (sizeof(checks) / sizeof(checks[0]))

size_t doctor_checks__count(void)
{
	return NCHECKS;
}

const struct doctor_check *doctor_checks__get(size_t i)
{
	return i < NCHECKS ? checks[i] : NULL;
}

const struct doctor_check *doctor_checks__find(const char *id)
{
	for (size_t i = 0; i < NCHECKS; i++)
		if (!strcmp(checks[i]->id, id))
			return checks[i];
	return NULL;
}
