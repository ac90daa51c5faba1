// SPDX-License-Identifier: GPL-2.0
/*
 * The kubelet log layout /var/log/pods/<ns>_<pod>_<uid>/<container>/<n>.log
 * (kuberuntime BuildPodLogsDirectory/BuildContainerLogsDirectory), built
 * under a temporary host root by the test; the tree it builds is the oracle.
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
#include <unistd.h>
#include <cmocka.h>

#include "proc/podlogs.h"

#define UID "1b4b6e6c-2f1a-4c2b-9a4e-0d7c1f3b5a9e"

static char root[64];

static void touch(const char *rel)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
}

static void mkdirs(const char *rel)
{
	char cmd[PATH_MAX + 32];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/%s'", root, rel);
	assert_int_equal(system(cmd), 0);
}

static int setup(void **state)
{
	strcpy(root, "/tmp/gt-podlogs-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	mkdirs("var/log/pods/kube-system_coredns-5d78c9869d-abcde_other-uid/coredns");
	mkdirs("var/log/pods/default_web-7d9f.x_" UID "/app");
	mkdirs("var/log/pods/default_web-7d9f.x_" UID "/sidecar");
	mkdirs("var/log/pods/default_web-7d9f.x_" UID "/empty");
	touch("var/log/pods/default_web-7d9f.x_" UID "/app/0.log");
	touch("var/log/pods/default_web-7d9f.x_" UID "/app/1.log");
	touch("var/log/pods/default_web-7d9f.x_" UID "/app/12.log");
	/* Rotated copies of the current instance are not instances. */
	touch("var/log/pods/default_web-7d9f.x_" UID "/app/13.log.20240101-120000.gz");
	touch("var/log/pods/default_web-7d9f.x_" UID "/app/14.log.20240101-120000");
	touch("var/log/pods/default_web-7d9f.x_" UID "/app/x.log");
	touch("var/log/pods/default_web-7d9f.x_" UID "/app/0x20.log");
	touch("var/log/pods/default_web-7d9f.x_" UID "/sidecar/0.log");
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd);
}

static void test_find(void **state)
{
	char want[PATH_MAX];
	struct pod_log pl;

	assert_int_equal(pod_logs__find(root, UID, "app", &pl), 0);
	assert_string_equal(pl.namespace, "default");
	assert_string_equal(pl.pod, "web-7d9f.x");
	assert_string_equal(pl.container, "app");
	assert_int_equal(pl.restart, 12);
	assert_int_equal(pl.prev_restart, 1);
	snprintf(want, sizeof(want), "%s/var/log/pods/default_web-7d9f.x_%s/app/12.log", root, UID);
	assert_string_equal(pl.path, want);
	assert_int_equal(access(pl.path, F_OK), 0);
	assert_int_equal(access(pl.prev_path, F_OK), 0);
	assert_non_null(strstr(pl.prev_path, "/app/1.log"));
}

static void test_first_instance(void **state)
{
	char slashed[80];
	struct pod_log pl;

	/* A trailing '/' on the host root changes nothing. */
	snprintf(slashed, sizeof(slashed), "%s//", root);
	assert_int_equal(pod_logs__find(slashed, UID, "sidecar", &pl), 0);
	assert_int_equal(pl.restart, 0);
	assert_int_equal(pl.prev_restart, -1);
	assert_string_equal(pl.prev_path, "");
	assert_int_equal(pod_logs__find(root, UID, "empty", &pl), 0);
	assert_int_equal(pl.restart, -1);
	assert_string_equal(pl.path, "");
	assert_int_equal(pod_logs__find(root, UID, NULL, &pl), 0);
	assert_string_equal(pl.pod, "web-7d9f.x");
}

static void test_missing(void **state)
{
	struct pod_log pl;

	assert_int_equal(pod_logs__find(root, "no-such-uid", "app", &pl), -ENOENT);
	/* The pod is known even when its container directory is not there. */
	assert_int_equal(pod_logs__find(root, UID, "nope", &pl), -ENOENT);
	assert_string_equal(pl.namespace, "default");
	/* The uid must match all of the suffix, not its tail. */
	assert_int_equal(pod_logs__find(root, "uid", NULL, &pl), -ENOENT);
	assert_int_equal(pod_logs__find("/nonexistent-gt", UID, NULL, &pl), -ENOENT);
}

static void test_hostile_names(void **state)
{
	struct pod_log pl;

	assert_int_equal(pod_logs__find(root, UID, "../../etc", &pl), -EINVAL);
	assert_int_equal(pod_logs__find(root, UID, "..", &pl), -EINVAL);
	assert_int_equal(pod_logs__find(root, "../x", NULL, &pl), -EINVAL);
	assert_int_equal(pod_logs__find(root, "", NULL, &pl), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_first_instance),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_hostile_names),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
