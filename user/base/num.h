/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_BASE_NUM_H
#define GOTRACE_BASE_NUM_H

#include <stdint.h>

/*
 * The one number parser (STYLE.md §7): every number that comes from a user,
 * a file in /proc or a config goes through these. They reject empty input,
 * trailing junk, signs where none belong, overflow and out-of-range values
 * with -EINVAL/-ERANGE and an err_set() message naming the bad text.
 */

/* Decimal, or hex with 0x. */
int num_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
int num_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);
int num_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);
/*
 * A duration: a decimal number with an optional fraction and a unit among
 * ns, us, ms, s, m, h; a bare number means default_unit_ns units
 * (seconds for -d/-i, so "-d 10" is ten seconds).
 */
int num_parse_duration_ns(const char *s, uint64_t default_unit_ns, uint64_t *out);
/* A byte size: a number with an optional K/M/G/T (KiB... powers of 1024) suffix. */
int num_parse_size(const char *s, uint64_t *out);

#endif
