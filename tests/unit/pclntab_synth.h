/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_TESTS_PCLNTAB_SYNTH_H
#define GOTRACE_TESTS_PCLNTAB_SYNTH_H

/*
 * Builds a small ELF around a hand-made pc-line table, in any of the four
 * formats, following the layouts written down in the Go sources
 * (cmd/link/internal/ld/pcln.go, runtime `_func`, `inlinedCall`,
 * `moduledata`). The expected answers come from this construction, not from
 * the parser: two functions,
 *   main.foo  [0x401000, 0x401020)  /src/a.go  line 10 below +0x10, 12 after; SP delta 8
 *   main.bar  [0x401020, 0x401050)  /src/b.go  line 100 below +0x10, 105 after;
 *             [+0, +0x10) is main.inl inlined, called from +parent_pc
 * Segment 1 (R, vaddr 0x400000) holds the table at file offset 0x100 and the
 * inline tree after it; segment 2 (RW, vaddr 0x601000) the module data.
 */

#include <elf.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "goelf/pclntab.h"

#define SYN_BASE 0x400000ULL
#define SYN_TEXT 0x401000ULL
#define SYN_TAB_OFF 0x100
#define SYN_MD_OFF 0x1000
#define SYN_MD_VADDR 0x601000ULL
#define SYN_SIZE 0x1400

struct synth_opts {
	enum pclntab_format fmt;
	bool sections;	 /* section headers with .gopclntab */
	bool moduledata; /* the RW segment with moduledata */
	int32_t parent_pc;
	/*
	 * go1.2 format as written by go1.9-1.11: `nfuncdata int32` at 36,
	 * PCDATA_InlTreeIndex 1, FUNCDATA_InlTree 2, and inline entries
	 * {parent, file, line, func} without parentPc (parent_pc is then the
	 * parent index).
	 */
	bool go12_old;
};

struct synth_out {
	uint32_t tab_size;   /* bytes of the table */
	uint32_t tree_off;   /* file offset of the inline tree */
	uint32_t funcoff[2]; /* file offsets of the _func records */
};

static inline void syn_w32(uint8_t *b, size_t off, uint32_t v)
{
	memcpy(b + off, &v, 4);
}

static inline void syn_w64(uint8_t *b, size_t off, uint64_t v)
{
	memcpy(b + off, &v, 8);
}

struct syn_ctx {
	uint8_t *b;   /* the table (file offset SYN_TAB_OFF) */
	uint32_t cur; /* next free byte, relative to the table */
	const struct synth_opts *o;
	uint32_t names, cutab, filetab, pctab, pcln;
	uint32_t name_foo, name_bar, name_inl, file_a, file_b;
	uint32_t pc_file[2], pc_line[2], pc_sp, pc_inl;
};

static inline uint32_t syn_put(struct syn_ctx *c, const void *p, uint32_t n)
{
	uint32_t at = c->cur;

	memcpy(c->b + at, p, n);
	c->cur += n;
	return at;
}

static inline void syn_align(struct syn_ctx *c, uint32_t a)
{
	c->cur = (c->cur + a - 1) & ~(a - 1);
}

/* Strings and pc-value tables (varints, zig-zag deltas from -1). */
static inline void syn_strings_and_tables(struct syn_ctx *c)
{
	bool go12 = c->o->fmt == PCLNTAB_GO12;
	/* go1.2 file numbers start at 1 (index into the global file table). */
	const uint8_t fa[] = {go12 ? 4 : 2, 0x20, 0}, fb[] = {go12 ? 6 : 4, 0x30, 0};
	const uint8_t la[] = {22, 0x10, 4, 0x10, 0};	      /* 10, then 12 */
	const uint8_t lb[] = {0xca, 0x01, 0x10, 10, 0x20, 0}; /* 100, then 105 */
	const uint8_t sp[] = {18, 0x20, 0};		      /* 8 */
	const uint8_t inl[] = {2, 0x10, 1, 0x20, 0};	      /* 0, then -1 */

	c->names = c->cur;
	c->name_foo = syn_put(c, "main.foo", 9) - c->names;
	c->name_bar = syn_put(c, "main.bar", 9) - c->names;
	c->name_inl = syn_put(c, "main.inl", 9) - c->names;
	c->filetab = c->cur;
	c->file_a = syn_put(c, "/src/a.go", 10) - c->filetab;
	c->file_b = syn_put(c, "/src/b.go", 10) - c->filetab;
	syn_align(c, 4);
	c->cutab = c->cur;
	syn_w32(c->b, c->cur, c->file_a);
	syn_w32(c->b, c->cur + 4, c->file_b);
	c->cur += 8;
	c->pctab = c->cur;
	c->cur++; /* offset 0 means "no table" */
	c->pc_file[0] = syn_put(c, fa, sizeof(fa)) - c->pctab;
	c->pc_file[1] = syn_put(c, fb, sizeof(fb)) - c->pctab;
	c->pc_line[0] = syn_put(c, la, sizeof(la)) - c->pctab;
	c->pc_line[1] = syn_put(c, lb, sizeof(lb)) - c->pctab;
	c->pc_sp = syn_put(c, sp, sizeof(sp)) - c->pctab;
	c->pc_inl = syn_put(c, inl, sizeof(inl)) - c->pctab;
}

/* go1.2 tables address everything from the table start. */
static inline uint32_t syn_rel(const struct syn_ctx *c, uint32_t base, uint32_t off)
{
	return c->o->fmt == PCLNTAB_GO12 ? base + off : off;
}

static inline void syn_func(struct syn_ctx *c, int i, uint32_t at, uint64_t tree_vaddr,
			    uint32_t tree_goff)
{
	enum pclntab_format f = c->o->fmt;
	bool wide = f == PCLNTAB_GO12 || f == PCLNTAB_GO116;
	uint32_t fixed = (f == PCLNTAB_GO116 || f == PCLNTAB_GO120) ? 44 : 40;
	uint32_t name = syn_rel(c, c->names, i ? c->name_bar : c->name_foo);
	bool old = c->o->go12_old;
	uint32_t npcdata = i ? (old ? 2 : 3) : 0, k;
	uint32_t nfd = i ? (old ? 3 : f == PCLNTAB_GO12 ? 5 : 4) : 0;
	uint8_t *r = c->b + at;
	uint32_t o = wide ? 8 : 4;

	if (wide)
		syn_w64(r, 0, SYN_TEXT + (i ? 0x20 : 0));
	else
		syn_w32(r, 0, i ? 0x20 : 0);
	syn_w32(r, o, name);
	syn_w32(r, o + 12, i ? 0 : syn_rel(c, c->pctab, c->pc_sp));
	syn_w32(r, o + 16, syn_rel(c, c->pctab, c->pc_file[i]));
	syn_w32(r, o + 20, syn_rel(c, c->pctab, c->pc_line[i]));
	syn_w32(r, o + 24, npcdata);
	if (f != PCLNTAB_GO12)
		syn_w32(r, o + 28, 0); /* cuOffset */
	if (f == PCLNTAB_GO120)
		syn_w32(r, 36, 1); /* startLine */
	if (old)
		syn_w32(r, 36, nfd);
	else
		r[fixed - 1] = (uint8_t)nfd;
	for (k = 0; k < npcdata; k++)
		syn_w32(r, fixed + 4 * k, k == npcdata - 1 ? syn_rel(c, c->pctab, c->pc_inl) : 0);
	c->cur = at + fixed + 4 * npcdata;
	if (!nfd)
		return;
	if (wide) {
		syn_align(c, 8); /* the table sits at an 8-aligned address */
		for (k = 0; k < nfd; k++)
			syn_w64(c->b, c->cur + 8 * k, k == nfd - 1 ? tree_vaddr : 0);
		c->cur += 8 * nfd;
	} else {
		for (k = 0; k < nfd; k++)
			syn_w32(c->b, c->cur + 4 * k, k == nfd - 1 ? tree_goff : UINT32_MAX);
		c->cur += 4 * nfd;
	}
}

static inline void syn_header(struct syn_ctx *c)
{
	static const uint32_t magic[] = {0xfffffffb, 0xfffffffa, 0xfffffff0, 0xfffffff1};
	enum pclntab_format f = c->o->fmt;
	uint8_t *b = c->b;
	unsigned w = 1;

	syn_w32(b, 0, magic[f]);
	b[4] = b[5] = 0;
	b[6] = 1;
	b[7] = 8;
	syn_w64(b, 8, 2);
	if (f == PCLNTAB_GO12)
		return;
	syn_w64(b, 8 + 8 * w++, 2); /* nfiles */
	if (f >= PCLNTAB_GO118)
		syn_w64(b, 8 + 8 * w++, SYN_TEXT);
	syn_w64(b, 8 + 8 * w++, c->names);
	syn_w64(b, 8 + 8 * w++, c->cutab);
	syn_w64(b, 8 + 8 * w++, c->filetab);
	syn_w64(b, 8 + 8 * w++, c->pctab);
	syn_w64(b, 8 + 8 * w++, c->pcln);
}

static inline uint32_t syn_header_size(enum pclntab_format f)
{
	return f == PCLNTAB_GO12 ? 16 : f == PCLNTAB_GO116 ? 64 : 72;
}

/* Function table (+ go1.2 file table) and the records. */
static inline void syn_functab(struct syn_ctx *c, struct synth_out *out, uint64_t tree_vaddr,
			       uint32_t tree_goff)
{
	enum pclntab_format f = c->o->fmt;
	uint32_t fs = f >= PCLNTAB_GO118 ? 4 : 8, ft, i, rec[2];
	uint64_t entries[3] = {0, 0x20, 0x50};

	if (f == PCLNTAB_GO12) {
		/*
		 * Right after the header: the function table, the u32 offset of
		 * the file table, and (here) the file table itself: a count, then
		 * offsets from the table start (synth_build reserved the room).
		 */
		ft = c->pcln = 16;
		syn_w32(c->b, ft + 5 * fs, ft + 5 * fs + 4);
		syn_w32(c->b, ft + 5 * fs + 4, 3);
		syn_w32(c->b, ft + 5 * fs + 8, c->filetab + c->file_a);
		syn_w32(c->b, ft + 5 * fs + 12, c->filetab + c->file_b);
	} else {
		syn_align(c, 8);
		ft = c->pcln = c->cur;
		c->cur = ft + 5 * fs;
	}
	for (i = 0; i < 2; i++) {
		syn_align(c, 8);
		rec[i] = c->cur;
		out->funcoff[i] = SYN_TAB_OFF + rec[i];
		syn_func(c, i, rec[i], tree_vaddr, tree_goff);
	}
	for (i = 0; i < 3; i++) {
		uint64_t e = fs == 4 ? entries[i] : SYN_TEXT + entries[i];
		uint64_t fo = i < 2 ? rec[i] - (f == PCLNTAB_GO12 ? 0 : ft) : 0;

		if (fs == 4) {
			syn_w32(c->b, ft + 8 * i, (uint32_t)e);
			if (i < 2)
				syn_w32(c->b, ft + 8 * i + 4, (uint32_t)fo);
		} else {
			syn_w64(c->b, ft + 16 * i, e);
			if (i < 2)
				syn_w64(c->b, ft + 16 * i + 8, fo);
		}
	}
}

static inline void syn_tree(uint8_t *t, const struct syn_ctx *c)
{
	enum pclntab_format f = c->o->fmt;
	uint32_t name = syn_rel(c, c->names, c->name_inl);

	if (c->o->go12_old) { /* {parent, file, line, func}: the call site is in the entry */
		syn_w32(t, 0, (uint32_t)c->o->parent_pc);
		syn_w32(t, 4, 2);
		syn_w32(t, 8, 105);
		syn_w32(t, 12, name);
	} else if (f == PCLNTAB_GO120) { /* {funcID, _[3], nameOff, parentPc, startLine} */
		syn_w32(t, 4, name);
		syn_w32(t, 8, (uint32_t)c->o->parent_pc);
		syn_w32(t, 12, 99);
	} else { /* {parent int16, funcID, _, file, line, func_, parentPc} */
		t[0] = t[1] = 0xff;
		syn_w32(t, 4, 1);
		syn_w32(t, 8, 105);
		syn_w32(t, 12, name);
		syn_w32(t, 16, (uint32_t)c->o->parent_pc);
	}
}

static inline void syn_moduledata(uint8_t *m, const struct syn_ctx *c, uint64_t gofunc)
{
	enum pclntab_format f = c->o->fmt;
	uint64_t tab = SYN_BASE + SYN_TAB_OFF;
	uint64_t first = f >= PCLNTAB_GO118 ? 0 : SYN_TEXT;
	unsigned k;

	syn_w64(m, 0, tab);
	if (f == PCLNTAB_GO12) {
		syn_w64(m, 8, c->cur);
		syn_w64(m, 16, c->cur);
		syn_w64(m, 24, tab + 16);
		syn_w64(m, 32, 3);
		syn_w64(m, 40, 3);
		syn_w64(m, 80, SYN_TEXT + first * 0);
		syn_w64(m, 96, SYN_TEXT);
		return;
	}
	{
		const unsigned word[] = {1, 4, 7, 10, 13, 16};
		const uint32_t off[] = {c->names, c->cutab, c->filetab, c->pctab, c->pcln, c->pcln};

		for (k = 0; k < 6; k++) {
			uint64_t len = k == 5 ? 3 : 64;

			syn_w64(m, 8 * word[k], tab + off[k]);
			syn_w64(m, 8 * (word[k] + 1), len);
			syn_w64(m, 8 * (word[k] + 2), len);
		}
	}
	syn_w64(m, 8 * 20, SYN_TEXT);
	syn_w64(m, 8 * 21, SYN_TEXT + 0x50);
	syn_w64(m, 8 * 22, SYN_TEXT);
	if (f >= PCLNTAB_GO118) {
		unsigned g = f == PCLNTAB_GO118 ? 38 : 40;

		syn_w64(m, 8 * (g - 1), SYN_BASE);
		syn_w64(m, 8 * g, gofunc);
	}
}

static inline void syn_elf(uint8_t *buf, const struct synth_opts *o, uint32_t tab_size)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	Elf64_Phdr ph[2] = {
		{.p_type = PT_LOAD,
		 .p_flags = PF_R,
		 .p_offset = 0,
		 .p_vaddr = SYN_BASE,
		 .p_paddr = SYN_BASE,
		 .p_filesz = 0x1000,
		 .p_memsz = 0x1000,
		 .p_align = 0x1000},
		{.p_type = PT_LOAD,
		 .p_flags = PF_R | PF_W,
		 .p_offset = SYN_MD_OFF,
		 .p_vaddr = SYN_MD_VADDR,
		 .p_paddr = SYN_MD_VADDR,
		 .p_filesz = 0x200,
		 .p_memsz = 0x200,
		 .p_align = 0x1000},
	};

	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_ehsize = sizeof(*eh);
	eh->e_phoff = 0x40;
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = o->moduledata ? 2 : 1;
	memcpy(buf + 0x40, ph, sizeof(ph));
	if (o->sections) {
		static const char strtab[] = "\0.shstrtab\0.gopclntab";
		Elf64_Shdr sh[3] = {{0}};

		memcpy(buf + 0x1200, strtab, sizeof(strtab));
		sh[1] = (Elf64_Shdr){.sh_name = 1,
				     .sh_type = SHT_STRTAB,
				     .sh_offset = 0x1200,
				     .sh_size = sizeof(strtab)};
		sh[2] = (Elf64_Shdr){.sh_name = 11,
				     .sh_type = SHT_PROGBITS,
				     .sh_flags = SHF_ALLOC,
				     .sh_addr = SYN_BASE + SYN_TAB_OFF,
				     .sh_offset = SYN_TAB_OFF,
				     .sh_size = tab_size};
		memcpy(buf + 0x1240, sh, sizeof(sh));
		eh->e_shoff = 0x1240;
		eh->e_shentsize = sizeof(Elf64_Shdr);
		eh->e_shnum = 3;
		eh->e_shstrndx = 1;
	}
}

/* Fills buf (SYN_SIZE bytes) with the ELF; returns its size. */
static inline size_t synth_build(uint8_t *buf, const struct synth_opts *o, struct synth_out *out)
{
	struct syn_ctx c = {.b = buf + SYN_TAB_OFF, .o = o};
	uint32_t tree_off;

	memset(buf, 0, SYN_SIZE);
	c.cur = syn_header_size(o->fmt);
	if (o->fmt == PCLNTAB_GO12)
		c.cur += 5 * 8 + 16; /* function and file tables, see syn_functab */
	syn_strings_and_tables(&c);
	/* The tree goes after the table; its offset is known before the records. */
	tree_off = 0xe00;
	syn_functab(&c, out, SYN_BASE + tree_off, tree_off - SYN_TAB_OFF - 0x800);
	syn_header(&c);
	out->tab_size = c.cur;
	out->tree_off = tree_off;
	syn_tree(buf + tree_off, &c);
	/* gofunc = base of go:func.*, placed so that the tree is at offset tree_goff. */
	if (o->moduledata)
		syn_moduledata(buf + SYN_MD_OFF, &c, SYN_BASE + SYN_TAB_OFF + 0x800);
	syn_elf(buf, o, c.cur);
	return SYN_SIZE;
}

#endif
