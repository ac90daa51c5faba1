// SPDX-License-Identifier: GPL-2.0
#include <capstone/capstone.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "goelf/x86dec.h"

struct x86_sweep {
	csh handle;
	cs_insn *insn;
	const uint8_t *code;
	size_t left;
	uint64_t addr;
	bool failed;
};

int x86_sweep__open(const uint8_t *code, size_t len, uint64_t vaddr, struct x86_sweep **out)
{
	struct x86_sweep *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &s->handle) != CS_ERR_OK) {
		free(s);
		return err_fail(ENOTSUP, "x86 decoder (capstone) failed to initialize");
	}
	cs_option(s->handle, CS_OPT_DETAIL, CS_OPT_ON);
	s->insn = cs_malloc(s->handle);
	if (!s->insn) {
		x86_sweep__free(s);
		return -ENOMEM;
	}
	s->code = code;
	s->left = len;
	s->addr = vaddr;
	*out = s;
	return 0;
}

/* capstone register id (any width) -> GPR index. */
static enum x86_gpr gpr_of(unsigned reg)
{
	static const struct {
		unsigned r[5];
	} map[16] = {
		[GPR_RAX] = {{X86_REG_RAX, X86_REG_EAX, X86_REG_AX, X86_REG_AL, X86_REG_AH}},
		[GPR_RCX] = {{X86_REG_RCX, X86_REG_ECX, X86_REG_CX, X86_REG_CL, X86_REG_CH}},
		[GPR_RDX] = {{X86_REG_RDX, X86_REG_EDX, X86_REG_DX, X86_REG_DL, X86_REG_DH}},
		[GPR_RBX] = {{X86_REG_RBX, X86_REG_EBX, X86_REG_BX, X86_REG_BL, X86_REG_BH}},
		[GPR_RSP] = {{X86_REG_RSP, X86_REG_ESP, X86_REG_SP, X86_REG_SPL}},
		[GPR_RBP] = {{X86_REG_RBP, X86_REG_EBP, X86_REG_BP, X86_REG_BPL}},
		[GPR_RSI] = {{X86_REG_RSI, X86_REG_ESI, X86_REG_SI, X86_REG_SIL}},
		[GPR_RDI] = {{X86_REG_RDI, X86_REG_EDI, X86_REG_DI, X86_REG_DIL}},
		[GPR_R8] = {{X86_REG_R8, X86_REG_R8D, X86_REG_R8W, X86_REG_R8B}},
		[GPR_R9] = {{X86_REG_R9, X86_REG_R9D, X86_REG_R9W, X86_REG_R9B}},
		[GPR_R10] = {{X86_REG_R10, X86_REG_R10D, X86_REG_R10W, X86_REG_R10B}},
		[GPR_R11] = {{X86_REG_R11, X86_REG_R11D, X86_REG_R11W, X86_REG_R11B}},
		[GPR_R12] = {{X86_REG_R12, X86_REG_R12D, X86_REG_R12W, X86_REG_R12B}},
		[GPR_R13] = {{X86_REG_R13, X86_REG_R13D, X86_REG_R13W, X86_REG_R13B}},
		[GPR_R14] = {{X86_REG_R14, X86_REG_R14D, X86_REG_R14W, X86_REG_R14B}},
		[GPR_R15] = {{X86_REG_R15, X86_REG_R15D, X86_REG_R15W, X86_REG_R15B}},
	};
	int g, i;

	for (g = 0; g < 16; g++)
		for (i = 0; i < 5; i++)
			if (map[g].r[i] && map[g].r[i] == reg)
				return (enum x86_gpr)g;
	return GPR_NONE;
}

/* Registers written, and MOV reg, imm / XOR reg, reg constants. */
static void reg_effects(csh h, const cs_insn *ci, struct x86_inst *x)
{
	const cs_x86 *d = &ci->detail->x86;
	cs_regs rd, wr;
	uint8_t nrd, nwr, i;
	enum x86_gpr g;

	x->const_reg = GPR_NONE;
	if (cs_regs_access(h, ci, rd, &nrd, wr, &nwr) == CS_ERR_OK)
		for (i = 0; i < nwr; i++)
			if ((g = gpr_of(wr[i])) != GPR_NONE)
				x->writes |= 1u << g;
	if (d->op_count != 2 || d->operands[0].type != X86_OP_REG)
		return;
	g = gpr_of(d->operands[0].reg);
	if (g == GPR_NONE)
		return;
	if (ci->id == X86_INS_MOV && d->operands[1].type == X86_OP_IMM) {
		x->sets_const = true;
		x->const_val = d->operands[1].imm;
	} else if (ci->id == X86_INS_XOR && d->operands[1].type == X86_OP_REG &&
		   d->operands[1].reg == d->operands[0].reg) {
		x->sets_const = true;
		x->const_val = 0;
	}
	if (x->sets_const)
		x->const_reg = g;
}

static void classify(csh h, const cs_insn *ci, struct x86_inst *x)
{
	const cs_x86 *d = &ci->detail->x86;
	uint8_t i;

	x->kind = X86_OTHER;
	if (cs_insn_group(h, ci, CS_GRP_RET) || ci->id == X86_INS_RET)
		x->kind = X86_RET;
	else if (ci->id == X86_INS_CALL)
		x->kind = d->op_count == 1 && d->operands[0].type == X86_OP_IMM ? X86_CALL_REL
										: X86_CALL_INDIRECT;
	else if (ci->id == X86_INS_JMP)
		x->kind = d->op_count == 1 && d->operands[0].type == X86_OP_IMM ? X86_JMP_REL
										: X86_JMP_INDIRECT;
	else if (cs_insn_group(h, ci, CS_GRP_JUMP) && d->op_count == 1 &&
		 d->operands[0].type == X86_OP_IMM)
		x->kind = X86_JCC_REL;
	if (x->kind == X86_CALL_REL || x->kind == X86_JMP_REL || x->kind == X86_JCC_REL)
		x->target = (uint64_t)d->operands[0].imm;
	x->is_lea = ci->id == X86_INS_LEA;
	for (i = 0; i < d->op_count; i++) {
		const cs_x86_op *op = &d->operands[i];

		if (op->type == X86_OP_MEM && op->mem.base == X86_REG_RIP &&
		    op->mem.index == X86_REG_INVALID) {
			x->rip_rel = true;
			x->rip_target = ci->address + ci->size + (uint64_t)op->mem.disp;
			x->mem_size = x->is_lea ? 0 : op->size;
			x->mem_write = !x->is_lea && (op->access & CS_AC_WRITE);
		} else if (op->type == X86_OP_IMM && ci->id == X86_INS_CMP) {
			x->has_cmp_imm = true;
			x->cmp_imm = op->imm;
		}
	}
}

bool x86_sweep__next(struct x86_sweep *s, struct x86_inst *x)
{
	uint64_t addr = s->addr;

	memset(x, 0, sizeof(*x));
	if (s->failed || !s->left)
		return false;
	if (!cs_disasm_iter(s->handle, &s->code, &s->left, &s->addr, s->insn)) {
		s->failed = true;
		x->addr = addr;
		x->kind = X86_INVALID;
		return false;
	}
	x->addr = s->insn->address;
	x->len = (uint8_t)s->insn->size;
	snprintf(x->mnemonic, sizeof(x->mnemonic), "%.15s", s->insn->mnemonic);
	classify(s->handle, s->insn, x);
	reg_effects(s->handle, s->insn, x);
	return true;
}

bool x86_sweep__skip_byte(struct x86_sweep *s)
{
	if (!s->failed || !s->left)
		return false;
	s->code++;
	s->left--;
	s->addr++;
	s->failed = false;
	return true;
}

void x86_sweep__free(struct x86_sweep *s)
{
	if (!s)
		return;
	if (s->insn)
		cs_free(s->insn, 1);
	cs_close(&s->handle);
	free(s);
}
