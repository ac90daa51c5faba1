// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

#include "base/signals.h"
#include "bpf_probecheck.h"
#include "goelf/elf.h"
#include "goelf/elfsyms.h"
#include "kern/uprobe_cost.h"

#define CALIB_CALLS 4000

/*
 * First instruction a JBE with a 32-bit displacement, like the one after Go's
 * stack-bound check that gotrace probes: emulated by the kernel's x86 uprobe
 * code (one trap, no single-step). Not taken: the flags come from the caller.
 */
__asm__(".text\n"
	".globl gotrace_calib_target\n"
	".type gotrace_calib_target, @function\n"
	"gotrace_calib_target:\n"
	"	.byte 0x0f, 0x86, 0x01, 0x00, 0x00, 0x00\n" /* jbe +1 */
	"	ret\n"
	"	ret\n"
	".size gotrace_calib_target, .-gotrace_calib_target\n");
void gotrace_calib_target(void);

static uint64_t time_calls(void)
{
	void (*volatile fn)(void) = gotrace_calib_target;
	uint64_t t0 = mono_ns();
	int i;

	for (i = 0; i < CALIB_CALLS; i++)
		fn();
	return mono_ns() - t0;
}

static int own_offset(uint64_t *off)
{
	struct elf_file *ef;
	struct elf_syms *syms = NULL;
	struct elf_sym sym;
	int err = elf_file__open("/proc/self/exe", &ef);

	if (err)
		return err;
	err = elf_syms__load(ef, &syms);
	if (!err)
		err = elf_syms__find(syms, "gotrace_calib_target", &sym);
	if (!err)
		err = elf_file__vaddr_to_offset(ef, sym.start, off);
	elf_syms__free(syms);
	elf_file__free(ef);
	return err;
}

static int measure(double *ns_per_hit)
{
	struct probecheck *pc = NULL;
	struct probecheck_slot st;
	uint64_t off, base, probed;
	int err = own_offset(&off);

	if (err)
		return err;
	base = time_calls();
	err = probecheck__open(getpid(), &pc);
	if (!err)
		err = probecheck__add(pc, off, 0);
	if (!err) {
		probed = time_calls();
		err = probecheck__read(pc, 0, &st);
		if (!err && st.hits < CALIB_CALLS)
			err = -EIO; /* the probe did not fire on every call */
		if (!err)
			*ns_per_hit = probed > base ? (double)(probed - base) / CALIB_CALLS : 0;
	}
	probecheck__free(pc);
	return err;
}

void uprobe_cost__get(struct uprobe_cost *out)
{
	static struct uprobe_cost cached;
	static bool done;
	double ns;

	if (!done) {
		done = true;
		cached.emulated_ns = UPROBE_COST_DEFAULT_NS;
		cached.how = "default (calibration failed: gotrace's own symbols or uprobes "
			     "unavailable)";
		if (!measure(&ns) && ns > 0) {
			cached.emulated_ns = ns;
			cached.measured = true;
			cached.how = "measured on this machine (emulated uprobe + BPF program)";
		}
	}
	*out = cached;
}
