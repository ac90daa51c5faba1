/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_PROC_ROOTCHECK_H
#define GOTRACE_PROC_ROOTCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "goelf/binfacts.h"

/*
 * Does what a binary needs exist where it runs (or is to run)? The ELF
 * interpreter and the DT_NEEDED libraries, looked up inside a container's
 * root without following symlinks out of it (proc/rootfs.h). `info --pid`
 * and `doctor` use it; doctor also on an image directory (--rootfs) when
 * no process is left to look through.
 */
struct root_check {
	bool done; /* the check ran (or tried to) */
	bool interp_present;
	char **missing; /* DT_NEEDED entries found in none of the library dirs */
	size_t nmissing;
	char error[160]; /* why the check could not run, "" when it ran */
};

/* Inside /proc/PID/root. */
void root_check__run(pid_t pid, const struct bin_facts *f, struct root_check *rc);
/* Inside root_fd (an O_PATH directory fd, e.g. rootfs__open_root's); the fd stays the caller's. */
void root_check__run_at(int root_fd, const struct bin_facts *f, struct root_check *rc);
void root_check__clear(struct root_check *rc);

#endif
