/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_KERN_MOUNTINFO_H
#define GOTRACE_KERN_MOUNTINFO_H

#include <stdbool.h>
#include <stddef.h>

/*
 * /proc/PID/mountinfo, one line at a time (proc(5)):
 *   36 35 98:0 /root /mnt/point rw,noatime master:1 - fstype source super,opts
 * Octal escapes (\040 for a space) in paths are decoded.
 */
struct mountinfo_ent {
	char root[512];
	char mount_point[512];
	char fstype[64];
	char super_opts[512];
};

/*
 * Parses the line at *pos and advances *pos past it. 1: e is filled; 0: end
 * of text; -GT_EFORMAT: malformed or oversized line (skipped: *pos still
 * advances, so a caller may go on).
 */
int mountinfo__next(const char **pos, struct mountinfo_ent *e);

/* The whole of path (e.g. "/proc/self/mountinfo") as a malloc'd string; NULL, errno set. */
char *mountinfo__read(const char *path);

/* Mount point of the first mount of fstype into mnt; -ENOENT when there is none. */
int mountinfo__find_fstype(const char *text, const char *fstype, char *mnt, size_t len);

/* True when the comma-separated list opts contains the option opt exactly. */
bool mountinfo__has_opt(const char *opts, const char *opt);

#endif
