/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_PROC_MEMCG_H
#define GOTRACE_PROC_MEMCG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A memory cgroup's state from its files, v1 and v2 alike:
 *
 *              v1 (memory.*)                     v2 (memory.*)
 *   usage      usage_in_bytes                    current
 *   limit      limit_in_bytes (PAGE_COUNTER_MAX  max ("max" = none)
 *              in bytes = none)
 *   high       -                                 high
 *   peak       max_usage_in_bytes                peak (v5.19+)
 *   failcnt    failcnt                           -
 *   events     oom_control: under_oom, oom_kill  events: high, max, oom, oom_kill
 *
 * and PSI (Documentation/accounting/psi.rst): "some avg10=0.00 avg60=0.00
 * avg300=0.00 total=0" and the same for "full", in the cgroup2 directory's
 * memory.pressure or node-wide in /proc/pressure/memory.
 */

#define MEMCG_NO_LIMIT UINT64_MAX

struct memcg_state {
	int version; /* 1 or 2 */
	uint64_t usage_bytes;
	uint64_t limit_bytes; /* MEMCG_NO_LIMIT when none */
	uint64_t high_bytes;  /* MEMCG_NO_LIMIT when none (and on v1) */
	uint64_t peak_bytes;  /* 0 when the kernel has no such file */
	uint64_t failcnt;     /* v1 */
	bool have_events;
	uint64_t ev_high, ev_max, ev_oom, ev_oom_kill;
	bool under_oom; /* v1 */
};

enum memcg_read {
	MEMCG_READ_USAGE = 1, /* usage only: the cheap periodic sample */
	MEMCG_READ_ALL = 2,
};

/*
 * Reads the files of the cgroup directory dir (memory controller of the
 * given version). -ENOENT when the cgroup is gone; a file missing from an
 * existing cgroup leaves its field at the "unknown" value.
 */
int memcg_state__read(const char *dir, int version, enum memcg_read what, struct memcg_state *out);

/* "max" / v1's PAGE_COUNTER_MAX bytes → MEMCG_NO_LIMIT; else the number. */
int memcg__parse_limit(const char *text, uint64_t *out);
/* memory.events (v2) or memory.oom_control (v1) lines into st. */
int memcg__parse_events(const char *text, struct memcg_state *st);

struct psi_line {
	bool valid;
	double avg10, avg60, avg300; /* percent */
	uint64_t total_us;
};

struct psi {
	struct psi_line some, full;
};

int psi__parse(const char *text, struct psi *out);
int psi__read(const char *path, struct psi *out);

/*
 * Every cgroup directory below mount (the mount itself is "/"), with its
 * cgroup id: the directory's inode number is the kernfs node id the kernel
 * reports (bpf_get_current_cgroup_id, memcg tracepoints). fn returns
 * non-zero to stop. Directories vanishing during the walk are skipped.
 */
typedef int (*cgroup_walk_fn)(void *ctx, const char *rel_path, uint64_t id);
int cgroup__walk(const char *mount, int max_depth, cgroup_walk_fn fn, void *ctx);
/* The id of mount + rel_path; -ENOENT when it does not exist. */
int cgroup__id(const char *mount, const char *rel_path, uint64_t *id);

#endif
