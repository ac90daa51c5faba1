/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_PROC_GORUNTIME_H
#define GOTRACE_PROC_GORUNTIME_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The Go runtime's knobs in effect in a live process, read from its memory
 * (proc/pmem.h; the process is not stopped): what the runtime actually
 * runs with, including values set in code (runtime.GOMAXPROCS,
 * debug.SetGCPercent, debug.SetMemoryLimit) that the environment does not
 * show (proc/goenv.h reads that).
 *
 *   runtime.gomaxprocs            int32 global (every Go version)
 *   runtime.gcController          var gcControllerState (go1.18+):
 *     .gcPercent                  atomic.Int32 (go1.19+; a plain int32 in go1.18)
 *     .memoryLimit                atomic.Int64 (go1.19+)
 *
 * The globals come from .symtab and the struct layout from the binary's
 * own DWARF: a stripped binary (-s -w) has neither, and this gives up
 * (-ENOENT with the reason) rather than guess. The atomic wrappers hold
 * their value at offset 0 (their other fields, noCopy and align64, are
 * zero-sized). Every value is range-checked: a number outside what the
 * runtime allows means the layout is not what we think, and is dropped.
 */
struct go_runtime_knobs {
	bool have_gomaxprocs;
	int32_t gomaxprocs;
	bool have_gc_percent;
	int32_t gc_percent; /* -1: off */
	bool have_memory_limit;
	int64_t memory_limit; /* INT64_MAX: none */
};

/*
 * Reads pid's knobs; at least one is present on success. -ENOENT (message
 * set) when the binary lacks the symbols or DWARF, -ESRCH when it exited,
 * -EPERM/-EACCES when its memory cannot be read.
 */
int go_runtime_knobs__read(pid_t pid, struct go_runtime_knobs *k);

#endif
