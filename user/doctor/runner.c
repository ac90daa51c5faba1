// SPDX-License-Identifier: GPL-2.0
/*
 * The check runner: one detached thread per check, a deadline per check,
 * one condition variable the finished checks signal. A thread can be
 * neither cancelled nor killed safely while it sits in read(), so a check
 * past its deadline is abandoned instead: the job (target copy and result)
 * belongs to whoever lets go of it last, under the one lock, which is
 * static so that an abandoned thread that finishes after the run (or after
 * a later run) still finds it.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/signals.h"
#include "doctor/runner.h"
#include "doctor/target.h"

struct job {
	struct doctor_target t; /* its own copy: the caller's may be gone when it ends */
	const struct doctor_check *check;
	struct check_result r;
	uint64_t start_ns, deadline_ns;
	bool done, abandoned;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond;
static pthread_once_t cond_once = PTHREAD_ONCE_INIT;

/* The deadlines are CLOCK_MONOTONIC (mono_ns): so must the wait be. */
static void cond_init(void)
{
	pthread_condattr_t a;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&cond, &a);
	pthread_condattr_destroy(&a);
}

static void *job_main(void *arg)
{
	struct job *j = arg;

	j->check->run(j->check, &j->t, &j->r);
	pthread_mutex_lock(&lock);
	j->r.elapsed_ns = mono_ns() - j->start_ns;
	if (j->abandoned) {
		pthread_mutex_unlock(&lock);
		check_result__clear(&j->r);
		free(j);
		return NULL;
	}
	j->done = true;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	return NULL;
}

/* Why the target cannot give a check what it needs; NULL when it can. */
static const char *unmet(const struct doctor_check *c, const struct doctor_target *t)
{
	if ((c->needs & NEED_PID) && !t->pid)
		return t->why_no_pid[0] ? t->why_no_pid : "no process to inspect";
	if ((c->needs & NEED_CGROUP) && !t->mem_dir[0] && !t->cpu_dir[0] && !t->unified_dir[0])
		return "the target has no cgroup directory (is it in a container?)";
	if ((c->needs & NEED_ROOT) && !t->root_dir[0])
		return "no container root to look in: no process runs (give --rootfs DIR, the "
		       "image's root directory)";
	return NULL;
}

/* Starts checks[i]; 0 when it runs in a thread, else its result is already in out. */
static int start(const struct doctor_target *t, const struct doctor_check *c,
		 struct check_outcome *out, struct job **jp)
{
	const char *why = unmet(c, t);
	pthread_attr_t attr;
	sigset_t all, old;
	pthread_t th;
	struct job *j;
	int err;

	out->check = c;
	*jp = NULL;
	if (why) {
		check_skip(&out->result, "%s", why);
		return 1;
	}
	j = calloc(1, sizeof(*j));
	if (!j) {
		check_skip(&out->result, "out of memory");
		return 1;
	}
	j->t = *t;
	j->check = c;
	j->start_ns = mono_ns();
	j->deadline_ns = j->start_ns + (uint64_t)c->timeout_ms * 1000000ULL;
	/* Signals are the main thread's business (base/signals.h). */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&th, &attr, job_main, j);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		check_skip(&out->result, "cannot start a thread: %s", strerror(err));
		free(j);
		return 1;
	}
	*jp = j;
	return 0;
}

static void time_out(struct job *j, struct check_outcome *out)
{
	struct check_result *r = &out->result;

	r->status = CHECK_WARN;
	r->timed_out = true;
	r->elapsed_ns = mono_ns() - j->start_ns;
	snprintf(r->summary, sizeof(r->summary),
		 "did not finish within %u ms: one of its reads blocked (a /proc or cgroup file of "
		 "a process stuck in the kernel, or a FIFO)",
		 j->check->timeout_ms);
	check_fix(r, "look for processes in state D (ps -eo pid,stat,wchan:32,comm) and for what "
		     "they wait on in /proc/PID/stack");
	j->abandoned = true;
}

/* Collects finished and overdue jobs; returns how many it retired. */
static size_t retire(struct job **jobs, struct check_outcome *out, size_t n, uint64_t now,
		     uint64_t *next_deadline, size_t *abandoned)
{
	size_t i, retired = 0;

	*next_deadline = UINT64_MAX;
	for (i = 0; i < n; i++) {
		struct job *j = jobs[i];

		if (!j)
			continue;
		if (j->done) {
			out[i].result = j->r; /* moves the strings and facts */
			free(j);
		} else if (now >= j->deadline_ns) {
			time_out(j, &out[i]);
			(*abandoned)++;
		} else {
			if (j->deadline_ns < *next_deadline)
				*next_deadline = j->deadline_ns;
			continue;
		}
		jobs[i] = NULL;
		retired++;
	}
	return retired;
}

static void wait_until(uint64_t deadline_ns)
{
	struct timespec ts = {.tv_sec = (time_t)(deadline_ns / 1000000000ULL),
			      .tv_nsec = (long)(deadline_ns % 1000000000ULL)};

	pthread_cond_timedwait(&cond, &lock, &ts);
}

size_t doctor_run_checks(const struct doctor_target *t, const struct doctor_check *const *checks,
			 size_t n, unsigned max_parallel, struct check_outcome *out)
{
	struct job **jobs = calloc(n ? n : 1, sizeof(*jobs));
	size_t next = 0, running = 0, finished = 0, abandoned = 0;
	uint64_t deadline;

	pthread_once(&cond_once, cond_init);
	memset(out, 0, n * sizeof(*out));
	if (!jobs) {
		for (next = 0; next < n; next++) {
			out[next].check = checks[next];
			check_skip(&out[next].result, "out of memory");
		}
		return 0;
	}
	if (!max_parallel)
		max_parallel = n ? (unsigned)n : 1;
	pthread_mutex_lock(&lock);
	while (finished < n) {
		while (next < n && running < max_parallel) {
			if (start(t, checks[next], &out[next], &jobs[next]))
				finished++;
			else
				running++;
			next++;
		}
		size_t r = retire(jobs, out, n, mono_ns(), &deadline, &abandoned);

		running -= r;
		finished += r;
		if (!r && running)
			wait_until(deadline);
	}
	pthread_mutex_unlock(&lock);
	free(jobs);
	return abandoned;
}

void check_outcomes__clear(struct check_outcome *out, size_t n)
{
	for (size_t i = 0; out && i < n; i++)
		check_result__clear(&out[i].result);
}

enum check_status check_outcomes__worst(const struct check_outcome *out, size_t n)
{
	enum check_status w = CHECK_PASS;

	for (size_t i = 0; i < n; i++)
		if (out[i].result.status > w)
			w = out[i].result.status;
	return w;
}
