// SPDX-License-Identifier: GPL-2.0
/* block --pprof / --folded: the run's totals as profiles. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "block/block.h"

/* "outermost;...;innermost count", the flame graph tools' input. */
static int write_folded(const struct block_report_full *rep, const char *path)
{
	FILE *f = fopen(path, "w");
	size_t i, j;

	if (!f)
		return err_fail(errno, "--folded %s: %s", path, strerror(errno));
	for (i = 0; i < rep->r.nrows; i++) {
		const struct block_row *row = &rep->r.rows[i];
		const struct block_stack *st = row->stack;

		if (!row->total.count || !st)
			continue;
		for (j = st->nframes; j-- > 0;) {
			const char *fn = st->frames[j].func;

			fprintf(f, "%s%s", fn ? fn : "?", j ? ";" : "");
		}
		fprintf(f, ";[%s] %llu\n", row->reason, (unsigned long long)row->total.total_ns);
	}
	if (fclose(f))
		return err_fail(errno, "--folded %s: %s", path, strerror(errno));
	return 0;
}

int block_write_outputs(struct block_session *s, const struct block_report_full *rep,
			const char *pprof_path, const char *folded_path)
{
	int err = 0;

	if (folded_path)
		err = write_folded(rep, folded_path);
	if (!err && pprof_path)
		err = block_write_pprof(s, rep, pprof_path);
	return err;
}
