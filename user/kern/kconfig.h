/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_KERN_KCONFIG_H
#define GOTRACE_KERN_KCONFIG_H

#include <stddef.h>

/*
 * One option of the running kernel's build configuration, from
 * /proc/config.gz or /boot/config-$(uname -r). Used only to make a missing
 * feature's message precise ("CONFIG_KPROBES off"), never to decide: the
 * probes decide.
 * 0 and val = "y", "m", a value, or "n" for "# CONFIG_X is not set";
 * -ENOENT: the option is not in the config; -ENODATA: no config readable.
 */
int kconfig__get(const char *name, char *val, size_t len);

#endif
