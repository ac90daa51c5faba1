/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_OOM_WATCH_H
#define GOTRACE_OOM_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "oom/procinfo.h"
#include "oom/trajectory.h"
#include "proc/memcg.h"

/*
 * What happened before a kill can only be known if it was watched: the
 * memory cgroups in scope that have a limit are sampled periodically
 * (usage every sample period; limit, events, peak, failcnt and PSI every
 * full period), and the processes in them are read ahead (Go version and
 * runtime knobs), because a victim is often gone by the time its kill
 * record reaches userspace. The walk also maps every memory cgroup's id
 * to its path, which is how the kernel's records name cgroups, and keeps
 * cgroups that disappear for a while so a kill in a just-deleted container
 * still has a name and a history.
 */

struct watch_cfg {
	int mem_version;	   /* 1 or 2 */
	const char *mem_mount;	   /* the memory controller's hierarchy */
	const char *unified_mount; /* cgroup2 (PSI lives there on hybrid hosts); "" none */
	/* Is this cgroup (path relative to the mounts) in the user's scope? NULL: all. */
	bool (*in_scope)(void *ctx, const char *path);
	void *scope_ctx;
	uint64_t sample_ns; /* usage sampling period */
	uint64_t full_ns;   /* full state + PSI + cgroup membership period */
	uint64_t window_ns; /* how much history is kept */
	bool no_read_ahead; /* tests: never read processes ahead of a kill */
	/*
	 * A process read ahead (alive) or forgotten (gone for a while, or its
	 * pid reused): where its Go heap words are goes to the kernel half.
	 */
	void (*on_proc)(void *ctx, const struct proc_info *pi, bool alive);
	void *proc_ctx;
};

struct watch_cg {
	char *path;
	uint64_t id;
	bool limited; /* has a memory limit (sampled) */
	bool related; /* in scope, or an ancestor of a cgroup in scope */
	bool gone;
	uint64_t gone_ns;
	struct memcg_state full; /* the latest full read */
	uint64_t full_ns;
	bool have_psi;
	struct psi psi; /* at full_ns */
	bool have_psi_base;
	struct psi psi_base; /* the oldest full read still in the window */
	uint64_t psi_base_ns;
	struct traj_sample *ring;
	size_t cap, head, n;
	uint64_t gen;
};

struct watch;

int watch__new(const struct watch_cfg *cfg, struct watch **out);
void watch__free(struct watch *w);
/* Does what is due at now (mono ns): walk, sample, full reads, process read-ahead. */
int watch__tick(struct watch *w, uint64_t now);
/* A process just exec'd: read it ahead now if its memory cgroup has a limit. */
void watch__see_exec(struct watch *w, pid_t pid);
/* One usage sample of c now (at a kill, for the freshest point). */
void watch__sample_now(struct watch *w, struct watch_cg *c, uint64_t now);

struct watch_cg *watch__by_id(struct watch *w, uint64_t id);
struct watch_cg *watch__by_path(struct watch *w, const char *path);
/* The path of a memory cgroup id, walking again once if it is unknown. */
const char *watch__path_of(struct watch *w, uint64_t id);
/* c's samples, oldest first; returns how many were copied. */
size_t watch_cg__samples(const struct watch_cg *c, struct traj_sample *out, size_t max);

/* A process read ahead; start_ticks 0 accepts any instance of the pid. */
const struct proc_info *watch__proc(const struct watch *w, pid_t pid, uint64_t start_ticks);

/* Is any cgroup in scope at or above percent of its limit (latest sample)? */
bool watch__hot(const struct watch *w, unsigned percent);

size_t watch__ncgroups(const struct watch *w, size_t *limited);
size_t watch__nprocs(const struct watch *w);

#endif
