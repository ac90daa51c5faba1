// SPDX-License-Identifier: GPL-2.0
/*
 * crash_load MODE N: the syscall-heavy loads `gotrace crash` must not slow
 * down (bench/crash.sh runs each with and without gotrace, side by side).
 *
 *   spawn     fork + execve("/bin/true") + wait, N times (exec/exit hooks,
 *             the hold of new binaries, the per-process state)
 *   write     N 64-byte writes to fd 2 (the stdout/stderr capture path)
 *   writepipe the same into a pipe a child drains (a container's stderr is a pipe)
 *   open      N open+close of an existing file (sys_exit_openat, success)
 *   openfail  N opens of a missing file (the failure path: rate-limited events)
 *   other     N getppid(2): a syscall gotrace does not watch (the floor any
 *             syscall tracepoint adds to every syscall of the node)
 *
 * Prints the mean CPU nanoseconds per operation (this process's CPU clock
 * plus its reaped children's): on a shared machine, wall time mostly
 * measures the neighbours. No thresholds.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* CPU time of this process and of its waited-for children, in ns. */
static unsigned long long cpu_ns(void)
{
	struct timespec ts;
	struct rusage ru;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	getrusage(RUSAGE_CHILDREN, &ru);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec +
	       ((unsigned long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000ULL +
		(unsigned long long)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec)) *
		       1000ULL;
}

static int spawn(void)
{
	char *argv[] = {"/bin/true", NULL};
	int st;
	pid_t p = fork();

	if (p == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	return p < 0 || waitpid(p, &st, 0) < 0 ? -1 : 0;
}

static int one(const char *mode, const char *line)
{
	int fd;

	if (!strcmp(mode, "spawn"))
		return spawn();
	if (!strcmp(mode, "write"))
		return write(2, line, 64) == 64 ? 0 : -1;
	if (!strcmp(mode, "open")) {
		fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
		return fd < 0 ? -1 : close(fd);
	}
	if (!strcmp(mode, "other"))
		return syscall(SYS_getppid) > 0 ? 0 : -1;
	if (!strcmp(mode, "openfail"))
		return open("/nonexistent/gotrace-bench/config.yaml", O_RDONLY) < 0 ? 0 : -1;
	return -1;
}

/* fd 2 becomes a pipe whose reader is a child that discards everything. */
static int stderr_to_pipe(void)
{
	int p[2];
	pid_t c;

	if (pipe(p))
		return -1;
	c = fork();
	if (c == 0) {
		char buf[65536];

		close(p[1]);
		while (read(p[0], buf, sizeof(buf)) > 0)
			;
		_exit(0);
	}
	close(p[0]);
	return c < 0 ? -1 : dup2(p[1], 2) < 0 ? -1 : close(p[1]);
}

int main(int argc, char **argv)
{
	char line[65];
	unsigned long long t0;
	long n, i;

	if (argc != 3 || (n = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: crash_load spawn|write|writepipe|open|openfail|other N\n");
		return 2;
	}
	if (!strcmp(argv[1], "writepipe")) {
		if (stderr_to_pipe())
			return 1;
		argv[1] = "write";
	}
	memset(line, 'x', 63);
	line[63] = '\n';
	t0 = cpu_ns();
	for (i = 0; i < n; i++)
		if (one(argv[1], line)) {
			fprintf(stderr, "crash_load: %s failed\n", argv[1]);
			return 1;
		}
	printf("%.1f\n", (double)(cpu_ns() - t0) / (double)n);
	return 0;
}
