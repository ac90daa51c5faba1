// SPDX-License-Identifier: GPL-2.0
/* The shared option parser: one meaning per option, every number checked. */
#include <errno.h>
#include <getopt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "base/err.h"
#include "cli/opts.h"
#include "kern/features.h"

enum { ID_FLAG = 0x100, ID_VALUE };

static const struct cmd_opt test_opts[] = {
	{"flag", 'f', no_argument, ID_FLAG, NULL, "a flag"},
	{"value", 0, required_argument, ID_VALUE, "X", "a value"},
	{0},
};

static const struct cmd_spec spec = {
	.name = "t",
	.summary = "test",
	.usage = "[OPTIONS]",
	.shared = OPT_PID | OPT_DURATION | OPT_INTERVAL | OPT_JSON,
	.opts = test_opts,
};

struct seen {
	int flags;
	const char *value;
};

static int on_opt(void *ctx, int id, const char *arg)
{
	struct seen *s = ctx;

	if (id == ID_FLAG)
		s->flags++;
	else if (id == ID_VALUE)
		s->value = arg;
	return 0;
}

/* argv from a NULL-terminated list (getopt permutes it: keep it writable). */
static int parse(struct common_opts *co, struct seen *s, int *first, ...)
{
	static char buf[16][64];
	char *argv[17];
	const char *a;
	va_list ap;
	int argc = 0;

	va_start(ap, first);
	while ((a = va_arg(ap, const char *)) && argc < 16) {
		snprintf(buf[argc], sizeof(buf[argc]), "%s", a);
		argv[argc] = buf[argc];
		argc++;
	}
	va_end(ap);
	argv[argc] = NULL;
	memset(s, 0, sizeof(*s));
	g_opts.verbose = 0;
	g_opts.json = false;
	return opts_parse(&spec, argc, argv, co, on_opt, s, first);
}

static void test_shared(void **state)
{
	struct common_opts co;
	struct seen s;
	int first;

	assert_int_equal(parse(&co, &s, &first, "t", "-p", "42", "-d", "1.5s", "-i", "500ms", "-j",
			       "-vv", "file", NULL),
			 0);
	assert_int_equal(co.pid, 42);
	assert_true(co.duration_ns == 1500000000ULL);
	assert_true(co.interval_ns == 500000000ULL);
	assert_true(co.json);
	assert_int_equal(co.verbose, 2);
	assert_int_equal(first, 9);
	/* Long forms, = syntax, and a bare number of seconds. */
	assert_int_equal(parse(&co, &s, &first, "t", "--pid=7", "--duration", "10", NULL), 0);
	assert_int_equal(co.pid, 7);
	assert_true(co.duration_ns == 10000000000ULL);
}

static void test_command_opts(void **state)
{
	struct common_opts co;
	struct seen s;
	int first;

	assert_int_equal(parse(&co, &s, &first, "t", "-f", "--flag", "--value", "x", NULL), 0);
	assert_int_equal(s.flags, 2);
	assert_string_equal(s.value, "x");
}

static void test_errors(void **state)
{
	struct common_opts co;
	struct seen s;
	int first;

	assert_int_equal(parse(&co, &s, &first, "t", "--nope", NULL), -GT_EUSAGE);
	assert_non_null(strstr(err_msg(), "--nope"));
	assert_int_equal(parse(&co, &s, &first, "t", "-p", NULL), -GT_EUSAGE);
	assert_int_equal(parse(&co, &s, &first, "t", "-p", "0", NULL), -GT_EUSAGE);
	assert_int_equal(parse(&co, &s, &first, "t", "-p", "12x", NULL), -GT_EUSAGE);
	assert_int_equal(parse(&co, &s, &first, "t", "-p", "99999999999", NULL), -GT_EUSAGE);
	assert_int_equal(parse(&co, &s, &first, "t", "-d", "0", NULL), -GT_EUSAGE);
	assert_int_equal(parse(&co, &s, &first, "t", "-d", "-1", NULL), -GT_EUSAGE);
	assert_int_equal(parse(&co, &s, &first, "t", "-i", "1ms", NULL), -GT_EUSAGE);
	/* An option the command does not take is unknown, though another command has it. */
	assert_int_equal(parse(&co, &s, &first, "t", "--pod", "x", NULL), -GT_EUSAGE);
	assert_int_equal(parse(&co, &s, &first, "t", "--no-feature=warp", NULL), -GT_EUSAGE);
	assert_int_equal(err_exit_code(-GT_EUSAGE), EXIT_USAGE);
}

static void test_no_feature(void **state)
{
	struct common_opts co;
	struct seen s;
	int first;

	assert_false(features__disabled(MECH_KPROBE));
	assert_int_equal(parse(&co, &s, &first, "t", "--no-feature=kprobe,fentry", NULL), 0);
	assert_true(features__disabled(MECH_KPROBE));
	assert_true(features__disabled(MECH_FENTRY));
	assert_false(features__disabled(MECH_TP_BTF));
}

static void test_help(void **state)
{
	struct common_opts co;
	struct seen s;
	int first;
	FILE *saved = stdout;

	stdout = fopen("/dev/null", "w");
	assert_int_equal(parse(&co, &s, &first, "t", "--help", NULL), 1);
	fclose(stdout);
	stdout = saved;
}

static void test_global(void **state)
{
	char a0[] = "gotrace", a1[] = "-v", a2[] = "--host-root=/host", a3[] = "info";
	char b1[] = "--bogus";
	char *argv[] = {a0, a1, a2, a3, NULL};
	char *bad[] = {a0, b1, a3, NULL};
	int idx;

	g_opts.verbose = 0;
	assert_int_equal(opts_parse_global(4, argv, &idx), 0);
	assert_int_equal(idx, 3);
	assert_int_equal(g_opts.verbose, 1);
	assert_string_equal(g_opts.host_root, "/host");
	assert_int_equal(opts_parse_global(3, bad, &idx), -GT_EUSAGE);
	assert_null(strstr(err_msg(), "gotrace gotrace"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shared), cmocka_unit_test(test_command_opts),
		cmocka_unit_test(test_errors), cmocka_unit_test(test_no_feature),
		cmocka_unit_test(test_help),   cmocka_unit_test(test_global),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
