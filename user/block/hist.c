// SPDX-License-Identifier: GPL-2.0
#include "block/block.h"

/*
 * Bucket b of the in-kernel histogram holds [2^b, 2^(b+1)) ns; the quantile
 * is interpolated linearly inside its bucket, so it is exact to within a
 * factor of 2 and usually much closer. Capped by the recorded maximum.
 */
uint64_t block_hist_quantile(const struct block_site_stats *s, double q)
{
	uint64_t total = 0, seen = 0, target, lo, width;
	int b;

	for (b = 0; b < BLOCK_HIST_BUCKETS; b++)
		total += s->hist[b];
	if (!total)
		return 0;
	target = (uint64_t)(q * (double)total + 0.5);
	if (target < 1)
		target = 1;
	for (b = 0; b < BLOCK_HIST_BUCKETS; b++) {
		if (seen + s->hist[b] >= target) {
			lo = b ? 1ULL << b : 0;
			width = b ? 1ULL << b : 1;
			lo += (uint64_t)((double)width * (double)(target - seen) /
					 (double)s->hist[b]);
			return s->max_ns && lo > s->max_ns ? s->max_ns : lo;
		}
		seen += s->hist[b];
	}
	return s->max_ns;
}
