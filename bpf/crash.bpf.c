// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace crash / bind: the kernel side. Why each in-scope process died:
 * exec (and failed exec), exit with its code or signal, who sent that
 * signal, failed syscalls before it (openat, connect, bind, listen),
 * capability denials, the last KiB it wrote to stdout/stderr, and Go
 * fatal errors (uprobes on runtime.throw/fatal/fatalpanic).
 *
 * Every kernel hook has one __always_inline body and thin wrappers per
 * mechanism (tp_btf, raw_tp, tracefs; fexit/kprobe for cap_capable); the
 * backend enables the one kern/hooks.c chose. Everything autoloads off.
 *
 * Cost control: syscall hooks fire node-wide, so the cheapest test comes
 * first (the return value, the fd), then the scope test (a cache probe keyed
 * by the cgroup id, plain loads, no bpf_probe_read), then a per-process
 * rate limit; only stdout/stderr writes of in-scope processes are copied,
 * within a per-process byte budget, into a bounded per-process ring sent
 * once, at exit. What is left of an out-of-scope write's cost is the
 * kernel's syscall tracepoint path itself (bench/crash.sh; an empty
 * program costs nearly as much).
 */
#include "common.bpf.h"
#include "core_fixes.bpf.h"
#include "go_abi.bpf.h"
#include "crash.h"

char LICENSE[] SEC("license") = "GPL";

#define SIGKILL_NR 9
#define SIGSTOP_NR 19
#define PF_EXITING_FLAG 0x00000004 /* include/linux/sched.h */
#define EPERM_NR 1
#define ENOENT_NR 2
#define ENOEXEC_NR 8
#define EACCES_NR 13
#define EROFS_NR 30
#define ENETUNREACH_NR 101
#define ETIMEDOUT_NR 110
#define ECONNREFUSED_NR 111
#define EALREADY_NR 114
#define EINPROGRESS_NR 115
#define EINTR_NR 4
#define SOL_SOCKET_NR 1
#define SO_ERROR_NR 4
#define TCP_SYN_SENT_STATE 2
#define EHOSTUNREACH_NR 113
#define SI_USER_CODE 0
#define SI_KERNEL_CODE 0x80

/* Set by userspace before load (STYLE.md §2: filter_ for filters). */
const volatile __u32 scope_mode = CRASH_SCOPE_CONTAINERS;
const volatile __u64 filter_cgroup_id = 0;
const volatile __u32 self_tgid = 0;	      /* gotrace itself is never in scope */
const volatile bool hold_new_binaries = true; /* SIGSTOP the first exec of each binary */
const volatile bool hold_exec_fail = true;    /* SIGSTOP a failed exec for the ELF analysis */
const volatile bool report_bind_ok = false;   /* `bind`: successful bind/listen too */
const volatile bool capture_output = true;
/*
 * stdout/stderr bytes copied per process and second (0: no limit). Copying
 * is most of what an in-scope write costs (bpf_probe_read_user, ~40 ns
 * here per 64-byte write); a process writing more than this stops being
 * copied for the rest of that second and the exit event says how much is
 * missing. Only heavy writers are affected: the ring keeps 4 KiB anyway.
 */
const volatile __u32 out_budget_bytes = 1 << 20;
const volatile __u32 max_fail_per_sec = 64;
const volatile __u64 sig_mask = 0; /* terminating signals reported (bit n = signal n) */
/*
 * Capabilities whose denials are reported. CAP_SYS_ADMIN and
 * CAP_SYS_RESOURCE are left out by default: the kernel checks them as
 * harmless probes (a Go program is denied CAP_SYS_ADMIN ~20 times starting).
 */
const volatile __u64 cap_mask = ~((1ULL << 21) | (1ULL << 24));
/* Syscall numbers of this architecture, for the generic raw_syscalls fallback. */
const volatile __s32 nr_openat = -1, nr_connect = -1, nr_bind = -1, nr_listen = -1;
const volatile __s32 nr_execve = -1, nr_write = -1, nr_getsockopt = -1, nr_writev = -1;
const volatile __u32 generic_mask = 0; /* 1 << enum crash_sc handled by sys_enter/exit */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CRASH_STAT_NR);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

/*
 * cgroup id → in scope or not, so the kernfs walk runs once per cgroup. A
 * direct-mapped cache (index = id mod size, the id stored to check): an
 * array lookup the verifier inlines, on the hot path of every write of the
 * node, with no hashing and no LRU bookkeeping; a collision only costs a
 * walk.
 */
#define SCOPE_CACHE_SIZE 16384
/* cgroup v1 and cgroup2 kernfs ids are counted apart: a v1 memory cgroup's key gets this bit. */
#define SCOPE_V1_KEY (1ULL << 63)

struct scope_ent {
	__u64 id;
	__u32 in; /* 1 in scope, 2 not */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SCOPE_CACHE_SIZE);
	__type(key, __u32);
	__type(value, struct scope_ent);
} scope_cache SEC(".maps");

/* CRASH_SCOPE_PIDS: the target and its descendants. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} tracked SEC(".maps");

struct proc_state {
	__u64 out_total;
	__u64 fail_window_ns;
	__u32 fail_count;
	__u32 out_window_bytes;	 /* copied in the current budget window */
	__u64 out_window_ns;	 /* its start */
	__u64 out_skip_writes;	 /* writes over the budget: the clock is read on every 16th */
	__u64 out_skipped;	 /* over the budget, in all */
	__u64 out_skipped_after; /* ... since the last byte copied */
	/* A CRASH_OUT_RING ring; the second half only absorbs a copy that wraps. */
	char out[2 * CRASH_OUT_RING];
};

/* Per process (tgid), created on first need, deleted at exit. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct proc_state);
} procs SEC(".maps");

struct bin_key {
	__u64 dev;
	__u64 ino;
};

#define BIN_PENDING 1
#define BIN_DONE 2

/* Executables userspace has looked at (Go: uprobes attached). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct bin_key);
	__type(value, __u32);
} bins SEC(".maps");

/* Go runtime layout per probed binary (the cookie's slot). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, CRASH_MAX_BINARIES);
	__type(key, __u32);
	__type(value, struct crash_go_layout);
} go_layouts SEC(".maps");

/* The zero value new proc_state entries are created from (too big for the stack). */
static struct proc_state zero_state;

static __always_inline void stat_add(__u32 which, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &which);

	if (v)
		*v += n;
}

static __always_inline void *reserve(__u64 size)
{
	void *p = bpf_ringbuf_reserve(&events, size, 0);

	if (!p)
		stat_add(CRASH_STAT_RB_FULL, 1);
	return p;
}

static __always_inline void submit(void *p)
{
	stat_add(CRASH_STAT_EVENTS, 1);
	bpf_ringbuf_submit(p, 0);
}

static __always_inline struct task_struct *cur(void)
{
	return (struct task_struct *)bpf_get_current_task();
}

/* ------------------------------------------------------------------ cgroups */

/* The cgroup2 node; on a node without cgroup2 placement, the memory controller's. */
static __always_inline struct kernfs_node *task_cg_kn(struct task_struct *t)
{
	struct kernfs_node *kn = BPF_CORE_READ(t, cgroups, dfl_cgrp, kn);
	struct cgroup_subsys_state *css = NULL;
	struct css_set *cs;
	int id;

	if (!kn || kn_parent(kn))
		return kn;
	if (!bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id))
		return kn;
	id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	cs = BPF_CORE_READ(t, cgroups);
	bpf_probe_read_kernel(&css, sizeof(css), &cs->subsys[id & 15]);
	if (css) {
		struct kernfs_node *mkn = BPF_CORE_READ(css, cgroup, kn);

		if (mkn)
			return mkn;
	}
	return kn;
}

static __always_inline __u64 kn_id(struct kernfs_node *kn)
{
	return kn ? BPF_CORE_READ(kn, id) : 0;
}

static __always_inline bool has_prefix(const char *s, const char *p, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] != p[i])
			return false;
	return true;
}

/* Names container runtimes give cgroups (proc/cgroup_id.c documents them). */
static __always_inline bool container_name(const char *s)
{
	return has_prefix(s, "kubepods", 8) || has_prefix(s, "docker-", 7) ||
	       (has_prefix(s, "docker", 6) && s[6] == '\0') || has_prefix(s, "libpod-", 7) ||
	       has_prefix(s, "cri-containerd-", 15) || has_prefix(s, "crio-", 5) ||
	       has_prefix(s, "nerdctl-", 8);
}

/* One walk up the cgroup tree: does this cgroup belong to the scope? */
static __always_inline bool kn_in_scope(struct kernfs_node *kn)
{
	char name[16];

	for (int i = 0; i < 16 && kn; i++) {
		if (scope_mode == CRASH_SCOPE_CGROUP) {
			if (kn_id(kn) == filter_cgroup_id)
				return true;
		} else {
			__builtin_memset(name, 0, sizeof(name));
			bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(kn, name));
			if (container_name(name))
				return true;
		}
		kn = kn_parent(kn);
	}
	return false;
}

static __always_inline bool in_scope_tgid(struct task_struct *t, __u32 tgid)
{
	struct kernfs_node *kn;
	struct scope_ent *e;
	__u32 slot;
	__u64 id;

	if (tgid == self_tgid || tgid == 0)
		return false;
	if (scope_mode == CRASH_SCOPE_ALL)
		return true;
	if (scope_mode == CRASH_SCOPE_PIDS)
		return bpf_map_lookup_elem(&tracked, &tgid) != NULL;
	kn = task_cg_kn(t);
	id = kn_id(kn);
	if (kn != BPF_CORE_READ(t, cgroups, dfl_cgrp, kn))
		id |= SCOPE_V1_KEY;
	slot = (__u32)id & (SCOPE_CACHE_SIZE - 1);
	e = bpf_map_lookup_elem(&scope_cache, &slot);
	if (!e)
		return false;
	if (e->id == id && e->in)
		return e->in == 1;
	e->in = kn_in_scope(kn) ? 1 : 2;
	e->id = id;
	return e->in == 1;
}

static __always_inline bool in_scope(struct task_struct *t)
{
	return in_scope_tgid(t, BPF_CORE_READ(t, tgid));
}

/*
 * task_cg_kn(current)'s id, cheaply: the helper's cgroup2 id, and for a
 * process in the cgroup2 root (a hybrid node's host processes: all of
 * them on this kind of node) the memory controller's, read through the BTF
 * task pointer. Those are plain loads the JIT emits inline; the
 * BPF_CORE_READ chain of task_cg_kn costs a bpf_probe_read_kernel call per
 * pointer, which was most of the cost of an out-of-scope write (bench/crash.sh).
 */
static __always_inline __u64 current_cg_id(void)
{
	__u64 id = bpf_get_current_cgroup_id();
	struct task_struct *t;
	struct cgroup_subsys_state *css;
	struct kernfs_node *kn;
	int mid;

	if (id > 1 || !bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id))
		return id;
	mid = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	if (mid < 0 || mid >= CGROUP_SUBSYS_COUNT)
		return id;
	t = bpf_get_current_task_btf();
	css = t->cgroups->subsys[mid];
	kn = css ? css->cgroup->kn : NULL;
	return kn ? kn->id | SCOPE_V1_KEY : id;
}

/*
 * The hot path (every write to fd 1/2 and every failed open of the node):
 * one cache probe keyed by the cgroup id, no task walk; a miss decides
 * through in_scope_tgid, which fills the same slot.
 */
static __always_inline bool current_in_scope(void)
{
	__u32 tgid, slot;
	struct scope_ent *e;
	__u64 id;

	if (scope_mode == CRASH_SCOPE_ALL)
		return current_tgid() != self_tgid;
	tgid = current_tgid();
	if (scope_mode == CRASH_SCOPE_PIDS || tgid == self_tgid)
		return in_scope_tgid(cur(), tgid);
	id = current_cg_id();
	slot = (__u32)id & (SCOPE_CACHE_SIZE - 1);
	e = bpf_map_lookup_elem(&scope_cache, &slot);
	if (e && e->id == id && e->in)
		return e->in == 1;
	return in_scope_tgid(cur(), tgid);
}

static __always_inline void fill_cgpath(struct crash_cgpath *p, struct task_struct *t)
{
	struct kernfs_node *kn = task_cg_kn(t), *parent;
	int i;

	p->depth = 0;
	p->truncated = 0;
	for (i = 0; i < CRASH_CG_LEVELS && kn; i++) {
		parent = kn_parent(kn);
		if (!parent) /* the root has no name of its own */
			return;
		bpf_probe_read_kernel_str(p->names[i], CRASH_CG_NAME, BPF_CORE_READ(kn, name));
		p->depth = i + 1;
		kn = parent;
	}
	p->truncated = kn && kn_parent(kn);
}

/* ------------------------------------------------------------------ tasks */

/* The process's pid in its own pid namespace (1: a container's init). */
static __always_inline __u32 ns_tgid(struct task_struct *t, bool *ns_init)
{
	struct pid *p = BPF_CORE_READ(t, group_leader, thread_pid);
	unsigned int level = BPF_CORE_READ(p, level);
	struct upid up = {};

	bpf_probe_read_kernel(&up, sizeof(up), &p->numbers[level & 31]);
	*ns_init = level > 0 && up.nr == 1;
	return up.nr;
}

static __always_inline bool fill_hdr(struct crash_hdr *h, __u32 type, struct task_struct *t)
{
	bool ns_init;

	h->type = type;
	h->pid = BPF_CORE_READ(t, tgid);
	h->tid = BPF_CORE_READ(t, pid);
	h->ns_pid = ns_tgid(t, &ns_init);
	h->time_ns = bpf_ktime_get_ns();
	h->cgroup_id = kn_id(task_cg_kn(t));
	BPF_CORE_READ_STR_INTO(&h->comm, t, comm);
	return ns_init;
}

static __always_inline struct proc_state *proc_get(__u32 tgid, bool create)
{
	struct proc_state *st = bpf_map_lookup_elem(&procs, &tgid);

	if (st || !create)
		return st;
	if (bpf_map_update_elem(&procs, &tgid, &zero_state, BPF_NOEXIST) &&
	    !bpf_map_lookup_elem(&procs, &tgid)) {
		stat_add(CRASH_STAT_PROCS_FULL, 1);
		return NULL;
	}
	return bpf_map_lookup_elem(&procs, &tgid);
}

/* Failures per process and second: a process probing 10k paths must not flood the ring. */
static __always_inline bool rate_ok(__u32 tgid)
{
	struct proc_state *st = proc_get(tgid, true);
	__u64 now = bpf_ktime_get_ns();

	if (!st)
		return true;
	if (now - st->fail_window_ns > 1000000000ULL) {
		st->fail_window_ns = now;
		st->fail_count = 0;
	}
	if (st->fail_count >= max_fail_per_sec) {
		stat_add(CRASH_STAT_RATE, 1);
		return false;
	}
	st->fail_count++;
	return true;
}

static __always_inline void exe_id(struct task_struct *t, __u64 *dev, __u64 *ino)
{
	struct inode *inode = BPF_CORE_READ(t, mm, exe_file, f_inode);

	*dev = BPF_CORE_READ(inode, i_sb, s_dev);
	*ino = BPF_CORE_READ(inode, i_ino);
}

static __always_inline void hold_current(void)
{
	bpf_send_signal(SIGSTOP_NR);
	stat_add(CRASH_STAT_HOLDS, 1);
}

/* ------------------------------------------------------------------ exec */

/*
 * The first exec of each binary is held (SIGSTOP before its first
 * instruction) so userspace can attach the Go fatal-path uprobes before a
 * crash at startup, and snapshot cwd, environment and mounts.
 */
static __always_inline bool exec_hold(__u64 dev, __u64 ino)
{
	struct bin_key k = {.dev = dev, .ino = ino};
	__u32 *state, pending = BIN_PENDING;

	if (!hold_new_binaries)
		return false;
	state = bpf_map_lookup_elem(&bins, &k);
	if (state && *state == BIN_DONE)
		return false;
	if (!state)
		bpf_map_update_elem(&bins, &k, &pending, BPF_NOEXIST);
	hold_current();
	return true;
}

static __always_inline int on_exec(void *ctx, const char *kname, __u32 loc_off)
{
	struct task_struct *t = cur();
	struct crash_exec *e;
	__u64 dev, ino;
	bool held, ns_init;

	if (!in_scope(t))
		return 0;
	/* Reserve first: a process held without an event would never be released. */
	e = reserve(sizeof(*e));
	if (!e)
		return 0;
	exe_id(t, &dev, &ino);
	held = exec_hold(dev, ino);
	ns_init = fill_hdr(&e->h, CRASH_EV_EXEC, t);
	if (!held && !ns_init && scope_mode != CRASH_SCOPE_PIDS) {
		bpf_ringbuf_discard(e, 0);
		return 0;
	}
	e->flags = (held ? CRASH_F_HELD : 0) | (ns_init ? CRASH_F_NS_INIT : 0);
	e->ppid = BPF_CORE_READ(t, real_parent, tgid);
	e->dev = dev;
	e->ino = ino;
	if (kname)
		bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), kname);
	else
		bpf_probe_read_kernel_str(e->filename, sizeof(e->filename),
					  (char *)ctx + (loc_off & 0xffff));
	fill_cgpath(&e->cg, t);
	submit(e);
	return 0;
}

SEC("?tp_btf/sched_process_exec")
int BPF_PROG(exec_tp_btf, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	return on_exec(ctx, BPF_CORE_READ(bprm, filename), 0);
}

SEC("?raw_tp/sched_process_exec")
int BPF_PROG(exec_raw_tp, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	return on_exec(ctx, BPF_CORE_READ(bprm, filename), 0);
}

SEC("?tracepoint/sched/sched_process_exec")
int exec_tracepoint(struct trace_event_raw_sched_process_exec *ctx)
{
	return on_exec(ctx, NULL, ctx->__data_loc_filename);
}

/* ------------------------------------------------------------------ exit */

static __always_inline void copy_tail(struct crash_exit *e, __u32 tgid)
{
	struct proc_state *st = bpf_map_lookup_elem(&procs, &tgid);

	if (!st)
		return;
	e->out_total = st->out_total;
	e->out_skipped = st->out_skipped;
	e->out_skipped_after = st->out_skipped_after;
	if (st->out_skipped)
		e->flags |= CRASH_F_OUT_GAP;
	if (st->out_total) {
		/* The raw ring; userspace rotates it by out_total. */
		bpf_probe_read_kernel(e->out, CRASH_OUT_RING, st->out);
		e->out_len = st->out_total < CRASH_OUT_RING ? st->out_total : CRASH_OUT_RING;
		if (st->out_total > CRASH_OUT_RING)
			e->flags |= CRASH_F_OUT_TRUNC;
	}
	bpf_map_delete_elem(&procs, &tgid);
}

static __always_inline int on_exit(void)
{
	struct task_struct *t = cur();
	__u32 tgid = BPF_CORE_READ(t, tgid), code;
	struct crash_exit *e;
	bool ns_init;

	/* Only the last thread of the group: its exit code is the process's. */
	if (BPF_CORE_READ(t, signal, live.counter) != 0)
		return 0;
	if (!in_scope(t)) {
		bpf_map_delete_elem(&procs, &tgid);
		return 0;
	}
	code = BPF_CORE_READ(t, exit_code);
	e = reserve(sizeof(*e));
	if (!e) {
		bpf_map_delete_elem(&procs, &tgid);
		bpf_map_delete_elem(&tracked, &tgid);
		return 0;
	}
	ns_init = fill_hdr(&e->h, CRASH_EV_EXIT, t);
	e->exit_code = code;
	e->flags = (ns_init ? CRASH_F_NS_INIT : 0) | ((code & 0x80) ? CRASH_F_CORE : 0);
	e->start_ns = BPF_CORE_READ(t, group_leader, start_time);
	e->ppid = BPF_CORE_READ(t, real_parent, tgid);
	e->out_len = 0;
	e->out_total = 0;
	e->out_skipped = 0;
	e->out_skipped_after = 0;
	exe_id(t, &e->dev, &e->ino);
	copy_tail(e, tgid);
	bpf_map_delete_elem(&tracked, &tgid);
	/* A clean exit of a helper process explains no death. */
	if (code == 0 && !ns_init && scope_mode != CRASH_SCOPE_PIDS) {
		bpf_ringbuf_discard(e, 0);
		return 0;
	}
	fill_cgpath(&e->cg, t);
	submit(e);
	return 0;
}

SEC("?tp_btf/sched_process_exit")
int BPF_PROG(exit_tp_btf)
{
	return on_exit();
}

SEC("?raw_tp/sched_process_exit")
int BPF_PROG(exit_raw_tp)
{
	return on_exit();
}

SEC("?tracepoint/sched/sched_process_exit")
int exit_tracepoint(void *ctx)
{
	return on_exit();
}

/* ------------------------------------------------------------------ fork */

/* CRASH_SCOPE_PIDS follows the target's descendants. */
static __always_inline int on_fork(__u32 parent_tgid, __u32 child_pid, __u32 child_tgid)
{
	__u8 one = 1;

	if (scope_mode != CRASH_SCOPE_PIDS || child_pid != child_tgid)
		return 0;
	if (bpf_map_lookup_elem(&tracked, &parent_tgid))
		bpf_map_update_elem(&tracked, &child_tgid, &one, BPF_ANY);
	return 0;
}

SEC("?tp_btf/sched_process_fork")
int BPF_PROG(fork_tp_btf, struct task_struct *parent, struct task_struct *child)
{
	return on_fork(BPF_CORE_READ(parent, tgid), BPF_CORE_READ(child, pid),
		       BPF_CORE_READ(child, tgid));
}

SEC("?raw_tp/sched_process_fork")
int BPF_PROG(fork_raw_tp, struct task_struct *parent, struct task_struct *child)
{
	return on_fork(BPF_CORE_READ(parent, tgid), BPF_CORE_READ(child, pid),
		       BPF_CORE_READ(child, tgid));
}

/* The tracefs event has no tgid: a thread gets an entry it never uses. */
SEC("?tracepoint/sched/sched_process_fork")
int fork_tracepoint(struct trace_event_raw_sched_process_fork *ctx)
{
	return on_fork(current_tgid(), ctx->child_pid, ctx->child_pid);
}

/* ------------------------------------------------------------------ signals */

static __always_inline bool sig_wanted(int sig)
{
	return sig > 0 && sig < 64 && (sig_mask & (1ULL << sig));
}

/* info may be the kernel's SEND_SIG_NOINFO (0) or SEND_SIG_PRIV (1) markers. */
static __always_inline int siginfo_code(struct kernel_siginfo *info)
{
	if ((unsigned long)info == 0)
		return SI_USER_CODE;
	if ((unsigned long)info == 1)
		return SI_KERNEL_CODE;
	return BPF_CORE_READ(info, si_code);
}

static __always_inline void fill_sender(struct crash_signal *e, struct task_struct *s)
{
	e->sender_pid = BPF_CORE_READ(s, tgid);
	e->sender_tid = BPF_CORE_READ(s, pid);
	e->sender_ppid = BPF_CORE_READ(s, real_parent, tgid);
	e->sender_cgroup_id = kn_id(task_cg_kn(s));
	BPF_CORE_READ_STR_INTO(&e->sender_comm, s, comm);
	BPF_CORE_READ_STR_INTO(&e->sender_pcomm, s, real_parent, comm);
	fill_cgpath(&e->sender_cg, s);
}

/* target NULL: the tracefs event names it by pid only; userspace decides the scope. */
static __always_inline int on_signal_generate(int sig, int code, struct task_struct *target,
					      __u32 target_pid, int result)
{
	struct crash_signal *e;

	if (!sig_wanted(sig) || (target && !in_scope(target)))
		return 0;
	/* A task already exiting gets SIGKILLs from its own teardown: they explain nothing. */
	if (target && (BPF_CORE_READ(target, flags) & PF_EXITING_FLAG))
		return 0;
	e = reserve(sizeof(*e));
	if (!e)
		return 0;
	if (target) {
		fill_hdr(&e->h, CRASH_EV_SIGNAL, target);
		fill_cgpath(&e->cg, target);
	} else {
		e->cg.depth = 0;
		e->cg.truncated = 0;
		__builtin_memset(&e->h, 0, sizeof(e->h));
		e->h.type = CRASH_EV_SIGNAL;
		e->h.pid = e->h.tid = target_pid;
		e->h.time_ns = bpf_ktime_get_ns();
	}
	e->sig = sig;
	e->code = code;
	e->result = result;
	e->handler = 0;
	e->info_pid = 0;
	fill_sender(e, cur());
	submit(e);
	return 0;
}

SEC("?tp_btf/signal_generate")
int BPF_PROG(sig_gen_tp_btf, int sig, struct kernel_siginfo *info, struct task_struct *task,
	     int group, int result)
{
	return on_signal_generate(sig, siginfo_code(info), task, 0, result);
}

SEC("?raw_tp/signal_generate")
int BPF_PROG(sig_gen_raw_tp, int sig, struct kernel_siginfo *info, struct task_struct *task,
	     int group, int result)
{
	return on_signal_generate(sig, siginfo_code(info), task, 0, result);
}

SEC("?tracepoint/signal/signal_generate")
int sig_gen_tracepoint(struct trace_event_raw_signal_generate *ctx)
{
	return on_signal_generate(ctx->sig, ctx->code, NULL, ctx->pid, ctx->result);
}

static __always_inline __u32 handler_kind(unsigned long h)
{
	return h == 0 ? 0 : h == 1 ? 1 : 2;
}

/* Runs in the target as it dequeues the signal: did it have a handler? */
static __always_inline int on_signal_deliver(int sig, int code, __u32 info_pid,
					     unsigned long handler)
{
	struct task_struct *t = cur();
	struct crash_signal *e;

	/* SIGKILL has no handler; exec and group exit deliver it to every other thread. */
	if (sig == SIGKILL_NR || !sig_wanted(sig) || !in_scope(t))
		return 0;
	e = reserve(sizeof(*e));
	if (!e)
		return 0;
	fill_hdr(&e->h, CRASH_EV_SIG_DELIVER, t);
	e->sig = sig;
	e->code = code;
	e->result = 0;
	e->handler = handler_kind(handler);
	e->info_pid = info_pid;
	e->sender_pid = e->sender_tid = e->sender_ppid = 0;
	e->sender_cgroup_id = 0;
	e->sender_comm[0] = e->sender_pcomm[0] = '\0';
	e->sender_cg.depth = 0;
	e->sender_cg.truncated = 0;
	fill_cgpath(&e->cg, t);
	submit(e);
	return 0;
}

static __always_inline __u32 siginfo_pid(struct kernel_siginfo *info)
{
	if ((unsigned long)info <= 1)
		return 0;
	return BPF_CORE_READ(info, _sifields._kill._pid);
}

SEC("?tp_btf/signal_deliver")
int BPF_PROG(sig_del_tp_btf, int sig, struct kernel_siginfo *info, struct k_sigaction *ka)
{
	return on_signal_deliver(sig, siginfo_code(info), siginfo_pid(info),
				 (unsigned long)BPF_CORE_READ(ka, sa.sa_handler));
}

SEC("?raw_tp/signal_deliver")
int BPF_PROG(sig_del_raw_tp, int sig, struct kernel_siginfo *info, struct k_sigaction *ka)
{
	return on_signal_deliver(sig, siginfo_code(info), siginfo_pid(info),
				 (unsigned long)BPF_CORE_READ(ka, sa.sa_handler));
}

SEC("?tracepoint/signal/signal_deliver")
int sig_del_tracepoint(struct trace_event_raw_signal_deliver *ctx)
{
	return on_signal_deliver(ctx->sig, ctx->code, 0, ctx->sa_handler);
}

/* ------------------------------------------------------------------ capabilities */

static __always_inline void fill_cred(struct task_struct *t, __u64 *caps, __u32 *uid)
{
	const struct cred *cred = BPF_CORE_READ(t, cred);

	*caps = cred_caps_effective(cred);
	*uid = BPF_CORE_READ(cred, euid.val);
}

static __always_inline int on_cap(int cap, int ret)
{
	struct task_struct *t = cur();
	struct crash_cap *e;

	if (ret == 0 || cap < 0 || cap > 63 || !(cap_mask & (1ULL << cap)) || !current_in_scope() ||
	    !rate_ok(BPF_CORE_READ(t, tgid)))
		return 0;
	e = reserve(sizeof(*e));
	if (!e)
		return 0;
	fill_hdr(&e->h, CRASH_EV_CAP, t);
	e->cap = cap;
	e->ret = ret;
	fill_cred(t, &e->caps_eff, &e->uid);
	e->pad = 0;
	fill_cgpath(&e->cg, t);
	submit(e);
	return 0;
}

SEC("?tp_btf/cap_capable")
int BPF_PROG(cap_tp_btf, const struct cred *cred, struct user_namespace *target_ns,
	     const struct user_namespace *capable_ns, int cap, int ret)
{
	return on_cap(cap, ret);
}

SEC("?raw_tp/cap_capable")
int BPF_PROG(cap_raw_tp, const struct cred *cred, struct user_namespace *target_ns,
	     const struct user_namespace *capable_ns, int cap, int ret)
{
	return on_cap(cap, ret);
}

SEC("?tracepoint/capability/cap_capable")
int cap_tracepoint(struct trace_event_raw_cap_capable *ctx)
{
	return on_cap(ctx->cap, ctx->ret);
}

/* cap_capable(cred, target_ns, cap, opts): the return value is the verdict. */
SEC("?fexit/cap_capable")
int BPF_PROG(cap_fexit, const struct cred *cred, struct user_namespace *ns, int cap,
	     unsigned int opts, int ret)
{
	return on_cap(cap, ret);
}

/* kprobes have no return value: remember the capability per thread for the kretprobe. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __s32);
} cap_pending SEC(".maps");

SEC("?kprobe/cap_capable")
int BPF_KPROBE(cap_kprobe, const struct cred *cred, struct user_namespace *ns, int cap)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	bpf_map_update_elem(&cap_pending, &tid, &cap, BPF_ANY);
	return 0;
}

SEC("?kretprobe/cap_capable")
int BPF_KRETPROBE(cap_kretprobe, int ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__s32 *cap = bpf_map_lookup_elem(&cap_pending, &tid);
	int c = cap ? *cap : -1;

	bpf_map_delete_elem(&cap_pending, &tid);
	return on_cap(c, ret);
}

/* ------------------------------------------------------------------ syscalls */

#if defined(__TARGET_ARCH_x86)
#define SYSCALL_NR(regs) BPF_CORE_READ(regs, orig_ax)
#elif defined(__TARGET_ARCH_arm64)
#define SYSCALL_NR(regs) BPF_CORE_READ(regs, syscallno)
#endif

static __always_inline bool open_errno_wanted(long ret)
{
	return ret == -ENOENT_NR || ret == -EACCES_NR || ret == -EROFS_NR || ret == -EPERM_NR;
}

static __always_inline bool connect_errno_wanted(long ret)
{
	return ret == -ECONNREFUSED_NR || ret == -ETIMEDOUT_NR || ret == -ENETUNREACH_NR ||
	       ret == -EHOSTUNREACH_NR;
}

static __always_inline void fill_net(struct crash_syscall *e, struct task_struct *t)
{
	struct net *net = BPF_CORE_READ(t, nsproxy, net_ns);

	e->ip_prot_sock = BPF_CORE_READ(net, ipv4.sysctl_ip_prot_sock);
	e->netns_ino = BPF_CORE_READ(net, ns.inum);
}

static __always_inline struct pt_regs *user_regs(void)
{
	return (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
}

/* The struct file behind fd (NULL if none): tells a reused fd from the socket it was. */
static __always_inline struct file *file_of_fd(struct task_struct *t, int fd)
{
	struct file **fds = BPF_CORE_READ(t, files, fdt, fd);
	struct file *f = NULL;

	if (fd < 0 || fd > 65535)
		return NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

/* Constant sizes: a sockaddr_in6, else a sockaddr_in at the end of a page. */
static __always_inline void read_sockaddr(__u8 *dst, const void *sa)
{
	if (bpf_probe_read_user(dst, CRASH_SOCKADDR_LEN, sa))
		bpf_probe_read_user(dst, 16, sa);
}

/* listen(fd): the socket's own address, from the fd table. */
static __always_inline void sock_addr_of_fd(struct crash_syscall *e, struct task_struct *t, int fd)
{
	struct file *f = file_of_fd(t, fd);
	struct socket *sock;
	struct sock *sk;
	__u16 family, port;

	if (!f)
		return;
	sock = BPF_CORE_READ(f, private_data);
	sk = BPF_CORE_READ(sock, sk);
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	port = BPF_CORE_READ(sk, __sk_common.skc_num);
	__builtin_memset(e->addr, 0, sizeof(e->addr));
	*(__u16 *)&e->addr[0] = family;
	e->addr[2] = port >> 8; /* network byte order, as in a sockaddr */
	e->addr[3] = port & 0xff;
	if (family == 2) {
		__u32 a = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);

		__builtin_memcpy(&e->addr[4], &a, 4);
		e->addrlen = 16;
	} else if (family == 10) {
		BPF_CORE_READ_INTO(&e->addr[8], sk, __sk_common.skc_v6_rcv_saddr);
		e->addrlen = 28;
	}
}

static __always_inline bool syscall_wanted(__u32 which, long ret)
{
	switch (which) {
	case CRASH_SC_OPENAT:
		return open_errno_wanted(ret);
	case CRASH_SC_CONNECT:
		return connect_errno_wanted(ret);
	case CRASH_SC_BIND:
	case CRASH_SC_LISTEN:
		return ret < 0 || report_bind_ok;
	default:
		return false;
	}
}

/* Everything but the syscall-specific part; t is current. */
static __always_inline struct crash_syscall *syscall_event(struct task_struct *t, __u32 which,
							   long ret, int fd)
{
	struct crash_syscall *e = reserve(sizeof(*e));

	if (!e)
		return NULL;
	fill_hdr(&e->h, CRASH_EV_SYSCALL, t);
	e->nr = which;
	e->ret = ret;
	e->fd = fd;
	e->flags = 0;
	e->addrlen = 0;
	e->wait_ms = 0;
	e->path[0] = '\0';
	fill_cred(t, &e->caps_eff, &e->uid);
	fill_net(e, t);
	__builtin_memset(e->addr, 0, sizeof(e->addr));
	return e;
}

/*
 * The arguments come from the user registers: nothing is kept between
 * enter and exit. regs NULL: the current task's (tracefs exit events carry
 * no arguments), fetched only once the filters passed: this runs for every
 * failed open of the node, and the compiler never drops a helper call.
 */
static __always_inline int on_sys_exit(__u32 which, long ret, struct pt_regs *regs)
{
	struct task_struct *t;
	struct crash_syscall *e;

	if (!syscall_wanted(which, ret) || !current_in_scope())
		return 0;
	t = cur();
	if (ret < 0 && !rate_ok(BPF_CORE_READ(t, tgid)))
		return 0;
	if (!regs)
		regs = user_regs();
	e = syscall_event(t, which, ret, (int)PT_REGS_PARM1_CORE_SYSCALL(regs));
	if (!e)
		return 0;
	if (which == CRASH_SC_OPENAT) {
		e->flags = (__u32)PT_REGS_PARM3_CORE_SYSCALL(regs);
		bpf_probe_read_user_str(e->path, sizeof(e->path),
					(void *)PT_REGS_PARM2_CORE_SYSCALL(regs));
	} else if (which == CRASH_SC_LISTEN) {
		e->flags = (__u32)PT_REGS_PARM2_CORE_SYSCALL(regs);
		sock_addr_of_fd(e, t, e->fd);
	} else {
		e->addrlen = (__u32)PT_REGS_PARM3_CORE_SYSCALL(regs);
		read_sockaddr(e->addr, (void *)PT_REGS_PARM2_CORE_SYSCALL(regs));
	}
	fill_cgpath(&e->cg, t);
	submit(e);
	return 0;
}

/* ------------------------------------------------------------------ non-blocking connect */

/*
 * Go (and any event loop) connects non-blocking: connect(2) returns
 * EINPROGRESS and the outcome comes later, as the socket's error read with
 * getsockopt(SOL_SOCKET, SO_ERROR) once poll says it is writable (Go:
 * net/fd_unix.go, netFD.connect). The address is only in connect's
 * arguments, so it is kept per (process, fd) until then. Connects that
 * nobody checks age out of the LRU; a closed and reused fd is told apart by
 * its struct file (a close(2) hook would cost every close of the node to
 * save a few entries).
 */
struct conn_key {
	__u32 tgid;
	__s32 fd;
};

struct conn_pending {
	__u64 file; /* the socket's struct file */
	__u64 time_ns;
	__u32 addrlen;
	__u8 addr[CRASH_SOCKADDR_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct conn_key);
	__type(value, struct conn_pending);
} conn_pending SEC(".maps");

static __always_inline int on_connect_pending(struct pt_regs *regs)
{
	struct conn_pending p = {};
	struct task_struct *t;
	struct conn_key k;

	if (!current_in_scope())
		return 0;
	t = cur();
	if (!regs)
		regs = user_regs();
	k.tgid = BPF_CORE_READ(t, tgid);
	k.fd = (int)PT_REGS_PARM1_CORE_SYSCALL(regs);
	p.file = (__u64)file_of_fd(t, k.fd);
	p.time_ns = bpf_ktime_get_ns();
	p.addrlen = (__u32)PT_REGS_PARM3_CORE_SYSCALL(regs);
	read_sockaddr(p.addr, (void *)PT_REGS_PARM2_CORE_SYSCALL(regs));
	bpf_map_update_elem(&conn_pending, &k, &p, BPF_ANY);
	return 0;
}

/* Still connecting: SO_ERROR 0 then means "not yet" (Go polls again), not success. */
static __always_inline bool sock_connecting(struct file *f)
{
	struct socket *sock = BPF_CORE_READ(f, private_data);

	return BPF_CORE_READ(sock, sk, __sk_common.skc_state) == TCP_SYN_SENT_STATE;
}

/* The error SO_ERROR handed over ends a pending connect; 0 and Go's retry codes do not. */
static __always_inline bool so_error_final(int soerr)
{
	return soerr > 0 && soerr != EINPROGRESS_NR && soerr != EALREADY_NR && soerr != EINTR_NR;
}

/* getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) returned 0: did a pending connect fail? */
static __always_inline int on_getsockopt(struct pt_regs *regs)
{
	struct crash_syscall *e = NULL;
	struct conn_pending *p;
	struct task_struct *t;
	struct conn_key k;
	struct file *f;
	int soerr = 0;

	if (!regs)
		regs = user_regs();
	if ((int)PT_REGS_PARM2_CORE_SYSCALL(regs) != SOL_SOCKET_NR ||
	    (int)PT_REGS_PARM3_CORE_SYSCALL(regs) != SO_ERROR_NR)
		return 0;
	k.tgid = current_tgid();
	k.fd = (int)PT_REGS_PARM1_CORE_SYSCALL(regs);
	p = bpf_map_lookup_elem(&conn_pending, &k); /* only in-scope processes have entries */
	if (!p)
		return 0;
	t = cur();
	f = file_of_fd(t, k.fd);
	bpf_probe_read_user(&soerr, sizeof(soerr), (void *)PT_REGS_PARM4_CORE_SYSCALL(regs));
	if ((__u64)f == p->file && !so_error_final(soerr) && sock_connecting(f))
		return 0; /* not decided yet: keep the address */
	/* Decided (or the fd is another socket now): the entry is done either way. */
	if ((__u64)f == p->file && so_error_final(soerr) && rate_ok(k.tgid))
		e = syscall_event(t, CRASH_SC_CONNECT, -soerr, k.fd);
	if (e) {
		e->flags = CRASH_CONN_F_SO_ERROR;
		e->wait_ms = (bpf_ktime_get_ns() - p->time_ns) / 1000000;
		e->addrlen = p->addrlen;
		__builtin_memcpy(e->addr, p->addr, sizeof(e->addr));
		fill_cgpath(&e->cg, t);
		submit(e);
	}
	bpf_map_delete_elem(&conn_pending, &k);
	return 0;
}

/* execve failed: the old program is still there to read its argument and be held. */
static __always_inline int on_exec_fail(long ret, struct pt_regs *regs)
{
	struct task_struct *t = cur();
	struct crash_exec_fail *e;
	bool held = false;

	if (ret >= 0 || !in_scope(t))
		return 0;
	e = reserve(sizeof(*e));
	if (!e)
		return 0;
	if (hold_exec_fail && (ret == -ENOENT_NR || ret == -ENOEXEC_NR || ret == -EACCES_NR)) {
		hold_current();
		held = true;
	}
	fill_hdr(&e->h, CRASH_EV_EXEC_FAIL, t);
	e->err = ret;
	e->flags = held ? CRASH_F_HELD : 0;
	bpf_probe_read_user_str(e->filename, sizeof(e->filename),
				(void *)PT_REGS_PARM1_CORE_SYSCALL(regs));
	fill_cgpath(&e->cg, t);
	submit(e);
	return 0;
}

/* ------------------------------------------------------------------ stdout/stderr */

/* The cheap tests first: most writes of a node go to other fds, or are out of scope. */
static __always_inline struct proc_state *out_state(int fd, __u64 count)
{
	if ((fd != 1 && fd != 2) || !capture_output || count == 0 || !current_in_scope())
		return NULL;
	return proc_get(current_tgid(), true);
}

/*
 * Room in the budget for n more bytes? A window gives out_budget_bytes and
 * a new one starts only when that is spent and the last started a second
 * ago or more: at most one budget per second. The clock is read only once
 * the budget is spent, and then on every 16th write (bpf_ktime_get_ns is
 * a clock read; tracing programs may not use the coarse clock).
 */
static __always_inline bool out_budget_ok(struct proc_state *st, __u32 n)
{
	__u64 now;

	if (!out_budget_bytes || st->out_window_bytes + n <= out_budget_bytes)
		goto copy;
	if ((st->out_skip_writes++ & 15) == 0) {
		now = bpf_ktime_get_ns();
		if (now - st->out_window_ns >= 1000000000ULL) {
			st->out_window_ns = now;
			st->out_window_bytes = 0;
			goto copy;
		}
	}
	st->out_skipped += n;
	st->out_skipped_after += n;
	stat_add(CRASH_STAT_OUT_SKIPPED, n);
	return false;
copy:
	if (!st->out_window_ns) /* the process's first copy starts its first window */
		st->out_window_ns = bpf_ktime_get_ns();
	st->out_window_bytes += n;
	st->out_skipped_after = 0;
	return true;
}

static __always_inline void out_append(struct proc_state *st, const char *buf, __u64 count)
{
	__u32 off, n, wrap;

	if (count == 0)
		return;
	n = count > CRASH_OUT_RING ? CRASH_OUT_RING : count;
	if (!out_budget_ok(st, n))
		return;
	if (count > n) /* only the tail of a big write can survive anyway */
		buf += count - n;
	off = st->out_total & (CRASH_OUT_RING - 1);
	bpf_probe_read_user(&st->out[off], n, buf);
	if (off + n > CRASH_OUT_RING) {
		wrap = (off + n - CRASH_OUT_RING) & (CRASH_OUT_RING - 1);
		if (wrap)
			bpf_probe_read_user(&st->out[0], wrap, buf + (n - wrap));
	}
	st->out_total += n;
	stat_add(CRASH_STAT_OUT_BYTES, n);
}

static __always_inline int on_write(int fd, const char *buf, __u64 count)
{
	struct proc_state *st = out_state(fd, count);

	if (st)
		out_append(st, buf, count);
	return 0;
}

struct user_iovec {
	__u64 base;
	__u64 len;
};

/*
 * writev(2): musl's stdio writes through it (buffered data and the new
 * data as two iovecs), so do other runtimes. Only the last CRASH_IOV_MAX
 * iovecs can end up in the tail that matters; a bounded loop.
 */
static __always_inline int on_writev(int fd, const struct user_iovec *iov, __u64 cnt)
{
	struct proc_state *st = out_state(fd, cnt);
	struct user_iovec v;
	__u64 first;

	if (!st || cnt > 1024) /* IOV_MAX: the kernel refuses more */
		return 0;
	first = cnt > CRASH_IOV_MAX ? cnt - CRASH_IOV_MAX : 0;
	for (int i = 0; i < CRASH_IOV_MAX; i++) {
		if (first + i >= cnt || bpf_probe_read_user(&v, sizeof(v), &iov[first + i]))
			break;
		out_append(st, (const char *)v.base, v.len);
	}
	return 0;
}

/* ------------------------------------------------------------------ syscall wrappers */

/* tracefs syscalls:sys_exit_* events: one program per syscall. */
SEC("?tracepoint/syscalls/sys_exit_openat")
int openat_exit_tracepoint(struct trace_event_raw_sys_exit *ctx)
{
	if (ctx->ret >= 0) /* the common case, before anything else */
		return 0;
	return on_sys_exit(CRASH_SC_OPENAT, ctx->ret, NULL);
}

SEC("?tracepoint/syscalls/sys_exit_connect")
int connect_exit_tracepoint(struct trace_event_raw_sys_exit *ctx)
{
	if (ctx->ret >= 0)
		return 0;
	if (ctx->ret == -EINPROGRESS_NR)
		return on_connect_pending(NULL);
	return on_sys_exit(CRASH_SC_CONNECT, ctx->ret, NULL);
}

SEC("?tracepoint/syscalls/sys_exit_getsockopt")
int getsockopt_exit_tracepoint(struct trace_event_raw_sys_exit *ctx)
{
	if (ctx->ret != 0)
		return 0;
	return on_getsockopt(NULL);
}

SEC("?tracepoint/syscalls/sys_exit_bind")
int bind_exit_tracepoint(struct trace_event_raw_sys_exit *ctx)
{
	return on_sys_exit(CRASH_SC_BIND, ctx->ret, NULL);
}

SEC("?tracepoint/syscalls/sys_exit_listen")
int listen_exit_tracepoint(struct trace_event_raw_sys_exit *ctx)
{
	return on_sys_exit(CRASH_SC_LISTEN, ctx->ret, NULL);
}

SEC("?tracepoint/syscalls/sys_exit_execve")
int execve_exit_tracepoint(struct trace_event_raw_sys_exit *ctx)
{
	if (ctx->ret >= 0)
		return 0;
	return on_exec_fail(ctx->ret, user_regs());
}

SEC("?tracepoint/syscalls/sys_enter_write")
int write_enter_tracepoint(struct trace_event_raw_sys_enter *ctx)
{
	return on_write((int)ctx->args[0], (const char *)ctx->args[1], ctx->args[2]);
}

SEC("?tracepoint/syscalls/sys_enter_writev")
int writev_enter_tracepoint(struct trace_event_raw_sys_enter *ctx)
{
	return on_writev((int)ctx->args[0], (const struct user_iovec *)ctx->args[1], ctx->args[2]);
}

/* The generic raw_syscalls fallback: one program for every syscall of the node. */
static __always_inline int generic_exit(struct pt_regs *regs, long ret)
{
	long nr = SYSCALL_NR(regs);

	if (nr == nr_execve && (generic_mask & (1u << CRASH_SC_EXECVE)))
		return ret < 0 ? on_exec_fail(ret, regs) : 0;
	if (nr == nr_openat && (generic_mask & (1u << CRASH_SC_OPENAT)))
		return ret < 0 ? on_sys_exit(CRASH_SC_OPENAT, ret, regs) : 0;
	if (nr == nr_connect && (generic_mask & (1u << CRASH_SC_CONNECT))) {
		if (ret == -EINPROGRESS_NR)
			return on_connect_pending(regs);
		return ret < 0 ? on_sys_exit(CRASH_SC_CONNECT, ret, regs) : 0;
	}
	if (nr == nr_getsockopt && (generic_mask & (1u << CRASH_SC_GETSOCKOPT)))
		return ret == 0 ? on_getsockopt(regs) : 0;
	if (nr == nr_bind && (generic_mask & (1u << CRASH_SC_BIND)))
		return on_sys_exit(CRASH_SC_BIND, ret, regs);
	if (nr == nr_listen && (generic_mask & (1u << CRASH_SC_LISTEN)))
		return on_sys_exit(CRASH_SC_LISTEN, ret, regs);
	return 0;
}

static __always_inline int generic_enter(struct pt_regs *regs, long id)
{
	if (id == nr_write && (generic_mask & (1u << CRASH_SC_WRITE)))
		return on_write((int)PT_REGS_PARM1_CORE_SYSCALL(regs),
				(const char *)PT_REGS_PARM2_CORE_SYSCALL(regs),
				PT_REGS_PARM3_CORE_SYSCALL(regs));
	if (id == nr_writev && (generic_mask & (1u << CRASH_SC_WRITEV)))
		return on_writev((int)PT_REGS_PARM1_CORE_SYSCALL(regs),
				 (const struct user_iovec *)PT_REGS_PARM2_CORE_SYSCALL(regs),
				 PT_REGS_PARM3_CORE_SYSCALL(regs));
	return 0;
}

SEC("?tp_btf/sys_exit")
int BPF_PROG(sys_exit_tp_btf, struct pt_regs *regs, long ret)
{
	return generic_exit(regs, ret);
}

SEC("?raw_tp/sys_exit")
int BPF_PROG(sys_exit_raw_tp, struct pt_regs *regs, long ret)
{
	return generic_exit(regs, ret);
}

SEC("?tp_btf/sys_enter")
int BPF_PROG(sys_enter_tp_btf, struct pt_regs *regs, long id)
{
	return generic_enter(regs, id);
}

SEC("?raw_tp/sys_enter")
int BPF_PROG(sys_enter_raw_tp, struct pt_regs *regs, long id)
{
	return generic_enter(regs, id);
}

/* ------------------------------------------------------------------ Go fatal errors */

static __always_inline __u64 rd_u64(__u64 addr)
{
	__u64 v = 0;

	bpf_probe_read_user(&v, sizeof(v), (void *)addr);
	return v;
}

/* The caller's return address at a function's entry: pushed (amd64), in LR (arm64). */
#if defined(__TARGET_ARCH_x86)
#define GO_RET_AT_ENTRY(r) rd_u64(GO_SP(r))
#else
#define GO_RET_AT_ENTRY(r) ((r)->regs[30])
#endif

/* Frame-pointer walk: [bp] = caller's bp, [bp+8] = return address (GO-RUNTIME.md §8). */
static __always_inline __u32 fp_walk(__u64 *frames, __u32 start, __u64 bp)
{
	__u32 n = start;

	for (int i = 0; i < CRASH_STACK_MAX; i++) {
		__u64 ret, next;

		if (n >= CRASH_STACK_MAX || !bp)
			break;
		ret = rd_u64(bp + 8);
		next = rd_u64(bp);
		if (!ret)
			break;
		frames[n & (CRASH_STACK_MAX - 1)] = ret;
		n++;
		if (next <= bp) /* stacks grow down: the chain must go up */
			break;
		bp = next;
	}
	return n;
}

/* A Go string header {ptr, len} at addr → msg. */
static __always_inline void read_go_string(struct crash_go_fatal *e, __u64 ptr, __u64 len)
{
	if (!ptr || !len)
		return;
	if (len > CRASH_MSG_LEN - 1)
		len = CRASH_MSG_LEN - 1;
	if (!bpf_probe_read_user(e->msg, len & (CRASH_MSG_LEN - 1), (void *)ptr))
		e->msg_len = len;
}

#define GO_KIND_PTR 22
#define GO_KIND_STRING 24
/* abi.Type.Kind_, after size, ptrdata, hash, tflag, align, fieldAlign (go1.17-go1.27). */
#define GO_TYPE_KIND_OFF 23

/*
 * fatalpanic(msgs *_panic): _panic.arg is an eface (at +8 until go1.24, +0
 * since _panic.argp went away). A string-kinded
 * value (runtime.errorString, plainError, a string) holds its header at
 * data; a pointer (*errors.errorString, *fmt.wrapError) usually starts with
 * the message string. Userspace names the type and says which it was.
 */
static __always_inline void read_panic_value(struct crash_go_fatal *e, __u64 p, __u32 slot)
{
	struct crash_go_layout *l = bpf_map_lookup_elem(&go_layouts, &slot);
	__u8 kind = 0;

	if (!l || !l->valid)
		return;
	e->panic_type = rd_u64(p + l->panic_arg);
	e->panic_data = rd_u64(p + l->panic_arg + 8);
	if (!e->panic_type || !e->panic_data)
		return;
	bpf_probe_read_user(&kind, 1, (void *)(e->panic_type + GO_TYPE_KIND_OFF));
	kind &= 0x1f;
	if (kind == GO_KIND_STRING || kind == GO_KIND_PTR)
		read_go_string(e, rd_u64(e->panic_data), rd_u64(e->panic_data + 8));
}

/* On g0 (throw from newstack, checkdead, ...): the user goroutine is m.curg. */
static __always_inline void curg_stack(struct crash_go_fatal *e, __u32 slot)
{
	struct crash_go_layout *l = bpf_map_lookup_elem(&go_layouts, &slot);
	__u64 m, g0, curg, pc;

	if (!l || !l->valid)
		return;
	m = rd_u64(e->g + l->g_m);
	g0 = m ? rd_u64(m + l->m_g0) : 0;
	if (!g0 || g0 != e->g)
		return;
	e->flags |= CRASH_F_ON_G0;
	curg = rd_u64(m + l->m_curg);
	if (!curg)
		return;
	pc = rd_u64(curg + l->g_sched_pc);
	if (!pc)
		return;
	e->curg_frames[0] = pc;
	e->ncurg = fp_walk(e->curg_frames, 1, rd_u64(curg + l->g_sched_bp));
}

/* The raw output ring so far ("runtime: goroutine stack exceeds ..." comes before throw). */
static __always_inline void out_before(struct crash_go_fatal *e)
{
	__u32 tgid = e->h.pid;
	struct proc_state *st = bpf_map_lookup_elem(&procs, &tgid);

	e->out_total = 0;
	if (!st || !st->out_total)
		return;
	e->out_total = st->out_total;
	bpf_probe_read_kernel(e->out, CRASH_OUT_RING, st->out);
}

struct fatal_seen {
	__u64 ip;
	__u64 ns;
};

/* Per thread: the last fatal-path hit reported. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct fatal_seen);
} fatal_last SEC(".maps");

/*
 * Under overlayfs each container's executable is its own inode, so each
 * restart attaches the probes again, and the kernel puts them all on the
 * same real file: one hit runs this program once per attach. Report it once.
 */
static __always_inline bool fatal_repeat(__u64 ip)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct fatal_seen now = {.ip = ip, .ns = bpf_ktime_get_ns()};
	struct fatal_seen *last = bpf_map_lookup_elem(&fatal_last, &tid);

	if (last && last->ip == ip && now.ns - last->ns < 1000000)
		return true;
	bpf_map_update_elem(&fatal_last, &tid, &now, BPF_ANY);
	return false;
}

SEC("uprobe")
int crash_go_fatal(struct pt_regs *ctx)
{
	__u64 cookie = bpf_get_attach_cookie(ctx);
	__u32 fn = cookie & 0xff, slot = (cookie >> 8) & (CRASH_MAX_BINARIES - 1);
	struct crash_go_fatal *e;

	if (fatal_repeat(PT_REGS_IP(ctx)))
		return 0;
	e = reserve(sizeof(*e));
	if (!e)
		return 0;
	fill_hdr(&e->h, CRASH_EV_GO_FATAL, cur());
	e->cookie = cookie;
	e->ip = PT_REGS_IP(ctx);
	e->g = GO_G(ctx);
	e->panic_type = e->panic_data = 0;
	e->flags = 0;
	e->msg_len = 0;
	e->ncurg = 0;
	if (fn == CRASH_GO_FATALPANIC)
		read_panic_value(e, GO_PARAM1(ctx), slot);
	else
		read_go_string(e, GO_PARAM1(ctx), GO_PARAM2(ctx));
	/* At the entry (or the JBE after the stack check) nothing is pushed yet. */
	e->frames[0] = e->ip;
	e->frames[1] = GO_RET_AT_ENTRY(ctx);
	e->nframes = fp_walk(e->frames, 2, GO_FP(ctx));
	curg_stack(e, slot);
	fill_cgpath(&e->cg, cur());
	out_before(e);
	submit(e);
	return 0;
}
