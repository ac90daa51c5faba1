// SPDX-License-Identifier: GPL-2.0
/*
 * block --pprof: the same sample types as Go's own block profile
 * (contentions/count, delay/nanoseconds), so `go tool pprof -top FILE` reads
 * it like a profile from runtime.SetBlockProfileRate. One sample per site;
 * the wait reason is not a frame (pprof has none for it): it stays in
 * --folded and the table.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "block/block.h"
#include "out/pprof.h"

static const char *const block_types[] = {"contentions", "count", "delay", "nanoseconds"};

static int add_row(struct pprof *p, const struct block_row *row)
{
	struct pprof_frame fr[BLOCK_MAX_FRAMES];
	int64_t vals[2] = {(int64_t)row->total.count, (int64_t)row->total.total_ns};
	size_t i, n = 0;

	if (!row->stack || !row->total.count)
		return 0;
	for (i = 0; i < row->stack->nframes; i++) {
		const struct sym_frame *f = &row->stack->frames[i];

		/* Like Go's profile, start at the blocking primitive, not the parking itself. */
		if (n == 0 && (!strcmp(f->func, "runtime.gopark") ||
			       !strcmp(f->func, "runtime.goparkunlock")))
			continue;
		fr[n++] = (struct pprof_frame){.pc = row->stack->pcs[i],
					       .function = f->func,
					       .file = f->file,
					       .line = f->line};
	}
	return pprof__add(p, fr, n, vals);
}

int block_write_pprof(struct block_session *s, const struct block_report_full *rep,
		      const char *path)
{
	struct pprof *p;
	struct timespec now;
	size_t i;
	int err = pprof__new(block_types, 2, &p);

	if (err)
		return err;
	pprof__set_period(p, "contentions", "count", 1);
	for (i = 0; i < rep->r.nrows && !err; i++)
		err = add_row(p, &rep->r.rows[i]);
	clock_gettime(CLOCK_REALTIME, &now);
	if (!err)
		err = pprof__write_gz(p, path,
				      (uint64_t)now.tv_sec * 1000000000ULL + now.tv_nsec -
					      rep->r.elapsed_ns,
				      rep->r.elapsed_ns);
	pprof__free(p);
	return err;
}
