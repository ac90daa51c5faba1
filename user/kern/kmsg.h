/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_KERN_KMSG_H
#define GOTRACE_KERN_KMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The OOM kills the kernel's log still holds (what an SRE greps dmesg
 * for): /dev/kmsg records "prio,seq,usec,flags;text" (Documentation/ABI/
 * testing/dev-kmsg), and for each kill, in this order (mm/memcontrol.c
 * mem_cgroup_print_oom_meminfo, mm/oom_kill.c dump_oom_victim and
 * __oom_kill_process):
 *
 *   memory: usage 65536kB, limit 65536kB, failcnt 0          (memcg OOMs)
 *   oom-kill:constraint=CONSTRAINT_MEMCG,...,oom_memcg=/x,task_memcg=/x/y,task=app,pid=42,uid=0
 *   Memory cgroup out of memory: Killed process 42 (app) total-vm:..kB, anon-rss:..kB,
 *     file-rss:..kB, shmem-rss:..kB, UID:0 pgtables:..kB oom_score_adj:0
 *
 * ("Out of memory: Killed process" for a node-wide OOM.) The log is a ring:
 * old kills fall out of it, and lines may be missing; a kill is reported
 * from its oom-kill line, with what the lines around it add.
 */
struct kmsg_oom {
	uint64_t usec; /* the record's timestamp (µs since boot, printk's clock) */
	pid_t pid;
	char comm[64];
	char constraint[40];  /* CONSTRAINT_MEMCG, CONSTRAINT_NONE, ... */
	char oom_memcg[512];  /* the cgroup whose limit was hit */
	char task_memcg[512]; /* the victim's */
	bool have_usage;      /* the "memory: usage" line before it */
	uint64_t usage_kib, limit_kib;
	bool have_rss; /* the "Killed process" line after it */
	uint64_t total_vm_kib, anon_rss_kib, file_rss_kib, shmem_rss_kib;
};

/* Called for each kill; non-zero stops the walk. */
typedef int (*kmsg_oom_fn)(void *ctx, const struct kmsg_oom *k);

/*
 * Reads the whole ring of path (/dev/kmsg; or a saved copy, records one
 * per line, as `cat /dev/kmsg` writes them) without blocking and calls fn
 * for every OOM kill in it. -EPERM/-EACCES (message set) without the right
 * to read the kernel log (CAP_SYSLOG with dmesg_restrict). *oldest_usec
 * is the oldest record's time: how far back the log goes.
 */
int kmsg__oom_kills(const char *path, kmsg_oom_fn fn, void *ctx, uint64_t *oldest_usec);
/* The same over records in text, one per line ("prio,seq,usec,flags;text"), for tests. */
int kmsg__oom_kills_text(const char *text, size_t len, kmsg_oom_fn fn, void *ctx,
			 uint64_t *oldest_usec);

#endif
