// SPDX-License-Identifier: GPL-2.0
/* cmdline and environ: NUL-separated lists a process can rewrite at will. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "proc/procfs.h"

void proc_strlist__clear(struct proc_strlist *l)
{
	if (!l)
		return;
	free(l->buf);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static size_t count_elems(const char *buf, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		if (buf[i] == '\0')
			n++;
	/* An unterminated last element still counts. */
	if (len && buf[len - 1] != '\0')
		n++;
	return n;
}

int proc_strlist__parse(const char *text, size_t len, struct proc_strlist *out)
{
	size_t n, k = 0;

	memset(out, 0, sizeof(*out));
	out->buf = malloc(len + 1);
	if (!out->buf)
		return -ENOMEM;
	memcpy(out->buf, text, len);
	out->buf[len] = '\0';
	out->len = len;
	n = count_elems(out->buf, len);
	out->v = calloc(n + 1, sizeof(*out->v));
	if (!out->v) {
		proc_strlist__clear(out);
		return -ENOMEM;
	}
	for (size_t i = 0; i < len; i += strlen(out->buf + i) + 1)
		out->v[k++] = out->buf + i;
	out->n = k;
	return 0;
}

static int read_list(pid_t pid, const char *name, size_t max, struct proc_strlist *out)
{
	struct procfs_buf b;
	int err;

	memset(out, 0, sizeof(*out));
	err = procfs__read_pid(pid, name, max, &b);
	if (err)
		return err;
	err = proc_strlist__parse(b.data, b.len, out);
	out->truncated = b.truncated;
	procfs_buf__clear(&b);
	return err;
}

int proc_pid__cmdline(pid_t pid, size_t max, struct proc_strlist *out)
{
	return read_list(pid, "cmdline", max, out);
}

int proc_pid__environ(pid_t pid, size_t max, struct proc_strlist *out)
{
	return read_list(pid, "environ", max, out);
}

const char *proc_strlist__getenv(const struct proc_strlist *l, const char *name)
{
	size_t nl = strlen(name);

	for (size_t i = 0; i < l->n; i++)
		if (!strncmp(l->v[i], name, nl) && l->v[i][nl] == '=')
			return l->v[i] + nl + 1;
	return NULL;
}
