// SPDX-License-Identifier: GPL-2.0
/*
 * pc → frames, expanding inlined calls (runtime/symtab.go funcdata,
 * runtime/symtabinl.go inlineUnwinder, traceback.go before go1.21).
 *
 * PCDATA_InlTreeIndex gives, at a pc, an index into the function's
 * FUNCDATA_InlTree array (or -1 outside inlined code). The innermost frame
 * is that entry's function with the file:line at pc; its caller is found by
 * looking the index up again at entry + parentPc, an instruction whose
 * position is the call site, and so on until the index is -1: that last
 * frame is the physical function. go1.9-1.11 trees have no parentPc: their
 * entries carry the call site's file and line and a parent index instead.
 */
#include <errno.h>

#include "base/err.h"
#include "goelf/pclntab_int.h"

/*
 * Address of funcdata i of r. Before go1.18 the slot is an absolute address
 * (pointer-aligned after pcdata[]); since go1.18 a u32 offset from
 * moduledata.gofunc, ~0 meaning none. 0 when absent.
 */
static uint64_t funcdata_addr(const struct pclntab *t, const struct pcln_rec *r, uint32_t i)
{
	uint64_t at = r->fixed + 4 * (uint64_t)r->npcdata;

	if (i >= r->nfuncdata)
		return 0;
	if (t->fmt >= PCLNTAB_GO118) {
		uint32_t off;

		if (at + 4 * (uint64_t)(i + 1) > r->avail || !t->has_md)
			return 0;
		off = elf_rd32(r->p + at + 4 * i);
		return off == UINT32_MAX ? 0 : t->gofunc + off;
	}
	if ((r->p_vaddr + at) & 7)
		at += 4;
	if (at + 8 * (uint64_t)(i + 1) > r->avail)
		return 0;
	return elf_rd64(r->p + at + 8 * i);
}

/* Bytes of funcdata i of r in the file; NULL when absent or unreachable. */
const uint8_t *pcln_funcdata(const struct pclntab *t, const struct pcln_rec *r, uint32_t i,
			     uint64_t *avail)
{
	uint64_t addr = funcdata_addr(t, r, i);

	return addr ? elf_file__vaddr_bytes(t->ef, addr, avail) : NULL;
}

struct frame_out {
	struct pcln_frame *frames;
	size_t max;
	int n;
};

static void emit(struct frame_out *o, const char *func, const char *file, int32_t line,
		 bool inlined)
{
	if ((size_t)o->n < o->max)
		o->frames[o->n] = (struct pcln_frame){
			.func = func ? func : pcln_unknown,
			.file = file ? file : pcln_unknown,
			.line = line,
			.inlined = inlined,
		};
	o->n++;
}

static int inline_index(const struct pclntab *t, const struct pcln_rec *r, uint64_t pc,
			int32_t *idx)
{
	int err = pcln_pcdata(t, r, t->pcdata_inl, pc, idx);

	if (err == -ENOENT) {
		*idx = -1;
		return 0;
	}
	return err;
}

static int bad_tree(const struct pclntab *t, const struct pcln_rec *r, const char *what)
{
	return err_fail(GT_EFORMAT, "%s: pclntab: inline tree of function %u: %s",
			elf_file__name(t->ef), r->index, what);
}

/*
 * A function being symbolized: its decoded tables when it has them (then r
 * holds only index, entry, end and nameoff: the record is not read at
 * all), else its record and the walks.
 */
struct func_src {
	struct pcln_rec r;
	const struct pcln_dfunc *d;
	const uint8_t *tree; /* FUNCDATA_InlTree, once tree_known */
	uint64_t avail;
	bool tree_known;
};

static int frame_at(const struct pclntab *t, const struct func_src *f, uint64_t pc,
		    const char **file, int32_t *line, int32_t *idx)
{
	int err;

	if (f->d)
		return pcln_dense_frame_at(t, f->d, pc - f->r.entry, file, line, idx);
	err = inline_index(t, &f->r, pc, idx);
	return err ? err : pcln_file_line(t, &f->r, pc, file, line);
}

/* The inline tree (kept with the decoded tables, else from the record). */
static const uint8_t *tree_of(const struct pclntab *t, struct func_src *f)
{
	if (!f->tree_known) {
		f->tree_known = true;
		f->tree = f->d ? pcln_dense_tree(f->d, &f->avail)
			       : pcln_funcdata(t, &f->r, t->funcdata_inl, &f->avail);
	}
	return f->tree;
}

/* go1.12+: walk outward through parentPc. Without a tree, the physical frame only. */
static int walk_parent_pc(const struct pclntab *t, struct func_src *f, uint64_t pc,
			  struct frame_out *o)
{
	const struct pcln_rec *r = &f->r;
	bool go120 = t->fmt >= PCLNTAB_GO120;
	uint64_t entsz = go120 ? 16 : 20;
	const uint8_t *tree;
	const char *file;
	int32_t idx, line;
	int depth, err;

	for (depth = 0; depth < PCLN_MAX_INLINE_DEPTH; depth++) {
		const uint8_t *e;
		int64_t parent_pc;

		err = frame_at(t, f, pc, &file, &line, &idx);
		if (err)
			return err;
		tree = idx < 0 ? NULL : tree_of(t, f);
		if (!tree) {
			emit(o, pcln_name(t, r->nameoff), file, line, false);
			return 0;
		}
		if (((uint64_t)idx + 1) * entsz > f->avail)
			return bad_tree(t, r, "index past the tree");
		e = tree + (uint64_t)idx * entsz;
		parent_pc = (int32_t)elf_rd32(e + (go120 ? 8 : 16));
		if (parent_pc < 0 || r->entry + (uint64_t)parent_pc >= r->end)
			return bad_tree(t, r, "parentPc outside the function");
		/*
		 * An inlined call whose parentPc is this very pc (go1.27 package
		 * init functions have them at the entry; the runtime never unwinds
		 * there): its call site is unknown, so the physical frame takes
		 * its place and ends the walk.
		 */
		if (r->entry + (uint64_t)parent_pc == pc) {
			emit(o, pcln_name(t, r->nameoff), file, line, false);
			return 0;
		}
		/* 1.20+: {funcID, _[3], nameOff, parentPc, startLine}; before: {parent, funcID, _,
		 * file, line, func_, parentPc} */
		emit(o, pcln_name(t, elf_rd32(e + (go120 ? 4 : 12))), file, line, true);
		pc = r->entry + (uint64_t)parent_pc;
	}
	return bad_tree(t, r, "too deep (a loop?)");
}

/* go1.9-1.11: {parent int32, file int32, line int32, func int32}. */
static int walk_parent_index(const struct pclntab *t, const struct pcln_rec *r, uint64_t pc,
			     const uint8_t *tree, uint64_t avail, struct frame_out *o)
{
	const char *file;
	int32_t idx, line;
	int depth, err;

	err = inline_index(t, r, pc, &idx);
	if (!err)
		err = pcln_file_line(t, r, pc, &file, &line);
	if (err)
		return err;
	for (depth = 0; idx >= 0; depth++) {
		const uint8_t *e = tree + (uint64_t)idx * 16;

		if (depth >= PCLN_MAX_INLINE_DEPTH)
			return bad_tree(t, r, "too deep (a loop?)");
		if (((uint64_t)idx + 1) * 16 > avail)
			return bad_tree(t, r, "index past the tree");
		emit(o, pcln_name(t, elf_rd32(e + 12)), file, line, true);
		file = pcln_file(t, r, (int32_t)elf_rd32(e + 4));
		line = (int32_t)elf_rd32(e + 8);
		idx = (int32_t)elf_rd32(e);
	}
	emit(o, pcln_name(t, r->nameoff), file, line, false);
	return 0;
}

static int physical_only(const struct pclntab *t, const struct pcln_rec *r, uint64_t pc,
			 struct frame_out *o)
{
	const char *file;
	int32_t line;
	int err = pcln_file_line(t, r, pc, &file, &line);

	if (!err)
		emit(o, pcln_name(t, r->nameoff), file, line, false);
	return err;
}

/* A hint only: never dereferenced, so the offset is clamped, not trusted. */
static inline void prefetch_at(const struct pclntab *t, uint64_t off)
{
	if (off < t->size)
		__builtin_prefetch(t->data + off);
}

/*
 * Random pcs miss the cache at every table they touch, and each lookup
 * below waits for the one before. The record names them all (the
 * function name, the file, line and inline-index tables, the CU's file
 * row), so start those loads together and let the walks find them cached.
 */
static void prefetch_tables(const struct pclntab *t, const struct pcln_rec *r)
{
	prefetch_at(t, t->pctab + r->pcfile);
	prefetch_at(t, t->pctab + r->pcln);
	if (t->pcdata_inl < r->npcdata)
		prefetch_at(t, t->pctab + elf_rd32(r->p + r->fixed + 4 * t->pcdata_inl));
	prefetch_at(t, t->funcnametab + r->nameoff);
	if (t->fmt != PCLNTAB_GO12)
		prefetch_at(t, t->cutab + 4 * (uint64_t)r->cuoff);
}

/* The frames at pc in function i, from its tables. */
static int symbolize_walk(const struct pclntab *t, uint32_t i, uint64_t pc,
			  struct pcln_frame *frames, size_t max)
{
	struct frame_out o = {frames, max, 0};
	struct func_src f;
	int err;

	/*
	 * Not `f = {0}`: zeroing the whole record (a `rep stos`) was an eighth
	 * of a hot lookup's time. The decoded path sets what it reads (index,
	 * entry, end, nameoff; walk_parent_pc and bad_tree read no more of r).
	 */
	f.d = pcln_dense_get(t, i);
	f.tree_known = false;
	if (f.d) {
		f.r.index = i;
		f.r.entry = pcln_entry_at(t, i);
		f.r.end = pcln_entry_at(t, i + 1);
		f.r.nameoff = pcln_dense_nameoff(f.d);
		err = walk_parent_pc(t, &f, pc, &o);
		return err ? err : o.n;
	}
	err = pcln_rec_load(t, i, &f.r);
	if (err)
		return err;
	prefetch_tables(t, &f.r);
	f.tree = pcln_funcdata(t, &f.r, t->funcdata_inl, &f.avail);
	f.tree_known = true;
	if (f.tree)
		__builtin_prefetch(f.tree); /* small trees: the entry the walk reads */
	if (!f.tree) /* nothing inlined, or no module data (go1.18+): physical frame only */
		err = physical_only(t, &f.r, pc, &o);
	else if (t->fmt == PCLNTAB_GO12 && t->go12_old)
		err = walk_parent_index(t, &f.r, pc, f.tree, f.avail, &o);
	else
		err = walk_parent_pc(t, &f, pc, &o);
	return err ? err : o.n;
}

/* The tables' answer, remembered in the result cache when it fits. */
int pcln_symbolize_at(const struct pclntab *t, uint32_t i, uint64_t pc, struct pcln_frame *frames,
		      size_t max)
{
	int n = symbolize_walk(t, i, pc, frames, max);

	if (n > 0 && (size_t)n <= max)
		pcln_cache_put(t, pc, frames, n);
	return n;
}

int pclntab__symbolize(const struct pclntab *t, uint64_t pc, struct pcln_frame *frames, size_t max)
{
	int n = pcln_cache_get(t, pc, frames, max);
	uint32_t i;

	if (n > 0)
		return n;
	n = pcln_find_index(t, pc, &i);
	return n ? n : pcln_symbolize_at(t, i, pc, frames, max);
}
