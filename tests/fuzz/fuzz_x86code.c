// SPDX-License-Identifier: GPL-2.0
/*
 * What gotrace reads out of machine code, on hostile bytes: the fuzz
 * input is a function's code, loaded read-only at SYNTH_RO_VADDR of a
 * minimal ELF, and goes through the linear sweep (Capstone), the
 * RIP-relative reference collector (runtime globals in stripped binaries)
 * and the casgstatus call-site finder of `block`, whose sites must be
 * instruction boundaries inside the function.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "goelf/elf.h"
#include "goelf/pclntab.h"
#include "goelf/schedsites.h"
#include "goelf/x86code.h"
#include "goelf/x86dec.h"
#include "synth_elf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every instruction the sweep yields lies inside the code, in order. */
static void sweep_all(const uint8_t *code, size_t len)
{
	struct x86_sweep *sw;
	struct x86_inst in;
	uint64_t next = SYNTH_RO_VADDR;

	if (x86_sweep__open(code, len, SYNTH_RO_VADDR, &sw))
		return;
	for (;;) {
		if (!x86_sweep__next(sw, &in)) {
			if (x86_sweep__skip_byte(sw)) /* past an undecodable byte */
				continue;
			break;
		}
		if (in.addr < next || in.addr + in.len > SYNTH_RO_VADDR + len)
			__builtin_trap();
		next = in.addr + in.len;
	}
	x86_sweep__free(sw);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct synth_spec sp = {.ro = data, .ro_len = size};
	struct pcln_func fn = {.entry = SYNTH_RO_VADDR, .end = SYNTH_RO_VADDR + size};
	struct elf_file *ef = NULL;
	struct sched_site *sites = NULL;
	struct x86_refs refs = {0};
	size_t len, n = 0, i;
	uint8_t *img;

	if (size == 0 || size > 1 << 16)
		return 0;
	sweep_all(data, size);
	img = synth_elf(&sp, &len);
	if (!img)
		return 0;
	if (elf_file__open_mem(img, len, &ef))
		goto out;
	if (!x86_refs__collect(ef, fn.entry, fn.end, &refs))
		x86_refs__clear(&refs);
	/* casgstatus anywhere: the first byte's address, and a park_m name for its branch. */
	fn.name = size & 1 ? "runtime.park_m" : "runtime.execute";
	if (!go_sched_sites__in(ef, &fn, SYNTH_RO_VADDR + data[0], &sites, &n)) {
		for (i = 0; i < n; i++)
			if (sites[i].vaddr < fn.entry || sites[i].vaddr >= fn.end)
				__builtin_trap();
		free(sites);
	}
out:
	elf_file__free(ef);
	free(img);
	return 0;
}
