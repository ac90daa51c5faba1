/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_GOELF_WAITREASON_H
#define GOTRACE_GOELF_WAITREASON_H

#include <stdint.h>

#include "goelf/elf.h"
#include "goelf/elfsyms.h"
#include "goelf/pclntab.h"

/*
 * The binary's own runtime.waitReasonStrings: g.waitreason (a byte) → the
 * text the runtime prints ("chan receive", "sync.Mutex.Lock"). The values
 * shift between releases (GO-RUNTIME.md §5.1), so gotrace never keeps its
 * own copy: the table comes from the symbol when .symtab is there, else
 * from the documented byte-pattern scan of writable data (§5.2: entries
 * 0..2 are "", "GC assist marking", "IO wait" in every release since 1.17),
 * with the length from runtime.waitReason.String's bounds check when its
 * code says so. Pointers are link-time vaddrs into the file.
 */

struct go_waitreasons;

enum go_waitreasons_source {
	GO_WR_SYMBOL,	 /* runtime.waitReasonStrings in .symtab */
	GO_WR_SCAN_CODE, /* byte-pattern scan; length from waitReason.String */
	GO_WR_SCAN,	 /* byte-pattern scan; length from where valid entries end */
};

/* -ENOENT (message set) when no table is found. syms and pcln may be NULL. */
int go_waitreasons__load(const struct elf_file *ef, const struct elf_syms *syms,
			 const struct pclntab *pcln, struct go_waitreasons **out);
void go_waitreasons__free(struct go_waitreasons *wr);

uint32_t go_waitreasons__count(const struct go_waitreasons *wr);
/* The text of reason; "" for 0; NULL when reason is past the table or its entry is bad. */
const char *go_waitreasons__name(const struct go_waitreasons *wr, uint32_t reason);
uint64_t go_waitreasons__vaddr(const struct go_waitreasons *wr);
enum go_waitreasons_source go_waitreasons__source(const struct go_waitreasons *wr);
const char *go_waitreasons_source_name(enum go_waitreasons_source s);

/* The byte-pattern scan alone: vaddr of the table (tests compare it with the symbol). */
int go_waitreasons__scan(const struct elf_file *ef, uint64_t *vaddr);

/* g.atomicstatus values (runtime2.go; stable since go1.14, 10-11 since go1.26). */
enum {
	GO_G_IDLE = 0,
	GO_G_RUNNABLE = 1,
	GO_G_RUNNING = 2,
	GO_G_SYSCALL = 3,
	GO_G_WAITING = 4,
	GO_G_DEAD = 6,
	GO_G_COPYSTACK = 8,
	GO_G_PREEMPTED = 9,
	GO_G_LEAKED = 10,
	GO_G_DEADEXTRA = 11,
	GO_G_SCAN = 0x1000,
};

/* The runtime's gStatusStrings name for status (scan bit ignored), or NULL. */
const char *go_gstatus_name(uint32_t status);

#endif
