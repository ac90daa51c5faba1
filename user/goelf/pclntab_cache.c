// SPDX-License-Identifier: GPL-2.0
/*
 * A small cache of pclntab__symbolize results. Stacks repeat pcs heavily
 * (the same call sites sample after sample), and a repeated pc costs a
 * hash and a copy instead of the table walks. Direct-mapped, fixed size
 * (PCLN_CACHE_SLOTS slots, allocated on first use), results of at most
 * PCLN_CACHE_FRAMES frames; errors are not cached. It changes no answer:
 * a slot holds exactly what the walk returned for its pc, and the strings
 * it points to live in the mapped file as long as the table.
 *
 * Lock-free for concurrent callers, like the rest of the table: each slot
 * is a seqlock (odd sequence while written; a reader that sees it change
 * misses). A writer that finds the slot busy skips caching.
 */
#include <stdlib.h>
#include <string.h>

#include "goelf/pclntab_int.h"

#define PCLN_CACHE_BITS 11
#define PCLN_CACHE_SLOTS (1u << PCLN_CACHE_BITS)
#define PCLN_CACHE_FRAMES 4

/* A frame as three words, so readers can copy it with atomic loads. */
struct pcln_cache_frame {
	const char *func;
	const char *file;
	uint64_t line_inl; /* line in the low 32 bits, inlined in bit 32 */
};

struct pcln_cache_slot {
	uint32_t seq;
	uint32_t n; /* 0: empty */
	uint64_t pc;
	struct pcln_cache_frame fr[PCLN_CACHE_FRAMES];
} __attribute__((aligned(64)));

struct pcln_cache {
	struct pcln_cache_slot slot[PCLN_CACHE_SLOTS];
};

#define LD(p) __atomic_load_n(p, __ATOMIC_RELAXED)
#define ST(p, v) __atomic_store_n(p, v, __ATOMIC_RELAXED)

static struct pcln_cache_slot *slot_for(struct pcln_cache *c, uint64_t pc)
{
	return &c->slot[(pc * 0x9e3779b97f4a7c15ull) >> (64 - PCLN_CACHE_BITS)];
}

/* Built once; a thread that loses the publication race frees its copy. */
static struct pcln_cache *__attribute__((noinline)) cache_build(const struct pclntab *t)
{
	struct pcln_cache **slot = (struct pcln_cache **)&t->cache;
	struct pcln_cache *c, *expected = NULL;

	c = aligned_alloc(64, sizeof(*c));
	if (!c)
		return NULL;
	memset(c, 0, sizeof(*c));
	if (!__atomic_compare_exchange_n(slot, &expected, c, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		free(c);
		return expected;
	}
	return c;
}

/*
 * The cache, NULL when off (or without memory). Inline, and off checked
 * first: a lookup asks twice (get, put), and out of line with the checks
 * the other way round that was ~60 instructions of a 600-instruction
 * lookup with the cache off.
 */
static inline __attribute__((always_inline)) struct pcln_cache *cache(const struct pclntab *t)
{
	struct pcln_cache *c;

	if (__atomic_load_n(&t->cache_off, __ATOMIC_RELAXED))
		return NULL;
	c = __atomic_load_n(&t->cache, __ATOMIC_ACQUIRE);
	return c ? c : cache_build(t);
}

/* The cached answer for pc: its frame count (> 0), or 0 on a miss. */
int pcln_cache_get(const struct pclntab *t, uint64_t pc, struct pcln_frame *frames, size_t max)
{
	struct pcln_cache_frame tmp[PCLN_CACHE_FRAMES];
	struct pcln_cache *c = cache(t);
	struct pcln_cache_slot *s;
	uint32_t seq, n, i;

	if (!c)
		return 0;
	s = slot_for(c, pc);
	seq = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
	if ((seq & 1) || LD(&s->pc) != pc)
		return 0;
	n = LD(&s->n);
	if (n == 0 || n > PCLN_CACHE_FRAMES)
		return 0;
	for (i = 0; i < n; i++) {
		tmp[i].func = LD(&s->fr[i].func);
		tmp[i].file = LD(&s->fr[i].file);
		tmp[i].line_inl = LD(&s->fr[i].line_inl);
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (LD(&s->seq) != seq)
		return 0; /* rewritten while we copied */
	for (i = 0; i < n && i < max; i++)
		frames[i] = (struct pcln_frame){
			.func = tmp[i].func,
			.file = tmp[i].file,
			.line = (int32_t)(uint32_t)tmp[i].line_inl,
			.inlined = tmp[i].line_inl >> 32,
		};
	return (int)n;
}

/* Remembers the n frames a walk found for pc (all of them must be in frames). */
void pcln_cache_put(const struct pclntab *t, uint64_t pc, const struct pcln_frame *frames, int n)
{
	struct pcln_cache *c;
	struct pcln_cache_slot *s;
	uint32_t seq;
	int i;

	if (n <= 0 || n > PCLN_CACHE_FRAMES || !(c = cache(t)))
		return;
	s = slot_for(c, pc);
	seq = LD(&s->seq);
	if ((seq & 1) || !__atomic_compare_exchange_n(&s->seq, &seq, seq + 1, false,
						      __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		return; /* another writer has it */
	/* The odd sequence must be visible before any of the new contents. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	ST(&s->pc, pc);
	ST(&s->n, (uint32_t)n);
	for (i = 0; i < n; i++) {
		ST(&s->fr[i].func, frames[i].func);
		ST(&s->fr[i].file, frames[i].file);
		ST(&s->fr[i].line_inl,
		   (uint64_t)(uint32_t)frames[i].line | (uint64_t)frames[i].inlined << 32);
	}
	__atomic_store_n(&s->seq, seq + 2, __ATOMIC_RELEASE);
}

void pclntab__set_cache(struct pclntab *t, bool on)
{
	__atomic_store_n(&t->cache_off, !on, __ATOMIC_RELAXED);
}
