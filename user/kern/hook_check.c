// SPDX-License-Identifier: GPL-2.0
#include <bpf/btf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "bpf_hookprobe.h"
#include "kern/hook_check.h"

/* Enough for every distinct (mechanism, target) of kern/hooks.c's table. */
#define CACHE_MAX 64

struct cached {
	enum kern_mech mech;
	const char *name, *category;
	bool ok;
	char reason[200];
};

static struct cached cache[CACHE_MAX];
static int ncache;

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* The syscall filter does not change whether a target attaches: ignore it. */
static struct cached *lookup(const struct kern_target *t)
{
	int i;

	for (i = 0; i < ncache; i++)
		if (cache[i].mech == t->mech && same_str(cache[i].name, t->name) &&
		    same_str(cache[i].category, t->category))
			return &cache[i];
	return NULL;
}

static bool btf_has(const char *name, int kind)
{
	const struct btf *btf = features__vmlinux_btf();

	return btf && btf__find_by_name_kind(btf, name, kind) > 0;
}

/* Raw tracepoints are declared in BTF as typedef btf_trace_<name>. */
static bool btf_has_raw_tp(const char *tp)
{
	char type[128];

	snprintf(type, sizeof(type), "btf_trace_%s", tp);
	return btf_has(type, BTF_KIND_TYPEDEF);
}

static bool tracefs_has(const char *category, const char *name)
{
	const char *dir = features__tracefs_dir();
	char path[256];

	snprintf(path, sizeof(path), "%s/events/%s/%s/id", dir ? dir : "", category, name);
	return dir && !access(path, R_OK);
}

/* Names checked before any load, so the reason says "no such X", not an errno. */
static bool name_exists(const struct kern_target *t, char *reason, size_t len)
{
	bool have_btf = features__vmlinux_btf() != NULL;

	switch (t->mech) {
	case MECH_FENTRY:
		if (btf_has(t->name, BTF_KIND_FUNC))
			return true;
		snprintf(reason, len, "no BTF for function %s (absent, inlined or renamed here)",
			 t->name);
		return false;
	case MECH_TP_BTF:
	case MECH_RAW_TP:
		/* raw_tp needs no BTF: without it, the attach decides. */
		if ((t->mech == MECH_RAW_TP && !have_btf) || btf_has_raw_tp(t->name))
			return true;
		snprintf(reason, len, "no BTF for tracepoint %s (not in this kernel)", t->name);
		return false;
	case MECH_TRACEPOINT:
		if (tracefs_has(t->category, t->name))
			return true;
		snprintf(reason, len, "no tracefs event %s:%s", t->category, t->name);
		return false;
	default:
		return true; /* kprobe: the attach checks kallsyms itself */
	}
}

/*
 * A tracefs event attaches like any other once one has: the mechanism is
 * the same perf tracepoint for all, and the name was checked. Trying each
 * costs ~75 ms (closing a perf tracepoint waits for a grace period, one at
 * a time): crash and watch check 16 syscall events, 0.6 s of every start.
 */
static bool tracefs_proven;

static bool check(const struct kern_target *t, char *reason, size_t len)
{
	const struct feature *f;

	if (features__disabled(t->mech)) {
		snprintf(reason, len, "disabled by --no-feature");
		return false;
	}
	if (features__get(FEAT_PRIVILEGES)->state != FEAT_OK) {
		snprintf(reason, len, "needs privileges (see privileges)");
		return false;
	}
	f = features__get(features__for_mech(t->mech));
	if (f->state != FEAT_OK) {
		snprintf(reason, len, "%s", f->reason);
		return false;
	}
	if (!name_exists(t, reason, len))
		return false;
	if (t->mech == MECH_TRACEPOINT && tracefs_proven) {
		reason[0] = '\0';
		return true;
	}
	if (hookprobe__try(t)) {
		snprintf(reason, len, "%s", err_msg());
		return false;
	}
	if (t->mech == MECH_TRACEPOINT)
		tracefs_proven = true;
	reason[0] = '\0';
	return true;
}

bool hook_check(const struct kern_target *t, char *reason, size_t len)
{
	struct cached *c = lookup(t);

	if (!c && ncache < CACHE_MAX) {
		c = &cache[ncache++];
		c->mech = t->mech;
		c->name = t->name;
		c->category = t->category;
		c->ok = check(t, c->reason, sizeof(c->reason));
	}
	if (!c)
		return check(t, reason, len);
	snprintf(reason, len, "%s", c->reason);
	return c->ok;
}
