/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_KERN_FEATURES_H
#define GOTRACE_KERN_FEATURES_H

#include <stdbool.h>
#include <sys/types.h>

struct btf;

/*
 * Kernel mechanisms gotrace can attach with. The preference chain for a
 * kernel hook is fentry → kprobe → tp_btf → raw_tp → tracefs tracepoint
 * (DESIGN.md); tests force each fallback with --no-feature.
 */
enum kern_mech {
	MECH_FENTRY,
	MECH_KPROBE,
	MECH_TP_BTF,
	MECH_RAW_TP,
	MECH_TRACEPOINT, /* tracefs-backed perf tracepoint */
	MECH_UPROBE,
	MECH_UPROBE_MULTI, /* uprobe_multi links; without them, one perf event per uprobe */
	MECH_NR,
};

const char *kern_mech_name(enum kern_mech m);

/*
 * "fentry,kprobe" → those mechanisms treated as absent ("tracefs" is an
 * alias of "tracepoint"). -GT_EUSAGE on unknown names.
 */
int features__disable_list(const char *list);
bool features__disabled(enum kern_mech m);

/* Where one program attaches: a kernel function, a raw tracepoint or a tracefs event. */
struct kern_target {
	enum kern_mech mech;
	const char *name;     /* function (fentry, kprobe) or tracepoint name */
	const char *category; /* tracefs event category (tracepoint only), else NULL */
	int syscall_nr;	      /* >= 0: generic sys_enter/sys_exit, the program must filter on it */
};

/*
 * Feature probes. Each runs once, on first use, and is cached for the run;
 * every state carries a sentence saying why (and the fix when there is one).
 */
enum feat_id {
	FEAT_PRIVILEGES,
	FEAT_BTF,
	FEAT_RINGBUF,
	FEAT_COOKIE,
	FEAT_UPROBE,
	FEAT_UPROBE_MULTI,
	FEAT_KPROBE,
	FEAT_FENTRY,
	FEAT_TP_BTF,
	FEAT_RAW_TP,
	FEAT_TRACEFS,
	FEAT_PSI,
	FEAT_NR,
};

enum feat_state {
	FEAT_OK,
	FEAT_MISSING,
	FEAT_DISABLED, /* --no-feature */
};

struct feature {
	enum feat_state state;
	char reason[200];
};

const struct feature *features__get(enum feat_id id);
/* The JSON key / table label of a feature ("ring_buffer", "tp_btf", ...). */
const char *features__key(enum feat_id id);
const char *feat_state_name(enum feat_state s);
/* The feature that gates a mechanism (MECH_TRACEPOINT → FEAT_TRACEFS). */
enum feat_id features__for_mech(enum kern_mech m);

/* The running kernel's BTF, parsed once; NULL when it has none. */
const struct btf *features__vmlinux_btf(void);
const char *features__kernel_release(void);

struct kern_privs {
	uid_t euid;
	bool cap_bpf, cap_perfmon, cap_sys_admin; /* effective set */
};
const struct kern_privs *features__privs(void);

/* tracefs: where it is mounted (NULL: nowhere) and whether gotrace mounted it. */
const char *features__tracefs_dir(void);
bool features__tracefs_mounted_by_us(void);

struct kern_psi {
	bool cpu, memory, io;
};
const struct kern_psi *features__psi(void);

/* Lockdown mode ("none", "integrity", ...) and where it was read from. */
const char *features__lockdown(const char **source);

struct cgroup_layout;
const struct cgroup_layout *features__cgroup(void);

/*
 * For long-running commands once everything is attached: frees what start-up
 * needed (the kernel's parsed BTF) and gives freed memory back to the system.
 */
void features__release_memory(void);

#endif
