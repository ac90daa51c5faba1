/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_GOELF_X86CODE_H
#define GOTRACE_GOELF_X86CODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "goelf/elf.h"

/*
 * What a function's machine code says about the globals it touches, decoded
 * with Capstone (a real x86-64 decoder, not opcode tables of our own): every
 * RIP-relative memory operand (its target, access size, whether it is a LEA
 * or a read/write) and every immediate compared against a register. This
 * is how gotrace finds runtime globals in stripped binaries
 * (goglobals.h, waitreason.h).
 */

struct x86_ref {
	uint64_t insn;	 /* link-time address of the instruction */
	uint64_t target; /* RIP-relative target (link-time vaddr) */
	uint8_t size;	 /* memory access size in bytes; 0 for LEA (address taken) */
	bool lea;
	bool write;
};

struct x86_refs {
	struct x86_ref *v;
	size_t n;
	/* Immediates of CMP instructions, in order (e.g. a bounds check's length). */
	int64_t *cmp_imm;
	size_t ncmp;
};

/*
 * Decodes [start, end) (link-time vaddrs; the bytes come from the file) and
 * collects its references. -ENOENT when the range is not in the file,
 * -EOPNOTSUPP for a machine other than x86-64 (the message says so).
 */
int x86_refs__collect(const struct elf_file *ef, uint64_t start, uint64_t end,
		      struct x86_refs *out);
void x86_refs__clear(struct x86_refs *r);

#endif
