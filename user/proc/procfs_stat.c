// SPDX-License-Identifier: GPL-2.0
/* /proc/<pid>/stat: the state and start time that pin a pid to a process. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/err.h"
#include "base/num.h"
#include "proc/procfs.h"

/* Fields after the comm's closing paren: 3 is the state, 22 the start time. */
#define STAT_FIELD_STATE 3
#define STAT_FIELD_STARTTIME 22

/*
 * comm is field 2, in parentheses, and may itself hold spaces, parens and
 * newlines (prctl(PR_SET_NAME) takes any bytes), so the fields start after
 * the LAST ')' of the line, never the first.
 */
static int parse_stat(const char *text, size_t len, char *state, uint64_t *start)
{
	const char *p = NULL, *end = text + len, *tok;
	char digits[24];
	int field = STAT_FIELD_STATE;

	for (const char *q = text; q < end; q++)
		if (*q == ')')
			p = q;
	if (!p || end - p < 3 || p[1] != ' ')
		return err_fail(GT_EFORMAT, "/proc/PID/stat: no ') ' after the command name");
	p += 2;
	*state = *p;
	while (field < STAT_FIELD_STARTTIME) {
		p = memchr(p, ' ', (size_t)(end - p));
		if (!p)
			return err_fail(GT_EFORMAT, "/proc/PID/stat: fewer than %d fields",
					STAT_FIELD_STARTTIME);
		p++;
		field++;
	}
	tok = p;
	while (p < end && *p != ' ' && *p != '\n')
		p++;
	if ((size_t)(p - tok) >= sizeof(digits))
		return err_fail(GT_EFORMAT, "/proc/PID/stat: start time field is too long");
	memcpy(digits, tok, (size_t)(p - tok));
	digits[p - tok] = '\0';
	return num_parse_u64(digits, 0, UINT64_MAX, start) ? -GT_EFORMAT : 0;
}

int proc_stat__parse_start_time(const char *text, size_t len, uint64_t *ticks)
{
	char state;

	return parse_stat(text, len, &state, ticks);
}

static int read_stat(pid_t pid, char *state, uint64_t *start)
{
	struct procfs_buf b;
	int err;

	err = procfs__read_pid(pid, "stat", PROCFS_SMALL_MAX, &b);
	if (err)
		return err;
	err = parse_stat(b.data, b.len, state, start);
	procfs_buf__clear(&b);
	return err;
}

int proc_pid__start_time(pid_t pid, uint64_t *ticks)
{
	char state;

	return read_stat(pid, &state, ticks);
}

int proc_pid_ref__init(struct proc_pid_ref *ref, pid_t pid)
{
	ref->pid = pid;
	return proc_pid__start_time(pid, &ref->start_time);
}

int proc_pid_ref__check(const struct proc_pid_ref *ref)
{
	uint64_t start;
	char state;
	int err;

	err = read_stat(ref->pid, &state, &start);
	if (err == -ESRCH || err == -ENOENT)
		return err_fail(ESRCH, "pid %d exited during inspection", (int)ref->pid);
	if (err)
		return err;
	if (start != ref->start_time)
		return err_fail(ESRCH, "pid %d exited during inspection and the pid was reused",
				(int)ref->pid);
	/* A zombie keeps its stat entry, but its memory and files are gone. */
	if (state == 'Z' || state == 'X')
		return err_fail(ESRCH, "pid %d exited during inspection (now a zombie)",
				(int)ref->pid);
	return 0;
}

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

/*
 * A pidfd for the process ref names, or -1 (kernels before 5.3, or the pid
 * already reused: the start time is read again once the fd is held).
 */
int proc_pid_ref__pidfd(const struct proc_pid_ref *ref)
{
	uint64_t start;
	char state;
	int fd = (int)syscall(SYS_pidfd_open, ref->pid, 0);

	if (fd < 0)
		return -1;
	if (read_stat(ref->pid, &state, &start) || start != ref->start_time) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * proc_pid_ref__check through a pidfd: one poll instead of reading
 * /proc/PID/stat (open, format, read, close: a tenth of a goroutine
 * snapshot's CPU on an HTTP server sampled at 100 Hz). A pidfd turns
 * readable when its process exits (zombies included), and it keeps naming
 * that process when the number is reused.
 */
int proc_pid_ref__check_pidfd(const struct proc_pid_ref *ref, int pidfd)
{
	struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
	int n = poll(&pfd, 1, 0);

	if (n < 0)
		return proc_pid_ref__check(ref);
	if (n > 0)
		return err_fail(ESRCH, "pid %d exited during inspection", (int)ref->pid);
	return 0;
}
