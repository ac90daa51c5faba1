// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>
#include <string.h>

#include "oom.h"
#include "oom/classify.h"

/*
 * The callers of out_of_memory() that say which OOM it is. Some are static
 * or small and may be inlined into the next one out, so each path lists
 * every function it passes through; the first one found outward from
 * out_of_memory decides.
 */
static const struct {
	const char *fn;
	enum oom_kind kind;
} deciders[] = {
	{"mem_cgroup_out_of_memory", OOM_KIND_MEMCG},
	{"mem_cgroup_oom", OOM_KIND_MEMCG},
	{"try_charge_memcg", OOM_KIND_MEMCG},
	{"memory_max_write", OOM_KIND_MEMCG},	   /* v2: memory.max lowered below usage */
	{"mem_cgroup_resize_max", OOM_KIND_MEMCG}, /* v1: limit_in_bytes lowered */
	{"moom_callback", OOM_KIND_SYSRQ},
	{"__alloc_pages_may_oom", OOM_KIND_NODE},
	{"__alloc_pages_slowpath", OOM_KIND_NODE},
	{"pagefault_out_of_memory", OOM_KIND_NODE},
};

/* "__alloc_pages_slowpath.constprop.0" is __alloc_pages_slowpath. */
static bool same_fn(const char *frame, const char *fn)
{
	size_t n = strlen(fn);

	return !strncmp(frame, fn, n) && (frame[n] == '\0' || frame[n] == '.');
}

/*
 * Past the named ones, the families: memcg charging (a kernel built with
 * more inlining shows charge_memcg or __mem_cgroup_charge first) and the
 * page allocator (__alloc_pages_noprof, alloc_pages_mpol, ...).
 */
static enum oom_kind decider(const char *frame, const char **via)
{
	for (size_t k = 0; k < sizeof(deciders) / sizeof(deciders[0]); k++) {
		if (same_fn(frame, deciders[k].fn)) {
			*via = deciders[k].fn;
			return deciders[k].kind;
		}
	}
	*via = frame;
	if (strstr(frame, "memcg") || !strncmp(frame, "mem_cgroup_", 11) ||
	    !strncmp(frame, "__mem_cgroup_", 13) || !strncmp(frame, "obj_cgroup_", 11))
		return OOM_KIND_MEMCG;
	if (!strncmp(frame, "__alloc_pages", 13) || !strncmp(frame, "alloc_pages", 11))
		return OOM_KIND_NODE;
	*via = NULL;
	return OOM_KIND_UNKNOWN;
}

enum oom_kind oom_classify_frames(const char *const *fns, size_t n, const char **via)
{
	size_t i, start = 0;

	*via = NULL;
	for (i = 0; i < n; i++)
		if (fns[i] && same_fn(fns[i], "out_of_memory")) {
			start = i + 1;
			break;
		}
	for (i = start; i < n; i++) {
		enum oom_kind k = fns[i] ? decider(fns[i], via) : OOM_KIND_UNKNOWN;

		if (k != OOM_KIND_UNKNOWN)
			return k;
	}
	/* out_of_memory with no known caller: only the memcg path has one of its own. */
	if (start) {
		*via = "out_of_memory";
		return OOM_KIND_NODE;
	}
	return OOM_KIND_UNKNOWN;
}

enum oom_kind oom_classify_constraint(uint32_t constraint)
{
	if (constraint == OOM_CONSTRAINT_MEMCG)
		return OOM_KIND_MEMCG;
	if (constraint == OOM_CONSTRAINT_UNKNOWN)
		return OOM_KIND_UNKNOWN;
	return OOM_KIND_NODE;
}

const char *oom_kind__name(enum oom_kind k)
{
	switch (k) {
	case OOM_KIND_MEMCG:
		return "memcg";
	case OOM_KIND_NODE:
		return "node";
	case OOM_KIND_SYSRQ:
		return "sysrq";
	default:
		return "unknown";
	}
}
