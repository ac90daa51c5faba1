// SPDX-License-Identifier: GPL-2.0
/* Runtime globals: from the symbol table, or decoded from the runtime's own code. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "goelf/goglobals.h"
#include "goelf/x86code.h"

const char *go_global_source_name(enum go_global_source s)
{
	switch (s) {
	case GO_GLOBAL_SYMBOL:
		return "symbol";
	case GO_GLOBAL_CODE:
		return "code";
	default:
		return "none";
	}
}

/* The references of the runtime function named name. */
static int func_refs(const struct elf_file *ef, const struct pclntab *pcln, const char *name,
		     struct x86_refs *refs)
{
	struct pcln_func f;

	if (!pcln || pclntab__find_name(pcln, name, &f))
		return err_fail(ENOENT, "%s: no function %s in pclntab", elf_file__name(ef), name);
	return x86_refs__collect(ef, f.entry, f.end, refs);
}

/* Is there an 8-byte load or store of target among refs? */
static bool has_word(const struct x86_refs *r, uint64_t target)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (!r->v[i].lea && r->v[i].size == 8 && r->v[i].target == target)
			return true;
	return false;
}

int go_globals__allgs_from_code(const struct elf_file *ef, const struct pclntab *pcln,
				uint64_t *allgs)
{
	struct x86_refs r;
	uint64_t found = 0;
	size_t i, nfound = 0;
	bool ambiguous = false;
	int err;

	err = func_refs(ef, pcln, "runtime.allgadd", &r);
	if (err)
		return err;
	/* A slice header: words at T, T+8 and T+16, all touched (append). */
	for (i = 0; i < r.n; i++) {
		uint64_t t = r.v[i].target;

		if (r.v[i].lea || r.v[i].size != 8 || t == found)
			continue;
		if (has_word(&r, t + 8) && has_word(&r, t + 16) && !has_word(&r, t - 8)) {
			if (nfound++ && t != found)
				ambiguous = true;
			found = t;
		}
	}
	x86_refs__clear(&r);
	if (nfound == 0 || ambiguous)
		return err_fail(ENOENT,
				"%s: runtime.allgadd's code does not show one slice "
				"header (%zu candidates): cannot locate runtime.allgs",
				elf_file__name(ef), nfound);
	*allgs = found;
	return 0;
}

/* Is vaddr in a writable PT_LOAD (where Go keeps [N]string tables)? */
static bool in_writable(const struct elf_file *ef, uint64_t vaddr)
{
	size_t i;

	for (i = 0; i < elf_file__nsegments(ef); i++) {
		const struct elf_segment *s = elf_file__segment(ef, i);

		if (s->type == 1 /* PT_LOAD */ && (s->flags & 2 /* PF_W */) && vaddr >= s->vaddr &&
		    vaddr - s->vaddr < s->memsz)
			return true;
	}
	return false;
}

int go_globals__waitreasons_from_code(const struct elf_file *ef, const struct pclntab *pcln,
				      uint64_t *table, uint32_t *count)
{
	struct x86_refs r;
	uint64_t found = 0;
	size_t i;
	int err;

	err = func_refs(ef, pcln, "runtime.waitReason.String", &r);
	if (err)
		return err;
	/* LEA of the table (in .data) and of the "unknown wait reason" text (read-only). */
	for (i = 0; i < r.n; i++)
		if (r.v[i].lea && in_writable(ef, r.v[i].target))
			found = found ? found : r.v[i].target;
	/* The bounds check: CMP index, $len(waitReasonStrings). */
	if (!found || !r.ncmp || r.cmp_imm[0] <= 0 || r.cmp_imm[0] > 256) {
		x86_refs__clear(&r);
		return err_fail(ENOENT,
				"%s: runtime.waitReason.String's code does not show the "
				"table and its bounds check",
				elf_file__name(ef));
	}
	*table = found;
	*count = (uint32_t)r.cmp_imm[0];
	x86_refs__clear(&r);
	return 0;
}

int go_globals__find(const struct elf_file *ef, const struct elf_syms *syms,
		     const struct pclntab *pcln, struct go_globals *out)
{
	struct elf_sym sym;
	int err;

	memset(out, 0, sizeof(*out));
	if (syms && !elf_syms__find(syms, "runtime.allglen", &sym))
		out->allglen = sym.start;
	if (syms && !elf_syms__find(syms, "runtime.allgs", &sym)) {
		out->allgs = sym.start;
		out->allgs_source = GO_GLOBAL_SYMBOL;
		return 0;
	}
	err = go_globals__allgs_from_code(ef, pcln, &out->allgs);
	if (err)
		return err;
	out->allgs_source = GO_GLOBAL_CODE;
	return 0;
}
