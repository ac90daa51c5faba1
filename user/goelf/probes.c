// SPDX-License-Identifier: GPL-2.0
/*
 * Probe placement in Go functions.
 *
 * Every split-checked Go function on amd64 (register ABI, go1.17+) opens
 * with a stack-bound check against g.stackguard0 at 0x10(R14):
 *
 *   small frames:  49 3b 66 10             CMPQ SP, 0x10(R14)
 *   larger frames: 4c 8d 64 24 d8          LEAQ -d8(SP), R12
 *                  (4c 8d a4 24 d32        LEAQ -d32(SP), R12)
 *                  4d 3b 66 10             CMPQ R12, 0x10(R14)
 *   then           76 r8 | 0f 86 r32       JBE morestack stub (in the function)
 *
 * (verified with objdump on go1.19, go1.24 and go1.27 builds). A uprobe on
 * the CMP must be single-stepped out of line (two traps); on the JBE the
 * kernel emulates the branch (one trap): measured 3.5x cheaper per hit on
 * these machines. The CMP/LEA change only flags and the scratch R12, so at
 * the JBE every argument register, R14 (g) and [SP] (the return address)
 * are still as they were at entry. Anything else -- nosplit functions
 * (casgstatus, throw), huge frames with a different check, unknown bytes --
 * gets the entry, which is always correct.
 */
#include <elf.h>
#include <errno.h>
#include <string.h>

#include "base/err.h"
#include "goelf/probes.h"

/* The runtime functions gotrace's commands probe (GO-RUNTIME.md §2.1). */
static const char *const probe_functions[] = {
	"runtime.gopark",     /* block: a goroutine parks (R14 = g, CL = reason) */
	"runtime.ready",      /* block: a parked goroutine is made runnable */
	"runtime.casgstatus", /* block: status transitions (netpoll/GC wakeups) */
	"runtime.execute",    /* block: runnable -> running (scheduling latency) */
	"runtime.newproc1",   /* goroutine creation (creator pc) */
	"runtime.goexit1",    /* goroutine exit */
	"runtime.throw",      /* crash: runtime fatal error message */
	"runtime.fatal",      /* crash: user-caused fatal error (go1.19+) */
	"runtime.fatalpanic", /* crash: unrecovered panic */
	"runtime.fatalthrow", /* crash: common sink of throw and fatal */
	"runtime.gcStart",    /* GC cycle start */
};

#define NPROBES (sizeof(probe_functions) / sizeof(probe_functions[0]))

size_t go_probe_count(void)
{
	return NPROBES;
}

const char *go_probe_function(size_t i)
{
	return i < NPROBES ? probe_functions[i] : NULL;
}

bool go_uprobe_supported(const struct go_version *v, uint16_t machine, const char **reason)
{
	if (machine == EM_X86_64) {
		if (go_version_cmp_minor(v, 1, 17) < 0) {
			*reason = "Go older than 1.17 passes arguments on the stack (no register "
				  "ABI on "
				  "amd64 before go1.17): gotrace's uprobes need the register ABI";
			return false;
		}
	} else if (machine == EM_AARCH64) {
		*reason = "arm64 uprobe tracing is not implemented yet (register ABI since go1.18; "
			  "`info` works)";
		return false;
	} else {
		*reason = "unsupported architecture: gotrace traces x86-64 (and later arm64) "
			  "binaries";
		return false;
	}
	*reason = "Go register ABI on x86-64";
	return true;
}

/* The JBE (rel8 or rel32) at code[off]; its length, or 0. */
static int jbe_len(const uint8_t *code, uint64_t len, uint64_t off)
{
	if (off + 2 <= len && code[off] == 0x76)
		return 2;
	if (off + 6 <= len && code[off] == 0x0f && code[off + 1] == 0x86)
		return 6;
	return 0;
}

int go_prologue_jbe_offset_amd64(const uint8_t *code, uint64_t len, const char **why)
{
	static const uint8_t cmp_sp[] = {0x49, 0x3b, 0x66, 0x10};  /* CMPQ SP, 0x10(R14) */
	static const uint8_t cmp_r12[] = {0x4d, 0x3b, 0x66, 0x10}; /* CMPQ R12, 0x10(R14) */
	static const uint8_t lea8[] = {0x4c, 0x8d, 0x64, 0x24};	   /* LEAQ d8(SP), R12 */
	static const uint8_t lea32[] = {0x4c, 0x8d, 0xa4, 0x24};   /* LEAQ d32(SP), R12 */
	uint64_t off;

	if (len >= 4 && !memcmp(code, cmp_sp, 4)) {
		off = 4;
	} else if (len >= 9 && !memcmp(code, lea8, 4) && !memcmp(code + 5, cmp_r12, 4)) {
		off = 9;
	} else if (len >= 12 && !memcmp(code, lea32, 4) && !memcmp(code + 8, cmp_r12, 4)) {
		off = 12;
	} else {
		*why = "no stack-bound check at entry (nosplit function or unknown prologue)";
		return -ENOENT;
	}
	if (!jbe_len(code, len, off)) {
		*why = "stack-bound check not followed by JBE";
		return -ENOENT;
	}
	return (int)off;
}

/* The JBE must jump forward into the same function (its morestack stub). */
static bool jbe_target_inside(const uint8_t *code, uint64_t off, uint64_t fn_len)
{
	int64_t rel;
	uint64_t next;

	if (code[off] == 0x76) {
		rel = (int8_t)code[off + 1];
		next = off + 2;
	} else {
		rel = (int32_t)elf_rd32(code + off + 2);
		next = off + 6;
	}
	return rel > 0 && next + (uint64_t)rel < fn_len;
}

static void place_probe(const struct elf_file *ef, const struct pcln_func *fn,
			struct go_probe_site *site)
{
	uint64_t avail, fn_len = fn->end - fn->entry;
	const uint8_t *code = elf_file__vaddr_bytes(ef, fn->entry, &avail);
	int off;

	site->placement = PROBE_AT_ENTRY;
	site->probe_vaddr = fn->entry;
	if (elf_file__machine(ef) != EM_X86_64) {
		site->why_entry = "prologue decoding is implemented for x86-64 only";
		return;
	}
	if (!code) {
		site->why_entry = "function bytes are not in the file";
		return;
	}
	if (avail > fn_len)
		avail = fn_len;
	off = go_prologue_jbe_offset_amd64(code, avail, &site->why_entry);
	if (off < 0)
		return;
	if (!jbe_target_inside(code, off, fn_len)) {
		site->why_entry = "JBE after the stack check leaves the function";
		return;
	}
	site->placement = PROBE_AFTER_STACK_CHECK;
	site->probe_vaddr = fn->entry + off;
	site->why_entry = NULL;
}

int go_probe_resolve(const struct elf_file *ef, const struct pclntab *t, const char *function,
		     struct go_probe_site *site)
{
	struct pcln_func fn;
	int err;

	memset(site, 0, sizeof(*site));
	site->function = function;
	err = pclntab__find_name(t, function, &fn);
	if (err == -ENOENT)
		return 0;
	if (err)
		return err;
	site->found = true;
	site->entry = fn.entry;
	place_probe(ef, &fn, site);
	if (elf_file__vaddr_to_offset(ef, site->entry, &site->entry_file_offset) ||
	    elf_file__vaddr_to_offset(ef, site->probe_vaddr, &site->probe_file_offset))
		return err_fail(GT_EFORMAT, "%s: %s at 0x%llx is not backed by the file",
				elf_file__name(ef), function, (unsigned long long)site->entry);
	return 0;
}
