// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "proc/goenv.h"
#include "proc/procfs.h"

/* Big enough for any environment the kernel lets a process start with (ARG_MAX). */
#define ENVIRON_MAX (2u << 20)

/*
 * The runtime's atoi64 (runtime/string.go) on n bytes: optional '-', then
 * decimal digits only (none at all after the '-' is 0, as in Go), no
 * overflow. base/num.h accepts 0x hex, which Go does not, so it cannot serve.
 */
static bool go_atoi64(const char *s, size_t n, int64_t *out)
{
	bool neg = false;
	uint64_t v = 0;
	size_t i = 0;

	if (n == 0)
		return false;
	if (s[0] == '-') {
		neg = true;
		i = 1;
	}
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > (uint64_t)INT64_MAX + (neg ? 1 : 0))
		return false;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

bool go_env__parse_byte_count(const char *s, int64_t *bytes)
{
	size_t n = strlen(s), digits = n;
	uint64_t mult = 1;
	int64_t v;

	if (n == 0)
		return false;
	if (s[n - 1] == 'B') {
		digits = n - 1;
		if (n >= 4 && s[n - 2] == 'i') {
			const char *units = "KMGT", *u = strchr(units, s[n - 3]);

			if (!u || !s[n - 3])
				return false;
			for (int p = 0; p <= u - units; p++)
				mult *= 1024;
			digits = n - 3;
		}
	}
	if (!go_atoi64(s, digits, &v) || v < 0)
		return false;
	if ((uint64_t)v > UINT64_MAX / mult || (uint64_t)v * mult > (uint64_t)INT64_MAX)
		return false;
	*bytes = (int64_t)((uint64_t)v * mult);
	return true;
}

int go_env__gc_percent(const char *s)
{
	int64_t v;

	if (!s)
		return 100;
	if (!strcmp(s, "off"))
		return -1;
	/* atoi32: in range of int32, else the default. */
	if (!go_atoi64(s, strlen(s), &v) || v < INT32_MIN || v > INT32_MAX)
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
	out->gc_percent = go_env__gc_percent(out->gogc.set ? out->gogc.val : NULL);
	out->memlimit_bytes = INT64_MAX;
	out->memlimit_valid = true;
	if (out->gomemlimit.set && out->gomemlimit.val[0] && strcmp(out->gomemlimit.val, "off"))
		out->memlimit_valid = !out->gomemlimit.cut &&
				      go_env__parse_byte_count(out->gomemlimit.val,
							       &out->memlimit_bytes);
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
