/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_CORE_FIXES_BPF_H
#define GOTRACE_CORE_FIXES_BPF_H

/*
 * Kernel renames and layout changes, one accessor each (STYLE.md §3): the
 * ___old flavour describes the layout before the change, CO-RE picks the
 * one the running kernel has. Include after vmlinux.h.
 */

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>

/*
 * kernfs_node::parent became __parent (RCU-protected) in Linux v6.15,
 * "kernfs: Use RCU to access kernfs_node::parent." (Sebastian Andrzej
 * Siewior). vmlinux.h is newer, so the old name is the flavour.
 */
struct kernfs_node___old {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(kn->__parent))
		return BPF_CORE_READ(kn, __parent);
	return BPF_CORE_READ((struct kernfs_node___old *)kn, parent);
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
