// SPDX-License-Identifier: GPL-2.0
/*
 * The userspace RESOLVE_IN_ROOT for kernels without openat2 (< 5.6) or
 * seccomp profiles that hide it. Directories walked are held open (O_PATH,
 * opened with O_NOFOLLOW one name at a time), ".." pops our own stack
 * instead of asking the kernel for a parent, and symlinks are read and
 * spliced into the rest of the path by hand, absolute ones restarting at
 * root. Unlike openat2 it cannot tell a /proc magic link from a symlink;
 * it resolves its text inside root, which is just as safe.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proc/rootfs_priv.h"

#define MAX_HOPS 40		/* the kernel's MAXSYMLINKS */
#define MAX_DEPTH 256		/* directories deep */
#define MAX_PATH (4 * PATH_MAX) /* the rest of the path, symlinks spliced in */

struct walk {
	int root;
	int stack[MAX_DEPTH]; /* O_PATH fds of the directories below root */
	int depth;
	int hops;
	char rest[MAX_PATH]; /* what is left to resolve */
};

static int cur(const struct walk *w)
{
	return w->depth ? w->stack[w->depth - 1] : w->root;
}

static void pop(struct walk *w)
{
	if (w->depth)
		close(w->stack[--w->depth]);
}

/* rest = target after; after is "" or starts with '/' (it followed a name). */
static int splice_rest(struct walk *w, const char *target, size_t tlen, const char *after)
{
	size_t alen = strlen(after);

	if (tlen + alen + 1 > sizeof(w->rest))
		return -ENAMETOOLONG;
	memmove(w->rest + tlen, after, alen + 1);
	memcpy(w->rest, target, tlen);
	return 0;
}

/* Replaces the symlink at fd by its target in front of the rest of the path. */
static int follow(struct walk *w, int fd, const char *after)
{
	char target[PATH_MAX];
	ssize_t n;

	if (++w->hops > MAX_HOPS)
		return -ELOOP;
	n = readlinkat(fd, "", target, sizeof(target));
	if (n < 0)
		return -errno;
	if ((size_t)n >= sizeof(target))
		return -ENAMETOOLONG;
	/* An absolute target starts again from the container's root. */
	if (n > 0 && target[0] == '/')
		while (w->depth)
			pop(w);
	return splice_rest(w, target, (size_t)n, after);
}

/*
 * One component name (a NUL-terminated copy) and what follows it. 1 with
 * *out set when the walk is over, 0 to go on, -errno on failure.
 */
static int step(struct walk *w, const char *name, const char *after, bool nofollow, int *out)
{
	/* A trailing '/' makes the name a directory to enter, link or not. */
	bool final = after[strspn(after, "/")] == '\0' && after[0] != '/';
	struct stat st;
	int fd, err;

	if (!strcmp(name, ".."))
		pop(w);
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return 0;
	fd = openat(cur(w), name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		goto out_close;
	}
	if (S_ISLNK(st.st_mode) && !(final && nofollow)) {
		err = follow(w, fd, after);
		goto out_close; /* done with the link's own fd either way */
	}
	if (final) {
		*out = fd;
		return 1;
	}
	err = !S_ISDIR(st.st_mode) ? -ENOTDIR : w->depth == MAX_DEPTH ? -ENAMETOOLONG : 0;
	if (err)
		goto out_close;
	w->stack[w->depth++] = fd;
	return 0;
out_close:
	close(fd);
	return err;
}

static int walk_all(struct walk *w, bool nofollow)
{
	char name[NAME_MAX + 1];
	int fd = -1;

	for (;;) {
		char *p = w->rest + strspn(w->rest, "/");
		size_t n = strcspn(p, "/");
		int r;

		/* Nothing left: the path named a directory ("/", "a/..", "b/"). */
		if (n == 0) {
			fd = openat(cur(w), ".", O_PATH | O_CLOEXEC);
			return fd >= 0 ? fd : -errno;
		}
		if (n > NAME_MAX)
			return -ENAMETOOLONG;
		memcpy(name, p, n);
		name[n] = '\0';
		/* Drop the name from rest first: follow() rewrites rest. */
		memmove(w->rest, p + n, strlen(p + n) + 1);
		r = step(w, name, w->rest, nofollow, &fd);
		if (r)
			return r < 0 ? r : fd;
	}
}

int rootfs_walk(int root_fd, const char *path, bool nofollow)
{
	struct walk *w;
	int fd;

	if (strlen(path) >= sizeof(w->rest))
		return -ENAMETOOLONG;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->root = root_fd;
	strcpy(w->rest, path);
	fd = walk_all(w, nofollow);
	while (w->depth)
		pop(w);
	free(w);
	return fd;
}
