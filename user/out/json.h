/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_OUT_JSON_H
#define GOTRACE_OUT_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/*
 * A streaming JSON writer. Keys are snake_case with units in their names
 * (DESIGN.md "Output"); every string goes through json_escape, which turns
 * control characters into \u00XX and bytes that are not valid UTF-8 into
 * U+FFFD, so hostile strings from containers cannot break a consumer.
 * Inside an object every value call takes a key; inside an array key is NULL.
 * One document per line: json_end_line() closes the top-level value.
 */

#define JSON_MAX_DEPTH 32

struct json_writer {
	FILE *f;
	int depth;
	bool pretty;
	bool first[JSON_MAX_DEPTH];
};

void json_init(struct json_writer *w, FILE *f);
void json_obj_begin(struct json_writer *w, const char *key);
void json_obj_end(struct json_writer *w);
void json_arr_begin(struct json_writer *w, const char *key);
void json_arr_end(struct json_writer *w);
void json_str(struct json_writer *w, const char *key, const char *val); /* NULL → null */
void json_strn(struct json_writer *w, const char *key, const char *val, size_t len);
void json_u64(struct json_writer *w, const char *key, uint64_t val);
void json_i64(struct json_writer *w, const char *key, int64_t val);
void json_f64(struct json_writer *w, const char *key, double val);
void json_bool(struct json_writer *w, const char *key, bool val);
void json_null(struct json_writer *w, const char *key);
/* "0x..." string: addresses are strings so no consumer rounds them to doubles. */
void json_hex(struct json_writer *w, const char *key, uint64_t val);
/* Ends the document with a newline and flushes (newline-delimited JSON). */
void json_end_line(struct json_writer *w);

/* Writes s (len bytes) as a quoted JSON string. */
void json_escape(FILE *f, const char *s, size_t len);

#endif
