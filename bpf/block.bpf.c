// SPDX-License-Identifier: GPL-2.0
/* gotrace block: see block.h for the model. */
#include "common.bpf.h"
#include "go_abi.bpf.h"
#include "block.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 filter_tgid = 0;
const volatile __u64 min_block_ns = 0;

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 16384);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, BLOCK_STACK_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

/* LRU: goroutines that park forever or exit while parked must not fill it. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 262144);
	__type(key, __u64); /* g pointer */
	__type(value, struct block_park);
} parks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct block_runq);
} runq SEC(".maps");

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

SEC("uprobe")
int block_gopark(struct pt_regs *ctx)
{
	__u64 g = GO_G(ctx);
	struct block_park p = {}, *old;
	long id;

	if (filter_tgid && current_tgid() != filter_tgid)
		return 0;
	count(BC_PARKS);
	old = bpf_map_lookup_elem(&parks, &g);
	if (old) {
		/* Unconfirmed: gopark re-entered through morestack (GO-RUNTIME.md §10.7). */
		count(old->confirmed ? BC_MISSED_WAKE : BC_PARK_REFIRE);
	}
	p.start_ns = bpf_ktime_get_ns();
	p.site.reason = GO_PARAM3(ctx) & 0xff;
	/*
	 * The kernel unwinds [pc, [bp+8], ...]: at gopark's first instructions
	 * BP is still the caller's, so the caller itself is only at [SP].
	 */
	bpf_probe_read_user(&p.site.caller, sizeof(p.site.caller), (void *)GO_SP(ctx));
	id = bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
	if (id < 0)
		count(BC_STACK_ERRORS);
	p.site.stackid = id < 0 ? -1 : (__s32)id;
	if (bpf_map_update_elem(&parks, &g, &p, BPF_ANY))
		count(BC_MAP_FULL);
	return 0;
}

static __always_inline void on_wake(__u64 gp, __u64 now, __u64 cookie)
{
	struct block_park *p = bpf_map_lookup_elem(&parks, &gp);
	struct block_runq r = {.since_ns = now};
	struct block_site_stats *s;
	__u64 ns;

	r.site.stackid = -2;
	if (!p) {
		count(BC_WAKE_UNKNOWN);
		goto runnable;
	}
	if (cookie & CASG_FROM_PARK_M) {
		count(BC_CANCELLED);
		bpf_map_delete_elem(&parks, &gp);
		goto runnable;
	}
	count(BC_WAKES);
	ns = now - p->start_ns;
	r.site = p->site;
	bpf_map_delete_elem(&parks, &gp);
	if (ns < min_block_ns) {
		count(BC_SHORT);
		goto runnable;
	}
	s = site_stats(&r.site);
	if (s)
		add_block(s, ns);
runnable:
	bpf_map_update_elem(&runq, &gp, &r, BPF_ANY);
}

static __always_inline void on_run(__u64 gp, __u64 now)
{
	struct block_runq *r = bpf_map_lookup_elem(&runq, &gp);
	struct block_site_stats *s;
	struct block_site_key k;
	__u32 zero = 0;
	__u64 ns;

	count(BC_RUNS);
	if (bpf_map_lookup_elem(&parks, &gp)) {
		/* Running again without a wake we saw: a wake path we do not probe. */
		count(BC_MISSED_WAKE);
		bpf_map_delete_elem(&parks, &gp);
	}
	if (!r)
		return;
	count(BC_RUNS_MATCHED);
	ns = now - r->since_ns;
	k = r->site;
	bpf_map_delete_elem(&runq, &gp);
	s = bpf_map_lookup_elem(&sched_all, &zero);
	if (s)
		add_block(s, ns);
	if (k.stackid == -2)
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
		p = bpf_map_lookup_elem(&parks, &gp);
		if (p && !p->confirmed) {
			p->confirmed = 1;
			count(BC_CONFIRMED);
		}
	} else if (oldv == G_WAITING && newv == G_RUNNABLE) {
		on_wake(gp, now, bpf_get_attach_cookie(ctx));
	} else if (newv == G_RUNNABLE) {
		struct block_runq r = {.since_ns = now};

		r.site.stackid = -2;
		bpf_map_update_elem(&runq, &gp, &r, BPF_ANY);
	} else if (oldv == G_RUNNABLE && newv == G_RUNNING) {
		on_run(gp, now);
	}
	return 0;
}
