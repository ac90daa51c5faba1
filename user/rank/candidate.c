// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rank/candidate.h"

struct candidate *cand_list__add(struct cand_list *l, const char *rule, const char *subject)
{
	struct candidate *c;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct candidate *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		l->v = v;
		l->cap = cap;
	}
	c = &l->v[l->n++];
	memset(c, 0, sizeof(*c));
	snprintf(c->rule, sizeof(c->rule), "%s", rule);
	snprintf(c->subject, sizeof(c->subject), "%s", subject ? subject : "");
	snprintf(c->display, sizeof(c->display), "%s", subject ? subject : "");
	return c;
}

void cand_free_lines(struct candidate *c)
{
	size_t i;

	for (i = 0; i < c->nevidence; i++)
		free(c->evidence[i]);
	for (i = 0; i < c->nbasis; i++)
		free(c->basis[i]);
	c->nevidence = c->nbasis = 0;
}

void cand_list__clear(struct cand_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		cand_free_lines(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static void __attribute__((format(printf, 3, 0)))
vset(char *dst, size_t n, const char *fmt, va_list ap)
{
	vsnprintf(dst, n, fmt, ap);
}

void cand_cause(struct candidate *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(c->cause, sizeof(c->cause), fmt, ap);
	va_end(ap);
}

void cand_fix(struct candidate *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(c->fix, sizeof(c->fix), fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 3, 0)))
add_line(char **lines, size_t *n, const char *fmt, va_list ap)
{
	char *s;

	if (*n >= CAND_MAX_LINES || vasprintf(&s, fmt, ap) < 0)
		return;
	lines[(*n)++] = s;
}

void cand_evidence(struct candidate *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_line(c->evidence, &c->nevidence, fmt, ap);
	va_end(ap);
}

void cand_basis(struct candidate *c, int points, const char *fmt, ...)
{
	char line[400];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(line), "%+d ", points);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	if (c->nbasis < CAND_MAX_LINES)
		c->basis[c->nbasis++] = strdup(line);
	c->score += points;
	if (c->score > 100)
		c->score = 100;
	if (c->score < 0)
		c->score = 0;
}

void cand_seen(struct candidate *c, uint64_t time_ns)
{
	if (!c->first_seen_ns || time_ns < c->first_seen_ns)
		c->first_seen_ns = time_ns;
	if (time_ns > c->last_seen_ns)
		c->last_seen_ns = time_ns;
	c->count++;
}

const char *severity_name(enum severity s)
{
	switch (s) {
	case SEV_CRITICAL:
		return "critical";
	case SEV_WARNING:
		return "warning";
	default:
		return "info";
	}
}

static bool has_line(char **lines, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(lines[i], s))
			return true;
	return false;
}

/* Folds b into a: a keeps its cause and fix (a scored higher), gains b's evidence. */
static void merge_into(struct candidate *a, struct candidate *b)
{
	size_t i, len = strlen(a->merged_rules);

	for (i = 0; i < b->nevidence; i++) {
		if (a->nevidence < CAND_MAX_LINES &&
		    !has_line(a->evidence, a->nevidence, b->evidence[i]))
			a->evidence[a->nevidence++] = b->evidence[i];
		else
			free(b->evidence[i]);
	}
	for (i = 0; i < b->nbasis; i++) {
		if (a->nbasis < CAND_MAX_LINES)
			a->basis[a->nbasis++] = b->basis[i];
		else
			free(b->basis[i]);
	}
	b->nevidence = b->nbasis = 0;
	snprintf(a->merged_rules + len, sizeof(a->merged_rules) - len, "%s%s", len ? "," : "",
		 b->rule);
	/* Two independent rules agreeing makes the explanation stronger. */
	a->score = a->score + 10 > 100 ? 100 : a->score + 10;
	if (b->severity > a->severity)
		a->severity = b->severity;
	if (b->first_seen_ns && (!a->first_seen_ns || b->first_seen_ns < a->first_seen_ns))
		a->first_seen_ns = b->first_seen_ns;
	if (b->last_seen_ns > a->last_seen_ns)
		a->last_seen_ns = b->last_seen_ns;
}

static int by_rank(const void *x, const void *y)
{
	const struct candidate *a = x, *b = y;

	if (a->score != b->score)
		return b->score - a->score;
	if (a->last_seen_ns != b->last_seen_ns)
		return a->last_seen_ns < b->last_seen_ns ? 1 : -1;
	return strcmp(a->rule, b->rule);
}

void cand_list__finish(struct cand_list *l)
{
	size_t i, j, out = 0;

	if (!l->n) /* l->v may be NULL: qsort's argument must not be */
		return;
	qsort(l->v, l->n, sizeof(l->v[0]), by_rank);
	for (i = 0; i < l->n; i++) {
		struct candidate *c = &l->v[i];
		bool merged = false;

		for (j = 0; j < out && c->merge_key[0]; j++) {
			if (!strcmp(l->v[j].merge_key, c->merge_key) &&
			    !strcmp(l->v[j].subject, c->subject)) {
				merge_into(&l->v[j], c);
				merged = true;
				break;
			}
		}
		if (!merged)
			l->v[out++] = *c;
	}
	l->n = out;
	qsort(l->v, l->n, sizeof(l->v[0]), by_rank);
}
