/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_GOROUTINES_GOROUTINES_INT_H
#define GOTRACE_GOROUTINES_GOROUTINES_INT_H

#include "goelf/elf.h"
#include "goelf/elfsyms.h"
#include "goelf/gooffsets.h"
#include "goelf/goversion.h"
#include "goelf/pclntab.h"
#include "goelf/waitreason.h"
#include "goroutines/goroutines.h"
#include "proc/pmem.h"
#include "proc/procfs.h"

/* Shared by proc.c (opening), snapshot.c (reading) and unwind.c (stacks). */

#define GO_FCACHE_SIZE 4096

/* Runtime functions whose pcs the stack walk must recognize (runtime addresses). */
struct go_func_range {
	uint64_t start, end; /* [start, end); 0, 0 when the binary has no such function */
};

struct go_proc {
	pid_t pid;
	struct proc_pid_ref ref;
	int pidfd; /* -1: none (checks read /proc/PID/stat) */
	char comm[64];
	char version[64];
	struct go_version ver;
	struct elf_file *ef;
	struct elf_syms *syms;
	struct pclntab *pcln;
	struct symbolizer *sym;
	struct pmem *mem;
	struct go_offsets off;
	const char *off_source;
	char allgs_source[16];
	struct go_waitreasons *wr;
	uint64_t bias;	/* runtime address - link-time vaddr */
	uint64_t allgs; /* runtime address of the slice header */
	int32_t g_read; /* bytes of each g read */
	struct go_func_range goexit, asyncpreempt, sigpanic, mstart;
	bool fp_injected_121;  /* asyncPreempt frames are exact pcs (go1.21+ traceback) */
	struct go_pc *scratch; /* GO_MAX_FRAMES + 1 */
	/* pc → function, direct-mapped: goroutines share most of their pcs. */
	struct go_fcache {
		uint64_t pc, entry, end; /* runtime addresses; pc 0: empty */
	} fcache[GO_FCACHE_SIZE];
	bool borrowed;	      /* ef, pcln, wr and mem belong to the caller (image mode) */
	struct go_memo *memo; /* the last snapshot's stacks (memo.c); NULL before the first */
};

/*
 * A go_proc over a memory image instead of a live process (fuzzing the
 * readers of target memory, tests): ef, pcln, wr (may be NULL) and mem stay
 * the caller's; goexit is the function the walk treats as the bottom.
 */
int go_proc__open_image(struct elf_file *ef, struct pclntab *pcln, struct go_waitreasons *wr,
			const struct go_offsets *off, uint64_t allgs, struct go_func_range goexit,
			struct pmem *mem, struct go_proc **out);

/*
 * The frames of one goroutine from (pc, sp, bp) within its stack [lo, hi):
 * stack holds the bytes [sp, sp + len) already read. Returns the number of
 * pcs written to out (at most GO_MAX_FRAMES) and the state.
 */
/*
 * What identifies a goroutine's state between two snapshots (memo.c): all
 * equal means it has not run in between. No implicit padding: compared
 * with memcmp.
 */
struct go_memo_key {
	uint64_t gaddr, goid, sched_sp, sched_pc, sched_bp, stack_lo, stack_hi;
	uint32_t status; /* atomicstatus as read, scan bit included */
	uint8_t waitreason, tracking_seq;
	uint16_t pad; /* 0 */
};

struct go_memo;

struct go_memo *go_memo__new(size_t n);
void go_memo__free(struct go_memo *m);
/* Whether a goroutine read with this key and walked to this state can be remembered. */
bool go_memo__eligible(const struct go_memo_key *k, enum go_stack_state state);
int go_memo__add(struct go_memo *m, const struct go_memo_key *k, const struct go_pc *pcs,
		 uint32_t npcs, enum go_stack_state state);
/* The remembered walk of a goroutine whose key is the same as then, else NULL. */
const struct go_pc *go_memo__find(const struct go_memo *m, const struct go_memo_key *k,
				  uint32_t *npcs, enum go_stack_state *state);

struct go_unwind_in {
	uint64_t pc, sp, bp, lo, hi;
	const uint8_t *stack;
	size_t len;
	bool bp_unknown; /* go1.22-: a goroutine in a syscall saved no bp */
};

uint32_t go_unwind(struct go_proc *p, const struct go_unwind_in *in, struct go_pc *out,
		   enum go_stack_state *state);

#endif
