/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_KERN_REPORT_H
#define GOTRACE_KERN_REPORT_H

#include <stdbool.h>
#include <stdio.h>

/*
 * `gotrace info --kernel`: every feature probe with its reason, the cgroup
 * layout, and for every kernel hook the chosen mechanism and why each
 * earlier candidate was rejected. Human table, or one JSON document.
 * 0, or -errno when nothing could be reported.
 */
int kern_report(FILE *f, bool json);

/*
 * The same plus the self-test (kern/selftest.h), as "selftest". Returns
 * -GT_ENOFEAT when the hook it needs is unavailable and -EIO when it
 * counted a different number of execs than it ran; the report is printed
 * either way.
 */
int kern_report_selftest(FILE *f, bool json);

#endif
