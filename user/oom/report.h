/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_OOM_REPORT_H
#define GOTRACE_OOM_REPORT_H

#include <stdbool.h>
#include <limits.h>
#include <stdint.h>

#include "oom.h"
#include "oom/classify.h"
#include "oom/goheap.h"
#include "oom/procinfo.h"
#include "oom/trajectory.h"
#include "proc/identity.h"
#include "proc/memcg.h"

/*
 * One OOM kill, as `gotrace oom` reports it: the kernel's record, enriched
 * from the node (the victim's /proc entries while it is still there, its
 * read-ahead facts when it is not, its cgroup's history), and turned into
 * one "oom_kill" fact for the rules.
 */

struct oom_level {
	uint64_t id;
	char path[512]; /* "" when the id could not be named */
	uint64_t usage_bytes;
	uint64_t limit_bytes; /* MEMCG_NO_LIMIT when none */
	uint64_t high_bytes;
	uint64_t failcnt;
	uint64_t ev_high, ev_max, ev_oom, ev_oom_kill;
};

/* Where the victim's process facts came from. */
enum victim_source {
	VICTIM_KERNEL,	   /* gone before gotrace could read it: the kernel's record only */
	VICTIM_LIVE,	   /* read from /proc at the kill */
	VICTIM_READ_AHEAD, /* gone at the kill; read while it was running */
};

struct oom_report {
	struct oom_kill_event ev;
	char mechanism[128]; /* "tp_btf oom:mark_victim" */
	uint64_t kill_realtime_ns;
	uint64_t recv_mono_ns;	/* when userspace had the record */
	uint64_t print_mono_ns; /* set by the printer */

	enum oom_kind kind;
	const char *kind_via; /* the frame, "oom_control", or "limit reached" */
	size_t nframes;
	char frames[OOM_STACK_DEPTH][64];

	size_t nlevels;
	struct oom_level levels[OOM_MAX_LEVELS];
	bool levels_of_victim; /* else the trigger's memcg path */
	int domain;	       /* index into levels; -1: the node or unknown */
	uint64_t limit_bytes;  /* the OOM domain's limit (node: MemTotal) */
	uint64_t usage_bytes;  /* its usage at the kill */
	uint64_t mem_total_bytes, mem_available_bytes; /* node, read at the kill */

	enum victim_source victim_source;
	bool have_info;
	struct proc_info info;
	bool have_id;
	struct identity id;
	char subject[256];
	char victim_memcg[PATH_MAX];

	bool have_traj;
	struct trajectory traj;
	size_t nsamples;
	struct traj_sample samples[TRAJ_MAX_SAMPLES];

	bool have_reclaim;
	struct oom_memcg_stats reclaim; /* summed over the domain's subtree */
	bool have_psi;
	bool psi_node; /* node-wide PSI (no cgroup2 directory for the domain) */
	struct psi psi;
	uint64_t psi_window_ns; /* the stall totals below are over this */
	uint64_t psi_some_stall_us, psi_full_stall_us;
	bool have_files;
	struct memcg_state files; /* the domain's cgroup files (latest read) */

	/* The Go heap at the death (oom_report__heap). */
	bool have_heap_addrs;	     /* the victim was read ahead: heap_addrs is its */
	struct proc_heap heap_addrs; /* where its words were */
	uint64_t heap_start_ticks;   /* the process they are for */
	struct heap_report heap;
};

struct watch;
struct ksyms;
struct oom_tracer;
struct fact;

struct oom_enrich_ctx {
	struct watch *watch; /* may be NULL (tests) */
	/* Names a memcg id; NULL: the watch's walk. (Tests replay recorded kills.) */
	const char *(*path_of)(void *ctx, uint64_t id);
	void *path_ctx;
	const struct ksyms *ksyms;	 /* may be NULL: no frames */
	const struct oom_tracer *tracer; /* may be NULL: no charge-path aggregates */
	const char *host_root;
	const char *mechanism;
	const char *unified_mount;
	uint64_t window_ns;
};

/* Builds r from ev. Never fails: what cannot be known stays unknown. */
void oom_report__build(struct oom_report *r, const struct oom_kill_event *ev,
		       const struct oom_enrich_ctx *cx);
/*
 * The victim's Go heap state into r->heap: the snapshot the kernel half
 * took at its death, or why there is none. -EAGAIN while one is still
 * expected (a victim killed by another process dequeues its SIGKILL a
 * little later): call again; with why_none set (the wait is over), never
 * -EAGAIN, why_none is the reason.
 */
int oom_report__heap(struct oom_report *r, const struct oom_enrich_ctx *cx, const char *why_none);
/* The "oom_kill" fact; NULL on ENOMEM. */
struct fact *oom_report__to_fact(const struct oom_report *r);

const char *victim_source__name(enum victim_source s);

#endif
