/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_USER_BPF_OOM_H
#define GOTRACE_USER_BPF_OOM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "kern/features.h"
#include "oom.h"

/*
 * libbpf backend of bpf/oom.bpf.c: open → choose a mechanism per hook →
 * load → attach → poll kill records → read the per-memcg aggregates →
 * free. cmd_oom.c never calls libbpf.
 */
struct oom_tracer;

/* The hooks gotrace oom uses, in the order they are reported. */
enum oom_hook {
	OOM_HOOK_KILL,		/* "oom_kill": required */
	OOM_HOOK_EVENTS,	/* "memcg_events": optional */
	OOM_HOOK_RECLAIM_BEGIN, /* "memcg_reclaim_begin": optional, with its end */
	OOM_HOOK_RECLAIM_END,
	OOM_HOOK_SIGKILL, /* "signal_deliver": optional, the Go heap of a victim killed by another
			   */
	OOM_HOOK_EXEC,	  /* "process_exec": optional, read-ahead at exec (want_exec) */
	OOM_HOOK_NR,
};

struct oom_hook_state {
	const char *hook;     /* kern/hooks.c name */
	bool used;	      /* available (loaded; attached, or armed on demand) */
	bool armed;	      /* attached now */
	struct kern_target t; /* the mechanism and target, when used */
	char why_not[400];    /* when not used: the reason */
};

struct oom_tracer_opts {
	/*
	 * Tests: use this mechanism for the kill hook instead of the
	 * resolver's choice (MECH_NR: no override), and with load_only stop
	 * after the verifier accepted the programs.
	 */
	enum kern_mech force_kill_mech;
	bool load_only;
	/* Report execs (oom_tracer__poll's exec_fn): callers with no exec source of their own. */
	bool want_exec;
};

/*
 * Resolves the hooks, loads and (unless load_only) attaches. Without a
 * working kill hook: -GT_ENOFEAT naming every candidate's reason; a forced
 * mechanism that fails says at which stage (load refused, attach failed).
 * The charge-path hooks are optional: their absence is in the hook states.
 */
int oom_tracer__open(const struct oom_tracer_opts *o, struct oom_tracer **out);
/*
 * memcg:count_memcg_events fires on every page fault of the node: it is
 * attached only while some memory cgroup is near its limit (the caller
 * decides), so a node without memory trouble pays nothing for it. Starts
 * disarmed. 0, or the attach error (the hook then stays unavailable).
 */
int oom_tracer__arm_events(struct oom_tracer *ot, bool on);
const struct oom_hook_state *oom_tracer__hook(const struct oom_tracer *ot, enum oom_hook h);

typedef int (*oom_kill_fn)(void *ctx, const struct oom_kill_event *e);
typedef void (*oom_exec_fn)(void *ctx, pid_t pid);
/*
 * Waits up to timeout_ms, calls fn per kill record and exec_fn per exec
 * (with want_exec); >= 0 kill records, or -errno.
 */
int oom_tracer__poll(struct oom_tracer *ot, int timeout_ms, oom_kill_fn fn, oom_exec_fn exec_fn,
		     void *ctx);

/* The aggregates of one memcg (by cgroup id); -ENOENT when it had no charge-path events. */
int oom_tracer__memcg(const struct oom_tracer *ot, uint64_t cgroup_id, struct oom_memcg_stats *out);
int oom_tracer__stats(const struct oom_tracer *ot, struct oom_bpf_stats *out);

/*
 * The Go heap words of process tgid (oom.h): addrs[0..n) are read at its
 * death. set replaces, forget removes the addresses and any snapshot.
 */
int oom_tracer__go_heap_set(struct oom_tracer *ot, uint32_t tgid, const uint64_t *addrs,
			    uint32_t n);
void oom_tracer__go_heap_forget(struct oom_tracer *ot, uint32_t tgid);
/* The snapshot taken at tgid's death; -ENOENT when none (yet). */
int oom_tracer__go_heap_snap(const struct oom_tracer *ot, uint32_t tgid,
			     struct oom_go_heap_snap *out);
void oom_tracer__free(struct oom_tracer *ot);

#endif
