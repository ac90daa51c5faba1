// SPDX-License-Identifier: GPL-2.0
/*
 * --no-feature parsing and the mountinfo → cgroup layout classification,
 * on synthetic mountinfo texts written after proc(5) and real nodes of
 * each kind (the expected layouts are what the texts describe).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/err.h"
#include "kern/cgroup_layout.h"
#include "kern/features.h"
#include "kern/mountinfo.h"

/* A cgroup v1 node (systemd's "legacy"): one hierarchy per controller. */
static const char v1_text[] =
	"22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
	"25 18 0:21 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755\n"
	"26 25 0:22 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:10 - cgroup "
	"cgroup rw,xattr,name=systemd\n"
	"27 25 0:23 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:11 - cgroup cgroup "
	"rw,cpu,cpuacct\n"
	"28 25 0:24 / /sys/fs/cgroup/memlike rw,relatime shared:12 - cgroup cgroup "
	"rw,name=memory2\n"
	"29 25 0:25 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:13 - cgroup "
	"cgroup rw,memory\n";

/* A pure cgroup v2 node; "memory_recursiveprot" must not read as the controller. */
static const char v2_text[] =
	"22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
	"30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
	"rw,nsdelegate,memory_recursiveprot\n";

/* systemd's hybrid layout, as on the machines these tests run on: no optional fields. */
static const char hybrid_text[] =
	"23 1 0:20 / /sys rw,nosuid,nodev,noexec,relatime - sysfs sysfs rw\n"
	"31 23 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	"32 31 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
	"35 31 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
	"41 31 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

static void test_disable_list(void **state)
{
	assert_false(features__disabled(MECH_FENTRY));
	assert_int_equal(features__disable_list(""), 0);
	assert_false(features__disabled(MECH_FENTRY));
	assert_int_equal(features__disable_list("fentry,tracefs"), 0);
	assert_true(features__disabled(MECH_FENTRY));
	assert_true(features__disabled(MECH_TRACEPOINT)); /* "tracefs" is its alias */
	assert_false(features__disabled(MECH_KPROBE));
	assert_false(features__disabled(MECH_TP_BTF));
	assert_int_equal(features__disable_list("raw_tp,"), 0); /* trailing comma tolerated */
	assert_true(features__disabled(MECH_RAW_TP));
	assert_int_equal(features__disable_list("kprobe,bogus"), -GT_EUSAGE);
	assert_non_null(strstr(err_msg(), "'bogus'"));
	/* A prefix of a name is not the name. */
	assert_int_equal(features__disable_list("tp"), -GT_EUSAGE);
	assert_int_equal(features__disable_list("uprobes"), -GT_EUSAGE);
	assert_false(features__disabled(MECH_NR));
}

static void test_layout_v1(void **state)
{
	struct cgroup_layout l;

	assert_int_equal(cgroup_layout__parse(v1_text, &l), 0);
	assert_int_equal(l.mode, CGROUP_V1);
	assert_int_equal(l.memory_version, 1);
	assert_string_equal(l.memory_mount, "/sys/fs/cgroup/memory");
	assert_string_equal(l.unified_mount, "");
}

static void test_layout_v2(void **state)
{
	struct cgroup_layout l;

	assert_int_equal(cgroup_layout__parse(v2_text, &l), 0);
	assert_int_equal(l.mode, CGROUP_V2);
	assert_int_equal(l.memory_version, 2);
	assert_string_equal(l.memory_mount, "/sys/fs/cgroup");
	assert_string_equal(l.unified_mount, "/sys/fs/cgroup");
}

static void test_layout_hybrid(void **state)
{
	struct cgroup_layout l;

	assert_int_equal(cgroup_layout__parse(hybrid_text, &l), 0);
	assert_int_equal(l.mode, CGROUP_HYBRID);
	assert_int_equal(l.memory_version, 1);
	assert_string_equal(l.memory_mount, "/sys/fs/cgroup/memory");
	assert_string_equal(l.unified_mount, "/sys/fs/cgroup/unified");
	assert_string_equal(cgroup_mode_name(l.mode), "hybrid");
}

/* Hybrid where no v1 hierarchy has memory: it is then on the unified one. */
static void test_layout_hybrid_memory_v2(void **state)
{
	static const char text[] =
		"32 31 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
		"41 31 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
	struct cgroup_layout l;

	assert_int_equal(cgroup_layout__parse(text, &l), 0);
	assert_int_equal(l.mode, CGROUP_HYBRID);
	assert_int_equal(l.memory_version, 2);
	assert_string_equal(l.memory_mount, "/sys/fs/cgroup/unified");
}

static void test_layout_none_and_junk(void **state)
{
	static const char text[] = "garbage line without separator\n"
				   "\n"
				   "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
				   "99 1 0:1 / /x rw shared:1 -\n"; /* truncated */
	struct cgroup_layout l;

	assert_int_equal(cgroup_layout__parse(text, &l), 0);
	assert_int_equal(l.mode, CGROUP_NONE);
	assert_int_equal(l.memory_version, 0);
	assert_int_equal(cgroup_layout__parse("", &l), 0);
	assert_int_equal(l.mode, CGROUP_NONE);
}

/* Escapes, several optional fields, and a line too long for the fields. */
static void test_mountinfo_fields(void **state)
{
	static const char text[] = "41 31 0:37 /sub\\040dir /mnt/my\\040cg\\011x rw shared:1 "
				   "master:2 propagate_from:3 - cgroup2 none rw,nsdelegate\n";
	struct mountinfo_ent e;
	const char *pos = text;
	char longline[2048];

	assert_int_equal(mountinfo__next(&pos, &e), 1);
	assert_string_equal(e.root, "/sub dir");
	assert_string_equal(e.mount_point, "/mnt/my cg\tx");
	assert_string_equal(e.fstype, "cgroup2");
	assert_string_equal(e.super_opts, "rw,nsdelegate");
	assert_int_equal(mountinfo__next(&pos, &e), 0);

	memset(longline, 'a', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	memcpy(longline, "1 2 3:4 / /", 11);
	pos = longline;
	assert_int_equal(mountinfo__next(&pos, &e), -GT_EFORMAT);
	assert_int_equal(*pos, '\0'); /* skipped, not stuck */
}

static void test_has_opt(void **state)
{
	assert_true(mountinfo__has_opt("rw,memory", "memory"));
	assert_true(mountinfo__has_opt("memory", "memory"));
	assert_false(mountinfo__has_opt("rw,memory_recursiveprot", "memory"));
	assert_false(mountinfo__has_opt("rw,name=memory", "memory"));
	assert_false(mountinfo__has_opt("", "memory"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_disable_list),
		cmocka_unit_test(test_layout_v1),
		cmocka_unit_test(test_layout_v2),
		cmocka_unit_test(test_layout_hybrid),
		cmocka_unit_test(test_layout_hybrid_memory_v2),
		cmocka_unit_test(test_layout_none_and_junk),
		cmocka_unit_test(test_mountinfo_fields),
		cmocka_unit_test(test_has_opt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
