// SPDX-License-Identifier: GPL-2.0
/*
 * Go's pc-line table: locating it and reading its header.
 *
 * Formats (Go internal/abi/symtab.go, runtime/symtab.go, debug/gosym,
 * cmd/link/internal/ld/pcln.go of each release). All start with a 4-byte
 * magic, two zero bytes, the pc quantum and the pointer size.
 *  - 0xfffffffb (go1.2-1.15): nfunc, then the function table right after
 *    the header ({entry uintptr, funcoff uintptr} pairs + end pc), then a
 *    u32 offset of the file table; names, pc-value tables and file names are
 *    all at offsets from the table start; funcdata are absolute addresses.
 *    The _func tail changed inside this magic in go1.12 (see go12_old).
 *  - 0xfffffffa (go1.16-1.17): the header gains nfiles and offsets of
 *    funcnametab, cutab (per compilation unit file numbers), filetab, pctab
 *    and the function table; funcoff is relative to the function table.
 *  - 0xfffffff0 (go1.18-1.19): textStart in the header; the function table
 *    holds u32 offsets from it; funcdata become u32 offsets from
 *    moduledata.gofunc (go:func.*), which the header does not give.
 *  - 0xfffffff1 (go1.20+): _func gains startLine, the inline tree entry
 *    shrinks to {funcID, nameOff, parentPc, startLine}. go1.26 stops
 *    storing textStart (moduledata.text instead) and moves go:func.* into
 *    the table, still addressed through moduledata.gofunc; go1.27 moves
 *    gofunc within moduledata, same magic.
 * The module data is found by scanning .go.module (go1.26+) and writable
 * segments for a word equal to the table's address followed by slices that
 * agree with the header (pclntab_moduledata.c). Everything read from the
 * file is bounds-checked; a lying file gets -GT_EFORMAT, never a crash.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "goelf/pclntab_int.h"

static const char *const section_names[] = {".gopclntab", ".data.rel.ro.gopclntab"};

static uint64_t hdr_word(const uint8_t *d, unsigned k)
{
	return elf_rd64(d + 8 + 8 * k);
}

static bool magic_format(uint32_t magic, enum pclntab_format *fmt)
{
	switch (magic) {
	case PCLN_MAGIC_GO12:
		*fmt = PCLNTAB_GO12;
		return true;
	case PCLN_MAGIC_GO116:
		*fmt = PCLNTAB_GO116;
		return true;
	case PCLN_MAGIC_GO118:
		*fmt = PCLNTAB_GO118;
		return true;
	case PCLN_MAGIC_GO120:
		*fmt = PCLNTAB_GO120;
		return true;
	}
	return false;
}

/* The cheap part of the header check, also used to skip scan candidates. */
static bool header_plausible(const uint8_t *d, uint64_t size)
{
	enum pclntab_format fmt;

	return size >= 16 && magic_format(elf_rd32(d), &fmt) && d[4] == 0 && d[5] == 0 &&
	       (d[6] == 1 || d[6] == 2 || d[6] == 4) && d[7] == 8;
}

/* go1.2 format: function table right after the header, file table after it. */
static int parse_go12(struct pclntab *t, const char *where)
{
	uint64_t ftsize, fileoff;

	t->functab = 16;
	t->funcbase = 0;
	t->funcnametab = 0;
	t->pctab = 0;
	ftsize = (2 * (uint64_t)t->nfunc + 1) * 8;
	if (t->functab + ftsize + 4 > t->size)
		return err_fail(GT_EFORMAT,
				"%s: pclntab function table (%u functions) ends past the table",
				where, t->nfunc);
	fileoff = elf_rd32(t->data + t->functab + ftsize);
	if (fileoff + 4 > t->size)
		return err_fail(GT_EFORMAT,
				"%s: pclntab file table offset 0x%llx is past the table", where,
				(unsigned long long)fileoff);
	t->filetab = fileoff;
	t->nfiletab = elf_rd32(t->data + fileoff);
	if (t->nfiletab == 0 || (uint64_t)t->nfiletab * 4 > t->size - fileoff)
		return err_fail(GT_EFORMAT,
				"%s: pclntab file table (%u entries) ends past the table", where,
				t->nfiletab);
	return 0;
}

/* go1.16+: header words give the sub-table offsets. */
static int parse_go116(struct pclntab *t, const char *where)
{
	unsigned base = t->fmt == PCLNTAB_GO116 ? 2 : 3; /* go1.18 inserted textStart */
	uint64_t offs[5];
	unsigned k;

	if (t->size < 8 + 8 * (base + 5))
		return err_fail(GT_EFORMAT, "%s: pclntab header truncated (%llu bytes)", where,
				(unsigned long long)t->size);
	for (k = 0; k < 5; k++) {
		offs[k] = hdr_word(t->data, base + k);
		if (offs[k] >= t->size)
			return err_fail(GT_EFORMAT,
					"%s: pclntab header offset %u (0x%llx) is past the table "
					"(%llu bytes)",
					where, k, (unsigned long long)offs[k],
					(unsigned long long)t->size);
	}
	t->funcnametab = offs[0];
	t->cutab = offs[1];
	t->filetab = offs[2];
	t->pctab = offs[3];
	t->functab = t->funcbase = offs[4];
	if (t->fmt != PCLNTAB_GO116)
		t->text_start = hdr_word(t->data, 2);
	if ((2 * (uint64_t)t->nfunc + 1) * t->fieldsz > t->size - t->functab)
		return err_fail(GT_EFORMAT,
				"%s: pclntab function table (%u functions) ends past the table",
				where, t->nfunc);
	return 0;
}

static int parse_header(struct pclntab *t, const uint8_t *d, uint64_t size, uint64_t vaddr,
			const char *where)
{
	uint64_t nfunc;
	int err;

	if (!header_plausible(d, size))
		return err_fail(GT_EFORMAT, "%s: no valid pclntab header (magic 0x%08x)", where,
				size >= 4 ? elf_rd32(d) : 0);
	t->data = d;
	t->size = size;
	t->vaddr = vaddr;
	magic_format(elf_rd32(d), &t->fmt);
	t->quantum = d[6];
	t->ptrsize = d[7];
	t->fieldsz = t->fmt >= PCLNTAB_GO118 ? 4 : t->ptrsize;
	nfunc = hdr_word(d, 0);
	if (nfunc == 0 || nfunc > size / (2 * t->fieldsz))
		return err_fail(GT_EFORMAT, "%s: pclntab claims %llu functions in %llu bytes",
				where, (unsigned long long)nfunc, (unsigned long long)size);
	t->nfunc = (uint32_t)nfunc;
	err = t->fmt == PCLNTAB_GO12 ? parse_go12(t, where) : parse_go116(t, where);
	if (err)
		return err;
	/* A sorted table starts at or below its end pc: cheap, catches most junk. */
	if (pcln_functab_field(t, 0) > pcln_functab_field(t, 2 * (uint64_t)t->nfunc))
		return err_fail(GT_EFORMAT, "%s: pclntab function table is not sorted", where);
	return 0;
}

static int locate_section(struct pclntab *t)
{
	const struct elf_section *s;
	const uint8_t *d;
	size_t i;

	for (i = 0; i < sizeof(section_names) / sizeof(section_names[0]); i++) {
		s = elf_file__find_section(t->ef, section_names[i]);
		if (!s || s->type == SHT_NOBITS)
			continue;
		d = elf_file__section_bytes(t->ef, s);
		if (!d)
			return err_fail(GT_EFORMAT, "%s: section %s lies outside the file",
					elf_file__name(t->ef), section_names[i]);
		snprintf(t->origin, sizeof(t->origin), "%s section", section_names[i]);
		return parse_header(t, d, s->size, s->addr, elf_file__name(t->ef));
	}
	return -ENOENT;
}

/* Scan order: read-only data first (where Go puts it), then text, then writable (PIE go1.18-1.25).
 */
static bool segment_in_pass(const struct elf_segment *s, int pass)
{
	if (s->type != PT_LOAD)
		return false;
	if (pass == 0)
		return !(s->flags & (PF_W | PF_X));
	if (pass == 1)
		return (s->flags & PF_X) && !(s->flags & PF_W);
	return s->flags & PF_W;
}

static int scan_segment(struct pclntab *t, size_t idx, const struct elf_segment *s)
{
	uint64_t len = s->filesz, o;
	const uint8_t *d;

	if (s->offset > elf_file__size(t->ef))
		return -ENOENT;
	if (len > elf_file__size(t->ef) - s->offset)
		len = elf_file__size(t->ef) - s->offset;
	d = elf_file__bytes(t->ef, s->offset, len);
	if (!d)
		return -ENOENT;
	/* The linker aligns the table to at least the pointer size. */
	for (o = (8 - (s->vaddr & 7)) & 7; o + 16 <= len; o += 8) {
		if (d[o + 3] != 0xff || !header_plausible(d + o, len - o))
			continue;
		if (parse_header(t, d + o, len - o, s->vaddr + o, elf_file__name(t->ef)) == 0) {
			snprintf(t->origin, sizeof(t->origin), "scan of segment %zu", idx);
			return 0;
		}
	}
	return -ENOENT;
}

static int locate_scan(struct pclntab *t)
{
	size_t i, n = elf_file__nsegments(t->ef);
	int pass;

	for (pass = 0; pass < 3; pass++)
		for (i = 0; i < n; i++)
			if (segment_in_pass(elf_file__segment(t->ef, i), pass) &&
			    scan_segment(t, i, elf_file__segment(t->ef, i)) == 0)
				return 0;
	return err_fail(GT_ENOTGO, "%s: no Go pc-line table (.gopclntab) found: not a Go program?",
			elf_file__name(t->ef));
}

/*
 * Where the table's strings must end (str_end in pclntab_int.h). Real tables
 * have a NUL within their last bytes (_func padding), so this is O(1) there;
 * a hostile table without one costs one scan of its bytes, once.
 */
static void find_str_end(struct pclntab *t)
{
	const uint8_t *z = memrchr(t->data, 0, t->size);

	t->str_end = z ? (uint64_t)(z - t->data) + 1 : 0;
}

/*
 * go1.12 kept the go1.2 magic but turned `nfuncdata int32` at byte 36 into
 * `funcID uint8, _ [2]byte, nfuncdata uint8`. Go functions nearly all have
 * funcdata, so a non-zero byte 39 in any sampled record means go1.12+; an
 * old layout shows small values at 36 and zeros at 37..39.
 */
static void detect_go12_layout(struct pclntab *t)
{
	bool old_seen = false;
	uint32_t k, n = t->nfunc < 256 ? t->nfunc : 256;

	for (k = 0; k < n; k++) {
		uint64_t i = (uint64_t)k * t->nfunc / n;
		uint64_t off = t->funcbase + pcln_functab_field(t, 2 * i + 1);
		const uint8_t *p;

		if (off > t->size || t->size - off < 40)
			continue;
		p = t->data + off;
		if (p[39] != 0)
			return;
		if (p[36] != 0 && p[37] == 0 && p[38] == 0)
			old_seen = true;
	}
	t->go12_old = old_seen;
}

/* PCDATA_InlTreeIndex / FUNCDATA_InlTree moved twice (runtime/symtab.go history). */
static void set_inline_indexes(struct pclntab *t)
{
	if (t->fmt == PCLNTAB_GO12 && t->go12_old) {
		t->pcdata_inl = 1; /* go1.9-1.11 */
		t->funcdata_inl = 2;
	} else if (t->fmt == PCLNTAB_GO12) {
		t->pcdata_inl = 2; /* go1.12-1.15: RegPointerMaps and StackObjects come first */
		t->funcdata_inl = 4;
	} else {
		t->pcdata_inl = 2; /* go1.16+: register maps gone */
		t->funcdata_inl = 3;
	}
}

/*
 * Where entry offsets count from (go1.18+). The runtime uses
 * moduledata.text; go1.26 no longer stores textStart in the header; tools
 * without either use the .text section (cmd/internal/objfile does).
 */
static int resolve_text_start(struct pclntab *t)
{
	const struct elf_section *s;

	if (t->fmt < PCLNTAB_GO118) {
		t->text_start = t->has_md ? t->md_text : pcln_functab_field(t, 0);
		return 0;
	}
	if (t->has_md) {
		t->text_start = t->md_text;
		return 0;
	}
	if (t->text_start)
		return 0;
	s = elf_file__find_section(t->ef, ".text");
	if (s && s->addr) {
		t->text_start = s->addr;
		return 0;
	}
	return err_fail(GT_EFORMAT,
			"%s: pclntab has no text start (go1.26+ layout) and neither module data "
			"nor a .text section was found",
			elf_file__name(t->ef));
}

int pclntab__open(const struct elf_file *ef, struct pclntab **out)
{
	struct pclntab *t;
	int err;

	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->ef = ef;
	t->wrapper_id = PCLN_WRAPPER_UNKNOWN;
	err = locate_section(t);
	if (err == -ENOENT)
		err = locate_scan(t);
	if (err)
		goto fail;
	find_str_end(t);
	if (t->fmt == PCLNTAB_GO12)
		detect_go12_layout(t);
	set_inline_indexes(t);
	pcln_find_moduledata(t);
	err = resolve_text_start(t);
	if (err)
		goto fail;
	*out = t;
	return 0;
fail:
	pclntab__free(t);
	return err;
}

void pclntab__free(struct pclntab *t)
{
	if (!t)
		return;
	free(t->by_name);
	free(t->buckets);
	free(t->cache);
	pcln_dense_free(t->dense);
	free(t);
}

enum pclntab_format pclntab__format(const struct pclntab *t)
{
	return t->fmt;
}

const char *pclntab__format_name(const struct pclntab *t)
{
	static const char *const names[] = {
		[PCLNTAB_GO12] = "go1.2",
		[PCLNTAB_GO116] = "go1.16",
		[PCLNTAB_GO118] = "go1.18",
		[PCLNTAB_GO120] = "go1.20",
	};

	return names[t->fmt];
}

const char *pclntab__origin(const struct pclntab *t)
{
	return t->origin;
}

uint64_t pclntab__vaddr(const struct pclntab *t)
{
	return t->vaddr;
}

uint8_t pclntab__ptrsize(const struct pclntab *t)
{
	return t->ptrsize;
}

uint8_t pclntab__quantum(const struct pclntab *t)
{
	return t->quantum;
}

uint64_t pclntab__text_start(const struct pclntab *t)
{
	return t->text_start;
}

bool pclntab__has_moduledata(const struct pclntab *t)
{
	return t->has_md;
}

uint64_t pclntab__moduledata_vaddr(const struct pclntab *t)
{
	return t->has_md ? t->md_vaddr : 0;
}

size_t pclntab__nfuncs(const struct pclntab *t)
{
	return t->nfunc;
}
