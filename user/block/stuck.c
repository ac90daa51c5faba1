// SPDX-License-Identifier: GPL-2.0
/*
 * Goroutines still parked at report time, grouped by site: a count that
 * keeps growing at one site is a leak; a net/http handler parked on a lock
 * is a liveness-probe failure waiting to happen. Only parks the probes saw
 * start are here (goroutines parked before attach need a memory snapshot).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/signals.h"
#include "block/block.h"

struct stuck_ctx {
	struct block_session *s;
	struct block_report_full *out;
	size_t cap;
	uint64_t now;
	int err;
};

static struct block_stuck *group_for(struct stuck_ctx *c, const struct block_site_key *k)
{
	struct block_stuck *v;
	size_t i;

	for (i = 0; i < c->out->nstuck; i++)
		if (!memcmp(&c->out->stuck[i].key, k, sizeof(*k)))
			return &c->out->stuck[i];
	if (c->out->nstuck == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 32;

		v = realloc(c->out->stuck, cap * sizeof(*v));
		if (!v)
			return NULL;
		c->out->stuck = v;
		c->cap = cap;
	}
	v = &c->out->stuck[c->out->nstuck++];
	memset(v, 0, sizeof(*v));
	v->key = *k;
	return v;
}

static int on_park(uint64_t g, const struct block_park *p, void *ctx)
{
	struct stuck_ctx *c = ctx;
	struct block_stuck *grp;
	uint64_t age;

	if (!p->confirmed || p->start_ns > c->now)
		return 0;
	age = c->now - p->start_ns;
	if (age < c->s->stuck_min_ns)
		return 0;
	grp = group_for(c, &p->site);
	if (!grp)
		return c->err = -ENOMEM;
	grp->count++;
	if (age > grp->oldest_ns)
		grp->oldest_ns = age;
	return 0;
}

static double growth(const struct block_session *s, const struct block_stuck *g, uint64_t window)
{
	size_t i;
	double before = 0;

	for (i = 0; i < s->nprev_stuck; i++)
		if (!memcmp(&s->prev_stuck[i].key, &g->key, sizeof(g->key)))
			before = (double)s->prev_stuck[i].count;
	return window ? ((double)g->count - before) / ((double)window / 1e9) : 0;
}

static int by_count(const void *a, const void *b)
{
	const struct block_stuck *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return x->oldest_ns < y->oldest_ns ? 1 : (x->oldest_ns > y->oldest_ns ? -1 : 0);
}

int block_stuck__collect(struct block_session *s, struct block_report_full *out)
{
	struct stuck_ctx c = {.s = s, .out = out, .now = mono_ns()};
	char buf[32];
	size_t i;
	int err;

	/* Detached (sampled mode): wakes are not seen now, so the map proves nothing. */
	if (!block_tracer__attached(s->tracer))
		return 0;
	err = block_tracer__each_park(s->tracer, on_park, &c);
	if (!err)
		err = c.err;
	if (err)
		return err;
	for (i = 0; i < out->nstuck; i++) {
		struct block_stuck *g = &out->stuck[i];

		snprintf(g->reason, sizeof(g->reason), "%s",
			 block_target__reason(&s->target, g->key.reason, buf, sizeof(buf)));
		g->stack = block_stacks__get(s->stacks, s->tracer, &g->key);
		g->growth_per_s =
			s->nprev_stuck || s->last_report_ns ? growth(s, g, out->r.window_ns) : 0;
	}
	qsort(out->stuck, out->nstuck, sizeof(out->stuck[0]), by_count);
	return 0;
}
