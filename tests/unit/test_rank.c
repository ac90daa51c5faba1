// SPDX-License-Identifier: GPL-2.0
/*
 * The shared ranking machinery: facts round-trip through JSON, candidates
 * merge when they explain the same event, the score is the sum of its basis
 * (clamped), the block rules fire on recorded facts, and the live view
 * folds a crash loop's deaths into one row per container and story.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/err.h"
#include "live/live.h"
#include "rank/candidate.h"
#include "rank/fact.h"
#include "rank/rules.h"

static void test_fact_json_roundtrip(void **state)
{
	struct fact *f = fact_new("oom_kill", "pod:u/app", 1234), *g = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	struct json_writer w;

	fact_set_str(f, "comm", "a\x1b[31m\"q\"");
	fact_set_int(f, "limit_bytes", 67108864);
	fact_set_float(f, "growth_per_s", 1.5);
	fact_set_bool(f, "go", true);
	json_init(&w, m);
	fact_write_json(&w, NULL, f);
	json_end_line(&w);
	fclose(m);
	assert_int_equal(fact_read_json(buf, len, &g), 0);
	assert_string_equal(g->kind, "oom_kill");
	assert_string_equal(g->subject, "pod:u/app");
	assert_true(g->time_ns == 1234);
	assert_string_equal(fact_str(g, "comm"), "a\x1b[31m\"q\"");
	assert_true(fact_int(g, "limit_bytes", 0) == 67108864);
	assert_true(fact_float(g, "growth_per_s", 0) == 1.5);
	assert_true(fact_bool(g, "go", false));
	fact_free(g);
	g = NULL;
	assert_int_equal(fact_read_json("{\"kind\":1}", 10, &g), -GT_EFORMAT);
	assert_int_equal(fact_read_json("{\"kind\":\"x\",", 12, &g), -GT_EFORMAT);
	free(buf);
	fact_free(f);
}

static bool is_exit(const struct fact *f)
{
	return !strcmp(f->kind, "exit");
}

/*
 * The byte budget: the oldest facts go first, those the predicate spares
 * last; what stays is within the budget, in arrival order, and the sum the
 * trim returns is the sum of fact_bytes() over what stayed.
 */
static void test_trim_bytes(void **state)
{
	struct fact_store fs = {0};
	size_t total = 0, sum = 0, budget;
	char pad[200];

	memset(pad, 'x', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	for (int i = 0; i < 100; i++) {
		struct fact *f = fact_new(i % 10 ? "open_fail" : "exit", "pod:u/app", (uint64_t)i);

		fact_set_int(f, "i", i);
		fact_set_str(f, "path", pad);
		total += fact_bytes(f);
		assert_int_equal(fact_store__add(&fs, f), 0);
	}
	assert_true(fact_bytes(fs.v[0]) > sizeof(pad));
	budget = total / 4;
	sum = fact_store__trim_bytes(&fs, budget, is_exit);
	assert_true(sum <= budget);
	for (size_t i = 0, s2 = 0; i < fs.n; i++) {
		s2 += fact_bytes(fs.v[i]);
		if (i + 1 == fs.n)
			assert_true(s2 == sum);
		if (i)
			assert_true(fs.v[i]->time_ns > fs.v[i - 1]->time_ns);
	}
	/* All 10 exits are spared (they fit); the newest open_fail facts fill the rest. */
	{
		size_t exits = 0;

		for (size_t i = 0; i < fs.n; i++)
			exits += is_exit(fs.v[i]);
		assert_int_equal(exits, 10);
		assert_true(fs.v[fs.n - 1]->time_ns == 99);
	}
	/*
	 * Below what the spared facts take: every other fact goes first (the
	 * newest too), then the spared ones, oldest first: the two newest exits stay.
	 */
	sum = fact_store__trim_bytes(&fs, fact_bytes(fs.v[0]) * 2, is_exit);
	assert_int_equal(fs.n, 2);
	assert_true(is_exit(fs.v[0]) && fs.v[0]->time_ns == 80);
	assert_true(is_exit(fs.v[1]) && fs.v[1]->time_ns == 90);
	fact_store__clear(&fs);
	(void)state;
}

static struct candidate *cand(struct cand_list *l, const char *rule, const char *subject,
			      const char *key, int score, const char *ev)
{
	struct candidate *c = cand_list__add(l, rule, subject);

	snprintf(c->merge_key, sizeof(c->merge_key), "%s", key);
	cand_basis(c, score, "test basis for %s", rule);
	cand_cause(c, "%s cause", rule);
	cand_evidence(c, "%s", ev);
	return c;
}

static void test_merge_same_death(void **state)
{
	struct cand_list l = {0};

	cand(&l, "crash_killed", "pod:u/app", "death:42", 50, "SIGKILL from the kernel");
	cand(&l, "oom_memcg", "pod:u/app", "death:42", 80, "usage 64 MiB of 64 MiB");
	cand(&l, "oom_memcg", "pod:u/other", "death:42", 70, "another container");
	cand(&l, "crash_exit", "pod:u/app", "", 20, "never merges");
	cand_list__finish(&l);
	assert_int_equal(l.n, 3);
	/* The higher score keeps its cause; the agreement adds 10; both evidences stay. */
	assert_string_equal(l.v[0].rule, "oom_memcg");
	assert_string_equal(l.v[0].subject, "pod:u/app");
	assert_int_equal(l.v[0].score, 90);
	assert_int_equal(l.v[0].nevidence, 2);
	assert_string_equal(l.v[0].merged_rules, "crash_killed");
	assert_string_equal(l.v[1].subject, "pod:u/other");
	assert_string_equal(l.v[2].rule, "crash_exit");
	cand_list__clear(&l);
}

static void test_score_clamped(void **state)
{
	struct cand_list l = {0};
	struct candidate *c = cand_list__add(&l, "r", "s");

	cand_basis(c, 70, "a");
	cand_basis(c, 70, "b");
	assert_int_equal(c->score, 100);
	cand_basis(c, -250, "c");
	assert_int_equal(c->score, 0);
	assert_int_equal(c->nbasis, 3);
	assert_non_null(strstr(c->basis[0], "+70 a"));
	cand_list__clear(&l);
}

/* The line of a MARK comment in a fixture's source (the oracle for lines). */
static int mark_line(const char *path, const char *mark)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int n = 0, found = -1;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f) && found < 0) {
		n++;
		if (strstr(line, mark))
			found = n;
	}
	fclose(f);
	assert_true(found > 0);
	return found;
}

/* Facts recorded from a real `gotrace block --json` run on the httpd fixture. */
static void test_block_rules_on_recorded_facts(void **state)
{
	static const char *const prefixes[] = {"block.", NULL};
	struct fact_store fs = {0};
	struct cand_list l = {0};
	size_t i;
	bool handler = false, lock = false;
	char where[64];

	assert_int_equal(fact_store__load_jsonl(&fs, "tests/unit/facts/block_httpd_lock.jsonl"), 0);
	assert_true(fs.n > 0);
	rank__evaluate(&fs, prefixes, &l);
	assert_true(l.n > 0);
	for (i = 0; i < l.n; i++) {
		handler |= !strcmp(l.v[i].rule, "block.handler_blocked");
		lock |= !strcmp(l.v[i].rule, "block.lock_contention") ||
			strstr(l.v[i].merged_rules, "block.lock_contention");
	}
	/* The fixture's /lock handler held one mutex for 1.5 s while two more requests waited. */
	assert_true(handler);
	assert_true(lock);
	/* #1 is about the mutex the /lock handler takes: MARK:handlerlock in the fixture. */
	snprintf(where, sizeof(where), "main.go:%d",
		 mark_line("tests/fixtures/httpd/main.go", "MARK:handlerlock"));
	assert_non_null(strstr(l.v[0].cause, where));
	cand_list__clear(&l);
	fact_store__clear(&fs);
}

static void test_fold_crash_loop(void **state)
{
	struct cand_list l = {0};
	struct candidate *c;
	int i;

	for (i = 0; i < 3; i++) {
		char key[32];

		snprintf(key, sizeof(key), "death:%d", 100 + i);
		c = cand(&l, "crash_go_fatal", "pod:u/app", key, 100, "panic");
		cand_seen(c, 1000 + i);
		snprintf(c->display, sizeof(c->display), "restart %d", i);
	}
	cand(&l, "crash_restart_loop", "pod:u/app", "loop:pod:u/app", 50, "3 deaths");
	live_fold(&l);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].rule, "crash_go_fatal");
	assert_int_equal(l.v[0].count, 3);
	assert_true(l.v[0].first_seen_ns == 1000);
	assert_true(l.v[0].last_seen_ns == 1002);
	assert_string_equal(l.v[0].display, "restart 2"); /* the newest death's */
	cand_list__clear(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fact_json_roundtrip),
		cmocka_unit_test(test_trim_bytes),
		cmocka_unit_test(test_merge_same_death),
		cmocka_unit_test(test_score_clamped),
		cmocka_unit_test(test_block_rules_on_recorded_facts),
		cmocka_unit_test(test_fold_crash_loop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
