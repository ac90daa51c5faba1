// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/err.h"
#include "base/num.h"

/* Digits only: strtoull accepts leading blanks and a minus sign, we do not. */
static int parse_digits(const char *s, uint64_t *out, const char **end)
{
	int base = 10;
	uint64_t v = 0;
	const char *p = s;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (!isxdigit((unsigned char)*p) || (base == 10 && !isdigit((unsigned char)*p)))
		return -EINVAL;
	for (; *p; p++) {
		unsigned d;

		if (isdigit((unsigned char)*p))
			d = *p - '0';
		else if (base == 16 && isxdigit((unsigned char)*p))
			d = (tolower((unsigned char)*p) - 'a') + 10;
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	*out = v;
	*end = p;
	return 0;
}

int num_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	const char *end;
	uint64_t v;
	int err;

	if (!s || !*s)
		return err_fail(EINVAL, "expected a number, got an empty string");
	err = parse_digits(s, &v, &end);
	if (err == -ERANGE)
		return err_fail(ERANGE, "'%s' is too large", s);
	if (err || *end)
		return err_fail(EINVAL, "'%s' is not a number", s);
	if (v < min || v > max)
		return err_fail(ERANGE, "%s is out of range [%llu, %llu]", s,
				(unsigned long long)min, (unsigned long long)max);
	*out = v;
	return 0;
}

int num_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v;
	int err = num_parse_u64(s, min, max, &v);

	if (!err)
		*out = (uint32_t)v;
	return err;
}

int num_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	bool neg = s && s[0] == '-';
	uint64_t mag;
	int64_t v;
	int err;

	err = num_parse_u64(neg ? s + 1 : s, 0, (uint64_t)INT64_MAX + neg, &mag);
	if (err)
		return err;
	/* 0 - mag wraps to the two's complement, INT64_MIN included. */
	v = neg ? (int64_t)(0 - mag) : (int64_t)mag;
	if (v < min || v > max)
		return err_fail(ERANGE, "%s is out of range [%lld, %lld]", s, (long long)min,
				(long long)max);
	*out = v;
	return 0;
}

struct unit {
	const char *name;
	uint64_t mult;
};

static const struct unit duration_units[] = {
	{"ns", 1ULL},	      {"us", 1000ULL},	     {"ms", 1000000ULL},
	{"s", 1000000000ULL}, {"m", 60000000000ULL}, {"h", 3600000000000ULL},
};

static const struct unit size_units[] = {
	{"", 1ULL},	     {"k", 1ULL << 10}, {"kib", 1ULL << 10}, {"m", 1ULL << 20},
	{"mib", 1ULL << 20}, {"g", 1ULL << 30}, {"gib", 1ULL << 30}, {"t", 1ULL << 40},
	{"tib", 1ULL << 40}, {"b", 1ULL},
};

/*
 * "<int>[.<frac>]<unit>" → value * mult, exactly for fractions down to the
 * unit's resolution. Only decimal here: "0x10s" means nothing.
 */
static int parse_scaled(const char *s, const struct unit *units, size_t nunits,
			uint64_t default_mult, uint64_t *out)
{
	const char *p = s, *frac = NULL;
	uint64_t ip = 0, mult = 0, v, fv = 0, fdiv = 1;
	size_t i, nfrac = 0;

	if (!s || !*s || !isdigit((unsigned char)*s))
		return err_fail(EINVAL, "'%s' is not a number with a unit", s ? s : "");
	for (; isdigit((unsigned char)*p); p++) {
		if (ip > (UINT64_MAX - 9) / 10)
			return err_fail(ERANGE, "'%s' is too large", s);
		ip = ip * 10 + (*p - '0');
	}
	if (*p == '.') {
		frac = ++p;
		for (; isdigit((unsigned char)*p); p++, nfrac++) {
			if (nfrac < 18) {
				fv = fv * 10 + (*p - '0');
				fdiv *= 10;
			}
		}
		if (nfrac == 0)
			return err_fail(EINVAL, "'%s': digits expected after '.'", s);
	}
	if (!*p) {
		mult = default_mult;
	} else {
		for (i = 0; i < nunits; i++)
			if (units[i].name[0] && !strcasecmp(p, units[i].name))
				mult = units[i].mult;
	}
	if (!mult)
		return err_fail(EINVAL, "'%s': unknown unit '%s'", s, p);
	if (ip > UINT64_MAX / mult)
		return err_fail(ERANGE, "'%s' is too large", s);
	v = ip * mult;
	if (frac) {
		/* fv/fdiv < 1, so fv * (mult/fdiv) cannot exceed mult. */
		unsigned __int128 f = (unsigned __int128)fv * mult / fdiv;

		if (v + (uint64_t)f < v)
			return err_fail(ERANGE, "'%s' is too large", s);
		v += (uint64_t)f;
	}
	*out = v;
	return 0;
}

int num_parse_duration_ns(const char *s, uint64_t default_unit_ns, uint64_t *out)
{
	return parse_scaled(s, duration_units, sizeof(duration_units) / sizeof(duration_units[0]),
			    default_unit_ns, out);
}

int num_parse_size(const char *s, uint64_t *out)
{
	return parse_scaled(s, size_units, sizeof(size_units) / sizeof(size_units[0]), 1, out);
}
