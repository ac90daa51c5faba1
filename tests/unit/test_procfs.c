// SPDX-License-Identifier: GPL-2.0
/*
 * procfs helpers against facts the test gets elsewhere: getpid(),
 * getppid(), getuid(), capget(), prctl(PR_GET_NAME), main()'s argv and
 * environ, /proc/stat's btime with the wall clock, and children it forks,
 * kills and reaps itself.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dirent.h>
#include <signal.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "base/err.h"
#include "proc/procfs.h"
#include "proc/status.h"

static int g_argc;
static char **g_argv;
static char *g_path_env; /* PATH as the process started with it */
static time_t g_main_time;

static void test_status_self(void **state)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2];
	char comm[16] = "";
	struct proc_status st;

	assert_int_equal(proc_status__read(getpid(), &st), 0);
	assert_int_equal(st.tgid, getpid());
	assert_int_equal(st.pid, getpid());
	assert_int_equal(st.ppid, getppid());
	assert_int_equal(st.uid[0], getuid());
	assert_int_equal(st.uid[1], geteuid());
	assert_int_equal(st.gid[0], getgid());
	assert_int_equal(st.state, 'R'); /* it is running: reading its own status */
	assert_int_equal(prctl(PR_GET_NAME, comm), 0);
	assert_string_equal(st.name, comm);
	assert_int_equal(syscall(SYS_capget, &hdr, data), 0);
	assert_true(st.cap_eff == ((uint64_t)data[1].effective << 32 | data[0].effective));
	assert_true(st.cap_prm == ((uint64_t)data[1].permitted << 32 | data[0].permitted));
	assert_true(st.seen & PROC_ST_VM);
	assert_true(st.vm_rss_kb > 0 && st.vm_rss_kb <= st.vm_hwm_kb);
	assert_true(st.vm_rss_kb <= st.vm_size_kb);
	assert_true(st.ns_depth >= 1);
	if (st.ns_depth == 1)
		assert_int_equal(st.ns_pid, getpid());
}

static size_t count_tasks(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static void test_status_threads(void **state)
{
	struct proc_status st;

	assert_int_equal(proc_status__read(getpid(), &st), 0);
	assert_int_equal(st.threads, count_tasks());
}

/* Kernel threads have no mm, hence no Vm* lines (fs/proc/array.c task_mem). */
static void test_status_kthread(void **state)
{
	struct proc_status st;
	char comm[32];

	if (proc_pid__comm(2, comm, sizeof(comm)) || strcmp(comm, "kthreadd")) {
		print_message("SKIP: pid 2 is not kthreadd here (pid namespace)\n");
		return;
	}
	assert_int_equal(proc_status__read(2, &st), 0);
	assert_false(st.seen & PROC_ST_VM);
	assert_int_equal(st.ppid, 0);
}

static void test_status_malformed(void **state)
{
	static const char bad_uid[] = "Name:\tx\nTgid:\t1\nUid:\t0\t0\n";
	static const char no_tgid[] = "Name:\tx\n";
	static const char hex_pid[] = "Tgid:\t0x10\n";
	static const char ok[] = "Tgid:\t7\nNSpid:\t7\t1\nUnknown:\tzz\nVmRSS:\t 12 kB";
	struct proc_status st;

	assert_int_equal(proc_status__parse(bad_uid, strlen(bad_uid), &st), -GT_EFORMAT);
	assert_int_equal(proc_status__parse(no_tgid, strlen(no_tgid), &st), -GT_EFORMAT);
	assert_int_equal(proc_status__parse(hex_pid, strlen(hex_pid), &st), -GT_EFORMAT);
	assert_int_equal(proc_status__parse(ok, strlen(ok), &st), 0);
	assert_int_equal(st.ns_depth, 2);
	assert_int_equal(st.ns_pid, 1);
	assert_true(st.vm_rss_kb == 12);
}

static void test_comm(void **state)
{
	char old[16], got[32];

	assert_int_equal(prctl(PR_GET_NAME, old), 0);
	assert_int_equal(prctl(PR_SET_NAME, "gt comm)(x"), 0);
	assert_int_equal(proc_pid__comm(getpid(), got, sizeof(got)), 0);
	assert_string_equal(got, "gt comm)(x");
	/* A smaller buffer truncates, NUL-terminated. */
	assert_int_equal(proc_pid__comm(getpid(), got, 4), 0);
	assert_string_equal(got, "gt ");
	prctl(PR_SET_NAME, old);
}

static void test_cmdline(void **state)
{
	struct proc_strlist l;

	assert_int_equal(proc_pid__cmdline(getpid(), 1 << 20, &l), 0);
	assert_int_equal(l.n, g_argc);
	for (int i = 0; i < g_argc; i++)
		assert_string_equal(l.v[i], g_argv[i]);
	assert_false(l.truncated);
	proc_strlist__clear(&l);
}

static void test_environ(void **state)
{
	struct proc_strlist l, t;

	assert_int_equal(proc_pid__environ(getpid(), 1 << 20, &l), 0);
	if (g_path_env)
		assert_string_equal(proc_strlist__getenv(&l, "PATH"), g_path_env);
	assert_null(proc_strlist__getenv(&l, "GOTRACE_SURELY_UNSET_VAR"));
	/* A bounded read: the first 10 bytes, flagged. */
	assert_true(l.len > 10);
	assert_int_equal(proc_pid__environ(getpid(), 10, &t), 0);
	assert_true(t.truncated);
	assert_int_equal(t.len, 10);
	assert_memory_equal(t.buf, l.buf, 10);
	proc_strlist__clear(&t);
	proc_strlist__clear(&l);
}

static void test_strlist_parse(void **state)
{
	struct proc_strlist l;

	assert_int_equal(proc_strlist__parse("a\0bc\0", 5, &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[1], "bc");
	proc_strlist__clear(&l);
	assert_int_equal(proc_strlist__parse("a\0bc", 4, &l), 0); /* unterminated last */
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[1], "bc");
	proc_strlist__clear(&l);
	assert_int_equal(proc_strlist__parse("", 0, &l), 0);
	assert_int_equal(l.n, 0);
	proc_strlist__clear(&l);
	assert_int_equal(proc_strlist__parse("\0\0", 2, &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[1], "");
	proc_strlist__clear(&l);
	proc_strlist__clear(NULL);
}

static uint64_t boot_time(void)
{
	struct procfs_buf b;
	unsigned long long bt = 0;
	char *p;

	assert_int_equal(procfs__read_file("/proc/stat", 1 << 20, &b), 0);
	p = strstr(b.data, "\nbtime ");
	assert_non_null(p);
	assert_int_equal(sscanf(p, "\nbtime %llu", &bt), 1);
	procfs_buf__clear(&b);
	return bt;
}

/* btime + start/CLK_TCK is when this process started: just before main(). */
static void test_start_time(void **state)
{
	uint64_t mine, parent;
	double started;

	assert_int_equal(proc_pid__start_time(getpid(), &mine), 0);
	started = (double)boot_time() + (double)mine / (double)sysconf(_SC_CLK_TCK);
	assert_true(started <= (double)g_main_time + 2.0);
	assert_true(started >= (double)g_main_time - 60.0);
	assert_int_equal(proc_pid__start_time(getppid(), &parent), 0);
	assert_true(parent <= mine);
}

static void test_stat_parse_hostile_comm(void **state)
{
	/* comm "a) S 1 2 (" with a newline: the fields start after the last ')'. */
	static const char stat[] = "42 (a) S 1 2\n() R 1 42 42 0 -1 4194304 100 0 0 0 1 2 0 0 "
				   "20 0 1 0 777 1000 10";
	static const char short_stat[] = "42 (x) R 1 42 42";
	uint64_t t;

	assert_int_equal(proc_stat__parse_start_time(stat, strlen(stat), &t), 0);
	assert_true(t == 777);
	assert_int_equal(proc_stat__parse_start_time(short_stat, strlen(short_stat), &t),
			 -GT_EFORMAT);
	assert_int_equal(proc_stat__parse_start_time("no paren", 8, &t), -GT_EFORMAT);
}

static pid_t spawn_sleeper(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	return pid;
}

static void test_pid_ref_exit(void **state)
{
	struct proc_pid_ref ref;
	siginfo_t si;
	pid_t pid = spawn_sleeper();

	assert_int_equal(proc_pid_ref__init(&ref, pid), 0);
	assert_int_equal(proc_pid_ref__check(&ref), 0);
	assert_int_equal(proc_pid__check(pid), 0);
	kill(pid, SIGKILL);
	/* Exited but not reaped: a zombie. */
	assert_int_equal(waitid(P_PID, pid, &si, WEXITED | WNOWAIT), 0);
	assert_int_equal(proc_pid_ref__check(&ref), -ESRCH);
	assert_non_null(strstr(err_msg(), "zombie"));
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	/* Reaped: gone, and kill() agrees. */
	assert_int_equal(proc_pid_ref__check(&ref), -ESRCH);
	if (kill(pid, 0) != 0 && errno == ESRCH) {
		struct procfs_buf b;

		assert_int_equal(proc_pid__check(pid), -ESRCH);
		assert_non_null(strstr(err_msg(), "no such process"));
		assert_int_equal(procfs__read_pid(pid, "status", 4096, &b), -ESRCH);
	}
}

/* As an unprivileged user, pid 1's maps is refused: EACCES, not ESRCH. */
static void test_pid_check_eacces(void **state)
{
	int status;
	pid_t pid;

	if (geteuid() != 0) {
		print_message("SKIP: needs root to drop to nobody\n");
		return;
	}
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(2);
		_exit(proc_pid__check(1) == -EACCES && strstr(err_msg(), "/proc/1/maps") ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_read_errors(void **state)
{
	struct procfs_buf b;

	assert_int_equal(procfs__read_file("/nonexistent/gotrace", 10, &b), -ENOENT);
	assert_int_equal(procfs__read_pid(0, "status", 10, &b), -EINVAL);
	assert_int_equal(proc_pid__check(-1), -EINVAL);
	/* An empty file reads as empty, NUL-terminated. */
	assert_int_equal(procfs__read_pid(2, "cmdline", 10, &b) == 0 ? (int)b.len : 0, 0);
	procfs_buf__clear(&b);
	procfs_buf__clear(NULL);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_self),
		cmocka_unit_test(test_status_threads),
		cmocka_unit_test(test_status_kthread),
		cmocka_unit_test(test_status_malformed),
		cmocka_unit_test(test_comm),
		cmocka_unit_test(test_cmdline),
		cmocka_unit_test(test_environ),
		cmocka_unit_test(test_strlist_parse),
		cmocka_unit_test(test_start_time),
		cmocka_unit_test(test_stat_parse_hostile_comm),
		cmocka_unit_test(test_pid_ref_exit),
		cmocka_unit_test(test_pid_check_eacces),
		cmocka_unit_test(test_read_errors),
	};

	g_main_time = time(NULL);
	g_argc = argc;
	g_argv = argv;
	g_path_env = getenv("PATH");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
