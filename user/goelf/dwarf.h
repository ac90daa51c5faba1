/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_GOELF_DWARF_H
#define GOTRACE_GOELF_DWARF_H

#include <stddef.h>
#include <stdint.h>

#include "goelf/elf.h"

/*
 * A minimal DWARF reader: the byte size of a named struct type and the
 * offsets of its members, which is all gotrace needs (runtime.g, runtime.m,
 * runtime.gobuf: GO-RUNTIME.md §4.2). It reads .debug_info and .debug_abbrev
 * (plus .debug_str / .debug_line_str for names), versions 2 to 5, 32- and
 * 64-bit DWARF, compressed the three ways Go and binutils do it: SHF_COMPRESSED
 * with zlib (Go 1.19+) or zstd, and the older .zdebug_* sections ("ZLIB" +
 * big-endian size; Go 1.11-1.18). Everything in the file is untrusted: a
 * malformed unit is -GT_EFORMAT with a message, never a crash, and
 * decompression is bounded.
 */

struct dwarf;

/* One member to look up; offset is set, or -1 when the struct has no such member. */
struct dwarf_member {
	const char *name;
	int64_t offset;
};

/* -ENOENT (with a message) when the file has no DWARF; -GT_EFORMAT when it is corrupt. */
int dwarf__open(const struct elf_file *ef, struct dwarf **out);
/* Uncompressed sections in caller memory, which must outlive the dwarf (fuzzing, tests). */
int dwarf__open_mem(const void *info, size_t info_len, const void *abbrev, size_t abbrev_len,
		    const void *str, size_t str_len, struct dwarf **out);
void dwarf__free(struct dwarf *d);

/*
 * The first definition (not declaration) of a struct type named name:
 * its DW_AT_byte_size in *size and the offsets of the requested members.
 * -ENOENT when no such struct is defined, -GT_EFORMAT on corrupt data.
 */
int dwarf__struct_layout(const struct dwarf *d, const char *name, uint64_t *size,
			 struct dwarf_member *members, size_t n);

#endif
