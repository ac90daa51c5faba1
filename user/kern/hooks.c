// SPDX-License-Identifier: GPL-2.0
/*
 * The table of kernel hooks and the resolver that picks one candidate per
 * hook. Checking a single candidate (gates, name checks, a real load and
 * attach) is kern/hook_check.c.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include "base/err.h"
#include "kern/hook_check.h"
#include "kern/hooks.h"

/*
 * A hook names what it can be reached through; the candidates and their
 * order are derived from that in one place, build_cands().
 */
struct hook_def {
	const char *name;
	const char *description;
	const char *func;	 /* kernel function (fentry, kprobe), or NULL */
	const char *tp_cat, *tp; /* static tracepoint, or NULL */
	const char *sys_generic; /* syscall hooks: "sys_enter" or "sys_exit" */
	int syscall_nr;		 /* syscall hooks: the id the generic hook filters on */
	bool tp_first;		 /* the tracepoint carries what the function does not */
};

#define SYSCALL_HOOK(dir, sc, what)                                                                \
	{                                                                                          \
		.name = "sys_" dir "_" #sc, .description = what, .tp_cat = "syscalls",             \
		.tp = "sys_" dir "_" #sc, .sys_generic = "sys_" dir, .syscall_nr = __NR_##sc,      \
	}

static const struct hook_def defs[] = {
	{"oom_kill", "the OOM killer kills a task", "oom_kill_process", "oom", "mark_victim"},
	{"memcg_oom", "a memory cgroup over its limit invokes the OOM killer",
	 "mem_cgroup_out_of_memory"},
	{"memcg_charge", "a page charge to a memory cgroup (the limit check)", "try_charge_memcg"},
	{"memcg_events", "memory cgroup vm event counters (faults, reclaim scan/steal)", NULL,
	 "memcg", "count_memcg_events"},
	{"memcg_reclaim_begin", "direct reclaim in a memory cgroup starts", NULL, "vmscan",
	 "mm_vmscan_memcg_reclaim_begin"},
	{"memcg_reclaim_end", "direct reclaim in a memory cgroup ends", NULL, "vmscan",
	 "mm_vmscan_memcg_reclaim_end"},
	{"process_exec", "a process executes a new program", NULL, "sched", "sched_process_exec"},
	{"process_exit", "a task exits", NULL, "sched", "sched_process_exit"},
	{"process_fork", "a task forks", NULL, "sched", "sched_process_fork"},
	{"signal_generate", "a signal is sent (sender, target, result)", NULL, "signal",
	 "signal_generate"},
	{"signal_deliver", "a signal is delivered to its target", NULL, "signal", "signal_deliver"},
	/* The tracepoint carries the result; fentry/kprobe see only the request. */
	{"cap_capable", "a capability check", "cap_capable", "capability", "cap_capable",
	 .tp_first = true},
	SYSCALL_HOOK("enter", bind, "entry to bind(2)"),
	SYSCALL_HOOK("exit", bind, "return from bind(2)"),
	SYSCALL_HOOK("enter", connect, "entry to connect(2)"),
	SYSCALL_HOOK("exit", connect, "return from connect(2)"),
	SYSCALL_HOOK("enter", listen, "entry to listen(2)"),
	SYSCALL_HOOK("exit", listen, "return from listen(2)"),
	SYSCALL_HOOK("enter", openat, "entry to openat(2)"),
	SYSCALL_HOOK("exit", openat, "return from openat(2)"),
	SYSCALL_HOOK("enter", execve, "entry to execve(2)"),
	SYSCALL_HOOK("exit", execve, "return from execve(2)"),
	SYSCALL_HOOK("enter", write, "entry to write(2)"),
	SYSCALL_HOOK("exit", write, "return from write(2)"),
	SYSCALL_HOOK("enter", writev, "entry to writev(2)"),
	SYSCALL_HOOK("exit", getsockopt, "return from getsockopt(2)"),
};

#define NHOOKS ((int)(sizeof(defs) / sizeof(defs[0])))

static struct hook_info infos[NHOOKS];
static bool resolved[NHOOKS];

int hooks__count(void)
{
	return NHOOKS;
}

int hooks__find(const char *name)
{
	int i;

	for (i = 0; i < NHOOKS; i++)
		if (!strcmp(defs[i].name, name))
			return i;
	return -ENOENT;
}

static void add(struct hook_info *h, enum kern_mech m, const char *name, const char *cat,
		int syscall_nr)
{
	if (h->ncands < HOOK_MAX_CANDS)
		h->cands[h->ncands++].t = (struct kern_target){m, name, cat, syscall_nr};
}

static void add_func(struct hook_info *h, const struct hook_def *d)
{
	if (!d->func)
		return;
	add(h, MECH_FENTRY, d->func, NULL, -1);
	add(h, MECH_KPROBE, d->func, NULL, -1);
}

/* The three ways to reach a static tracepoint, cheapest first. */
static void add_tp(struct hook_info *h, const char *cat, const char *tp, int syscall_nr)
{
	add(h, MECH_TP_BTF, tp, NULL, syscall_nr);
	add(h, MECH_RAW_TP, tp, NULL, syscall_nr);
	add(h, MECH_TRACEPOINT, tp, cat, syscall_nr);
}

/*
 * The preference chain (DESIGN.md): fentry → kprobe → tp_btf → raw_tp →
 * tracefs. Syscalls differ: their own tracefs event fires for that syscall
 * only, while the generic sys_enter/sys_exit run the program on every
 * syscall of the node (filtering on the id), so the specific event leads.
 */
static void build_cands(struct hook_info *h, const struct hook_def *d)
{
	if (d->sys_generic) {
		add(h, MECH_TRACEPOINT, d->tp, d->tp_cat, -1);
		add_tp(h, "raw_syscalls", d->sys_generic, d->syscall_nr);
		return;
	}
	if (!d->tp_first)
		add_func(h, d);
	if (d->tp)
		add_tp(h, d->tp_cat, d->tp, -1);
	if (d->tp_first)
		add_func(h, d);
}

/* First candidate that works wins; the ones after it are left untried. */
static void resolve(int i)
{
	struct hook_info *h = &infos[i];
	int c;

	h->name = defs[i].name;
	h->description = defs[i].description;
	h->chosen = -1;
	build_cands(h, &defs[i]);
	for (c = 0; c < h->ncands && h->chosen < 0; c++) {
		struct hook_cand *hc = &h->cands[c];

		hc->tried = true;
		hc->ok = hook_check(&hc->t, hc->reason, sizeof(hc->reason));
		if (hc->ok)
			h->chosen = c;
	}
	resolved[i] = true;
}

const struct hook_info *hooks__get(int i)
{
	if (i < 0 || i >= NHOOKS)
		return NULL;
	if (!resolved[i])
		resolve(i);
	return &infos[i];
}

void hooks__resolve_all(void)
{
	int i;

	for (i = 0; i < NHOOKS; i++)
		hooks__get(i);
}

/* "fentry oom_kill_process: <reason>; kprobe ...", for the error message. */
static void why_none(const struct hook_info *h, char *buf, size_t len)
{
	size_t n = 0;
	int c;

	buf[0] = '\0';
	for (c = 0; c < h->ncands && n < len; c++) {
		char tgt[96];

		kern_target__format(&h->cands[c].t, tgt, sizeof(tgt));
		n += (size_t)snprintf(buf + n, len - n, "%s%s %s: %s", c ? "; " : "",
				      kern_mech_name(h->cands[c].t.mech), tgt, h->cands[c].reason);
	}
}

int hooks__choice(const char *name, struct kern_target *out)
{
	const struct feature *priv = features__get(FEAT_PRIVILEGES);
	int i = hooks__find(name);
	const struct hook_info *h;
	char why[400];

	if (i < 0)
		return err_fail(ENOENT, "no kernel hook called '%s'", name);
	/* The one reason that applies to every candidate: say it once, with its fix. */
	if (priv->state != FEAT_OK)
		return err_fail(GT_ENOFEAT, "kernel hook %s: %s", name, priv->reason);
	h = hooks__get(i);
	if (h->chosen >= 0) {
		*out = h->cands[h->chosen].t;
		return 0;
	}
	why_none(h, why, sizeof(why));
	return err_fail(GT_ENOFEAT, "kernel hook %s is unavailable here: %s", name, why);
}

void kern_target__format(const struct kern_target *t, char *buf, size_t len)
{
	if (t->category)
		snprintf(buf, len, "%s:%s", t->category, t->name);
	else
		snprintf(buf, len, "%s", t->name);
}
