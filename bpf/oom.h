/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_OOM_H
#define GOTRACE_OOM_H

/*
 * ABI of bpf/oom.bpf.c (`gotrace oom`): one record per OOM kill on the ring
 * buffer, and per-memory-cgroup aggregates of the charge path (reclaim
 * stalls, scan/steal counts, the memcg's own event counters) in a hash map
 * that userspace reads when it reports a kill.
 *
 * Memory cgroups are named by their cgroup id (the kernfs node id of the
 * cgroup in the hierarchy that holds the memory controller: v1 memory on a
 * hybrid host, the unified one on v2), which is the inode number of its
 * directory and the id memcg:count_memcg_events reports.
 */

/* BPF programs get the kernel's types from vmlinux.h; userspace from here. */
#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define OOM_COMM_LEN 16
#define OOM_MAX_LEVELS 8   /* memcg ancestors recorded, the victim's memcg first */
#define OOM_STACK_DEPTH 32 /* kernel frames of the task that ran the OOM killer */

/* Where the record was taken (the mechanism decides what is known). */
enum oom_source {
	OOM_SRC_KILL_PROCESS = 1, /* fentry/kprobe oom_kill_process: oom_control known */
	OOM_SRC_VICTIM_TASK = 2,  /* tp_btf/raw_tp mark_victim: the victim's task_struct */
	OOM_SRC_VICTIM_TP = 3,	  /* tracefs mark_victim: the record's fields only */
};

/* enum oom_constraint (include/linux/oom.h), plus "not known at this hook". */
enum oom_constraint_abi {
	OOM_CONSTRAINT_NONE = 0,
	OOM_CONSTRAINT_CPUSET = 1,
	OOM_CONSTRAINT_MEMORY_POLICY = 2,
	OOM_CONSTRAINT_MEMCG = 3,
	OOM_CONSTRAINT_UNKNOWN = 255,
};

/* flags of struct oom_kill_event */
#define OOM_F_LEVELS_OF_VICTIM                                                                     \
	(1u << 0)		   /* levels[] walk the victim's memcg (else the trigger's)        \
				    */
#define OOM_F_RSS (1u << 1)	   /* the rss fields are valid */
#define OOM_F_START_TIME (1u << 2) /* victim_start_boottime_ns is valid */
#define OOM_F_OC_MEMCG (1u << 3)   /* oc_memcg_id is oom_control's memcg (exact domain) */
#define OOM_F_SCORE_ADJ (1u << 4)  /* oom_score_adj is valid */

/* One memory cgroup on the victim's path to the root, read at the kill. */
struct oom_memcg_level {
	__u64 cgroup_id;
	__u64 usage_pages; /* page_counter memory.usage */
	__u64 max_pages;   /* memory.max / limit_in_bytes in pages (huge when unlimited) */
	__u64 high_pages;  /* memory.high (v2; unlimited on v1) */
	__u64 watermark_pages;
	__u64 failcnt;
	/* memory_events_local (this memcg only) at the kill */
	__u64 ev_high, ev_max, ev_oom, ev_oom_kill;
};

struct oom_kill_event {
	__u64 ktime_ns;	  /* bpf_ktime_get_ns (CLOCK_MONOTONIC) */
	__u64 boot_ns;	  /* bpf_ktime_get_boot_ns (CLOCK_BOOTTIME) */
	__u32 source;	  /* enum oom_source */
	__u32 flags;	  /* OOM_F_* */
	__u32 victim_pid; /* tgid */
	__u32 victim_tid;
	__u32 trigger_pid; /* the task that ran the OOM killer (current) */
	__u32 trigger_tid;
	__u32 victim_uid;
	__s32 oom_score_adj;
	__u64 victim_start_boottime_ns; /* task->start_boottime: pins the pid */
	__u64 victim_cgroup_id;	 /* unified (cgroup2) cgroup id of the victim, 0 if unknown */
	__u64 trigger_cgroup_id; /* unified cgroup id of the trigger */
	__u64 total_vm_kib;
	__u64 anon_rss_kib;
	__u64 file_rss_kib;
	__u64 shmem_rss_kib;
	__u64 pgtables_kib;
	__u32 constraint; /* enum oom_constraint_abi */
	__u32 nlevels;
	__u64 oc_memcg_id; /* OOM_F_OC_MEMCG: the OOM domain */
	__u64 totalpages;  /* oom_control.totalpages (0 when unknown) */
	__s64 chosen_points;
	__u32 page_size;
	__s32 kstack_bytes; /* bytes of kstack filled, or -errno */
	__u64 kstack[OOM_STACK_DEPTH];
	struct oom_memcg_level levels[OOM_MAX_LEVELS];
	char victim_comm[OOM_COMM_LEN];
	char trigger_comm[OOM_COMM_LEN];
};

/* Per memory cgroup (key: its cgroup id), updated on the charge/reclaim path. */
struct oom_memcg_stats {
	__u64 reclaim_count;	/* direct memcg reclaims (mm_vmscan_memcg_reclaim_*) */
	__u64 reclaim_ns_total; /* time tasks of this memcg spent in them */
	__u64 reclaim_ns_max;
	__u64 reclaimed_pages;
	__u64 reclaim_first_ns; /* ktime of the first and the latest reclaim end */
	__u64 reclaim_last_ns;
	__u64 pgscan_direct; /* memcg:count_memcg_events items */
	__u64 pgsteal_direct;
	__u64 pgmajfault;
	__u64 oom_kill_vmevents;
	__u64 usage_pages_last; /* usage after the latest reclaim */
	__u64 max_pages;
	__u64 ev_high, ev_max, ev_oom, ev_oom_kill; /* memory_events_local after it */
};

/*
 * A process exec'd (ring buffer `execs`; standalone `gotrace oom` only:
 * watch and doctor learn execs from their crash tracer). Userspace reads a
 * process that execs under a memory limit ahead, while its runtime starts:
 * a container that restarts into a new cgroup and dies within a second
 * would otherwise die before the next round of cgroup reads found it.
 */
struct oom_exec_event {
	__u32 pid; /* tgid */
	__u32 pad;
};

/*
 * The Go heap state at a victim's death (user/goelf/goheap.h). Userspace
 * names, per process (key: tgid), the addresses of the words of the Go
 * runtime's statistics (load bias applied) when it reads the process ahead
 * of a kill. The words are copied in the process's own context (user memory
 * is only readable there) at the moment of death: at the kill hook when the
 * victim itself ran the OOM killer, else when a victim thread dequeues its
 * SIGKILL (signal:signal_deliver; any SIGKILL, so the OOM killer's order of
 * sending the signal before mark_victim does not matter). The first read of
 * a process wins; userspace joins it to the kill record by tgid.
 */
#define OOM_GO_HEAP_WORDS 16

struct oom_go_heap_addrs {
	__u32 nwords;
	__u32 _pad;
	__u64 addr[OOM_GO_HEAP_WORDS]; /* each word is read as 8 bytes */
};

enum oom_go_heap_where {
	OOM_HEAP_AT_KILL = 1,	 /* the kill hook, in the victim (it triggered the OOM) */
	OOM_HEAP_AT_SIGKILL = 2, /* a victim thread dequeuing SIGKILL */
};

struct oom_go_heap_snap {
	__u64 ktime_ns;		 /* bpf_ktime_get_ns when read */
	__u64 start_boottime_ns; /* the process's (group leader's) start: pins the pid */
	__u32 tid;		 /* the thread that read it */
	__u32 where;		 /* enum oom_go_heap_where */
	__s32 err;		 /* -errno of the first failed read; 0: all read */
	__u32 nread;		 /* words read */
	__u64 words[OOM_GO_HEAP_WORDS];
};

/* Counters of what went wrong in the kernel half, reported at exit. */
struct oom_bpf_stats {
	__u64 kills;		/* records produced */
	__u64 ringbuf_drops;	/* records lost: the ring buffer was full */
	__u64 memcg_map_full;	/* aggregates lost: the hash map was full */
	__u64 reclaim_unpaired; /* reclaim ends without a begin (attached mid-reclaim) */
	__u64 go_heap_reads;	/* Go heap snapshots taken */
	__u64 go_heap_faults;	/* of which a word could not be read */
};

#endif
