/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_BASE_JSONREAD_H
#define GOTRACE_BASE_JSONREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A small strict JSON reader (RFC 8259) into a tree, for gotrace's own
 * recorded facts and user-supplied check files. Input is untrusted: depth,
 * size and number ranges are bounded; errors say where. Strings are
 * unescaped to UTF-8 (\u escapes included, surrogate pairs joined; a lone
 * surrogate becomes U+FFFD) and may contain NUL, so they carry a length.
 */

enum jv_type { JV_NULL, JV_BOOL, JV_NUMBER, JV_STRING, JV_ARRAY, JV_OBJECT };

struct jv {
	enum jv_type type;
	bool b;
	double num;
	bool is_int; /* the number was an integer that fits int64 */
	int64_t i;
	char *s; /* JV_STRING: NUL-terminated copy */
	size_t slen;
	struct jv *items; /* JV_ARRAY elements, JV_OBJECT values */
	char **keys;	  /* JV_OBJECT keys */
	size_t n;
};

#define JV_MAX_DEPTH 32

/* Parses exactly one value (surrounding whitespace allowed). -GT_EFORMAT with a message. */
int jv_parse(const char *text, size_t len, struct jv *out);
void jv_free(struct jv *v);
/* Object member by key, or NULL. */
const struct jv *jv_get(const struct jv *obj, const char *key);

#endif
