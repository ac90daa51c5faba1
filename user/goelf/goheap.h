/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_GOELF_GOHEAP_H
#define GOTRACE_GOELF_GOHEAP_H

#include <stdbool.h>
#include <stdint.h>

#include "goelf/elf.h"
#include "goelf/elfsyms.h"
#include "goelf/goglobals.h"
#include "goelf/goversion.h"
#include "goelf/pclntab.h"

/*
 * Where a Go program keeps the numbers that explain its memory (the GC
 * pacer's own state, not the environment it was started with): a handful of
 * words in two runtime globals, runtime.gcController (gcControllerState,
 * mgcpacer.go) and runtime.memstats (mstats, mstats.go). A reader outside
 * the process copies these words (gotrace oom does it in BPF, at the
 * victim's death) and go_heap_state__decode() turns them into the heap
 * state, computing the heap goal the way the runtime's heapGoal() does.
 *
 * Field offsets come from the binary's DWARF when it has it, else from a
 * table keyed by Go version (go1.19, go1.21-go1.24, go1.26-go1.27: every
 * row checked against the DWARF of binaries built with that toolchain,
 * tests/unit/test_goheap.c). The globals' addresses come from .symtab, else
 * from the code of runtime.gcTrigger.test (through x86code.h), which reads
 * gcController.gcPercent and .heapLive and memstats.enablegc and
 * .last_gc_nanotime: the base address whose known offsets all appear there
 * is the global. go1.20 and go1.25 (no toolchain here to verify a row),
 * go1.18 and older (no memoryLimit) and non-x86-64 binaries without DWARF
 * (the table was checked on amd64 builds; the code decoder is x86-64's)
 * are refused with a sentence; nothing is guessed.
 */

enum go_heap_field {
	GO_HEAP_GC_PERCENT,	    /* gcController.gcPercent (int32): GOGC in effect, <0 off */
	GO_HEAP_MEMORY_LIMIT,	    /* gcController.memoryLimit (int64): GOMEMLIMIT in effect */
	GO_HEAP_LIVE,		    /* gcController.heapLive: marked at the last GC + allocated */
	GO_HEAP_MARKED,		    /* gcController.heapMarked: reachable at the last GC's end */
	GO_HEAP_PERCENT_GOAL,	    /* gcController.gcPercentHeapGoal: GOGC's heap goal */
	GO_HEAP_SWEEP_DIST_TRIGGER, /* gcController.sweepDistMinTrigger */
	GO_HEAP_TRIGGERED,	    /* gcController.triggered: heapLive when this GC started */
	GO_HEAP_IN_USE,		    /* gcController.heapInUse: bytes in in-use spans */
	GO_HEAP_FREE,		    /* gcController.heapFree: free spans, not released */
	GO_HEAP_RELEASED,	    /* gcController.heapReleased: returned to the OS */
	GO_HEAP_TOTAL_ALLOC,	    /* gcController.totalAlloc: bytes ever allocated */
	GO_HEAP_TOTAL_FREE,	    /* gcController.totalFree: bytes ever freed */
	GO_HEAP_MAPPED_READY, /* gcController.mappedReady: runtime memory mapped, not released */
	GO_HEAP_NUMGC,	      /* memstats.numgc (uint32): completed GC cycles */
	GO_HEAP_LAST_GC_NANOTIME, /* memstats.last_gc_nanotime: CLOCK_MONOTONIC ns, 0 none */
	GO_HEAP_NFIELDS,
};

/* Which global a field lives in. */
enum go_heap_global {
	GO_HEAP_IN_GCCONTROLLER,
	GO_HEAP_IN_MEMSTATS,
};

struct go_heap_field_info {
	const char *global; /* "runtime.gcController" */
	const char *type;   /* its DWARF type: "runtime.gcControllerState" */
	const char *member; /* "heapLive" */
	enum go_heap_global in;
	uint8_t size; /* bytes that hold the value: 4 or 8 */
};

const struct go_heap_field_info *go_heap_field__info(enum go_heap_field f);

/* Offsets of the fields in their struct, plus what locating memstats in code needs. */
struct go_heap_offsets {
	int32_t off[GO_HEAP_NFIELDS];
	int32_t enablegc; /* memstats.enablegc (bool) */
};

/* -ENOENT (message set) when the table has no verified row for ver. */
int go_heap_offsets__from_table(const struct go_version *ver, struct go_heap_offsets *out);
/* -ENOENT: no DWARF or no such structs; -GT_EFORMAT: a member is missing (go1.18-). */
int go_heap_offsets__from_dwarf(const struct elf_file *ef, struct go_heap_offsets *out);
/* The Go minor versions the table has rows for, ascending; returns how many. */
int go_heap_offsets__table_minors(int *minors, int max);

/*
 * runtime.gcController and runtime.memstats from runtime.gcTrigger.test's
 * code, for off's layout. -ENOENT (message set) when the code does not show
 * exactly one base for each.
 */
int go_heap__globals_from_code(const struct elf_file *ef, const struct pclntab *pcln,
			       const struct go_heap_offsets *off, uint64_t *gc_controller,
			       uint64_t *memstats);

struct go_heap_layout {
	struct go_heap_offsets off;
	uint64_t gc_controller, memstats; /* link-time vaddrs of the globals */
	enum go_global_source globals_source;
	char offsets_source[32]; /* "DWARF" or "table (go1.NN)" */
	int minor;		 /* Go 1.minor; 0 when the version is unknown */
};

/*
 * Offsets (DWARF, else the table for ver, which may be NULL) and the
 * globals (syms, which may be NULL, else pcln's code). -EOPNOTSUPP or
 * -ENOENT with a sentence saying what is missing.
 */
int go_heap_layout__find(const struct elf_file *ef, const struct elf_syms *syms,
			 const struct pclntab *pcln, const struct go_version *ver,
			 struct go_heap_layout *out);
/* Link-time address of field f (add the load bias for PIE). */
uint64_t go_heap_layout__addr(const struct go_heap_layout *l, enum go_heap_field f);

/* What the words say, as the runtime means them. */
enum go_heap_goal_by {
	GO_GOAL_UNKNOWN,      /* the version's heapGoal() is not known here */
	GO_GOAL_NONE,	      /* GOGC off and no memory limit: no goal, the GC never runs */
	GO_GOAL_GOGC,	      /* gcPercentHeapGoal: GOGC's */
	GO_GOAL_MEMORY_LIMIT, /* the memory limit's goal was lower */
	GO_GOAL_SWEEP,	      /* pushed out by the minimum sweep distance */
	GO_GOAL_RUNWAY,	      /* pushed out to 64 KiB past the trigger */
};

struct go_heap_state {
	int32_t gc_percent;   /* negative: GOGC=off */
	int64_t memory_limit; /* INT64_MAX: none */
	uint64_t heap_live, heap_marked;
	uint64_t heap_alloc; /* totalAlloc - totalFree (MemStats.HeapAlloc) */
	uint64_t heap_sys;   /* heapInUse + heapFree + heapReleased (MemStats.HeapSys) */
	uint64_t heap_released;
	uint64_t mapped_ready; /* MemStats.Sys - HeapReleased: what the memory limit counts */
	uint32_t gc_cycles;
	uint64_t last_gc_nanotime;
	enum go_heap_goal_by goal_by;
	uint64_t heap_goal;	/* valid unless goal_by is UNKNOWN or NONE */
	uint64_t gogc_goal;	/* gcPercentHeapGoal; UINT64_MAX when GOGC is off */
	uint64_t memlimit_goal; /* the memory limit's goal; UINT64_MAX when there is no limit */
};

/*
 * words[f] is the 8 bytes read at field f's address (a 4-byte field is in
 * the low half); minor selects heapGoal()'s formula (0: unknown, no goal).
 */
void go_heap_state__decode(const uint64_t words[GO_HEAP_NFIELDS], int minor,
			   struct go_heap_state *out);
const char *go_heap_goal_by__name(enum go_heap_goal_by b);

#endif
