// SPDX-License-Identifier: GPL-2.0
/* Capstone-decoded references of one function's code. */
#include <capstone/capstone.h>
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "goelf/x86code.h"

/* No runtime function gotrace decodes is anywhere near this long. */
#define MAX_FUNC_BYTES (1u << 20)

void x86_refs__clear(struct x86_refs *r)
{
	if (!r)
		return;
	free(r->v);
	free(r->cmp_imm);
	memset(r, 0, sizeof(*r));
}

static int push_ref(struct x86_refs *r, size_t *cap, struct x86_ref ref)
{
	struct x86_ref *n;

	if (r->n == *cap) {
		*cap = *cap ? 2 * *cap : 32;
		n = realloc(r->v, *cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		r->v = n;
	}
	r->v[r->n++] = ref;
	return 0;
}

static int push_imm(struct x86_refs *r, size_t *cap, int64_t imm)
{
	int64_t *n;

	if (r->ncmp == *cap) {
		*cap = *cap ? 2 * *cap : 8;
		n = realloc(r->cmp_imm, *cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		r->cmp_imm = n;
	}
	r->cmp_imm[r->ncmp++] = imm;
	return 0;
}

struct caps {
	size_t ref, imm;
};

/* The operands of one decoded instruction. */
static int note_insn(const cs_insn *in, struct x86_refs *r, struct caps *cap)
{
	const cs_x86 *x = &in->detail->x86;
	int i, err = 0;

	for (i = 0; i < x->op_count && !err; i++) {
		const cs_x86_op *op = &x->operands[i];

		if (op->type == X86_OP_MEM && op->mem.base == X86_REG_RIP &&
		    op->mem.index == X86_REG_INVALID) {
			bool lea = in->id == X86_INS_LEA;
			struct x86_ref ref = {
				.insn = in->address,
				.target = in->address + in->size + (uint64_t)op->mem.disp,
				.size = lea ? 0 : op->size,
				.lea = lea,
				.write = !lea && (op->access & CS_AC_WRITE),
			};

			err = push_ref(r, &cap->ref, ref);
		} else if (op->type == X86_OP_IMM && in->id == X86_INS_CMP) {
			err = push_imm(r, &cap->imm, op->imm);
		}
	}
	return err;
}

/* Decodes what Capstone can; an undecodable byte is skipped (data in text is rare in Go). */
static int decode(csh h, const uint8_t *code, size_t size, uint64_t addr, struct x86_refs *r)
{
	cs_insn *in = cs_malloc(h);
	struct caps cap = {0};
	int err = 0;

	if (!in)
		return -ENOMEM;
	while (size && !err) {
		if (!cs_disasm_iter(h, &code, &size, &addr, in)) {
			code++;
			size--;
			addr++;
			continue;
		}
		err = note_insn(in, r, &cap);
	}
	cs_free(in, 1);
	return err;
}

int x86_refs__collect(const struct elf_file *ef, uint64_t start, uint64_t end, struct x86_refs *out)
{
	const uint8_t *code;
	uint64_t avail;
	csh h;
	int err;

	memset(out, 0, sizeof(*out));
	if (elf_file__machine(ef) != EM_X86_64)
		return err_fail(EOPNOTSUPP, "%s: decoding code is implemented for x86-64 only",
				elf_file__name(ef));
	if (end <= start || end - start > MAX_FUNC_BYTES)
		return err_fail(ENOENT, "%s: bad code range 0x%llx-0x%llx", elf_file__name(ef),
				(unsigned long long)start, (unsigned long long)end);
	code = elf_file__vaddr_bytes(ef, start, &avail);
	if (!code || avail < end - start)
		return err_fail(ENOENT, "%s: code at 0x%llx is not in the file", elf_file__name(ef),
				(unsigned long long)start);
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
		return -ENOMEM;
	cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
	err = decode(h, code, end - start, start, out);
	cs_close(&h);
	if (err)
		x86_refs__clear(out);
	return err;
}
