/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_CORE_FIXES_BPF_H
#define GOTRACE_CORE_FIXES_BPF_H

/*
 * Kernel renames and layout changes, one entry each, with the commit that
 * made it (STYLE.md §3). The ___old/___new flavours are matched by CO-RE
 * against the running kernel's BTF; whichever exists is used. No
 * LINUX_VERSION_CODE checks.
 */

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>

/*
 * mm->rss_stat: an array of percpu_counter since v6.2, commit f1a7941243c1
 * ("mm: convert mm's rss stats into percpu_counter"); before, struct
 * mm_rss_stat { atomic_long_t count[NR_MM_COUNTERS]; }. Either way the value
 * is what get_mm_counter() returns (percpu_counter_read_positive reads
 * ->count), i.e. what the OOM killer prints and oom:mark_victim records.
 */
struct mm_rss_stat___old {
	atomic_long_t count[4];
} __attribute__((preserve_access_index));

struct mm_struct___old {
	struct mm_rss_stat___old rss_stat;
} __attribute__((preserve_access_index));

struct mm_struct___pcpu {
	struct percpu_counter rss_stat[4];
} __attribute__((preserve_access_index));

/* MM_FILEPAGES 0, MM_ANONPAGES 1, MM_SWAPENTS 2, MM_SHMEMPAGES 3 (since v4.5). */
static __always_inline long mm_counter_pages(struct mm_struct *mm, int member)
{
	long v = 0;

	if (member < 0 || member > 3)
		return 0;
	if (bpf_core_field_exists(((struct mm_struct___pcpu *)0)->rss_stat[0].count)) {
		struct mm_struct___pcpu *m = (void *)mm;

		v = BPF_CORE_READ(m, rss_stat[member].count);
	} else {
		struct mm_struct___old *m = (void *)mm;

		v = BPF_CORE_READ(m, rss_stat.count[member].counter);
	}
	return v < 0 ? 0 : v;
}

/*
 * task->start_boottime was real_start_time before v5.5, commit cf25e24db61c
 * ("time: Rename tsk->real_start_time to ->start_boottime"). /proc/PID/stat's
 * start time is this value in clock ticks, which pins a pid to one process.
 */
struct task_struct___old {
	u64 real_start_time;
} __attribute__((preserve_access_index));

static __always_inline __u64 task_start_boottime(struct task_struct *t)
{
	if (bpf_core_field_exists(t->start_boottime))
		return BPF_CORE_READ(t, start_boottime);
	return BPF_CORE_READ((struct task_struct___old *)t, real_start_time);
}

/*
 * oom:mark_victim took only the pid until v6.8, commit 72ba14deb40a ("mm:
 * update mark_victim tracepoints fields"), which passes the task and uid
 * and adds the rss fields to the record. The record's layout tells which
 * prototype raw_tp/tp_btf programs get.
 */
static __always_inline bool mark_victim_has_task(void)
{
	return bpf_core_field_exists(struct trace_event_raw_mark_victim, anon_rss);
}

/*
 * kernfs_node->id is a u64 since v5.5, commit 67c0496e87d1 ("kernfs:
 * convert kernfs_node->id from union kernfs_node_id to u64"); before, a
 * union whose u64 member id holds the same value.
 */
union kernfs_node_id___old {
	struct {
		u32 ino;
		u32 generation;
	};
	u64 id;
} __attribute__((preserve_access_index));

struct kernfs_node___old {
	union kernfs_node_id___old id;
} __attribute__((preserve_access_index));

static __always_inline __u64 kernfs_node_id(struct kernfs_node *kn)
{
	if (!kn)
		return 0;
	if (bpf_core_field_exists(((struct kernfs_node___old *)0)->id.id))
		return BPF_CORE_READ((struct kernfs_node___old *)kn, id.id);
	return BPF_CORE_READ(kn, id);
}

/*
 * kernfs_node::parent became __parent (RCU-protected) in Linux v6.15,
 * "kernfs: Use RCU to access kernfs_node::parent." (Sebastian Andrzej
 * Siewior). vmlinux.h is newer, so the old name is the flavour (v614: the last
 * layout with it).
 */
struct kernfs_node___v614 {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(kn->__parent))
		return BPF_CORE_READ(kn, __parent);
	return BPF_CORE_READ((struct kernfs_node___v614 *)kn, parent);
}

/*
 * kernel_cap_t was { __u32 cap[2]; } until Linux v6.3, commit f122a08b197d
 * ("capability: just use a 'u64' instead of a 'u32[2]' array"); both are
 * 8 bytes with the low capabilities first, so one 8-byte read gives the
 * same mask on a little-endian machine either way.
 */
static __always_inline __u64 cred_caps_effective(const struct cred *cred)
{
	__u64 caps = 0;

	bpf_core_read(&caps, sizeof(caps), &cred->cap_effective);
	return caps;
}

#endif
