// SPDX-License-Identifier: GPL-2.0
/*
 * One snapshot: allgs → every g → every stack, in three batched reads,
 * then a fourth that re-reads what identifies each goroutine's state so
 * records that changed while being read are dropped; those get a second
 * round of reads of their own; then the walks.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/signals.h"
#include "goroutines/goroutines_int.h"

/* Bounds on what the target's memory may claim. */
#define MAX_GOROUTINES (16u << 20)
#define MAX_STACK (1ULL << 30) /* runtime/debug.SetMaxStack default on 64-bit */
#define STACK_READ 16384       /* bytes of each stack read at once; deeper words one by one */
#define ALLGS_TRIES 4

/* What is read of each g, and what the stack walk starts from. */
struct graw {
	uint8_t *bytes; /* p->g_read bytes of the g */
	bool ok;
	uint64_t pc, sp, bp; /* saved context */
	bool bp_unknown;
	uint8_t *stack; /* [sp, sp + stack_len) */
	size_t stack_len;
	uint64_t procid;
	uint8_t check[24]; /* atomicstatus+goid and sched.sp re-read */
	struct go_memo_key key;
	const struct go_pc *memo_pcs; /* the last snapshot's walk, still valid (memo.c) */
	uint32_t memo_npcs;
	enum go_stack_state memo_state;
};

static uint64_t gword(const struct go_proc *p, const struct graw *r, int32_t off)
{
	uint64_t v = 0;

	if (off >= 0 && off + 8 <= p->g_read)
		memcpy(&v, r->bytes + off, 8);
	return v;
}

static uint32_t gword32(const struct go_proc *p, const struct graw *r, int32_t off)
{
	uint32_t v = 0;

	if (off >= 0 && off + 4 <= p->g_read)
		memcpy(&v, r->bytes + off, 4);
	return v;
}

/* The []*g slice: pointer and length read together, the array after; retried if it moved. */
static int read_allgs(struct go_proc *p, struct go_snapshot *s, uint64_t **gs)
{
	uint64_t hdr[3], hdr2[3], *arr = NULL;
	int err, tries;

	for (tries = 0; tries < ALLGS_TRIES; tries++) {
		err = pmem__read(p->mem, p->allgs, hdr, sizeof(hdr));
		if (err)
			return err == -EFAULT ? err_fail(EFAULT,
							 "process %d: runtime.allgs at 0x%llx "
							 "is unreadable",
							 (int)p->pid, (unsigned long long)p->allgs)
					      : err;
		if (hdr[1] > hdr[2] || hdr[1] > MAX_GOROUTINES || (hdr[1] && !hdr[0]))
			return err_fail(GT_EFORMAT,
					"process %d: runtime.allgs holds no slice "
					"(len %llu cap %llu): wrong offsets or not Go",
					(int)p->pid, (unsigned long long)hdr[1],
					(unsigned long long)hdr[2]);
		free(arr);
		arr = malloc(hdr[1] ? hdr[1] * 8 : 8);
		if (!arr)
			return -ENOMEM;
		err = hdr[1] ? pmem__read(p->mem, hdr[0], arr, hdr[1] * 8) : 0;
		if (!err)
			err = pmem__read(p->mem, p->allgs, hdr2, sizeof(hdr2));
		if (!err && !memcmp(hdr, hdr2, sizeof(hdr)))
			break;
		if (err && err != -EFAULT)
			break;
		s->retries++;
	}
	if (tries == ALLGS_TRIES)
		err = err_fail(EAGAIN, "process %d: runtime.allgs kept changing while read",
			       (int)p->pid);
	if (err) {
		free(arr);
		return err;
	}
	*gs = arr;
	s->allglen = hdr[1];
	return 0;
}

/* Every g in one batch; unreadable or misaligned pointers stay !ok. */
static int read_gs(struct go_proc *p, const uint64_t *gs, size_t n, struct graw *raw, uint8_t *buf)
{
	struct pmem_req *reqs = calloc(n ? n : 1, sizeof(*reqs));
	size_t i;
	int err;

	if (!reqs)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		raw[i].bytes = buf + i * (size_t)p->g_read;
		reqs[i] = (struct pmem_req){.addr = gs[i] & 7 ? 0 : gs[i],
					    .buf = raw[i].bytes,
					    .len = (size_t)p->g_read};
	}
	err = pmem__readv(p->mem, reqs, n);
	for (i = 0; i < n; i++)
		raw[i].ok = reqs[i].ok && gs[i];
	free(reqs);
	return err < 0 ? err : 0;
}

static uint32_t status_of(const struct go_proc *p, const struct graw *r)
{
	return gword32(p, r, p->off.atomicstatus);
}

/*
 * Where the walk starts (GO-RUNTIME.md §8.3): g.sched for a goroutine that
 * is not running; syscallpc/sp (+ syscallbp since go1.23) in a syscall,
 * since sched may be stale there. A running goroutine has no saved context.
 */
static enum go_stack_state context_of(const struct go_proc *p, struct graw *r)
{
	uint32_t st = status_of(p, r) & ~(uint32_t)GO_G_SCAN;
	uint64_t lo = gword(p, r, p->off.stack_lo), hi = gword(p, r, p->off.stack_hi);

	if (st == GO_G_RUNNING)
		return GO_STACK_RUNNING;
	if (st == GO_G_SYSCALL && gword(p, r, p->off.syscallsp)) {
		r->pc = gword(p, r, p->off.syscallpc);
		r->sp = gword(p, r, p->off.syscallsp);
		r->bp = gword(p, r, p->off.syscallbp);
		r->bp_unknown = p->off.syscallbp < 0;
	} else if (st == GO_G_COPYSTACK || st == GO_G_IDLE) {
		return GO_STACK_NONE;
	} else {
		r->pc = gword(p, r, p->off.sched_pc);
		r->sp = gword(p, r, p->off.sched_sp);
		r->bp = gword(p, r, p->off.sched_bp);
	}
	if (!r->pc || !r->sp || lo >= hi || hi - lo > MAX_STACK || r->sp < lo || r->sp >= hi)
		return GO_STACK_NONE;
	r->stack_len = hi - r->sp < STACK_READ ? hi - r->sp : STACK_READ;
	return GO_STACK_OK;
}

/* A saved context whose stack this snapshot reads (not one the memo still holds). */
static bool reads_stack(const struct graw *r, enum go_stack_state ctx)
{
	return ctx == GO_STACK_OK && !r->memo_pcs;
}

/* Stacks (and the OS thread of running / in-syscall goroutines) in one batch. */
static int read_stacks(struct go_proc *p, struct graw *raw, const bool *keep,
		       const enum go_stack_state *ctx, size_t n, uint8_t **stackbuf)
{
	struct pmem_req *reqs = calloc(2 * n + 1, sizeof(*reqs));
	size_t i, total = 0, nreq = 0;
	uint8_t *buf;
	int err;

	for (i = 0; i < n; i++)
		total += keep[i] && reads_stack(&raw[i], ctx[i]) ? raw[i].stack_len : 0;
	buf = malloc(total ? total : 1);
	if (!reqs || !buf) {
		free(reqs);
		free(buf);
		return -ENOMEM;
	}
	for (i = 0, total = 0; i < n; i++) {
		uint32_t st = status_of(p, &raw[i]) & ~(uint32_t)GO_G_SCAN;
		uint64_t m = gword(p, &raw[i], p->off.m);

		if (!keep[i])
			continue;
		if (reads_stack(&raw[i], ctx[i])) {
			raw[i].stack = buf + total;
			reqs[nreq++] = (struct pmem_req){raw[i].sp, raw[i].stack, raw[i].stack_len};
			total += raw[i].stack_len;
		}
		if ((st == GO_G_RUNNING || st == GO_G_SYSCALL) && m && p->off.m_procid >= 0)
			reqs[nreq++] =
				(struct pmem_req){m + (uint64_t)p->off.m_procid, &raw[i].procid, 8};
	}
	err = pmem__readv(p->mem, reqs, nreq);
	/* A stack that could not be read is walked word by word (and fails there). */
	for (i = 0, nreq = 0; i < n; i++) {
		uint32_t st = status_of(p, &raw[i]) & ~(uint32_t)GO_G_SCAN;

		if (!keep[i])
			continue;
		if (reads_stack(&raw[i], ctx[i]) && !reqs[nreq++].ok)
			raw[i].stack_len = 0;
		if ((st == GO_G_RUNNING || st == GO_G_SYSCALL) && gword(p, &raw[i], p->off.m) &&
		    p->off.m_procid >= 0 && !reqs[nreq++].ok)
			raw[i].procid = 0;
	}
	free(reqs);
	*stackbuf = buf;
	return err < 0 ? err : 0;
}

/* The text in the runtime's brackets: the wait reason, else the status name. */
static const char *state_text(const struct go_proc *p, uint32_t st, uint8_t reason)
{
	const char *s;

	if ((st == GO_G_WAITING || st == GO_G_LEAKED) && reason) {
		s = p->wr ? go_waitreasons__name(p->wr, reason) : NULL;
		return s ? s : "unknown wait reason";
	}
	s = go_gstatus_name(st);
	return s ? s : "???";
}

static void fill_record(struct go_proc *p, const struct graw *r, struct go_goroutine *g,
			uint64_t now)
{
	uint32_t st = status_of(p, r);
	int64_t since = (int64_t)gword(p, r, p->off.waitsince);

	g->goid = gword(p, r, p->off.goid);
	g->status = st & ~(uint32_t)GO_G_SCAN;
	g->scan = st & GO_G_SCAN;
	g->waitreason = p->off.waitreason >= 0 ? r->bytes[p->off.waitreason] : 0;
	g->state = state_text(p, g->status, g->waitreason);
	g->wait_ns = -1;
	if ((g->status == GO_G_WAITING || g->status == GO_G_SYSCALL) && since > 0 &&
	    (uint64_t)since <= now)
		g->wait_ns = (int64_t)(now - (uint64_t)since);
	g->parent_goid = gword(p, r, p->off.parent_goid);
	g->gopc = gword(p, r, p->off.gopc);
	g->startpc = gword(p, r, p->off.startpc);
	g->locked_to_thread = gword(p, r, p->off.lockedm) != 0;
	g->thread_id = r->procid ? (int64_t)r->procid : -1;
}

/* The fields re-read: status, id, saved contexts, wait reason (offset, size). */
#define NCHECK 8

static void check_fields(const struct go_proc *p, int32_t off[NCHECK], int32_t len[NCHECK])
{
	const int32_t o[NCHECK] = {p->off.atomicstatus, p->off.goid,	  p->off.sched_sp,
				   p->off.sched_pc,	p->off.sched_bp,  p->off.syscallsp,
				   p->off.syscallpc,	p->off.waitreason};
	int i;

	for (i = 0; i < NCHECK; i++) {
		off[i] = o[i];
		len[i] = i == 0 ? 4 : i == NCHECK - 1 ? 1 : 8;
	}
}

/* Did the goroutine move on while we read it? after holds the g's bytes [lo, hi). */
static bool changed(const struct go_proc *p, const struct graw *before, const uint8_t *after,
		    int32_t lo)
{
	int32_t off[NCHECK], len[NCHECK];
	int i;

	check_fields(p, off, len);
	for (i = 0; i < NCHECK; i++)
		if (off[i] >= 0 && memcmp(before->bytes + off[i], after + off[i] - lo, len[i]))
			return true;
	return false;
}

/* Re-reads only the span of the checked fields (a third of a g): the batch is per goroutine. */
static int recheck(struct go_proc *p, const uint64_t *gs, struct graw *raw, bool *keep, size_t n,
		   size_t *dropped)
{
	int32_t off[NCHECK], len[NCHECK], lo = INT32_MAX, hi = 0;
	struct pmem_req *reqs = calloc(n ? n : 1, sizeof(*reqs));
	uint8_t *buf;
	size_t i, k, span;
	int err;

	check_fields(p, off, len);
	for (i = 0; i < NCHECK; i++) {
		if (off[i] < 0)
			continue;
		lo = off[i] < lo ? off[i] : lo;
		hi = off[i] + len[i] > hi ? off[i] + len[i] : hi;
	}
	span = (size_t)(hi - lo);
	buf = malloc(n ? n * span : 1);
	if (!buf || !reqs) {
		free(buf);
		free(reqs);
		return -ENOMEM;
	}
	/* Only what was read this time: a remembered stack's g matched its memo exactly. */
	for (i = 0, k = 0; i < n; i++) {
		if (!keep[i] || raw[i].memo_pcs)
			continue;
		reqs[k] = (struct pmem_req){
			.addr = gs[i] + (uint64_t)lo, .buf = buf + k * span, .len = span};
		k++;
	}
	err = pmem__readv(p->mem, reqs, k);
	for (i = 0, k = 0; i < n && err >= 0; i++) {
		if (!keep[i] || raw[i].memo_pcs)
			continue;
		if (!reqs[k].ok || changed(p, &raw[i], reqs[k].buf, lo)) {
			keep[i] = false;
			(*dropped)++;
		}
		k++;
	}
	free(buf);
	free(reqs);
	return err < 0 ? err : 0;
}

/* The key of a goroutine with a saved context, and its walk if it has not run since. */
static void remembered(struct go_proc *p, struct graw *r, uint64_t gaddr)
{
	r->key = (struct go_memo_key){
		.gaddr = gaddr,
		.goid = gword(p, r, p->off.goid),
		.sched_sp = r->sp,
		.sched_pc = r->pc,
		.sched_bp = r->bp,
		.stack_lo = gword(p, r, p->off.stack_lo),
		.stack_hi = gword(p, r, p->off.stack_hi),
		.status = status_of(p, r),
		.waitreason = p->off.waitreason >= 0 ? r->bytes[p->off.waitreason] : 0,
		.tracking_seq = r->bytes[p->off.tracking_seq],
	};
	r->memo_pcs = go_memo__find(p->memo, &r->key, &r->memo_npcs, &r->memo_state);
}

/* Which gs to list: readable, alive, and with a status the runtime defines. */
static void classify(struct go_proc *p, const uint64_t *gs, struct graw *raw, size_t n, bool *keep,
		     enum go_stack_state *ctx, struct go_snapshot *s)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint32_t st = status_of(p, &raw[i]) & ~(uint32_t)GO_G_SCAN;

		keep[i] = false;
		ctx[i] = GO_STACK_NONE;
		if (!raw[i].ok || !go_gstatus_name(st) || gword(p, &raw[i], p->off.goid) >> 62) {
			s->dropped++; /* unreadable, or not a g (freed, reused) */
			continue;
		}
		if (st == GO_G_DEAD || st == GO_G_IDLE || st == GO_G_DEADEXTRA) {
			s->dead++;
			continue;
		}
		keep[i] = true;
		ctx[i] = context_of(p, &raw[i]);
		if (ctx[i] == GO_STACK_OK && p->off.tracking_seq >= 0)
			remembered(p, &raw[i], gs[i]);
	}
}

/* Walks each kept goroutine's stack into s (pcs stored as offsets until the buffer settles). */
static int build(struct go_proc *p, const uint64_t *gs, struct graw *raw, const bool *keep,
		 const enum go_stack_state *ctx, size_t n, struct go_snapshot *s, size_t *pc_off)
{
	size_t i, used = 0, cap = 0;

	for (i = 0; i < n; i++) {
		struct go_goroutine *g = &s->v[i];
		struct go_unwind_in in;

		if (!keep[i])
			continue;
		fill_record(p, &raw[i], g, s->taken_mono_ns);
		g->gaddr = gs[i];
		g->stack = ctx[i];
		if (raw[i].memo_pcs) {
			g->npcs = raw[i].memo_npcs;
			g->stack = raw[i].memo_state;
			s->reused++;
		} else if (ctx[i] == GO_STACK_OK) {
			in = (struct go_unwind_in){raw[i].pc,
						   raw[i].sp,
						   raw[i].bp,
						   gword(p, &raw[i], p->off.stack_lo),
						   gword(p, &raw[i], p->off.stack_hi),
						   raw[i].stack,
						   raw[i].stack_len,
						   raw[i].bp_unknown};
			g->npcs = go_unwind(p, &in, p->scratch, &g->stack);
		}
		if (used + g->npcs > cap) {
			struct go_pc *nb;

			cap = (used + g->npcs) * 2 + 256;
			nb = realloc(s->pc_buf, cap * sizeof(*nb));
			if (!nb)
				return -ENOMEM;
			s->pc_buf = nb;
		}
		if (g->npcs)
			memcpy(s->pc_buf + used, raw[i].memo_pcs ? raw[i].memo_pcs : p->scratch,
			       g->npcs * sizeof(*p->scratch));
		pc_off[i] = used;
		used += g->npcs;
	}
	return 0;
}

/*
 * This snapshot's walks of goroutines that may still be parked at the
 * next one replace the memo. Without memory the next snapshot reads
 * every stack again: slower, same answers.
 */
static void remember(struct go_proc *p, const struct graw *raw, const bool *keep,
		     const size_t *pc_off, size_t n, const struct go_snapshot *s)
{
	struct go_memo *m;
	size_t i;

	go_memo__free(p->memo);
	p->memo = NULL;
	if (p->off.tracking_seq < 0)
		return;
	m = go_memo__new(n);
	for (i = 0; m && i < n; i++) {
		const struct go_goroutine *g = &s->v[i];

		if (keep[i] && go_memo__eligible(&raw[i].key, g->stack) &&
		    go_memo__add(m, &raw[i].key, s->pc_buf + pc_off[i], g->npcs, g->stack)) {
			go_memo__free(m);
			m = NULL;
		}
	}
	p->memo = m;
}

/* Keeps only the listed goroutines, in allgs order, with pcs pointing into pc_buf. */
static void compact(struct go_snapshot *s, const bool *keep, const size_t *pc_off, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (!keep[i])
			continue;
		s->v[k] = s->v[i];
		s->v[k].pcs = s->pc_buf ? s->pc_buf + pc_off[i] : NULL;
		k++;
	}
	s->n = k;
}

void go_snapshot__free(struct go_snapshot *s)
{
	if (!s)
		return;
	free(s->v);
	free(s->pc_buf);
	free(s);
}

/* Per-snapshot scratch, freed in one place. */
struct work {
	uint64_t *gs;
	struct graw *raw;
	uint8_t *gbuf, *stackbuf;
	bool *keep;
	enum go_stack_state *ctx;
	size_t *pc_off;
};

static void work_free(struct work *w)
{
	free(w->gs);
	free(w->raw);
	free(w->gbuf);
	free(w->stackbuf);
	free(w->keep);
	free(w->ctx);
	free(w->pc_off);
}

static int work_alloc(struct work *w, size_t n, int32_t g_read, struct go_snapshot *s)
{
	size_t m = n ? n : 1;

	w->raw = calloc(m, sizeof(*w->raw));
	w->gbuf = calloc(m, (size_t)g_read);
	w->keep = calloc(m, sizeof(*w->keep));
	w->ctx = calloc(m, sizeof(*w->ctx));
	w->pc_off = calloc(m, sizeof(*w->pc_off));
	s->v = calloc(m, sizeof(*s->v));
	return w->raw && w->gbuf && w->keep && w->ctx && w->pc_off && s->v ? 0 : -ENOMEM;
}

/*
 * One round of reads over the n gs of w: each g, its stack, and each g
 * again; keep[i] says which held still. *dropped counts the others.
 */
static int read_round(struct go_proc *p, struct work *w, size_t n, struct go_snapshot *s,
		      size_t *dropped, bool *was_kept)
{
	int err = read_gs(p, w->gs, n, w->raw, w->gbuf);

	if (!err) {
		classify(p, w->gs, w->raw, n, w->keep, w->ctx, s);
		err = read_stacks(p, w->raw, w->keep, w->ctx, n, &w->stackbuf);
	}
	/*
	 * The re-check right after the reads, before the walks: the shorter the
	 * time between reading a g and reading it again, the fewer goroutines
	 * that were merely busy get dropped (and dropped ones are not walked).
	 * The walks work on the copies; only frames deeper than STACK_READ are
	 * read later, word by word, and the walk's own checks hold them.
	 */
	if (!err && was_kept) /* what the re-check is about to judge */
		memcpy(was_kept, w->keep, n * sizeof(*was_kept));
	if (!err)
		err = recheck(p, w->gs, w->raw, w->keep, n, dropped);
	return err;
}

/*
 * The goroutines that changed while read get one more round of their own:
 * a busy goroutine is caught between two of its runs often enough, and
 * dropping every one that moved would leave a sample of the idle ones only.
 * What still changes stays dropped. The second round's buffers back the
 * records taken from it, so they live in *again until the snapshot is built.
 */
static int retry_changed(struct go_proc *p, struct work *w, const bool *was_kept, size_t n,
			 struct work *again, struct go_snapshot *s)
{
	struct go_snapshot counts = {0}; /* classify's tallies: already counted in round one */
	size_t *idx = calloc(n ? n : 1, sizeof(*idx)), m = 0, k, still = 0;
	int err;

	if (!idx)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (was_kept[i] && !w->keep[i])
			idx[m++] = i;
	err = m ? work_alloc(again, m, p->g_read, &counts) : 0;
	if (!err && m) {
		again->gs = calloc(m, sizeof(*again->gs));
		err = again->gs ? 0 : -ENOMEM;
	}
	for (k = 0; !err && k < m; k++)
		again->gs[k] = w->gs[idx[k]];
	if (!err && m)
		err = read_round(p, again, m, &counts, &still, NULL);
	for (k = 0; !err && k < m; k++) {
		size_t i = idx[k];

		if (!again->keep[k])
			continue;
		w->raw[i] = again->raw[k];
		w->keep[i] = true;
		w->ctx[i] = again->ctx[k];
		s->dropped--;
		s->retried++;
	}
	free(counts.v);
	free(idx);
	return err;
}

int go_proc__snapshot(struct go_proc *p, struct go_snapshot **out)
{
	struct go_snapshot *s = calloc(1, sizeof(*s));
	struct work w = {0}, again = {0};
	bool *was_kept = NULL;
	int err;

	if (!s)
		return -ENOMEM;
	s->taken_mono_ns = mono_ns();
	err = read_allgs(p, s, &w.gs);
	if (!err)
		err = work_alloc(&w, s->allglen, p->g_read, s);
	if (!err) {
		was_kept = calloc(s->allglen ? s->allglen : 1, sizeof(*was_kept));
		err = was_kept ? 0 : -ENOMEM;
	}
	if (!err)
		err = read_round(p, &w, s->allglen, s, &s->dropped, was_kept);
	if (!err)
		err = retry_changed(p, &w, was_kept, s->allglen, &again, s);
	if (!err)
		err = build(p, w.gs, w.raw, w.keep, w.ctx, s->allglen, s, w.pc_off);
	if (!err)
		err = p->borrowed     ? 0
		      : p->pidfd >= 0 ? proc_pid_ref__check_pidfd(&p->ref, p->pidfd)
				      : proc_pid_ref__check(&p->ref);
	if (!err) {
		remember(p, w.raw, w.keep, w.pc_off, s->allglen, s);
		compact(s, w.keep, w.pc_off, s->allglen);
	}
	work_free(&w);
	work_free(&again);
	free(was_kept);
	s->read_ns = mono_ns() - s->taken_mono_ns;
	if (err) {
		go_snapshot__free(s);
		return err == -ESRCH ? err_fail(ESRCH,
						"process %d exited while its goroutines were "
						"being read",
						(int)p->pid)
				     : err;
	}
	*out = s;
	return 0;
}
