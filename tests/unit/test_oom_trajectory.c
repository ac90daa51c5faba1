// SPDX-License-Identifier: GPL-2.0
/*
 * oom/trajectory.h on usage series generated here from known shapes (the
 * generator's parameters are the oracle): a steady leak, one big
 * allocation, a working set sitting at the limit, no history at all.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "oom/trajectory.h"

#define MIB (1024ULL * 1024)
#define MS 1000000ULL
#define LIMIT (64 * MIB)
#define T0 (1000000 * MS) /* an arbitrary monotonic start */
#define WINDOW (120000 * MS)

static struct traj_sample s[2000];

/* Flat at base until t_rise, then rate bytes/s, sampled every period; the kill at the limit. */
static size_t leak(uint64_t base, uint64_t t_rise_ms, double rate, uint64_t period_ms,
		   uint64_t *kill_ns)
{
	size_t n = 0;

	for (uint64_t t = 0;; t += period_ms) {
		double u = t < t_rise_ms ? base : base + rate * (t - t_rise_ms) / 1000.0;

		if (u >= LIMIT) {
			*kill_ns = T0 + t * MS;
			return n;
		}
		s[n++] = (struct traj_sample){T0 + t * MS, (uint64_t)u};
	}
}

static void test_growth(void **state)
{
	struct trajectory t;
	uint64_t kill;
	size_t n = leak(12 * MIB, 2000, 8.0 * MIB, 100, &kill);
	char text[256];

	trajectory__analyze(s, n, kill, LIMIT, LIMIT, WINDOW, &t);
	assert_int_equal(t.kind, TRAJ_GROWTH);
	/* 8 MiB/s, from the 12 MiB plateau, over (64-12)/8 = 6.5 s. */
	assert_true(fabs(t.rate_bytes_per_s - 8.0 * MIB) < 0.5 * MIB);
	assert_true(t.from_bytes <= 13 * MIB && t.from_bytes >= 12 * MIB);
	assert_true(t.rise_ns >= 6400 * MS && t.rise_ns <= 6700 * MS);
	assert_int_equal(t.to_bytes, LIMIT);
	assert_int_equal(t.nsamples, n);
	trajectory__describe(&t, text, sizeof(text));
	assert_non_null(strstr(text, "grew 8.00 MiB/s"));
	assert_non_null(strstr(text, "the 64.0 MiB limit"));
}

static void test_jump(void **state)
{
	struct trajectory t;
	size_t n = 0;
	char text[256];

	/* 14 MiB for 3 s, then one 50 MiB allocation faulted in within 60 ms. */
	for (uint64_t ms = 0; ms <= 3000; ms += 100)
		s[n++] = (struct traj_sample){T0 + ms * MS, 14 * MIB};
	trajectory__analyze(s, n, T0 + 3060 * MS, LIMIT, LIMIT, WINDOW, &t);
	assert_int_equal(t.kind, TRAJ_JUMP);
	assert_int_equal(t.jump_bytes, 50 * MIB);
	assert_int_equal(t.jump_ns, 60 * MS);
	trajectory__describe(&t, text, sizeof(text));
	assert_non_null(strstr(text, "sudden jump of 50.0 MiB"));
}

/* A fast leak (30 MiB/s) is still growth: no single step holds most of the rise. */
static void test_fast_leak(void **state)
{
	struct trajectory t;
	uint64_t kill;
	size_t n = leak(8 * MIB, 500, 30.0 * MIB, 100, &kill);

	trajectory__analyze(s, n, kill, LIMIT, LIMIT, WINDOW, &t);
	assert_int_equal(t.kind, TRAJ_GROWTH);
}

static void test_at_limit(void **state)
{
	struct trajectory t;
	size_t n = 0;

	/* Within 1% of the limit for 10 s: the working set is the limit. */
	for (uint64_t ms = 0; ms < 10000; ms += 100)
		s[n++] = (struct traj_sample){T0 + ms * MS, LIMIT - MIB / 2 - (ms % 300) * 1024};
	trajectory__analyze(s, n, T0 + 10000 * MS, LIMIT, LIMIT, WINDOW, &t);
	assert_int_equal(t.kind, TRAJ_AT_LIMIT);
	assert_int_equal(t.near_limit_ns, 10000 * MS);
}

static void test_no_history(void **state)
{
	struct trajectory t;
	char text[256];

	trajectory__analyze(s, 0, T0, LIMIT, LIMIT, WINDOW, &t);
	assert_int_equal(t.kind, TRAJ_UNKNOWN);
	trajectory__describe(&t, text, sizeof(text));
	assert_non_null(strstr(text, "no earlier samples"));
	/* Samples older than the window or after the kill are not history. */
	s[0] = (struct traj_sample){T0 - WINDOW - MS, MIB};
	s[1] = (struct traj_sample){T0 + MS, MIB};
	trajectory__analyze(s, 2, T0, LIMIT, LIMIT, WINDOW, &t);
	assert_int_equal(t.nsamples, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_growth),	   cmocka_unit_test(test_jump),
		cmocka_unit_test(test_fast_leak),  cmocka_unit_test(test_at_limit),
		cmocka_unit_test(test_no_history),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
