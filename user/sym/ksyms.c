// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/textcopy.h"

#include "base/err.h"
#include "base/num.h"
#include "proc/procfs.h"
#include "sym/ksyms_priv.h"

/* 5 MiB on a 6.18 distro kernel with few modules; allmodconfig is ~4x that. */
#define KALLSYMS_MAX_BYTES (256u << 20)

void ksyms__free(struct ksyms *ks)
{
	if (!ks)
		return;
	free(ks->by_name);
	free(ks->v);
	free(ks->text);
	free(ks);
}

/* The hex address at the start of a line, through the one number parser. */
static int parse_addr(const char *s, size_t n, uint64_t *addr)
{
	char tok[20] = "0x";

	if (n == 0 || n > 16)
		return -GT_EFORMAT;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return -GT_EFORMAT;
	memcpy(tok + 2, s, n);
	tok[2 + n] = '\0';
	return num_parse_u64(tok, 0, UINT64_MAX, addr) ? -GT_EFORMAT : 0;
}

/* "<addr> <type> <name>[\t[<module>]]", NUL-terminated, parsed in place. */
static int parse_line(char *line, struct ksym *k)
{
	char *sp = strchr(line, ' '), *name, *tab, *mod;

	if (!sp || parse_addr(line, (size_t)(sp - line), &k->addr))
		return -GT_EFORMAT;
	if (!isgraph((unsigned char)sp[1]) || sp[2] != ' ' || !isgraph((unsigned char)sp[3]))
		return -GT_EFORMAT;
	k->type = sp[1];
	name = sp + 3;
	k->name = name;
	k->module = NULL;
	tab = strchr(name, '\t');
	if (!tab)
		return strchr(name, ' ') ? -GT_EFORMAT : 0;
	*tab = '\0';
	mod = tab + 1;
	if (strchr(name, ' ') || mod[0] != '[' || strlen(mod) < 3 || mod[strlen(mod) - 1] != ']')
		return -GT_EFORMAT;
	mod[strlen(mod) - 1] = '\0';
	k->module = mod + 1;
	return 0;
}

static int parse_all(struct ksyms *ks, size_t len)
{
	char *p = ks->text, *end = ks->text + len;
	size_t lineno = 0;

	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));

		lineno++;
		if (nl)
			*nl = '\0';
		if (strlen(p) != (size_t)((nl ? nl : end) - p))
			return err_fail(GT_EFORMAT, "kallsyms line %zu: NUL byte", lineno);
		if (*p && parse_line(p, &ks->v[ks->n++]))
			return err_fail(GT_EFORMAT, "kallsyms line %zu is malformed", lineno);
		p = nl ? nl + 1 : end;
	}
	return 0;
}

/* Same address: global (upper-case) first, then by name, for a stable order. */
static int cmp_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;
	int gx = !isupper((unsigned char)x->type), gy = !isupper((unsigned char)y->type);

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (gx != gy)
		return gx - gy;
	return strcmp(x->name, y->name);
}

/* By name; vmlinux before modules, global before local, then by address. */
static int cmp_name(const void *a, const void *b)
{
	const struct ksym *x = *(const struct ksym *const *)a, *y = *(const struct ksym *const *)b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	if (!x->module != !y->module)
		return x->module ? 1 : -1;
	if (x->module && (c = strcmp(x->module, y->module)))
		return c;
	if (!isupper((unsigned char)x->type) != !isupper((unsigned char)y->type))
		return isupper((unsigned char)x->type) ? -1 : 1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/*
 * The names into a pool of their own, the copy of kallsyms freed: the
 * addresses and types are parsed already, and the names are half its bytes
 * (kallsyms is 5 MB here, held for as long as watch runs).
 */
static int compact_names(struct ksyms *ks)
{
	size_t need = 0, at = 0;
	char *pool;

	for (size_t i = 0; i < ks->n; i++)
		need += strlen(ks->v[i].name) + 1 +
			(ks->v[i].module ? strlen(ks->v[i].module) + 1 : 0);
	pool = malloc(need ? need : 1);
	if (!pool)
		return -ENOMEM;
	for (size_t i = 0; i < ks->n; i++) {
		struct ksym *k = &ks->v[i];
		size_t n = strlen(k->name) + 1;

		memcpy(pool + at, k->name, n);
		k->name = pool + at;
		at += n;
		if (k->module) {
			n = strlen(k->module) + 1;
			memcpy(pool + at, k->module, n);
			k->module = pool + at;
			at += n;
		}
	}
	free(ks->text);
	ks->text = pool;
	return 0;
}

static int index_all(struct ksyms *ks)
{
	ks->hidden = ks->n > 0;
	qsort(ks->v, ks->n, sizeof(*ks->v), cmp_addr);
	ks->by_name = malloc((ks->n ? ks->n : 1) * sizeof(*ks->by_name));
	if (!ks->by_name)
		return -ENOMEM;
	for (size_t i = 0; i < ks->n; i++) {
		ks->by_name[i] = &ks->v[i];
		if (ks->v[i].addr)
			ks->hidden = false;
	}
	qsort(ks->by_name, ks->n, sizeof(*ks->by_name), cmp_name);
	return 0;
}

int ksyms__parse(const char *text, size_t len, struct ksyms **out)
{
	struct ksyms *ks;
	size_t lines;
	int err = -ENOMEM;

	*out = NULL;
	ks = calloc(1, sizeof(*ks));
	if (!ks)
		return -ENOMEM;
	ks->text = text_copy_lines(text, len, &lines);
	ks->v = ks->text ? calloc(lines, sizeof(*ks->v)) : NULL;
	if (!ks->text || !ks->v)
		goto fail;
	err = parse_all(ks, len);
	if (!err)
		err = compact_names(ks);
	if (!err)
		err = index_all(ks);
	if (err)
		goto fail;
	*out = ks;
	return 0;
fail:
	ksyms__free(ks);
	return err;
}

int ksyms__load(struct ksyms **out)
{
	struct procfs_buf b;
	int err;

	*out = NULL;
	err = procfs__read_file("/proc/kallsyms", KALLSYMS_MAX_BYTES, &b);
	if (err)
		return err;
	if (b.truncated)
		err = err_fail(EFBIG, "/proc/kallsyms is larger than %u MiB",
			       KALLSYMS_MAX_BYTES >> 20);
	else
		err = ksyms__parse(b.data, b.len, out);
	procfs_buf__clear(&b);
	return err;
}
