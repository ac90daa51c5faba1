// SPDX-License-Identifier: GPL-2.0
#include "common.bpf.h"
#include "go_abi.bpf.h"
#include "probecheck.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 filter_tgid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PROBECHECK_MAX_SLOTS);
	__type(key, __u32);
	__type(value, struct probecheck_slot);
} slots SEC(".maps");

SEC("uprobe")
int probecheck_uprobe(struct pt_regs *ctx)
{
	__u32 slot = (__u32)bpf_get_attach_cookie(ctx);
	struct probecheck_slot *s;

	if (filter_tgid && current_tgid() != filter_tgid)
		return 0;
	s = bpf_map_lookup_elem(&slots, &slot);
	if (!s)
		return 0;
	s->hits++;
	/* A Go heap/stack pointer, not a small integer: R14 holds g at our probe points. */
	if (GO_G(ctx) > 0x10000)
		s->g_nonzero++;
	return 0;
}
