// SPDX-License-Identifier: GPL-2.0
/*
 * Stacks of park sites: the kernel-unwound ids plus the caller read at
 * [SP] (block.h), symbolized once per (id, caller) and cached.
 *
 * Frame 0 is the probe address in gopark itself (symbolized as is); every
 * other pc is a return address, symbolized at pc-1 so the line is the one of
 * the call (as the runtime's own traceback does).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "block/block.h"
#include "goroutines/goroutines.h"

#define CACHE_SLOTS 4096

struct cache_ent {
	bool used;
	struct block_site_key key;
	struct block_stack stack;
};

struct block_stacks {
	struct symbolizer *sym;
	struct cache_ent *ents;
	size_t nents, cap;
};

int block_stacks__open(pid_t pid, struct block_stacks **out)
{
	struct block_stacks *bs = calloc(1, sizeof(*bs));
	int err;

	if (!bs)
		return -ENOMEM;
	err = symbolizer__open_pid(pid, &bs->sym);
	if (err) {
		free(bs);
		return err;
	}
	symbolizer__preload(bs->sym);
	*out = bs;
	return 0;
}

void block_stacks__free(struct block_stacks *bs)
{
	if (!bs)
		return;
	symbolizer__free(bs->sym);
	free(bs->ents);
	free(bs);
}

/*
 * Go's convention: standard-library import paths have no dot in their first
 * element; every module path does (example.com/x, github.com/y). Package
 * main is user code too.
 */
bool block_frame_is_user(const struct sym_frame *f)
{
	const char *name = f->func, *slash, *dot;

	if (!name || !strcmp(name, "?"))
		return false;
	if (!strncmp(name, "main.", 5))
		return true;
	slash = strchr(name, '/');
	dot = strchr(name, '.');
	return slash && dot && dot < slash;
}

/* The runtime and internal packages: never where a wait "happens" for a reader. */
static bool is_runtime_internal(const char *fn)
{
	return !fn || !strcmp(fn, "?") || !strncmp(fn, "runtime.", 8) ||
	       !strncmp(fn, "internal/", 9) || !strncmp(fn, "syscall.", 8) ||
	       !strncmp(fn, "sync.", 5) || !strncmp(fn, "time.", 5);
}

static void symbolize_pc(struct block_stacks *bs, struct block_stack *st, uint64_t pc,
			 bool return_address)
{
	struct sym_frame fr[16];
	int n, i;

	n = symbolizer__symbolize(bs->sym, return_address ? pc - 1 : pc, fr, 16);
	if (n <= 0) {
		fr[0] = (struct sym_frame){.func = "?", .module = NULL};
		n = 1;
	}
	if (n > 16)
		n = 16;
	for (i = 0; i < n && st->nframes < BLOCK_MAX_FRAMES; i++) {
		st->pcs[st->nframes] = pc;
		st->frames[st->nframes++] = fr[i];
	}
}

static void build(struct block_stacks *bs, struct block_tracer *tr, const struct block_site_key *k,
		  struct block_stack *st)
{
	uint64_t pcs[BLOCK_STACK_DEPTH];
	int n = block_tracer__stack(tr, k->stack, pcs, BLOCK_STACK_DEPTH), i;

	memset(st, 0, sizeof(*st));
	st->user_frame = st->display_frame = -1;
	if (n > 0)
		symbolize_pc(bs, st, pcs[0], false);
	/* The immediate caller: absent from the kernel's unwind at gopark's entry. */
	if (k->caller && (n < 2 || pcs[1] != k->caller))
		symbolize_pc(bs, st, k->caller, true);
	for (i = 1; i < n; i++)
		symbolize_pc(bs, st, pcs[i], true);
	block_stack__pick_frames(st);
}

void block_stack__pick_frames(struct block_stack *st)
{
	size_t f;

	st->user_frame = st->display_frame = -1;
	for (f = 0; f < st->nframes; f++) {
		if (block_frame_is_user(&st->frames[f])) {
			st->user_frame = (int)f;
			break;
		}
	}
	/* No user code on the stack (a net/http connection goroutine): the first library frame. */
	for (f = 0; st->user_frame < 0 && st->display_frame < 0 && f < st->nframes; f++)
		if (!is_runtime_internal(st->frames[f].func))
			st->display_frame = (int)f;
	/* Only runtime frames (a runtime goroutine): its entry, the frame below goexit. */
	for (f = st->nframes; st->user_frame < 0 && st->display_frame < 0 && f-- > 0;)
		if (strcmp(st->frames[f].func, "runtime.goexit"))
			st->display_frame = (int)f;
	if (st->user_frame >= 0)
		st->display_frame = st->user_frame;
}

const struct block_stack *block_stacks__get(struct block_stacks *bs, struct block_tracer *tr,
					    const struct block_site_key *k)
{
	struct cache_ent *e;
	size_t i;

	for (i = 0; i < bs->nents; i++)
		if (!memcmp(&bs->ents[i].key, k, sizeof(*k)))
			return &bs->ents[i].stack;
	if (bs->nents == bs->cap) {
		size_t cap = bs->cap ? bs->cap * 2 : 64;

		if (cap > CACHE_SLOTS)
			return NULL;
		e = realloc(bs->ents, cap * sizeof(*e));
		if (!e)
			return NULL;
		bs->ents = e;
		bs->cap = cap;
	}
	e = &bs->ents[bs->nents++];
	e->used = true;
	e->key = *k;
	build(bs, tr, k, &e->stack);
	return &e->stack;
}

void block_stack__from_goroutine(struct symbolizer *sym, const struct go_goroutine *g,
				 struct block_stack *st)
{
	struct sym_frame fr[16];
	uint32_t i;
	int n, k;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < g->npcs && st->nframes < BLOCK_MAX_FRAMES; i++) {
		n = symbolizer__symbolize(sym, g->pcs[i].lookup, fr, 16);
		for (k = 0; k < n && k < 16 && st->nframes < BLOCK_MAX_FRAMES; k++) {
			st->pcs[st->nframes] = g->pcs[i].pc;
			st->frames[st->nframes++] = fr[k];
		}
	}
	block_stack__pick_frames(st);
}
