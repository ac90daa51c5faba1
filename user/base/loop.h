/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_BASE_LOOP_H
#define GOTRACE_BASE_LOOP_H

#include <stdbool.h>
#include <stdint.h>

/*
 * The main loop of every tracing command (STYLE.md §6): poll with a short
 * timeout, -EINTR is not an error, --duration is a monotonic deadline,
 * -i ticks at a fixed rate, Ctrl-C or SIGTERM ends it with a final tick (the
 * summary), a second Ctrl-C kills.
 */
struct run_loop {
	uint64_t duration_ns; /* 0: until a signal or stop() says so */
	uint64_t interval_ns; /* 0: no periodic ticks */
	int max_poll_ms;      /* longest single poll (default 100) */
	/* Waits up to timeout_ms for events and handles them; >= 0, or -errno. */
	int (*poll)(void *ctx, int timeout_ms);
	/* Periodic output; final on the way out. Optional. */
	int (*tick)(void *ctx, bool final);
	/* True when the command is done early (e.g. the target exited). Optional. */
	bool (*stop)(void *ctx);
	void *ctx;
};

/* Runs until the deadline, a signal or stop(); returns the first error. */
int run_loop__run(const struct run_loop *rl);

#endif
