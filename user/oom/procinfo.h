/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_OOM_PROCINFO_H
#define GOTRACE_OOM_PROCINFO_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "oom/goheap.h"
#include "proc/goenv.h"

/*
 * What `oom` wants to know about a process before it dies: its start time
 * (which pins the pid), comm, the Go runtime's knobs from its environment
 * and its executable's Go version. Read ahead for processes in memory
 * cgroups near trouble (oom/watch.c), and again at the kill when the victim
 * is still there. Strings are raw: escape before printing.
 */
struct proc_info {
	pid_t pid;
	uint64_t start_ticks; /* /proc/PID/stat field 22 */
	char comm[16];
	int env_err; /* 0: env is valid */
	struct go_env env;
	int exe_err; /* 0: the executable was read */
	bool is_go;
	char go_version[48]; /* "go1.22.5"; "" when not Go or unknown */
	char exe[256];	     /* /proc/PID/exe link, for display */
	char memcg[512];     /* memory cgroup path ("" when unknown) */
	bool heap_tried;     /* heap below was resolved (read ahead, Go processes only) */
	struct proc_heap heap;
};

/*
 * Reads what it can; -ESRCH when the process was gone before the first
 * read. The executable is read through /proc/PID/exe, so a binary inside a
 * container (or deleted) works.
 */
int proc_info__read(pid_t pid, struct proc_info *out);

#endif
