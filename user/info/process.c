// SPDX-License-Identifier: GPL-2.0
/* The process side of `info --pid`: who it is, and errors that say what to do. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "info/info.h"
#include "proc/procfs.h"

int info_process_error(pid_t pid, int errnum, const char *what)
{
	if (errnum == ENOENT || errnum == ESRCH)
		return err_fail(ESRCH, "process %d exited (or never existed): cannot %s", (int)pid,
				what);
	if (errnum == EACCES || errnum == EPERM)
		return err_fail(EACCES,
				"cannot %s of process %d: permission denied (run as root, "
				"or with CAP_SYS_PTRACE for processes of other users)",
				what, (int)pid);
	return err_fail(errnum, "cannot %s of process %d: %s", what, (int)pid, strerror(errnum));
}

int info_read_process(struct info_subject *s)
{
	char link[64];
	ssize_t n;
	int err;

	err = proc_pid__check(s->pid);
	if (err)
		return err;
	snprintf(link, sizeof(link), "/proc/%d/exe", (int)s->pid);
	s->path = "";
	n = readlink(link, s->exe_link, sizeof(s->exe_link) - 1);
	if (n < 0)
		return info_process_error(s->pid, errno, "read the executable link");
	s->exe_link[n] = '\0';
	s->path = s->exe_link;
	if (proc_pid__comm(s->pid, s->comm, sizeof(s->comm)))
		snprintf(s->comm, sizeof(s->comm), "?");
	return 0;
}
