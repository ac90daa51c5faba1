// SPDX-License-Identifier: GPL-2.0
/*
 * The function table: pc → function (binary search), _func records per
 * format, names, wrapper detection and the by-name index (built on first
 * use, so opening a table stays O(1) in the number of functions).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

/* Cold path of pcln_rec_load, out of line so the hot one stays small. */
static int __attribute__((noinline))
bad_rec(const struct pclntab *t, uint32_t i, const struct pcln_rec *r, uint64_t funcoff)
{
	if (!r->p)
		return err_fail(GT_EFORMAT,
				"%s: pclntab: record of function %u (offset 0x%llx) is outside "
				"the table",
				elf_file__name(t->ef), i, (unsigned long long)funcoff);
	return err_fail(GT_EFORMAT, "%s: pclntab: function %u claims %u pcdata tables",
			elf_file__name(t->ef), i, r->npcdata);
}

int pcln_rec_load(const struct pclntab *t, uint32_t i, struct pcln_rec *r)
{
	uint64_t funcoff, off;

	memset(r, 0, sizeof(*r));
	if (i >= t->nfunc)
		return -ENOENT;
	r->index = i;
	r->entry = pcln_entry_at(t, i);
	r->end = pcln_entry_at(t, i + 1);
	funcoff = pcln_functab_field(t, 2 * (uint64_t)i + 1);
	r->fixed = rec_fixed_size(t);
	off = t->funcbase + funcoff;
	if (funcoff > t->size || off > t->size || t->size - off < r->fixed)
		return bad_rec(t, i, r, funcoff);
	r->p = t->data + off;
	r->avail = t->size - off;
	r->p_vaddr = t->vaddr + off;
	rec_fields(t, r);
	if (r->npcdata > PCLN_MAX_NPCDATA || r->fixed + 4 * (uint64_t)r->npcdata > r->avail)
		return bad_rec(t, i, r, funcoff);
	return 0;
}

/*
 * pc → function without a search over the whole table (the runtime's
 * findfunctab, computed instead of read from the module data, which is not
 * always found): the text range [entry(0), entry(nfunc)) cut into
 * 2^shift-byte buckets, the finest power of two from 256 bytes up that
 * makes fewer buckets than functions (512 bytes for a 20 MB text of 58k
 * functions: 150 KiB), each holding the index of the function containing
 * its first byte. A pc's function lies between its bucket's index and the
 * next one's: about six functions in real binaries. Built on first use, one
 * pass over the entries, so open stays O(1).
 */
struct pcln_buckets {
	uint64_t base;
	unsigned shift;
	uint32_t n; /* buckets; idx[] holds n + 1 */
	uint32_t idx[];
};

static struct pcln_buckets *build_buckets(const struct pclntab *t)
{
	uint64_t base = pcln_entry_at(t, 0), range = pcln_entry_at(t, t->nfunc) - base;
	struct pcln_buckets *b;
	unsigned shift = 8;
	uint32_t i = 0, k;

	while (shift < 63 && (range >> shift) >= t->nfunc)
		shift++;
	b = malloc(sizeof(*b) + ((range >> shift) + 2) * sizeof(b->idx[0]));
	if (!b)
		return NULL;
	b->base = base;
	b->shift = shift;
	b->n = (uint32_t)(range >> shift) + 1;
	for (k = 0; k <= b->n; k++) {
		uint64_t off = (uint64_t)k << shift;
		uint64_t start = off > range ? base + range : base + off;

		/* The last function starting at or before the bucket (ties: the last, as the
		 * search). A lying, unsorted table only yields wrong but in-range indexes. */
		while (i + 1 < t->nfunc && pcln_entry_at(t, i + 1) <= start)
			i++;
		b->idx[k] = i;
	}
	return b;
}

/* Built once; a thread that loses the publication race frees its copy. */
static const struct pcln_buckets *buckets(const struct pclntab *t)
{
	struct pcln_buckets **slot = (struct pcln_buckets **)&t->buckets;
	struct pcln_buckets *b = __atomic_load_n(slot, __ATOMIC_ACQUIRE), *expected = NULL;

	if (b)
		return b;
	b = build_buckets(t);
	if (!b)
		return NULL;
	if (!__atomic_compare_exchange_n(slot, &expected, b, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		free(b);
		return expected;
	}
	return b;
}

/*
 * How many of the n entries from i on are <= pc. Independent loads and
 * compares, no branch on the data: over a bucket's dozen entries this
 * beats a search, whose every step waits for the previous load.
 */
static uint32_t count_le(const struct pclntab *t, uint32_t i, uint32_t n, uint64_t pc)
{
	const uint8_t *p = t->data + t->functab + (uint64_t)i * 2 * t->fieldsz;
	uint64_t base = t->fmt >= PCLNTAB_GO118 ? t->text_start : 0;
	uint32_t c = 0, k;

#ifdef __SSE2__
	/*
	 * Most ranges hold a handful of entries (512-byte buckets, functions
	 * of ~350 bytes): the first eight compared at once, those past n
	 * masked, and no loop whose exit a random pc mispredicts (a hot
	 * lookup in buf: 20 ns with the loop, 14 with eight masked scalar
	 * compares, ~100 instructions fewer again here). The entries are
	 * sorted, so the ones <= pc are a prefix: the first lane > pc counts
	 * them. go1.18+ entries are u32 offsets from text_start, and pc lies
	 * in the text (pcln_find_range checked), so pc - base fits them; the
	 * eight (entry, funcoff) pairs exist (entry nfunc ends the text).
	 */
	if (t->fieldsz == 4 && n <= 8 && (uint64_t)i + 7 <= t->nfunc) {
		const __m128i bias = _mm_set1_epi32((int)0x80000000);
		const __m128i vx = _mm_xor_si128(_mm_set1_epi32((int)(uint32_t)(pc - base)), bias);
		__m128 q0 = _mm_castsi128_ps(_mm_loadu_si128((const __m128i *)p));
		__m128 q1 = _mm_castsi128_ps(_mm_loadu_si128((const __m128i *)(p + 16)));
		__m128 q2 = _mm_castsi128_ps(_mm_loadu_si128((const __m128i *)(p + 32)));
		__m128 q3 = _mm_castsi128_ps(_mm_loadu_si128((const __m128i *)(p + 48)));
		/* the entries: even u32 lanes of the pairs */
		__m128i e0 = _mm_castps_si128(_mm_shuffle_ps(q0, q1, _MM_SHUFFLE(2, 0, 2, 0)));
		__m128i e1 = _mm_castps_si128(_mm_shuffle_ps(q2, q3, _MM_SHUFFLE(2, 0, 2, 0)));
		uint32_t gt0 = (uint32_t)_mm_movemask_ps(
			_mm_castsi128_ps(_mm_cmpgt_epi32(_mm_xor_si128(e0, bias), vx)));
		uint32_t gt1 = (uint32_t)_mm_movemask_ps(
			_mm_castsi128_ps(_mm_cmpgt_epi32(_mm_xor_si128(e1, bias), vx)));

		return (uint32_t)__builtin_ctz(gt0 | gt1 << 4 | ~0u << n);
	}
#endif
	if (t->fieldsz == 4)
		for (k = 0; k < n; k++)
			c += base + elf_rd32(p + 8 * (uint64_t)k) <= pc;
	else
		for (k = 0; k < n; k++)
			c += base + elf_rd64(p + 16 * (uint64_t)k) <= pc;
	return c;
}

/*
 * Where pc's function lies: [*lo, *lo + *n), with entry(*lo) <= pc; the
 * buckets' range (no buckets without memory: the whole table). -ENOENT
 * when pc is outside the text.
 */
int pcln_find_range(const struct pclntab *t, uint64_t pc, uint32_t *lo, uint32_t *n)
{
	const struct pcln_buckets *b;

	if (pc < pcln_entry_at(t, 0) || pc >= pcln_entry_at(t, t->nfunc))
		return -ENOENT;
	*lo = 0;
	*n = t->nfunc;
	b = buckets(t);
	if (b) {
		/* pc - base < range, so the bucket is < n and idx[k + 1] exists. */
		uint64_t k = (pc - b->base) >> b->shift;

		*lo = b->idx[k];
		*n = b->idx[k + 1] - *lo + 1; /* idx[] never decreases */
	}
	return 0;
}

/* The bucket entry pcln_find_range will read for pc (a prefetch hint; NULL: none yet). */
const void *pcln_bucket_of(const struct pclntab *t, uint64_t pc)
{
	const struct pcln_buckets *b = __atomic_load_n(&t->buckets, __ATOMIC_ACQUIRE);

	if (!b || pc < b->base || ((pc - b->base) >> b->shift) >= b->n)
		return NULL;
	return &b->idx[(pc - b->base) >> b->shift];
}

/*
 * The last function of [lo, lo + n) whose entry is <= pc: entries are
 * sorted, so those <= pc after lo are a prefix and counting them finds the
 * answer. A range too long to scan is halved first, branch-free (the
 * comparison becomes a conditional move: random pcs would mispredict a
 * branch every other step).
 */
uint32_t pcln_find_in(const struct pclntab *t, uint64_t pc, uint32_t lo, uint32_t n)
{
	/* Invariant: entry(lo) <= pc and the answer lies in [lo, lo + n). */
	while (n > 32) {
		uint32_t half = n / 2;

		lo = pcln_entry_at(t, lo + half) <= pc ? lo + half : lo;
		n -= half;
	}
	return lo + count_le(t, lo + 1, n - 1, pc);
}

/* The last function whose entry is <= pc: the runtime's findfunc. */
int pcln_find_index(const struct pclntab *t, uint64_t pc, uint32_t *idx)
{
	uint32_t lo, n;
	int err = pcln_find_range(t, pc, &lo, &n);

	if (!err)
		*idx = pcln_find_in(t, pc, lo, n);
	return err;
}

/*
 * Prefetch hints for a batch (pclntab_batch.c): the functab entries from
 * lo on, and function i's record. Never dereferenced past the checks.
 */
void pcln_prefetch_entries(const struct pclntab *t, uint32_t lo)
{
	if (lo < t->nfunc)
		__builtin_prefetch(t->data + t->functab + (uint64_t)lo * 2 * t->fieldsz);
}

void pcln_prefetch_record(const struct pclntab *t, uint32_t i)
{
	uint64_t off;

	if (i >= t->nfunc)
		return;
	off = t->funcbase + pcln_functab_field(t, 2 * (uint64_t)i + 1);
	if (off < t->size)
		__builtin_prefetch(t->data + off);
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
		.name = name ? name : pcln_unknown,
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
