/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_BPF_HOOKPROBE_H
#define GOTRACE_BPF_HOOKPROBE_H

/*
 * ABI of bpf/hookprobe.bpf.c: the hit counters, one per hook slot (the
 * hook's index in user/kern/hooks.c's table, set as rodata before load).
 */
#define HOOKPROBE_SLOTS 64

#endif
