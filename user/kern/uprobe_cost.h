/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_KERN_UPROBE_COST_H
#define GOTRACE_KERN_UPROBE_COST_H

#include <stdbool.h>
#include <stdint.h>

/*
 * What one uprobe hit costs the traced program on this machine, measured
 * rather than assumed (it is ~1 µs on bare metal and 6-25 µs in the VMs this
 * project is tested on): a uprobe with a BPF program is attached to a
 * function in gotrace's own binary whose first instruction the kernel
 * emulates (a JMP, like the JBE and CALL sites gotrace probes in Go code),
 * the function is called N times with and without it, and the difference
 * per call is the cost. Measured once, cached.
 */
struct uprobe_cost {
	double emulated_ns; /* per hit */
	bool measured;	    /* false: the default below, with the reason */
	const char *how;
};

#define UPROBE_COST_DEFAULT_NS 8000.0

void uprobe_cost__get(struct uprobe_cost *out);

#endif
