// SPDX-License-Identifier: GPL-2.0
/* The references of one function's code, through the one decoder (x86dec.h). */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "goelf/x86code.h"
#include "goelf/x86dec.h"

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

static int note_insn(const struct x86_inst *in, struct x86_refs *r, struct caps *cap)
{
	int err = 0;

	if (in->rip_rel)
		err = push_ref(r, &cap->ref,
			       (struct x86_ref){.insn = in->addr,
						.target = in->rip_target,
						.size = in->mem_size,
						.lea = in->is_lea,
						.write = in->mem_write});
	if (!err && in->has_cmp_imm)
		err = push_imm(r, &cap->imm, in->cmp_imm);
	return err;
}

/* Decodes what the decoder can; an undecodable byte is skipped (data in text is rare in Go). */
static int decode(const uint8_t *code, size_t size, uint64_t addr, struct x86_refs *r)
{
	struct x86_sweep *sw = NULL;
	struct x86_inst in;
	struct caps cap = {0};
	int err = x86_sweep__open(code, size, addr, &sw);

	while (!err) {
		if (x86_sweep__next(sw, &in))
			err = note_insn(&in, r, &cap);
		else if (!x86_sweep__skip_byte(sw))
			break;
	}
	x86_sweep__free(sw);
	return err;
}

int x86_refs__collect(const struct elf_file *ef, uint64_t start, uint64_t end, struct x86_refs *out)
{
	const uint8_t *code;
	uint64_t avail;
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
	err = decode(code, end - start, start, out);
	if (err)
		x86_refs__clear(out);
	return err;
}
