/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_KERN_FEATURES_H
#define GOTRACE_KERN_FEATURES_H

#include <stdbool.h>

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
	MECH_NR,
};

const char *kern_mech_name(enum kern_mech m);

/* "fentry,kprobe" → those mechanisms treated as absent. -GT_EUSAGE on unknown names. */
int features__disable_list(const char *list);
bool features__disabled(enum kern_mech m);

#endif
