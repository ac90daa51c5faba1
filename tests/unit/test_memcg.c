// SPDX-License-Identifier: GPL-2.0
/*
 * proc/memcg.h: cgroup memory files (v1 and v2) and PSI. The inputs are the
 * kernel's formats as documented (Documentation/admin-guide/cgroup-v1/
 * memory.rst, cgroup-v2.rst, accounting/psi.rst); a cgroup tree made in a
 * temporary directory stands for a mount; and the live /proc/pressure/memory
 * and memory cgroup root are read as a smoke test when present.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "proc/memcg.h"
#include "testutil.h"

static void test_limit(void **state)
{
	uint64_t v;

	assert_int_equal(memcg__parse_limit("max\n", &v), 0);
	assert_true(v == MEMCG_NO_LIMIT);
	/* v1 prints PAGE_COUNTER_MAX pages in bytes for "no limit" (4 KiB pages). */
	assert_int_equal(memcg__parse_limit("9223372036854771712\n", &v), 0);
	assert_true(v == MEMCG_NO_LIMIT);
	assert_int_equal(memcg__parse_limit("67108864\n", &v), 0);
	assert_int_equal(v, 64 << 20);
	assert_int_not_equal(memcg__parse_limit("64M\n", &v), 0);
	assert_int_not_equal(memcg__parse_limit("", &v), 0);
	assert_int_not_equal(memcg__parse_limit("-1", &v), 0);
}

static void test_events(void **state)
{
	struct memcg_state st = {0};

	/* v2 memory.events, with a key this code does not know (oom_group_kill). */
	assert_int_equal(memcg__parse_events("low 0\nhigh 7\nmax 23\noom 2\noom_kill 1\n"
					     "oom_group_kill 0\n",
					     &st),
			 0);
	assert_true(st.have_events);
	assert_int_equal(st.ev_high, 7);
	assert_int_equal(st.ev_max, 23);
	assert_int_equal(st.ev_oom, 2);
	assert_int_equal(st.ev_oom_kill, 1);
	/* v1 memory.oom_control */
	memset(&st, 0, sizeof(st));
	assert_int_equal(memcg__parse_events("oom_kill_disable 0\nunder_oom 1\noom_kill 3\n", &st),
			 0);
	assert_true(st.under_oom);
	assert_int_equal(st.ev_oom_kill, 3);
	assert_int_not_equal(memcg__parse_events("max x\n", &st), 0);
}

static void test_psi(void **state)
{
	struct psi p;

	assert_int_equal(psi__parse("some avg10=1.50 avg60=0.25 avg300=0.00 total=123456\n"
				    "full avg10=0.75 avg60=0.00 avg300=0.00 total=789\n",
				    &p),
			 0);
	assert_true(p.some.valid && p.full.valid);
	assert_true(p.some.avg10 == 1.5 && p.some.avg60 == 0.25);
	assert_int_equal(p.some.total_us, 123456);
	assert_true(p.full.avg10 == 0.75);
	assert_int_equal(p.full.total_us, 789);
	/* /proc/pressure/cpu had no "full" line before v5.13. */
	assert_int_equal(psi__parse("some avg10=0.00 avg60=0.00 avg300=0.00 total=1\n", &p), 0);
	assert_false(p.full.valid);
	assert_int_not_equal(psi__parse("some avg10=x avg60=0 avg300=0 total=1\n", &p), 0);
}

static void mkfile(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(tu_write_file(path, text, strlen(text)), 0);
}

/* A v1 and a v2 cgroup made of files; the walk sees every directory with its inode. */
static void test_files_and_walk(void **state)
{
	char *root = tu_mkdtemp("memcg"), a[PATH_MAX], b[PATH_MAX];
	struct memcg_state st;
	struct stat sa;
	uint64_t id;

	assert_non_null(root);
	snprintf(a, sizeof(a), "%s/kubepods", root);
	snprintf(b, sizeof(b), "%s/kubepods/pod1", root);
	assert_int_equal(mkdir(a, 0755), 0);
	assert_int_equal(mkdir(b, 0755), 0);
	mkfile(b, "memory.usage_in_bytes", "1048576\n");
	mkfile(b, "memory.limit_in_bytes", "67108864\n");
	mkfile(b, "memory.max_usage_in_bytes", "2097152\n");
	mkfile(b, "memory.failcnt", "12\n");
	mkfile(b, "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n");
	assert_int_equal(memcg_state__read(b, 1, MEMCG_READ_ALL, &st), 0);
	assert_int_equal(st.usage_bytes, 1 << 20);
	assert_int_equal(st.limit_bytes, 64 << 20);
	assert_int_equal(st.peak_bytes, 2 << 20);
	assert_int_equal(st.failcnt, 12);
	assert_int_equal(st.ev_oom_kill, 1);
	assert_true(st.high_bytes == MEMCG_NO_LIMIT);
	/* v2 names, in the parent */
	mkfile(a, "memory.current", "4096\n");
	mkfile(a, "memory.max", "max\n");
	mkfile(a, "memory.high", "33554432\n");
	mkfile(a, "memory.events", "low 0\nhigh 1\nmax 2\noom 0\noom_kill 0\n");
	assert_int_equal(memcg_state__read(a, 2, MEMCG_READ_ALL, &st), 0);
	assert_true(st.limit_bytes == MEMCG_NO_LIMIT);
	assert_int_equal(st.high_bytes, 32 << 20);
	assert_int_equal(st.ev_max, 2);
	assert_int_equal(st.peak_bytes, 0); /* no memory.peak before v5.19 */
	assert_int_equal(memcg_state__read("/nonexistent/x", 2, MEMCG_READ_USAGE, &st), -ENOENT);
	assert_int_equal(stat(b, &sa), 0);
	assert_int_equal(cgroup__id(root, "/kubepods/pod1", &id), 0);
	assert_int_equal(id, sa.st_ino);
	assert_int_equal(cgroup__id(root, "/nope", &id), -ENOENT);
	tu_rmrf(root);
	free(root);
}

/* The live files, when this machine has them: they parse. */
static void test_live(void **state)
{
	struct psi p;

	if (!tu_exists("/proc/pressure/memory"))
		skip();
	assert_int_equal(psi__read("/proc/pressure/memory", &p), 0);
	assert_true(p.some.valid && p.full.valid);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limit), cmocka_unit_test(test_events),
		cmocka_unit_test(test_psi),   cmocka_unit_test(test_files_and_walk),
		cmocka_unit_test(test_live),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
