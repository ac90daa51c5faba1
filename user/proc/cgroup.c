// SPDX-License-Identifier: GPL-2.0
/* The /proc/<pid>/cgroup parser (format in cgroup.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/textcopy.h"

#include "base/err.h"
#include "base/num.h"
#include "proc/cgroup.h"
#include "proc/procfs.h"

/*
 * A cgroup2 cgroup removed under a process that still points at it (a
 * zombie) is printed with this suffix (kernel/cgroup/cgroup.c
 * proc_cgroup_show); it is not part of the path.
 */
#define DELETED_SUFFIX " (deleted)"

struct proc_cgroups {
	char *text;
	struct proc_cgroup *v;
	size_t n;
};

void proc_cgroups__free(struct proc_cgroups *cgs)
{
	if (!cgs)
		return;
	free(cgs->text);
	free(cgs->v);
	free(cgs);
}

size_t proc_cgroups__count(const struct proc_cgroups *cgs)
{
	return cgs->n;
}

const struct proc_cgroup *proc_cgroups__get(const struct proc_cgroups *cgs, size_t i)
{
	return i < cgs->n ? &cgs->v[i] : NULL;
}

static bool duplicate_id(const struct proc_cgroups *cgs, uint32_t id)
{
	for (size_t i = 0; i < cgs->n; i++)
		if (cgs->v[i].hier_id == id)
			return true;
	return false;
}

/* "id:controllers:path" in place; the path is everything after the second ':'. */
static int parse_line(struct proc_cgroups *cgs, char *line)
{
	char *c1 = strchr(line, ':'), *c2, *path;
	struct proc_cgroup *e = &cgs->v[cgs->n];
	size_t n, sl = strlen(DELETED_SUFFIX);

	if (!c1 || !(c2 = strchr(c1 + 1, ':')))
		return -GT_EFORMAT;
	*c1 = *c2 = '\0';
	path = c2 + 1;
	if (num_parse_u32(line, 0, UINT32_MAX, &e->hier_id) || duplicate_id(cgs, e->hier_id))
		return -GT_EFORMAT;
	/* cgroup2 has no controller list; a v1 hierarchy always has one. */
	if ((e->hier_id == 0) != (c1[1] == '\0') || path[0] != '/')
		return -GT_EFORMAT;
	n = strlen(path);
	if (n > sl && !strcmp(path + n - sl, DELETED_SUFFIX))
		path[n - sl] = '\0';
	e->controllers = c1 + 1;
	e->path = path;
	cgs->n++;
	return 0;
}

static int parse_all(struct proc_cgroups *cgs, size_t len)
{
	char *p = cgs->text, *end = cgs->text + len;
	size_t lineno = 0;

	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));

		lineno++;
		if (nl)
			*nl = '\0';
		if (strlen(p) != (size_t)((nl ? nl : end) - p))
			return err_fail(GT_EFORMAT, "cgroup line %zu: NUL byte", lineno);
		if (*p && parse_line(cgs, p))
			return err_fail(GT_EFORMAT, "cgroup line %zu is malformed", lineno);
		p = nl ? nl + 1 : end;
	}
	return 0;
}

int proc_cgroups__parse(const char *text, size_t len, struct proc_cgroups **out)
{
	struct proc_cgroups *cgs;
	size_t lines;
	int err = -ENOMEM;

	*out = NULL;
	cgs = calloc(1, sizeof(*cgs));
	if (!cgs)
		return -ENOMEM;
	cgs->text = text_copy_lines(text, len, &lines);
	cgs->v = cgs->text ? calloc(lines, sizeof(*cgs->v)) : NULL;
	if (!cgs->text || !cgs->v)
		goto fail;
	err = parse_all(cgs, len);
	if (err)
		goto fail;
	*out = cgs;
	return 0;
fail:
	proc_cgroups__free(cgs);
	return err;
}

int proc_cgroups__read(pid_t pid, struct proc_cgroups **out)
{
	struct procfs_buf b;
	int err;

	*out = NULL;
	err = procfs__read_pid(pid, "cgroup", PROCFS_SMALL_MAX, &b);
	if (err)
		return err;
	if (b.truncated)
		err = err_fail(EFBIG, "/proc/%d/cgroup is larger than %d bytes", (int)pid,
			       PROCFS_SMALL_MAX);
	else
		err = proc_cgroups__parse(b.data, b.len, out);
	procfs_buf__clear(&b);
	return err;
}

/* Is name one of the comma-separated controllers in list? */
static bool has_controller(const char *list, const char *name)
{
	size_t nl = strlen(name);

	for (const char *p = list; *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		if (len == nl && !memcmp(p, name, nl))
			return true;
		p += len + (comma ? 1 : 0);
	}
	return false;
}

const char *proc_cgroups__path(const struct proc_cgroups *cgs, const char *controller)
{
	for (size_t i = 0; i < cgs->n; i++)
		if (cgs->v[i].hier_id && has_controller(cgs->v[i].controllers, controller))
			return cgs->v[i].path;
	return NULL;
}

const char *proc_cgroups__unified(const struct proc_cgroups *cgs)
{
	for (size_t i = 0; i < cgs->n; i++)
		if (cgs->v[i].hier_id == 0)
			return cgs->v[i].path;
	return NULL;
}
