/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_PROC_ROOTFS_H
#define GOTRACE_PROC_ROOTFS_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * Opening a file inside a container's root (/proc/<pid>/root) as root
 * without letting the container redirect us out of it (DESIGN.md): every
 * symlink, absolute or relative, and every ".." is resolved as if root_fd
 * were "/" (chroot semantics), and /proc magic links are refused.
 *
 * The kernel does this itself with openat2(RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS) since Linux 5.6; older kernels, and seccomp
 * profiles that deny openat2 with ENOSYS (Docker's default before 20.10),
 * get a component-by-component walk that holds an O_PATH fd per directory,
 * opens each name with O_NOFOLLOW, expands symlinks itself (40 at most, as
 * the kernel) and pops ".." off its own stack, so a rename racing with the
 * walk cannot move it outside root either.
 *
 * Only reads: flags may be O_RDONLY, O_PATH, O_DIRECTORY, O_NOFOLLOW (the
 * last component is not followed: -ELOOP if it is a symlink), O_CLOEXEC is
 * always added. Anything else is -EINVAL. A FIFO, socket or device at the
 * path is refused with -EPERM unless O_PATH: a hostile container must not
 * make gotrace block on a FIFO or poke a device.
 */

/* Opens /proc/<pid>/root as an O_PATH directory fd for the calls below. */
int rootfs__open_root(pid_t pid);
/* An fd (>= 0) for path inside root_fd, or -errno with an err_set() message. */
int rootfs__open(int root_fd, const char *path, int flags);
/* 1 when path exists inside root_fd (following symlinks inside it), 0 when not, else -errno. */
int rootfs__exists(int root_fd, const char *path);
/* Tests: force the userspace walk even where openat2 works. */
void rootfs__force_walk(bool on);

#endif
