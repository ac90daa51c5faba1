// SPDX-License-Identifier: GPL-2.0
/*
 * pc-value tables (runtime/symtab.go pcvalue/step/readvarint): a value
 * starting at -1 and a pc starting at the function entry; each step adds a
 * zig-zag varint to the value and a varint × quantum to the pc; the value
 * holds for pcs below the new pc; a zero value delta after the first step
 * ends the table. Used for the file number, the line, the SP delta and the
 * pcdata tables (inline tree index).
 */
#include <errno.h>

#include "base/err.h"
#include "goelf/pclntab_int.h"

/* A decoded uvarint and where the next one starts; p is NULL when corrupt. */
struct uvarint {
	const uint8_t *p;
	uint32_t v;
};

/* At most 5 bytes (a uint32): longer or truncated is corrupt. */
static struct uvarint __attribute__((noinline)) uvarint_slow(const uint8_t *p, const uint8_t *end)
{
	uint32_t x = 0;
	unsigned shift;

	for (shift = 0; shift < 35 && p < end; shift += 7) {
		uint8_t b = *p++;

		x |= (uint32_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return (struct uvarint){p, x};
	}
	return (struct uvarint){NULL, 0};
}

/*
 * Nearly every delta in real tables fits one or two bytes: those cases
 * inline, and returned by value (two registers) so the walk's state never
 * goes through memory.
 */
static inline struct uvarint uvarint(const uint8_t *p, const uint8_t *end)
{
	if (__builtin_expect(end - p >= 2, 1)) {
		if (p[0] < 0x80)
			return (struct uvarint){p + 1, p[0]};
		if (p[1] < 0x80)
			return (struct uvarint){p + 2, (p[0] & 0x7fu) | (uint32_t)p[1] << 7};
	}
	return uvarint_slow(p, end);
}

/* Out of line: the walk's hot loop stays small. */
static int __attribute__((noinline))
bad_table(const struct pclntab *t, const struct pcln_rec *r, uint32_t off, bool past)
{
	if (past)
		return err_fail(GT_EFORMAT,
				"%s: pclntab: pc-value table 0x%x of function %u is past the table",
				elf_file__name(t->ef), off, r->index);
	return err_fail(GT_EFORMAT, "%s: pclntab: corrupt pc-value table 0x%x of function %u",
			elf_file__name(t->ef), off, r->index);
}

/*
 * One step of the table at *p: the value and pc offset it ends at. 1 for a
 * step, 0 at the end of the table (a zero value delta, except while the pc
 * is still at the entry: the runtime's `first`, which is not "first step"),
 * -1 when corrupt. Each step consumes at least two bytes.
 */
static inline int pcv_next(const uint8_t **pp, const uint8_t *end, uint64_t *cur, int32_t *v,
			   uint32_t quantum)
{
	const uint8_t *p = *pp;
	struct uvarint dv, dpc;

	if (p >= end)
		return -1;
	if (*p == 0 && *cur != 0)
		return 0;
	dv = uvarint(p, end);
	if (!dv.p)
		return -1;
	dpc = uvarint(dv.p, end);
	if (!dpc.p)
		return -1;
	*pp = dpc.p;
	/* Zig-zag in unsigned arithmetic: a hostile delta must not overflow int32. */
	*v = (int32_t)((uint32_t)*v + ((dv.v >> 1) ^ (0u - (dv.v & 1))));
	*cur += (uint64_t)dpc.v * quantum;
	return 1;
}

/* The table at off of r, checked against the table's size; NULL when absent (off 0). */
static int pcv_table(const struct pclntab *t, const struct pcln_rec *r, uint32_t off,
		     const uint8_t **p)
{
	*p = NULL;
	if (off == 0)
		return -ENOENT;
	if (t->pctab + off >= t->size)
		return bad_table(t, r, off, true);
	*p = t->data + t->pctab + off;
	return 0;
}

/*
 * Value of the table at off for pc. -ENOENT when the table is absent
 * (off 0, as in the runtime) or ends before pc; -GT_EFORMAT when it is
 * corrupt. pcs are kept as offsets from the entry: the table's own unit,
 * and one compare per step.
 */
int pcln_pcvalue(const struct pclntab *t, const struct pcln_rec *r, uint32_t off, uint64_t pc,
		 int32_t *val)
{
	const uint8_t *p, *end = t->data + t->size;
	uint64_t cur = 0, target = pc - r->entry, limit = r->end - r->entry;
	uint32_t quantum = t->quantum;
	int32_t v = -1;
	int err = pcv_table(t, r, off, &p), step;

	if (err)
		return err;
	if (pc < r->entry || pc >= r->end)
		return -ENOENT; /* callers pass pcs inside the function; nothing else holds */
	while ((step = pcv_next(&p, end, &cur, &v, quantum)) > 0) {
		if (cur > limit)
			return -ENOENT;
		if (target < cur) {
			*val = v;
			return 0;
		}
	}
	return step ? bad_table(t, r, off, false) : -ENOENT;
}

/*
 * Every run of the table at off, in order: run(ctx, end, value) for the
 * pcs below the entry + end (offsets, increasing). Stops where a walk for
 * any pc would: the end of the table, a step past the function's end (not
 * reported), or one reaching it. What pcln_pcvalue answers for an offset x
 * is the value of the first run whose end is > x, -ENOENT past the last.
 * 0, -ENOENT (absent table), -GT_EFORMAT (corrupt), or run's error.
 */
int pcln_pcvalue_runs(const struct pclntab *t, const struct pcln_rec *r, uint32_t off,
		      int (*run)(void *ctx, uint64_t end, int32_t value), void *ctx)
{
	const uint8_t *p, *end = t->data + t->size;
	uint64_t cur = 0, limit = r->end - r->entry;
	int32_t v = -1;
	int err = pcv_table(t, r, off, &p), step;

	if (err)
		return err;
	while ((step = pcv_next(&p, end, &cur, &v, t->quantum)) > 0) {
		if (cur > limit)
			return 0;
		err = run(ctx, cur, v);
		if (err || cur == limit)
			return err;
	}
	return step ? bad_table(t, r, off, false) : 0;
}

int pcln_pcdata(const struct pclntab *t, const struct pcln_rec *r, uint32_t table, uint64_t pc,
		int32_t *val)
{
	if (table >= r->npcdata)
		return -ENOENT;
	/* pcln_rec_load checked that pcdata[npcdata] lies inside the table. */
	return pcln_pcvalue(t, r, elf_rd32(r->p + r->fixed + 4 * table), pc, val);
}

/* File name of a file number: go1.2 global file table, go1.16+ per-CU table. */
const char *pcln_file(const struct pclntab *t, const struct pcln_rec *r, int32_t fileno)
{
	uint64_t slot;
	uint32_t off;

	if (t->fmt == PCLNTAB_GO12) {
		if (fileno <= 0 || (uint32_t)fileno >= t->nfiletab)
			return NULL;
		return pcln_cstr(t, elf_rd32(t->data + t->filetab + 4 * (uint64_t)fileno));
	}
	if (fileno < 0)
		return NULL;
	slot = t->cutab + 4 * ((uint64_t)r->cuoff + (uint32_t)fileno);
	if (slot > t->size || t->size - slot < 4)
		return NULL;
	off = elf_rd32(t->data + slot);
	if (off == UINT32_MAX)
		return NULL;
	return pcln_cstr(t, t->filetab + off);
}

const char pcln_unknown[] = "?";

/* "?" and 0 when a table is absent or ends early; -GT_EFORMAT when corrupt. */
int pcln_file_line(const struct pclntab *t, const struct pcln_rec *r, uint64_t pc,
		   const char **file, int32_t *line)
{
	int32_t fileno, ln;
	const char *f;
	int err;

	*file = pcln_unknown;
	*line = 0;
	err = pcln_pcvalue(t, r, r->pcfile, pc, &fileno);
	if (!err)
		err = pcln_pcvalue(t, r, r->pcln, pc, &ln);
	if (err)
		return err == -ENOENT ? 0 : err;
	f = pcln_file(t, r, fileno);
	if (!f || ln < 0)
		return 0;
	*file = f;
	*line = ln;
	return 0;
}

int pclntab__sp_delta(const struct pclntab *t, uint64_t pc, int32_t *delta)
{
	struct pcln_rec r;
	uint32_t i;
	int err;

	err = pcln_find_index(t, pc, &i);
	if (!err)
		err = pcln_rec_load(t, i, &r);
	if (!err)
		err = pcln_pcvalue(t, &r, r.pcsp, pc, delta);
	return err;
}
