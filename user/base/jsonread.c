// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/jsonread.h"

struct jp {
	const char *s;
	size_t len, pos;
	int depth;
};

static int jp_fail(struct jp *p, const char *what)
{
	return err_fail(GT_EFORMAT, "JSON: %s at byte %zu", what, p->pos);
}

static void skip_ws(struct jp *p)
{
	while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
				   p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
		p->pos++;
}

static bool lit(struct jp *p, const char *word)
{
	size_t n = strlen(word);

	if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n))
		return false;
	p->pos += n;
	return true;
}

static int hex4(struct jp *p, unsigned *out)
{
	unsigned v = 0;
	int i;

	if (p->len - p->pos < 4)
		return jp_fail(p, "short \\u escape");
	for (i = 0; i < 4; i++) {
		char c = p->s[p->pos++];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return jp_fail(p, "bad \\u escape");
	}
	*out = v;
	return 0;
}

static size_t put_utf8(char *d, unsigned cp)
{
	if (cp < 0x80) {
		d[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		d[0] = (char)(0xc0 | cp >> 6);
		d[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		d[0] = (char)(0xe0 | cp >> 12);
		d[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		d[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	d[0] = (char)(0xf0 | cp >> 18);
	d[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	d[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	d[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* \uXXXX, joining a surrogate pair; a lone surrogate becomes U+FFFD. */
static int unicode_escape(struct jp *p, unsigned *cp)
{
	unsigned lo;
	int err = hex4(p, cp);

	if (err)
		return err;
	if (*cp >= 0xdc00 && *cp <= 0xdfff) {
		*cp = 0xfffd;
	} else if (*cp >= 0xd800 && *cp <= 0xdbff) {
		if (p->len - p->pos >= 6 && p->s[p->pos] == '\\' && p->s[p->pos + 1] == 'u') {
			size_t save = p->pos;

			p->pos += 2;
			err = hex4(p, &lo);
			if (err)
				return err;
			if (lo >= 0xdc00 && lo <= 0xdfff) {
				*cp = 0x10000 + ((*cp - 0xd800) << 10) + (lo - 0xdc00);
				return 0;
			}
			p->pos = save;
		}
		*cp = 0xfffd;
	}
	return 0;
}

static int escape(struct jp *p, char *d, size_t *n)
{
	unsigned cp;
	char c;
	int err;

	if (p->pos >= p->len)
		return jp_fail(p, "unterminated escape");
	c = p->s[p->pos++];
	switch (c) {
	case '"':
	case '\\':
	case '/':
		d[(*n)++] = c;
		return 0;
	case 'b':
		d[(*n)++] = '\b';
		return 0;
	case 'f':
		d[(*n)++] = '\f';
		return 0;
	case 'n':
		d[(*n)++] = '\n';
		return 0;
	case 'r':
		d[(*n)++] = '\r';
		return 0;
	case 't':
		d[(*n)++] = '\t';
		return 0;
	case 'u':
		err = unicode_escape(p, &cp);
		if (err)
			return err;
		*n += put_utf8(d + *n, cp);
		return 0;
	default:
		return jp_fail(p, "bad escape");
	}
}

/* The output is never longer than the input (an escape of k bytes yields at most k). */
static int parse_string(struct jp *p, char **out, size_t *outlen)
{
	size_t start = ++p->pos, n = 0;
	char *d;
	int err;

	while (p->pos < p->len && p->s[p->pos] != '"')
		p->pos += p->s[p->pos] == '\\' && p->pos + 1 < p->len ? 2 : 1;
	if (p->pos >= p->len)
		return jp_fail(p, "unterminated string");
	d = malloc(p->pos - start + 1);
	if (!d)
		return -ENOMEM;
	p->pos = start;
	while (p->s[p->pos] != '"') {
		unsigned char c = (unsigned char)p->s[p->pos];

		if (c < 0x20) {
			free(d);
			return jp_fail(p, "control character in string");
		}
		p->pos++;
		if (c != '\\') {
			d[n++] = (char)c;
			continue;
		}
		err = escape(p, d, &n);
		if (err) {
			free(d);
			return err;
		}
	}
	p->pos++;
	d[n] = '\0';
	*out = d;
	*outlen = n;
	return 0;
}

static int parse_number(struct jp *p, struct jv *v)
{
	size_t start = p->pos;
	char buf[64], *end;

	if (p->pos < p->len && p->s[p->pos] == '-')
		p->pos++;
	if (p->pos >= p->len || p->s[p->pos] < '0' || p->s[p->pos] > '9')
		return jp_fail(p, "bad number");
	if (p->s[p->pos] == '0' && p->pos + 1 < p->len && p->s[p->pos + 1] >= '0' &&
	    p->s[p->pos + 1] <= '9')
		return jp_fail(p, "leading zero");
	while (p->pos < p->len && strchr("0123456789.eE+-", p->s[p->pos]))
		p->pos++;
	if (p->pos - start >= sizeof(buf))
		return jp_fail(p, "number too long");
	memcpy(buf, p->s + start, p->pos - start);
	buf[p->pos - start] = '\0';
	v->type = JV_NUMBER;
	errno = 0;
	v->num = strtod(buf, &end);
	if (*end || !isfinite(v->num))
		return jp_fail(p, "bad number");
	if (!strpbrk(buf, ".eE")) {
		long long i = strtoll(buf, &end, 10);

		v->is_int = errno == 0 && !*end;
		v->i = i;
	}
	return 0;
}

static int parse_value(struct jp *p, struct jv *v);

static int append(struct jv *v, struct jv *item, char *key)
{
	struct jv *items = realloc(v->items, (v->n + 1) * sizeof(*items));

	if (!items)
		return -ENOMEM;
	v->items = items;
	if (v->type == JV_OBJECT) {
		char **keys = realloc(v->keys, (v->n + 1) * sizeof(*keys));

		if (!keys)
			return -ENOMEM;
		v->keys = keys;
		v->keys[v->n] = key;
	}
	v->items[v->n++] = *item;
	return 0;
}

/* Arrays and objects: [v, v] and {"k": v, "k": v}. */
static int parse_container(struct jp *p, struct jv *v, char close)
{
	int err;

	v->type = close == ']' ? JV_ARRAY : JV_OBJECT;
	if (++p->depth > JV_MAX_DEPTH)
		return jp_fail(p, "nested too deep");
	p->pos++;
	skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == close) {
		p->pos++;
		p->depth--;
		return 0;
	}
	for (;;) {
		struct jv item = {0};
		char *key = NULL;
		size_t klen;

		skip_ws(p);
		if (v->type == JV_OBJECT) {
			if (p->pos >= p->len || p->s[p->pos] != '"')
				return jp_fail(p, "expected a key");
			err = parse_string(p, &key, &klen);
			if (err)
				return err;
			skip_ws(p);
			if (p->pos >= p->len || p->s[p->pos] != ':') {
				free(key);
				return jp_fail(p, "expected ':'");
			}
			p->pos++;
		}
		err = parse_value(p, &item);
		if (!err)
			err = append(v, &item, key);
		if (err) {
			jv_free(&item);
			free(key);
			return err;
		}
		skip_ws(p);
		if (p->pos < p->len && p->s[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->pos < p->len && p->s[p->pos] == close) {
			p->pos++;
			p->depth--;
			return 0;
		}
		return jp_fail(p, "expected ',' or the end of the container");
	}
}

static int parse_value(struct jp *p, struct jv *v)
{
	memset(v, 0, sizeof(*v));
	skip_ws(p);
	if (p->pos >= p->len)
		return jp_fail(p, "unexpected end");
	switch (p->s[p->pos]) {
	case '{':
		return parse_container(p, v, '}');
	case '[':
		return parse_container(p, v, ']');
	case '"':
		v->type = JV_STRING;
		return parse_string(p, &v->s, &v->slen);
	case 't':
	case 'f':
		v->type = JV_BOOL;
		v->b = p->s[p->pos] == 't';
		return lit(p, v->b ? "true" : "false") ? 0 : jp_fail(p, "bad literal");
	case 'n':
		v->type = JV_NULL;
		return lit(p, "null") ? 0 : jp_fail(p, "bad literal");
	default:
		return parse_number(p, v);
	}
}

int jv_parse(const char *text, size_t len, struct jv *out)
{
	struct jp p = {.s = text, .len = len};
	int err = parse_value(&p, out);

	if (!err) {
		skip_ws(&p);
		if (p.pos != p.len)
			err = jp_fail(&p, "trailing characters");
	}
	if (err)
		jv_free(out);
	return err;
}

void jv_free(struct jv *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->n; i++) {
		jv_free(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->s);
	memset(v, 0, sizeof(*v));
}

const struct jv *jv_get(const struct jv *obj, const char *key)
{
	size_t i;

	if (!obj || obj->type != JV_OBJECT)
		return NULL;
	for (i = 0; i < obj->n; i++)
		if (!strcmp(obj->keys[i], key))
			return &obj->items[i];
	return NULL;
}
