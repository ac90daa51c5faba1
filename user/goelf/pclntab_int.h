/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_GOELF_PCLNTAB_INT_H
#define GOTRACE_GOELF_PCLNTAB_INT_H

/*
 * Internals shared by the pclntab_*.c files; not part of the API. All
 * offsets are relative to the start of the table (t->data) and have been
 * checked against t->size only where a comment says so: readers below
 * re-check every access, because every byte comes from the file.
 */

#include <stdbool.h>
#include <stdint.h>

#include "goelf/pclntab.h"

/* Magic numbers (Go internal/abi/symtab.go, PCLnTabMagic). */
#define PCLN_MAGIC_GO12 0xfffffffbu
#define PCLN_MAGIC_GO116 0xfffffffau
#define PCLN_MAGIC_GO118 0xfffffff0u
#define PCLN_MAGIC_GO120 0xfffffff1u

/* Caps on hostile input: no real binary comes near them. */
#define PCLN_MAX_NPCDATA 1024
#define PCLN_MAX_INLINE_DEPTH 256 /* frames produced for one pc */

struct pclntab {
	const struct elf_file *ef;
	const uint8_t *data; /* the table, [0, size) all inside the file */
	uint64_t size;
	uint64_t vaddr;
	enum pclntab_format fmt;
	uint8_t quantum;
	uint8_t ptrsize;
	uint8_t fieldsz; /* functab field: ptrsize before go1.18, 4 since */
	/*
	 * go1.2-go1.11 _func ends in `nfuncdata int32` at 36 and their inline
	 * tree (go1.9-1.11) has no parentPc; go1.12-1.15 reuse the magic with
	 * `funcID uint8, _ [2]byte, nfuncdata uint8` there.
	 */
	bool go12_old;
	char origin[48];
	uint32_t nfunc;
	uint64_t text_start;
	/* Sub-tables (offsets into data; strings bounded by size). */
	uint64_t funcnametab;
	uint64_t cutab;
	uint64_t filetab;
	uint32_t nfiletab; /* go1.2 format: entries of filetab, [0] is the count */
	uint64_t pctab;
	uint64_t functab;  /* nfunc (entry, funcoff) pairs + end pc */
	uint64_t funcbase; /* what funcoff is relative to */
	/*
	 * One past the table's last NUL byte (0: none). A string starting below
	 * it is NUL-terminated inside the table: the check memchr would make on
	 * every lookup, made once at open (pcln_cstr).
	 */
	uint64_t str_end;
	/* Inline tree access for this format. */
	uint32_t pcdata_inl;   /* PCDATA_InlTreeIndex */
	uint32_t funcdata_inl; /* FUNCDATA_InlTree */
	/* Module data (moduledata.gofunc is the funcdata base since go1.18). */
	bool has_md;
	uint64_t md_vaddr;
	uint64_t md_text;
	uint64_t gofunc;
	/* Built on first use (see pclntab_func.c); published with atomics. */
	int wrapper_id; /* PCLN_WRAPPER_UNKNOWN until computed, -1 for none */
	struct pcln_name_index *by_name;
	struct pcln_buckets *buckets; /* pc → function index (pcln_find_index) */
	struct pcln_cache *cache;     /* recent symbolize results (pclntab_cache.c) */
	bool cache_off;		      /* pclntab__set_cache(t, false) */
	struct pcln_dense *dense;     /* decoded pc tables (pclntab_dense.c) */
	bool dense_off;		      /* pclntab__set_dense(t, false) */
};

#define PCLN_WRAPPER_UNKNOWN (-2)

/* One decoded _func record. */
struct pcln_rec {
	uint32_t index;
	uint64_t entry;
	uint64_t end;
	const uint8_t *p; /* the record */
	uint64_t avail;	  /* bytes of the table from p */
	uint64_t p_vaddr; /* link-time address of the record */
	uint32_t nameoff;
	uint32_t pcsp, pcfile, pcln;
	uint32_t npcdata;
	uint32_t cuoff;
	uint8_t funcid, flag, nfuncdata;
	uint32_t fixed; /* size of the fixed part: pcdata[] starts there */
};

/* Raw functab field i (an entry or a funcoff); parse_header checked the bounds. */
static inline uint64_t pcln_functab_field(const struct pclntab *t, uint64_t i)
{
	const uint8_t *p = t->data + t->functab + i * t->fieldsz;

	return t->fieldsz == 4 ? elf_rd32(p) : elf_rd64(p);
}

/* Entry of function i <= nfunc (nfunc: the end of the last one); parse_header checked it. */
static inline uint64_t pcln_entry_at(const struct pclntab *t, uint32_t i)
{
	uint64_t base = t->fmt >= PCLNTAB_GO118 ? t->text_start : 0; /* offsets since go1.18 */

	return base + pcln_functab_field(t, 2 * (uint64_t)i);
}

/* A NUL-terminated string at off, or NULL when it runs off the table. */
static inline const char *pcln_cstr(const struct pclntab *t, uint64_t off)
{
	return off < t->str_end ? (const char *)t->data + off : NULL;
}

static inline const char *pcln_name(const struct pclntab *t, uint32_t nameoff)
{
	return pcln_cstr(t, t->funcnametab + nameoff);
}

/* pclntab_func.c */
int pcln_rec_load(const struct pclntab *t, uint32_t i, struct pcln_rec *r);
int pcln_find_index(const struct pclntab *t, uint64_t pc, uint32_t *idx);
int pcln_find_range(const struct pclntab *t, uint64_t pc, uint32_t *lo, uint32_t *n);
uint32_t pcln_find_in(const struct pclntab *t, uint64_t pc, uint32_t lo, uint32_t n);
const void *pcln_bucket_of(const struct pclntab *t, uint64_t pc);
void pcln_prefetch_entries(const struct pclntab *t, uint32_t lo);
void pcln_prefetch_record(const struct pclntab *t, uint32_t i);
int pcln_wrapper_id(const struct pclntab *t);

/* pclntab_pcvalue.c */
/* "?": an unknown name or file. One object, so equal answers hold equal pointers. */
extern const char pcln_unknown[];
int pcln_pcvalue(const struct pclntab *t, const struct pcln_rec *r, uint32_t off, uint64_t pc,
		 int32_t *val);
int pcln_pcvalue_runs(const struct pclntab *t, const struct pcln_rec *r, uint32_t off,
		      int (*run)(void *ctx, uint64_t end, int32_t value), void *ctx);
int pcln_pcdata(const struct pclntab *t, const struct pcln_rec *r, uint32_t table, uint64_t pc,
		int32_t *val);
const char *pcln_file(const struct pclntab *t, const struct pcln_rec *r, int32_t fileno);
int pcln_file_line(const struct pclntab *t, const struct pcln_rec *r, uint64_t pc,
		   const char **file, int32_t *line);

/* pclntab_moduledata.c */
void pcln_find_moduledata(struct pclntab *t);

/* pclntab_cache.c */
int pcln_cache_get(const struct pclntab *t, uint64_t pc, struct pcln_frame *frames, size_t max);
void pcln_cache_put(const struct pclntab *t, uint64_t pc, const struct pcln_frame *frames, int n);

/* pclntab_dense.c: NULL when function i keeps the walk */
struct pcln_dfunc;
const struct pcln_dfunc *pcln_dense_get(const struct pclntab *t, uint32_t i);
uint32_t pcln_dense_nameoff(const struct pcln_dfunc *f);
/* The inline tree (NULL: none) and its bytes in the file. */
const uint8_t *pcln_dense_tree(const struct pcln_dfunc *f, uint64_t *avail);
/* As pcln_file_line + the inline index (idx may be NULL), off = pc - entry. */
int pcln_dense_frame_at(const struct pclntab *t, const struct pcln_dfunc *f, uint64_t off,
			const char **file, int32_t *line, int32_t *idx);
void pcln_dense_free(struct pcln_dense *d);
/* Batch hints: function i's slot, then (once the slot is cached) its decoding or record. */
void pcln_dense_prefetch_slot(const struct pclntab *t, uint32_t i);
void pcln_dense_prefetch(const struct pclntab *t, uint32_t i);
void pcln_dense_prefetch_rest(const struct pclntab *t, uint32_t i); /* once its header is cached */

/* pclntab_inline.c */
/* pclntab__symbolize once pc's function (i) is known and the result cache missed. */
int pcln_symbolize_at(const struct pclntab *t, uint32_t i, uint64_t pc, struct pcln_frame *frames,
		      size_t max);
const uint8_t *pcln_funcdata(const struct pclntab *t, const struct pcln_rec *r, uint32_t i,
			     uint64_t *avail);

#endif
