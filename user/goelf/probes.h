/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_GOELF_PROBES_H
#define GOTRACE_GOELF_PROBES_H

#include <stdbool.h>
#include <stdint.h>

#include "goelf/elf.h"
#include "goelf/goversion.h"
#include "goelf/pclntab.h"

/*
 * Where gotrace puts uprobes in a Go binary: the runtime functions its
 * commands probe, resolved through pclntab (so stripped binaries work) to
 * file offsets, with the probe placed after the stack-bound check when the
 * prologue matches (DESIGN.md "Uprobes on Go").
 */

enum probe_placement {
	PROBE_AT_ENTRY,		 /* prologue unknown, nosplit, or not amd64 */
	PROBE_AFTER_STACK_CHECK, /* at the JBE after CMPQ 0x10(R14), SP */
};

struct go_probe_site {
	const char *function; /* e.g. "runtime.gopark" */
	bool found;
	uint64_t entry;	      /* link-time vaddr */
	uint64_t probe_vaddr; /* where the probe goes (entry or the JBE) */
	uint64_t entry_file_offset;
	uint64_t probe_file_offset;
	enum probe_placement placement;
	const char *why_entry; /* for PROBE_AT_ENTRY: why the prologue was not used */
};

/*
 * Whether uprobe tracing of this binary is supported: Go with the register
 * ABI (amd64 since go1.17, arm64 since go1.18), a pclntab, a known
 * architecture. On false, *reason says why in one sentence.
 */
bool go_uprobe_supported(const struct go_version *v, uint16_t machine, const char **reason);

/* The probed runtime functions, in a fixed order; count via go_probe_count(). */
size_t go_probe_count(void);
const char *go_probe_function(size_t i);

/* Resolves site i; site->found is false when the function is absent in this version. */
int go_probe_resolve(const struct elf_file *ef, const struct pclntab *t, const char *function,
		     struct go_probe_site *site);

/*
 * Decodes an amd64 Go prologue at code (len bytes available): returns the
 * offset from the entry of the JBE that follows the stack-bound check, or
 * -ENOENT when the bytes are not a recognised stack check (then probe the
 * entry). Exposed for unit tests.
 */
int go_prologue_jbe_offset_amd64(const uint8_t *code, uint64_t len, const char **why);

#endif
