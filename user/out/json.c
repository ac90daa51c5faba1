// SPDX-License-Identifier: GPL-2.0
#include <math.h>
#include <string.h>

#include "out/json.h"
#include "out/utf8.h"

void json_init(struct json_writer *w, FILE *f)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	w->first[0] = true;
}

void json_escape(FILE *f, const char *s, size_t len)
{
	size_t i = 0;

	fputc('"', f);
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		size_t n;

		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
			i++;
		} else if (c == '\n') {
			fputs("\\n", f);
			i++;
		} else if (c == '\t') {
			fputs("\\t", f);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
			i++;
		} else if (c < 0x80) {
			fputc(c, f);
			i++;
		} else if ((n = utf8_valid_seq(s + i, len - i)) > 0) {
			fwrite(s + i, 1, n, f);
			i += n;
		} else {
			fputs("\\ufffd", f);
			i++;
		}
	}
	fputc('"', f);
}

/* Separator and key before a value. */
static void json_prefix(struct json_writer *w, const char *key)
{
	if (w->depth >= 0 && w->depth < JSON_MAX_DEPTH) {
		if (!w->first[w->depth])
			fputc(',', w->f);
		w->first[w->depth] = false;
	}
	if (key) {
		json_escape(w->f, key, strlen(key));
		fputc(':', w->f);
	}
}

static void json_open(struct json_writer *w, const char *key, char c)
{
	json_prefix(w, key);
	fputc(c, w->f);
	if (w->depth + 1 < JSON_MAX_DEPTH) {
		w->depth++;
		w->first[w->depth] = true;
	}
}

static void json_close(struct json_writer *w, char c)
{
	fputc(c, w->f);
	if (w->depth > 0)
		w->depth--;
}

void json_obj_begin(struct json_writer *w, const char *key)
{
	json_open(w, key, '{');
}

void json_obj_end(struct json_writer *w)
{
	json_close(w, '}');
}

void json_arr_begin(struct json_writer *w, const char *key)
{
	json_open(w, key, '[');
}

void json_arr_end(struct json_writer *w)
{
	json_close(w, ']');
}

void json_strn(struct json_writer *w, const char *key, const char *val, size_t len)
{
	json_prefix(w, key);
	if (val)
		json_escape(w->f, val, len);
	else
		fputs("null", w->f);
}

void json_str(struct json_writer *w, const char *key, const char *val)
{
	json_strn(w, key, val, val ? strlen(val) : 0);
}

void json_u64(struct json_writer *w, const char *key, uint64_t val)
{
	json_prefix(w, key);
	fprintf(w->f, "%llu", (unsigned long long)val);
}

void json_i64(struct json_writer *w, const char *key, int64_t val)
{
	json_prefix(w, key);
	fprintf(w->f, "%lld", (long long)val);
}

void json_f64(struct json_writer *w, const char *key, double val)
{
	json_prefix(w, key);
	if (isfinite(val))
		fprintf(w->f, "%.6g", val);
	else
		fputs("null", w->f);
}

void json_bool(struct json_writer *w, const char *key, bool val)
{
	json_prefix(w, key);
	fputs(val ? "true" : "false", w->f);
}

void json_null(struct json_writer *w, const char *key)
{
	json_prefix(w, key);
	fputs("null", w->f);
}

void json_hex(struct json_writer *w, const char *key, uint64_t val)
{
	json_prefix(w, key);
	fprintf(w->f, "\"0x%llx\"", (unsigned long long)val);
}

void json_end_line(struct json_writer *w)
{
	fputc('\n', w->f);
	fflush(w->f);
	w->depth = 0;
	w->first[0] = true;
}
