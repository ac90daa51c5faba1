/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_PROC_STATUS_H
#define GOTRACE_PROC_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The fields of /proc/<pid>/status that gotrace uses. Memory sizes are in
 * KiB as the kernel prints them ("VmRSS:  1234 kB"). seen says which lines
 * were present: kernel threads have no Vm* lines, old kernels lack some.
 */
enum {
	PROC_ST_NAME = 1u << 0,
	PROC_ST_STATE = 1u << 1,
	PROC_ST_TGID = 1u << 2,
	PROC_ST_PPID = 1u << 3,
	PROC_ST_UID = 1u << 4,
	PROC_ST_GID = 1u << 5,
	PROC_ST_NSPID = 1u << 6,
	PROC_ST_THREADS = 1u << 7,
	PROC_ST_CAPS = 1u << 8,
	PROC_ST_VM = 1u << 9, /* VmRSS (and usually VmSize, VmHWM...) */
};

struct proc_status {
	uint32_t seen;
	char name[64]; /* as the kernel printed it: '\n' and '\\' are escaped */
	char state;    /* R S D T t Z X I P */
	pid_t pid, tgid, ppid, tracer_pid;
	uid_t uid[4]; /* real, effective, saved, filesystem */
	gid_t gid[4];
	pid_t ns_pid;	   /* the pid in the innermost pid namespace (container) */
	uint32_t ns_depth; /* how many pid namespaces deep (1: host only) */
	uint32_t threads;
	uint64_t cap_inh, cap_prm, cap_eff, cap_bnd, cap_amb;
	uint64_t vm_peak_kb, vm_size_kb, vm_hwm_kb, vm_rss_kb;
	uint64_t rss_anon_kb, rss_file_kb, rss_shmem_kb;
};

/* Parses status text; unknown lines are skipped, malformed known ones are -GT_EFORMAT. */
int proc_status__parse(const char *text, size_t len, struct proc_status *st);
int proc_status__read(pid_t pid, struct proc_status *st);

#endif
