/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_KERN_FEATURES_INT_H
#define GOTRACE_KERN_FEATURES_INT_H

/* Between features.c (the cache, BPF probes) and features_sys.c (system probes). */
#include "kern/features.h"

void feat_set(struct feature *f, enum feat_state s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void feat_probe_privileges(struct feature *f);
void feat_probe_tracefs(struct feature *f);
void feat_probe_psi(struct feature *f);

#endif
