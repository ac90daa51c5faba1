/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_GOELF_GOGLOBALS_H
#define GOTRACE_GOELF_GOGLOBALS_H

#include <stdint.h>

#include "goelf/elf.h"
#include "goelf/elfsyms.h"
#include "goelf/pclntab.h"

/*
 * Runtime globals a reader of a live Go process needs, as link-time vaddrs
 * (add the load bias for PIE). From .symtab when the binary has it; for
 * stripped binaries, from the code of a runtime function that touches the
 * global, found by name through pclntab and decoded with Capstone
 * (x86code.h):
 *
 *   runtime.allgs      []*g of every goroutine ever created (GO-RUNTIME.md
 *                      §10.5). runtime.allgadd appends to it, so its code
 *                      loads and stores the three words of the slice header
 *                      (ptr, len, cap) at T, T+8, T+16: the one global it
 *                      touches that way is allgs. Present since go1.0.
 *   waitReasonStrings  runtime.waitReason.String indexes it: a LEA of the
 *                      table and a CMP of the index against its length.
 */

enum go_global_source {
	GO_GLOBAL_NONE,
	GO_GLOBAL_SYMBOL, /* .symtab */
	GO_GLOBAL_CODE,	  /* decoded from a runtime function's code */
};

struct go_globals {
	uint64_t allgs; /* vaddr of the []*g slice header */
	enum go_global_source allgs_source;
	uint64_t allglen; /* runtime.allglen (symbol only); 0 when unknown */
};

/* -ENOENT (message set) when allgs cannot be found either way. syms may be NULL. */
int go_globals__find(const struct elf_file *ef, const struct elf_syms *syms,
		     const struct pclntab *pcln, struct go_globals *out);
/* allgs from runtime.allgadd's code alone (tests compare it with the symbol). */
int go_globals__allgs_from_code(const struct elf_file *ef, const struct pclntab *pcln,
				uint64_t *allgs);
/* waitReasonStrings and its length from runtime.waitReason.String's code. */
int go_globals__waitreasons_from_code(const struct elf_file *ef, const struct pclntab *pcln,
				      uint64_t *table, uint32_t *count);
const char *go_global_source_name(enum go_global_source s);

#endif
