/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_GOELF_SCHEDSITES_H
#define GOTRACE_GOELF_SCHEDSITES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "goelf/elf.h"
#include "goelf/pclntab.h"

/*
 * Where a goroutine's state changes, for `block`: the CALLs to
 * runtime.casgstatus(gp, old, new) inside the runtime. Probing the call
 * sites rather than casgstatus itself skips the hottest transitions that
 * block does not need (every syscall enters and leaves _Gsyscall through
 * casgstatus) and costs one emulated trap per hit instead of a
 * single-stepped one. old/new are read from the constants the compiler
 * loads into EBX/ECX right before the CALL (MOVL $4, BX; MOVL $1, CX),
 * found by a linear sweep with a real decoder; a site whose arguments are
 * not constants on every path to it is kept, and the BPF side filters.
 */

struct sched_site {
	uint64_t vaddr; /* the CALL instruction */
	uint64_t file_offset;
	const char *caller; /* containing function */
	int oldval, newval; /* -1: not a constant */
	bool in_park_m;	    /* 4 -> 1 here cancels a park */
};

/*
 * Sites of the transitions block uses: 2->4 in park_m (park confirmed),
 * 4->1 (wakes, every path), x->1 (runnable: preempted, back from a
 * syscall without a P; not 6->1, a goroutine's creation), 1->2 (running),
 * and sites with unknown arguments.
 * -ENOENT when casgstatus is absent; -ENOTSUP for non-x86-64 binaries.
 */
int go_sched_sites(const struct elf_file *ef, const struct pclntab *t, struct sched_site **out,
		   size_t *n);
/* The sites in one function's code (fn's name decides in_park_m); the fuzzer's entry. */
int go_sched_sites__in(const struct elf_file *ef, const struct pcln_func *fn, uint64_t casg,
		       struct sched_site **out, size_t *n);

#endif
