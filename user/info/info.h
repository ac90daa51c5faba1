/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_INFO_INFO_H
#define GOTRACE_INFO_INFO_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "goelf/binfacts.h"
#include "out/json.h"
#include "proc/rootcheck.h"

/*
 * `gotrace info`: the facts about one executable, and for a running process
 * whether what the binary needs exists inside the process's root.
 */

struct info_subject {
	const char *path;    /* as given, or /proc/PID/exe */
	pid_t pid;	     /* 0 for a file */
	char exe_link[4096]; /* readlink of /proc/PID/exe (may end in " (deleted)") */
	char comm[64];
	struct bin_facts facts;
	struct root_check root;
};

/* Fills comm and exe_link; errors name the pid and say what to do. */
int info_read_process(struct info_subject *s);
/* The error for a failed /proc/PID access: exited, no such process, or no permission. */
int info_process_error(pid_t pid, int errnum, const char *what);

/* --addr: symbolizes each address of list ("-" reads stdin) and prints the frames. */
int info_symbolize(const struct info_subject *s, const char *list, bool json);

/* --probe-check: uprobes at every computed probe offset, hits counted for window_ns. */
int info_probe_check(const struct info_subject *s, uint64_t window_ns, bool json);

void info_print_text(FILE *out, const struct info_subject *s, int verbose);
void info_print_json(struct json_writer *w, const struct info_subject *s);

#endif
