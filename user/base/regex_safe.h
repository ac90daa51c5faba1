/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_BASE_REGEX_SAFE_H
#define GOTRACE_BASE_REGEX_SAFE_H

#include <regex.h>

/*
 * regcomp for a pattern from the user, whose cost glibc does not bound
 * (regex_safe.c): -E2BIG when its repetitions expand past max_nodes
 * (base/regex_size.h), -ETIME when a trial compile in a child process took
 * over timeout_ms, -EINVAL when it is not a valid pattern (or needs over a
 * GiB); 0 with *re compiled (regfree it).
 */
int regex_compile_bounded(regex_t *re, const char *src, int flags, double max_nodes,
			  unsigned timeout_ms);

#endif
