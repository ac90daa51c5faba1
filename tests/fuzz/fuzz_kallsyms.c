// SPDX-License-Identifier: GPL-2.0
/* /proc/kallsyms parser and lookups on arbitrary text. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sym/ksyms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_sym(const struct ksyms *ks, const struct ksym *k)
{
	const struct ksym *f;
	uint64_t off = 1;

	if (!ksyms__hidden(ks)) {
		f = ksyms__map_addr(ks, k->addr, &off);
		if (!f || f->addr != k->addr || off != 0)
			abort();
		f = ksyms__map_addr(ks, k->addr + 1, &off);
		if (f && off != k->addr + 1 - f->addr)
			abort();
	}
	f = ksyms__get_symbol(ks, k->name, k->module);
	if (!f || strcmp(f->name, k->name))
		abort();
	if (k->module && (!f->module || strcmp(f->module, k->module)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ksyms *ks;

	if (ksyms__parse((const char *)data, size, &ks))
		return 0;
	for (size_t i = 0; i < ksyms__count(ks) && i < 256; i++) {
		const struct ksym *k = ksyms__get(ks, i);

		if (i && ksyms__get(ks, i - 1)->addr > k->addr)
			abort();
		check_sym(ks, k);
	}
	(void)ksyms__map_addr(ks, 0, NULL);
	(void)ksyms__map_addr(ks, UINT64_MAX, NULL);
	ksyms__free(ks);
	return 0;
}
