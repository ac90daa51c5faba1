// SPDX-License-Identifier: GPL-2.0
/*
 * The Go heap state's untrusted inputs (goelf/goheap.h, oom/goheap.h):
 *  - words copied from a dying process's memory, any values: decoded (the
 *    heap goal computed as heapGoal() does), put in an oom_kill report, its
 *    fact through the OOM rules (rule oom_go_heap), text and JSON output;
 *  - an ELF image whose DWARF, symbols and code locate the statistics
 *    (go_heap_layout__find; the constellation match over the references
 *    decoded from runtime.gcTrigger.test).
 * Input: byte 0 picks the mode (even: words, odd: ELF), byte 1 is the Go
 * minor version, the rest the payload (words: up to 15 little-endian u64,
 * then the cgroup limit and usage).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goelf/elf.h"
#include "goelf/elfsyms.h"
#include "goelf/goheap.h"
#include "goelf/pclntab.h"
#include "oom/render.h"
#include "oom/report.h"
#include "rank/fact.h"
#include "rank/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t word(const uint8_t *p, size_t n, size_t i)
{
	uint64_t w = 0;

	if ((i + 1) * 8 <= n)
		memcpy(&w, p + i * 8, 8);
	return w;
}

/* A memcg OOM of a Go victim whose heap words are the payload. */
static void words(int minor, const uint8_t *p, size_t n)
{
	struct oom_report *r = calloc(1, sizeof(*r));
	uint64_t w[GO_HEAP_NFIELDS];
	struct fact_store one = {0};
	struct cand_list cands = {0};
	struct fact *f;
	FILE *out;

	if (!r)
		return;
	for (int i = 0; i < GO_HEAP_NFIELDS; i++)
		w[i] = word(p, n, (size_t)i);
	r->kind = OOM_KIND_MEMCG;
	r->nlevels = 1;
	r->domain = 0;
	r->levels[0].limit_bytes = word(p, n, GO_HEAP_NFIELDS);
	r->levels[0].usage_bytes = word(p, n, GO_HEAP_NFIELDS + 1);
	r->ev.ktime_ns = word(p, n, GO_HEAP_NFIELDS + 2);
	r->have_info = true;
	r->info.is_go = true;
	go_env__interpret(&r->info.env, minor);
	r->heap.status = HEAP_READ;
	r->heap.snap.where = OOM_HEAP_AT_SIGKILL;
	go_heap_state__decode(w, minor, &r->heap.st);
	f = oom_report__to_fact(r);
	if (f && !fact_store__add(&one, f))
		rank__evaluate(&one, (const char *const[]){"oom_", NULL}, &cands);
	else
		f = NULL;
	out = fopen("/dev/null", "w");
	if (out) {
		oom_render_text(out, r, &cands, 1);
		oom_render_json(out, r, f, &cands);
		fclose(out);
	}
	cand_list__clear(&cands);
	fact_store__clear(&one);
	free(r);
}

/* An ELF image: where its heap statistics would be for Go 1.minor. */
static void image(int minor, const uint8_t *p, size_t n)
{
	struct go_version v = {.major = 1, .minor = minor};
	struct go_heap_offsets off;
	struct go_heap_layout l;
	struct elf_syms *syms = NULL;
	struct pclntab *pcln = NULL;
	struct elf_file *ef;
	uint64_t a, b;

	if (elf_file__open_mem(p, n, &ef))
		return;
	if (pclntab__open(ef, &pcln))
		pcln = NULL;
	if (elf_syms__load(ef, &syms))
		syms = NULL;
	if (!go_heap_layout__find(ef, syms, pcln, &v, &l))
		for (int f = 0; f < GO_HEAP_NFIELDS; f++)
			(void)go_heap_layout__addr(&l, f);
	if (!go_heap_offsets__from_table(&v, &off))
		(void)go_heap__globals_from_code(ef, pcln, &off, &a, &b);
	elf_syms__free(syms);
	pclntab__free(pcln);
	elf_file__free(ef);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;

	if (size < 2)
		return 0;
	/* An exact-size copy: ASan sees any read past the payload. */
	copy = malloc(size - 2 ? size - 2 : 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 2, size - 2);
	if (data[0] & 1)
		image(data[1], copy, size - 2);
	else
		words(data[1], copy, size - 2);
	free(copy);
	return 0;
}
