// SPDX-License-Identifier: GPL-2.0
/* Bounded command execution for user-defined checks (doctor/spawn.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/signals.h"
#include "doctor/spawn.h"

struct sink {
	int fd;
	char *buf;
	size_t len, max;
	bool cut;
};

static int setup(posix_spawn_file_actions_t *fa, posix_spawnattr_t *attr, int out[2], int err[2])
{
	sigset_t none, all;

	sigemptyset(&none);
	sigfillset(&all);
	posix_spawn_file_actions_init(fa);
	posix_spawnattr_init(attr);
	posix_spawn_file_actions_addopen(fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(fa, out[1], 1);
	posix_spawn_file_actions_adddup2(fa, err[1], 2);
	posix_spawnattr_setpgroup(attr, 0);
	posix_spawnattr_setsigmask(attr, &none); /* doctor's check threads block every signal */
	posix_spawnattr_setsigdefault(attr, &all);
	return posix_spawnattr_setflags(attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
						      POSIX_SPAWN_SETSIGDEF);
}

/* Reads what is there; false at EOF or on an error. */
static bool drain(struct sink *s)
{
	char tmp[4096];
	ssize_t n = read(s->fd, tmp, sizeof(tmp));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	if (s->len < s->max) {
		size_t take = (size_t)n < s->max - s->len ? (size_t)n : s->max - s->len;

		memcpy(s->buf + s->len, tmp, take);
		s->len += take;
		s->cut |= take < (size_t)n;
	} else {
		s->cut = true;
	}
	return true;
}

/* Collects output until both pipes close or the deadline; true when the deadline came. */
static bool collect(struct sink *s, uint64_t deadline)
{
	struct pollfd p[2];

	for (;;) {
		uint64_t now = mono_ns();
		int n = 0, ms;

		for (int i = 0; i < 2; i++)
			if (s[i].fd >= 0)
				p[n++] = (struct pollfd){.fd = s[i].fd, .events = POLLIN};
		if (!n)
			return false;
		if (now >= deadline)
			return true;
		ms = (int)((deadline - now + 999999) / 1000000);
		if (poll(p, (nfds_t)n, ms) < 0 && errno != EINTR)
			return false;
		for (int i = 0, k = 0; i < 2; i++) {
			if (s[i].fd < 0)
				continue;
			if (p[k++].revents && !drain(&s[i])) {
				close(s[i].fd);
				s[i].fd = -1;
			}
		}
	}
}

/* Waits for the child until the deadline, then kills its group and reaps it. */
static void reap(pid_t pid, uint64_t deadline, struct spawn_result *res)
{
	struct timespec ts = {0, 5000000};
	int st = 0;

	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return;
		if (mono_ns() >= deadline || res->timed_out) {
			res->timed_out = true;
			kill(-pid, SIGKILL);
			while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
				;
			break;
		}
		nanosleep(&ts, NULL);
	}
	if (res->timed_out)
		kill(-pid, SIGKILL); /* what it left behind in its group */
	res->exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	res->signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
}

int spawn_run(char *const argv[], char *const envp[], uint32_t timeout_ms, size_t max_out,
	      struct spawn_result *res)
{
	int out[2] = {-1, -1}, err[2] = {-1, -1};
	struct sink s[2] = {{.max = max_out}, {.max = max_out}};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	uint64_t start = mono_ns(), deadline = start + (uint64_t)timeout_ms * 1000000ULL;
	pid_t pid;
	int rc;

	memset(res, 0, sizeof(*res));
	s[0].buf = res->out = calloc(1, max_out + 1);
	s[1].buf = res->err = calloc(1, max_out + 1);
	if (!res->out || !res->err || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) {
		res->spawn_err = errno ? errno : ENOMEM;
		goto fail;
	}
	setup(&fa, &attr, out, err);
	rc = posix_spawnp(&pid, argv[0], &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(out[1]);
	close(err[1]);
	out[1] = err[1] = -1;
	if (rc) {
		res->spawn_err = rc;
		goto fail;
	}
	s[0].fd = out[0];
	s[1].fd = err[0];
	res->timed_out = collect(s, deadline);
	reap(pid, deadline, res);
	for (int i = 0; i < 2; i++)
		if (s[i].fd >= 0)
			close(s[i].fd);
	res->out_cut = s[0].cut;
	res->err_cut = s[1].cut;
	res->out[s[0].len] = res->err[s[1].len] = '\0';
	res->elapsed_ns = mono_ns() - start;
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (err[i] >= 0)
			close(err[i]);
	}
	return -res->spawn_err;
}

void spawn_result__clear(struct spawn_result *res)
{
	free(res->out);
	free(res->err);
	memset(res, 0, sizeof(*res));
}
