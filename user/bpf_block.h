/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_BPF_BLOCK_H
#define GOTRACE_BPF_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "block.h"

/*
 * Backend of `gotrace block` (bpf/block.bpf.c): open (load, filtered to
 * one tgid) → attach the uprobes of a plan → read the maps → detach/free.
 * Attach and detach can repeat (the overhead governor duty-cycles them).
 */

struct block_tracer;

struct block_uprobe {
	uint64_t file_offset;
	bool is_gopark;	 /* else a casgstatus site (entry or CALL) */
	uint32_t cookie; /* CASG_* flags */
};

/* Where a park's reason and stack are in runtime.g, for parks recorded at park_m. */
struct block_park_layout {
	uint32_t g_sched_pc, g_sched_bp, g_waitreason;
};

/* park_layout NULL: parks are recorded at gopark. */
int block_tracer__open(pid_t pid, uint64_t min_block_ns,
		       const struct block_park_layout *park_layout, struct block_tracer **out);
/* Attaches every probe on /proc/PID/exe; on failure none stays attached. */
int block_tracer__attach(struct block_tracer *b, const struct block_uprobe *probes, size_t n);
void block_tracer__detach(struct block_tracer *b);
/* Forgets parks and run-queue stamps (before re-attaching: their ends were not seen). */
void block_tracer__clear_inflight(struct block_tracer *b);
bool block_tracer__attached(const struct block_tracer *b);
void block_tracer__free(struct block_tracer *b);

/*
 * Kernel-measured run time of the BPF programs (BPF_STATS_RUN_TIME, on
 * from open until block_tracer__stop_run_stats): total ns and runs, both
 * programs together. -ENOTSUP once the statistics are off.
 */
int block_tracer__prog_time(struct block_tracer *b, uint64_t *run_ns, uint64_t *runs);
/*
 * Turns the kernel's BPF run-time statistics off (if nothing else holds
 * them on). They are node-wide and cost every BPF program on the node two
 * sched_clock() reads per run: on this VM's kvm-clock as much time as
 * block's own program spends on an HTTP server's park cycle.
 */
void block_tracer__stop_run_stats(struct block_tracer *b);

/* Counters summed over CPUs. */
int block_tracer__counters(struct block_tracer *b, uint64_t out[BC_NR]);
/* Every site with its per-CPU stats summed; cb returns nonzero to stop. */
typedef int (*block_site_cb)(const struct block_site_key *k, const struct block_site_stats *s,
			     void *ctx);
int block_tracer__each_site(struct block_tracer *b, block_site_cb cb, void *ctx);
int block_tracer__sched_all(struct block_tracer *b, struct block_site_stats *out);
/* The user stack of a site's stack hash; returns the depth (0 when unknown). */
int block_tracer__stack(struct block_tracer *b, uint64_t stack, uint64_t *pcs, size_t max);
/* Parks still open (goroutines parked now, as far as the probes saw). */
typedef int (*block_park_cb)(uint64_t g, const struct block_park *p, void *ctx);
int block_tracer__each_park(struct block_tracer *b, block_park_cb cb, void *ctx);

#endif
