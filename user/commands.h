/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_COMMANDS_H
#define GOTRACE_COMMANDS_H

#include "cli/opts.h"

/* One entry per command, defined in its cmd_<name>.c. */
extern const struct cmd_spec cmd_info;
extern const struct cmd_spec cmd_watch;
extern const struct cmd_spec cmd_block;
extern const struct cmd_spec cmd_goroutines;
extern const struct cmd_spec cmd_oom;
extern const struct cmd_spec cmd_crash;
extern const struct cmd_spec cmd_bind;
extern const struct cmd_spec cmd_doctor;

#define GOTRACE_VERSION "0.1.0"

#endif
