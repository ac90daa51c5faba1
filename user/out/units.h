/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_OUT_UNITS_H
#define GOTRACE_OUT_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* "850ns", "12.3µs", "4.56ms", "1.23s", "2m03s", "1h02m": 3 significant digits. */
const char *fmt_duration(uint64_t ns, char *buf, size_t len);
/* "512B", "1.5KiB", "64.0MiB", "2.00GiB". */
const char *fmt_bytes(uint64_t bytes, char *buf, size_t len);
/* "1,234,567". */
const char *fmt_count(uint64_t n, char *buf, size_t len);

#endif
