// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace oom: OOM kills and the memory-cgroup charge path that led there.
 *
 * Kill: one record per victim on the ring buffer, woken at once (a victim
 * dies within milliseconds and userspace wants its /proc entries first).
 * Where it comes from is the hook's mechanism (kern/hooks.c "oom_kill"):
 *   fentry/kprobe oom_kill_process  oom_control: constraint, domain, victim
 *   tp_btf/raw_tp oom:mark_victim   the victim's task_struct
 *   tracefs       oom:mark_victim   the record's fields; the trigger's memcg
 * Each mechanism is a thin wrapper around the same bodies (STYLE.md §3).
 *
 * Charge path (hot: every page fault fires memcg:count_memcg_events): the
 * first instruction drops the items gotrace does not count, the rest
 * aggregate per memcg in a hash map; nothing goes to userspace per event.
 * The memcg's own event counters (memory.events max/high/oom/oom_kill) do
 * not pass through that tracepoint (they are memcg_memory_event(), no
 * tracepoint, checked on 6.18): they are read from the memcg at each
 * reclaim and at the kill.
 *
 * Go heap: the words userspace named for a Go process are copied in its own
 * context at its death, the kill hook or its SIGKILL's delivery (oom.h).
 */
#include "common.bpf.h"
#include "core_fixes.bpf.h"
#include "oom.h"

char LICENSE[] SEC("license") = "GPL";

/* PAGE_SHIFT - 10, set by userspace from its page size (pages → KiB). */
const volatile __u32 kib_shift = 2;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 * 1024);
} execs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64); /* memcg cgroup id */
	__type(value, struct oom_memcg_stats);
} memcg_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);   /* thread id */
	__type(value, __u64); /* ktime at reclaim begin */
} reclaim_start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct oom_bpf_stats);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32); /* tgid */
	__type(value, struct oom_go_heap_addrs);
} go_heap_addrs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32); /* tgid */
	__type(value, struct oom_go_heap_snap);
} go_heap_snaps SEC(".maps");

static __always_inline struct oom_bpf_stats *get_stats(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&stats, &zero);
}

/* ------------------------------------------------------------ memcg reads */

/*
 * The enum values below are CO-RE relocated (they differ between kernel
 * configs), so they are runtime values: index arrays by hand.
 */
static __always_inline struct cgroup_subsys_state *task_memcg_css(struct task_struct *t)
{
	int id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	struct css_set *cs = BPF_CORE_READ(t, cgroups);
	struct cgroup_subsys_state *css = NULL;

	if (!cs || id < 0 || id >= 32)
		return NULL;
	bpf_probe_read_kernel(&css, sizeof(css),
			      __builtin_preserve_access_index(&cs->subsys[0]) + id);
	return css;
}

/* The css is the mem_cgroup's first member, but do not count on it. */
static __always_inline struct mem_cgroup *css_memcg(struct cgroup_subsys_state *css)
{
	return (struct mem_cgroup *)((void *)css - bpf_core_field_offset(struct mem_cgroup, css));
}

static __always_inline __u64 css_cgroup_id(struct cgroup_subsys_state *css)
{
	return kernfs_node_id(BPF_CORE_READ(css, cgroup, kn));
}

/* memory_events_local[] exists since v5.2, commit 1e577f970f66 (memory.events.local). */
static __always_inline __u64 memcg_event_local(struct mem_cgroup *m, int ev)
{
	long v = 0;

	if (!bpf_core_field_exists(m->memory_events_local) || ev < 0 || ev >= 16)
		return 0;
	bpf_probe_read_kernel(&v, sizeof(v),
			      __builtin_preserve_access_index(&m->memory_events_local[0]) + ev);
	return v;
}

static __always_inline void read_level(struct oom_memcg_level *lv, struct cgroup_subsys_state *css)
{
	struct mem_cgroup *m = css_memcg(css);

	lv->cgroup_id = css_cgroup_id(css);
	lv->usage_pages = BPF_CORE_READ(m, memory.usage.counter);
	lv->max_pages = BPF_CORE_READ(m, memory.max);
	lv->high_pages = BPF_CORE_READ(m, memory.high);
	lv->watermark_pages = BPF_CORE_READ(m, memory.watermark);
	lv->failcnt = BPF_CORE_READ(m, memory.failcnt);
	lv->ev_high =
		memcg_event_local(m, bpf_core_enum_value(enum memcg_memory_event, MEMCG_HIGH));
	lv->ev_max = memcg_event_local(m, bpf_core_enum_value(enum memcg_memory_event, MEMCG_MAX));
	lv->ev_oom = memcg_event_local(m, bpf_core_enum_value(enum memcg_memory_event, MEMCG_OOM));
	lv->ev_oom_kill =
		memcg_event_local(m, bpf_core_enum_value(enum memcg_memory_event, MEMCG_OOM_KILL));
}

/* The memcg and its ancestors up to the root, innermost first. */
static __always_inline void read_levels(struct oom_kill_event *e, struct cgroup_subsys_state *css)
{
	__u32 i;

	for (i = 0; i < OOM_MAX_LEVELS; i++) {
		if (!css)
			break;
		read_level(&e->levels[i], css);
		css = BPF_CORE_READ(css, parent);
	}
	e->nlevels = i;
}

/* ------------------------------------------------------------ Go heap */

/*
 * Copies the words named for the current process, once per process: the
 * first of its threads to get here reads them (the others die the same
 * instant). bpf_probe_read_user does not fault pages in: memory the OOM
 * reaper already unmapped reads as an error, kept in err.
 */
static __always_inline void go_heap_snapshot(__u32 where)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32, i;
	struct oom_go_heap_addrs *a = bpf_map_lookup_elem(&go_heap_addrs, &tgid);
	struct task_struct *cur;
	struct oom_go_heap_snap s = {}, *old;
	struct oom_bpf_stats *st;

	if (!a)
		return;
	cur = (struct task_struct *)bpf_get_current_task();
	s.start_boottime_ns = task_start_boottime(BPF_CORE_READ(cur, group_leader));
	old = bpf_map_lookup_elem(&go_heap_snaps, &tgid);
	if (old && old->start_boottime_ns == s.start_boottime_ns)
		return;
	s.ktime_ns = bpf_ktime_get_ns();
	s.tid = (__u32)pid_tgid;
	s.where = where;
	for (i = 0; i < OOM_GO_HEAP_WORDS && i < a->nwords; i++) {
		long err = bpf_probe_read_user(&s.words[i], sizeof(s.words[i]),
					       (const void *)a->addr[i]);

		if (!err)
			s.nread++;
		else if (!s.err)
			s.err = (__s32)err;
	}
	bpf_map_update_elem(&go_heap_snaps, &tgid, &s, BPF_ANY);
	st = get_stats();
	if (st) {
		__sync_fetch_and_add(&st->go_heap_reads, 1);
		if (s.err)
			__sync_fetch_and_add(&st->go_heap_faults, 1);
	}
}

/* A victim that ran the OOM killer itself is current: its memory is readable now. */
static __always_inline void go_heap_if_victim(const struct oom_kill_event *e)
{
	if (e->victim_pid == e->trigger_pid || e->victim_pid == e->trigger_tid)
		go_heap_snapshot(OOM_HEAP_AT_KILL);
}

/* signal_deliver: a SIGKILL is about to end the current process (any other signal: nothing). */
static __always_inline int on_signal(int sig)
{
	if (sig == 9 /* SIGKILL */)
		go_heap_snapshot(OOM_HEAP_AT_SIGKILL);
	return 0;
}

SEC("?tp_btf/signal_deliver")
int BPF_PROG(sigkill_tp_btf, int sig)
{
	return on_signal(sig);
}

SEC("?raw_tp/signal_deliver")
int BPF_PROG(sigkill_raw_tp, int sig)
{
	return on_signal(sig);
}

SEC("?tracepoint/signal/signal_deliver")
int sigkill_tp(struct trace_event_raw_signal_deliver *ctx)
{
	return on_signal(ctx->sig);
}

/* ------------------------------------------------------------ execs */

static __always_inline int on_exec(void)
{
	struct oom_exec_event *e = bpf_ringbuf_reserve(&execs, sizeof(*e), 0);

	if (!e)
		return 0; /* full: the next round of cgroup reads still finds the process */
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->pad = 0;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("?tp_btf/sched_process_exec")
int BPF_PROG(exec_tp_btf)
{
	return on_exec();
}

SEC("?raw_tp/sched_process_exec")
int BPF_PROG(exec_raw_tp)
{
	return on_exec();
}

SEC("?tracepoint/sched/sched_process_exec")
int exec_tp(void *ctx)
{
	return on_exec();
}

/* ------------------------------------------------------------ kill records */

/*
 * Ring buffer memory is not zeroed, and a record this size is too big for
 * an inline memset: a bounded loop (accepted since v5.3) of volatile stores,
 * which clang cannot turn back into a memset call.
 */
static __always_inline void zero_words(void *p, __u32 n)
{
	volatile __u64 *w = p;
	__u32 i;

	for (i = 0; i < n && i < 512; i++)
		w[i] = 0;
}

static __always_inline struct oom_kill_event *kill_begin(void *ctx)
{
	struct oom_kill_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	struct oom_bpf_stats *st = get_stats();
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	if (!e) {
		if (st)
			__sync_fetch_and_add(&st->ringbuf_drops, 1);
		return NULL;
	}
	zero_words(e, sizeof(*e) / 8);
	e->ktime_ns = bpf_ktime_get_ns();
	e->boot_ns = bpf_ktime_get_boot_ns();
	e->trigger_pid = pid_tgid >> 32;
	e->trigger_tid = (__u32)pid_tgid;
	e->trigger_cgroup_id = bpf_get_current_cgroup_id();
	e->constraint = OOM_CONSTRAINT_UNKNOWN;
	bpf_get_current_comm(e->trigger_comm, sizeof(e->trigger_comm));
	/* The path that ran the OOM killer tells memcg OOM from a node OOM. */
	e->kstack_bytes = bpf_get_stack(ctx, e->kstack, sizeof(e->kstack), 0);
	if (st)
		__sync_fetch_and_add(&st->kills, 1);
	return e;
}

static __always_inline void kill_submit(struct oom_kill_event *e)
{
	/* Rare and urgent: wake userspace now, before the victim is gone. */
	bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
}

/* What the victim's task_struct says (everything the tracefs record has, and more). */
static __always_inline void fill_victim(struct oom_kill_event *e, struct task_struct *v)
{
	struct mm_struct *mm = BPF_CORE_READ(v, mm);

	e->victim_pid = BPF_CORE_READ(v, tgid);
	e->victim_tid = BPF_CORE_READ(v, pid);
	BPF_CORE_READ_STR_INTO(&e->victim_comm, v, comm);
	e->victim_uid = BPF_CORE_READ(v, real_cred, uid.val);
	e->oom_score_adj = BPF_CORE_READ(v, signal, oom_score_adj);
	e->victim_start_boottime_ns = task_start_boottime(v);
	e->victim_cgroup_id = kernfs_node_id(BPF_CORE_READ(v, cgroups, dfl_cgrp, kn));
	e->flags |= OOM_F_START_TIME | OOM_F_SCORE_ADJ | OOM_F_LEVELS_OF_VICTIM;
	if (mm) {
		/* Pages → KiB as the kernel's own "Killed process" line (K()). */
		e->total_vm_kib = BPF_CORE_READ(mm, total_vm) << kib_shift;
		e->file_rss_kib = mm_counter_pages(mm, 0) << kib_shift;
		e->anon_rss_kib = mm_counter_pages(mm, 1) << kib_shift;
		e->shmem_rss_kib = mm_counter_pages(mm, 3) << kib_shift;
		e->pgtables_kib = BPF_CORE_READ(mm, pgtables_bytes.counter) >> 10;
		e->flags |= OOM_F_RSS;
	}
	read_levels(e, task_memcg_css(v));
}

_Static_assert(sizeof(struct oom_kill_event) % 8 == 0, "kill record is zeroed by words");

static __always_inline int kill_from_task(void *ctx, struct task_struct *v, __u32 source)
{
	struct oom_kill_event *e = kill_begin(ctx);

	if (!e)
		return 0;
	e->source = source;
	fill_victim(e, v);
	go_heap_if_victim(e);
	kill_submit(e);
	return 0;
}

/* fentry/kprobe oom_kill_process(struct oom_control *oc, const char *message). */
static __always_inline int kill_from_oc(void *ctx, struct oom_control *oc)
{
	struct oom_kill_event *e = kill_begin(ctx);
	struct mem_cgroup *memcg;

	if (!e)
		return 0;
	e->source = OOM_SRC_KILL_PROCESS;
	fill_victim(e, BPF_CORE_READ(oc, chosen));
	e->constraint = BPF_CORE_READ(oc, constraint);
	e->totalpages = BPF_CORE_READ(oc, totalpages);
	e->chosen_points = BPF_CORE_READ(oc, chosen_points);
	memcg = BPF_CORE_READ(oc, memcg);
	if (memcg) {
		e->oc_memcg_id = kernfs_node_id(BPF_CORE_READ(memcg, css.cgroup, kn));
		e->flags |= OOM_F_OC_MEMCG;
	}
	go_heap_if_victim(e);
	kill_submit(e);
	return 0;
}

/* tracefs oom:mark_victim: the record, and the trigger's memcg (the domain's descendant). */
static __always_inline int kill_from_record(struct trace_event_raw_mark_victim *rec)
{
	struct oom_kill_event *e = kill_begin(rec);
	struct task_struct *cur = (struct task_struct *)bpf_get_current_task();

	if (!e)
		return 0;
	e->source = OOM_SRC_VICTIM_TP;
	e->victim_pid = rec->pid;
	if (mark_victim_has_task()) {
		unsigned int loc = rec->__data_loc_comm & 0xffff;

		bpf_probe_read_kernel_str(e->victim_comm, sizeof(e->victim_comm),
					  (void *)rec + loc);
		e->total_vm_kib = rec->total_vm;
		e->anon_rss_kib = rec->anon_rss;
		e->file_rss_kib = rec->file_rss;
		e->shmem_rss_kib = rec->shmem_rss;
		e->pgtables_kib = rec->pgtables;
		e->victim_uid = rec->uid;
		e->oom_score_adj = rec->oom_score_adj;
		e->flags |= OOM_F_RSS | OOM_F_SCORE_ADJ;
	}
	read_levels(e, task_memcg_css(cur));
	go_heap_if_victim(e);
	kill_submit(e);
	return 0;
}

/* raw_tp/tp_btf mark_victim: (task, uid) since v6.8, (pid) before (core_fixes.bpf.h). */
static __always_inline int kill_from_raw_args(void *ctx, __u64 arg0, __u32 source)
{
	if (mark_victim_has_task())
		return kill_from_task(ctx, (struct task_struct *)arg0, source);
	/* Only the pid: what the tracefs path knows without its record. */
	{
		struct oom_kill_event *e = kill_begin(ctx);
		struct task_struct *cur = (struct task_struct *)bpf_get_current_task();

		if (!e)
			return 0;
		e->source = source;
		e->victim_pid = (__u32)arg0;
		read_levels(e, task_memcg_css(cur));
		go_heap_if_victim(e);
		kill_submit(e);
	}
	return 0;
}

SEC("?fentry/oom_kill_process")
int BPF_PROG(oom_kill_fentry, struct oom_control *oc, const char *message)
{
	return kill_from_oc(ctx, oc);
}

SEC("?kprobe/oom_kill_process")
int BPF_KPROBE(oom_kill_kprobe, struct oom_control *oc)
{
	return kill_from_oc(ctx, oc);
}

SEC("?tp_btf/mark_victim")
int BPF_PROG(oom_victim_tp_btf, __u64 arg0)
{
	return kill_from_raw_args(ctx, arg0, OOM_SRC_VICTIM_TASK);
}

SEC("?raw_tp/mark_victim")
int BPF_PROG(oom_victim_raw_tp, __u64 arg0)
{
	return kill_from_raw_args(ctx, arg0, OOM_SRC_VICTIM_TASK);
}

SEC("?tracepoint/oom/mark_victim")
int oom_victim_tp(struct trace_event_raw_mark_victim *ctx)
{
	return kill_from_record(ctx);
}

/* ------------------------------------------------------------ charge path */

static __always_inline struct oom_memcg_stats *stats_for(__u64 id)
{
	struct oom_memcg_stats *s = bpf_map_lookup_elem(&memcg_stats, &id);
	struct oom_memcg_stats zero = {};
	struct oom_bpf_stats *st;

	if (s)
		return s;
	if (bpf_map_update_elem(&memcg_stats, &id, &zero, BPF_NOEXIST) && (st = get_stats()))
		__sync_fetch_and_add(&st->memcg_map_full, 1);
	return bpf_map_lookup_elem(&memcg_stats, &id);
}

/*
 * memcg:count_memcg_events fires on every page fault (PGFAULT), so the item
 * test comes first and everything else is for the rare items: reclaim
 * scanning and refaults, which say the memcg is at its limit.
 */
static __always_inline int count_event(__u64 id_or_zero, struct mem_cgroup *memcg, int item,
				       __u64 val)
{
	struct oom_memcg_stats *s;
	__u64 id = id_or_zero;

	if (item != bpf_core_enum_value(enum vm_event_item, PGSCAN_DIRECT) &&
	    item != bpf_core_enum_value(enum vm_event_item, PGSTEAL_DIRECT) &&
	    item != bpf_core_enum_value(enum vm_event_item, PGMAJFAULT) &&
	    item != bpf_core_enum_value(enum vm_event_item, OOM_KILL))
		return 0;
	if (memcg)
		id = kernfs_node_id(BPF_CORE_READ(memcg, css.cgroup, kn));
	s = stats_for(id);
	if (!s)
		return 0;
	if (item == bpf_core_enum_value(enum vm_event_item, PGSCAN_DIRECT))
		__sync_fetch_and_add(&s->pgscan_direct, val);
	else if (item == bpf_core_enum_value(enum vm_event_item, PGSTEAL_DIRECT))
		__sync_fetch_and_add(&s->pgsteal_direct, val);
	else if (item == bpf_core_enum_value(enum vm_event_item, PGMAJFAULT))
		__sync_fetch_and_add(&s->pgmajfault, val);
	else
		__sync_fetch_and_add(&s->oom_kill_vmevents, val);
	return 0;
}

SEC("?tp_btf/count_memcg_events")
int BPF_PROG(memcg_events_tp_btf, struct mem_cgroup *memcg, int item, unsigned long val)
{
	return count_event(0, memcg, item, val);
}

SEC("?raw_tp/count_memcg_events")
int BPF_PROG(memcg_events_raw_tp, struct mem_cgroup *memcg, int item, unsigned long val)
{
	return count_event(0, memcg, item, val);
}

SEC("?tracepoint/memcg/count_memcg_events")
int memcg_events_tp(struct trace_event_raw_memcg_rstat_events *ctx)
{
	return count_event(ctx->id, NULL, ctx->item, ctx->val);
}

static __always_inline int reclaim_begin(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 now = bpf_ktime_get_ns();

	bpf_map_update_elem(&reclaim_start, &tid, &now, BPF_ANY);
	return 0;
}

/* After a reclaim: its duration, and the memcg's counters as they stand now. */
static __always_inline int reclaim_end(__u64 nr_reclaimed)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct task_struct *cur = (struct task_struct *)bpf_get_current_task();
	struct cgroup_subsys_state *css = task_memcg_css(cur);
	__u64 *start = bpf_map_lookup_elem(&reclaim_start, &tid), now = bpf_ktime_get_ns(), dur;
	struct oom_memcg_stats *s;
	struct oom_memcg_level lv;

	if (!start) {
		struct oom_bpf_stats *st = get_stats();

		if (st)
			__sync_fetch_and_add(&st->reclaim_unpaired, 1);
		return 0;
	}
	dur = now - *start;
	bpf_map_delete_elem(&reclaim_start, &tid);
	if (!css)
		return 0;
	read_level(&lv, css);
	s = stats_for(lv.cgroup_id);
	if (!s)
		return 0;
	__sync_fetch_and_add(&s->reclaim_count, 1);
	__sync_fetch_and_add(&s->reclaim_ns_total, dur);
	__sync_fetch_and_add(&s->reclaimed_pages, nr_reclaimed);
	if (dur > s->reclaim_ns_max)
		s->reclaim_ns_max = dur;
	if (!s->reclaim_first_ns)
		s->reclaim_first_ns = now;
	s->reclaim_last_ns = now;
	s->usage_pages_last = lv.usage_pages;
	s->max_pages = lv.max_pages;
	s->ev_high = lv.ev_high;
	s->ev_max = lv.ev_max;
	s->ev_oom = lv.ev_oom;
	s->ev_oom_kill = lv.ev_oom_kill;
	return 0;
}

SEC("?tp_btf/mm_vmscan_memcg_reclaim_begin")
int BPF_PROG(reclaim_begin_tp_btf)
{
	return reclaim_begin();
}

SEC("?raw_tp/mm_vmscan_memcg_reclaim_begin")
int BPF_PROG(reclaim_begin_raw_tp)
{
	return reclaim_begin();
}

SEC("?tracepoint/vmscan/mm_vmscan_memcg_reclaim_begin")
int reclaim_begin_tp(void *ctx)
{
	return reclaim_begin();
}

SEC("?tp_btf/mm_vmscan_memcg_reclaim_end")
int BPF_PROG(reclaim_end_tp_btf, unsigned long nr_reclaimed)
{
	return reclaim_end(nr_reclaimed);
}

SEC("?raw_tp/mm_vmscan_memcg_reclaim_end")
int BPF_PROG(reclaim_end_raw_tp, unsigned long nr_reclaimed)
{
	return reclaim_end(nr_reclaimed);
}

SEC("?tracepoint/vmscan/mm_vmscan_memcg_reclaim_end")
int reclaim_end_tp(struct trace_event_raw_mm_vmscan_direct_reclaim_end_template *ctx)
{
	return reclaim_end(ctx->nr_reclaimed);
}
