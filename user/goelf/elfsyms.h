/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_GOELF_ELFSYMS_H
#define GOTRACE_GOELF_ELFSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "goelf/elf.h"

/*
 * The ELF symbol tables (.symtab and .dynsym) of one file: address → symbol
 * for non-Go code (libc, cgo) and name → address for Go symbols when the
 * binary still has .symtab. Every field of the file is untrusted (st_name,
 * sh_link, sizes): bad entries are skipped, never followed.
 *
 * Two address indexes: functions (STT_FUNC, STT_GNU_IFUNC) and data objects
 * (STT_OBJECT), each sorted by address with one symbol per address (aliases
 * collapse to the best-named one: global before weak before local, sized
 * before unsized, .symtab before .dynsym). A symbol of size 0 extends to the
 * next symbol of its index, but not past the end of its section. The name
 * index holds every defined named symbol of any type.
 */

struct elf_syms;

enum elf_sym_kind {
	ELF_SYM_FUNC,
	ELF_SYM_OBJECT,
};

struct elf_sym {
	const char *name; /* points into the file; valid while the elf_file is open */
	uint64_t start;	  /* st_value: a link-time virtual address */
	uint64_t size;	  /* st_size, or the extended size for size-0 symbols */
	uint64_t offset;  /* lookups: vaddr - start; 0 from find/nth */
	uint8_t type;	  /* STT_* */
	uint8_t bind;	  /* STB_* */
	uint16_t shndx;
	bool dynamic; /* came from .dynsym (and not also from .symtab) */
};

/*
 * 0, with an empty table when the file has no usable symbol table; a
 * hostile table or entry is skipped, never an error. Only -ENOMEM fails.
 * Only the first SHT_SYMTAB and the first SHT_DYNSYM are read (gABI: one
 * of each).
 */
int elf_syms__load(const struct elf_file *ef, struct elf_syms **out);
void elf_syms__free(struct elf_syms *syms);

/* The function containing vaddr; -ENOENT when none does. */
int elf_syms__lookup_addr(const struct elf_syms *syms, uint64_t vaddr, struct elf_sym *sym);
/* The data object containing vaddr; -ENOENT when none does. */
int elf_syms__lookup_object(const struct elf_syms *syms, uint64_t vaddr, struct elf_sym *sym);
/*
 * A defined symbol by exact name, any type. Where several share a name
 * (static functions in different files), the global one wins, then the
 * lowest address. -ENOENT when absent.
 */
int elf_syms__find(const struct elf_syms *syms, const char *name, struct elf_sym *sym);

/* Number of distinct symbols held (the name index). */
size_t elf_syms__count(const struct elf_syms *syms);
/* Entries in one address index, and the i-th by address (-ENOENT past the end). */
size_t elf_syms__count_kind(const struct elf_syms *syms, enum elf_sym_kind kind);
int elf_syms__nth(const struct elf_syms *syms, enum elf_sym_kind kind, size_t i,
		  struct elf_sym *sym);

#endif
