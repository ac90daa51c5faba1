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

struct pcv_reader {
	const uint8_t *p;
	const uint8_t *end;
};

/* uvarint of at most 5 bytes (a uint32): longer or truncated is corrupt. */
static int read_varint(struct pcv_reader *rd, uint32_t *v)
{
	uint32_t x = 0;
	unsigned shift;

	for (shift = 0; shift < 35; shift += 7) {
		uint8_t b;

		if (rd->p >= rd->end)
			return -GT_EFORMAT;
		b = *rd->p++;
		x |= (uint32_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = x;
			return 0;
		}
	}
	return -GT_EFORMAT;
}

/* One step of the table; 1 at its end, 0 on success, < 0 when corrupt. */
static int step(const struct pclntab *t, struct pcv_reader *rd, uint64_t *pc, int32_t *val,
		bool first)
{
	uint32_t uv, pcdelta;

	if (rd->p >= rd->end)
		return -GT_EFORMAT;
	if (*rd->p == 0 && !first)
		return 1;
	if (read_varint(rd, &uv) || read_varint(rd, &pcdelta))
		return -GT_EFORMAT;
	/* Zig-zag in unsigned arithmetic: a hostile delta must not overflow int32. */
	*val = (int32_t)((uint32_t)*val + ((uv >> 1) ^ (0u - (uv & 1))));
	*pc += (uint64_t)pcdelta * t->quantum;
	return 0;
}

/*
 * Value of the table at off for pc. -ENOENT when the table is absent
 * (off 0, as in the runtime) or ends before pc; -GT_EFORMAT when it is
 * corrupt. Each step consumes at least two bytes, so the walk is bounded
 * by the table size.
 */
int pcln_pcvalue(const struct pclntab *t, const struct pcln_rec *r, uint32_t off, uint64_t pc,
		 int32_t *val)
{
	struct pcv_reader rd;
	uint64_t cur = r->entry;
	int32_t v = -1;
	int ret;

	if (off == 0)
		return -ENOENT;
	if (t->pctab + off >= t->size)
		return err_fail(GT_EFORMAT,
				"%s: pclntab: pc-value table 0x%x of function %u is past the table",
				elf_file__name(t->ef), off, r->index);
	rd.p = t->data + t->pctab + off;
	rd.end = t->data + t->size;
	for (;;) {
		/* The runtime's `first` is "pc still at entry", not "first step". */
		ret = step(t, &rd, &cur, &v, cur == r->entry);
		if (ret < 0)
			return err_fail(GT_EFORMAT,
					"%s: pclntab: corrupt pc-value table 0x%x of function %u",
					elf_file__name(t->ef), off, r->index);
		if (ret > 0 || cur > r->end)
			return -ENOENT;
		if (pc < cur) {
			*val = v;
			return 0;
		}
	}
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

/* "?" and 0 when a table is absent or ends early; -GT_EFORMAT when corrupt. */
int pcln_file_line(const struct pclntab *t, const struct pcln_rec *r, uint64_t pc,
		   const char **file, int32_t *line)
{
	int32_t fileno, ln;
	const char *f;
	int err;

	*file = "?";
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
