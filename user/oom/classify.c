// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>
#include <string.h>

#include "oom.h"
#include "oom/classify.h"

static const struct {
	const char *fn;
	enum oom_kind kind;
} deciders[] = {
	{"mem_cgroup_out_of_memory", OOM_KIND_MEMCG},
	{"moom_callback", OOM_KIND_SYSRQ},
	{"__alloc_pages_may_oom", OOM_KIND_NODE},
	{"pagefault_out_of_memory", OOM_KIND_NODE},
};

/*
 * The innermost deciding frame wins. "out_of_memory" alone (its caller
 * inlined away) means the node: the memcg path always goes through
 * mem_cgroup_out_of_memory, an exported function that is never inlined.
 */
enum oom_kind oom_classify_frames(const char *const *fns, size_t n, const char **via)
{
	bool saw_oom = false;
	size_t i, k;

	*via = NULL;
	for (i = 0; i < n; i++) {
		if (!fns[i])
			continue;
		for (k = 0; k < sizeof(deciders) / sizeof(deciders[0]); k++) {
			if (!strcmp(fns[i], deciders[k].fn)) {
				*via = deciders[k].fn;
				return deciders[k].kind;
			}
		}
		if (!strcmp(fns[i], "out_of_memory"))
			saw_oom = true;
	}
	if (saw_oom) {
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
