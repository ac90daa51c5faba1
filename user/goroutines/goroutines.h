/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_GOROUTINES_GOROUTINES_H
#define GOTRACE_GOROUTINES_GOROUTINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sym/symbolizer.h"

/*
 * Every goroutine of a live Go process, read from its memory without
 * stopping it (issue 4): runtime.allgs → each g (status, wait reason, goid,
 * creator) → a frame-pointer walk of its stack from g.sched. `goroutines`
 * prints it; `block` takes one at attach and one at the end.
 *
 * The target runs while it is read, so every record is validated (pointer
 * ranges, stack bounds, a strictly rising frame chain) and the g is read
 * again after its stack: a goroutine that changed meanwhile is dropped and
 * counted, never printed half old and half new.
 */

struct go_proc;

/* Opens pid: its executable, offsets, globals, wait reasons. Errors say what to do. */
int go_proc__open(pid_t pid, struct go_proc **out);
void go_proc__free(struct go_proc *p);

pid_t go_proc__pid(const struct go_proc *p);
const char *go_proc__comm(const struct go_proc *p);
const char *go_proc__go_version(const struct go_proc *p);
/* How the pieces were found, for -v and JSON: "DWARF", "table (go1.21)", "symbol", "code"... */
const char *go_proc__offsets_source(const struct go_proc *p);
const char *go_proc__allgs_source(const struct go_proc *p);
const char *go_proc__waitreasons_source(const struct go_proc *p);
const char *go_proc__read_method(const struct go_proc *p);
uint64_t go_proc__read_syscalls(const struct go_proc *p);
/* Reads through /proc/PID/mem instead of process_vm_readv (tests the fallback). */
void go_proc__force_procmem(struct go_proc *p);
/* The symbolizer of the process (runtime addresses). */
struct symbolizer *go_proc__symbolizer(struct go_proc *p);

/* Whether a goroutine's stack could be read. */
enum go_stack_state {
	GO_STACK_OK,
	GO_STACK_RUNNING,   /* on a CPU now: its saved registers are stale */
	GO_STACK_NONE,	    /* no saved context (never ran, or being copied) */
	GO_STACK_TRUNCATED, /* deeper than the frame limit: the outermost are missing */
	GO_STACK_PARTIAL,   /* the frame chain broke before the bottom (runtime.goexit) */
};

/* One frame address: pc as found; lookup is the pc to symbolize (pc-1 for return addresses). */
struct go_pc {
	uint64_t pc;
	uint64_t lookup;
};

struct go_goroutine {
	uint64_t goid;
	uint64_t gaddr;	      /* address of the runtime.g */
	uint32_t status;      /* GO_G_* (goelf/waitreason.h), scan bit removed */
	bool scan;	      /* the GC was scanning its stack */
	uint8_t waitreason;   /* raw g.waitreason */
	const char *state;    /* what the runtime prints in brackets: the wait reason when
			       * waiting with one, else the status name */
	int64_t wait_ns;      /* blocked at least this long (from g.waitsince); -1 unknown */
	uint64_t parent_goid; /* 0 unknown (before go1.21) */
	uint64_t gopc;	      /* pc of the go statement; 0 for goroutine 1 and unknown */
	uint64_t startpc;
	int64_t thread_id; /* OS thread of a running / in-syscall goroutine; -1 unknown */
	bool locked_to_thread;
	enum go_stack_state stack;
	struct go_pc *pcs; /* innermost first; points into the snapshot */
	uint32_t npcs;
};

struct go_snapshot {
	struct go_goroutine *v;
	size_t n;
	size_t allglen;		/* entries of allgs read */
	size_t dead;		/* exited goroutines (g kept for reuse), not listed */
	size_t dropped;		/* records that changed or were inconsistent while read */
	size_t retries;		/* allgs re-reads because it grew while read */
	size_t reused;		/* stacks not read: the goroutine had not run since the last one */
	size_t retried;		/* changed while read, then read whole again and listed */
	uint64_t taken_mono_ns; /* CLOCK_MONOTONIC when the read started */
	uint64_t read_ns;	/* how long the read took */
	struct go_pc *pc_buf;
};

/* Frames kept per goroutine (Go's own traceback prints 100 and elides the rest). */
#define GO_MAX_FRAMES 100

int go_proc__snapshot(struct go_proc *p, struct go_snapshot **out);
void go_snapshot__free(struct go_snapshot *s);

/* "created by F in goroutine N" as the runtime prints it, symbolized; 0 frames when unknown. */
int go_proc__creator(struct go_proc *p, const struct go_goroutine *g, struct sym_frame *fr);

#endif
