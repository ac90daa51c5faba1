/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_PROC_PROCFS_H
#define GOTRACE_PROC_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Small /proc helpers every command needs, in one place. "PID" is the
 * kernel's tgid (STYLE.md §2); a thread id also has a /proc entry, so a
 * caller that must have a process reads Tgid from proc_status__read().
 *
 * Everything read from /proc about another process is untrusted: comm,
 * cmdline and environ are whatever the process wrote; sizes are bounded and
 * strings are returned raw (escape them with out/utf8.h before printing).
 */

/* A whole small file. data is NUL-terminated (data[len] == 0). */
struct procfs_buf {
	char *data;
	size_t len;
	bool truncated; /* the file had more than max bytes; data holds the first max */
};

/* Default bound for files the kernel formats (status, stat, cgroup, comm). */
#define PROCFS_SMALL_MAX (64 * 1024)

/*
 * Reads at most max bytes of path (procfs files report st_size 0, so this
 * reads until EOF). A file longer than max is not an error: out->truncated.
 */
int procfs__read_file(const char *path, size_t max, struct procfs_buf *out);
/* The same relative to a directory fd (openat semantics, O_CLOEXEC). */
int procfs__read_at(int dirfd, const char *path, size_t max, struct procfs_buf *out);
/*
 * /proc/<pid>/<name>. A missing process gives -ESRCH ("no such process"),
 * also when it exits while being read; -EACCES names the permission problem.
 */
int procfs__read_pid(pid_t pid, const char *name, size_t max, struct procfs_buf *out);
void procfs_buf__clear(struct procfs_buf *b);

/*
 * Does the process exist and can we inspect it? 0, or -ESRCH (no such
 * process), or -EACCES (it exists but /proc hides it or denies us: hidepid,
 * not root), each with an err_set() sentence naming the pid and the fix.
 */
int proc_pid__check(pid_t pid);

/* /proc/<pid>/comm without the trailing newline (at most 15 bytes + NUL). */
int proc_pid__comm(pid_t pid, char *buf, size_t size);

/*
 * A NUL-separated list (cmdline, environ): v[0..n) point into buf. An
 * unterminated last element (a truncated read, or a process that rewrote
 * its argv) still counts; truncated says the kernel had more.
 */
struct proc_strlist {
	char *buf;
	size_t len;
	char **v;
	size_t n;
	bool truncated;
};

/* Splits len bytes of text into a list; copies them. */
int proc_strlist__parse(const char *text, size_t len, struct proc_strlist *out);
int proc_pid__cmdline(pid_t pid, size_t max, struct proc_strlist *out);
int proc_pid__environ(pid_t pid, size_t max, struct proc_strlist *out);
/* The value of NAME in an environ list, or NULL. */
const char *proc_strlist__getenv(const struct proc_strlist *l, const char *name);
void proc_strlist__clear(struct proc_strlist *l);

/*
 * Field 22 of /proc/<pid>/stat: the start time in clock ticks after boot.
 * With the pid it names one process for good: a pid reused after an exit
 * has a different start time.
 */
int proc_stat__parse_start_time(const char *text, size_t len, uint64_t *ticks);
int proc_pid__start_time(pid_t pid, uint64_t *ticks);

/* A pid pinned to one process, to notice it exiting during inspection. */
struct proc_pid_ref {
	pid_t pid;
	uint64_t start_time;
};

int proc_pid_ref__init(struct proc_pid_ref *ref, pid_t pid);
/*
 * 0 while the same process is alive; -ESRCH once it exited or its pid was
 * reused ("pid N exited during inspection"). Call it after reading what
 * the process owns, so the data read is known to be its own.
 */
int proc_pid_ref__check(const struct proc_pid_ref *ref);
/* A pidfd for ref's process (the caller closes it), or -1 when none can be had. */
int proc_pid_ref__pidfd(const struct proc_pid_ref *ref);
/* proc_pid_ref__check, cheaper, with the fd from proc_pid_ref__pidfd. */
int proc_pid_ref__check_pidfd(const struct proc_pid_ref *ref, int pidfd);

#endif
