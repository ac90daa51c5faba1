// SPDX-License-Identifier: GPL-2.0
/*
 * Trivial programs, one per attach mechanism, that count hits. The hook
 * resolver (user/kern/hooks.c) loads and attaches one at a time to prove a
 * mechanism and target truly work on this kernel; the self-test uses the
 * counter to prove the chosen path delivers events. Every program starts
 * with autoload off ("?" section prefix): the backend enables the one it
 * tries and sets its target at runtime.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "hookprobe.h"

/* Which counter this instance increments (the hook's slot). */
const volatile __u32 slot = 0;
/* 0: count every hit; else only tasks whose parent is this tgid (self-test). */
const volatile __u32 filter_parent_tgid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HOOKPROBE_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

/* The one body every mechanism's wrapper calls. */
static __always_inline int count_hit(void)
{
	__u32 key = slot;
	__u64 *n;

	if (filter_parent_tgid) {
		struct task_struct *task = (struct task_struct *)bpf_get_current_task();

		if (BPF_CORE_READ(task, real_parent, tgid) != filter_parent_tgid)
			return 0;
	}
	n = bpf_map_lookup_elem(&hits, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	return 0;
}

SEC("?fentry")
int BPF_PROG(hookprobe_fentry)
{
	return count_hit();
}

SEC("?kprobe")
int BPF_KPROBE(hookprobe_kprobe)
{
	return count_hit();
}

SEC("?tp_btf")
int BPF_PROG(hookprobe_tp_btf)
{
	return count_hit();
}

SEC("?raw_tp")
int BPF_PROG(hookprobe_raw_tp)
{
	return count_hit();
}

SEC("?tracepoint")
int hookprobe_tracepoint(void *ctx)
{
	return count_hit();
}

char LICENSE[] SEC("license") = "GPL";
