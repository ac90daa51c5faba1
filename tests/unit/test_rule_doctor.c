// SPDX-License-Identifier: GPL-2.0
/*
 * The doctor rules (rank/rule_doctor_*.c) on facts recorded from real
 * misconfigured pods (tests/e2e/capture_doctor_facts.py: `gotrace doctor
 * --json` on doctorapp and httpd's cgo build in minikubelet). Expectations
 * come from how each pod was made (its comment line): the 64 MiB limit, the
 * 0.5 CPU quota and GOMAXPROCS=8, port 80 without the capability, the
 * config file on a volume at /etc/app, the Go runtime's own panic message
 * for a nil map write.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "out/units.h"
#include "rank/fact.h"
#include "rank/rules.h"
#include "testutil.h"

#define MIB (1024ULL * 1024)

static const char *const doctor_rules[] = {"doctor.", NULL};

struct verdict {
	struct fact_store fs;
	struct cand_list cands;
};

static void evaluate(struct verdict *v, const char *name)
{
	char path[PATH_MAX];

	memset(v, 0, sizeof(*v));
	snprintf(path, sizeof(path), "%s/tests/unit/facts/doctor_%s.jsonl", tu_repo_root(), name);
	assert_int_equal(fact_store__load_jsonl(&v->fs, path), 0);
	assert_true(v->fs.n > 0);
	rank__evaluate(&v->fs, doctor_rules, &v->cands);
}

static void release(struct verdict *v)
{
	cand_list__clear(&v->cands);
	fact_store__clear(&v->fs);
}

static const struct candidate *top(const struct verdict *v)
{
	assert_true(v->cands.n > 0);
	return &v->cands.v[0];
}

static bool has(const char *s, const char *needle)
{
	return s && strstr(s, needle);
}

static bool any_line(char *const *lines, size_t n, const char *needle)
{
	for (size_t i = 0; i < n; i++)
		if (strstr(lines[i], needle))
			return true;
	return false;
}

/* 90% of the capture's 64 MiB limit in whole MiB, as the fix must say it. */
static void fix_names_memlimit(const struct candidate *c)
{
	char want[32];

	snprintf(want, sizeof(want), "GOMEMLIMIT=%lluMiB", (unsigned long long)(64 * 9 / 10));
	assert_true(has(c->fix, want));
}

static void test_memlimit_unset(void **state)
{
	struct verdict v;

	evaluate(&v, "memlimit_unset");
	assert_string_equal(top(&v)->rule, "doctor.go_memlimit");
	assert_true(has(top(&v)->cause, "GOMEMLIMIT unset"));
	assert_int_equal(top(&v)->severity, SEV_WARNING); /* no kill yet: a risk */
	fix_names_memlimit(top(&v));
	release(&v);
}

static void test_memlimit_above(void **state)
{
	struct verdict v;

	evaluate(&v, "memlimit_above");
	assert_string_equal(top(&v)->rule, "doctor.go_memlimit");
	assert_true(has(top(&v)->cause, "above the limit"));
	fix_names_memlimit(top(&v));
	release(&v);
}

static void test_gogc_off(void **state)
{
	struct verdict v;

	evaluate(&v, "gogc_off");
	assert_string_equal(top(&v)->rule, "doctor.go_memlimit");
	assert_true(has(top(&v)->cause, "GOGC=off"));
	assert_true(has(top(&v)->fix, "GOGC=off"));
	release(&v);
}

static void test_cpu_quota(void **state)
{
	struct verdict v;
	char want[32];

	evaluate(&v, "cpu_quota");
	assert_string_equal(top(&v)->rule, "doctor.cpu_quota");
	assert_true(has(top(&v)->cause, "GOMAXPROCS=8"));
	/* Two goroutines spinning under 0.5 CPU: throttled, and it counts. */
	assert_true(any_line(top(&v)->basis, top(&v)->nbasis, "cpu_throttling"));
	snprintf(want, sizeof(want), "GOMAXPROCS=%d", (int)ceil(0.5));
	assert_true(has(top(&v)->fix, want));
	release(&v);
}

static void test_bind(void **state)
{
	struct verdict v;

	evaluate(&v, "bind");
	assert_string_equal(top(&v)->rule, "doctor.bind_denied");
	assert_int_equal(top(&v)->severity, SEV_CRITICAL);
	assert_true(has(top(&v)->cause, "port 80"));
	assert_true(any_line(top(&v)->evidence, top(&v)->nevidence, "uid 1000"));
	/* The log line and the configured port are one failure: one candidate. */
	for (size_t i = 1; i < v.cands.n; i++)
		assert_false(!strncmp(v.cands.v[i].rule, "doctor.bind", 11));
	release(&v);
}

/* The binary fact and the log line explain one failure: merged. */
static void test_exec_libc(void **state)
{
	const struct fact *b;
	struct verdict v;

	evaluate(&v, "exec_libc");
	b = fact_store__latest(&v.fs, "binary", NULL);
	assert_non_null(b);
	assert_string_equal(top(&v)->rule, "doctor.exec_fail");
	assert_int_equal(top(&v)->severity, SEV_CRITICAL);
	assert_true(has(top(&v)->cause, fact_str(b, "interp")));
	assert_true(has(top(&v)->merged_rules, "doctor.exec_fail"));
	assert_true(has(top(&v)->fix, "CGO_ENABLED=0"));
	release(&v);
}

static void test_exec_log(void **state)
{
	struct verdict v;

	evaluate(&v, "exec_log");
	assert_null(fact_store__latest(&v.fs, "binary", NULL)); /* no image to look in */
	assert_string_equal(top(&v)->rule, "doctor.exec_fail");
	assert_true(has(top(&v)->cause, "/app/httpd"));
	assert_true(has(top(&v)->cause, "ENOENT"));
	release(&v);
}

static void test_config(void **state)
{
	struct verdict v;

	evaluate(&v, "config");
	assert_string_equal(top(&v)->rule, "doctor.config_path");
	assert_true(has(top(&v)->cause, "config.yaml"));
	assert_true(has(top(&v)->fix, "/etc/app/config.yaml"));
	release(&v);
}

static void test_config_loop(void **state)
{
	struct verdict v;
	bool found = false;

	evaluate(&v, "config_loop");
	for (size_t i = 0; i < v.cands.n && i < 2; i++)
		found |= !strcmp(v.cands.v[i].rule, "doctor.config_path") &&
			 has(v.cands.v[i].cause, "config.yaml");
	assert_true(found);
	release(&v);
}

static void test_oom_loop(void **state)
{
	const struct fact *k;
	struct verdict v;
	char lim[32];

	evaluate(&v, "oom_loop");
	k = fact_store__latest(&v.fs, "oom_kill_log", NULL);
	assert_int_equal(fact_int(k, "limit_bytes", 0), (int64_t)(64 * MIB));
	assert_true(fact_int(k, "kills", 0) >= 2);
	assert_string_equal(top(&v)->rule, "doctor.oom_killed");
	assert_int_equal(top(&v)->severity, SEV_CRITICAL);
	assert_true(has(top(&v)->cause, fmt_bytes(64 * MIB, lim, sizeof(lim))));
	release(&v);
}

static void test_panic(void **state)
{
	struct verdict v;

	evaluate(&v, "panic");
	assert_string_equal(top(&v)->rule, "doctor.go_crash");
	assert_true(has(top(&v)->cause, "assignment to entry in nil map"));
	/* The crash loop itself merged into the explanation. */
	assert_true(has(top(&v)->merged_rules, "doctor.crash_loop"));
	release(&v);
}

static void test_healthy(void **state)
{
	struct verdict v;

	evaluate(&v, "healthy");
	assert_int_equal(v.cands.n, 0);
	release(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memlimit_unset), cmocka_unit_test(test_memlimit_above),
		cmocka_unit_test(test_gogc_off),       cmocka_unit_test(test_cpu_quota),
		cmocka_unit_test(test_bind),	       cmocka_unit_test(test_exec_libc),
		cmocka_unit_test(test_exec_log),       cmocka_unit_test(test_config),
		cmocka_unit_test(test_config_loop),    cmocka_unit_test(test_oom_loop),
		cmocka_unit_test(test_panic),	       cmocka_unit_test(test_healthy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
