// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "proc/goenv.h"
#include "proc/procfs.h"

/* Big enough for any environment the kernel lets a process start with (ARG_MAX). */
#define ENVIRON_MAX (2u << 20)

/* The first Go whose runtime parses numbers with strconv.ParseInt. */
#define GO_MINOR_PARSEINT 26

static bool new_rules(int minor)
{
	return minor == 0 || minor >= GO_MINOR_PARSEINT;
}

/*
 * Decimal digits with an optional sign, in [min, max]. The two runtimes
 * differ only in the sign: atoi64 takes '-' and no '+', and "-" alone is
 * 0; ParseInt takes either sign and wants a digit after it. base/num.h
 * accepts 0x hex, which Go does not, so it cannot serve.
 */
static bool go_parse_int(const char *s, size_t n, int minor, int64_t min, int64_t max, int64_t *out)
{
	bool neg = false;
	uint64_t v = 0;
	size_t i = 0;

	if (n == 0)
		return false;
	if (s[0] == '-' || (s[0] == '+' && new_rules(minor))) {
		neg = s[0] == '-';
		i = 1;
		if (i == n && new_rules(minor))
			return false;
	}
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > (neg ? (uint64_t)(-(min + 1)) + 1 : (uint64_t)max))
		return false;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

/* Which leading bytes are the number, and the unit: the runtime's parseByteCount steps. */
static bool split_unit(const char *s, size_t n, size_t *digits, uint64_t *mult)
{
	const char *units = "KMGT", *u;
	char last = n ? s[n - 1] : 0;

	*mult = 1;
	*digits = n;
	if (last >= '0' && last <= '9')
		return true;
	if (last != 'B' || n < 2)
		return false;
	*digits = n - 1;
	if (s[n - 2] >= '0' && s[n - 2] <= '9')
		return true;
	if (s[n - 2] != 'i' || n < 4 || !(u = strchr(units, s[n - 3])) || !*u)
		return false;
	for (int p = 0; p <= u - units; p++)
		*mult *= 1024;
	*digits = n - 3;
	return true;
}

bool go_env__parse_byte_count(const char *s, int minor, int64_t *bytes)
{
	size_t n = strlen(s), digits;
	uint64_t mult;
	int64_t v;

	if (n == 0 || !split_unit(s, n, &digits, &mult))
		return false;
	if (!go_parse_int(s, digits, minor, INT64_MIN, INT64_MAX, &v) || v < 0)
		return false;
	if ((uint64_t)v > UINT64_MAX / mult || (uint64_t)v * mult > (uint64_t)INT64_MAX)
		return false;
	*bytes = (int64_t)((uint64_t)v * mult);
	return true;
}

int go_env__gc_percent(const char *s, int minor)
{
	int64_t v;

	if (!s)
		return 100;
	if (!strcmp(s, "off"))
		return -1;
	if (!go_parse_int(s, strlen(s), minor, INT32_MIN, INT32_MAX, &v))
		return 100;
	return v < 0 ? -1 : (int)v;
}

static void take(const struct proc_strlist *env, const char *name, struct go_env_var *v)
{
	const char *val = proc_strlist__getenv(env, name);
	size_t n;

	memset(v, 0, sizeof(*v));
	if (!val)
		return;
	v->set = true;
	n = strlen(val);
	v->cut = n >= sizeof(v->val);
	snprintf(v->val, sizeof(v->val), "%s", val);
}

void go_env__from_list(const struct proc_strlist *env, struct go_env *out)
{
	memset(out, 0, sizeof(*out));
	take(env, "GOGC", &out->gogc);
	take(env, "GOMEMLIMIT", &out->gomemlimit);
	take(env, "GODEBUG", &out->godebug);
	take(env, "GOMAXPROCS", &out->gomaxprocs);
	out->environ_truncated = env->truncated;
	go_env__interpret(out, 0);
}

void go_env__interpret(struct go_env *e, int minor)
{
	e->gc_percent = go_env__gc_percent(e->gogc.set ? e->gogc.val : NULL, minor);
	e->memlimit_bytes = INT64_MAX;
	e->memlimit_valid = true;
	if (e->gomemlimit.set && e->gomemlimit.val[0] && strcmp(e->gomemlimit.val, "off"))
		e->memlimit_valid =
			!e->gomemlimit.cut &&
			go_env__parse_byte_count(e->gomemlimit.val, minor, &e->memlimit_bytes);
}

int go_env__read(pid_t pid, struct go_env *out)
{
	struct proc_strlist env;
	int err = proc_pid__environ(pid, ENVIRON_MAX, &env);

	if (err)
		return err;
	go_env__from_list(&env, out);
	proc_strlist__clear(&env);
	return 0;
}

const char *go_env_var__show(const struct go_env_var *v)
{
	return v->set ? v->val : "unset";
}
