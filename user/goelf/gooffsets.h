/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_GOELF_GOOFFSETS_H
#define GOTRACE_GOELF_GOOFFSETS_H

#include <stdint.h>

#include "goelf/elf.h"
#include "goelf/goversion.h"

/*
 * Byte offsets of the runtime.g / runtime.m / runtime.gobuf fields that
 * gotrace reads from a live process (GO-RUNTIME.md §4), for 64-bit targets.
 * From the binary's own DWARF when it has it (the only truth for a build);
 * else from a table keyed by Go version, verified against the DWARF of
 * every toolchain the tests can run. A version without a table row and a
 * binary without DWARF get a refusal: guessed offsets would make gotrace
 * print plausible garbage.
 *
 * Offsets are from the start of the struct (g.sched.pc is sched + gobuf.pc);
 * GO_OFF_NONE marks a field this version does not have (or, for the go1.25
 * row, one that was never verified).
 */

#define GO_OFF_NONE (-1)

struct go_offsets {
	/* runtime.g */
	int32_t g_size;	  /* sizeof(runtime.g); GO_OFF_NONE when unknown */
	int32_t stack_lo; /* g.stack.lo */
	int32_t stack_hi; /* g.stack.hi */
	int32_t m;	  /* g.m (*m) */
	int32_t sched_sp; /* g.sched.sp */
	int32_t sched_pc; /* g.sched.pc */
	int32_t sched_bp; /* g.sched.bp */
	int32_t syscallsp;
	int32_t syscallpc;
	int32_t syscallbp;    /* go1.23+ */
	int32_t atomicstatus; /* uint32 */
	int32_t goid;	      /* int64 / uint64 */
	int32_t waitsince;    /* int64 nanotime, set when a GC found the g blocked */
	int32_t waitreason;   /* uint8 */
	int32_t lockedm;
	int32_t parent_goid; /* go1.21+ */
	int32_t gopc;	     /* pc of the go statement */
	int32_t startpc;     /* the goroutine's function */
	int32_t waiting;     /* *sudog */
	int32_t labels;	     /* pprof labels (unsafe.Pointer) */
	/* runtime.m */
	int32_t m_procid; /* OS thread id */
	int32_t m_curg;
	int32_t m_id;
	/*
	 * g.trackingSeq (uint8, go1.17+): the runtime adds one every time the
	 * goroutine stops running (casgstatus out of _Grunning/_Gsyscall). Equal
	 * values and equal saved contexts in two reads mean it did not run in
	 * between, modulo 256 runs (goroutines/memo.c). GO_OFF_NONE when unknown:
	 * only DWARF or a version checked against DWARF gives it.
	 */
	int32_t tracking_seq;
};

enum go_offsets_source {
	GO_OFFSETS_DWARF,
	GO_OFFSETS_TABLE,
};

/*
 * DWARF first, then the table for ver (which may be NULL when the version
 * is unknown). *source (optional) says which: "DWARF" or "table (go1.NN)".
 * -EOPNOTSUPP with a sentence when neither can give the offsets.
 */
int go_offsets__for(const struct elf_file *ef, const struct go_version *ver, struct go_offsets *out,
		    const char **source);
/* -ENOENT: no DWARF or no runtime.g in it; -GT_EFORMAT: a required field is missing. */
int go_offsets__from_dwarf(const struct elf_file *ef, struct go_offsets *out);
/* -ENOENT when the table has no row for ver (devel builds never match). */
int go_offsets__from_table(const struct go_version *ver, struct go_offsets *out);
/* The oldest and newest minor versions the table covers. */
void go_offsets__table_range(int *min_minor, int *max_minor);
/* Largest offset + 8 among the g fields present: how much of a g to read. */
int32_t go_offsets__g_read_size(const struct go_offsets *o);

#endif
