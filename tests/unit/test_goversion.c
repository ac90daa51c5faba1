// SPDX-License-Identifier: GPL-2.0
/*
 * go_version_parse: the forms runtime.Version() takes (go/version and
 * cmd/dist docs), then every toolchain found, whose `go env GOVERSION` is
 * split independently with sscanf and checked against the parse and the
 * toolchain directory's 1.NN.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include "goelf/goversion.h"

struct vcase {
	const char *s;
	int major, minor, patch;
	bool prerelease, devel;
};

static void test_valid(void **state)
{
	static const struct vcase cases[] = {
		{"go1.21.13", 1, 21, 13, false, false},
		{"go1.26rc1", 1, 26, 0, true, false},
		{"go1.9beta2", 1, 9, 0, true, false},
		{"go1.22.0 X:boringcrypto", 1, 22, 0, false, false},
		{"go1.22.0 X:nocoverageredesign,boringcrypto", 1, 22, 0, false, false},
		{"devel go1.23-abcdef012345 Tue Jul 2 15:00:00 2024 +0000", 1, 23, 0, false, true},
		{"go1.20", 1, 20, 0, false, false},
		{"go1", 1, 0, 0, false, false},
		{"go1.21.0-bigcorp", 1, 21, 0, false, false},
		{"go1.15", 1, 15, 0, false, false},
	};
	struct go_version v;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct vcase *c = &cases[i];

		memset(&v, 0xa5, sizeof(v));
		assert_int_equal(go_version_parse(c->s, &v), 0);
		assert_int_equal(v.major, c->major);
		assert_int_equal(v.minor, c->minor);
		assert_int_equal(v.patch, c->patch);
		assert_int_equal(v.prerelease, c->prerelease);
		assert_int_equal(v.devel, c->devel);
	}
}

static void test_invalid(void **state)
{
	static const char *const bad[] = {
		"",
		"go",
		"go1.",
		"go1.21.",
		"1.21.3",
		"go1.26.go",
		"xgo1.21",
		"go1.21.3.4",
		"go1.21x",
		"gox.1",
		"devel +b2ef1a1 Mon Jan 1 00:00:00 2018 +0000",
		"go99999999999.1",
		"go1.21rc",
		"GO1.21",
		" go1.21",
		NULL,
	};
	struct go_version v = {.major = 7, .minor = 7};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(go_version_parse(bad[i], &v), -EINVAL);
		assert_int_equal(v.major, 7); /* untouched on failure */
	}
}

static void test_cmp_minor(void **state)
{
	struct go_version v;

	assert_int_equal(go_version_parse("go1.21.13", &v), 0);
	assert_true(go_version_cmp_minor(&v, 1, 21) == 0);
	assert_true(go_version_cmp_minor(&v, 1, 22) < 0);
	assert_true(go_version_cmp_minor(&v, 1, 20) > 0);
	assert_true(go_version_cmp_minor(&v, 2, 0) < 0);
	assert_true(go_version_cmp_minor(&v, 0, 99) > 0);
}

static void test_real_toolchains(void **state)
{
	struct tu_go gos[TU_MAX_GOROOTS];
	int n = tu_find_gos(gos, TU_MAX_GOROOTS), i, st, maj, min, pat, k;
	char env[PATH_MAX + 128], cmd[3 * PATH_MAX], *out;
	struct go_version v;

	if (!n) {
		print_message(
			"SKIP: no Go toolchain found (scripts/fetch-go.sh, or a system go)\n");
		skip();
	}
	for (i = 0; i < n; i++) {
		tu_go_env(&gos[i], env, sizeof(env));
		snprintf(cmd, sizeof(cmd), "%s '%s' env GOVERSION", env, gos[i].go);
		out = tu_run(cmd, &st);
		assert_non_null(out);
		assert_int_equal(st, 0);
		out[strcspn(out, "\n")] = '\0';
		pat = 0;
		k = sscanf(out, "go%d.%d.%d", &maj, &min, &pat);
		assert_true(k >= 2);
		assert_int_equal(go_version_parse(out, &v), 0);
		assert_int_equal(v.major, maj);
		assert_int_equal(v.minor, min);
		assert_int_equal(v.minor, gos[i].minor);
		assert_int_equal(v.patch, pat);
		assert_int_equal(go_version_cmp_minor(&v, maj, min), 0);
		print_message("ok %s: %d.%d.%d\n", out, v.major, v.minor, v.patch);
		free(out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_cmp_minor),
		cmocka_unit_test(test_real_toolchains),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
