/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fast paths of the symbolizer on real binaries, included by
 * test_pclntab.c after pclntab_real.h (same binaries):
 *  - pc → function (buckets and a counted scan) against the function table
 *    read entry by entry: every function's first and last byte, the byte
 *    before the first function and the end of the last one;
 *  - the result cache: with it on, each pc twice (a miss, then a hit) and
 *    with less room, against the answers with it off;
 *  - the cache under concurrent callers: threads symbolizing the same pcs
 *    (more than there are slots, so slots are rewritten while read) must
 *    all get the answers computed without it;
 *  - the decoded tables (pclntab_dense.c) against the walks of the encoded
 *    ones: every function's first and last byte and 8 pcs inside (1998 in
 *    functions past 64 KiB), decoded during the check; and decoded by the
 *    threads above, concurrently;
 *  - pclntab__symbolize_many against pclntab__symbolize pc by pc, pcs
 *    outside the text among them, with room for 16 frames and for 1.
 */
#include <pthread.h>

/* One pc's answer, flattened so that answers compare with memcmp-free loops. */
struct answer {
	int n;
	struct pcln_frame fr[16];
};

static void answer_at(const struct pclntab *t, uint64_t pc, size_t max, struct answer *a)
{
	a->n = pclntab__symbolize(t, pc, a->fr, max);
}

static bool same_answer(const struct answer *a, const struct answer *b, size_t max)
{
	int j;

	if (a->n != b->n)
		return false;
	for (j = 0; j < a->n && (size_t)j < max && j < 16; j++)
		/* Strings point into the same mapping: the same answer is the same pointer. */
		if (a->fr[j].func != b->fr[j].func || a->fr[j].file != b->fr[j].file ||
		    a->fr[j].line != b->fr[j].line || a->fr[j].inlined != b->fr[j].inlined)
			return false;
	return true;
}

static void check_find_func(const struct real_bin *b, const struct pclntab *t)
{
	size_t i, nf = pclntab__nfuncs(t);
	struct pcln_func f, g, last;

	for (i = 0; i < nf; i++) {
		assert_int_equal(pclntab__func_at(t, i, &f), 0);
		if (f.end <= f.entry)
			continue; /* empty: its entry belongs to the next function */
		assert_int_equal(pclntab__find_func(t, f.entry, &g), 0);
		assert_int_equal(g.index, i);
		assert_int_equal(pclntab__find_func(t, f.end - 1, &g), 0);
		assert_int_equal(g.index, i);
	}
	assert_int_equal(pclntab__func_at(t, 0, &f), 0);
	assert_int_equal(pclntab__find_func(t, f.entry - 1, &g), -ENOENT);
	assert_int_equal(pclntab__func_at(t, nf - 1, &last), 0);
	assert_int_equal(pclntab__find_func(t, last.end, &g), -ENOENT);
	printf("pclntab: %s: pc -> function right at both ends of all %zu functions\n", b->label,
	       nf);
}

static void check_cache(const struct real_bin *b, struct pclntab *t)
{
	struct answer off, on, again, small;
	size_t n, k, bad = 0;
	uint64_t *pcs;

	n = sample_pcs(t, &pcs);
	for (k = 0; k < n; k++) {
		pclntab__set_cache(t, false);
		answer_at(t, pcs[k], 16, &off);
		pclntab__set_cache(t, true);
		answer_at(t, pcs[k], 16, &on);
		answer_at(t, pcs[k], 16, &again);
		answer_at(t, pcs[k], 1, &small);
		if (!same_answer(&off, &on, 16) || !same_answer(&off, &again, 16) ||
		    !same_answer(&off, &small, 1))
			bad++;
	}
	printf("pclntab: %s: %zu pcs with the cache on vs off: %zu differ\n", b->label, n, bad);
	assert_int_equal(bad, 0);
	free(pcs);
}

static void check_dense(const struct real_bin *b, struct pclntab *t)
{
	size_t i, k, nf = pclntab__nfuncs(t), n = 0, bad = 0;
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	struct answer walk, dense;
	struct pcln_func f;

	pclntab__set_cache(t, false);
	for (i = 0; i < nf; i++) {
		assert_int_equal(pclntab__func_at(t, i, &f), 0);
		/* Past 64 KiB (32-bit ends, long tables searched in halves): many more pcs. */
		size_t per = f.end - f.entry > 0xffff ? 2000 : 10;

		for (k = 0; k < per && f.end > f.entry; k++) {
			uint64_t pc = k == 0 ? f.entry : k == 1 ? f.end - 1 : 0;

			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			if (k > 1)
				pc = f.entry + x % (f.end - f.entry);
			pclntab__set_dense(t, false);
			answer_at(t, pc, 16, &walk);
			pclntab__set_dense(t, true);
			answer_at(t, pc, 16, &dense);
			if (!same_answer(&walk, &dense, 16) &&
			    bad < 5) /* the first few, to debug */
				printf("  differs at 0x%llx in %s: walked %d frames %s:%d, decoded "
				       "%d frames %s:%d\n",
				       (unsigned long long)pc, f.name, walk.n,
				       walk.n > 0 ? walk.fr[0].file : "-",
				       walk.n > 0 ? walk.fr[0].line : 0, dense.n,
				       dense.n > 0 ? dense.fr[0].file : "-",
				       dense.n > 0 ? dense.fr[0].line : 0);
			bad += !same_answer(&walk, &dense, 16);
			n++;
		}
	}
	pclntab__set_cache(t, true);
	printf("pclntab: %s: %zu pcs of %zu functions, decoded tables vs walks: %zu differ\n",
	       b->label, n, nf, bad);
	assert_int_equal(bad, 0);
}

static void check_many(const struct real_bin *b, struct pclntab *t)
{
	struct pcln_frame *fr;
	size_t n, k, bad = 0, room;
	struct answer one;
	uint64_t *pcs;
	int *counts;

	n = sample_pcs(t, &pcs);
	pcs[0] = 0;				 /* before the text */
	pcs[n - 1] = pclntab__text_start(t) - 1; /* and right before it */
	fr = malloc(n * 16 * sizeof(*fr));
	counts = malloc(n * sizeof(*counts));
	assert_non_null(fr);
	assert_non_null(counts);
	for (room = 1; room <= 16; room += 15) {
		assert_int_equal(pclntab__symbolize_many(t, pcs, n, fr, room, counts), 0);
		for (k = 0; k < n; k++) {
			struct answer many = {.n = counts[k]};

			memcpy(many.fr, fr + k * room, room * sizeof(*fr));
			answer_at(t, pcs[k], room, &one);
			bad += !same_answer(&one, &many, room);
		}
	}
	printf("pclntab: %s: %zu pcs through pclntab__symbolize_many (room 16, then 1): %zu "
	       "differ\n",
	       b->label, n, bad);
	assert_int_equal(bad, 0);
	free(counts);
	free(fr);
	free(pcs);
}

struct cache_thread {
	const struct pclntab *t;
	const uint64_t *pcs;
	const struct answer *want;
	size_t n, start, bad;
};

static void *cache_worker(void *arg)
{
	struct cache_thread *c = arg;
	struct answer got;
	size_t r, k;

	for (r = 0; r < 4; r++)
		for (k = 0; k < c->n; k++) {
			size_t i = (c->start + k * 7919) % c->n; /* each thread its own order */

			answer_at(c->t, c->pcs[i], 16, &got);
			c->bad += !same_answer(&c->want[i], &got, 16);
		}
	return NULL;
}

static void check_cache_threads(const struct real_bin *b, struct pclntab *t)
{
	struct cache_thread th[4];
	pthread_t tid[4];
	struct answer *want;
	size_t n, k, bad = 0;
	uint64_t *pcs;

	n = sample_pcs(t, &pcs);
	want = malloc(n * sizeof(*want));
	assert_non_null(want);
	/* Walked answers; the threads then decode the tables as they race through the cache. */
	pclntab__set_cache(t, false);
	pclntab__set_dense(t, false);
	for (k = 0; k < n; k++)
		answer_at(t, pcs[k], 16, &want[k]);
	pclntab__set_cache(t, true);
	pclntab__set_dense(t, true);
	for (k = 0; k < 4; k++) {
		th[k] = (struct cache_thread){t, pcs, want, n, k * n / 4, 0};
		assert_int_equal(pthread_create(&tid[k], NULL, cache_worker, &th[k]), 0);
	}
	for (k = 0; k < 4; k++) {
		pthread_join(tid[k], NULL);
		bad += th[k].bad;
	}
	printf("pclntab: %s: 4 threads x 4 rounds x %zu pcs through the cache and decoding: %zu "
	       "wrong\n",
	       b->label, n, bad);
	assert_int_equal(bad, 0);
	free(want);
	free(pcs);
}

/* The largest binary: the most functions, so the most slot collisions. */
static size_t largest_bin(void)
{
	size_t i, best = 0;
	struct stat st, bst;

	for (i = 0; i < R.nbins; i++)
		if (stat(R.bins[i].path, &st) == 0 &&
		    (stat(R.bins[best].path, &bst) != 0 || st.st_size > bst.st_size))
			best = i;
	return best;
}

static void test_real_fast_paths(void **state)
{
	size_t i, big;

	real_bins();
	big = largest_bin();
	for (i = 0; i < R.nbins; i++) {
		const struct real_bin *b = &R.bins[i];
		struct elf_file *ef;
		struct pclntab *t;

		assert_int_equal(elf_file__open(b->path, &ef), 0);
		assert_int_equal(pclntab__open(ef, &t), 0);
		check_find_func(b, t);
		check_cache(b, t);
		check_dense(b, t);
		check_many(b, t);
		pclntab__free(t);
		assert_int_equal(pclntab__open(ef, &t), 0); /* nothing decoded yet */
		if (i == big)
			check_cache_threads(b, t);
		pclntab__free(t);
		elf_file__free(ef);
	}
}
