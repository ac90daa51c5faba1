/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_GOELF_GOLAYOUT_H
#define GOTRACE_GOELF_GOLAYOUT_H

#include <stdint.h>

#include "goelf/goversion.h"

/*
 * Offsets of the Go runtime's own structures that probes read, by Go
 * version (GO-RUNTIME.md §4: DWARF of builds with each toolchain). Only
 * what gotrace reads is here; amd64 and arm64 agree on every field.
 */
struct go_layout {
	uint32_t g_m;	     /* g.m */
	uint32_t g_sched_pc; /* g.sched.pc */
	uint32_t g_sched_bp; /* g.sched.bp */
	uint32_t m_g0;	     /* m.g0 */
	uint32_t m_curg;     /* m.curg */
	uint32_t panic_arg;  /* _panic.arg (eface) */
};

/* 0, or -ENOENT with err_set() for versions outside the table (before go1.17). */
int go_layout__for_version(const struct go_version *v, struct go_layout *out);

#endif
