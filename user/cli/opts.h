/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_CLI_OPTS_H
#define GOTRACE_CLI_OPTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/*
 * Command-line options. The shared options are defined here once, with one
 * spelling and one meaning for every command (STYLE.md §7); a command says
 * which of them it takes and adds its own. Every number goes through
 * base/num.h.
 */

enum shared_opt {
	OPT_PID = 1u << 0,	 /* -p/--pid PID (the kernel's tgid) */
	OPT_CGROUP = 1u << 1,	 /* -c/--cgroup PATH|ID */
	OPT_POD = 1u << 2,	 /* --pod UID */
	OPT_CONTAINER = 1u << 3, /* --container ID */
	OPT_DURATION = 1u << 4,	 /* -d/--duration DUR (bare number = seconds) */
	OPT_INTERVAL = 1u << 5,	 /* -i/--interval DUR */
	OPT_JSON = 1u << 6,	 /* -j/--json */
};

struct common_opts {
	pid_t pid; /* 0: not given */
	const char *cgroup;
	const char *pod;
	const char *container;
	uint64_t duration_ns; /* 0: until Ctrl-C */
	uint64_t interval_ns; /* 0: no periodic output */
	bool json;
	int verbose; /* -v, repeatable */
};

/* Global settings, from before the command or from any command's options. */
struct global_opts {
	int verbose;
	bool json;
	const char *host_root; /* --host-root: the node's / (default "/") */
};

extern struct global_opts g_opts;

/* A command's own option. id > 0x100 so it never collides with a short option. */
struct cmd_opt {
	const char *name;
	char short_name; /* 0: long only */
	int has_arg;	 /* no_argument / required_argument */
	int id;
	const char *arg_name;
	const char *help;
	bool hidden; /* for tests and debugging: not in --help */
};

struct cmd_spec {
	const char *name;
	const char *summary;
	const char *usage; /* after "gotrace <name> " */
	const char *description;
	const char *examples;	    /* lines "  gotrace ...   # what it does" */
	unsigned shared;	    /* enum shared_opt bits */
	const struct cmd_opt *opts; /* terminated by {0} */
	int (*run)(const struct cmd_spec *spec, int argc, char **argv);
};

typedef int (*cmd_opt_fn)(void *ctx, int id, const char *arg);

/*
 * Parses argv (argv[0] is the command name) into co and, for the command's
 * own options, calls fn. On success *first_arg is the index of the first
 * positional argument. --help prints help and returns 1. Errors return
 * -GT_EUSAGE with the message set.
 */
int opts_parse(const struct cmd_spec *spec, int argc, char **argv, struct common_opts *co,
	       cmd_opt_fn fn, void *ctx, int *first_arg);
void opts_print_help(const struct cmd_spec *spec, FILE *f);

/* Parses the global options before the command name; returns the index of the command. */
int opts_parse_global(int argc, char **argv, int *cmd_index);

#endif
