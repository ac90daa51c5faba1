// SPDX-License-Identifier: GPL-2.0
/*
 * Compiling a regular expression a user wrote, without trusting glibc's
 * regcomp with it (base/regex_safe.h).
 *
 * regcomp's time and memory are not bounded by the pattern's length.
 * Repetitions are expanded by copying (((a{99}){99}){99} asks for 10^6
 * copies: gigabytes), which base/regex_size.c estimates cheaply; but its
 * epsilon closures also blow up on small patterns that nest unbounded
 * repetitions over optional parts: ((((z?)?){20})+)+ is 17 bytes, 429
 * nodes, and runs for minutes; z?????????+++++ takes 0.7 s. No simple rule
 * over the text catches every such shape (the fuzzer kept finding new
 * ones), so a pattern that passes the estimate is compiled once in a
 * child process first, killed at a deadline (and capped in address space
 * where no sanitizer needs the room); only then in this process.
 */
#include <errno.h>
#include <stdint.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/regex_safe.h"
#include "base/regex_size.h"
#include "base/signals.h"

#define TRIAL_AS_LIMIT (1ULL << 30)

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

/* 0: compiles in time; -ETIME: killed at the deadline; -EINVAL: invalid or out of memory. */
static int trial(const char *src, int flags, unsigned timeout_ms)
{
	uint64_t deadline = mono_ns() + (uint64_t)timeout_ms * 1000000;
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		regex_t re;
#ifndef UNDER_ASAN
		struct rlimit as = {TRIAL_AS_LIMIT, TRIAL_AS_LIMIT};

		setrlimit(RLIMIT_AS, &as);
#endif
		_exit(regcomp(&re, src, flags) ? 1 : 0);
	}
	for (;;) {
		pid_t got = waitpid(pid, &status, WNOHANG);

		if (got == pid)
			break;
		if (got < 0 && errno != EINTR)
			return -errno;
		if (mono_ns() >= deadline) {
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			return -ETIME;
		}
		nanosleep(&(struct timespec){0, 200000}, NULL);
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EINVAL;
}

int regex_compile_bounded(regex_t *re, const char *src, int flags, double max_nodes,
			  unsigned timeout_ms)
{
	int err;

	if (regex_expanded_size(src) > max_nodes)
		return -E2BIG;
	err = trial(src, flags, timeout_ms);
	if (err)
		return err;
	return regcomp(re, src, flags) ? -EINVAL : 0;
}
