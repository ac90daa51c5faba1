// SPDX-License-Identifier: GPL-2.0
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "goelf/schedsites.h"
#include "goelf/x86dec.h"

#define MAX_TARGETS 4096
#define MAX_SITES 256

struct sweep_state {
	uint64_t targets[MAX_TARGETS]; /* branch targets inside the function */
	size_t ntargets;
	int bx, cx; /* constant in EBX/ECX on the straight-line path, -1 unknown */
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool is_target(const struct sweep_state *st, uint64_t addr)
{
	return bsearch(&addr, st->targets, st->ntargets, sizeof(addr), cmp_u64) != NULL;
}

/* Pass 1: every jump target inside [entry, end). */
static int collect_targets(const uint8_t *code, uint64_t len, uint64_t entry,
			   struct sweep_state *st)
{
	struct x86_sweep *sw;
	struct x86_inst in;
	int err = x86_sweep__open(code, len, entry, &sw);

	if (err)
		return err;
	st->ntargets = 0;
	while (x86_sweep__next(sw, &in))
		if ((in.kind == X86_JMP_REL || in.kind == X86_JCC_REL) && in.target >= entry &&
		    in.target < entry + len && st->ntargets < MAX_TARGETS)
			st->targets[st->ntargets++] = in.target;
	x86_sweep__free(sw);
	qsort(st->targets, st->ntargets, sizeof(st->targets[0]), cmp_u64);
	return 0;
}

/* Tracks EBX/ECX constants; anything else that writes them, or a join point, forgets them. */
static void track(struct sweep_state *st, const struct x86_inst *in)
{
	if (is_target(st, in->addr))
		st->bx = st->cx = -1;
	if (in->writes & (1u << GPR_RBX))
		st->bx = in->sets_const && in->const_reg == GPR_RBX && in->const_val >= 0 &&
					 in->const_val < 0x10000
				 ? (int)in->const_val
				 : -1;
	if (in->writes & (1u << GPR_RCX))
		st->cx = in->sets_const && in->const_reg == GPR_RCX && in->const_val >= 0 &&
					 in->const_val < 0x10000
				 ? (int)in->const_val
				 : -1;
}

/*
 * The transitions block needs; unknown arguments are kept (the BPF side
 * filters). Not a goroutine's creation, _Gdead -> anything (newproc1; its
 * new status is a variable since go1.23, _Grunnable or _Gwaiting): it
 * would only time a new goroutine's first wait for a CPU, and net/http
 * starts one goroutine per request (the background read), so that one
 * site was 13% of block's traps on an HTTP server (bpftrace count on
 * benchload, go1.27). Scheduling latency is timed from wakes and
 * preemptions, which wait in the same run queues.
 */
static bool wanted(const struct sched_site *s)
{
	if (s->oldval == 6)
		return false;
	if (s->oldval < 0 || s->newval < 0)
		return true;
	if (s->oldval == 2 && s->newval == 4)
		return s->in_park_m;
	return s->newval == 1 || (s->oldval == 1 && s->newval == 2);
}

static int add_site(struct sched_site **v, size_t *n, const struct sched_site *s)
{
	struct sched_site *nv;

	if (*n >= MAX_SITES)
		return 0;
	nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	(*v)[(*n)++] = *s;
	return 0;
}

static int sweep_function(const struct elf_file *ef, const struct pcln_func *fn, uint64_t casg,
			  struct sweep_state *st, struct sched_site **v, size_t *n)
{
	uint64_t avail, len = fn->end - fn->entry;
	const uint8_t *code = elf_file__vaddr_bytes(ef, fn->entry, &avail);
	struct x86_sweep *sw;
	struct x86_inst in;
	int err;

	if (!code || avail < len || fn->end < fn->entry)
		return 0;
	err = collect_targets(code, len, fn->entry, st);
	if (!err)
		err = x86_sweep__open(code, len, fn->entry, &sw);
	if (err)
		return err;
	st->bx = st->cx = -1;
	while (!err && x86_sweep__next(sw, &in)) {
		if (in.kind == X86_CALL_REL && in.target == casg) {
			struct sched_site s = {.vaddr = in.addr,
					       .caller = fn->name,
					       .oldval = is_target(st, in.addr) ? -1 : st->bx,
					       .newval = is_target(st, in.addr) ? -1 : st->cx,
					       .in_park_m = !strcmp(fn->name, "runtime.park_m")};

			if (wanted(&s) && !elf_file__vaddr_to_offset(ef, s.vaddr, &s.file_offset))
				err = add_site(v, n, &s);
		}
		track(st, &in);
	}
	x86_sweep__free(sw);
	return err;
}

int go_sched_sites__in(const struct elf_file *ef, const struct pcln_func *fn, uint64_t casg,
		       struct sched_site **out, size_t *nout)
{
	struct sweep_state *st = malloc(sizeof(*st));
	int err;

	if (!st)
		return -ENOMEM;
	*out = NULL;
	*nout = 0;
	err = sweep_function(ef, fn, casg, st, out, nout);
	free(st);
	if (err) {
		free(*out);
		*out = NULL;
		*nout = 0;
	}
	return err;
}

int go_sched_sites(const struct elf_file *ef, const struct pclntab *t, struct sched_site **out,
		   size_t *nout)
{
	struct sweep_state *st;
	struct sched_site *v = NULL;
	struct pcln_func casg, fn;
	size_t i, n = 0;
	int err = 0;

	if (elf_file__machine(ef) != EM_X86_64)
		return err_fail(ENOTSUP, "scheduler call sites are found on x86-64 only");
	if (pclntab__find_name(t, "runtime.casgstatus", &casg))
		return err_fail(ENOENT, "runtime.casgstatus not found");
	st = malloc(sizeof(*st));
	if (!st)
		return -ENOMEM;
	for (i = 0; i < pclntab__nfuncs(t) && !err; i++) {
		if (pclntab__func_at(t, i, &fn) || fn.wrapper || strncmp(fn.name, "runtime.", 8))
			continue;
		err = sweep_function(ef, &fn, casg.entry, st, &v, &n);
	}
	free(st);
	if (err) {
		free(v);
		return err;
	}
	*out = v;
	*nout = n;
	return 0;
}
