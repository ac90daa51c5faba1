// SPDX-License-Identifier: GPL-2.0
/*
 * A parked goroutine's frames from its saved context (GO-RUNTIME.md §8):
 * g.sched.pc is the return address into gopark (or whatever called mcall),
 * g.sched.bp that function's frame pointer, and every Go frame below holds
 * [bp] = the caller's bp, [bp+8] = the return address into the caller, down
 * to runtime.goexit. Everything read is the target's own memory, changing
 * as we read: the chain must stay inside the goroutine's stack, rise
 * strictly and land in Go code, or the walk stops and says so.
 */
#include <string.h>

#include "goroutines/goroutines_int.h"
#include "proc/pmem.h"

static bool in_range(const struct go_func_range *r, uint64_t pc)
{
	return pc >= r->start && pc < r->end;
}

/* A word of the stack: from the bytes already read, else from memory, within [lo, hi). */
static bool stack_word(struct go_proc *p, const struct go_unwind_in *in, uint64_t addr, uint64_t *v)
{
	if (addr < in->lo || addr > in->hi - 8 || (addr & 7))
		return false;
	if (addr >= in->sp && addr - in->sp + 8 <= in->len) {
		memcpy(v, in->stack + (addr - in->sp), 8);
		return true;
	}
	return pmem__read(p->mem, addr, v, 8) == 0;
}

/* The function holding pc (cached); false when pc is not Go code of the binary. */
static bool func_of(struct go_proc *p, uint64_t pc, struct go_func_range *r)
{
	struct go_fcache *c = &p->fcache[(pc ^ pc >> 12) % GO_FCACHE_SIZE];
	struct pcln_func f;

	if (c->pc == pc && pc) {
		*r = (struct go_func_range){c->entry, c->end};
		return true;
	}
	if (pc < p->bias || pclntab__find_func(p->pcln, pc - p->bias, &f))
		return false;
	*c = (struct go_fcache){pc, f.entry + p->bias, f.end + p->bias};
	*r = (struct go_func_range){c->entry, c->end};
	return true;
}

/*
 * The pc Go's traceback symbolizes for a frame (runtime/traceback.go
 * symPC): the return address minus one, so the line is the call's, except
 * at a function's entry and in the frame interrupted by a signal
 * (sigpanic; asyncPreempt since go1.21), where pc is the instruction itself.
 */
static uint64_t lookup_pc(struct go_proc *p, uint64_t pc, uint64_t entry, uint64_t callee)
{
	if (callee && (in_range(&p->sigpanic, callee) ||
		       (p->fp_injected_121 && in_range(&p->asyncpreempt, callee))))
		return pc;
	return pc == entry ? pc : pc - 1;
}

/*
 * go1.22 and older save no bp for a goroutine in a syscall: the pcsp table
 * of the function at pc gives its frame size, hence its return address at
 * CFA-8 and the caller's saved bp at CFA-16 (Go frames keep it there).
 */
static bool frame_by_pcsp(struct go_proc *p, const struct go_unwind_in *in, uint64_t *ret,
			  uint64_t *bp)
{
	int32_t delta;
	uint64_t cfa;

	if (pclntab__sp_delta(p->pcln, in->pc - 1 - p->bias, &delta) || delta <= 0)
		return false;
	cfa = in->sp + (uint64_t)delta + 8;
	return stack_word(p, in, cfa - 8, ret) && stack_word(p, in, cfa - 16, bp);
}

struct walk {
	struct go_pc *out;
	uint32_t n;
	uint64_t last; /* pc of the innermost frame so far (the callee of the next) */
};

/* Appends a frame; false once the limit is reached or pc is not Go code. */
static bool push(struct go_proc *p, struct walk *w, uint64_t pc, enum go_stack_state *state)
{
	struct go_func_range f;

	if (!func_of(p, pc, &f)) {
		*state = GO_STACK_PARTIAL;
		return false;
	}
	if (w->n == GO_MAX_FRAMES) {
		*state = GO_STACK_TRUNCATED;
		return false;
	}
	w->out[w->n++] = (struct go_pc){pc, lookup_pc(p, pc, f.start, w->last)};
	w->last = pc;
	return true;
}

uint32_t go_unwind(struct go_proc *p, const struct go_unwind_in *in, struct go_pc *out,
		   enum go_stack_state *state)
{
	struct walk w = {.out = out};
	uint64_t bp = in->bp, prev = in->sp, ret, next;

	*state = GO_STACK_PARTIAL;
	if (!push(p, &w, in->pc, state))
		return w.n;
	if (in->bp_unknown) {
		if (!frame_by_pcsp(p, in, &ret, &bp) || !push(p, &w, ret, state))
			return w.n;
	}
	while (!in_range(&p->goexit, w.last)) {
		/* A frame record sits above the previous one, inside the stack. */
		if (!bp || bp < prev || bp > in->hi - 16)
			return w.n;
		if (!stack_word(p, in, bp + 8, &ret) || !stack_word(p, in, bp, &next))
			return w.n;
		if (!push(p, &w, ret, state))
			return w.n;
		prev = bp + 16;
		bp = next;
	}
	*state = GO_STACK_OK;
	return w.n;
}
