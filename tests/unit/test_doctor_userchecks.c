// SPDX-License-Identifier: GPL-2.0
/*
 * doctor --checks FILE (user/doctor/userchecks.c, spawn.c): the file is
 * parsed strictly (every malformed case names the check and key), and the
 * commands run through the runner with their timeout, expectations and
 * placeholders. The commands are coreutils, whose behaviour is the oracle.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/err.h"
#include "base/regex_size.h"
#include "base/signals.h"
#include "doctor/runner.h"
#include "doctor/userchecks.h"
#include "doctor_fake.h"

static int parse(const char *json, struct user_checks **u)
{
	return user_checks__parse(json, strlen(json), u);
}

static void bad(const char *json, const char *needle)
{
	struct user_checks *u = NULL;

	assert_int_equal(parse(json, &u), -GT_EFORMAT);
	assert_null(u);
	if (needle && !strstr(err_msg(), needle))
		fail_msg("message '%s' does not name '%s'", err_msg(), needle);
}

static void test_parse_errors(void **state)
{
	bad("[]", "one JSON object");
	bad("{\"checks\": []}", "1 to 64");
	bad("{\"checkz\": []}", "checkz");
	bad("{\"version\": 2, \"checks\": [{}]}", "version");
	bad("{\"checks\": [{\"id\": \"a\", \"description\": \"d\"}]}", "command");
	bad("{\"checks\": [{\"id\": \"A b\", \"description\": \"d\", \"command\": [\"true\"]}]}",
	    "\"id\"");
	bad("{\"checks\": [{\"id\": \"a\", \"description\": \"d\", \"command\": [\"true\"], "
	    "\"colour\": 1}]}",
	    "colour");
	bad("{\"checks\": [{\"id\": \"a\", \"description\": \"d\", \"command\": \"true\"}]}",
	    "shell");
	bad("{\"checks\": [{\"id\": \"a\", \"description\": \"d\", \"command\": [\"true\"], "
	    "\"shell\": true}]}",
	    "shell");
	bad("{\"checks\": [{\"id\": \"a\", \"description\": \"d\", \"command\": [\"true\"], "
	    "\"expect\": \"(\"}]}",
	    "expect");
	bad("{\"checks\": [{\"id\": \"a\", \"description\": \"d\", \"command\": [\"true\"], "
	    "\"timeout_ms\": 0}]}",
	    "timeout_ms");
	bad("{\"checks\": [{\"id\": \"a\", \"description\": \"d\", \"command\": [\"true\"], "
	    "\"needs\": \"god\"}]}",
	    "needs");
	bad("{\"checks\": [{\"id\": \"a\", \"id\": \"b\", \"description\": \"d\", \"command\": "
	    "[\"true\"]}]}",
	    "twice");
	bad("{\"checks\": [{\"id\": \"a\", \"description\": \"d\", \"command\": [\"true\"]}, "
	    "{\"id\": \"a\", \"description\": \"e\", \"command\": [\"true\"]}]}",
	    "used twice");
	bad("{\"checks\": [{\"id\": \"memory.limit\", \"description\": \"d\", \"command\": "
	    "[\"true\"]}]}",
	    "built-in");
	bad("{\"checks\": [{\"id\": \"a\", \"description\": \"d\", \"command\": "
	    "[\"tr\\u0000ue\"]}]}",
	    "NUL");
	bad("{\"checks\": [{\"id\": \"a\", \"description\": \"d\", \"command\": []}]}", "command");
	bad("{\"checks\": [", "JSON");
	/* glibc would build ~10^6 copies of 'a' and its closures: gigabytes */
	bad("{\"checks\": [{\"id\": \"a\", \"description\": \"d\", \"command\": [\"true\"], "
	    "\"expect\": \"((a{99}){99}){99}\"}]}",
	    "repeats too much");
	/* Few nodes, but glibc's closures over them run for minutes (found by the fuzzer). */
	bad("{\"checks\": [{\"id\": \"a\", \"description\": \"d\", \"command\": [\"true\"], "
	    "\"expect\": \"((((z?)?){20})+)+\"}]}",
	    "takes the regex compiler");
	bad("{\"checks\": [{\"id\": \"a\", \"description\": \"d\", \"command\": [\"true\"], "
	    "\"expect_not\": \"x*+y+++++++z?????????+++++\"}]}",
	    "takes the regex compiler");
}

/*
 * The size estimate counts the copies glibc's regcomp makes of repeated
 * operands (its parse_dup_op duplicates the subtree once per copy): it must
 * never count fewer than the pattern's own arithmetic says, and brackets and
 * escapes are single atoms whatever they hold.
 */
static void test_regex_size(void **state)
{
	struct user_checks *u = NULL;

	assert_true(regex_expanded_size("a{100}") >= 100);
	assert_true(regex_expanded_size("(a{10}){10}") >= 100);
	assert_true(regex_expanded_size("((a{99}){99}){99}") >= 99.0 * 99 * 99);
	assert_true(regex_expanded_size("(((((((((((a+)+)+)+)+)+)+)+)+)+)+)") >= 1024);
	assert_true(regex_expanded_size("x|(a{50}){50}") >= 2500);
	assert_true(regex_expanded_size("(a{1,}){1000}") >= 1000);
	assert_true(regex_expanded_size("a{99999999999999999999}") >= 1e12);
	/* '(' and '{' inside a bracket or after a backslash are literals */
	assert_true(regex_expanded_size("[(((]{3}") < 10);
	assert_true(regex_expanded_size("[]((]{3}") < 10);
	assert_true(regex_expanded_size("[[:digit:]((]{3}") < 10);
	assert_true(regex_expanded_size("\\({5}") < 10);
	assert_true(regex_expanded_size("a{x}{,3}") < 10); /* not bounds: literal braces */
	/* what runbooks write still parses */
	assert_int_equal(
		parse("{\"checks\": [{\"id\": \"a\", \"description\": \"d\", \"command\": "
		      "[\"true\"], \"expect\": \"^[0-9]{1,3}(\\\\.[0-9]{1,3}){3}:[0-9]{2,5}$\"}]}",
		      &u),
		0);
	user_checks__free(u);
}

/* Runs the file's checks on a fake target; returns the outcomes (the caller frees). */
static struct check_outcome *run_file(const char *json, struct fake *f, struct user_checks **u,
				      size_t *n)
{
	const struct doctor_check *v[16];
	struct check_outcome *out;

	assert_int_equal(parse(json, u), 0);
	*n = user_checks__count(*u);
	for (size_t i = 0; i < *n; i++)
		v[i] = user_checks__get(*u, i);
	out = calloc(*n, sizeof(*out));
	assert_int_equal(doctor_run_checks(&f->t, v, *n, 0, out), 0);
	return out;
}

static void test_run(void **state)
{
	const char *json =
		"{\"version\": 1, \"checks\": ["
		"{\"id\": \"ok\", \"description\": \"echo\", \"command\": [\"echo\", \"hello\"], "
		"\"expect\": \"^hello$\"},"
		"{\"id\": \"nomatch\", \"description\": \"d\", \"command\": [\"echo\", \"bye\"], "
		"\"expect\": \"^hello$\", \"severity\": \"warn\", \"fix\": \"say hello\"},"
		"{\"id\": \"exit\", \"description\": \"d\", \"command\": [\"false\"]},"
		"{\"id\": \"forbidden\", \"description\": \"d\", \"command\": [\"echo\", \"panic: "
		"x\"], "
		"\"expect_not\": \"panic\"},"
		"{\"id\": \"pid\", \"description\": \"d\", \"command\": [\"echo\", \"pid={pid}\"], "
		"\"expect\": \"^pid=4194000$\"},"
		"{\"id\": \"shell\", \"description\": \"d\", \"shell\": true, \"command\": "
		"\"echo \\\"$GOTRACE_POD_UID\\\" | tr a-f A-F\", \"expect\": \"^1B3C6FF0-\"},"
		"{\"id\": \"slow\", \"description\": \"d\", \"command\": [\"sleep\", \"10\"], "
		"\"timeout_ms\": 300},"
		"{\"id\": \"missing\", \"description\": \"d\", \"command\": "
		"[\"/nonexistent/x\"]}]}";
	struct user_checks *u;
	struct check_outcome *out;
	struct fake f;
	uint64_t t0 = mono_ns();
	size_t n;

	fake_init(&f);
	out = run_file(json, &f, &u, &n);
	assert_true(mono_ns() - t0 < 3000000000ULL); /* sleep 10 was killed at 300 ms */
	assert_int_equal(n, 8);
	assert_int_equal(out[0].result.status, CHECK_PASS);
	assert_int_equal(out[1].result.status, CHECK_WARN);
	assert_string_equal(out[1].result.fix, "say hello");
	assert_int_equal(out[2].result.status, CHECK_FAIL); /* false exits 1 */
	assert_int_equal(out[3].result.status, CHECK_FAIL);
	assert_int_equal(out[4].result.status, CHECK_PASS);
	assert_int_equal(out[5].result.status, CHECK_PASS);
	assert_int_equal(out[6].result.status, CHECK_FAIL);
	assert_non_null(strstr(out[6].result.summary, "300 ms"));
	assert_int_equal(out[7].result.status, CHECK_SKIP);
	assert_true(fact_bool(fact_store__latest(&out[0].result.facts, "user_check", NULL),
			      "passed", false));
	check_outcomes__clear(out, n);
	free(out);
	user_checks__free(u);
	fake_free(&f);
}

/* A placeholder without a value, or a process that is needed and absent: skipped. */
static void test_needs(void **state)
{
	const char *json =
		"{\"checks\": ["
		"{\"id\": \"p\", \"description\": \"d\", \"command\": [\"echo\", \"{pid}\"]},"
		"{\"id\": \"n\", \"description\": \"d\", \"command\": [\"true\"], \"needs\": "
		"\"pid\"},"
		"{\"id\": \"t\", \"description\": \"d\", \"command\": [\"true\"], \"in\": "
		"\"target\"}]}";
	struct user_checks *u;
	struct check_outcome *out;
	struct fake f;
	size_t n;

	fake_init(&f);
	f.t.pid = 0;
	snprintf(f.t.why_no_pid, sizeof(f.t.why_no_pid), "no process");
	out = run_file(json, &f, &u, &n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(out[i].result.status, CHECK_SKIP);
	check_outcomes__clear(out, n);
	free(out);
	user_checks__free(u);
	fake_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_regex_size),
		cmocka_unit_test(test_run),
		cmocka_unit_test(test_needs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
