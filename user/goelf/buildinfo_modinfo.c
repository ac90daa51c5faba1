// SPDX-License-Identifier: GPL-2.0
/*
 * The module-info text cmd/go embeds in every module-mode binary, parsed
 * the way runtime/debug.ParseBuildInfo does (go1.27 src/runtime/debug/mod.go):
 *
 *	path	<main package>
 *	mod	<path>	<version>[	<sum>]
 *	dep	<path>	<version>[	<sum>]
 *	=>	<path>	<version>	<sum>     (replaces the module on the line above)
 *	build	<key>=<value>             (1.18+; key or value Go-quoted when they
 *	                                   hold spaces, tabs, quotes, '=' in a key)
 *
 * Unknown lines are skipped, as Go does, so newer toolchains stay readable.
 * A final line without '\n' is ignored like Go's strings.Cut loop ignores it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "goelf/buildinfo_int.h"
#include "out/utf8.h"

/* Columns a module line may have: path, version, sum. */
#define MAX_COLS 3

/* Cheap sanity caps against a hostile blob; real ones have a few hundred deps. */
#define MAX_DEPS 100000
#define MAX_SETTINGS 10000

struct line_ctx {
	const char *name;
	int lineno;
	struct go_buildinfo *bi;
	ssize_t last; /* module a "=>" line replaces: -1 none, -2 main, else dep index */
};

char *go_strdup_exact(const char *s, size_t len)
{
	char *d;

	if (memchr(s, '\0', len)) {
		errno = EINVAL;
		return NULL;
	}
	d = malloc(len + 1);
	if (!d)
		return NULL;
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

static size_t put_rune(char *d, uint32_t r)
{
	if (r < 0x80) {
		d[0] = (char)r;
		return 1;
	}
	if (r < 0x800) {
		d[0] = (char)(0xc0 | r >> 6);
		d[1] = (char)(0x80 | (r & 0x3f));
		return 2;
	}
	if (r < 0x10000) {
		d[0] = (char)(0xe0 | r >> 12);
		d[1] = (char)(0x80 | (r >> 6 & 0x3f));
		d[2] = (char)(0x80 | (r & 0x3f));
		return 3;
	}
	d[0] = (char)(0xf0 | r >> 18);
	d[1] = (char)(0x80 | (r >> 12 & 0x3f));
	d[2] = (char)(0x80 | (r >> 6 & 0x3f));
	d[3] = (char)(0x80 | (r & 0x3f));
	return 4;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* n hex digits at s; -1 when any is not one. */
static int64_t read_hex(const char *s, size_t avail, int n)
{
	int64_t v = 0;
	int i;

	if ((size_t)n > avail)
		return -1;
	for (i = 0; i < n; i++) {
		int h = hexval(s[i]);

		if (h < 0)
			return -1;
		v = v << 4 | h;
	}
	return v;
}

/*
 * One escape sequence after a backslash at s (strconv.UnquoteChar inside a
 * double-quoted string). Writes its bytes to d; returns how many input
 * bytes it used (after the backslash), 0 when invalid.
 */
static size_t unescape(const char *s, size_t avail, char *d, size_t *dn)
{
	/* Pairs of (escape letter, byte); only even positions are letters. */
	static const char simple[] = "a\ab\bf\fn\nr\rt\tv\v\\\\\"\"";
	const char *p;
	int64_t v;

	if (!avail)
		return 0;
	p = strchr(simple, s[0]);
	if (s[0] && p && (p - simple) % 2 == 0) {
		d[(*dn)++] = p[1];
		return 1;
	}
	switch (s[0]) {
	case 'x':
		v = read_hex(s + 1, avail - 1, 2);
		if (v < 0)
			return 0;
		d[(*dn)++] = (char)v; /* a byte, not a rune */
		return 3;
	case 'u':
	case 'U':
		v = read_hex(s + 1, avail - 1, s[0] == 'u' ? 4 : 8);
		if (v < 0 || v > 0x10ffff || (v >= 0xd800 && v < 0xe000))
			return 0;
		*dn += put_rune(d + *dn, (uint32_t)v);
		return s[0] == 'u' ? 5 : 9;
	}
	if (s[0] >= '0' && s[0] <= '7' && avail >= 3 && s[1] >= '0' && s[1] <= '7' && s[2] >= '0' &&
	    s[2] <= '7') {
		v = (s[0] - '0') * 64 + (s[1] - '0') * 8 + (s[2] - '0');
		if (v > 255)
			return 0;
		d[(*dn)++] = (char)v;
		return 3;
	}
	return 0;
}

/* Back-quoted: raw bytes, '\r' dropped, no back quote inside. Returns the length or -1. */
static ssize_t unquote_raw(const char *s, size_t len, char *d)
{
	size_t i, n = 0;

	for (i = 1; i + 1 < len; i++) {
		if (s[i] == '`')
			return -1;
		if (s[i] != '\r')
			d[n++] = s[i];
	}
	return n;
}

/* Double-quoted: escapes; invalid UTF-8 becomes U+FFFD as in Go. Returns the length or -1. */
static ssize_t unquote_dq(const char *s, size_t len, char *d)
{
	size_t i = 1, n = 0, k;

	while (i + 1 < len) {
		unsigned char c = s[i];

		if (c == '"' || c == '\n')
			return -1;
		if (c == '\\') {
			k = unescape(s + i + 1, len - 1 - (i + 1), d, &n);
			if (!k)
				return -1;
			i += 1 + k;
		} else if (c < 0x80) {
			d[n++] = (char)c;
			i++;
		} else if ((k = utf8_valid_seq(s + i, len - 1 - i))) {
			memcpy(d + n, s + i, k);
			n += k;
			i += k;
		} else {
			n += put_rune(d + n, 0xfffd);
			i++;
		}
	}
	return n;
}

char *go_unquote(const char *s, size_t len)
{
	ssize_t n;
	char *d;

	if (len < 2 || s[0] != s[len - 1] || (s[0] != '"' && s[0] != '`')) {
		errno = EINVAL;
		return NULL;
	}
	/* Output never grows more than 3x: a 1-byte invalid char becomes U+FFFD. */
	d = malloc(3 * len + 1);
	if (!d)
		return NULL;
	n = s[0] == '`' ? unquote_raw(s, len, d) : unquote_dq(s, len, d);
	/* A NUL (raw, or from \x00) is legal Go but cannot live in a C string. */
	if (n < 0 || memchr(d, '\0', n)) {
		free(d);
		errno = EINVAL;
		return NULL;
	}
	d[n] = '\0';
	return d;
}

size_t go_quoted_prefix(const char *s, size_t len)
{
	const char *end;
	size_t i;
	char *u;

	if (!len || (s[0] != '"' && s[0] != '`'))
		return 0;
	if (s[0] == '`') {
		end = memchr(s + 1, '`', len - 1);
		return end ? (size_t)(end - s) + 1 : 0;
	}
	for (i = 1; i < len && s[i] != '"' && s[i] != '\n'; i++)
		if (s[i] == '\\')
			i++; /* the escaped character cannot end the string */
	if (i >= len || s[i] != '"')
		return 0;
	u = go_unquote(s, i + 1);
	free(u);
	return u ? i + 1 : 0;
}

static int line_fail(const struct line_ctx *c, const char *what)
{
	return err_fail(GT_EFORMAT, "%s: Go build info: module info line %d: %s", c->name,
			c->lineno, what);
}

/* A copy of one field; "" stays "" unless null_if_empty. */
static int dup_field(const struct line_ctx *c, const char *s, size_t len, bool null_if_empty,
		     char **out)
{
	if (!len && null_if_empty) {
		*out = NULL;
		return 0;
	}
	*out = go_strdup_exact(s, len);
	if (*out)
		return 0;
	return errno == ENOMEM ? -ENOMEM : line_fail(c, "field contains a NUL byte");
}

/* Splits on tabs; returns the number of columns, MAX_COLS + 1 meaning "too many". */
static int split_tabs(const char *s, size_t len, const char **col, size_t *clen)
{
	int n = 0;

	for (;;) {
		const char *tab = memchr(s, '\t', len);
		size_t l = tab ? (size_t)(tab - s) : len;

		if (n == MAX_COLS)
			return MAX_COLS + 1;
		col[n] = s;
		clen[n++] = l;
		if (!tab)
			return n;
		s += l + 1;
		len -= l + 1;
	}
}

void go_module__clear(struct go_module *m)
{
	free(m->path);
	free(m->version);
	free(m->sum);
	free(m->replace_path);
	free(m->replace_version);
	free(m->replace_sum);
	memset(m, 0, sizeof(*m));
}

/* "path<TAB>version[<TAB>sum]" of a mod or dep line. */
static int read_module(const struct line_ctx *c, const char *s, size_t len, struct go_module *m)
{
	const char *col[MAX_COLS];
	size_t clen[MAX_COLS];
	int n = split_tabs(s, len, col, clen), err;

	if (n != 2 && n != 3)
		return line_fail(c, "expected 2 or 3 columns");
	go_module__clear(m);
	err = dup_field(c, col[0], clen[0], false, &m->path);
	if (!err)
		err = dup_field(c, col[1], clen[1], false, &m->version);
	if (!err && n == 3)
		err = dup_field(c, col[2], clen[2], true, &m->sum);
	return err;
}

static int on_dep(struct line_ctx *c, const char *s, size_t len)
{
	struct go_buildinfo *bi = c->bi;
	struct go_module *deps;

	if (bi->ndeps >= MAX_DEPS)
		return line_fail(c, "too many dependencies");
	/* Grows by powers of two: ndeps is the capacity whenever it is one. */
	if (!(bi->ndeps & (bi->ndeps - 1))) {
		deps = realloc(bi->deps, (bi->ndeps ? 2 * bi->ndeps : 1) * sizeof(*deps));
		if (!deps)
			return -ENOMEM;
		bi->deps = deps;
	}
	memset(&bi->deps[bi->ndeps], 0, sizeof(*bi->deps));
	c->last = bi->ndeps++;
	return read_module(c, s, len, &bi->deps[c->last]);
}

/* "=>" names the replacement of the module on the line just above. */
static int on_replace(struct line_ctx *c, const char *s, size_t len)
{
	const char *col[MAX_COLS];
	size_t clen[MAX_COLS];
	struct go_module *m;
	int err;

	if (split_tabs(s, len, col, clen) != 3)
		return line_fail(c, "expected 3 columns for replacement");
	if (c->last == -1)
		return line_fail(c, "replacement with no module on the line above");
	m = c->last == -2 ? &c->bi->main : &c->bi->deps[c->last];
	c->last = -1;
	err = dup_field(c, col[0], clen[0], false, &m->replace_path);
	if (!err)
		err = dup_field(c, col[1], clen[1], false, &m->replace_version);
	if (!err)
		err = dup_field(c, col[2], clen[2], true, &m->replace_sum);
	return err;
}

/* Go's quoteKey/quoteValue: what must have been quoted had it appeared. */
static bool needs_quote(const char *s, size_t len, bool key)
{
	size_t i;

	if (key && !len)
		return true;
	for (i = 0; i < len; i++)
		if (strchr(key ? "= \t\r\n\"`" : " \t\r\n\"`", s[i]) && s[i])
			return true;
	return false;
}

static int unquote_field(const struct line_ctx *c, const char *s, size_t len, char **out,
			 const char *what)
{
	*out = go_unquote(s, len);
	if (*out)
		return 0;
	return errno == ENOMEM ? -ENOMEM : line_fail(c, what);
}

/* The key of "build<TAB>key=value": quoted or up to '='; *rest is the raw value. */
static int read_key(const struct line_ctx *c, const char *s, size_t len, char **key,
		    const char **rest)
{
	const char *eq;
	size_t q;

	if (!len)
		return line_fail(c, "build line missing '='");
	if (s[0] == '=')
		return line_fail(c, "build line with missing key");
	if (s[0] == '"' || s[0] == '`') {
		q = go_quoted_prefix(s, len);
		if (!q)
			return line_fail(c, "invalid quoted key in build line");
		if (q == len || s[q] != '=')
			return line_fail(c, "build line missing '=' after quoted key");
		*rest = s + q + 1;
		return unquote_field(c, s, q, key, "invalid quoted key in build line");
	}
	eq = memchr(s, '=', len);
	if (!eq)
		return line_fail(c, "build line missing '=' after key");
	if (needs_quote(s, eq - s, true))
		return line_fail(c, "unquoted key must be quoted");
	*rest = eq + 1;
	return dup_field(c, s, eq - s, false, key);
}

static int read_value(const struct line_ctx *c, const char *s, size_t len, char **value)
{
	if (len && (s[0] == '"' || s[0] == '`'))
		return unquote_field(c, s, len, value, "invalid quoted value in build line");
	if (needs_quote(s, len, false))
		return line_fail(c, "unquoted value must be quoted");
	return dup_field(c, s, len, false, value);
}

static int on_build(struct line_ctx *c, const char *s, size_t len)
{
	struct go_buildinfo *bi = c->bi;
	struct go_build_setting set = {0}, *v;
	const char *rest = NULL;
	int err;

	if (bi->nsettings >= MAX_SETTINGS)
		return line_fail(c, "too many build settings");
	err = read_key(c, s, len, &set.key, &rest);
	if (!err)
		err = read_value(c, rest, s + len - rest, &set.value);
	if (!err && !(bi->nsettings & (bi->nsettings - 1))) {
		v = realloc(bi->settings, (bi->nsettings ? 2 * bi->nsettings : 1) * sizeof(*v));
		if (v)
			bi->settings = v;
		else
			err = -ENOMEM;
	}
	if (err) {
		free(set.key);
		free(set.value);
		return err;
	}
	bi->settings[bi->nsettings++] = set;
	return 0;
}

static bool cut_prefix(const char **s, size_t *len, const char *prefix)
{
	size_t n = strlen(prefix);

	if (*len < n || memcmp(*s, prefix, n))
		return false;
	*s += n;
	*len -= n;
	return true;
}

static int parse_line(struct line_ctx *c, const char *s, size_t len)
{
	if (cut_prefix(&s, &len, "path\t")) {
		free(c->bi->path);
		return dup_field(c, s, len, false, &c->bi->path);
	}
	if (cut_prefix(&s, &len, "mod\t")) {
		c->last = -2;
		return read_module(c, s, len, &c->bi->main);
	}
	if (cut_prefix(&s, &len, "dep\t"))
		return on_dep(c, s, len);
	if (cut_prefix(&s, &len, "=>\t"))
		return on_replace(c, s, len);
	if (cut_prefix(&s, &len, "build\t"))
		return on_build(c, s, len);
	return 0; /* unknown line: a newer toolchain's, skipped as Go skips it */
}

int go_modinfo__parse(const char *name, const char *text, size_t len, struct go_buildinfo *bi)
{
	struct line_ctx c = {.name = name, .lineno = 1, .bi = bi, .last = -1};
	const char *nl;
	int err;

	while (len && (nl = memchr(text, '\n', len))) {
		err = parse_line(&c, text, nl - text);
		if (err)
			return err;
		len -= nl - text + 1;
		text = nl + 1;
		c.lineno++;
	}
	return 0;
}
