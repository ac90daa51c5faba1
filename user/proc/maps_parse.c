// SPDX-License-Identifier: GPL-2.0
/* The /proc/<pid>/maps line parser (format in maps.h). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/num.h"
#include "proc/maps.h"
#include "proc/maps_priv.h"

#define DELETED_SUFFIX " (deleted)"

struct cursor {
	char *p, *end;
};

/*
 * The number at the cursor, up to the stop byte (consumed) or, for the last
 * field, the end of the line. maps prints hex without "0x"; the token gets
 * one and goes through the one number parser.
 */
static int take_u64(struct cursor *c, char stop, bool hex, bool last, uint64_t *v)
{
	char tok[24] = "0x";
	size_t pre = hex ? 2 : 0, n = 0;

	while (c->p + n < c->end && c->p[n] != stop) {
		if (!(hex ? isxdigit((unsigned char)c->p[n]) : isdigit((unsigned char)c->p[n])))
			return -GT_EFORMAT;
		n++;
	}
	if (n == 0 || n + pre >= sizeof(tok) || (c->p + n == c->end && !last))
		return -GT_EFORMAT;
	memcpy(tok + pre, c->p, n);
	tok[pre + n] = '\0';
	c->p += n < (size_t)(c->end - c->p) ? n + 1 : n;
	return num_parse_u64(tok, 0, UINT64_MAX, v) ? -GT_EFORMAT : 0;
}

static int take_perms(struct cursor *c, uint32_t *perms)
{
	static const char yes[] = "rwx", *bits = "rwxs";
	const char *p = c->p;

	if (c->end - p < 5 || p[4] != ' ')
		return -GT_EFORMAT;
	*perms = 0;
	for (int i = 0; i < 3; i++) {
		if (p[i] == yes[i])
			*perms |= 1u << i;
		else if (p[i] != '-')
			return -GT_EFORMAT;
	}
	if (p[3] == bits[3])
		*perms |= PROC_MAP_SHARED;
	else if (p[3] != 'p')
		return -GT_EFORMAT;
	c->p += 5;
	return 0;
}

static bool has_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static enum proc_map_kind classify(const char *name)
{
	if (!*name)
		return PROC_MAP_ANON;
	if (has_prefix(name, "/memfd:"))
		return PROC_MAP_MEMFD;
	if (name[0] == '/')
		return PROC_MAP_FILE;
	if (!strcmp(name, "[heap]"))
		return PROC_MAP_HEAP;
	if (!strcmp(name, "[stack]") || has_prefix(name, "[stack:"))
		return PROC_MAP_STACK;
	if (!strcmp(name, "[vdso]"))
		return PROC_MAP_VDSO;
	if (!strcmp(name, "[vvar]") || !strcmp(name, "[vvar_vclock]"))
		return PROC_MAP_VVAR;
	if (!strcmp(name, "[vsyscall]"))
		return PROC_MAP_VSYSCALL;
	if (has_prefix(name, "[anon:") || has_prefix(name, "[anon_shmem:"))
		return PROC_MAP_ANON_NAMED;
	return PROC_MAP_OTHER;
}

/* The name runs from the first non-blank after the inode to the end of line. */
static void take_name(struct cursor *c, struct proc_map *m)
{
	size_t n, sl = strlen(DELETED_SUFFIX);

	while (c->p < c->end && *c->p == ' ')
		c->p++;
	*c->end = '\0'; /* the '\n' (or the copy's final NUL) */
	m->path = c->p;
	m->kind = classify(m->path);
	n = strlen(m->path);
	if ((m->kind == PROC_MAP_FILE || m->kind == PROC_MAP_MEMFD) && n > sl &&
	    !strcmp(m->path + n - sl, DELETED_SUFFIX)) {
		c->p[n - sl] = '\0';
		m->deleted = true;
	}
}

static int parse_line(struct cursor *c, struct proc_map *m)
{
	uint64_t major, minor;

	memset(m, 0, sizeof(*m));
	if (take_u64(c, '-', true, false, &m->start) || take_u64(c, ' ', true, false, &m->end) ||
	    take_perms(c, &m->perms) || take_u64(c, ' ', true, false, &m->pgoff) ||
	    take_u64(c, ':', true, false, &major) || take_u64(c, ' ', true, false, &minor))
		return -GT_EFORMAT;
	/* The inode is the last field: a blank or the end of line follows it. */
	if (take_u64(c, ' ', false, true, &m->inode))
		return -GT_EFORMAT;
	if (m->start >= m->end || major > UINT32_MAX || minor > UINT32_MAX)
		return -GT_EFORMAT;
	m->dev_major = (uint32_t)major;
	m->dev_minor = (uint32_t)minor;
	take_name(c, m);
	return 0;
}

static int cmp_start(const void *a, const void *b)
{
	const struct proc_map *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static size_t count_lines(const char *s, size_t len)
{
	size_t n = 1;

	for (size_t i = 0; i < len; i++)
		n += s[i] == '\n';
	return n;
}

/* Splits the private copy into lines and parses each; empty lines are skipped. */
static int parse_all(struct proc_maps *maps, size_t len)
{
	char *p = maps->text, *end = maps->text + len;
	size_t lineno = 0;

	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		struct cursor c = {p, nl ? nl : end};

		lineno++;
		if (c.end > p && memchr(p, '\0', (size_t)(c.end - p)))
			return err_fail(GT_EFORMAT, "maps line %zu: NUL byte", lineno);
		if (c.end > p && parse_line(&c, &maps->v[maps->n++]))
			return err_fail(GT_EFORMAT, "maps line %zu is malformed", lineno);
		p = nl ? nl + 1 : end;
	}
	return 0;
}

int proc_maps__parse(const char *text, size_t len, struct proc_maps **out)
{
	struct proc_maps *maps;
	int err = -ENOMEM;

	*out = NULL;
	maps = calloc(1, sizeof(*maps));
	if (!maps)
		return -ENOMEM;
	/* One spare byte: the last line's name is terminated in place. */
	maps->text = malloc(len + 1);
	maps->v = calloc(count_lines(text, len), sizeof(*maps->v));
	if (!maps->text || !maps->v)
		goto fail;
	memcpy(maps->text, text, len);
	maps->text[len] = '\0';
	err = parse_all(maps, len);
	if (err)
		goto fail;
	qsort(maps->v, maps->n, sizeof(*maps->v), cmp_start);
	*out = maps;
	return 0;
fail:
	proc_maps__free(maps);
	return err;
}
