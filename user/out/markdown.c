// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include "out/markdown.h"
#include "out/utf8.h"

#define MD_MAX 4096 /* longer strings are cut (with "...") */

/* The sanitized form of s in a malloc'd buffer (NULL when out of memory). */
static char *clean(const char *s)
{
	size_t len = strlen(s), cap = 4 * (len < MD_MAX ? len : MD_MAX) + 8;
	char *buf = malloc(cap);

	if (!buf)
		return NULL;
	term_sanitize(buf, cap, s, len < MD_MAX ? len : MD_MAX);
	if (len > MD_MAX)
		strcat(buf, "...");
	return buf;
}

void md_write_text(FILE *f, const char *s)
{
	char *c = clean(s);

	for (const char *p = c; p && *p; p++) {
		if (*p == '&')
			fputs("&amp;", f);
		else if (strchr("\\`*_[]<>|~", *p) || (*p == '#' && p == c))
			fprintf(f, "\\%c", *p);
		else
			fputc(*p, f);
	}
	free(c);
}

static size_t longest_run(const char *s)
{
	size_t best = 0, run = 0;

	for (; *s; s++) {
		run = *s == '`' ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	return best;
}

void md_write_code(FILE *f, const char *const *lines, size_t n)
{
	char **c = calloc(n ? n : 1, sizeof(*c));
	size_t fence = 3;

	for (size_t i = 0; c && i < n; i++) {
		c[i] = clean(lines[i]);
		if (c[i] && longest_run(c[i]) >= fence)
			fence = longest_run(c[i]) + 1;
	}
	for (size_t k = 0; k < fence; k++)
		fputc('`', f);
	fputs("text\n", f);
	for (size_t i = 0; c && i < n; i++) {
		fputs(c[i] ? c[i] : "", f);
		fputc('\n', f);
		free(c[i]);
	}
	for (size_t k = 0; k < fence; k++)
		fputc('`', f);
	fputc('\n', f);
	free(c);
}
