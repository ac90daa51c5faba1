/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_OUT_MARKDOWN_H
#define GOTRACE_OUT_MARKDOWN_H

#include <stddef.h>
#include <stdio.h>

/*
 * Markdown (CommonMark / GitHub) for reports pasted into tickets. Strings
 * from a container are first sanitized like for a terminal (out/utf8.h:
 * control characters and invalid bytes become \xNN), then escaped so they
 * stay text: in a line or a table cell, Markdown and HTML punctuation is
 * backslash-escaped ('|' too, so a cell cannot end early, '&' as &amp;,
 * so no entity is formed); in a code block, the fence is longer than any
 * run of backticks inside, so nothing closes it early.
 */

/* Inline text (a paragraph, a list item, a table cell). */
void md_write_text(FILE *f, const char *s);
/* A fenced code block of n lines. */
void md_write_code(FILE *f, const char *const *lines, size_t n);

#endif
