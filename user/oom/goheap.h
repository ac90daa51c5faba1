/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_OOM_GOHEAP_H
#define GOTRACE_OOM_GOHEAP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "goelf/goheap.h"
#include "oom.h"

/*
 * The Go heap state of an OOM victim, in two halves. Ahead of the kill
 * (oom/watch.c reads the processes of limited cgroups): where the runtime's
 * statistics are in a Go process, goelf/goheap.h's layout of its executable
 * (cached per file: the DWARF read is the costly part) plus the process's
 * load bias; the session hands the addresses to the kernel half. At the
 * kill: the words BPF copied in the victim's own context, decoded, or the
 * reason there are none.
 */

/* Where one process's heap words are, or why that is not known. */
struct proc_heap {
	int err;	 /* 0: addr[] is valid */
	char why[320];	 /* when err: the sentence */
	int minor;	 /* Go 1.minor (heapGoal()'s formula); 0 unknown */
	char source[64]; /* "DWARF offsets, symbol globals" */
	uint64_t addr[GO_HEAP_NFIELDS];
};

struct heap_cache;

int heap_cache__new(struct heap_cache **out);
void heap_cache__free(struct heap_cache *c);
/* Where pid's Go heap words are (call it for Go processes); out->err says why not. */
void heap_cache__resolve(struct heap_cache *c, pid_t pid, struct proc_heap *out);

/* What the kill report says about the victim's Go heap. */
enum heap_status {
	HEAP_NOT_GO,	  /* not a Go victim (or not known to be one): nothing to say */
	HEAP_READ,	  /* read at the death: st is valid */
	HEAP_UNAVAILABLE, /* a Go victim without a reading: why says why */
};

struct heap_report {
	enum heap_status status;
	char why[360];
	struct go_heap_state st;
	struct oom_go_heap_snap snap;
	char source[64];
	int64_t read_before_kill_ns; /* snapshot ktime - kill ktime (the kill hook's) */
};

/*
 * Fills hr for a Go victim whose addresses were ph: from its snapshot
 * (NULL: none came, why_none says why), which same_process says was taken
 * in the process the addresses are for (its start time).
 */
void heap_report__from_snap(struct heap_report *hr, const struct proc_heap *ph,
			    const struct oom_go_heap_snap *snap, bool same_process,
			    uint64_t kill_ktime_ns, const char *why_none);
/*
 * Did code change the knob from what the environment says (debug.SetGCPercent,
 * debug.SetMemoryLimit)? The runtime stores any negative GOGC as -1 (off).
 */
bool heap_gc_percent_set_in_code(int env_percent, int32_t effective);
bool heap_memory_limit_set_in_code(int64_t env_bytes, int64_t effective);
/* "at its SIGKILL's delivery": when the reading was taken. */
const char *heap_report__where(const struct heap_report *hr);

#endif
