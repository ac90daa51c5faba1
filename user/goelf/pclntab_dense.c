// SPDX-License-Identifier: GPL-2.0
/*
 * Decoded pc tables: each function's file, line and inline-index tables,
 * decoded on the first lookup in the function into sorted run ends, so the
 * next lookups search a small array instead of walking varints from the
 * entry. A walk is a chain of dependent loads with a branch on every byte
 * (~20 steps per lookup in real binaries, a quarter of them two-byte
 * varints); the search is one pass of independent compares.
 *
 * Per function (struct pcln_dfunc, then its arrays): the name offset and
 * the inline tree's address, so a lookup never touches the _func record
 * (one cache miss fewer on random pcs); for each table its run ends
 * (offsets from the entry: 16-bit, 32-bit in functions past 64 KiB, whose
 * long tables are searched in halves first); the file runs hold the file
 * name's offset in the table (the CU's file row read once, here), the line
 * runs a 16-bit delta from the function's first line, the inline runs the
 * tree index. A function these do not fit (lines spread past +-32K, more
 * than 65535 runs, a corrupt table) is marked and keeps the walk, which
 * answers exactly as before (errors too).
 *
 * buf 1.75.0 (58,519 functions): 1.49M runs, 8.7 MiB decoded (with the
 * per-function slots), against a 17.5 MiB table; bench/symbolize.sh, result
 * cache off: 232 -> 120 ns per random pc, 136 -> 70 ns per repeating one
 * (since then, with the branch-free searches and LTO: 90-100 and 45). The decoded bytes are
 * capped at half the table's size, so gotrace's memory stays under twice the table (the issue's
 * bound); past the cap, functions keep the walk.
 *
 * Concurrency as the rest of the table: readers take a published function
 * with an acquire load; decoding is under a mutex, into chunks that never
 * move.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "goelf/pclntab_int.h"

#define CHUNK_BYTES (256u << 10)
#define CHUNK_SLACK 32	    /* runs_le16 reads 16 ends at once: past a function's last end */
#define MAX_RUNS UINT16_MAX /* per table (the counts are 16-bit) */
#define NO_FILE UINT32_MAX

struct pcln_dfunc {
	uint32_t nameoff;
	int32_t line_base;
	const uint8_t *tree; /* FUNCDATA_InlTree in the mapped file, NULL: none */
	uint32_t tree_avail; /* its bytes there (capped: what an index can reach) */
	uint32_t bytes;	     /* of this header and its arrays (dfunc_size) */
	uint16_t nfile, nline, ninl;
	uint16_t absent; /* DF_* of the tables a walk calls absent (-ENOENT at once) */
	/* ends: fend[nfile], lend[nline], iend[ninl] (uint16_t, uint32_t with DF_WIDE);
	 * (4-aligned) uint32_t foff[nfile]; int16_t ldelta[nline], ival[ninl] */
};

#define DF_NO_INL 1u /* no inline-index table: every lookup says -1 */
#define DF_WIDE 2u   /* text past 64 KiB: 32-bit run ends */

/* A slot's state besides a published pointer. */
#define DF_WALK ((struct pcln_dfunc *)1) /* not decodable: keep walking */

struct chunk {
	struct chunk *next;
	size_t used, cap;
	uint8_t bytes[];
};

/* One table's runs while decoding. */
struct runs {
	uint16_t n;
	uint32_t end[MAX_RUNS];
	int32_t val[MAX_RUNS];
};

struct pcln_dense {
	pthread_mutex_t lock;
	struct runs scratch[3]; /* file, line, inline runs of the function being decoded */
	size_t bytes, cap;	/* decoded so far; the cap */
	struct chunk *chunks;
	struct pcln_dfunc *fn[]; /* nfunc slots: NULL (not yet), DF_WALK, or the decoding */
};

static struct pcln_dense *dense_new(const struct pclntab *t)
{
	struct pcln_dense *d = calloc(1, sizeof(*d) + (size_t)t->nfunc * sizeof(d->fn[0]));

	if (!d)
		return NULL;
	pthread_mutex_init(&d->lock, NULL);
	d->cap = t->size / 2;
	return d;
}

void pcln_dense_free(struct pcln_dense *d)
{
	struct chunk *c, *next;

	if (!d)
		return;
	for (c = d->chunks; c; c = next) {
		next = c->next;
		free(c);
	}
	pthread_mutex_destroy(&d->lock);
	free(d);
}

/* Built once; a thread that loses the publication race frees its copy. */
static struct pcln_dense *__attribute__((noinline)) dense_build(const struct pclntab *t)
{
	struct pcln_dense **slot = (struct pcln_dense **)&t->dense;
	struct pcln_dense *d = dense_new(t), *expected = NULL;

	if (!d)
		return NULL;
	if (!__atomic_compare_exchange_n(slot, &expected, d, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		pcln_dense_free(d);
		return expected;
	}
	return d;
}

/* The decoded tables, built on first use; NULL when off (or without memory). */
static inline __attribute__((always_inline)) struct pcln_dense *dense(const struct pclntab *t)
{
	struct pcln_dense *d;

	if (__atomic_load_n(&t->dense_off, __ATOMIC_RELAXED))
		return NULL;
	d = __atomic_load_n(&t->dense, __ATOMIC_ACQUIRE);
	return d ? d : dense_build(t);
}

/* n bytes (8-aligned) that stay put; NULL past the cap or without memory. Under d->lock. */
static void *arena_alloc(struct pcln_dense *d, size_t n)
{
	struct chunk *c = d->chunks;

	n = (n + 7) & ~(size_t)7;
	if (d->bytes + n > d->cap)
		return NULL;
	if (n > CHUNK_BYTES / 4) { /* a huge function: a chunk of its own, behind the current */
		struct chunk *big = calloc(1, sizeof(*big) + n + CHUNK_SLACK);

		if (!big)
			return NULL;
		big->used = big->cap = n;
		if (c) {
			big->next = c->next;
			c->next = big;
		} else {
			d->chunks = big;
		}
		d->bytes += n;
		return big->bytes;
	}
	if (!c || c->cap - c->used < n) {
		c = calloc(1, sizeof(*c) + CHUNK_BYTES + CHUNK_SLACK);
		if (!c)
			return NULL;
		c->next = d->chunks;
		c->used = 0;
		c->cap = CHUNK_BYTES;
		d->chunks = c;
	}
	c->used += n;
	d->bytes += n;
	return c->bytes + c->used - n;
}

static int add_run(void *ctx, uint64_t end, int32_t value)
{
	struct runs *r = ctx;

	if (r->n == MAX_RUNS || end > UINT32_MAX)
		return -E2BIG;
	r->end[r->n] = (uint32_t)end;
	r->val[r->n++] = value;
	return 0;
}

/* The runs of one table; -ENOENT (absent) leaves none. */
static int table_runs(const struct pclntab *t, const struct pcln_rec *rec, uint32_t off,
		      struct runs *out)
{
	int err;

	out->n = 0;
	err = pcln_pcvalue_runs(t, rec, off, add_run, out);
	return err == -ENOENT ? 0 : err;
}

static size_t dfunc_size(uint16_t nf, uint16_t nl, uint16_t ni, bool wide)
{
	size_t ends = sizeof(struct pcln_dfunc) + (wide ? 4 : 2) * ((size_t)nf + nl + ni);

	return ((ends + 3) & ~(size_t)3) + 4 * (size_t)nf + 2 * ((size_t)nl + ni);
}

/* The arrays behind a dfunc, in the order dfunc_size counts them. */
struct dview {
	const void *fend, *lend, *iend; /* uint16_t, or uint32_t with DF_WIDE */
	const uint32_t *foff;
	const int16_t *ldelta, *ival;
};

static inline __attribute__((always_inline)) struct dview view(const struct pcln_dfunc *f)
{
	const uint8_t *p = (const uint8_t *)(f + 1);
	size_t es = f->absent & DF_WIDE ? 4 : 2;
	size_t ends = sizeof(*f) + es * ((size_t)f->nfile + f->nline + f->ninl);
	const uint8_t *vals = (const uint8_t *)f + ((ends + 3) & ~(size_t)3);
	struct dview v;

	v.fend = p;
	v.lend = p + es * f->nfile;
	v.iend = p + es * ((size_t)f->nfile + f->nline);
	v.foff = (const uint32_t *)vals;
	v.ldelta = (const int16_t *)(v.foff + f->nfile);
	v.ival = v.ldelta + f->nline;
	return v;
}

/* One table's run ends into place, 16- or 32-bit. */
static void put_ends(const void *dst, const struct runs *r, bool wide)
{
	for (uint16_t k = 0; k < r->n; k++) {
		if (wide)
			((uint32_t *)dst)[k] = r->end[k];
		else
			((uint16_t *)dst)[k] = (uint16_t)r->end[k];
	}
}

/* The three tables of function i, decoded; NULL when they do not fit (the walk stays). */
static struct pcln_dfunc *decode(const struct pclntab *t, struct pcln_dense *d, uint32_t i,
				 struct runs *rf, struct runs *rl, struct runs *ri)
{
	uint32_t inl_off = 0;
	const uint8_t *tree;
	bool wide;
	struct pcln_dfunc *f;
	uint64_t avail = 0;
	struct pcln_rec rec;
	struct dview v;
	size_t size;
	int32_t base;
	uint16_t k;

	if (pcln_rec_load(t, i, &rec) || rec.end - rec.entry > UINT32_MAX)
		return NULL;
	wide = rec.end - rec.entry > UINT16_MAX;
	if (t->pcdata_inl < rec.npcdata) /* pcln_rec_load checked pcdata[] */
		inl_off = elf_rd32(rec.p + rec.fixed + 4 * t->pcdata_inl);
	if (table_runs(t, &rec, rec.pcfile, rf) || table_runs(t, &rec, rec.pcln, rl) ||
	    table_runs(t, &rec, inl_off, ri))
		return NULL;
	base = rl->n ? rl->val[0] : 0;
	for (k = 0; k < rl->n; k++)
		if (rl->val[k] - (int64_t)base < INT16_MIN ||
		    rl->val[k] - (int64_t)base > INT16_MAX)
			return NULL;
	for (k = 0; k < ri->n; k++)
		if (ri->val[k] < INT16_MIN || ri->val[k] > INT16_MAX)
			return NULL;
	size = dfunc_size(rf->n, rl->n, ri->n, wide);
	f = arena_alloc(d, size);
	if (!f)
		return NULL;
	tree = pcln_funcdata(t, &rec, t->funcdata_inl, &avail);
	*f = (struct pcln_dfunc){.nameoff = rec.nameoff,
				 .line_base = base,
				 .tree = tree,
				 .tree_avail = avail > UINT32_MAX ? UINT32_MAX : (uint32_t)avail,
				 .bytes = (uint32_t)size,
				 .nfile = rf->n,
				 .nline = rl->n,
				 .ninl = ri->n,
				 .absent = (inl_off ? 0 : DF_NO_INL) | (wide ? DF_WIDE : 0)};
	v = view(f);
	put_ends(v.fend, rf, wide);
	put_ends(v.lend, rl, wide);
	put_ends(v.iend, ri, wide);
	for (k = 0; k < rf->n; k++) {
		const char *name = pcln_file(t, &rec, rf->val[k]);

		((uint32_t *)v.foff)[k] = name ? (uint32_t)(name - (const char *)t->data) : NO_FILE;
	}
	for (k = 0; k < rl->n; k++)
		((int16_t *)v.ldelta)[k] = (int16_t)(rl->val[k] - base);
	for (k = 0; k < ri->n; k++)
		((int16_t *)v.ival)[k] = (int16_t)ri->val[k];
	return f;
}

/* Decodes function i under the lock (another thread may have meanwhile). */
static const struct pcln_dfunc *decode_slot(const struct pclntab *t, struct pcln_dense *d,
					    uint32_t i)
{
	struct pcln_dfunc *f;

	pthread_mutex_lock(&d->lock);
	f = __atomic_load_n(&d->fn[i], __ATOMIC_ACQUIRE);
	if (!f) {
		f = decode(t, d, i, &d->scratch[0], &d->scratch[1], &d->scratch[2]);
		/* Does not fit, no memory, or past the cap: this function keeps the walk, for good.
		 */
		if (!f)
			f = DF_WALK;
		__atomic_store_n(&d->fn[i], f, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&d->lock);
	return f == DF_WALK ? NULL : f;
}

const struct pcln_dfunc *pcln_dense_get(const struct pclntab *t, uint32_t i)
{
	struct pcln_dense *d;
	struct pcln_dfunc *f;

	/* go1.9-1.11 inline trees are walked by parent index, with the file and line of
	 * each call site in the tree: not worth a second path. */
	if (i >= t->nfunc || (t->fmt == PCLNTAB_GO12 && t->go12_old))
		return NULL;
	d = dense(t);
	if (!d)
		return NULL;
	f = __atomic_load_n(&d->fn[i], __ATOMIC_ACQUIRE);
	if (f)
		return f == DF_WALK ? NULL : f;
	return decode_slot(t, d, i);
}

void pcln_dense_prefetch_slot(const struct pclntab *t, uint32_t i)
{
	struct pcln_dense *d = dense(t);

	if (d && i < t->nfunc)
		__builtin_prefetch(&d->fn[i]);
}

void pcln_dense_prefetch(const struct pclntab *t, uint32_t i)
{
	struct pcln_dense *d = __atomic_load_n(&t->dense, __ATOMIC_ACQUIRE);
	const struct pcln_dfunc *f;

	if (!d || __atomic_load_n(&t->dense_off, __ATOMIC_RELAXED) || i >= t->nfunc) {
		pcln_prefetch_record(t, i);
		return;
	}
	f = __atomic_load_n(&d->fn[i], __ATOMIC_ACQUIRE);
	if (!f || f == DF_WALK) {
		pcln_prefetch_record(t, i); /* decoded from it, or walked */
		return;
	}
	/* The header and the run ends: ~140 bytes for a typical function. */
	__builtin_prefetch(f);
	__builtin_prefetch((const uint8_t *)f + 64);
	__builtin_prefetch((const uint8_t *)f + 128);
}

void pcln_dense_prefetch_rest(const struct pclntab *t, uint32_t i)
{
	struct pcln_dense *d = __atomic_load_n(&t->dense, __ATOMIC_ACQUIRE);
	const struct pcln_dfunc *f;
	uint32_t at;

	if (!d || i >= t->nfunc)
		return;
	f = __atomic_load_n(&d->fn[i], __ATOMIC_ACQUIRE);
	if (!f || f == DF_WALK)
		return;
	/* Past the three lines pcln_dense_prefetch took: a long function's values. */
	for (at = 192; at < f->bytes && at < 1024; at += 64)
		__builtin_prefetch((const uint8_t *)f + at);
	/* Inline trees are a few 16-byte entries: the first two lines hold most. */
	if (f->ninl && f->tree) {
		__builtin_prefetch(f->tree);
		__builtin_prefetch(f->tree + 64);
	}
}

uint32_t pcln_dense_nameoff(const struct pcln_dfunc *f)
{
	return f->nameoff;
}

const uint8_t *pcln_dense_tree(const struct pcln_dfunc *f, uint64_t *avail)
{
	*avail = f->tree_avail;
	return f->tree;
}

/*
 * Runs whose end is <= x: the index of the run holding x (n: past the
 * last). Ends never decrease (a walk's pc only moves up), so the ends <= x
 * are a prefix. A long table (a huge function) is first narrowed to 16
 * ends by a branch-free binary search; the last 16 (or fewer) are compared
 * at once, and the first lane with an end > x is the answer. No branch
 * depends on x: a loop over blocks mispredicted its exit on random pcs
 * (hot lookups 58 -> 53 ns in buf). SSE2 compares signed lanes: both sides
 * biased by the sign bit keep the unsigned order. The loads read past the
 * window (into the function's next array, or the chunk's slack), and
 * those lanes count as > x.
 */
#define NARROW 16

/* Keeps [p, p + n) around the answer while n > NARROW: the ends before p are all <= x. */
#define NARROW_HALVES(p, n, x)                                                                     \
	while ((n) > NARROW) {                                                                     \
		uint32_t half_ = (n) / 2;                                                          \
                                                                                                   \
		(p) = (p)[half_ - 1] <= (x) ? (p) + half_ : (p);                                   \
		(n) -= half_;                                                                      \
	}

static inline uint32_t runs_le16(const uint16_t *end, uint32_t n, uint32_t x)
{
	const uint16_t *p = end;

	NARROW_HALVES(p, n, x);
#ifdef __SSE2__
	const __m128i bias = _mm_set1_epi16((short)0x8000);
	const __m128i vx = _mm_xor_si128(_mm_set1_epi16((short)x), bias);
	__m128i lo = _mm_xor_si128(_mm_loadu_si128((const __m128i *)p), bias);
	__m128i hi = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(p + 8)), bias);
	/* bit k: lane k's end > x (the 16-bit all-ones lanes packed to bytes) */
	uint32_t gt = (uint32_t)_mm_movemask_epi8(
		_mm_packs_epi16(_mm_cmpgt_epi16(lo, vx), _mm_cmpgt_epi16(hi, vx)));

	return (uint32_t)(p - end) + (uint32_t)__builtin_ctz(gt | ~0u << n);
#else
	uint32_t k = 0;

	while (k < n && p[k] <= x)
		k++;
	return (uint32_t)(p - end) + k;
#endif
}

static inline uint32_t runs_le32(const uint32_t *end, uint32_t n, uint32_t x)
{
	const uint32_t *p = end;
	uint32_t k = 0;

	NARROW_HALVES(p, n, x);
	while (k < n && p[k] <= x) /* huge functions only: plain */
		k++;
	return (uint32_t)(p - end) + k;
}

static inline uint32_t runs_le(const struct pcln_dfunc *f, const void *end, uint32_t n, uint32_t x)
{
	return f->absent & DF_WIDE ? runs_le32(end, n, x) : runs_le16(end, n, x);
}

int pcln_dense_frame_at(const struct pclntab *t, const struct pcln_dfunc *f, uint64_t off,
			const char **file, int32_t *line, int32_t *idx)
{
	struct dview v = view(f);
	uint32_t x = off > UINT32_MAX ? UINT32_MAX : (uint32_t)off;
	uint32_t kf = runs_le(f, v.fend, f->nfile, x), kl = runs_le(f, v.lend, f->nline, x);

	*file = pcln_unknown;
	*line = 0;
	if (idx) {
		uint32_t ki = runs_le(f, v.iend, f->ninl, x);

		*idx = (f->absent & DF_NO_INL) || ki == f->ninl ? -1 : v.ival[ki];
	}
	/* As pcln_file_line: a table that ends before pc (or is absent) says "?" and 0. */
	if (kf == f->nfile || kl == f->nline || v.foff[kf] == NO_FILE)
		return 0;
	if (f->line_base + v.ldelta[kl] < 0)
		return 0;
	*file = (const char *)t->data + v.foff[kf];
	*line = f->line_base + v.ldelta[kl];
	return 0;
}

size_t pclntab__dense_bytes(const struct pclntab *t)
{
	struct pcln_dense *d = __atomic_load_n(&t->dense, __ATOMIC_ACQUIRE);
	size_t n;

	if (!d)
		return 0;
	pthread_mutex_lock(&d->lock);
	n = d->bytes;
	pthread_mutex_unlock(&d->lock);
	return n + (size_t)t->nfunc * sizeof(d->fn[0]);
}

void pclntab__set_dense(struct pclntab *t, bool on)
{
	__atomic_store_n(&t->dense_off, !on, __ATOMIC_RELAXED);
}
