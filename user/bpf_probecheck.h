/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_BPF_PROBECHECK_H
#define GOTRACE_BPF_PROBECHECK_H

#include <stdint.h>
#include <sys/types.h>

#include "probecheck.h"

/*
 * Backend of `info --probe-check`: uprobes at the offsets gotrace computed,
 * counting hits per slot for a while. open → add (attach) → wait → read → free.
 */
struct probecheck;

int probecheck__open(pid_t pid, struct probecheck **out);
/* Attaches a uprobe at file_offset of the process's executable, counting into slot. */
int probecheck__add(struct probecheck *pc, uint64_t file_offset, uint32_t slot);
/* Sums the per-CPU counters of slot. */
int probecheck__read(struct probecheck *pc, uint32_t slot, struct probecheck_slot *out);
void probecheck__free(struct probecheck *pc);

#endif
