/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_PROC_MAPS_PRIV_H
#define GOTRACE_PROC_MAPS_PRIV_H

#include "proc/maps.h"

/* Shared by maps.c (queries) and maps_parse.c (the parser); not an API. */
struct proc_maps {
	char *text; /* a private copy of the maps text; paths point into it */
	struct proc_map *v;
	size_t n;
};

#endif
