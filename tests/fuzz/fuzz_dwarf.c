// SPDX-License-Identifier: GPL-2.0
/*
 * The DWARF reader (goelf/dwarf*.c): the input is a little-endian u32
 * length, that many bytes of .debug_info, and the rest is .debug_abbrev.
 * The queries are gotrace's own (runtime.g, runtime.gobuf members).
 * Seeds (corpus/dwarf/): DWARF 4 and 5 units holding those structs, 32-
 * and 64-bit, as tests/fuzz/gen_dwarf_seeds.py writes them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "goelf/dwarf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dwarf_member g[4] = {{"goid", 0}, {"sched", 0}, {"atomicstatus", 0}, {"m", 0}};
	struct dwarf_member b[3] = {{"sp", 0}, {"pc", 0}, {"bp", 0}};
	uint8_t *info, *abbrev;
	struct dwarf *d;
	uint64_t sz;
	uint32_t ilen;

	if (size < 4)
		return 0;
	memcpy(&ilen, data, 4);
	if (ilen > size - 4)
		ilen = (uint32_t)(size - 4);
	/* Exact-size copies so ASan catches any read past either section. */
	info = malloc(ilen ? ilen : 1);
	abbrev = malloc(size - 4 - ilen ? size - 4 - ilen : 1);
	if (!info || !abbrev)
		goto out;
	memcpy(info, data + 4, ilen);
	memcpy(abbrev, data + 4 + ilen, size - 4 - ilen);
	if (dwarf__open_mem(info, ilen, abbrev, size - 4 - ilen, NULL, 0, &d))
		goto out;
	(void)dwarf__struct_layout(d, "runtime.g", &sz, g, 4);
	(void)dwarf__struct_layout(d, "runtime.gobuf", &sz, b, 3);
	dwarf__free(d);
out:
	free(info);
	free(abbrev);
	return 0;
}
