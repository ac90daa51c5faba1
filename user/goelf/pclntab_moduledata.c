// SPDX-License-Identifier: GPL-2.0
/*
 * Finding runtime.firstmoduledata without symbols. Its first word points at
 * the table (pcHeader since go1.16, the pclntable slice before); the slices
 * after it point at the sub-tables the header names, and minpc is the first
 * function's entry. A candidate must agree on all of them, so a stray word
 * equal to the table's address does not pass. Layouts (64-bit words, from
 * runtime/symtab.go `moduledata` of each release):
 *   go1.2-1.15: pclntable[0..2] ftab[3..5] filetab[6..8] findfunctab 9
 *               minpc 10 maxpc 11 text 12
 *   go1.16+:    pcHeader 0 funcnametab[1..3] cutab[4..6] filetab[7..9]
 *               pctab[10..12] pclntable[13..15] ftab[16..18] findfunctab 19
 *               minpc 20 maxpc 21 text 22 ... rodata, gofunc: see md_gofunc
 * go1.26 puts the module data in its own .go.module section; it is searched
 * first, then every writable PT_LOAD (.noptrdata before go1.26). The Go
 * linker writes pointer values into the file even for PIE (with matching
 * R_*_RELATIVE relocations), so no relocation processing is needed.
 */
#include <elf.h>

#include "goelf/pclntab_int.h"

struct md_found {
	uint64_t text;
	uint64_t gofunc;
};

/* Words a candidate must have: up to gofunc of the newest known layout. */
static unsigned md_words(const struct pclntab *t)
{
	switch (t->fmt) {
	case PCLNTAB_GO12:
		return 13;
	case PCLNTAB_GO116:
		return 23;
	case PCLNTAB_GO118:
		return 39;
	default:
		return 44;
	}
}

static bool md_go12(const struct pclntab *t, const uint8_t *w, struct md_found *f)
{
	uint64_t nft = (uint64_t)t->nfunc + 1;

	if (elf_rd64(w + 3 * 8) != t->vaddr + t->functab || elf_rd64(w + 4 * 8) != nft ||
	    elf_rd64(w + 10 * 8) != pcln_functab_field(t, 0))
		return false;
	f->text = elf_rd64(w + 12 * 8);
	return true;
}

/* The slices of go1.16+: pointer = table address + header offset, len = cap. */
static bool md_slices_agree(const struct pclntab *t, const uint8_t *w)
{
	static const unsigned word[] = {1, 4, 7, 10, 13, 16};
	uint64_t off[] = {t->funcnametab, t->cutab, t->filetab, t->pctab, t->funcbase, t->functab};
	unsigned k;

	for (k = 0; k < 6; k++)
		if (elf_rd64(w + word[k] * 8) != t->vaddr + off[k] ||
		    elf_rd64(w + (word[k] + 1) * 8) != elf_rd64(w + (word[k] + 2) * 8))
			return false;
	return elf_rd64(w + 17 * 8) == (uint64_t)t->nfunc + 1;
}

/*
 * A gofunc candidate must make real inline trees readable: for a few
 * functions that have one, the first entry names a function and its
 * parentPc lies inside the caller. No inline trees at all: nothing to check.
 */
static bool gofunc_plausible(const struct pclntab *t, uint64_t gofunc)
{
	bool go120 = t->fmt >= PCLNTAB_GO120;
	uint32_t i, checked = 0;

	for (i = 0; i < t->nfunc && i < 4096 && checked < 8; i++) {
		struct pcln_rec r;
		uint64_t at, avail;
		const uint8_t *e;
		uint32_t off;

		if (pcln_rec_load(t, i, &r) || r.nfuncdata <= t->funcdata_inl)
			continue;
		at = r.fixed + 4 * ((uint64_t)r.npcdata + t->funcdata_inl);
		if (at + 4 > r.avail || (off = elf_rd32(r.p + at)) == UINT32_MAX)
			continue;
		e = elf_file__vaddr_bytes(t->ef, gofunc + off, &avail);
		if (!e || avail < 20 || !pcln_name(t, elf_rd32(e + (go120 ? 4 : 12))) ||
		    elf_rd32(e + (go120 ? 8 : 16)) >= r.end - r.entry)
			return false;
		checked++;
	}
	return true;
}

/*
 * gofunc follows rodata: word 38 in go1.18-1.19, 40 in go1.20-1.26, 43
 * since go1.27 (types gained typedesclen, itaboffset and itabsize), all
 * under the same magic, so each position is tried and checked.
 */
static bool md_gofunc(const struct pclntab *t, const uint8_t *w, struct md_found *f)
{
	static const unsigned go118[] = {38}, go120[] = {40, 43};
	const unsigned *pos = t->fmt == PCLNTAB_GO118 ? go118 : go120;
	unsigned k, n = t->fmt == PCLNTAB_GO118 ? 1 : 2;
	uint64_t avail;

	for (k = 0; k < n; k++) {
		uint64_t g = elf_rd64(w + pos[k] * 8), rodata = elf_rd64(w + (pos[k] - 1) * 8);

		if (g && rodata && rodata <= g && elf_file__vaddr_bytes(t->ef, g, &avail) &&
		    gofunc_plausible(t, g)) {
			f->gofunc = g;
			return true;
		}
	}
	return false;
}

static bool md_go116(const struct pclntab *t, const uint8_t *w, struct md_found *f)
{
	uint64_t minpc = elf_rd64(w + 20 * 8), first = pcln_functab_field(t, 0);

	if (!md_slices_agree(t, w))
		return false;
	f->text = elf_rd64(w + 22 * 8);
	if (t->fmt == PCLNTAB_GO116)
		return minpc == first;
	/* Entries are offsets from text since go1.18. */
	if (minpc != f->text + first || elf_rd64(w + 21 * 8) < minpc)
		return false;
	return md_gofunc(t, w, f);
}

static bool md_candidate(const struct pclntab *t, const uint8_t *w, struct md_found *f)
{
	if (elf_rd64(w) != t->vaddr)
		return false;
	*f = (struct md_found){0};
	return t->fmt == PCLNTAB_GO12 ? md_go12(t, w, f) : md_go116(t, w, f);
}

static bool scan_bytes(struct pclntab *t, const uint8_t *d, uint64_t len, uint64_t vaddr)
{
	uint64_t need = (uint64_t)md_words(t) * 8, o;
	struct md_found f;

	for (o = (8 - (vaddr & 7)) & 7; o + need <= len && o + need > o; o += 8) {
		if (!md_candidate(t, d + o, &f))
			continue;
		t->has_md = true;
		t->md_vaddr = vaddr + o;
		t->md_text = f.text;
		t->gofunc = f.gofunc;
		return true;
	}
	return false;
}

static bool scan_segment(struct pclntab *t, const struct elf_segment *s)
{
	uint64_t fsize = elf_file__size(t->ef), len = s->filesz;
	const uint8_t *d;

	if (s->offset > fsize)
		return false;
	if (len > fsize - s->offset)
		len = fsize - s->offset;
	d = elf_file__bytes(t->ef, s->offset, len);
	return d && scan_bytes(t, d, len, s->vaddr);
}

void pcln_find_moduledata(struct pclntab *t)
{
	const struct elf_section *s = elf_file__find_section(t->ef, ".go.module");
	const uint8_t *d;
	size_t i;

	if (s && (d = elf_file__section_bytes(t->ef, s)) && scan_bytes(t, d, s->size, s->addr))
		return;
	for (i = 0; i < elf_file__nsegments(t->ef); i++) {
		const struct elf_segment *seg = elf_file__segment(t->ef, i);

		if (seg->type == PT_LOAD && (seg->flags & PF_W) && scan_segment(t, seg))
			return;
	}
}
