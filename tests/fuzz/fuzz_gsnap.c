// SPDX-License-Identifier: GPL-2.0
/*
 * The readers of a target's memory (goroutines/snapshot.c, unwind.c): the
 * input is the memory of a "process" mapped at IMG_BASE, read through the
 * pmem image backend with go1.27's offsets: allgs header at IMG_BASE, then
 * whatever the input makes of gs, stacks and frame chains. The binary is
 * the synthetic go1.20-format ELF of tests/unit/pclntab_synth.h (main.foo,
 * and main.bar standing in for runtime.goexit).
 *
 * So that the fuzzer reaches deep walks, 8-aligned words with a marker top
 * byte are rewritten before the read: 0xfd.. → IMG_BASE + low 24 bits (a
 * pointer into the image), 0xfe.. → an address inside function (bit 0) at
 * offset (bits 8..15) (a return address). Seeds (corpus/gsnap/) use them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/pclntab_synth.h"
#include "goelf/elf.h"
#include "goelf/gooffsets.h"
#include "goelf/pclntab.h"
#include "goroutines/goroutines_int.h"
#include "proc/pmem.h"

#define IMG_BASE 0xc000000000ULL

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t elfbuf[SYN_SIZE];
static struct elf_file *ef;
static struct pclntab *pcln;
static struct go_offsets off;
static struct pcln_func funcs[2];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct synth_opts o = {.fmt = PCLNTAB_GO120, .sections = true, .moduledata = true};
	struct go_version v = {.major = 1, .minor = 27};
	struct synth_out so;

	synth_build(elfbuf, &o, &so);
	if (elf_file__open_mem(elfbuf, SYN_SIZE, &ef) || pclntab__open(ef, &pcln) ||
	    go_offsets__from_table(&v, &off) || pclntab__func_at(pcln, 0, &funcs[0]) ||
	    pclntab__func_at(pcln, 1, &funcs[1]))
		abort();
	return 0;
}

static void rewrite_markers(uint8_t *buf, size_t size)
{
	size_t i;

	for (i = 0; i + 8 <= size; i += 8) {
		uint64_t w;

		memcpy(&w, buf + i, 8);
		if (w >> 56 == 0xfd) {
			w = IMG_BASE + (w & 0xffffff);
		} else if (w >> 56 == 0xfe) {
			const struct pcln_func *f = &funcs[w & 1];
			uint64_t len = f->end > f->entry ? f->end - f->entry : 1;

			w = f->entry + ((w >> 8) & 0xff) % len;
		} else {
			continue;
		}
		memcpy(buf + i, &w, 8);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct go_func_range goexit = {funcs[1].entry, funcs[1].end};
	struct go_snapshot *s = NULL;
	struct go_proc *p = NULL;
	struct pmem *mem = NULL;
	uint8_t *buf = malloc(size ? size : 1);
	size_t i;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	rewrite_markers(buf, size);
	if (pmem__open_image(IMG_BASE, buf, size, &mem) ||
	    go_proc__open_image(ef, pcln, NULL, &off, IMG_BASE, goexit, mem, &p))
		goto out;
	/* Twice: the second takes the stacks of unchanged gs from the first (memo.c). */
	for (int k = 0; k < 2; k++) {
		if (go_proc__snapshot(p, &s))
			break;
		for (i = 0; i < s->n; i++)
			if (s->v[i].npcs > GO_MAX_FRAMES || !s->v[i].state)
				abort();
		if (k == 1 && s->reused > s->n)
			abort();
		go_snapshot__free(s);
	}
out:
	go_proc__free(p);
	pmem__free(mem);
	free(buf);
	return 0;
}
