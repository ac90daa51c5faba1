/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_SYM_KSYMS_PRIV_H
#define GOTRACE_SYM_KSYMS_PRIV_H

#include "sym/ksyms.h"

/* Shared by ksyms.c (loading) and ksyms_find.c (lookups); not an API. */
struct ksyms {
	char *text;	/* the names (and modules), NUL-terminated; v points into it */
	struct ksym *v; /* by address */
	const struct ksym **by_name;
	size_t n;
	bool hidden;
};

#endif
