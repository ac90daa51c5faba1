/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_PROBECHECK_H
#define GOTRACE_PROBECHECK_H

/*
 * ABI of probecheck.bpf.c: `gotrace info --pid PID --probe-check` attaches
 * one uprobe per resolved runtime function (cookie = slot) and counts hits,
 * proving the offsets gotrace computed are real instruction boundaries that
 * the target executes.
 */

/* BPF programs get the kernel's types from vmlinux.h; userspace from here. */
#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define PROBECHECK_MAX_SLOTS 32

struct probecheck_slot {
	__u64 hits;
	__u64 g_nonzero; /* hits where the goroutine register (R14) held a pointer */
};

#endif
