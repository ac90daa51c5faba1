/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_GOELF_DWARF_INT_H
#define GOTRACE_GOELF_DWARF_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "goelf/dwarf.h"

/* Shared between dwarf.c (sections) and dwarf_die.c (the DIE walk). */

struct dwarf_sec {
	const uint8_t *data;
	uint64_t len;
	uint8_t *owned; /* decompressed copy, freed with the dwarf */
};

struct dwarf {
	struct dwarf_sec info, abbrev, str, line_str;
};

#endif
