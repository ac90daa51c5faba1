/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_BASE_SIGNALS_H
#define GOTRACE_BASE_SIGNALS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * SIGINT/SIGTERM handling for every command (STYLE.md §6): the first signal
 * sets a flag the poll loops check (so a final summary still prints); the
 * handler re-arms SIG_DFL, so a second Ctrl-C kills immediately.
 */
void signals__install(void);
bool signals__stop_requested(void);

/* CLOCK_MONOTONIC in nanoseconds: every deadline and interval uses it. */
uint64_t mono_ns(void);
/* CLOCK_REALTIME in ns: the time facts carry (fact.time_ns). */
uint64_t real_ns(void);
/* Sleeps until deadline (mono_ns) or a stop signal; false when stopped early. */
bool signals__sleep_until(uint64_t deadline_ns);

#endif
