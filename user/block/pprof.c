// SPDX-License-Identifier: GPL-2.0
#include <errno.h>

#include "base/err.h"
#include "block/block.h"

int block_write_pprof(struct block_session *s, const struct block_report_full *rep,
		      const char *path)
{
	return err_fail(ENOTSUP, "--pprof: not written yet");
}
