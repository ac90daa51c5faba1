/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_DOCTOR_LOGSCAN_H
#define GOTRACE_DOCTOR_LOGSCAN_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct doctor_target;

/*
 * The kubelet's container logs (/var/log/pods/<ns>_<pod>_<uid>/<container>/
 * <restart>.log, proc/podlogs.h): the last lines of an instance and the
 * errors in them that explain a crash loop. A line is the CRI format
 * ("<RFC3339Nano> stdout|stderr F|P <message>"), docker's json-file format
 * ({"log": ..., "stream": ..., "time": ...}), or taken as it is. Everything
 * in a log is the container's output: untrusted, bounded here, escaped by
 * whoever prints it.
 */

#define LOG_TAIL_LINES 40
#define LOG_TAIL_BYTES (64 * 1024)

struct log_line {
	char *text;	  /* the message, without the CRI/json wrapping */
	uint64_t time_ns; /* CLOCK_REALTIME; 0 when the line has no timestamp */
	bool is_stderr;
};

struct log_tail {
	struct log_line v[LOG_TAIL_LINES]; /* oldest first */
	size_t n;
	uint64_t first_ns; /* the file's first line's time (when the instance started) */
	uint64_t last_ns;  /* its last line's */
	bool cut;	   /* the file had more lines than these */
};

/* The last max (<= LOG_TAIL_LINES) lines of a regular file; -errno when it cannot be read. */
int log_tail__read(const char *path, size_t max, struct log_tail *out);
void log_tail__clear(struct log_tail *t);
/* One line of a log file into l (the text is copied); false for an empty line. */
bool log_line__parse(const char *raw, size_t len, struct log_line *l);

enum log_class {
	LOG_NONE,
	LOG_EXEC_ENOENT,   /* execve failed with ENOENT: the binary exists, its interpreter does not
			    */
	LOG_EXEC_NOBINARY, /* the runtime found no binary at the path */
	LOG_EXEC_ENOEXEC,  /* exec format error: another architecture, or not an executable */
	LOG_EXEC_EACCES,   /* permission denied (noexec mount, no x bit) */
	LOG_BIND_EACCES,   /* listen ... bind: permission denied */
	LOG_BIND_EADDRINUSE, /* listen ... bind: address already in use */
	LOG_OPEN_ENOENT,     /* open PATH: no such file or directory */
	LOG_GO_PANIC,	     /* panic: ... */
	LOG_GO_FATAL,	     /* fatal error: ... */
	LOG_GO_OOM,	     /* fatal error: runtime: out of memory */
};

struct log_error {
	enum log_class cls;
	char path[512]; /* exec and open: the path as printed */
	int port;	/* bind: the port, 0 unknown */
	char addr[128]; /* bind: the address as printed */
};

/* Recognizes the messages of the Go runtime, Go's os/net packages and runc. */
bool log_line__classify(const char *msg, struct log_error *e);
const char *log_class_name(enum log_class c); /* "exec_enoent", ... */

/*
 * The target's instances' logs: the one running now (cur: only when a
 * process runs) and the last one that ended (prev: the previous instance
 * when one runs, else the newest log). restart numbers are -1 when absent.
 */
struct instance_logs {
	bool have_cur, have_prev;
	int cur_restart, prev_restart;
	char cur_path[PATH_MAX], prev_path[PATH_MAX];
	struct log_tail cur, prev;
};

/* -ENOENT when the target has no kubelet logs. */
int instance_logs__read(const struct doctor_target *t, struct instance_logs *out);
void instance_logs__clear(struct instance_logs *l);
/* The newest line of class cls (LOG_NONE: any error) in tail, or NULL; e filled. */
const struct log_line *log_tail__find(const struct log_tail *tail, enum log_class cls,
				      struct log_error *e);

#endif
