/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_SYM_SYMBOLIZER_H
#define GOTRACE_SYM_SYMBOLIZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The one symbolization facade (DESIGN.md "Symbolization"): Go frames from
 * .gopclntab (with inlined frames and file:line), C frames from ELF
 * .symtab/.dynsym, kernel frames from /proc/kallsyms. Commands never walk
 * symbol tables themselves.
 *
 * A symbolizer is bound to one binary (addresses are link-time vaddrs) or
 * to one process (addresses are runtime addresses: the mapping from
 * /proc/PID/maps picks the module and removes the load bias). Modules are
 * opened once, lazily, and kept; a process's executable is read through
 * /proc/PID/exe and its libraries through /proc/PID/map_files, so both work
 * for processes in containers and for deleted files.
 */

struct symbolizer;

enum sym_source {
	SYM_SRC_NONE,
	SYM_SRC_GOPCLNTAB,
	SYM_SRC_ELF, /* .symtab / .dynsym */
	SYM_SRC_KALLSYMS,
};

struct sym_frame {
	const char *func; /* "?" when unknown */
	const char *file; /* NULL when unknown (C and kernel frames) */
	int32_t line;
	bool inlined;
	uint64_t func_offset; /* pc - function entry, for the physical frame */
	const char *module;   /* path of the binary or library, or "[kernel]" */
	enum sym_source source;
};

int symbolizer__open_file(const char *path, struct symbolizer **out);
int symbolizer__open_pid(pid_t pid, struct symbolizer **out);
void symbolizer__free(struct symbolizer *s);
/*
 * Opens the module of every executable file mapping now, so addresses still
 * symbolize after the process exits (tracers report after the target died).
 */
void symbolizer__preload(struct symbolizer *s);
/* Kernel addresses (>= the kernel's half) are resolved through kallsyms once this is on. */
int symbolizer__enable_kernel(struct symbolizer *s);

/*
 * Frames for addr, innermost first (inlined frames, then the physical one).
 * Returns the number of frames written (> 0), or -ENOENT with err_set()
 * saying why (no mapping, no symbol), or another -errno.
 */
int symbolizer__symbolize(struct symbolizer *s, uint64_t addr, struct sym_frame *frames,
			  size_t max);

/*
 * symbolizer__symbolize for each of addrs[0..n): addrs[k]'s frames at
 * frames[k * max], its return value in counts[k]. Faster for many
 * addresses of a Go binary (pclntab__symbolize_many). A failed address's
 * err_set() reason is not kept: symbolize it alone to print why. Returns 0.
 */
int symbolizer__symbolize_many(struct symbolizer *s, const uint64_t *addrs, size_t n,
			       struct sym_frame *frames, size_t max, int *counts);

const char *sym_source_name(enum sym_source src);

#endif
