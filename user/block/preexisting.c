// SPDX-License-Identifier: GPL-2.0
/*
 * Goroutines blocked since before the probes attached: uprobes see only
 * parks that happen after attach, and a stuck service parks nothing new. A
 * goroutine dump read from memory (goroutines/) at attach and again at the
 * end finds them: a goroutine waiting in both dumps, with the same id and
 * reason, was blocked the whole window. Grouped by reason and stack.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/signals.h"
#include "block/block.h"
#include "goroutines/goroutines.h"

int block_pre__attach(struct block_session *s)
{
	int err = go_proc__open(s->target.pid, &s->gp);

	if (!err)
		err = go_proc__snapshot(s->gp, &s->snap0);
	if (err) {
		/* Not fatal: block works without it; say why at the end. */
		snprintf(s->pre_error, sizeof(s->pre_error), "%s", err_msg());
		go_proc__free(s->gp);
		s->gp = NULL;
	}
	return 0;
}

static const struct go_goroutine *find_goid(const struct go_snapshot *snap, uint64_t goid)
{
	size_t i;

	for (i = 0; i < snap->n; i++)
		if (snap->v[i].goid == goid)
			return &snap->v[i];
	return NULL;
}

static bool same_stack(const struct go_goroutine *a, const struct block_pre *p)
{
	uint32_t i;

	if (a->npcs != p->npcs)
		return false;
	for (i = 0; i < a->npcs; i++)
		if (a->pcs[i].pc != p->pcs[i])
			return false;
	return true;
}

static int add_group(struct block_session *s, const struct go_goroutine *g, uint64_t waited)
{
	struct block_pre *p;
	size_t i;

	for (i = 0; i < s->npre; i++) {
		p = &s->pre[i];
		if (p->reason_code == g->waitreason && same_stack(g, p)) {
			p->count++;
			if (waited > p->oldest_ns)
				p->oldest_ns = waited;
			return 0;
		}
	}
	p = realloc(s->pre, (s->npre + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	s->pre = p;
	p = &s->pre[s->npre++];
	memset(p, 0, sizeof(*p));
	p->reason_code = g->waitreason;
	snprintf(p->reason, sizeof(p->reason), "%s", g->state ? g->state : "?");
	p->count = 1;
	p->oldest_ns = waited;
	p->npcs = g->npcs < BLOCK_MAX_FRAMES ? g->npcs : BLOCK_MAX_FRAMES;
	for (i = 0; i < p->npcs; i++)
		p->pcs[i] = g->pcs[i].pc;
	block_stack__from_goroutine(go_proc__symbolizer(s->gp), g, &p->stack);
	return 0;
}

int block_pre__finish(struct block_session *s)
{
	struct go_snapshot *end = NULL;
	size_t i;
	int err;

	if (!s->gp || !s->snap0 || s->pre_done)
		return 0;
	s->pre_done = true;
	err = go_proc__snapshot(s->gp, &end);
	if (err) {
		snprintf(s->pre_error, sizeof(s->pre_error), "%s", err_msg());
		return 0; /* e.g. the target exited: the parks the probes saw still stand */
	}
	for (i = 0; i < end->n && !err; i++) {
		const struct go_goroutine *g = &end->v[i], *g0 = find_goid(s->snap0, g->goid);
		uint64_t waited = end->taken_mono_ns - s->snap0->taken_mono_ns;

		if (g->status != GO_G_WAITING || !g0 || g0->status != GO_G_WAITING ||
		    g0->waitreason != g->waitreason || g0->gaddr != g->gaddr)
			continue;
		if (g->wait_ns > 0 && (uint64_t)g->wait_ns > waited)
			waited = (uint64_t)g->wait_ns;
		err = add_group(s, g, waited);
	}
	go_snapshot__free(end);
	return err;
}

void block_pre__free(struct block_session *s)
{
	go_snapshot__free(s->snap0);
	go_proc__free(s->gp);
	free(s->pre);
	s->snap0 = NULL;
	s->gp = NULL;
	s->pre = NULL;
	s->npre = 0;
}
