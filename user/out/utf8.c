// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "out/utf8.h"

size_t utf8_valid_seq(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned cp, n, i;

	if (len == 0)
		return 0;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* Calls emit(buf, n) for each piece of sanitized output. */
static void sanitize(const char *s, size_t len, void (*emit)(void *, const char *, size_t),
		     void *ctx)
{
	char esc[5];
	size_t i = 0, n;

	while (i < len) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\') {
			emit(ctx, "\\\\", 2);
			i++;
		} else if (c >= 0x20 && c < 0x7f) {
			emit(ctx, s + i, 1);
			i++;
		} else if (c >= 0x80 && (n = utf8_valid_seq(s + i, len - i)) > 0) {
			emit(ctx, s + i, n);
			i += n;
		} else {
			static const char hex[] = "0123456789abcdef";

			esc[0] = '\\';
			esc[1] = 'x';
			esc[2] = hex[c >> 4];
			esc[3] = hex[c & 15];
			emit(ctx, esc, 4);
			i++;
		}
	}
}

static void emit_file(void *ctx, const char *p, size_t n)
{
	fwrite(p, 1, n, ctx);
}

void term_write_sanitized(FILE *f, const char *s, size_t len)
{
	sanitize(s, len, emit_file, f);
}

struct buf_ctx {
	char *dst;
	size_t cap, len;
};

static void emit_buf(void *ctx, const char *p, size_t n)
{
	struct buf_ctx *b = ctx;

	if (b->len + n >= b->cap) {
		b->cap = b->len + 1; /* truncate here: no later, shorter piece fits either */
		return;
	}
	memcpy(b->dst + b->len, p, n);
	b->len += n;
}

size_t term_sanitize(char *dst, size_t dstlen, const char *s, size_t len)
{
	struct buf_ctx b = {.dst = dst, .cap = dstlen, .len = 0};

	if (!dstlen)
		return 0;
	sanitize(s, len, emit_buf, &b);
	dst[b.len] = '\0';
	return b.len;
}
