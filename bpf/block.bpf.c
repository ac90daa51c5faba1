// SPDX-License-Identifier: GPL-2.0
/* gotrace block: see block.h for the model. */
#include "common.bpf.h"
#include "go_abi.bpf.h"
#include "block.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 filter_tgid = 0;
const volatile __u64 min_block_ns = 0;
/* Offsets in runtime.g for parks recorded at park_m (CASG_RECORD_PARK). */
const volatile __u32 g_sched_pc = 0;
const volatile __u32 g_sched_bp = 0;
const volatile __u32 g_waitreason = 0;

/* Frames by hash; allocated as new stacks appear (a service has a few hundred). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, __u64[BLOCK_STACK_DEPTH]);
} stacks SEC(".maps");

/*
 * The frame-pointer walk copies the stack from the first frame up in
 * chunks of this size and follows the chain inside the copy: one user copy
 * for most stacks instead of two reads per frame. Measured on an HTTP
 * server (13 frames on average): 150 ns per walk against 800 ns for
 * bpf_get_stackid(BPF_F_USER_STACK), with identical frames for 440k parks.
 */
#define STACK_CHUNK 2048

struct stack_scratch {
	__u64 pcs[BLOCK_STACK_DEPTH];
	__u8 copy[STACK_CHUNK];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct stack_scratch);
} scratch SEC(".maps");

/* LRU: goroutines that park forever or exit while parked must not fill it. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 262144);
	__type(key, __u64); /* g pointer */
	__type(value, struct block_park);
} parks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct block_site_key);
	__type(value, struct block_site_stats);
} sites SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BC_NR);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* Scheduling latency of every runnable -> running, whatever made it runnable. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct block_site_stats);
} sched_all SEC(".maps");

static __always_inline void count(__u32 c)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &c);

	if (v)
		(*v)++;
}

static __always_inline __u32 log2_bucket(__u64 v)
{
	__u32 b = 0;

	if (v >> 32) {
		v >>= 32;
		b += 32;
	}
	if (v >> 16) {
		v >>= 16;
		b += 16;
	}
	if (v >> 8) {
		v >>= 8;
		b += 8;
	}
	if (v >> 4) {
		v >>= 4;
		b += 4;
	}
	if (v >> 2) {
		v >>= 2;
		b += 2;
	}
	if (v >> 1) {
		b += 1;
	}
	return b < BLOCK_HIST_BUCKETS ? b : BLOCK_HIST_BUCKETS - 1;
}

static __always_inline struct block_site_stats *site_stats(struct block_site_key *k)
{
	struct block_site_stats *s = bpf_map_lookup_elem(&sites, k), zero = {};

	if (s)
		return s;
	/* NOEXIST: another CPU may have created it meanwhile; either way look it up. */
	bpf_map_update_elem(&sites, k, &zero, BPF_NOEXIST);
	s = bpf_map_lookup_elem(&sites, k);
	if (!s)
		count(BC_MAP_FULL);
	return s;
}

static __always_inline void add_block(struct block_site_stats *s, __u64 ns)
{
	__u32 b = log2_bucket(ns);

	s->count++;
	s->total_ns += ns;
	if (ns > s->max_ns)
		s->max_ns = ns;
	if (b < BLOCK_HIST_BUCKETS)
		s->hist[b]++;
}

/* The walk's state between bpf_loop steps. */
struct walk {
	__u64 bp;   /* the frame record to read next */
	__u64 base; /* user address of scratch.copy[0]; 0: no copy */
	__u64 hash;
};

/* Reads the frame record {saved bp, return pc} at bp, from the copy when it holds it. */
static __always_inline int frame_at(struct stack_scratch *s, struct walk *w, __u64 fr[2])
{
	__u64 off = w->bp - w->base;

	if (w->base && off <= STACK_CHUNK - 16) {
		fr[0] = *(__u64 *)(s->copy + off);
		fr[1] = *(__u64 *)(s->copy + off + 8);
		return 0;
	}
	w->base = w->bp;
	if (!bpf_probe_read_user(s->copy, STACK_CHUNK, (void *)w->bp)) {
		fr[0] = *(__u64 *)(s->copy);
		fr[1] = *(__u64 *)(s->copy + 8);
		return 0;
	}
	/* The chunk crosses the end of the mapping: this frame alone. */
	w->base = 0;
	return bpf_probe_read_user(fr, 16, (void *)w->bp) ? -1 : 0;
}

static __always_inline __u64 fnv1a(__u64 h, __u64 word)
{
	return (h ^ word) * 0x100000001b3ULL;
}

/*
 * One frame: pcs[i] = its return pc. A bpf_loop callback, so the verifier
 * checks it once rather than once per possible depth (the unrolled loop
 * took 0.28 s of verification at every start).
 */
static long walk_step(__u32 i, void *ctx)
{
	struct walk *w = ctx;
	struct stack_scratch *s;
	__u32 zero = 0, depth = i + 1; /* pcs[0] is the probe's own pc */
	__u64 fr[2];

	s = bpf_map_lookup_elem(&scratch, &zero);
	if (!s || !w->bp || depth >= BLOCK_STACK_DEPTH)
		return 1;
	if (frame_at(s, w, fr) || !fr[1])
		return 1;
	/* Bounded again where it is used (clang keeps the bound in another register). */
	asm volatile("" : "+r"(depth));
	s->pcs[depth & (BLOCK_STACK_DEPTH - 1)] = fr[1];
	w->hash = fnv1a(w->hash, fr[1]);
	/* Callers' frames are higher up the stack; anything else ends the chain. */
	if (fr[0] <= w->bp)
		return 1;
	w->bp = fr[0];
	return 0;
}

/*
 * [pc, return pcs along the frame-pointer chain from bp], as the kernel's
 * user unwinder gives them (it too stops where the chain does not go up the
 * stack). Keeps the frames in stacks; returns their hash, 0 when they could
 * not be kept.
 */
static __always_inline __u64 keep_stack(__u64 pc, __u64 bp)
{
	struct walk w = {.bp = bp, .hash = 0xcbf29ce484222325ULL};
	struct stack_scratch *s;
	__u32 zero = 0;
	int i;

	s = bpf_map_lookup_elem(&scratch, &zero);
	if (!s)
		return 0;
	for (i = 0; i < BLOCK_STACK_DEPTH; i++)
		s->pcs[i] = 0;
	s->pcs[0] = pc;
	w.hash = fnv1a(w.hash, pc);
	bpf_loop(BLOCK_STACK_DEPTH - 1, walk_step, &w, 0);
	if (!w.hash)
		w.hash = 1;
	if (!bpf_map_lookup_elem(&stacks, &w.hash) &&
	    bpf_map_update_elem(&stacks, &w.hash, s->pcs, BPF_NOEXIST) &&
	    !bpf_map_lookup_elem(&stacks, &w.hash))
		return 0; /* full (another CPU may have added it meanwhile: then it is there) */
	return w.hash;
}

/* A park in flight: parked, or woken and waiting for a CPU. */
static __always_inline bool in_flight(const struct block_park *p)
{
	return p && !p->idle;
}

/* A park of goroutine g from now, at a site; what an earlier one left says what we missed. */
static __always_inline void start_park(__u64 g, struct block_park *p)
{
	struct block_park *old;

	count(BC_PARKS);
	old = bpf_map_lookup_elem(&parks, &g);
	if (in_flight(old) && !old->runnable) {
		/* Unconfirmed: gopark re-entered through morestack (GO-RUNTIME.md §10.7). */
		count(old->confirmed ? BC_MISSED_WAKE : BC_PARK_REFIRE);
	}
	if (!p->site.stack)
		count(BC_STACK_ERRORS);
	/*
	 * In place when g has an entry (every g after its first park): only
	 * this goroutine's own thread writes it until the park completes.
	 */
	if (old)
		*old = *p;
	else if (bpf_map_update_elem(&parks, &g, p, BPF_ANY))
		count(BC_MAP_FULL);
}

SEC("uprobe")
int block_gopark(struct pt_regs *ctx)
{
	struct block_park p = {};

	if (filter_tgid && current_tgid() != filter_tgid)
		return 0;
	p.start_ns = bpf_ktime_get_ns();
	p.site.reason = GO_PARAM3(ctx) & 0xff;
	/*
	 * The kernel unwinds [pc, [bp+8], ...]: at gopark's first instructions
	 * BP is still the caller's, so the caller itself is only at [SP].
	 */
	bpf_probe_read_user(&p.site.caller, sizeof(p.site.caller), (void *)GO_SP(ctx));
	p.site.stack = keep_stack(ctx->ip, GO_FP(ctx));
	start_park(GO_G(ctx), &p);
	return 0;
}

/*
 * At park_m's 2 -> 4, gopark has stored the reason in gp and mcall has
 * saved gopark's pc and frame pointer in gp.sched: the stack is [that pc,
 * gopark's caller, ...], all on the frame-pointer chain. One trap per park
 * fewer than probing gopark too (a third of block's cost on an HTTP server).
 */
static __always_inline void park_at_park_m(__u64 gp, __u64 now)
{
	struct block_park p = {.start_ns = now, .confirmed = 1};
	__u64 pc = 0, bp = 0;
	__u8 reason = 0;

	if (bpf_probe_read_user(&pc, sizeof(pc), (void *)(gp + g_sched_pc)) ||
	    bpf_probe_read_user(&bp, sizeof(bp), (void *)(gp + g_sched_bp)) ||
	    bpf_probe_read_user(&reason, sizeof(reason), (void *)(gp + g_waitreason)))
		pc = 0;
	p.site.reason = reason;
	p.site.stack = pc ? keep_stack(pc, bp) : 0;
	start_park(gp, &p);
	count(BC_CONFIRMED);
}

/* g is runnable from now, not woken from a park we saw (site: none). */
static __always_inline void set_runnable(__u64 gp, __u64 now, struct block_park *e)
{
	struct block_park r = {.start_ns = now, .runnable = 1};

	if (e) {
		e->start_ns = now;
		e->site.reason = BLOCK_NO_SITE;
		e->runnable = 1;
		e->idle = 0;
		return;
	}
	r.site.reason = BLOCK_NO_SITE;
	bpf_map_update_elem(&parks, &gp, &r, BPF_ANY);
}

static __always_inline void on_wake(__u64 gp, __u64 now, __u64 cookie)
{
	struct block_park *p = bpf_map_lookup_elem(&parks, &gp);
	struct block_site_stats *s;
	struct block_site_key k;
	__u64 ns;

	if (!in_flight(p) || p->runnable) {
		count(BC_WAKE_UNKNOWN);
		set_runnable(gp, now, p);
		return;
	}
	if (cookie & CASG_FROM_PARK_M) {
		count(BC_CANCELLED);
		set_runnable(gp, now, p);
		return;
	}
	count(BC_WAKES);
	ns = now - p->start_ns;
	k = p->site;
	/* Now on the run queue, still carrying its site (for the run-queue time). */
	p->start_ns = now;
	p->runnable = 1;
	if (ns < min_block_ns) {
		count(BC_SHORT);
		return;
	}
	s = site_stats(&k);
	if (s)
		add_block(s, ns);
}

static __always_inline void on_run(__u64 gp, __u64 now)
{
	struct block_park *r = bpf_map_lookup_elem(&parks, &gp);
	struct block_site_stats *s;
	struct block_site_key k;
	__u32 zero = 0;
	__u64 ns;

	count(BC_RUNS);
	if (!in_flight(r))
		return;
	/* Kept, idle, for the next park (an update in place, not a new element). */
	r->idle = 1;
	if (!r->runnable) {
		/* Running again without a wake we saw: a wake path we do not probe. */
		count(BC_MISSED_WAKE);
		return;
	}
	count(BC_RUNS_MATCHED);
	ns = now - r->start_ns;
	k = r->site;
	s = bpf_map_lookup_elem(&sched_all, &zero);
	if (s)
		add_block(s, ns);
	if (k.reason == BLOCK_NO_SITE)
		return;
	s = bpf_map_lookup_elem(&sites, &k);
	if (s) {
		s->sched_count++;
		s->sched_total_ns += ns;
	}
}

/*
 * casgstatus(gp, oldval, newval): at its entry, or at a CALL to it (the
 * arguments are already in RAX, EBX, ECX there, and the kernel emulates a
 * CALL: one trap, no single-step).
 */
SEC("uprobe")
int block_casg(struct pt_regs *ctx)
{
	__u64 gp = GO_PARAM1(ctx), now;
	__u32 oldv = GO_PARAM2(ctx) & 0xffffffff, newv = GO_PARAM3(ctx) & 0xffffffff;
	struct block_park *p;

	if (filter_tgid && current_tgid() != filter_tgid)
		return 0;
	count(BC_CASG_HITS);
	now = bpf_ktime_get_ns();
	if (oldv == G_RUNNING && newv == G_WAITING) {
		if (bpf_get_attach_cookie(ctx) & CASG_RECORD_PARK) {
			park_at_park_m(gp, now);
			return 0;
		}
		p = bpf_map_lookup_elem(&parks, &gp);
		if (in_flight(p) && !p->runnable && !p->confirmed) {
			p->confirmed = 1;
			count(BC_CONFIRMED);
		}
	} else if (oldv == G_WAITING && newv == G_RUNNABLE) {
		on_wake(gp, now, bpf_get_attach_cookie(ctx));
	} else if (newv == G_RUNNABLE) {
		p = bpf_map_lookup_elem(&parks, &gp);
		/* Parked, yet made runnable from another state: its wake went unseen. */
		if (in_flight(p) && !p->runnable)
			count(BC_MISSED_WAKE);
		set_runnable(gp, now, p);
	} else if (oldv == G_RUNNABLE && newv == G_RUNNING) {
		on_run(gp, now);
	}
	return 0;
}
