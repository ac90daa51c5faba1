// SPDX-License-Identifier: GPL-2.0
/* A hash table of (state, stack, creator) → group. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "goroutines/group.h"

struct go_groups {
	struct go_group **slots; /* open addressing, power-of-two size */
	size_t nslots, n;
	struct go_group **sorted;
};

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return h;
}

static uint64_t hash_of(const struct go_goroutine *g)
{
	uint64_t h = mix(g->status, g->stack);
	const char *s;
	uint32_t i;

	for (s = g->state; *s; s++)
		h = mix(h, (unsigned char)*s);
	for (i = 0; i < g->npcs; i++)
		h = mix(h, g->pcs[i].pc);
	return mix(h, g->gopc);
}

static bool same(const struct go_group *gr, const struct go_goroutine *g)
{
	uint32_t i;

	if (gr->status != g->status || gr->stack != g->stack || gr->npcs != g->npcs ||
	    gr->gopc != g->gopc || strcmp(gr->state, g->state))
		return false;
	for (i = 0; i < g->npcs; i++)
		if (gr->pcs[i].pc != g->pcs[i].pc)
			return false;
	return true;
}

int go_groups__new(struct go_groups **out)
{
	struct go_groups *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->nslots = 64;
	t->slots = calloc(t->nslots, sizeof(*t->slots));
	if (!t->slots) {
		free(t);
		return -ENOMEM;
	}
	*out = t;
	return 0;
}

static void group_free(struct go_group *gr)
{
	if (!gr)
		return;
	free(gr->pcs);
	free(gr->goids);
	free(gr);
}

void go_groups__free(struct go_groups *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->nslots; i++)
		group_free(t->slots[i]);
	free(t->slots);
	free(t->sorted);
	free(t);
}

static int grow(struct go_groups *t)
{
	size_t n = t->nslots * 2, i, j;
	struct go_group **slots = calloc(n, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (i = 0; i < t->nslots; i++) {
		struct go_group *gr = t->slots[i];

		if (!gr)
			continue;
		for (j = hash_of(&gr->rep) & (n - 1); slots[j]; j = (j + 1) & (n - 1))
			;
		slots[j] = gr;
	}
	free(t->slots);
	t->slots = slots;
	t->nslots = n;
	return 0;
}

static struct go_group *new_group(const struct go_goroutine *g)
{
	struct go_group *gr = calloc(1, sizeof(*gr));

	if (!gr)
		return NULL;
	gr->pcs = malloc((g->npcs ? g->npcs : 1) * sizeof(*gr->pcs));
	gr->goids = malloc(GO_GROUP_MAX_IDS * sizeof(*gr->goids));
	if (!gr->pcs || !gr->goids) {
		group_free(gr);
		return NULL;
	}
	if (g->npcs)
		memcpy(gr->pcs, g->pcs, g->npcs * sizeof(*gr->pcs));
	gr->state = g->state;
	gr->status = g->status;
	gr->stack = g->stack;
	gr->gopc = g->gopc;
	gr->parent_goid = g->parent_goid;
	gr->npcs = g->npcs;
	gr->max_wait_ns = -1;
	gr->rep = *g;
	gr->rep.pcs = gr->pcs;
	return gr;
}

int go_groups__add(struct go_groups *t, const struct go_goroutine *g)
{
	struct go_group *gr;
	size_t j;
	int err;

	if (2 * (t->n + 1) > t->nslots && (err = grow(t)))
		return err;
	for (j = hash_of(g) & (t->nslots - 1); t->slots[j]; j = (j + 1) & (t->nslots - 1))
		if (same(t->slots[j], g))
			break;
	gr = t->slots[j];
	if (!gr) {
		gr = t->slots[j] = new_group(g);
		if (!gr)
			return -ENOMEM;
		t->n++;
	}
	gr->count++;
	if (g->wait_ns > gr->max_wait_ns)
		gr->max_wait_ns = g->wait_ns;
	if (gr->ngoids < GO_GROUP_MAX_IDS)
		gr->goids[gr->ngoids++] = g->goid;
	return 0;
}

static int by_count(const void *a, const void *b)
{
	const struct go_group *x = *(struct go_group *const *)a, *y = *(struct go_group *const *)b;
	int c;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	c = strcmp(x->state, y->state);
	if (c)
		return c;
	return x->rep.goid < y->rep.goid ? -1 : x->rep.goid > y->rep.goid;
}

size_t go_groups__sorted(struct go_groups *t, struct go_group ***out)
{
	struct go_group **v = realloc(t->sorted, (t->n ? t->n : 1) * sizeof(*v));
	size_t i, k = 0;

	if (!v) {
		*out = NULL;
		return 0;
	}
	t->sorted = v;
	for (i = 0; i < t->nslots; i++)
		if (t->slots[i])
			v[k++] = t->slots[i];
	qsort(v, k, sizeof(*v), by_count);
	*out = v;
	return k;
}
