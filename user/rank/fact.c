// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/jsonread.h"
#include "rank/fact.h"

#define FACT_MAX_ATTRS 96 /* an oom_kill of a Go victim with its heap state sets ~70 */

struct fact *fact_new(const char *kind, const char *subject, uint64_t time_ns)
{
	struct fact *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->kind = strdup(kind);
	f->subject = strdup(subject ? subject : "");
	f->time_ns = time_ns;
	if (!f->kind || !f->subject) {
		fact_free(f);
		return NULL;
	}
	return f;
}

static void attr_clear(struct fact_attr *a)
{
	if (a->type == ATTR_STR)
		free(a->s);
	a->s = NULL;
}

void fact_free(struct fact *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->nattrs; i++) {
		attr_clear(&f->attrs[i]);
		free(f->attrs[i].key);
	}
	free(f->attrs);
	free(f->kind);
	free(f->subject);
	free(f);
}

const struct fact_attr *fact_attr(const struct fact *f, const char *key)
{
	size_t i;

	for (i = 0; i < f->nattrs; i++)
		if (!strcmp(f->attrs[i].key, key))
			return &f->attrs[i];
	return NULL;
}

/* The slot for key: the existing one (cleared) or a new one. */
static struct fact_attr *attr_slot(struct fact *f, const char *key)
{
	struct fact_attr *a = (struct fact_attr *)fact_attr(f, key), *v;

	if (a) {
		attr_clear(a);
		return a;
	}
	if (f->nattrs >= FACT_MAX_ATTRS)
		return NULL;
	v = realloc(f->attrs, (f->nattrs + 1) * sizeof(*v));
	if (!v)
		return NULL;
	f->attrs = v;
	a = &f->attrs[f->nattrs];
	memset(a, 0, sizeof(*a));
	a->key = strdup(key);
	if (!a->key)
		return NULL;
	f->nattrs++;
	return a;
}

int fact_set_str(struct fact *f, const char *key, const char *val)
{
	struct fact_attr *a = attr_slot(f, key);

	if (!a)
		return -ENOMEM;
	a->type = ATTR_STR;
	a->s = strdup(val ? val : "");
	return a->s ? 0 : -ENOMEM;
}

int fact_set_int(struct fact *f, const char *key, int64_t val)
{
	struct fact_attr *a = attr_slot(f, key);

	if (!a)
		return -ENOMEM;
	a->type = ATTR_INT;
	a->i = val;
	return 0;
}

int fact_set_float(struct fact *f, const char *key, double val)
{
	struct fact_attr *a = attr_slot(f, key);

	if (!a)
		return -ENOMEM;
	a->type = ATTR_FLOAT;
	a->f = val;
	return 0;
}

int fact_set_bool(struct fact *f, const char *key, bool val)
{
	struct fact_attr *a = attr_slot(f, key);

	if (!a)
		return -ENOMEM;
	a->type = ATTR_BOOL;
	a->b = val;
	return 0;
}

const char *fact_str(const struct fact *f, const char *key)
{
	const struct fact_attr *a = fact_attr(f, key);

	return a && a->type == ATTR_STR ? a->s : NULL;
}

int64_t fact_int(const struct fact *f, const char *key, int64_t def)
{
	const struct fact_attr *a = fact_attr(f, key);

	if (!a)
		return def;
	if (a->type == ATTR_INT)
		return a->i;
	if (a->type == ATTR_FLOAT)
		return (int64_t)a->f;
	return def;
}

double fact_float(const struct fact *f, const char *key, double def)
{
	const struct fact_attr *a = fact_attr(f, key);

	if (!a)
		return def;
	if (a->type == ATTR_FLOAT)
		return a->f;
	if (a->type == ATTR_INT)
		return (double)a->i;
	return def;
}

bool fact_bool(const struct fact *f, const char *key, bool def)
{
	const struct fact_attr *a = fact_attr(f, key);

	return a && a->type == ATTR_BOOL ? a->b : def;
}

bool fact_has(const struct fact *f, const char *key)
{
	return fact_attr(f, key) != NULL;
}

void fact_write_json(struct json_writer *w, const char *key, const struct fact *f)
{
	json_obj_begin(w, key);
	fact_write_json_fields(w, f);
	json_obj_end(w);
}

void fact_write_json_fields(struct json_writer *w, const struct fact *f)
{
	size_t i;

	json_str(w, "kind", f->kind);
	json_str(w, "subject", f->subject);
	json_u64(w, "time_ns", f->time_ns);
	json_obj_begin(w, "attrs");
	for (i = 0; i < f->nattrs; i++) {
		const struct fact_attr *a = &f->attrs[i];

		switch (a->type) {
		case ATTR_STR:
			json_str(w, a->key, a->s);
			break;
		case ATTR_INT:
			json_i64(w, a->key, a->i);
			break;
		case ATTR_FLOAT:
			json_f64(w, a->key, a->f);
			break;
		case ATTR_BOOL:
			json_bool(w, a->key, a->b);
			break;
		}
	}
	json_obj_end(w);
}

static int attr_from_jv(struct fact *f, const char *key, const struct jv *v)
{
	switch (v->type) {
	case JV_STRING:
		return fact_set_str(f, key, v->s);
	case JV_BOOL:
		return fact_set_bool(f, key, v->b);
	case JV_NUMBER:
		return v->is_int ? fact_set_int(f, key, v->i) : fact_set_float(f, key, v->num);
	case JV_NULL:
		return 0;
	default:
		return err_fail(GT_EFORMAT, "fact attribute '%s': nested values are not facts",
				key);
	}
}

static int fact_from_jv(const struct jv *doc, struct fact **out)
{
	const struct jv *kind = jv_get(doc, "kind"), *subj = jv_get(doc, "subject");
	const struct jv *t = jv_get(doc, "time_ns"), *attrs = jv_get(doc, "attrs");
	struct fact *f;
	size_t i;
	int err = 0;

	if (!kind || kind->type != JV_STRING || !subj || subj->type != JV_STRING)
		return err_fail(GT_EFORMAT, "a fact needs string \"kind\" and \"subject\"");
	f = fact_new(kind->s, subj->s, t && t->is_int && t->i > 0 ? (uint64_t)t->i : 0);
	if (!f)
		return -ENOMEM;
	for (i = 0; attrs && attrs->type == JV_OBJECT && i < attrs->n && !err; i++)
		err = attr_from_jv(f, attrs->keys[i], &attrs->items[i]);
	if (err) {
		fact_free(f);
		return err;
	}
	*out = f;
	return 0;
}

int fact_read_json(const char *text, size_t len, struct fact **out)
{
	struct jv doc;
	int err = jv_parse(text, len, &doc);

	if (err)
		return err;
	err = fact_from_jv(&doc, out);
	jv_free(&doc);
	return err;
}

struct fact *fact_clone(const struct fact *src)
{
	struct fact *f = fact_new(src->kind, src->subject, src->time_ns);
	size_t i;
	int err = 0;

	for (i = 0; f && i < src->nattrs && !err; i++) {
		const struct fact_attr *a = &src->attrs[i];

		switch (a->type) {
		case ATTR_STR:
			err = fact_set_str(f, a->key, a->s);
			break;
		case ATTR_INT:
			err = fact_set_int(f, a->key, a->i);
			break;
		case ATTR_FLOAT:
			err = fact_set_float(f, a->key, a->f);
			break;
		case ATTR_BOOL:
			err = fact_set_bool(f, a->key, a->b);
			break;
		}
	}
	if (err) {
		fact_free(f);
		return NULL;
	}
	return f;
}

int fact_store__add(struct fact_store *fs, struct fact *f)
{
	struct fact **v;

	if (fs->n == fs->cap) {
		size_t cap = fs->cap ? fs->cap * 2 : 64;

		v = realloc(fs->v, cap * sizeof(*v));
		if (!v) {
			fact_free(f);
			return -ENOMEM;
		}
		fs->v = v;
		fs->cap = cap;
	}
	f->seq = fs->next_seq++;
	fs->v[fs->n++] = f;
	return 0;
}

const struct fact *fact_store__next(const struct fact_store *fs, size_t *cursor, const char *kind,
				    const char *subject)
{
	while (*cursor < fs->n) {
		const struct fact *f = fs->v[(*cursor)++];

		if ((!kind || !strcmp(f->kind, kind)) && (!subject || !strcmp(f->subject, subject)))
			return f;
	}
	return NULL;
}

const struct fact *fact_store__latest(const struct fact_store *fs, const char *kind,
				      const char *subject)
{
	size_t i = fs->n;

	while (i-- > 0) {
		const struct fact *f = fs->v[i];

		if ((!kind || !strcmp(f->kind, kind)) && (!subject || !strcmp(f->subject, subject)))
			return f;
	}
	return NULL;
}

int fact_store__take(struct fact_store *dst, struct fact_store *src)
{
	size_t i;
	int err = 0;

	for (i = 0; i < src->n; i++)
		if (fact_store__add(dst, src->v[i]) && !err)
			err = -ENOMEM; /* add() freed that one; the rest still move */
	free(src->v);
	memset(src, 0, sizeof(*src));
	return err;
}

void fact_store__clear(struct fact_store *fs)
{
	size_t i;

	for (i = 0; i < fs->n; i++)
		fact_free(fs->v[i]);
	free(fs->v);
	memset(fs, 0, sizeof(*fs));
}

void fact_store__trim(struct fact_store *fs, size_t keep)
{
	size_t i, drop;

	if (fs->n <= keep)
		return;
	drop = fs->n - keep;
	for (i = 0; i < drop; i++)
		fact_free(fs->v[i]);
	memmove(fs->v, fs->v + drop, keep * sizeof(*fs->v));
	fs->n = keep;
}

size_t fact_bytes(const struct fact *f)
{
	const size_t hdr = 16; /* glibc's per-allocation overhead */
	size_t n = sizeof(*f) + strlen(f->kind) + strlen(f->subject) + 2 + 3 * hdr +
		   f->nattrs * sizeof(*f->attrs);

	for (size_t i = 0; i < f->nattrs; i++) {
		n += strlen(f->attrs[i].key) + 1 + hdr;
		if (f->attrs[i].type == ATTR_STR && f->attrs[i].s)
			n += strlen(f->attrs[i].s) + 1 + hdr;
	}
	return n;
}

/* One pass, oldest first: drops facts (those spare() spares excepted) while over budget. */
static size_t drop_oldest(struct fact_store *fs, size_t total, size_t budget,
			  bool (*spare)(const struct fact *f))
{
	size_t i, out = 0;

	for (i = 0; i < fs->n; i++) {
		struct fact *f = fs->v[i];

		if (total > budget && !(spare && spare(f))) {
			total -= fact_bytes(f);
			fact_free(f);
			continue;
		}
		fs->v[out++] = f;
	}
	fs->n = out;
	return total;
}

size_t fact_store__trim_bytes(struct fact_store *fs, size_t budget,
			      bool (*spare)(const struct fact *f))
{
	size_t total = 0;

	for (size_t i = 0; i < fs->n; i++)
		total += fact_bytes(fs->v[i]);
	if (total > budget && spare)
		total = drop_oldest(fs, total, budget, spare);
	if (total > budget)
		total = drop_oldest(fs, total, budget, NULL);
	return total;
}

int fact_store__load_jsonl(struct fact_store *fs, const char *path)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t n;
	int err = 0;

	if (!fp)
		return err_fail(errno, "%s: %s", path, strerror(errno));
	while (!err && (n = getline(&line, &cap, fp)) > 0) {
		struct fact *f;

		lineno++;
		if (n <= 1 || line[0] == '#')
			continue;
		err = fact_read_json(line, (size_t)n, &f);
		if (err) {
			char why[256];

			snprintf(why, sizeof(why), "%s", err_msg());
			err = err_fail(GT_EFORMAT, "%s:%zu: %s", path, lineno, why);
			break;
		}
		err = fact_store__add(fs, f);
	}
	free(line);
	fclose(fp);
	return err;
}
