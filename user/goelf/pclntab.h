/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_GOELF_PCLNTAB_H
#define GOTRACE_GOELF_PCLNTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "goelf/elf.h"

/*
 * Go's pc-line table (.gopclntab): function table, names, file:line and the
 * inline tree, for every format since go1.2 (magics 0xfffffffb go1.2–1.15,
 * 0xfffffffa go1.16–1.17, 0xfffffff0 go1.18–1.19, 0xfffffff1 go1.20+).
 * It survives `-ldflags=-s -w`, so stripped binaries symbolize too.
 *
 * Located by section name (.gopclntab, .data.rel.ro.gopclntab), else by
 * scanning read-only PT_LOAD segments for a valid header (binaries without
 * section headers). Inlined frames need the module data (go:func.* base for
 * funcdata since go1.18), found by scanning writable segments for the
 * moduledata that points back at the table.
 *
 * All addresses are link-time virtual addresses (what the ELF says); the
 * caller removes the load bias for PIE processes. Strings returned point into
 * the mapped file and live as long as the elf_file.
 */

struct pclntab;

enum pclntab_format {
	PCLNTAB_GO12,  /* go1.2 - go1.15 */
	PCLNTAB_GO116, /* go1.16 - go1.17 */
	PCLNTAB_GO118, /* go1.18 - go1.19 */
	PCLNTAB_GO120, /* go1.20 and later */
};

struct pcln_func {
	uint64_t entry;	   /* link-time vaddr of the first instruction */
	uint64_t end;	   /* entry of the next function (or end of text) */
	const char *name;
	uint8_t funcid;	   /* raw abi.FuncID; meaning varies by version */
	uint8_t flag;	   /* abi.FuncFlag (go1.16+), 0 before */
	bool wrapper;	   /* compiler-generated ABI/method wrapper (skip when resolving by name) */
	uint32_t index;	   /* position in the function table */
};

struct pcln_frame {
	const char *func; /* never NULL; "?" when unknown */
	const char *file; /* never NULL; "?" when unknown */
	int32_t line;	  /* 0 when unknown */
	bool inlined;	  /* true for frames inlined into the physical function */
};

/* -GT_ENOTGO when the binary has no pclntab; -GT_EFORMAT when it is corrupt. */
int pclntab__open(const struct elf_file *ef, struct pclntab **out);
void pclntab__free(struct pclntab *t);

enum pclntab_format pclntab__format(const struct pclntab *t);
/* "go1.2", "go1.16", "go1.18", "go1.20": the first Go version of the format. */
const char *pclntab__format_name(const struct pclntab *t);
/* Where the table was found, for `info`: ".gopclntab section" or "scan of segment N". */
const char *pclntab__origin(const struct pclntab *t);
uint64_t pclntab__vaddr(const struct pclntab *t);
uint8_t pclntab__ptrsize(const struct pclntab *t);
uint8_t pclntab__quantum(const struct pclntab *t); /* 1 on amd64, 4 on arm64 */
uint64_t pclntab__text_start(const struct pclntab *t);
/* Whether the module data was found (needed for inlined frames since go1.18). */
bool pclntab__has_moduledata(const struct pclntab *t);
uint64_t pclntab__moduledata_vaddr(const struct pclntab *t); /* 0 when not found */

size_t pclntab__nfuncs(const struct pclntab *t);
int pclntab__func_at(const struct pclntab *t, size_t i, struct pcln_func *f);
/* The function containing pc; -ENOENT outside every function. O(log n). */
int pclntab__find_func(const struct pclntab *t, uint64_t pc, struct pcln_func *f);
/*
 * By exact name, skipping ABI wrappers (GO-RUNTIME.md §10.2: in pclntab the
 * ABI0 wrapper and the body share a name). -ENOENT when absent.
 */
int pclntab__find_name(const struct pclntab *t, const char *name, struct pcln_func *f);

/*
 * Frames at pc, innermost first: inlined callees, then the physical
 * function last. pc is used as given: for a return address the caller
 * passes pc-1 (as Go's own traceback does). Returns the number of frames
 * (> 0), or -ENOENT when pc is in no function. At most max frames are
 * written; the count returned may be larger (call again with more room).
 */
int pclntab__symbolize(const struct pclntab *t, uint64_t pc, struct pcln_frame *frames,
		       size_t max);

/* Value of the function's pcsp table at pc: the SP delta (frame size) there. */
int pclntab__sp_delta(const struct pclntab *t, uint64_t pc, int32_t *delta);

#endif
