// SPDX-License-Identifier: GPL-2.0
#include "live/sinkstore.h"

static void keep(void *ctx, const struct fact *f)
{
	struct sink_store *s = ctx;
	struct fact *copy = fact_clone(f);

	if (copy)
		fact_store__add(&s->fs, copy);
}

void sink_store__init(struct sink_store *s)
{
	*s = (struct sink_store){.sink = {.add = keep, .ctx = s}};
}

int sink_store__drain(struct sink_store *s, struct fact_store *dst)
{
	return fact_store__take(dst, &s->fs);
}

void sink_store__clear(struct sink_store *s)
{
	fact_store__clear(&s->fs);
}
