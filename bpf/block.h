/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_BLOCK_H
#define GOTRACE_BLOCK_H

/*
 * ABI of block.bpf.c (gotrace block): where goroutines park, for how long,
 * and how long they then wait for a CPU.
 *
 * A park starts at park_m's casgstatus(gp, _Grunning, _Gwaiting): the
 * wait reason is in gp.waitreason and gp.sched holds where gopark called
 * mcall, from which the stack is walked. Where that call site is not found,
 * at runtime.gopark itself (R14 = g, CL = wait reason, the stack from the
 * registers), confirmed by park_m's transition. Either way it ends at the goroutine's _Gwaiting ->
 * _Grunnable transition, seen at the runtime's casgstatus call sites (every wake path: ready,
 * netpoll's injectglist, findRunnable, GC; GO-RUNTIME.md §3.2); it then waits on the run queue
 * until _Grunnable -> _Grunning (execute). Goroutines are keyed by their g pointer, never by thread
 * id.
 */

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define BLOCK_HIST_BUCKETS 40 /* log2 nanoseconds: bucket b holds [2^b, 2^(b+1)) */
#define BLOCK_STACK_DEPTH 64

/* Cookie flags of casgstatus probe sites. */
#define CASG_FROM_PARK_M 1u /* a park_m site: 4 -> 1 there is a cancelled park */
#define CASG_RECORD_PARK 2u /* park_m's 2 -> 4: the park starts here (gopark not probed) */

/* Go runtime goroutine states (runtime2.go, stable 1.17 - 1.27). */
#define G_RUNNABLE 1
#define G_RUNNING 2
#define G_SYSCALL 3
#define G_WAITING 4
#define G_DEAD 6

/*
 * The stack map (stacks) is keyed by a 64-bit hash of the frames; 0 means
 * no stack. A run-queue entry that no park led to has reason BLOCK_NO_SITE.
 */
#define BLOCK_NO_SITE 0xffffffffu

struct block_site_key {
	__u64 stack;  /* hash of [gopark pc, [bp+8], ...], the key in stacks; 0: unknown */
	__u64 caller; /* [SP] at the probe: gopark's immediate caller (not in the stack) */
	__u32 reason; /* waitReason byte, or BLOCK_NO_SITE */
	__u32 pad;
};

struct block_site_stats {
	__u64 count;
	__u64 total_ns;
	__u64 max_ns;
	__u64 sched_count; /* runnable -> running after this site's wakes */
	__u64 sched_total_ns;
	__u32 hist[BLOCK_HIST_BUCKETS];
};

/*
 * Where a goroutine is between park and run, one entry per g: parked since
 * start_ns at site, then (runnable = 1) on the run queue since start_ns,
 * still carrying the site it woke from; once it runs, idle until its next
 * park. One entry for the whole cycle, updated in place: a park cycle
 * allocates and frees nothing in the map (BPF time per probe hit on the
 * HTTP benchmark, kernel.bpf_stats_enabled: 210 ns when runs deleted the
 * entry and parks made a new one, 166 ns in place).
 */
struct block_park {
	__u64 start_ns;
	struct block_site_key site;
	__u8 confirmed; /* park_m moved it to _Gwaiting */
	__u8 runnable;	/* woken (or made runnable otherwise): waiting for a CPU */
	__u8 idle;	/* running again since: no park in flight */
	__u8 pad[5];
};

/* Counters, one slot each in a per-CPU array. */
enum block_counter {
	BC_PARKS,	 /* parks seen (gopark hits, or park_m's 2 -> 4) */
	BC_PARK_REFIRE,	 /* gopark hit again before confirmation (morestack re-entry) */
	BC_CONFIRMED,	 /* parks confirmed by park_m */
	BC_CANCELLED,	 /* parks cancelled in park_m (unlockf returned false) */
	BC_WAKES,	 /* 4 -> 1 with a matching park */
	BC_WAKE_UNKNOWN, /* 4 -> 1 for a goroutine whose park we did not see */
	BC_MISSED_WAKE,	 /* a confirmed park whose wake we never saw */
	BC_SHORT,	 /* wakes below min_block_ns, not aggregated */
	BC_RUNS,	 /* 1 -> 2 */
	BC_RUNS_MATCHED, /* 1 -> 2 with a runnable timestamp */
	BC_STACK_ERRORS, /* a stack not kept (scratch or stack map unavailable) */
	BC_MAP_FULL,	 /* a map update failed */
	BC_CASG_HITS,	 /* casgstatus probe hits, all transitions */
	BC_NR,
};

#endif
