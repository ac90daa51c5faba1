// SPDX-License-Identifier: GPL-2.0
/*
 * The crash and bind rules on facts recorded from real runs of
 * `gotrace crash --json` (tests/unit/facts/crash_*.jsonl: the scenarios of
 * tests/scenarios with GOTRACE_SCENARIO_RECORD, and a refused connect on
 * the host). Each test reads what the rule should say from the facts
 * themselves (the interpreter readelf-equivalent attrs, the sender's pid,
 * the holder's pid, the times) and checks the candidate carries it.
 */
#include <errno.h>
#include <libgen.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rank/candidate.h"
#include "rank/fact.h"
#include "rank/rules.h"

static void load(struct fact_store *fs, const char *name)
{
	char dir[4096], path[8192];
	const char *env = getenv("GOTRACE_FACTS_DIR");

	snprintf(dir, sizeof(dir), "%s", __FILE__);
	snprintf(path, sizeof(path), "%s/%s", env ? env : strcat(dirname(dir), "/facts"), name);
	memset(fs, 0, sizeof(*fs));
	assert_int_equal(fact_store__load_jsonl(fs, path), 0);
	assert_true(fs->n > 0);
}

static const struct fact *first(const struct fact_store *fs, const char *kind)
{
	size_t cur = 0;

	return fact_store__next(fs, &cur, kind, NULL);
}

/* The candidate (after merging) that explains the death of pid, or NULL. */
static const struct candidate *for_death(const struct cand_list *l, const struct fact *f)
{
	char key[64];

	snprintf(key, sizeof(key), "death:%lld", (long long)fact_int(f, "pid", 0));
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].merge_key, key) && !strcmp(l->v[i].subject, f->subject))
			return &l->v[i];
	return NULL;
}

static bool any_evidence(const struct candidate *c, const char *needle)
{
	for (size_t i = 0; i < c->nevidence; i++)
		if (strstr(c->evidence[i], needle))
			return true;
	return false;
}

static void contains(const char *hay, const char *needle)
{
	if (!hay || !needle || !strstr(hay, needle))
		fail_msg("\"%s\" does not contain \"%s\"", hay ? hay : "(null)",
			 needle ? needle : "(null)");
}

static void evaluate(const struct fact_store *fs, const char *prefix, struct cand_list *out)
{
	const char *const prefixes[] = {prefix, NULL};

	memset(out, 0, sizeof(*out));
	rank__evaluate(fs, prefix ? prefixes : NULL, out);
}

static void test_exec_fail_libc(void **state)
{
	struct fact_store fs;
	struct cand_list l;
	const struct fact *f;
	const struct candidate *c;

	load(&fs, "crash_exec_libc.jsonl");
	f = first(&fs, "exec_fail");
	assert_non_null(f);
	evaluate(&fs, NULL, &l);
	c = for_death(&l, f);
	assert_non_null(c);
	assert_string_equal(c->rule, "crash_exec_fail");
	contains(c->cause, fact_str(f, "path"));
	contains(c->cause, fact_str(f, "interpreter"));
	contains(c->cause, fact_str(f, "libc"));
	if (!strcmp(fact_str(f, "cgo_enabled") ?: "", "1"))
		contains(c->fix, "CGO_ENABLED=0");
	/* The generic exit candidate for the same death merged in. */
	contains(c->merged_rules, "crash_exit");
	cand_list__clear(&l);
	fact_store__clear(&fs);
}

static void test_exec_fail_arch(void **state)
{
	struct fact_store fs;
	struct cand_list l;
	const struct fact *f;
	const struct candidate *c;

	load(&fs, "crash_exec_arch.jsonl");
	f = first(&fs, "exec_fail");
	assert_non_null(f);
	assert_string_not_equal(fact_str(f, "elf_machine"), fact_str(f, "host_machine"));
	evaluate(&fs, "crash_exec", &l);
	c = for_death(&l, f);
	assert_non_null(c);
	contains(c->cause, fact_str(f, "elf_machine"));
	contains(c->cause, fact_str(f, "host_machine"));
	cand_list__clear(&l);
	fact_store__clear(&fs);
}

static void test_go_fatal_panic(void **state)
{
	struct fact_store fs;
	struct cand_list l;
	const struct fact *f;
	const struct candidate *c;
	char first_line[512];
	const char *stack;

	load(&fs, "crash_go_panic.jsonl");
	f = first(&fs, "go_fatal");
	assert_non_null(f);
	evaluate(&fs, NULL, &l);
	c = for_death(&l, f);
	assert_non_null(c);
	assert_string_equal(c->rule, "crash_go_fatal");
	assert_int_equal(c->severity, SEV_CRITICAL);
	contains(c->cause, fact_str(f, "message"));
	contains(c->cause, fact_str(f, "top_frame"));
	/* The evidence shows the stack from its first frame outside the runtime. */
	stack = fact_str(f, "stack");
	assert_non_null(stack);
	while (!strncmp(stack, "runtime.", 8) && strchr(stack, '\n'))
		stack = strchr(stack, '\n') + 1;
	snprintf(first_line, sizeof(first_line), "%.*s", (int)strcspn(stack, "\n"), stack);
	assert_true(any_evidence(c, first_line));
	/* Ranked first among everything about this pod. */
	assert_ptr_equal(c, &l.v[0]);
	cand_list__clear(&l);
	fact_store__clear(&fs);
}

static void test_go_fatal_overflow(void **state)
{
	struct fact_store fs;
	struct cand_list l;
	const struct fact *f;
	const struct candidate *c;
	const char *before, *p;
	char limit[64];
	char func[256];

	load(&fs, "crash_go_stack_overflow.jsonl");
	f = first(&fs, "go_fatal");
	assert_non_null(f);
	before = fact_str(f, "output_before");
	assert_non_null(before);
	p = strstr(before, "goroutine stack exceeds ");
	assert_non_null(p);
	snprintf(limit, sizeof(limit), "%lld-byte limit",
		 atoll(p + strlen("goroutine stack exceeds ")));
	snprintf(func, sizeof(func), "%.*s", (int)strcspn(fact_str(f, "top_frame"), " "),
		 fact_str(f, "top_frame"));
	evaluate(&fs, "crash_go", &l);
	c = for_death(&l, f);
	assert_non_null(c);
	contains(c->cause, limit);
	contains(c->cause, func);
	contains(c->fix, func);
	cand_list__clear(&l);
	fact_store__clear(&fs);
}

/* The SIGKILL's sender, and the SIGTERM before it: their facts give pid and grace. */
static void test_killed_after_grace(void **state)
{
	const struct fact *f, *term = NULL, *kill = NULL, *d;
	struct fact_store fs;
	struct cand_list l;
	const struct candidate *c;
	size_t cur = 0;
	char want[64];

	load(&fs, "crash_liveness_kill.jsonl");
	while ((f = fact_store__next(&fs, &cur, "signal", NULL))) {
		if (!strcmp(fact_str(f, "signal_name"), "SIGTERM"))
			term = f;
		else if (!strcmp(fact_str(f, "signal_name"), "SIGKILL"))
			kill = f;
	}
	d = first(&fs, "exit");
	assert_non_null(term);
	assert_non_null(kill);
	assert_non_null(d);
	evaluate(&fs, NULL, &l);
	c = for_death(&l, d);
	assert_non_null(c);
	assert_string_equal(c->rule, "crash_killed");
	snprintf(want, sizeof(want), "pid %lld (%s)", (long long)fact_int(kill, "sender_pid", 0),
		 fact_str(kill, "sender_comm"));
	contains(c->cause, want);
	snprintf(want, sizeof(want), "%.1f s", (double)(kill->time_ns - term->time_ns) / 1e9);
	contains(c->cause, want);
	cand_list__clear(&l);
	fact_store__clear(&fs);
}

static void test_open_fail_config(void **state)
{
	const struct fact *f, *best = NULL;
	struct fact_store fs;
	struct cand_list l;
	const struct candidate *c;
	size_t cur = 0;

	load(&fs, "crash_config_missing.jsonl");
	while ((f = fact_store__next(&fs, &cur, "open_fail", NULL)))
		if (fact_has(f, "found_path"))
			best = f;
	assert_non_null(best);
	evaluate(&fs, NULL, &l);
	c = for_death(&l, best);
	assert_non_null(c);
	assert_string_equal(c->rule, "crash_open_fail");
	contains(c->cause, fact_str(best, "abs_path"));
	contains(c->cause, fact_str(best, "cwd"));
	contains(c->fix, fact_str(best, "found_path"));
	/* The harmless failures of runc's init (/etc/passwd) are not the cause. */
	cur = 0;
	while ((f = fact_store__next(&fs, &cur, "open_fail", NULL)))
		if (f != best)
			assert_null(strstr(c->cause, fact_str(f, "path")));
	cand_list__clear(&l);
	fact_store__clear(&fs);
}

static void test_connect_refused(void **state)
{
	struct fact_store fs;
	struct cand_list l;
	const struct fact *f;
	const struct candidate *c;

	load(&fs, "crash_connect_refused.jsonl");
	f = first(&fs, "connect_fail");
	assert_non_null(f);
	evaluate(&fs, "crash_connect", &l);
	c = for_death(&l, f);
	assert_non_null(c);
	contains(c->cause, fact_str(f, "address"));
	contains(c->cause, fact_str(f, "errno_name"));
	cand_list__clear(&l);
	fact_store__clear(&fs);
}

/* Go's non-blocking dial in a pod: EINPROGRESS, then the refusal from SO_ERROR. */
static void test_connect_nonblocking(void **state)
{
	struct fact_store fs;
	struct cand_list l;
	const struct fact *f;
	const struct candidate *c;

	load(&fs, "crash_connect_nonblocking.jsonl");
	f = first(&fs, "connect_fail");
	assert_non_null(f);
	assert_true(fact_bool(f, "nonblocking", false));
	evaluate(&fs, "crash_connect", &l);
	c = for_death(&l, f);
	assert_non_null(c);
	contains(c->cause, fact_str(f, "address"));
	contains(c->cause, fact_str(f, "errno_name"));
	contains(c->fix, fact_str(f, "address"));
	assert_true(any_evidence(c, fact_str(f, "reported_by")));
	assert_true(any_evidence(c, fact_str(f, "errno_name")));
	cand_list__clear(&l);
	fact_store__clear(&fs);
}

static void test_exit_generic(void **state)
{
	struct fact_store fs;
	struct cand_list l;
	const struct fact *d;
	const struct candidate *c;
	char code[32];

	load(&fs, "crash_config_missing.jsonl");
	d = first(&fs, "exit");
	assert_non_null(d);
	evaluate(&fs, "crash_exit", &l);
	c = for_death(&l, d);
	assert_non_null(c);
	snprintf(code, sizeof(code), "code %lld", (long long)fact_int(d, "exit_code", -1));
	contains(c->cause, code);
	assert_true(any_evidence(c, "output: "));
	cand_list__clear(&l);
	fact_store__clear(&fs);
}

static void test_restart_loop(void **state)
{
	struct fact_store fs;
	struct cand_list l;
	const struct fact *d;
	const struct candidate *c = NULL;
	char key[320], want[64];
	size_t cur = 0, deaths = 0;

	load(&fs, "crash_restart_loop.jsonl");
	while ((d = fact_store__next(&fs, &cur, "exit", NULL)))
		deaths += fact_bool(d, "container_init", false);
	assert_true(deaths >= 3);
	d = first(&fs, "exit");
	evaluate(&fs, "crash_restart", &l);
	snprintf(key, sizeof(key), "loop:%s", d->subject);
	for (size_t i = 0; i < l.n; i++)
		if (!strcmp(l.v[i].merge_key, key))
			c = &l.v[i];
	assert_non_null(c);
	snprintf(want, sizeof(want), "%zu deaths", deaths);
	contains(c->cause, want);
	contains(c->cause, "same cause");
	assert_int_equal(c->count, deaths);
	cand_list__clear(&l);
	fact_store__clear(&fs);
}

static void test_bind_privileged(void **state)
{
	struct fact_store fs;
	struct cand_list l;
	const struct fact *b;
	const struct candidate *c;
	char want[64];

	load(&fs, "crash_bind_privileged.jsonl");
	b = first(&fs, "bind");
	assert_non_null(b);
	assert_false(fact_bool(b, "cap_net_bind_service", true));
	evaluate(&fs, NULL, &l);
	c = for_death(&l, b);
	assert_non_null(c);
	assert_string_equal(c->rule, "bind_privileged");
	snprintf(want, sizeof(want), "port %lld", (long long)fact_int(b, "port", 0));
	contains(c->cause, want);
	snprintf(want, sizeof(want), "=%lld",
		 (long long)fact_int(b, "ip_unprivileged_port_start", 0));
	contains(c->cause, want);
	/* The kernel's own capability verdict was recorded and is cited. */
	assert_true(any_evidence(c, "CAP_NET_BIND_SERVICE denied"));
	cand_list__clear(&l);
	fact_store__clear(&fs);
}

static void test_bind_in_use(void **state)
{
	struct fact_store fs;
	struct cand_list l;
	const struct fact *b;
	const struct candidate *c;
	char want[64];

	load(&fs, "crash_bind_in_use.jsonl");
	b = first(&fs, "bind");
	assert_non_null(b);
	assert_true(fact_has(b, "holder_pid"));
	evaluate(&fs, "bind_", &l);
	c = for_death(&l, b);
	assert_non_null(c);
	snprintf(want, sizeof(want), "pid %lld", (long long)fact_int(b, "holder_pid", 0));
	contains(c->cause, want);
	if (fact_bool(b, "holder_same_pod", false))
		contains(c->cause, fact_str(b, "holder_container"));
	cand_list__clear(&l);
	fact_store__clear(&fs);
}

/* A fact file round-trips: what --json wrote, the loader reads (and rules see the same). */
static void test_recorded_facts_roundtrip(void **state)
{
	struct fact_store fs;
	char *buf = NULL;
	size_t len = 0;
	struct fact *back;
	struct json_writer w;
	FILE *f;

	load(&fs, "crash_go_panic.jsonl");
	for (size_t i = 0; i < fs.n; i++) {
		f = open_memstream(&buf, &len);
		json_init(&w, f);
		fact_write_json(&w, NULL, fs.v[i]);
		json_end_line(&w);
		fclose(f);
		assert_int_equal(fact_read_json(buf, len, &back), 0);
		assert_string_equal(back->kind, fs.v[i]->kind);
		assert_int_equal(back->nattrs, fs.v[i]->nattrs);
		fact_free(back);
		free(buf);
		buf = NULL;
	}
	fact_store__clear(&fs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_fail_libc),
		cmocka_unit_test(test_exec_fail_arch),
		cmocka_unit_test(test_go_fatal_panic),
		cmocka_unit_test(test_go_fatal_overflow),
		cmocka_unit_test(test_killed_after_grace),
		cmocka_unit_test(test_open_fail_config),
		cmocka_unit_test(test_connect_refused),
		cmocka_unit_test(test_connect_nonblocking),
		cmocka_unit_test(test_exit_generic),
		cmocka_unit_test(test_restart_loop),
		cmocka_unit_test(test_bind_privileged),
		cmocka_unit_test(test_bind_in_use),
		cmocka_unit_test(test_recorded_facts_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
