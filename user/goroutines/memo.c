// SPDX-License-Identifier: GPL-2.0
/*
 * The stacks of the last snapshot, for goroutines that have not run since
 * (goroutines_int.h, struct go_memo).
 *
 * Sampling a service reads every goroutine's stack at every tick, and most
 * of them are parked where they were the tick before: a thousand idle
 * workers cost the same thousand stack reads and walks each time, and the
 * reads (cold cache lines of the target) were two thirds of a snapshot's
 * CPU. A goroutine's stack cannot change while it does not run: nothing
 * else writes a parked goroutine's frames, and a stack the GC moves or
 * shrinks gets new bounds and a new saved sp. Whether it ran is in its g:
 * the runtime adds one to g.trackingSeq every time a goroutine stops
 * running (casgstatus out of _Grunning or _Gsyscall), and rewrites
 * g.sched when it parks again. So a goroutine whose id, status, wait
 * reason, saved pc/sp/bp, stack bounds and trackingSeq all read the same
 * as last time has the stack it had then; the walk is reused and its stack
 * is not read.
 *
 * The one blind spot: trackingSeq is a uint8, so a goroutine that ran a
 * multiple of 256 times between two ticks and parked again at the very
 * same saved pc, sp and bp is taken as not having run. Parking at the same
 * pc and sp almost always means parking in the same frames; when the
 * frames above differed, the sample shows the stack the goroutine had one
 * tick earlier. A one-shot dump never has a previous snapshot, and only
 * goroutines waiting or runnable (not running, not in a syscall, not being
 * scanned) whose walk reached runtime.goexit are kept.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "goroutines/goroutines_int.h"

struct memo_ent {
	struct go_memo_key key; /* key.gaddr 0: empty slot */
	size_t first;		/* into pcs */
	uint32_t npcs;
	enum go_stack_state state;
};

struct go_memo {
	struct memo_ent *slot;
	size_t mask; /* slots - 1, a power of two at least twice the entries */
	struct go_pc *pcs;
	size_t npcs, cap_pcs;
};

static size_t slot_of(const struct go_memo *m, uint64_t gaddr)
{
	return (size_t)((gaddr >> 3) * 0x9e3779b97f4a7c15ULL >> 20) & m->mask;
}

struct go_memo *go_memo__new(size_t n)
{
	struct go_memo *m = calloc(1, sizeof(*m));
	size_t slots = 16;

	if (!m)
		return NULL;
	while (slots < 2 * n)
		slots *= 2;
	m->slot = calloc(slots, sizeof(*m->slot));
	if (!m->slot) {
		free(m);
		return NULL;
	}
	m->mask = slots - 1;
	return m;
}

void go_memo__free(struct go_memo *m)
{
	if (!m)
		return;
	free(m->slot);
	free(m->pcs);
	free(m);
}

bool go_memo__eligible(const struct go_memo_key *k, enum go_stack_state state)
{
	return k->gaddr && (k->status == GO_G_WAITING || k->status == GO_G_RUNNABLE) &&
	       (state == GO_STACK_OK || state == GO_STACK_TRUNCATED);
}

int go_memo__add(struct go_memo *m, const struct go_memo_key *k, const struct go_pc *pcs,
		 uint32_t npcs, enum go_stack_state state)
{
	size_t i = slot_of(m, k->gaddr);

	while (m->slot[i].key.gaddr && m->slot[i].key.gaddr != k->gaddr)
		i = (i + 1) & m->mask;
	if (m->slot[i].key.gaddr) /* the same g twice in allgs: trust neither */
		return 0;
	if (m->npcs + npcs > m->cap_pcs) {
		size_t cap = (m->npcs + npcs) * 2 + 256;
		struct go_pc *nb = realloc(m->pcs, cap * sizeof(*nb));

		if (!nb)
			return -ENOMEM;
		m->pcs = nb;
		m->cap_pcs = cap;
	}
	if (npcs)
		memcpy(m->pcs + m->npcs, pcs, npcs * sizeof(*pcs));
	m->slot[i] = (struct memo_ent){*k, m->npcs, npcs, state};
	m->npcs += npcs;
	return 0;
}

const struct go_pc *go_memo__find(const struct go_memo *m, const struct go_memo_key *k,
				  uint32_t *npcs, enum go_stack_state *state)
{
	size_t i;

	if (!m || !k->gaddr)
		return NULL;
	for (i = slot_of(m, k->gaddr); m->slot[i].key.gaddr; i = (i + 1) & m->mask) {
		const struct memo_ent *e = &m->slot[i];

		if (e->key.gaddr != k->gaddr)
			continue;
		if (memcmp(&e->key, k, sizeof(*k)))
			return NULL;
		*npcs = e->npcs;
		*state = e->state;
		return m->pcs + e->first;
	}
	return NULL;
}
