// SPDX-License-Identifier: GPL-2.0
#include <signal.h>
#include <string.h>
#include <time.h>

#include "base/signals.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	struct sigaction dfl;

	stop_requested = 1;
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigaction(sig, &dfl, NULL); /* the second one kills */
}

void signals__install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

bool signals__stop_requested(void)
{
	return stop_requested;
}

uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

uint64_t real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

bool signals__sleep_until(uint64_t deadline_ns)
{
	while (!stop_requested) {
		uint64_t now = mono_ns();
		struct timespec ts;

		if (now >= deadline_ns)
			return true;
		/* Short slices: a signal may land just before nanosleep starts. */
		now = deadline_ns - now;
		if (now > 100000000ULL)
			now = 100000000ULL;
		ts.tv_sec = now / 1000000000ULL;
		ts.tv_nsec = now % 1000000000ULL;
		nanosleep(&ts, NULL);
	}
	return false;
}
