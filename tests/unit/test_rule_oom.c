// SPDX-License-Identifier: GPL-2.0
/*
 * The OOM rules (rank/rule_oom_*.c) on facts recorded from real memcg OOM
 * kills (tests/e2e/capture_oom_facts.py: the oomalloc fixture in a 64 MiB
 * minikubelet pod with `gotrace oom --json` watching). The expectations come
 * from how each kill was made (the environment the capture set, the 64 MiB
 * limit it gave the container), not from gotrace's output. The heap_*
 * facts carry the Go heap state read at the death (rule oom_go_heap): how
 * the fixture was told to behave (leak with GOGC 100, GC off or a memory
 * limit set in code, killed by its child, not read ahead) decides the
 * verdict expected.
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

#include "rank/fact.h"
#include "rank/oom_evidence.h"
#include "rank/rules.h"
#include "testutil.h"

#define MIB (1024ULL * 1024)
/* The capture's container limit, and the GOMEMLIMIT a fix should suggest: 90%, whole MiB. */
#define LIMIT (64 * MIB)
#define SUGGEST_MIB "57MiB" /* floor(64 * 0.9) */

static const char *const oom_rules[] = {"oom_", NULL};

struct verdict {
	struct fact_store fs;
	struct cand_list cands;
};

static void evaluate(struct verdict *v, const char *name)
{
	char path[PATH_MAX];

	memset(v, 0, sizeof(*v));
	snprintf(path, sizeof(path), "%s/tests/unit/facts/oom_%s.jsonl", tu_repo_root(), name);
	assert_int_equal(fact_store__load_jsonl(&v->fs, path), 0);
	assert_int_equal(v->fs.n, 1);
	rank__evaluate(&v->fs, oom_rules, &v->cands);
}

static void release(struct verdict *v)
{
	cand_list__clear(&v->cands);
	fact_store__clear(&v->fs);
}

/* Did rule produce (or merge into) the top candidate? */
static bool top_has(const struct verdict *v, const char *rule)
{
	const struct candidate *c = &v->cands.v[0];

	return !strcmp(c->rule, rule) || strstr(c->merged_rules, rule);
}

static bool any_line(char *const *lines, size_t n, const char *needle)
{
	for (size_t i = 0; i < n; i++)
		if (strstr(lines[i], needle))
			return true;
	return false;
}

/* Every kill is one death: all candidates merge into one, keyed by the victim's pid. */
static void assert_one_death(const struct verdict *v)
{
	char key[64];

	assert_int_equal(v->cands.n, 1);
	snprintf(key, sizeof(key), "death:%lld", (long long)fact_int(v->fs.v[0], "victim_pid", -1));
	assert_string_equal(v->cands.v[0].merge_key, key);
	assert_int_equal(v->cands.v[0].severity, SEV_CRITICAL);
}

static void test_leak_unset(void **state)
{
	struct verdict v;

	evaluate(&v, "leak_unset");
	assert_one_death(&v);
	assert_string_equal(v.cands.v[0].rule, "oom_go_memlimit_unset");
	assert_true(top_has(&v, "oom_memcg"));
	assert_non_null(strstr(v.cands.v[0].cause, "GOMEMLIMIT unset"));
	assert_non_null(strstr(v.cands.v[0].fix, "GOMEMLIMIT=" SUGGEST_MIB));
	/* The leak grew steadily: the trajectory says so. */
	assert_true(
		any_line(v.cands.v[0].evidence, v.cands.v[0].nevidence, "before the kill: grew"));
	release(&v);
}

static void test_jump_above(void **state)
{
	struct verdict v;

	evaluate(&v, "jump_above");
	assert_one_death(&v);
	assert_string_equal(v.cands.v[0].rule, "oom_go_memlimit_above");
	assert_non_null(strstr(v.cands.v[0].cause, "GOMEMLIMIT=128MiB"));
	assert_non_null(strstr(v.cands.v[0].cause, "above"));
	assert_non_null(strstr(v.cands.v[0].fix, "GOMEMLIMIT=" SUGGEST_MIB));
	/* One 80 MiB allocation: the evidence calls it a jump, not growth. */
	assert_true(any_line(v.cands.v[0].evidence, v.cands.v[0].nevidence, "sudden jump"));
	release(&v);
}

static void test_leak_close(void **state)
{
	struct verdict v;

	evaluate(&v, "leak_close");
	assert_one_death(&v);
	assert_string_equal(v.cands.v[0].rule, "oom_go_memlimit_above");
	assert_non_null(strstr(v.cands.v[0].cause, "too close"));
	release(&v);
}

static void test_leak_below(void **state)
{
	struct verdict v;

	evaluate(&v, "leak_below");
	assert_one_death(&v);
	/* GOMEMLIMIT=40MiB was set and sane: no Go mismatch, a leak. */
	assert_string_equal(v.cands.v[0].rule, "oom_memcg");
	assert_string_equal(v.cands.v[0].merged_rules, "");
	assert_true(any_line(v.cands.v[0].evidence, v.cands.v[0].nevidence, "outgrew"));
	release(&v);
}

static void test_gogc_off(void **state)
{
	struct verdict v;

	evaluate(&v, "gogc_off");
	assert_one_death(&v);
	assert_string_equal(v.cands.v[0].rule, "oom_go_gogc_off");
	assert_true(top_has(&v, "oom_memcg"));
	assert_false(top_has(&v, "oom_go_memlimit_unset"));
	assert_non_null(strstr(v.cands.v[0].cause, "GOGC=off"));
	assert_non_null(strstr(v.cands.v[0].fix, "GOMEMLIMIT=" SUGGEST_MIB));
	release(&v);
}

static void test_trigger(void **state)
{
	struct verdict v;
	char want[64];

	evaluate(&v, "trigger");
	assert_one_death(&v);
	snprintf(want, sizeof(want), "triggered by pid %lld",
		 (long long)fact_int(v.fs.v[0], "trigger_pid", -1));
	assert_true(fact_int(v.fs.v[0], "trigger_pid", -1) !=
		    fact_int(v.fs.v[0], "victim_pid", -1));
	assert_true(any_line(v.cands.v[0].evidence, v.cands.v[0].nevidence, want));
	release(&v);
}

static void test_c_victim(void **state)
{
	struct verdict v;

	evaluate(&v, "c_victim");
	assert_one_death(&v);
	assert_string_equal(v.cands.v[0].rule, "oom_memcg");
	assert_string_equal(v.cands.v[0].merged_rules, "");
	assert_false(any_line(v.cands.v[0].evidence, v.cands.v[0].nevidence, "GOGC"));
	release(&v);
}

/* A Go older than 1.19 has no GOMEMLIMIT: the fix must not tell it to set one alone. */
static void test_old_go(void **state)
{
	struct verdict v;

	evaluate(&v, "leak_unset");
	assert_int_equal(fact_set_str(v.fs.v[0], "go_version", "go1.18.10"), 0);
	rank__evaluate(&v.fs, oom_rules, &v.cands);
	assert_string_equal(v.cands.v[0].rule, "oom_go_memlimit_unset");
	assert_non_null(strstr(v.cands.v[0].fix, "needs Go 1.19+"));
	release(&v);
}

/* The environment unread (a victim gone before gotrace saw it): no Go verdict. */
static void test_env_unknown(void **state)
{
	struct verdict v;

	evaluate(&v, "gogc_off");
	assert_int_equal(fact_set_bool(v.fs.v[0], "env_known", false), 0);
	rank__evaluate(&v.fs, oom_rules, &v.cands);
	assert_int_equal(v.cands.n, 1);
	assert_string_equal(v.cands.v[0].rule, "oom_memcg");
	release(&v);
}

static void test_suggest(void **state)
{
	assert_int_equal(oom_suggest_memlimit(LIMIT), 57 * MIB);
	assert_int_equal(oom_suggest_memlimit(1024 * MIB), 921 * MIB);
}

/* A leak, GOGC 100, no limit: the next GC was due past the limit; set GOMEMLIMIT. */
static void test_heap_pacing(void **state)
{
	struct verdict v;

	evaluate(&v, "heap_pacing");
	assert_one_death(&v);
	assert_string_equal(v.cands.v[0].rule, "oom_go_heap");
	assert_true(top_has(&v, "oom_go_memlimit_unset"));
	assert_true(top_has(&v, "oom_memcg"));
	assert_non_null(strstr(v.cands.v[0].cause, "next Go GC was due"));
	assert_non_null(strstr(v.cands.v[0].fix, "set GOMEMLIMIT=" SUGGEST_MIB));
	assert_true(
		any_line(v.cands.v[0].evidence, v.cands.v[0].nevidence, "Go heap at the death"));
	release(&v);
}

/* debug.SetGCPercent(-1) with nothing in the environment: GC off, named as set in code. */
static void test_heap_gogc_off_code(void **state)
{
	struct verdict v;

	evaluate(&v, "heap_gogc_off_code");
	assert_one_death(&v);
	assert_string_equal(v.cands.v[0].rule, "oom_go_heap");
	assert_null(fact_str(v.fs.v[0], "gogc"));
	assert_true(top_has(&v, "oom_go_gogc_off"));
	/* The environment says GOGC 100: only the runtime's own state knows the GC was off. */
	assert_false(top_has(&v, "oom_go_memlimit_unset"));
	assert_non_null(strstr(v.cands.v[0].cause, "set in code by debug.SetGCPercent(-1)"));
	assert_non_null(strstr(v.cands.v[0].fix, "remove debug.SetGCPercent(-1)"));
	release(&v);
}

/* debug.SetMemoryLimit(40 MiB) and a leak: the live heap filled the limit; no knob helps. */
static void test_heap_live_code(void **state)
{
	struct verdict v;

	evaluate(&v, "heap_live_code");
	assert_one_death(&v);
	assert_string_equal(v.cands.v[0].rule, "oom_go_heap");
	assert_null(fact_str(v.fs.v[0], "gomemlimit"));
	assert_false(top_has(&v, "oom_go_memlimit_unset"));
	assert_non_null(strstr(v.cands.v[0].cause, "live Go heap"));
	assert_non_null(strstr(v.cands.v[0].fix, "GOMEMLIMIT will not save it"));
	assert_true(any_line(v.cands.v[0].evidence, v.cands.v[0].nevidence,
			     "set in code by debug.SetMemoryLimit"));
	release(&v);
}

/* Killed for its child's growth: its own heap was not what filled the cgroup. */
static void test_heap_trigger(void **state)
{
	struct verdict v;

	evaluate(&v, "heap_trigger");
	assert_one_death(&v);
	assert_string_equal(v.cands.v[0].rule, "oom_go_heap");
	assert_non_null(strstr(v.cands.v[0].cause, "not its Go heap"));
	assert_true(any_line(v.cands.v[0].evidence, v.cands.v[0].nevidence, "triggered by pid"));
	release(&v);
}

/* Not read ahead: no heap verdict, the environment's rules, and the reason. */
static void test_heap_unavailable(void **state)
{
	struct verdict v;

	evaluate(&v, "heap_unavailable");
	assert_one_death(&v);
	assert_string_equal(v.cands.v[0].rule, "oom_go_memlimit_unset");
	assert_false(top_has(&v, "oom_go_heap"));
	assert_true(any_line(v.cands.v[0].evidence, v.cands.v[0].nevidence,
			     "Go heap state at the death unavailable: gotrace had not read"));
	release(&v);
}

/* The pacing kill's fact, changed into one allocation past a low goal: the jump verdict. */
static void test_heap_jump(void **state)
{
	struct fact *f;
	struct verdict v;

	evaluate(&v, "heap_pacing");
	f = v.fs.v[0];
	assert_int_equal(fact_set_int(f, "go_heap_marked_bytes", 8 * MIB), 0);
	assert_int_equal(fact_set_int(f, "go_heap_goal_bytes", 16 * MIB), 0);
	assert_int_equal(fact_set_int(f, "go_heap_live_bytes", 88 * MIB), 0);
	assert_int_equal(fact_set_int(f, "go_runtime_mapped_bytes", 96 * MIB), 0);
	rank__evaluate(&v.fs, oom_rules, &v.cands);
	assert_string_equal(v.cands.v[0].rule, "oom_go_heap");
	assert_non_null(strstr(v.cands.v[0].cause, "one allocation outgrew"));
	release(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leak_unset),	 cmocka_unit_test(test_jump_above),
		cmocka_unit_test(test_leak_close),	 cmocka_unit_test(test_leak_below),
		cmocka_unit_test(test_gogc_off),	 cmocka_unit_test(test_trigger),
		cmocka_unit_test(test_c_victim),	 cmocka_unit_test(test_old_go),
		cmocka_unit_test(test_env_unknown),	 cmocka_unit_test(test_suggest),
		cmocka_unit_test(test_heap_pacing),	 cmocka_unit_test(test_heap_gogc_off_code),
		cmocka_unit_test(test_heap_live_code),	 cmocka_unit_test(test_heap_trigger),
		cmocka_unit_test(test_heap_unavailable), cmocka_unit_test(test_heap_jump),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
