// SPDX-License-Identifier: GPL-2.0
/*
 * proc/goenv.h against the Go runtime itself: the oomalloc fixture, built
 * with the newest toolchain and with the newest one from before the runtime
 * switched to strconv.ParseInt (go1.19-1.24), prints the runtime's own gc
 * percent and memory limit (debug.SetGCPercent / debug.SetMemoryLimit) for
 * each GOGC and GOMEMLIMIT value the test starts it with; a GOMEMLIMIT the
 * runtime rejects makes it throw before printing. gotrace, told the Go
 * version, must read every value the same way.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "proc/goenv.h"
#include "proc/procfs.h"
#include "testutil.h"

/* The two runtimes: [0] the newest toolchain, [1] the newest before go1.25. */
struct runtime {
	char bin[PATH_MAX];
	int minor;
};

static char *dir;
static struct runtime rts[2];

static void build_one(const struct tu_go *g, struct runtime *rt)
{
	char env[PATH_MAX + 128], cmd[4 * PATH_MAX];

	snprintf(rt->bin, sizeof(rt->bin), "%s/oomalloc-1.%d", dir, g->minor);
	rt->minor = g->minor;
	tu_go_env(g, env, sizeof(env));
	snprintf(
		cmd, sizeof(cmd),
		"cd '%s/tests/fixtures/oomalloc' && %s GOCACHE='%s/cache' CGO_ENABLED=0 '%s' build "
		"-o '%s' . >&2",
		tu_repo_root(), env, dir, g->go, rt->bin);
	if (tu_system(cmd))
		rt->bin[0] = '\0';
}

static int build(void **state)
{
	struct tu_go gos[TU_MAX_GOROOTS];
	int n = tu_find_gos(gos, TU_MAX_GOROOTS);

	dir = tu_mkdtemp("goenv");
	if (!dir)
		return -1;
	if (n > 0 && gos[0].minor >= 19)
		build_one(&gos[0], &rts[0]);
	for (int i = 0; i < n; i++) {
		if (gos[i].minor >= 19 && gos[i].minor <= 24) {
			build_one(&gos[i], &rts[1]);
			break;
		}
	}
	return 0;
}

static int cleanup(void **state)
{
	tu_rmrf(dir);
	free(dir);
	return 0;
}

struct runtime_view {
	bool started; /* false: the runtime refused the environment */
	int gc_percent;
	bool no_limit;
	long long limit;
};

/* The fixture's "ready ... gc_percent=N memory_limit=M" line for this environment. */
static void ask_runtime(const struct runtime *rt, const char *gogc, const char *gomemlimit,
			struct runtime_view *v)
{
	char cmd[PATH_MAX + 512], lim[32];
	char *out, *p;
	int st;

	snprintf(cmd, sizeof(cmd), "env -i %s%s%s %s%s%s '%s' -mode=knobs -base-mib=0 2>/dev/null",
		 gogc ? "GOGC='" : "", gogc ? gogc : "", gogc ? "'" : "",
		 gomemlimit ? "GOMEMLIMIT='" : "", gomemlimit ? gomemlimit : "",
		 gomemlimit ? "'" : "", rt->bin);
	out = tu_run(cmd, &st);
	memset(v, 0, sizeof(*v));
	p = out ? strstr(out, "gc_percent=") : NULL;
	if (st == 0 && p &&
	    sscanf(p, "gc_percent=%d memory_limit=%31s", &v->gc_percent, lim) == 2) {
		v->started = true;
		v->no_limit = !strcmp(lim, "none");
		v->limit = v->no_limit ? 0 : atoll(lim);
	}
	free(out);
}

/* What gotrace reads from the same environment. */
static void ask_gotrace(int minor, const char *gogc, const char *gomemlimit, struct go_env *e)
{
	char text[512];
	size_t n = 0;
	struct proc_strlist l;

	n += snprintf(text + n, sizeof(text) - n, "PATH=/bin") + 1;
	if (gogc)
		n += snprintf(text + n, sizeof(text) - n, "GOGC=%s", gogc) + 1;
	if (gomemlimit)
		n += snprintf(text + n, sizeof(text) - n, "GOMEMLIMIT=%s", gomemlimit) + 1;
	assert_int_equal(proc_strlist__parse(text, n, &l), 0);
	go_env__from_list(&l, e);
	go_env__interpret(e, minor);
	proc_strlist__clear(&l);
}

static const char *const memlimits[] = {
	NULL,
	"",
	"off",
	"0",
	"1",
	"123B",
	"1KiB",
	"64MiB",
	"3GiB",
	"2TiB",
	"1kiB",
	"1KB",
	"1K",
	"B",
	"iB",
	"1iB",
	"-1",
	"-0",
	"+5",
	" 5",
	"0x10",
	"1.5GiB",
	"MiB",
	"00064MiB",
	"1PiB",
	"9223372036854775807",
	"9223372036854775808",
	"8388607TiB",
	"8388608TiB",
	"18446744073709551616B",
	"-",
};

static const char *const gogcs[] = {
	NULL,	      "off",	     "100", "50",  "0",	  "-1", "-",   "abc", "2147483647",
	"2147483648", "-2147483648", " 50", "+50", "OFF", "",	"1e3", "007",
};

static void gomemlimit_on(const struct runtime *rt)
{
	for (size_t i = 0; i < sizeof(memlimits) / sizeof(memlimits[0]); i++) {
		struct runtime_view rv;
		struct go_env e;

		ask_runtime(rt, NULL, memlimits[i], &rv);
		ask_gotrace(rt->minor, NULL, memlimits[i], &e);
		print_message("go1.%d GOMEMLIMIT=%s: runtime %s %lld, gotrace %s %lld\n", rt->minor,
			      memlimits[i] ? memlimits[i] : "(unset)",
			      rv.started ? "ok" : "refused", rv.limit,
			      e.memlimit_valid ? "ok" : "refused", (long long)e.memlimit_bytes);
		assert_int_equal(e.memlimit_valid, rv.started);
		if (!rv.started)
			continue;
		assert_int_equal(e.memlimit_bytes == INT64_MAX, rv.no_limit);
		if (!rv.no_limit)
			assert_int_equal(e.memlimit_bytes, rv.limit);
	}
}

static void gogc_on(const struct runtime *rt)
{
	for (size_t i = 0; i < sizeof(gogcs) / sizeof(gogcs[0]); i++) {
		struct runtime_view rv;
		struct go_env e;

		ask_runtime(rt, gogcs[i], NULL, &rv);
		ask_gotrace(rt->minor, gogcs[i], NULL, &e);
		assert_true(rv.started);
		print_message("go1.%d GOGC=%s: runtime %d, gotrace %d\n", rt->minor,
			      gogcs[i] ? gogcs[i] : "(unset)", rv.gc_percent, e.gc_percent);
		assert_int_equal(e.gc_percent, rv.gc_percent);
		assert_int_equal(e.gogc.set, gogcs[i] != NULL);
	}
}

static void test_newest(void **state)
{
	if (!rts[0].bin[0])
		skip();
	gomemlimit_on(&rts[0]);
	gogc_on(&rts[0]);
}

static void test_before_parseint(void **state)
{
	if (!rts[1].bin[0])
		skip();
	gomemlimit_on(&rts[1]);
	gogc_on(&rts[1]);
}

/* Raw values are kept for display, cut at the buffer and said so. */
static void test_raw(void **state)
{
	char text[1024], big[600];
	struct proc_strlist l;
	struct go_env e;
	size_t n;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	n = (size_t)snprintf(text, sizeof(text), "GODEBUG=%s", big) + 1;
	n += (size_t)snprintf(text + n, sizeof(text) - n, "GOMAXPROCS=4") + 1;
	n += (size_t)snprintf(text + n, sizeof(text) - n, "GOMAXPROCS=8") + 1;
	assert_int_equal(proc_strlist__parse(text, n, &l), 0);
	go_env__from_list(&l, &e);
	proc_strlist__clear(&l);
	assert_true(e.godebug.set && e.godebug.cut);
	assert_int_equal(strlen(e.godebug.val), GO_ENV_VAL_MAX - 1);
	/* The runtime's gogetenv takes the first of duplicates. */
	assert_string_equal(e.gomaxprocs.val, "4");
	assert_false(e.gogc.set);
	assert_string_equal(go_env_var__show(&e.gogc), "unset");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_newest),
		cmocka_unit_test(test_before_parseint),
		cmocka_unit_test(test_raw),
	};

	return cmocka_run_group_tests(tests, build, cleanup);
}
