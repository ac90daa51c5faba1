/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_OOM_CLASSIFY_H
#define GOTRACE_OOM_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

/*
 * Which OOM it was: a memory cgroup over its limit, or the node out of
 * memory. oom_kill_process's oom_control says so (constraint); mark_victim
 * does not, but the kernel stack of the task that ran the OOM killer does:
 *
 *   mark_oom_victim ← __oom_kill_process ← oom_kill_process ← out_of_memory
 *     ← mem_cgroup_out_of_memory ← try_charge_memcg ← ...     memcg OOM
 *     ← __alloc_pages_may_oom ← __alloc_pages_slowpath ← ...  node OOM
 *     ← moom_callback (sysrq-f)                               manual
 *
 * (mm/oom_kill.c, mm/memcontrol.c, mm/page_alloc.c, drivers/tty/sysrq.c;
 * checked on 6.18). Callers may be inlined away, so the first known
 * function outward from out_of_memory decides, and out_of_memory with none
 * known means the node: every memcg path passes through one of its own.
 */

enum oom_kind {
	OOM_KIND_UNKNOWN,
	OOM_KIND_MEMCG, /* a memory cgroup hit its limit */
	OOM_KIND_NODE,	/* the node (or a cpuset / mempolicy) ran out */
	OOM_KIND_SYSRQ, /* someone asked for it: sysrq-f */
};

/* From kernel frame names, innermost first; via names the frame that decided. */
enum oom_kind oom_classify_frames(const char *const *fns, size_t n, const char **via);
/* From oom_control.constraint (CONSTRAINT_MEMCG = 3, else the node). */
enum oom_kind oom_classify_constraint(uint32_t constraint);
const char *oom_kind__name(enum oom_kind k);

#endif
