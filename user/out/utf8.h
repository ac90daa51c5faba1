/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_OUT_UTF8_H
#define GOTRACE_OUT_UTF8_H

#include <stddef.h>
#include <stdio.h>

/*
 * Length of the valid UTF-8 sequence starting at s (2..4 bytes, no
 * overlongs, no surrogates, <= U+10FFFF), or 0. ASCII is the caller's case.
 */
size_t utf8_valid_seq(const char *s, size_t len);

/*
 * Writes a string from an untrusted source (a container's comm, path, env,
 * log line) for a terminal: printable ASCII and valid UTF-8 as is, control
 * characters (ESC included, so no terminal escape sequences get through) and
 * invalid bytes as \xNN, backslash as \\.
 */
void term_write_sanitized(FILE *f, const char *s, size_t len);
/* The same into a buffer; always NUL-terminates; returns the length written. */
size_t term_sanitize(char *dst, size_t dstlen, const char *s, size_t len);

#endif
