/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_SYM_KSYMS_PRIV_H
#define GOTRACE_SYM_KSYMS_PRIV_H

#include "sym/ksyms.h"

/* Shared by ksyms.c (loading) and ksyms_find.c (lookups); not an API. */
struct ksyms {
	char *text;	/* a private copy of kallsyms; names point into it */
	struct ksym *v; /* by address */
	const struct ksym **by_name;
	size_t n;
	bool hidden;
};

#endif
