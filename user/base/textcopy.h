/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_BASE_TEXTCOPY_H
#define GOTRACE_BASE_TEXTCOPY_H

#include <stddef.h>

/*
 * A NUL-terminated copy of len bytes of text (a /proc file read whole) and
 * how many lines it can hold at most, for parsers that split it in place
 * into an array sized once. NULL on ENOMEM.
 */
char *text_copy_lines(const char *text, size_t len, size_t *max_lines);

#endif
