/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_GOELF_X86DEC_H
#define GOTRACE_GOELF_X86DEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * x86-64 instruction decoding through a real decoder (capstone), never
 * hand-rolled opcode tables: a uprobe placed anywhere but on an instruction
 * boundary corrupts the target, so every offset gotrace probes inside a
 * function body (call sites, RETs) comes from a linear sweep from the
 * function's entry (Go puts no data in its text).
 */

enum x86_insn_kind {
	X86_OTHER,
	X86_CALL_REL, /* CALL rel32: target known */
	X86_CALL_INDIRECT,
	X86_JMP_REL, /* JMP rel: target known */
	X86_JCC_REL, /* conditional jump: target known */
	X86_JMP_INDIRECT,
	X86_RET,
	X86_INVALID, /* the decoder could not decode: stop the sweep */
};

/* General-purpose registers, any width (EBX, BX, BL all count as RBX). */
enum x86_gpr {
	GPR_RAX,
	GPR_RCX,
	GPR_RDX,
	GPR_RBX,
	GPR_RSP,
	GPR_RBP,
	GPR_RSI,
	GPR_RDI,
	GPR_R8,
	GPR_R9,
	GPR_R10,
	GPR_R11,
	GPR_R12,
	GPR_R13,
	GPR_R14,
	GPR_R15,
	GPR_NONE = -1,
};

struct x86_inst {
	uint64_t addr; /* link-time vaddr */
	uint8_t len;
	enum x86_insn_kind kind;
	uint64_t target;     /* CALL/JMP rel: destination vaddr */
	bool rip_rel;	     /* has a RIP-relative memory operand (no index register): */
	uint64_t rip_target; /* the vaddr it names */
	uint8_t mem_size;    /* its access size (0 for LEA: address taken) */
	bool is_lea;
	bool mem_write;
	bool has_cmp_imm; /* CMP with an immediate operand */
	int64_t cmp_imm;
	uint32_t writes; /* bit (1 << enum x86_gpr) for every GPR it writes */
	bool sets_const; /* MOV reg, imm or XOR reg, reg: const_reg = const_val afterwards */
	enum x86_gpr const_reg;
	int64_t const_val;
	char mnemonic[16];
};

struct x86_sweep;

/* A linear sweep over code (len bytes) mapped at vaddr. */
int x86_sweep__open(const uint8_t *code, size_t len, uint64_t vaddr, struct x86_sweep **out);
/* The next instruction; false at the end or on undecodable bytes (insn->kind X86_INVALID). */
bool x86_sweep__next(struct x86_sweep *s, struct x86_inst *insn);
/* After an undecodable byte: skip it and go on (for scans that tolerate data in text). */
bool x86_sweep__skip_byte(struct x86_sweep *s);
void x86_sweep__free(struct x86_sweep *s);

#endif
