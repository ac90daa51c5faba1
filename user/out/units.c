// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "out/units.h"

static const char *three_digits(double v, const char *unit, char *buf, size_t len)
{
	if (v < 10)
		snprintf(buf, len, "%.2f %s", v, unit);
	else if (v < 100)
		snprintf(buf, len, "%.1f %s", v, unit);
	else
		snprintf(buf, len, "%.0f %s", v, unit);
	return buf;
}

const char *fmt_duration(uint64_t ns, char *buf, size_t len)
{
	uint64_t s = ns / 1000000000ULL;

	if (ns < 1000)
		snprintf(buf, len, "%llu ns", (unsigned long long)ns);
	else if (ns < 1000000)
		three_digits(ns / 1e3, "us", buf, len);
	else if (ns < 1000000000ULL)
		three_digits(ns / 1e6, "ms", buf, len);
	else if (s < 60)
		three_digits(ns / 1e9, "s", buf, len);
	else if (s < 3600)
		snprintf(buf, len, "%llum%02llus", (unsigned long long)(s / 60),
			 (unsigned long long)(s % 60));
	else
		snprintf(buf, len, "%lluh%02llum", (unsigned long long)(s / 3600),
			 (unsigned long long)(s % 3600 / 60));
	return buf;
}

const char *fmt_bytes(uint64_t b, char *buf, size_t len)
{
	static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	double v = (double)b;
	int u = -1;

	if (b < 1024) {
		snprintf(buf, len, "%llu B", (unsigned long long)b);
		return buf;
	}
	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	return three_digits(v, units[u], buf, len);
}

const char *fmt_count(uint64_t n, char *buf, size_t len)
{
	char tmp[32];
	size_t l, i, o = 0;

	snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)n);
	l = strlen(tmp);
	for (i = 0; i < l && o + 2 < len; i++) {
		if (i && (l - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
}
