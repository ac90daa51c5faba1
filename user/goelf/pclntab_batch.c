// SPDX-License-Identifier: GPL-2.0
/*
 * Many pcs at once: a stack, a stream of addresses. One lookup is a chain
 * of dependent loads (the result cache's slot, the pc's bucket, the
 * function table's entries, the function's decoded-tables slot, its runs,
 * its inline tree), and for pcs spread over a large binary most of them
 * miss the caches: one pc at a time, those misses come one after another.
 * Here each step is taken for a group of pcs before the next, with a
 * prefetch of what the next step reads, so a group's misses overlap
 * instead ("group prefetching"). Every answer is pclntab__symbolize's for
 * that pc: the same functions compute it, only the order of the loads
 * changes. bench/symbolize.sh, random pcs of buf 1.75.0: 90-100 ns one at
 * a time, 56-60 ns in groups of 16 (8 and 32 measured no better; nor did a
 * software pipeline taking each pc's next step a fixed 2-6 pcs later).
 * With the data all cached a lookup still costs ~45 ns: what is left is
 * instructions (~680 per pc, callgrind), not misses.
 */
#include "goelf/pclntab_int.h"

#define GROUP 16 /* pcs in flight: enough misses to overlap, few enough to stay cached */

int pclntab__symbolize_many(const struct pclntab *t, const uint64_t *pcs, size_t n,
			    struct pcln_frame *frames, size_t max, int *counts)
{
	for (size_t base = 0; base < n; base += GROUP) {
		size_t m = n - base < GROUP ? n - base : GROUP, j;
		uint32_t lo[GROUP], cnt[GROUP], idx[GROUP];
		const uint64_t *pc = pcs + base;
		int *res = counts + base;
		bool todo[GROUP];

		for (j = 0; j < m; j++) {
			const void *b = pcln_bucket_of(t, pc[j]);

			if (b)
				__builtin_prefetch(b);
		}
		for (j = 0; j < m; j++) {
			res[j] = pcln_cache_get(t, pc[j], frames + (base + j) * max, max);
			todo[j] = res[j] <= 0;
			if (todo[j]) {
				res[j] = pcln_find_range(t, pc[j], &lo[j], &cnt[j]);
				todo[j] = res[j] == 0;
			}
			if (todo[j])
				pcln_prefetch_entries(t, lo[j]);
		}
		for (j = 0; j < m; j++)
			if (todo[j]) {
				idx[j] = pcln_find_in(t, pc[j], lo[j], cnt[j]);
				pcln_dense_prefetch_slot(t, idx[j]);
			}
		for (j = 0; j < m; j++)
			if (todo[j])
				pcln_dense_prefetch(t, idx[j]);
		for (j = 0; j < m; j++)
			if (todo[j])
				pcln_dense_prefetch_rest(t, idx[j]);
		for (j = 0; j < m; j++)
			if (todo[j])
				res[j] = pcln_symbolize_at(t, idx[j], pc[j],
							   frames + (base + j) * max, max);
	}
	return 0;
}
