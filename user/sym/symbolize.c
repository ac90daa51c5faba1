// SPDX-License-Identifier: GPL-2.0
/* Address → frames: which module, which table, which frames. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "sym/symbolizer_priv.h"

/* x86-64 and arm64 kernels live in the upper half of the address space. */
#define KERNEL_ADDR_MIN 0xffff800000000000ULL
#define MAX_GO_FRAMES 64
/*
 * kallsyms has no sizes: an address past the last symbol of a region would
 * map to it with any offset. No kernel function is anywhere near this big.
 */
#define KSYM_MAX_OFFSET 0x10000

static int from_kernel(struct symbolizer *s, uint64_t addr, struct sym_frame *fr, size_t max)
{
	const struct ksym *k;
	uint64_t off;

	if (!s->ks)
		return err_fail(ENOENT, "kernel address: kallsyms not loaded");
	k = ksyms__map_addr(s->ks, addr, &off);
	if (!k || off > KSYM_MAX_OFFSET)
		return err_fail(ENOENT, "no kernel symbol at 0x%llx", (unsigned long long)addr);
	if (max)
		fr[0] = (struct sym_frame){.func = k->name,
					   .func_offset = off,
					   .module = k->module ? k->module : "[kernel]",
					   .source = SYM_SRC_KALLSYMS};
	return 1;
}

/* pclntab's n frames for vaddr as the facade's: at most max written; the count capped. */
static int go_frames(struct sym_module *mod, uint64_t vaddr, const struct pcln_frame *pf, int n,
		     struct sym_frame *fr, size_t max)
{
	struct pcln_func fn;
	int i;

	if (n > MAX_GO_FRAMES)
		n = MAX_GO_FRAMES;
	if (pclntab__find_func(mod->pcln, vaddr, &fn))
		fn.entry = vaddr;
	for (i = 0; i < n && (size_t)i < max; i++)
		fr[i] = (struct sym_frame){.func = pf[i].func,
					   .file = pf[i].file,
					   .line = pf[i].line,
					   .inlined = pf[i].inlined,
					   .func_offset = pf[i].inlined ? 0 : vaddr - fn.entry,
					   .module = mod->key,
					   .source = SYM_SRC_GOPCLNTAB};
	return n;
}

static int from_pclntab(struct sym_module *mod, uint64_t vaddr, struct sym_frame *fr, size_t max)
{
	struct pcln_frame pf[MAX_GO_FRAMES];
	int n = pclntab__symbolize(mod->pcln, vaddr, pf, MAX_GO_FRAMES);

	if (n <= 0)
		return n ? n : -ENOENT;
	return go_frames(mod, vaddr, pf, n, fr, max);
}

static int from_elf_syms(struct sym_module *mod, uint64_t vaddr, struct sym_frame *fr, size_t max)
{
	struct elf_sym sym;

	if (!mod->syms || elf_syms__lookup_addr(mod->syms, vaddr, &sym))
		return err_fail(ENOENT, "no symbol at 0x%llx in %s", (unsigned long long)vaddr,
				mod->key);
	if (max)
		fr[0] = (struct sym_frame){.func = sym.name,
					   .func_offset = sym.offset,
					   .module = mod->key,
					   .source = SYM_SRC_ELF};
	return 1;
}

/* Go code through pclntab; C code (cgo, libc) and the rest through ELF symbols. */
static int from_module(struct sym_module *mod, uint64_t vaddr, struct sym_frame *fr, size_t max)
{
	int n;

	if (mod->open_err) {
		err_set("%s", mod->open_msg);
		return -ENOENT;
	}
	if (mod->pcln) {
		n = from_pclntab(mod, vaddr, fr, max);
		if (n != -ENOENT)
			return n;
	}
	return from_elf_syms(mod, vaddr, fr, max);
}

/* The mapping of addr; the maps are re-read once if a library appeared since. */
static const struct proc_map *find_mapping(struct symbolizer *s, uint64_t addr)
{
	const struct proc_map *m = proc_maps__find(s->maps, addr);
	struct proc_maps *fresh;

	if (m || s->maps_refreshed)
		return m;
	s->maps_refreshed = true;
	if (proc_maps__read(s->pid, &fresh))
		return NULL;
	proc_maps__free(s->maps);
	s->maps = fresh;
	return proc_maps__find(s->maps, addr);
}

static int from_process(struct symbolizer *s, uint64_t addr, struct sym_frame *fr, size_t max)
{
	const struct proc_map *m = find_mapping(s, addr);
	struct sym_module *mod;
	uint64_t vaddr = 0;

	if (!m)
		return err_fail(ENOENT, "0x%llx is not mapped in process %d",
				(unsigned long long)addr, (int)s->pid);
	if (m->kind != PROC_MAP_FILE)
		return err_fail(ENOENT, "0x%llx is in %s, not in a file", (unsigned long long)addr,
				m->path[0] ? m->path : "an anonymous mapping");
	mod = symbolizer_module_for_map(s, m);
	if (!mod)
		return -ENOMEM;
	if (mod->open_err) {
		err_set("%s", mod->open_msg);
		return -ENOENT;
	}
	if (proc_map__link_vaddr(m, mod->ef, addr, &vaddr))
		return err_fail(ENOENT, "0x%llx: no segment of %s maps it",
				(unsigned long long)addr, m->path);
	return from_module(mod, vaddr, fr, max);
}

int symbolizer__symbolize(struct symbolizer *s, uint64_t addr, struct sym_frame *frames, size_t max)
{
	if (addr >= KERNEL_ADDR_MIN)
		return from_kernel(s, addr, frames, max);
	if (!s->pid)
		return from_module(&s->mods[0], addr, frames, max);
	return from_process(s, addr, frames, max);
}

/*
 * A file's Go addresses in one pclntab__symbolize_many call (their cache
 * misses overlap); whatever it does not answer goes on as one address would
 * (ELF symbols, kallsyms). Bound to a process, one by one.
 */
int symbolizer__symbolize_many(struct symbolizer *s, const uint64_t *addrs, size_t n,
			       struct sym_frame *frames, size_t max, int *counts)
{
	struct sym_module *mod = s->pid ? NULL : &s->mods[0];
	struct pcln_frame *pf = NULL;
	size_t k;

	if (mod && mod->pcln && !mod->open_err && n)
		pf = malloc(n * MAX_GO_FRAMES * sizeof(*pf));
	if (pf)
		pclntab__symbolize_many(mod->pcln, addrs, n, pf, MAX_GO_FRAMES, counts);
	for (k = 0; k < n; k++) {
		struct sym_frame *fr = frames + k * max;

		if (pf && addrs[k] < KERNEL_ADDR_MIN && counts[k] > 0)
			counts[k] = go_frames(mod, addrs[k], pf + k * MAX_GO_FRAMES, counts[k], fr,
					      max);
		else if (pf && addrs[k] < KERNEL_ADDR_MIN && counts[k] != -ENOENT)
			continue; /* pclntab's error (a corrupt table), as from_module returns it */
		else
			counts[k] = symbolizer__symbolize(s, addrs[k], fr, max);
	}
	free(pf);
	return 0;
}
