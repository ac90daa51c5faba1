// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "proc/procfs.h"

void procfs_buf__clear(struct procfs_buf *b)
{
	if (!b)
		return;
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->truncated = false;
}

/* Grows *buf so it holds at least need + 1 bytes (room for the NUL). */
static int grow(char **buf, size_t *cap, size_t need)
{
	size_t ncap = *cap ? *cap : 4096;
	char *n;

	while (ncap < need + 1)
		ncap *= 2;
	if (ncap == *cap)
		return 0;
	n = realloc(*buf, ncap);
	if (!n)
		return -ENOMEM;
	*buf = n;
	*cap = ncap;
	return 0;
}

/*
 * Reads until EOF or max + 1 bytes: one byte past max is how we learn the
 * file was longer without trusting st_size, which procfs reports as 0.
 */
static int read_fd(int fd, size_t max, struct procfs_buf *out)
{
	size_t cap = 0, len = 0;
	char *buf = NULL;
	int err;

	/* max + 1 must not wrap; nobody reads a 4 EiB procfs file. */
	if (max > SIZE_MAX / 4)
		max = SIZE_MAX / 4;
	for (;;) {
		size_t want = len + 4096 > max + 1 ? max + 1 - len : 4096;
		ssize_t n;

		err = grow(&buf, &cap, len + want);
		if (err)
			goto fail;
		if (want == 0)
			break;
		n = read(fd, buf + len, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	out->truncated = len > max;
	out->len = out->truncated ? max : len;
	buf[out->len] = '\0';
	out->data = buf;
	return 0;
fail:
	free(buf);
	return err;
}

int procfs__read_at(int dirfd, const char *path, size_t max, struct procfs_buf *out)
{
	int fd, err;

	memset(out, 0, sizeof(*out));
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return err_fail(errno, "cannot open %s: %s", path, strerror(errno));
	err = read_fd(fd, max, out);
	if (err)
		err_set("cannot read %s: %s", path, strerror(-err));
	close(fd);
	return err;
}

int procfs__read_file(const char *path, size_t max, struct procfs_buf *out)
{
	return procfs__read_at(AT_FDCWD, path, max, out);
}

/* Is there a process with this pid, whatever /proc lets us see of it? */
static bool pid_alive(pid_t pid)
{
	return kill(pid, 0) == 0 || errno == EPERM;
}

static int no_such_process(pid_t pid)
{
	return err_fail(ESRCH, "no such process: pid %d (it does not exist or has exited)",
			(int)pid);
}

int procfs__read_pid(pid_t pid, const char *name, size_t max, struct procfs_buf *out)
{
	char path[64];
	int err;

	if (pid <= 0)
		return err_fail(EINVAL, "%d is not a valid pid", (int)pid);
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	err = procfs__read_file(path, max, out);
	/* ENOENT on open, ESRCH on read: the process is gone (or going). */
	if ((err == -ENOENT || err == -ESRCH) && !pid_alive(pid))
		return no_such_process(pid);
	if (err == -ESRCH)
		return err_fail(ESRCH, "pid %d exited while %s was being read", (int)pid, path);
	if (err == -EACCES || err == -EPERM)
		return err_fail(EACCES, "cannot read %s: permission denied (run gotrace as root)",
				path);
	return err;
}

/* Why the process's /proc entry could not be opened (errno saved as e). */
static int open_failure(pid_t pid, const char *path, int e, const char *needs)
{
	if (e == ENOENT && pid_alive(pid))
		return err_fail(
			EACCES,
			"pid %d exists but /proc hides it (procfs mounted with hidepid=, or "
			"another pid namespace): run gotrace as root in the host pid namespace",
			(int)pid);
	if (e == ENOENT || e == ESRCH)
		return no_such_process(pid);
	return err_fail(EACCES, "cannot read %s: %s (%s)", path, strerror(e), needs);
}

int proc_pid__check(pid_t pid)
{
	char path[64];
	int fd;

	if (pid <= 0)
		return err_fail(EINVAL, "%d is not a valid pid", (int)pid);
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return open_failure(pid, path, errno, "run gotrace as root");
	close(fd);
	/* maps needs ptrace read access (mm_access), which inspecting needs too. */
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return open_failure(pid, path, errno,
				    "inspecting pid needs root or CAP_SYS_PTRACE over it");
	close(fd);
	return 0;
}

int proc_pid__comm(pid_t pid, char *buf, size_t size)
{
	struct procfs_buf b;
	size_t n;
	int err;

	if (!size)
		return -EINVAL;
	err = procfs__read_pid(pid, "comm", 256, &b);
	if (err)
		return err;
	n = b.len;
	if (n && b.data[n - 1] == '\n')
		n--;
	if (n >= size)
		n = size - 1;
	memcpy(buf, b.data, n);
	buf[n] = '\0';
	procfs_buf__clear(&b);
	return 0;
}
