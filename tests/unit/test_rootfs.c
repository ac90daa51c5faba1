// SPDX-License-Identifier: GPL-2.0
/*
 * Opening paths inside a hostile root. The test builds a fake container
 * root next to a fake "outside" and checks, with stat() of the files it
 * created, that every open lands on an inside file or fails, never on an
 * outside one; both resolvers (openat2 and the userspace walk) must agree.
 * The escapes tried are the classic ones: absolute symlinks, "../" chains,
 * symlink loops, and a directory renamed out of root during the walk.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
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

#include "proc/rootfs.h"

static char top[64];  /* the temporary folder: outside */
static char root[96]; /* top/root: the container's root */
static int root_fd = -1;

static void write_file(const char *dir, const char *rel, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void in_root(int (*fn)(const char *, const char *), const char *a, const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(fn(a, path), 0);
}

static int mkdir_p(const char *unused, const char *path)
{
	return mkdir(path, 0755);
}

static int build_tree(void **state)
{
	char path[PATH_MAX];

	strcpy(top, "/tmp/gt-rootfs-XXXXXX");
	if (!mkdtemp(top))
		return -1;
	snprintf(root, sizeof(root), "%s/root", top);
	mkdir(root, 0755);
	write_file(top, "secret", "OUTSIDE");
	in_root(mkdir_p, NULL, "etc");
	in_root(mkdir_p, NULL, "usr");
	in_root(mkdir_p, NULL, "usr/lib");
	in_root(mkdir_p, NULL, "a");
	in_root(mkdir_p, NULL, "a/b");
	write_file(root, "secret", "INSIDE");
	write_file(root, "a/secret", "INSIDE-A");
	in_root(symlink, ".", "a/b/l");
	write_file(root, "etc/passwd", "INSIDE-PASSWD");
	write_file(root, "usr/lib/os-release", "INSIDE-OS");
	in_root(symlink, "/etc/passwd", "abs");		    /* absolute: means root/etc/passwd */
	in_root(symlink, "../../../../../../secret", "up"); /* climbs: stops at root */
	in_root(symlink, "/../../secret", "absup");
	in_root(symlink, "loop2", "loop1");
	in_root(symlink, "loop1", "loop2");
	in_root(symlink, "self", "self");
	in_root(symlink, "/usr/lib", "etc/lib"); /* directory symlink, absolute */
	in_root(symlink, "../usr/lib/os-release", "etc/os-release");
	in_root(symlink, "/proc/self/root/secret", "magic"); /* text only inside root */
	in_root(symlink, "passwd", "etc/rel");
	snprintf(path, sizeof(path), "%s/fifo", root);
	mkfifo(path, 0600);
	/* A chain of 41 links: 40 hops are allowed, as the kernel's MAXSYMLINKS. */
	for (int i = 0; i < 41; i++) {
		char name[16], target[16];

		snprintf(name, sizeof(name), "c%d", i);
		snprintf(target, sizeof(target), i == 40 ? "secret" : "c%d", i + 1);
		in_root(symlink, target, name);
	}
	root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return root_fd < 0 ? -1 : 0;
}

static int remove_tree(void **state)
{
	char cmd[128];

	close(root_fd);
	rootfs__force_walk(false);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	return system(cmd);
}

static ino_t ino_of(const char *rel)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(stat(path, &st), 0);
	return st.st_ino;
}

static void expect_inside(const char *path, const char *inside_rel, const char *text)
{
	char buf[64] = "";
	struct stat st;
	int fd = rootfs__open(root_fd, path, O_RDONLY);

	if (fd < 0)
		print_error("%s: %s\n", path, strerror(-fd));
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(st.st_ino == ino_of(inside_rel));
	assert_true(read(fd, buf, sizeof(buf) - 1) > 0);
	assert_string_equal(buf, text);
	close(fd);
}

static void cases(void)
{
	expect_inside("secret", "secret", "INSIDE");
	expect_inside("/secret", "secret", "INSIDE");
	expect_inside("../../../secret", "secret", "INSIDE");
	expect_inside("a/b/../../../../secret", "secret", "INSIDE");
	expect_inside("abs", "etc/passwd", "INSIDE-PASSWD");
	expect_inside("up", "secret", "INSIDE");
	expect_inside("absup", "secret", "INSIDE");
	expect_inside("etc/os-release", "usr/lib/os-release", "INSIDE-OS");
	expect_inside("etc/lib/os-release", "usr/lib/os-release", "INSIDE-OS");
	expect_inside("etc/lib/../../secret", "secret", "INSIDE");
	expect_inside("etc/rel", "etc/passwd", "INSIDE-PASSWD");
	expect_inside("c1", "secret", "INSIDE");			 /* 40 hops */
	assert_int_equal(rootfs__open(root_fd, "c0", O_RDONLY), -ELOOP); /* 41 */
	assert_int_equal(rootfs__open(root_fd, "loop1", O_RDONLY), -ELOOP);
	assert_int_equal(rootfs__open(root_fd, "self", O_RDONLY), -ELOOP);
	assert_int_equal(rootfs__open(root_fd, "magic", O_RDONLY), -ENOENT);
	assert_int_equal(rootfs__open(root_fd, "nope", O_RDONLY), -ENOENT);
	assert_int_equal(rootfs__open(root_fd, "secret/x", O_RDONLY), -ENOTDIR);
	assert_int_equal(rootfs__open(root_fd, "secret/", O_RDONLY), -ENOTDIR);
	assert_int_equal(rootfs__open(root_fd, "", O_RDONLY), -ENOENT);
}

static void test_openat2(void **state)
{
	rootfs__force_walk(false);
	cases();
}

static void test_walk(void **state)
{
	rootfs__force_walk(true);
	cases();
	rootfs__force_walk(false);
}

static void flag_cases(void)
{
	struct stat st;
	int fd;

	/* O_NOFOLLOW: the last component is not followed, others are. */
	assert_int_equal(rootfs__open(root_fd, "abs", O_RDONLY | O_NOFOLLOW), -ELOOP);
	fd = rootfs__open(root_fd, "abs", O_PATH | O_NOFOLLOW);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	close(fd);
	fd = rootfs__open(root_fd, "etc/lib/os-release", O_RDONLY | O_NOFOLLOW);
	assert_true(fd >= 0);
	close(fd);
	/* Directories, and "/" itself, which is the root and nothing above it. */
	fd = rootfs__open(root_fd, "etc/lib/", O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(st.st_ino == ino_of("usr/lib"));
	close(fd);
	fd = rootfs__open(root_fd, "/..", O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(st.st_ino == ino_of("."));
	close(fd);
	assert_int_equal(rootfs__open(root_fd, "secret", O_RDONLY | O_DIRECTORY), -ENOTDIR);
	/* A FIFO is refused, without blocking; O_PATH may name it. */
	assert_int_equal(rootfs__open(root_fd, "fifo", O_RDONLY), -EPERM);
	fd = rootfs__open(root_fd, "fifo", O_PATH);
	assert_true(fd >= 0);
	close(fd);
	/* Only reads. */
	assert_int_equal(rootfs__open(root_fd, "secret", O_RDWR), -EINVAL);
	assert_int_equal(rootfs__open(root_fd, "new", O_RDONLY | O_CREAT), -EINVAL);
	assert_int_equal(rootfs__exists(root_fd, "up"), 1);
	assert_int_equal(rootfs__exists(root_fd, "fifo"), 1);
	assert_int_equal(rootfs__exists(root_fd, "nope"), 0);
	assert_int_equal(rootfs__exists(root_fd, "secret/x"), 0);
	assert_int_equal(rootfs__exists(root_fd, "loop1"), -ELOOP);
}

static void test_flags(void **state)
{
	rootfs__force_walk(false);
	flag_cases();
	rootfs__force_walk(true);
	flag_cases();
	rootfs__force_walk(false);
}

/* Our own root is "/": the host's /etc/passwd, by inode. */
static void test_own_root(void **state)
{
	int rfd = rootfs__open_root(getpid());
	struct stat a, b;
	int fd;

	assert_true(rfd >= 0);
	fd = rootfs__open(rfd, "/etc/passwd", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &a), 0);
	assert_int_equal(stat("/etc/passwd", &b), 0);
	assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	close(fd);
	close(rfd);
	assert_true(rootfs__open_root(-5) < 0);
}

/*
 * The classic race: while resolving "a/b/l/l/.../l/../secret" (l is a
 * symlink to ".", to keep the resolver inside b for a while), a/b is moved
 * out of root, to top/b. A resolver that asks the kernel for ".." from b
 * climbs to top and opens top/secret (OUTSIDE) instead of a/secret.
 */
#define RACE_PATH "a/b/l/l/l/l/l/l/l/l/l/l/l/l/l/l/l/l/l/l/l/l/l/l/l/l/l/l/l/l/../secret"

static volatile int stop_racer;

static void *racer(void *arg)
{
	char in[PATH_MAX], out[PATH_MAX];

	snprintf(in, sizeof(in), "%s/a/b", root);
	snprintf(out, sizeof(out), "%s/b", top);
	while (!stop_racer) {
		rename(in, out);
		rename(out, in);
	}
	return NULL;
}

static void race(int iterations)
{
	ino_t inside = ino_of("a/secret");
	int ok = 0;
	pthread_t t;

	stop_racer = 0;
	assert_int_equal(pthread_create(&t, NULL, racer, NULL), 0);
	for (int i = 0; i < iterations; i++) {
#ifdef NAIVE_RESOLVER /* proves the test catches the escape */
		int fd = openat(root_fd, RACE_PATH, O_RDONLY);
#else
		int fd = rootfs__open(root_fd, RACE_PATH, O_RDONLY);
#endif
		struct stat st;

		if (fd < 0)
			continue; /* ENOENT while b is away: fine */
		assert_int_equal(fstat(fd, &st), 0);
		assert_true(st.st_ino == inside);
		ok++;
		close(fd);
	}
	stop_racer = 1;
	pthread_join(t, NULL);
	assert_true(ok > 0);
}

static void test_race(void **state)
{
	rootfs__force_walk(false);
	race(5000);
	rootfs__force_walk(true);
	race(5000);
	rootfs__force_walk(false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openat2), cmocka_unit_test(test_walk),
		cmocka_unit_test(test_flags),	cmocka_unit_test(test_own_root),
		cmocka_unit_test(test_race),
	};

	return cmocka_run_group_tests(tests, build_tree, remove_tree);
}
