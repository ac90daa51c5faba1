// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "kern/mountinfo.h"

/*
 * Copies the space-delimited field at *p into dst, decoding the kernel's
 * \ooo escapes (show_mountinfo() escapes space, tab, newline, backslash).
 */
static int take_field(const char **p, const char *end, char *dst, size_t len)
{
	const char *s = *p;
	size_t n = 0;

	while (s < end && *s == ' ')
		s++;
	if (s == end)
		return -GT_EFORMAT;
	while (s < end && *s != ' ') {
		char c = *s++;

		if (c == '\\' && end - s >= 3 && s[0] >= '0' && s[0] <= '3' && s[1] >= '0' &&
		    s[1] <= '7' && s[2] >= '0' && s[2] <= '7') {
			c = (char)((s[0] - '0') << 6 | (s[1] - '0') << 3 | (s[2] - '0'));
			s += 3;
		}
		if (n + 1 >= len)
			return -GT_EFORMAT;
		dst[n++] = c;
	}
	dst[n] = '\0';
	*p = s;
	return 0;
}

/* Fields 1-3 (ids, device) and the optional fields are not needed: skip them. */
static int parse_line(const char *s, const char *end, struct mountinfo_ent *e)
{
	char skip[512];
	int i, err = 0;

	for (i = 0; i < 3 && !err; i++)
		err = take_field(&s, end, skip, sizeof(skip));
	err = err ?: take_field(&s, end, e->root, sizeof(e->root));
	err = err ?: take_field(&s, end, e->mount_point, sizeof(e->mount_point));
	err = err ?: take_field(&s, end, skip, sizeof(skip)); /* per-mount options */
	while (!err) {
		err = take_field(&s, end, skip, sizeof(skip));
		if (!err && !strcmp(skip, "-"))
			break;
	}
	err = err ?: take_field(&s, end, e->fstype, sizeof(e->fstype));
	err = err ?: take_field(&s, end, skip, sizeof(skip)); /* source */
	err = err ?: take_field(&s, end, e->super_opts, sizeof(e->super_opts));
	return err;
}

int mountinfo__next(const char **pos, struct mountinfo_ent *e)
{
	const char *s = *pos, *end;

	while (*s == '\n')
		s++;
	if (!*s) {
		*pos = s;
		return 0;
	}
	end = strchrnul(s, '\n');
	*pos = end;
	if (parse_line(s, end, e))
		return err_fail(GT_EFORMAT, "malformed mountinfo line: %.80s", s);
	return 1;
}

char *mountinfo__read(const char *path)
{
	size_t cap = 16384, len = 0;
	char *buf = malloc(cap), *nbuf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = 0;

	if (fd < 0 || !buf)
		goto fail;
	/* procfs files have no size: read until EOF, growing the buffer. */
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (cap - len > 1)
			continue;
		nbuf = realloc(buf, cap *= 2);
		if (!nbuf)
			goto fail;
		buf = nbuf;
	}
	if (n < 0)
		goto fail;
	buf[len] = '\0';
	close(fd);
	return buf;
fail:
	n = errno ?: ENOMEM;
	free(buf);
	if (fd >= 0)
		close(fd);
	errno = (int)n;
	return NULL;
}

int mountinfo__find_fstype(const char *text, const char *fstype, char *mnt, size_t len)
{
	struct mountinfo_ent e;
	const char *pos = text;
	int r;

	while ((r = mountinfo__next(&pos, &e)) != 0) {
		if (r > 0 && !strcmp(e.fstype, fstype)) {
			snprintf(mnt, len, "%s", e.mount_point);
			return 0;
		}
	}
	return -ENOENT;
}

bool mountinfo__has_opt(const char *opts, const char *opt)
{
	size_t n = strlen(opt);

	while (*opts) {
		size_t len = strcspn(opts, ",");

		if (len == n && !strncmp(opts, opt, n))
			return true;
		opts += len;
		if (*opts == ',')
			opts++;
	}
	return false;
}
