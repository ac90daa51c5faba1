/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_DOCTOR_SPAWN_H
#define GOTRACE_DOCTOR_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Running a command for a user-defined check: posix_spawnp (safe in a
 * threaded program) in its own process group with stdin from /dev/null,
 * default signal handling and an empty signal mask; its stdout and stderr
 * collected up to max_out bytes each (the rest is read and dropped, so it
 * cannot block on a full pipe); the whole group killed with SIGKILL at the
 * deadline, background children included. No shell is involved unless
 * argv asks for one.
 */
struct spawn_result {
	int spawn_err;	 /* errno of the spawn itself (ENOENT: no such command); 0 when it ran */
	int exit_code;	 /* when it exited; -1 when a signal ended it */
	int signal;	 /* the signal that ended it, 0 when it exited */
	bool timed_out;	 /* killed at the deadline */
	char *out, *err; /* NUL-terminated, at most max_out bytes each */
	bool out_cut, err_cut;
	uint64_t elapsed_ns;
};

/* 0, or -errno when no pipe or process could be made (res->spawn_err says which). */
int spawn_run(char *const argv[], char *const envp[], uint32_t timeout_ms, size_t max_out,
	      struct spawn_result *res);
void spawn_result__clear(struct spawn_result *res);

#endif
