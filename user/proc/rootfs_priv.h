/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_PROC_ROOTFS_PRIV_H
#define GOTRACE_PROC_ROOTFS_PRIV_H

#include <stdbool.h>

/*
 * The userspace resolver (rootfs_walk.c): an O_PATH fd for path inside
 * root_fd, the last component not followed when nofollow. Not an API.
 */
int rootfs_walk(int root_fd, const char *path, bool nofollow);

#endif
