// SPDX-License-Identifier: GPL-2.0
/*
 * Does what the binary needs exist where the process runs? The interpreter
 * path is absolute; needed libraries are looked up in the directories the
 * dynamic linkers search by default (glibc: the multiarch and lib64
 * directories; musl: /lib, /usr/local/lib, /usr/lib). This does not read
 * ld.so.cache or RPATH/RUNPATH, so a library found only through them shows
 * as missing only if it is in none of the default directories: the check is
 * for the common failure, a glibc-linked binary in a musl or libc-less image.
 * Paths resolve inside /proc/PID/root without following symlinks out of it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "proc/rootcheck.h"
#include "proc/rootfs.h"

static const char *const lib_dirs[] = {
	"/lib",
	"/usr/lib",
	"/lib64",
	"/usr/lib64",
	"/lib/x86_64-linux-gnu",
	"/usr/lib/x86_64-linux-gnu",
	"/lib/aarch64-linux-gnu",
	"/usr/lib/aarch64-linux-gnu",
	"/usr/local/lib",
};

static bool library_present(int root, const char *name)
{
	char path[4096];
	size_t i;

	if (strchr(name, '/'))
		return rootfs__exists(root, name) == 1;
	for (i = 0; i < sizeof(lib_dirs) / sizeof(lib_dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", lib_dirs[i], name);
		if (rootfs__exists(root, path) == 1)
			return true;
	}
	return false;
}

static int add_missing(struct root_check *rc, const char *name)
{
	char **m = realloc(rc->missing, (rc->nmissing + 1) * sizeof(*m));

	if (!m)
		return -ENOMEM;
	rc->missing = m;
	rc->missing[rc->nmissing] = strdup(name);
	if (!rc->missing[rc->nmissing])
		return -ENOMEM;
	rc->nmissing++;
	return 0;
}

void root_check__run_at(int root, const struct bin_facts *f, struct root_check *rc)
{
	size_t i;

	memset(rc, 0, sizeof(*rc));
	rc->done = true;
	rc->interp_present = !f->dyn.interp || rootfs__exists(root, f->dyn.interp) == 1;
	for (i = 0; i < f->dyn.nneeded; i++)
		if (!library_present(root, f->dyn.needed[i]) && add_missing(rc, f->dyn.needed[i]))
			break;
}

void root_check__run(pid_t pid, const struct bin_facts *f, struct root_check *rc)
{
	int root = rootfs__open_root(pid);

	if (root < 0) {
		memset(rc, 0, sizeof(*rc));
		rc->done = true;
		snprintf(rc->error, sizeof(rc->error), "%s",
			 root == -ESRCH || root == -ENOENT ? "the process exited during inspection"
							   : err_msg());
		return;
	}
	root_check__run_at(root, f, rc);
	close(root);
}

void root_check__clear(struct root_check *rc)
{
	size_t i;

	for (i = 0; i < rc->nmissing; i++)
		free(rc->missing[i]);
	free(rc->missing);
	memset(rc, 0, sizeof(*rc));
}
