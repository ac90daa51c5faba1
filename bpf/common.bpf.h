/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_COMMON_BPF_H
#define GOTRACE_COMMON_BPF_H

/*
 * Shared by every gotrace BPF program.
 *
 * "PID" on gotrace's command line is the kernel's tgid (what userspace
 * calls a process id): bpf_get_current_pid_tgid() >> 32. The low half is
 * the thread id, which gotrace never uses as an identity for goroutines
 * (they migrate between threads).
 */

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

static __always_inline __u32 current_tgid(void)
{
	return bpf_get_current_pid_tgid() >> 32;
}

#endif
