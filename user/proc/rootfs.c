// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/err.h"
#include "proc/rootfs.h"
#include "proc/rootfs_priv.h"

#define ALLOWED_FLAGS (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
/* openat2 RESOLVE_IN_ROOT returns EAGAIN when a rename races with "..". */
#define OPENAT2_RETRIES 8

static bool force_walk;
static bool no_openat2; /* ENOSYS seen once: the kernel or seccomp lacks it */

void rootfs__force_walk(bool on)
{
	force_walk = on;
}

int rootfs__open_root(pid_t pid)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_fail(errno, "cannot open %s: %s%s", path, strerror(errno),
				errno == EACCES ? " (run gotrace as root)" : "");
	return fd;
}

/* glibc 2.36 has no openat2() wrapper. */
static int openat2_in_root(int root_fd, const char *path, bool nofollow)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd = -1;

	for (int i = 0; i < OPENAT2_RETRIES; i++) {
		fd = syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	return fd >= 0 ? (int)fd : -errno;
}

/* An O_PATH fd for path, by the kernel when it can, else by the walk. */
static int resolve(int root_fd, const char *path, bool nofollow)
{
	int fd;

	if (!*path)
		return -ENOENT;
	if (!force_walk && !no_openat2) {
		fd = openat2_in_root(root_fd, path, nofollow);
		if (fd != -ENOSYS)
			return fd;
		no_openat2 = true;
	}
	return rootfs_walk(root_fd, path, nofollow);
}

/*
 * Re-opens the very inode the O_PATH fd names, through our own fd's
 * /proc/self/fd link: the type was checked on that inode, so no rename
 * can swap a FIFO or a device in between.
 */
static int reopen(int opath, int flags)
{
	char link[64];
	int fd;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", opath);
	fd = open(link, (flags & ~O_NOFOLLOW) | O_CLOEXEC | O_NOCTTY);
	return fd >= 0 ? fd : -errno;
}

static int check_type(int fd, int flags, const char *path)
{
	struct stat st;

	if (fstat(fd, &st))
		return -errno;
	if (S_ISLNK(st.st_mode) && !(flags & O_PATH))
		return err_fail(ELOOP, "%s is a symlink (O_NOFOLLOW)", path);
	if ((flags & O_DIRECTORY) && !S_ISDIR(st.st_mode))
		return err_fail(ENOTDIR, "%s is not a directory", path);
	if (!(flags & O_PATH) && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return err_fail(EPERM, "%s is not a regular file or directory; not opening it",
				path);
	return 0;
}

int rootfs__open(int root_fd, const char *path, int flags)
{
	int opath, fd, err;

	if ((flags & O_ACCMODE) != O_RDONLY || (flags & ~(ALLOWED_FLAGS | O_ACCMODE)))
		return err_fail(EINVAL, "rootfs__open opens for reading only (flags 0%o)", flags);
	opath = resolve(root_fd, path, flags & O_NOFOLLOW);
	if (opath < 0)
		return err_fail(-opath, "cannot open %s inside the process's root: %s", path,
				strerror(-opath));
	err = check_type(opath, flags, path);
	if (err || (flags & O_PATH)) {
		if (err)
			close(opath);
		return err ? err : opath;
	}
	fd = reopen(opath, flags);
	close(opath);
	if (fd < 0)
		return err_fail(-fd, "cannot open %s inside the process's root: %s", path,
				strerror(-fd));
	return fd;
}

int rootfs__exists(int root_fd, const char *path)
{
	int fd = rootfs__open(root_fd, path, O_PATH);

	if (fd >= 0) {
		close(fd);
		return 1;
	}
	return fd == -ENOENT || fd == -ENOTDIR ? 0 : fd;
}
