// SPDX-License-Identifier: GPL-2.0
/* Where a Go program's heap statistics are: offsets (DWARF or table) and globals. */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "goelf/dwarf.h"
#include "goelf/goheap.h"
#include "goelf/x86code.h"

#define GCC "runtime.gcController", "runtime.gcControllerState"
#define MST "runtime.memstats", "runtime.mstats"

static const struct go_heap_field_info fields[GO_HEAP_NFIELDS] = {
	[GO_HEAP_GC_PERCENT] = {GCC, "gcPercent", GO_HEAP_IN_GCCONTROLLER, 4},
	[GO_HEAP_MEMORY_LIMIT] = {GCC, "memoryLimit", GO_HEAP_IN_GCCONTROLLER, 8},
	[GO_HEAP_LIVE] = {GCC, "heapLive", GO_HEAP_IN_GCCONTROLLER, 8},
	[GO_HEAP_MARKED] = {GCC, "heapMarked", GO_HEAP_IN_GCCONTROLLER, 8},
	[GO_HEAP_PERCENT_GOAL] = {GCC, "gcPercentHeapGoal", GO_HEAP_IN_GCCONTROLLER, 8},
	[GO_HEAP_SWEEP_DIST_TRIGGER] = {GCC, "sweepDistMinTrigger", GO_HEAP_IN_GCCONTROLLER, 8},
	[GO_HEAP_TRIGGERED] = {GCC, "triggered", GO_HEAP_IN_GCCONTROLLER, 8},
	[GO_HEAP_IN_USE] = {GCC, "heapInUse", GO_HEAP_IN_GCCONTROLLER, 8},
	[GO_HEAP_FREE] = {GCC, "heapFree", GO_HEAP_IN_GCCONTROLLER, 8},
	[GO_HEAP_RELEASED] = {GCC, "heapReleased", GO_HEAP_IN_GCCONTROLLER, 8},
	[GO_HEAP_TOTAL_ALLOC] = {GCC, "totalAlloc", GO_HEAP_IN_GCCONTROLLER, 8},
	[GO_HEAP_TOTAL_FREE] = {GCC, "totalFree", GO_HEAP_IN_GCCONTROLLER, 8},
	[GO_HEAP_MAPPED_READY] = {GCC, "mappedReady", GO_HEAP_IN_GCCONTROLLER, 8},
	[GO_HEAP_NUMGC] = {MST, "numgc", GO_HEAP_IN_MEMSTATS, 4},
	[GO_HEAP_LAST_GC_NANOTIME] = {MST, "last_gc_nanotime", GO_HEAP_IN_MEMSTATS, 8},
};

const struct go_heap_field_info *go_heap_field__info(enum go_heap_field f)
{
	return f < GO_HEAP_NFIELDS ? &fields[f] : NULL;
}

/*
 * One row per layout, from the DWARF of the oomalloc fixture built with
 * each toolchain (tests/unit/test_goheap.c checks every row against it).
 * go1.19 keeps consMarkController (a piController) where go1.21 has
 * lastConsMark [4]float64: everything after it is 32 bytes lower from
 * go1.21 on. mstats keeps its offsets until go1.26 (a smaller heapStats
 * array moved the GC fields 24 bytes down and enablegc to the end).
 * Field order: enum go_heap_field, then enablegc.
 */
struct heap_row {
	int min_minor, max_minor;
	struct go_heap_offsets o;
};

static const struct heap_row table[] = {
	{19, 19, {{0, 8, 136, 184, 104, 112, 120, 304, 320, 312, 328, 336, 344, 7704, 7720}, 7736}},
	{21, 24, {{0, 8, 104, 152, 72, 80, 88, 272, 288, 280, 296, 304, 312, 7704, 7720}, 7736}},
	{26, 27, {{0, 8, 104, 152, 72, 80, 88, 272, 288, 280, 296, 304, 312, 7680, 7696}, 10432}},
};

#define NROWS (sizeof(table) / sizeof(table[0]))

int go_heap_offsets__table_minors(int *minors, int max)
{
	int n = 0;

	for (size_t i = 0; i < NROWS; i++)
		for (int m = table[i].min_minor; m <= table[i].max_minor; m++)
			if (n < max)
				minors[n++] = m;
	return n;
}

int go_heap_offsets__from_table(const struct go_version *ver, struct go_heap_offsets *out)
{
	if (ver && !ver->devel && ver->major == 1)
		for (size_t i = 0; i < NROWS; i++)
			if (ver->minor >= table[i].min_minor && ver->minor <= table[i].max_minor) {
				*out = table[i].o;
				return 0;
			}
	return -ENOENT;
}

/* The members of one struct type, by name, into off (fields of that struct only). */
static int dwarf_struct(const struct dwarf *d, enum go_heap_global in, struct go_heap_offsets *o)
{
	struct dwarf_member m[GO_HEAP_NFIELDS + 1];
	int idx[GO_HEAP_NFIELDS + 1], n = 0, err;
	const char *type = NULL;
	uint64_t size;

	for (int f = 0; f < GO_HEAP_NFIELDS; f++) {
		if (fields[f].in != in)
			continue;
		type = fields[f].type;
		m[n] = (struct dwarf_member){fields[f].member, -1};
		idx[n++] = f;
	}
	if (in == GO_HEAP_IN_MEMSTATS) {
		m[n] = (struct dwarf_member){"enablegc", -1};
		idx[n++] = -1;
	}
	err = dwarf__struct_layout(d, type, &size, m, (size_t)n);
	if (err)
		return err;
	for (int i = 0; i < n; i++) {
		if (m[i].offset < 0 || (uint64_t)m[i].offset >= size || m[i].offset > 1 << 20)
			return err_fail(GT_EFORMAT,
					"DWARF's %s has no member %s (the GC pacer of "
					"go1.19 and later has them all)",
					type, m[i].name);
		*(idx[i] < 0 ? &o->enablegc : &o->off[idx[i]]) = (int32_t)m[i].offset;
	}
	return 0;
}

int go_heap_offsets__from_dwarf(const struct elf_file *ef, struct go_heap_offsets *out)
{
	struct go_heap_offsets o;
	struct dwarf *d;
	int err;

	memset(&o, 0, sizeof(o));
	err = dwarf__open(ef, &d);
	if (err)
		return err;
	err = dwarf_struct(d, GO_HEAP_IN_GCCONTROLLER, &o);
	if (!err)
		err = dwarf_struct(d, GO_HEAP_IN_MEMSTATS, &o);
	dwarf__free(d);
	if (!err)
		*out = o;
	return err;
}

/* A read or write of size bytes at target among refs? */
static bool has_access(const struct x86_refs *r, uint64_t target, uint8_t size)
{
	for (size_t i = 0; i < r->n; i++)
		if (!r->v[i].lea && r->v[i].target == target && r->v[i].size == size)
			return true;
	return false;
}

/* A constellation: accesses of these sizes at base + these offsets. */
struct pattern {
	int32_t off[2];
	uint8_t size[2];
};

/* The one base for which every access of p appears in r; -ENOENT if none or several. */
static int match(const struct x86_refs *r, const struct pattern *p, uint64_t *base)
{
	uint64_t found = 0;
	size_t n = 0;

	for (size_t i = 0; i < r->n; i++) {
		uint64_t b = r->v[i].target - (uint64_t)p->off[0];

		if (r->v[i].lea || r->v[i].size != p->size[0] || b == found)
			continue;
		if (has_access(r, b + (uint64_t)p->off[1], p->size[1])) {
			n++;
			found = b;
		}
	}
	if (n != 1)
		return -ENOENT;
	*base = found;
	return 0;
}

int go_heap__globals_from_code(const struct elf_file *ef, const struct pclntab *pcln,
			       const struct go_heap_offsets *off, uint64_t *gc_controller,
			       uint64_t *memstats)
{
	/*
	 * gcTrigger.test reads gcPercent (< 0) and heapLive (>= trigger),
	 * memstats.enablegc and memstats.last_gc_nanotime (go1.19-go1.27).
	 */
	const struct pattern gcc = {{off->off[GO_HEAP_GC_PERCENT], off->off[GO_HEAP_LIVE]}, {4, 8}};
	const struct pattern ms = {{off->enablegc, off->off[GO_HEAP_LAST_GC_NANOTIME]}, {1, 8}};
	struct pcln_func f;
	struct x86_refs r;
	int err;

	if (!pcln || pclntab__find_name(pcln, "runtime.gcTrigger.test", &f))
		return err_fail(ENOENT, "%s: no runtime.gcTrigger.test in pclntab",
				elf_file__name(ef));
	err = x86_refs__collect(ef, f.entry, f.end, &r);
	if (err)
		return err;
	err = match(&r, &gcc, gc_controller);
	if (!err)
		err = match(&r, &ms, memstats);
	x86_refs__clear(&r);
	if (err)
		return err_fail(ENOENT,
				"%s: runtime.gcTrigger.test's code does not show one "
				"runtime.gcController and one runtime.memstats for this layout",
				elf_file__name(ef));
	return 0;
}

/* DWARF (any failure but ENOMEM falls back), else the table, else a refusal saying why. */
static int offsets(const struct elf_file *ef, const struct go_version *ver,
		   struct go_heap_layout *l)
{
	int err = go_heap_offsets__from_dwarf(ef, &l->off);
	char why[200];

	if (!err) {
		snprintf(l->offsets_source, sizeof(l->offsets_source), "DWARF");
		return 0;
	}
	if (err == -ENOMEM)
		return err;
	snprintf(why, sizeof(why), "%s", err == -ENOENT ? "has no DWARF" : err_msg());
	/* The rows were checked on amd64 builds only. */
	if (elf_file__machine(ef) != EM_X86_64)
		return err_fail(EOPNOTSUPP,
				"%s (%s): the heap statistics' table covers x86-64 builds only and "
				"gotrace will not guess",
				elf_file__name(ef), why);
	if (!go_heap_offsets__from_table(ver, &l->off)) {
		snprintf(l->offsets_source, sizeof(l->offsets_source), "table (go1.%d)",
			 ver->minor);
		return 0;
	}
	if (!ver)
		return err_fail(EOPNOTSUPP,
				"%s: no readable Go version and %s: the runtime's heap "
				"statistics cannot be located",
				elf_file__name(ef), why);
	return err_fail(EOPNOTSUPP,
			"%s was built with go1.%d%s (%s): gotrace knows the heap statistics "
			"of go1.19, go1.21-1.24 and go1.26-1.27 only and will not guess",
			elf_file__name(ef), ver->minor, ver->devel ? " (devel)" : "", why);
}

static int globals(const struct elf_file *ef, const struct elf_syms *syms,
		   const struct pclntab *pcln, struct go_heap_layout *l)
{
	struct elf_sym a, b;

	if (syms && !elf_syms__find(syms, "runtime.gcController", &a) &&
	    !elf_syms__find(syms, "runtime.memstats", &b)) {
		l->gc_controller = a.start;
		l->memstats = b.start;
		l->globals_source = GO_GLOBAL_SYMBOL;
		return 0;
	}
	l->globals_source = GO_GLOBAL_CODE;
	return go_heap__globals_from_code(ef, pcln, &l->off, &l->gc_controller, &l->memstats);
}

int go_heap_layout__find(const struct elf_file *ef, const struct elf_syms *syms,
			 const struct pclntab *pcln, const struct go_version *ver,
			 struct go_heap_layout *out)
{
	int err;

	memset(out, 0, sizeof(*out));
	if (ver && !ver->devel && ver->major == 1)
		out->minor = ver->minor;
	err = offsets(ef, ver, out);
	if (!err)
		err = globals(ef, syms, pcln, out);
	return err;
}

uint64_t go_heap_layout__addr(const struct go_heap_layout *l, enum go_heap_field f)
{
	uint64_t base = fields[f].in == GO_HEAP_IN_MEMSTATS ? l->memstats : l->gc_controller;

	return base + (uint64_t)l->off.off[f];
}
