// SPDX-License-Identifier: GPL-2.0
/*
 * The input is a whole ELF: open it, open its pc-line table, then use every
 * entry point the way the tracer does: walk the functions, symbolize a
 * spread of pcs (entries, mid-function, ends, outside), SP deltas, and look
 * names up. Seeds: hand-built ELFs in every format (tests/unit/pclntab_synth.h,
 * written by test_pclntab with GOTRACE_PCLNTAB_SEEDS=dir). Differential too:
 * the decoded tables (pclntab_dense.c) must answer every pc, hostile or
 * not, exactly as the walks of the encoded ones do, and the batch API as
 * the single one; a difference aborts.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "goelf/elf.h"
#include "goelf/pclntab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same(int n, const struct pcln_frame *a, int m, const struct pcln_frame *b)
{
	if (n != m)
		return false;
	for (int i = 0; i < n && i < 8; i++)
		if (a[i].func != b[i].func || a[i].file != b[i].file || a[i].line != b[i].line ||
		    a[i].inlined != b[i].inlined)
			return false;
	return true;
}

static void poke_pc(struct pclntab *t, uint64_t pc)
{
	struct pcln_frame fr[8], walked[8];
	struct pcln_func f;
	int32_t sp;
	int n, m;

	pclntab__set_dense(t, false);
	m = pclntab__symbolize(t, pc, walked, 8);
	pclntab__set_dense(t, true);
	n = pclntab__symbolize(t, pc, fr, 8);
	if (!same(n, fr, m, walked))
		__builtin_trap();
	(void)pclntab__symbolize(t, pc, fr, 0);
	(void)pclntab__sp_delta(t, pc, &sp);
	(void)pclntab__find_func(t, pc, &f);
}

/* The batch API on a spread of pcs: each answer as the single call's. */
static void poke_many(struct pclntab *t)
{
	struct pcln_frame fr[32 * 8], one[8];
	uint64_t pcs[32];
	int counts[32], n = 0;
	struct pcln_func f;

	for (size_t i = 0; i < pclntab__nfuncs(t) && n < 30; i++) {
		if (pclntab__func_at(t, i, &f))
			continue;
		pcs[n++] = f.entry;
		pcs[n++] = f.entry + (f.end - f.entry) / 2;
	}
	pcs[n++] = 0;
	pcs[n++] = pclntab__text_start(t) - 1;
	pclntab__symbolize_many(t, pcs, (size_t)n, fr, 8, counts);
	for (int k = 0; k < n; k++)
		if (!same(pclntab__symbolize(t, pcs[k], one, 8), one, counts[k], fr + 8 * k))
			__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_file *ef = NULL;
	struct pclntab *t = NULL;
	struct pcln_func f;
	size_t i, n;

	if (elf_file__open_mem(data, size, &ef))
		return 0;
	if (pclntab__open(ef, &t))
		goto out;
	pclntab__set_cache(t, false); /* else the second answer is the first one, cached */
	n = pclntab__nfuncs(t);
	for (i = 0; i < n && i < 256; i++) {
		if (pclntab__func_at(t, i, &f))
			continue;
		poke_pc(t, f.entry);
		poke_pc(t, f.entry + (f.end - f.entry) / 2);
		poke_pc(t, f.end - 1);
		poke_pc(t, f.end);
		(void)pclntab__find_name(t, f.name, &f);
	}
	poke_pc(t, 0);
	poke_pc(t, pclntab__text_start(t) - 1);
	poke_many(t);
	(void)pclntab__find_name(t, "main.main", &f);
	(void)pclntab__format_name(t);
	(void)pclntab__origin(t);
	(void)pclntab__moduledata_vaddr(t);
out:
	pclntab__free(t);
	elf_file__free(ef);
	return 0;
}
