/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_OUT_UNITS_H
#define GOTRACE_OUT_UNITS_H

#include <stddef.h>
#include <stdint.h>

<<<<<<< HEAD
/* "850ns", "12.3µs", "4.56ms", "1.23s", "2m03s", "1h02m": 3 significant digits. */
const char *fmt_duration(uint64_t ns, char *buf, size_t len);
/* "512B", "1.5KiB", "64.0MiB", "2.00GiB". */
const char *fmt_bytes(uint64_t bytes, char *buf, size_t len);
/* "1,234,567". */
const char *fmt_count(uint64_t n, char *buf, size_t len);
=======
/*
 * Human units for the text views (JSON keeps raw numbers with the unit in
 * the key): sizes in powers of 1024 with one decimal ("64.0 MiB", "512 B"),
 * durations with the unit that keeps 1-3 digits before the point
 * ("850 us", "12.5 ms", "6.5 s", "3.2 min"). Both return buf.
 */
const char *fmt_bytes(uint64_t bytes, char *buf, size_t len);
const char *fmt_duration_ns(uint64_t ns, char *buf, size_t len);
>>>>>>> helper/oom

#endif
