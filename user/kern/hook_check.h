/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_KERN_HOOK_CHECK_H
#define GOTRACE_KERN_HOOK_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "kern/features.h"

/*
 * Can t be used on this kernel, now? In order: --no-feature, privileges,
 * the mechanism's feature probe, the name against the kernel's BTF or tracefs,
 * then a real load and attach of a trivial program (detached at once).
 * false with the reason of the first check that failed. Cached per
 * (mechanism, target) for the run.
 */
bool hook_check(const struct kern_target *t, char *reason, size_t len);

#endif
