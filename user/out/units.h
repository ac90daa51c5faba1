/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_OUT_UNITS_H
#define GOTRACE_OUT_UNITS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Human units for the text views (JSON keeps raw numbers with the unit in
 * the key), about 3 significant digits: "850 ns", "12.3 us", "4.56 ms",
 * "1.23 s", "2m03s", "1h02m"; sizes in powers of 1024: "512 B", "1.50 KiB",
 * "64.0 MiB". All return buf.
 */
const char *fmt_duration(uint64_t ns, char *buf, size_t len);
const char *fmt_bytes(uint64_t bytes, char *buf, size_t len);
/* "1,234,567". */
const char *fmt_count(uint64_t n, char *buf, size_t len);

#endif
