// SPDX-License-Identifier: GPL-2.0
/*
 * The function table: pc → function (binary search), _func records per
 * format, names, wrapper detection and the by-name index (built on first
 * use, so opening a table stays O(1) in the number of functions).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "goelf/pclntab_int.h"

struct pcln_name_ent {
	const char *name;
	uint32_t index;
};

struct pcln_name_index {
	size_t n;
	struct pcln_name_ent e[];
};

/* Entry of function i; i == nfunc gives the end of the last function. */
int pcln_entry(const struct pclntab *t, uint32_t i, uint64_t *entry)
{
	uint64_t v;

	if (i > t->nfunc)
		return -ENOENT;
	v = pcln_functab_field(t, 2 * (uint64_t)i);
	*entry = t->fmt >= PCLNTAB_GO118 ? t->text_start + v : v;
	return 0;
}

/*
 * _func layouts (runtime2.go/symtab.go `_func` of each release): the
 * fields we use, at their byte offsets, and the size of the fixed part
 * after which pcdata[npcdata] u32 follow.
 */
static void rec_fields(const struct pclntab *t, struct pcln_rec *r)
{
	const uint8_t *p = r->p;

	switch (t->fmt) {
	case PCLNTAB_GO12:
	case PCLNTAB_GO116:
		r->nameoff = elf_rd32(p + 8);
		r->pcsp = elf_rd32(p + 20);
		r->pcfile = elf_rd32(p + 24);
		r->pcln = elf_rd32(p + 28);
		r->npcdata = elf_rd32(p + 32);
		break;
	case PCLNTAB_GO118:
	case PCLNTAB_GO120:
		r->nameoff = elf_rd32(p + 4);
		r->pcsp = elf_rd32(p + 16);
		r->pcfile = elf_rd32(p + 20);
		r->pcln = elf_rd32(p + 24);
		r->npcdata = elf_rd32(p + 28);
		r->cuoff = elf_rd32(p + 32);
		break;
	}
	if (t->fmt == PCLNTAB_GO12 && t->go12_old) {
		r->nfuncdata = elf_rd32(p + 36) > 255 ? 255 : p[36];
	} else if (t->fmt == PCLNTAB_GO12 || t->fmt == PCLNTAB_GO118) {
		r->funcid = p[36];
		r->flag = t->fmt == PCLNTAB_GO118 ? p[37] : 0;
		r->nfuncdata = p[39];
	} else {
		if (t->fmt == PCLNTAB_GO116)
			r->cuoff = elf_rd32(p + 36);
		r->funcid = p[40];
		r->flag = p[41];
		r->nfuncdata = p[43];
	}
}

static uint32_t rec_fixed_size(const struct pclntab *t)
{
	return t->fmt == PCLNTAB_GO116 || t->fmt == PCLNTAB_GO120 ? 44 : 40;
}

int pcln_rec_load(const struct pclntab *t, uint32_t i, struct pcln_rec *r)
{
	uint64_t funcoff, off;

	memset(r, 0, sizeof(*r));
	if (i >= t->nfunc)
		return -ENOENT;
	r->index = i;
	pcln_entry(t, i, &r->entry);
	pcln_entry(t, i + 1, &r->end);
	funcoff = pcln_functab_field(t, 2 * (uint64_t)i + 1);
	r->fixed = rec_fixed_size(t);
	off = t->funcbase + funcoff;
	if (funcoff > t->size || off > t->size || t->size - off < r->fixed)
		return err_fail(
			GT_EFORMAT,
			"%s: pclntab: record of function %u (offset 0x%llx) is outside the table",
			elf_file__name(t->ef), i, (unsigned long long)funcoff);
	r->p = t->data + off;
	r->avail = t->size - off;
	r->p_vaddr = t->vaddr + off;
	rec_fields(t, r);
	if (r->npcdata > PCLN_MAX_NPCDATA || r->fixed + 4 * (uint64_t)r->npcdata > r->avail)
		return err_fail(GT_EFORMAT, "%s: pclntab: function %u claims %u pcdata tables",
				elf_file__name(t->ef), i, r->npcdata);
	return 0;
}

/* The last function whose entry is <= pc: the runtime's findfunc without buckets. */
int pcln_find_index(const struct pclntab *t, uint64_t pc, uint32_t *idx)
{
	uint32_t lo = 0, hi = t->nfunc;
	uint64_t e;

	pcln_entry(t, 0, &e);
	if (pc < e)
		return -ENOENT;
	pcln_entry(t, t->nfunc, &e);
	if (pc >= e)
		return -ENOENT;
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		pcln_entry(t, mid, &e);
		if (e <= pc)
			lo = mid;
		else
			hi = mid;
	}
	*idx = lo;
	return 0;
}

/* A NUL-terminated string at off, or NULL when it runs off the table. */
const char *pcln_cstr(const struct pclntab *t, uint64_t off)
{
	const char *s;

	if (off >= t->size)
		return NULL;
	s = (const char *)t->data + off;
	return memchr(s, '\0', t->size - off) ? s : NULL;
}

const char *pcln_name(const struct pclntab *t, uint32_t nameoff)
{
	return pcln_cstr(t, t->funcnametab + nameoff);
}

/*
 * FuncIDWrapper is the last abi.FuncID in every release, but its value
 * moved: 20 (go1.12-1.13), 22 (1.14-1.15), 21 (1.18-1.21, incl. 1.19/1.21
 * checked in their runtime/symtab.go and internal/abi/symtab.go), 22
 * (1.22-1.24), 23 (1.26-1.27); go1.2-1.11 had none. The Go version is not
 * in the table, so derive it from the table itself: every special FuncID
 * names one runtime function (a handful of records), while wrappers number
 * in the hundreds. The wrapper id is the most frequent non-zero id and must
 * also be the largest one present; otherwise we claim no wrappers.
 */
static int compute_wrapper_id(const struct pclntab *t)
{
	uint32_t hist[256] = {0}, i;
	struct pcln_rec r;
	int best = -1, max = -1, id;

	if (t->fmt == PCLNTAB_GO12 && t->go12_old)
		return -1;
	for (i = 0; i < t->nfunc; i++)
		if (pcln_rec_load(t, i, &r) == 0 && r.funcid)
			hist[r.funcid]++;
	for (id = 1; id < 256; id++) {
		if (!hist[id])
			continue;
		max = id;
		if (best < 0 || hist[id] > hist[best])
			best = id;
	}
	if (best < 0 || best != max || hist[best] < 2)
		return -1;
	for (id = 1; id < best; id++)
		if (hist[id] >= hist[best])
			return -1;
	return best;
}

/* Thread-safe without locks: racing first callers compute the same value. */
int pcln_wrapper_id(const struct pclntab *t)
{
	int *slot = (int *)&t->wrapper_id;
	int w = __atomic_load_n(slot, __ATOMIC_ACQUIRE);

	if (w != PCLN_WRAPPER_UNKNOWN)
		return w;
	w = compute_wrapper_id(t);
	__atomic_store_n(slot, w, __ATOMIC_RELEASE);
	return w;
}

static void fill_func(const struct pclntab *t, const struct pcln_rec *r, struct pcln_func *f)
{
	const char *name = pcln_name(t, r->nameoff);
	int wid = pcln_wrapper_id(t);

	*f = (struct pcln_func){
		.entry = r->entry,
		.end = r->end,
		.name = name ? name : "?",
		.funcid = r->funcid,
		.flag = r->flag,
		.wrapper = wid >= 0 && r->funcid == wid,
		.index = r->index,
	};
}

int pclntab__func_at(const struct pclntab *t, size_t i, struct pcln_func *f)
{
	struct pcln_rec r;
	int err;

	if (i >= t->nfunc)
		return -ENOENT;
	err = pcln_rec_load(t, (uint32_t)i, &r);
	if (err)
		return err;
	fill_func(t, &r, f);
	return 0;
}

int pclntab__find_func(const struct pclntab *t, uint64_t pc, struct pcln_func *f)
{
	uint32_t i;
	int err;

	err = pcln_find_index(t, pc, &i);
	if (err)
		return err;
	return pclntab__func_at(t, i, f);
}

static int cmp_name_ent(const void *a, const void *b)
{
	const struct pcln_name_ent *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

static struct pcln_name_index *build_name_index(const struct pclntab *t)
{
	struct pcln_name_index *ix;
	struct pcln_rec r;
	uint32_t i;

	ix = malloc(sizeof(*ix) + (size_t)t->nfunc * sizeof(ix->e[0]));
	if (!ix)
		return NULL;
	ix->n = 0;
	for (i = 0; i < t->nfunc; i++) {
		const char *name;

		if (pcln_rec_load(t, i, &r))
			continue; /* a corrupt record has no name to find */
		name = pcln_name(t, r.nameoff);
		if (name)
			ix->e[ix->n++] = (struct pcln_name_ent){name, i};
	}
	qsort(ix->e, ix->n, sizeof(ix->e[0]), cmp_name_ent);
	return ix;
}

/* Built once; a thread that loses the publication race frees its copy. */
static const struct pcln_name_index *name_index(const struct pclntab *t)
{
	struct pcln_name_index **slot = (struct pcln_name_index **)&t->by_name;
	struct pcln_name_index *ix = __atomic_load_n(slot, __ATOMIC_ACQUIRE), *expected = NULL;

	if (ix)
		return ix;
	ix = build_name_index(t);
	if (!ix)
		return NULL;
	if (!__atomic_compare_exchange_n(slot, &expected, ix, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		free(ix);
		return expected;
	}
	return ix;
}

int pclntab__find_name(const struct pclntab *t, const char *name, struct pcln_func *f)
{
	const struct pcln_name_index *ix = name_index(t);
	size_t lo = 0, hi, i;
	int found = 0;

	if (!ix)
		return -ENOMEM;
	hi = ix->n;
	while (lo < hi) { /* lower bound */
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(ix->e[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < ix->n && !strcmp(ix->e[i].name, name); i++) {
		struct pcln_func cand;

		if (pclntab__func_at(t, ix->e[i].index, &cand))
			continue;
		if (!found || (f->wrapper && !cand.wrapper))
			*f = cand;
		found = 1;
		if (!cand.wrapper)
			break;
	}
	return found ? 0 : -ENOENT;
}
