// SPDX-License-Identifier: GPL-2.0
/*
 * The input is a whole ELF: open it, open its pc-line table, then use every
 * entry point the way the tracer does: walk the functions, symbolize a
 * spread of pcs (entries, mid-function, ends, outside), SP deltas, and look
 * names up. Seeds: hand-built ELFs in every format (tests/unit/pclntab_synth.h,
 * written by test_pclntab with GOTRACE_PCLNTAB_SEEDS=dir).
 */
#include <stddef.h>
#include <stdint.h>

#include "goelf/elf.h"
#include "goelf/pclntab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void poke_pc(const struct pclntab *t, uint64_t pc)
{
	struct pcln_frame fr[8];
	struct pcln_func f;
	int32_t sp;

	(void)pclntab__symbolize(t, pc, fr, 8);
	(void)pclntab__symbolize(t, pc, fr, 0);
	(void)pclntab__sp_delta(t, pc, &sp);
	(void)pclntab__find_func(t, pc, &f);
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
	(void)pclntab__find_name(t, "main.main", &f);
	(void)pclntab__format_name(t);
	(void)pclntab__origin(t);
	(void)pclntab__moduledata_vaddr(t);
out:
	pclntab__free(t);
	elf_file__free(ef);
	return 0;
}
