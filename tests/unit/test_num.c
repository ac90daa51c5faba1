// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/num.h"

static void test_u64(void **state)
{
	uint64_t v;

	assert_int_equal(num_parse_u64("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(num_parse_u64("0x1F", 0, 100, &v), 0);
	assert_int_equal(v, 31);
	assert_int_equal(num_parse_u64("18446744073709551615", 0, UINT64_MAX, &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(num_parse_u64("18446744073709551616", 0, UINT64_MAX, &v), -ERANGE);
	assert_int_equal(num_parse_u64("101", 0, 100, &v), -ERANGE);
	assert_int_equal(num_parse_u64("", 0, 100, &v), -EINVAL);
	assert_int_equal(num_parse_u64(" 1", 0, 100, &v), -EINVAL);
	assert_int_equal(num_parse_u64("-1", 0, 100, &v), -EINVAL);
	assert_int_equal(num_parse_u64("12abc", 0, 100, &v), -EINVAL);
	assert_int_equal(num_parse_u64("0x", 0, 100, &v), -EINVAL);
}

static void test_i64(void **state)
{
	int64_t v;

	assert_int_equal(num_parse_i64("-5", -10, 10, &v), 0);
	assert_int_equal(v, -5);
	assert_int_equal(num_parse_i64("-9223372036854775808", INT64_MIN, INT64_MAX, &v), 0);
	assert_true(v == INT64_MIN);
	assert_int_equal(num_parse_i64("9223372036854775808", INT64_MIN, INT64_MAX, &v), -ERANGE);
	assert_int_equal(num_parse_i64("-11", -10, 10, &v), -ERANGE);
	assert_int_equal(num_parse_i64("--1", -10, 10, &v), -EINVAL);
}

static void test_duration(void **state)
{
	uint64_t v;

	assert_int_equal(num_parse_duration_ns("10", 1000000000ULL, &v), 0);
	assert_true(v == 10000000000ULL);
	assert_int_equal(num_parse_duration_ns("500ms", 1000000000ULL, &v), 0);
	assert_true(v == 500000000ULL);
	assert_int_equal(num_parse_duration_ns("1.5s", 1000000000ULL, &v), 0);
	assert_true(v == 1500000000ULL);
	assert_int_equal(num_parse_duration_ns("2m", 1, &v), 0);
	assert_true(v == 120000000000ULL);
	assert_int_equal(num_parse_duration_ns("7us", 1, &v), 0);
	assert_true(v == 7000ULL);
	assert_int_equal(num_parse_duration_ns("1.", 1, &v), -EINVAL);
	assert_int_equal(num_parse_duration_ns("5 s", 1, &v), -EINVAL);
	assert_int_equal(num_parse_duration_ns("5x", 1, &v), -EINVAL);
	assert_int_equal(num_parse_duration_ns("-5s", 1, &v), -EINVAL);
	assert_int_equal(num_parse_duration_ns("99999999999h", 1, &v), -ERANGE);
}

static void test_size(void **state)
{
	uint64_t v;

	assert_int_equal(num_parse_size("64M", &v), 0);
	assert_true(v == 64ULL << 20);
	assert_int_equal(num_parse_size("1.5GiB", &v), 0);
	assert_true(v == 3ULL << 29);
	assert_int_equal(num_parse_size("12", &v), 0);
	assert_true(v == 12);
	assert_int_equal(num_parse_size("12Q", &v), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_i64),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
