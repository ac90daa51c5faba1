// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include "base/textcopy.h"

char *text_copy_lines(const char *text, size_t len, size_t *max_lines)
{
	char *copy = malloc(len + 1);
	size_t i, lines = 1;

	if (!copy)
		return NULL;
	for (i = 0; i < len; i++)
		lines += text[i] == '\n';
	memcpy(copy, text, len);
	copy[len] = '\0';
	*max_lines = lines;
	return copy;
}
