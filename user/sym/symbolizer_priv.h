/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_SYM_SYMBOLIZER_PRIV_H
#define GOTRACE_SYM_SYMBOLIZER_PRIV_H

#include "goelf/elf.h"
#include "goelf/elfsyms.h"
#include "goelf/pclntab.h"
#include "proc/maps.h"
#include "sym/ksyms.h"
#include "sym/symbolizer.h"

/* Shared between symbolizer.c (modules) and symbolize.c (lookups). */

struct sym_module {
	char *key; /* the path as /proc/PID/maps prints it, or the file given */
	struct elf_file *ef;
	struct pclntab *pcln; /* NULL for non-Go modules */
	struct elf_syms *syms;
	int open_err; /* nonzero: the module could not be read; never retried */
	char open_msg[160];
};

struct symbolizer {
	pid_t pid; /* 0: bound to one file, mods[0] */
	struct proc_maps *maps;
	bool maps_refreshed;
	struct sym_module *mods;
	size_t nmods;
	struct ksyms *ks;
};

struct sym_module *symbolizer_module_for_map(struct symbolizer *s, const struct proc_map *m);

#endif
