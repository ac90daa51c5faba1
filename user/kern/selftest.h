/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_KERN_SELFTEST_H
#define GOTRACE_KERN_SELFTEST_H

#include <stdint.h>

#include "kern/features.h"

/*
 * Proves that the mechanism chosen for a hook delivers events, not only
 * attaches: attaches it for process_exec, runs /bin/true `expected` times
 * (fork + exec) and reads how many of those execs the BPF program counted
 * (it counts only children of this process).
 */
struct kern_selftest {
	const char *hook;
	struct kern_target target;
	unsigned expected;
	uint64_t counted;
};

/* 0 when it ran (compare counted with expected); -GT_ENOFEAT when the hook is unavailable. */
int kern_selftest__run(struct kern_selftest *st);

#endif
