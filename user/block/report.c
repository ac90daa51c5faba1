// SPDX-License-Identifier: GPL-2.0
/* One report: sites with this window's deltas and totals, counters, stuck goroutines. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/signals.h"
#include "block/block.h"

struct collect {
	struct block_session *s;
	struct block_report *r;
	size_t cap;
	int err;
};

static const struct block_site_stats *prev_total(const struct block_session *s,
						 const struct block_site_key *k)
{
	size_t i;

	for (i = 0; i < s->nprev; i++)
		if (!memcmp(&s->prev[i].key, k, sizeof(*k)))
			return &s->prev[i].total;
	return NULL;
}

static void delta(struct block_site_stats *d, const struct block_site_stats *now,
		  const struct block_site_stats *before)
{
	int b;

	*d = *now;
	if (!before)
		return;
	d->count -= before->count;
	d->total_ns -= before->total_ns;
	d->sched_count -= before->sched_count;
	d->sched_total_ns -= before->sched_total_ns;
	for (b = 0; b < BLOCK_HIST_BUCKETS; b++)
		d->hist[b] -= before->hist[b];
	if (!d->count)
		d->max_ns = 0;
}

static int on_site(const struct block_site_key *k, const struct block_site_stats *st, void *ctx)
{
	struct collect *c = ctx;
	struct block_row *row;
	char buf[32];

	if (c->r->nrows == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct block_row *v = realloc(c->r->rows, cap * sizeof(*v));

		if (!v)
			return c->err = -ENOMEM;
		c->r->rows = v;
		c->cap = cap;
	}
	row = &c->r->rows[c->r->nrows++];
	memset(row, 0, sizeof(*row));
	row->key = *k;
	row->total = *st;
	delta(&row->stats, st, prev_total(c->s, k));
	snprintf(row->reason, sizeof(row->reason), "%s",
		 block_target__reason(&c->s->target, k->reason, buf, sizeof(buf)));
	row->stack = block_stacks__get(c->s->stacks, c->s->tracer, k);
	return 0;
}

static int by_window_time(const void *a, const void *b)
{
	const struct block_row *x = a, *y = b;

	if (x->stats.total_ns != y->stats.total_ns)
		return x->stats.total_ns < y->stats.total_ns ? 1 : -1;
	if (x->total.total_ns != y->total.total_ns)
		return x->total.total_ns < y->total.total_ns ? 1 : -1;
	return 0;
}

int block_session__report(struct block_session *s, struct block_report_full *out)
{
	struct collect c = {.s = s, .r = &out->r};
	uint64_t now = mono_ns();
	int err;

	memset(out, 0, sizeof(*out));
	out->r.window_ns = now - (s->last_report_ns ? s->last_report_ns : s->start_ns);
	out->r.elapsed_ns = now - s->start_ns;
	err = block_tracer__counters(s->tracer, out->r.counters);
	if (!err)
		err = block_tracer__sched_all(s->tracer, &out->r.sched);
	if (!err)
		err = block_tracer__each_site(s->tracer, on_site, &c);
	if (!err)
		err = c.err;
	if (!err)
		err = block_stuck__collect(s, out);
	if (err) {
		block_report_full__clear(out);
		return err;
	}
	qsort(out->r.rows, out->r.nrows, sizeof(out->r.rows[0]), by_window_time);
	return 0;
}

int block_session__advance(struct block_session *s, const struct block_report_full *r)
{
	struct block_prev *p = realloc(s->prev, (r->r.nrows ? r->r.nrows : 1) * sizeof(*p));
	struct block_stuck *st;
	size_t i;

	if (!p)
		return -ENOMEM;
	s->prev = p;
	for (i = 0; i < r->r.nrows; i++)
		s->prev[i] = (struct block_prev){r->r.rows[i].key, r->r.rows[i].total};
	s->nprev = r->r.nrows;
	st = realloc(s->prev_stuck, (r->nstuck ? r->nstuck : 1) * sizeof(*st));
	if (!st)
		return -ENOMEM;
	s->prev_stuck = st;
	memcpy(st, r->stuck, r->nstuck * sizeof(*st));
	s->nprev_stuck = r->nstuck;
	s->last_report_ns = mono_ns();
	return 0;
}

void block_report_full__clear(struct block_report_full *r)
{
	free(r->r.rows);
	free(r->stuck);
	memset(r, 0, sizeof(*r));
}

int block_session__start(struct block_session *s, pid_t pid, uint64_t min_block_ns,
			 uint64_t stuck_min_ns, const char *host_root)
{
	int err;

	err = block_target__open(pid, &s->target);
	if (!err && identity__from_pid(pid, host_root, &s->id))
		s->id.pid = pid;
	identity__subject(&s->id, s->subject, sizeof(s->subject));
	if (!err)
		err = block_tracer__open(pid, min_block_ns,
					 s->target.parks_at_park_m ? &s->target.park_layout : NULL,
					 &s->tracer);
	if (!err)
		err = block_stacks__open(pid, &s->stacks);
	if (!err)
		err = block_tracer__attach(s->tracer, s->target.probes, s->target.nprobes);
	if (!err)
		err = block_pre__attach(s); /* after attach: nothing falls between the two */
	s->start_ns = mono_ns();
	s->stuck_min_ns = stuck_min_ns;
	return err;
}

void block_session__close(struct block_session *s)
{
	block_pre__free(s);
	block_tracer__free(s->tracer);
	block_stacks__free(s->stacks);
	block_target__close(&s->target);
	free(s->prev);
	free(s->prev_stuck);
	memset(s, 0, sizeof(*s));
}
