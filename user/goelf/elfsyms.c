// SPDX-License-Identifier: GPL-2.0
/*
 * ELF symbol tables. Everything read here comes from an untrusted file: a
 * table whose sh_link, entry size or string table is wrong is skipped, an
 * entry whose st_name points outside its string table (or at a string that
 * is not NUL-terminated inside it) is skipped, and nothing is followed that
 * elf_file__bytes() did not bounds-check first.
 */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "goelf/elfsyms.h"

/* How far a lookup walks back over nested symbols (glibc's multi-entry functions). */
#define MAX_NESTED_WALK 16
/*
 * Longer names are skipped: real ones (C++ templates, Go generic
 * instantiations) stay well below, and the cap bounds what a hostile table
 * of thousands of entries naming one huge string costs the sort.
 */
#define MAX_NAME_LEN 8192

struct sym_vec {
	struct elf_sym *v;
	size_t n, cap;
};

struct elf_syms {
	struct sym_vec all;   /* by name, then preference */
	struct sym_vec funcs; /* by address, one per address */
	struct sym_vec objs;
};

static int vec_push(struct sym_vec *vec, const struct elf_sym *s)
{
	if (vec->n == vec->cap) {
		size_t cap = vec->cap ? vec->cap * 2 : 256;
		struct elf_sym *v = realloc(vec->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		vec->v = v;
		vec->cap = cap;
	}
	vec->v[vec->n++] = *s;
	return 0;
}

/* Lower is better: which of several names for one thing to show. */
static int bind_rank(uint8_t bind)
{
	switch (bind) {
	case STB_GLOBAL:
	case STB_GNU_UNIQUE:
		return 0;
	case STB_WEAK:
		return 1;
	case STB_LOCAL:
		return 2;
	default:
		return 3;
	}
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

/* Aliases and duplicates often share one string: skip the byte walk then. */
static int cmp_name(const char *a, const char *b)
{
	return a == b ? 0 : strcmp(a, b);
}

/* Orders names by preference: binding, sized before unsized, .symtab first, name. */
static int cmp_pref(const struct elf_sym *a, const struct elf_sym *b)
{
	int c = bind_rank(a->bind) - bind_rank(b->bind);

	if (!c)
		c = (a->size == 0) - (b->size == 0);
	if (!c)
		c = (int)a->dynamic - (int)b->dynamic;
	if (!c)
		c = cmp_name(a->name, b->name);
	return c;
}

/* For deduplication: the same symbol from .symtab and .dynsym sorts adjacent. */
static int cmp_identity(const void *pa, const void *pb)
{
	const struct elf_sym *a = pa, *b = pb;
	int c = cmp_u64(a->start, b->start); /* cheap keys first: names can be long */

	if (!c)
		c = (int)a->type - (int)b->type;
	if (!c)
		c = cmp_name(a->name, b->name);
	if (!c)
		c = (int)a->dynamic - (int)b->dynamic;
	return c;
}

static int cmp_name_pref(const void *pa, const void *pb)
{
	const struct elf_sym *a = pa, *b = pb;
	int c = cmp_name(a->name, b->name);

	if (!c)
		c = bind_rank(a->bind) - bind_rank(b->bind);
	if (!c)
		c = cmp_u64(a->start, b->start);
	if (!c)
		c = (int)a->type - (int)b->type;
	return c;
}

static int cmp_addr_pref(const void *pa, const void *pb)
{
	const struct elf_sym *a = pa, *b = pb;
	int c = cmp_u64(a->start, b->start);

	return c ? c : cmp_pref(a, b);
}

struct strtab {
	const char *s;
	uint64_t last_nul; /* index of the last NUL: names starting after it are unterminated */
};

/* The NUL-terminated name at off in the table, or NULL when it is not all inside. */
static const char *sym_name(const struct strtab *tab, uint32_t off)
{
	if (off > tab->last_nul || strnlen(tab->s + off, MAX_NAME_LEN + 1) > MAX_NAME_LEN)
		return NULL;
	return tab->s + off;
}

/* Keeps symbols that name something defined; sections and files are not. */
static bool keep_sym(const Elf64_Sym *st)
{
	uint8_t type = ELF64_ST_TYPE(st->st_info);

	return st->st_shndx != SHN_UNDEF && type != STT_SECTION && type != STT_FILE;
}

static int read_table(const struct elf_file *ef, const struct elf_section *sh, struct sym_vec *out)
{
	const struct elf_section *strsh = elf_file__section(ef, sh->link);
	const uint8_t *tab = elf_file__section_bytes(ef, sh);
	struct strtab str;
	const char *nul;
	uint64_t i, n;
	int err;

	if (!tab || !strsh || strsh->type != SHT_STRTAB || strsh->size == 0 ||
	    (sh->entsize && sh->entsize != sizeof(Elf64_Sym)))
		return 0; /* a lying table: no symbols from it rather than an error */
	str.s = elf_file__section_bytes(ef, strsh);
	nul = str.s ? memrchr(str.s, '\0', strsh->size) : NULL;
	if (!nul)
		return 0;
	str.last_nul = nul - str.s;
	n = sh->size / sizeof(Elf64_Sym);
	for (i = 1; i < n; i++) { /* entry 0 is the reserved null symbol */
		Elf64_Sym st;
		struct elf_sym s = {0};

		memcpy(&st, tab + i * sizeof(st), sizeof(st));
		s.name = sym_name(&str, st.st_name);
		if (!s.name || !s.name[0] || !keep_sym(&st))
			continue;
		s.start = st.st_value;
		s.size = st.st_size;
		s.type = ELF64_ST_TYPE(st.st_info);
		s.bind = ELF64_ST_BIND(st.st_info);
		s.shndx = st.st_shndx;
		s.dynamic = sh->type == SHT_DYNSYM;
		err = vec_push(out, &s);
		if (err)
			return err;
	}
	return 0;
}

/* Sorts by identity and merges duplicates, keeping the .symtab copy. */
static void dedupe(struct sym_vec *vec)
{
	size_t i, k = 0;

	if (!vec->n)
		return;
	qsort(vec->v, vec->n, sizeof(*vec->v), cmp_identity);
	for (i = 1; i < vec->n; i++) {
		struct elf_sym *kept = &vec->v[k], *s = &vec->v[i];

		if (kept->start == s->start && kept->type == s->type &&
		    !cmp_name(kept->name, s->name)) {
			if (s->size > kept->size)
				kept->size = s->size;
			continue;
		}
		vec->v[++k] = *s;
	}
	vec->n = k + 1;
}

static bool is_kind(const struct elf_sym *s, enum elf_sym_kind kind)
{
	if (kind == ELF_SYM_FUNC)
		return s->type == STT_FUNC || s->type == STT_GNU_IFUNC;
	return s->type == STT_OBJECT;
}

/* End of the section holding s, or UINT64_MAX when that is unknown. */
static uint64_t section_end(const struct elf_file *ef, const struct elf_sym *s)
{
	const struct elf_section *sec;

	if (s->shndx >= SHN_LORESERVE)
		return UINT64_MAX;
	sec = elf_file__section(ef, s->shndx);
	if (!sec || s->start < sec->addr || s->start - sec->addr >= sec->size ||
	    sec->addr + sec->size < sec->addr)
		return UINT64_MAX;
	return sec->addr + sec->size;
}

/*
 * Size-0 symbols (hand-written assembly, Go's runtime.text markers) reach
 * to the next symbol of the index, cut at their section's end; the last
 * one, to its section's end; with neither, it stays 0 (exact match only).
 */
static void extend_sizes(const struct elf_file *ef, struct sym_vec *vec)
{
	size_t i;

	for (i = 0; i < vec->n; i++) {
		struct elf_sym *s = &vec->v[i];
		uint64_t end = section_end(ef, s);

		if (s->size)
			continue;
		if (i + 1 < vec->n && vec->v[i + 1].start < end)
			end = vec->v[i + 1].start;
		s->size = end == UINT64_MAX ? 0 : end - s->start;
	}
}

static int build_index(const struct elf_file *ef, const struct sym_vec *all, enum elf_sym_kind kind,
		       struct sym_vec *out)
{
	size_t i, k = 0;
	int err;

	for (i = 0; i < all->n; i++) {
		if (!is_kind(&all->v[i], kind))
			continue;
		err = vec_push(out, &all->v[i]);
		if (err)
			return err;
	}
	if (!out->n)
		return 0;
	qsort(out->v, out->n, sizeof(*out->v), cmp_addr_pref);
	for (i = 1; i < out->n; i++) /* the best alias of each address sorts first */
		if (out->v[i].start != out->v[k].start)
			out->v[++k] = out->v[i];
	out->n = k + 1;
	extend_sizes(ef, out);
	return 0;
}

/*
 * The gABI allows one table of each type; reading only the first of each
 * also keeps a file with thousands of headers naming one table from
 * multiplying it.
 */
static int load_tables(const struct elf_file *ef, struct elf_syms *syms)
{
	static const uint32_t order[] = {SHT_SYMTAB, SHT_DYNSYM};
	size_t t, i;
	int err;

	for (t = 0; t < 2; t++) {
		for (i = 0; i < elf_file__nsections(ef); i++) {
			const struct elf_section *sh = elf_file__section(ef, i);

			if (sh->type != order[t])
				continue;
			err = read_table(ef, sh, &syms->all);
			if (err)
				return err;
			break;
		}
	}
	return 0;
}

int elf_syms__load(const struct elf_file *ef, struct elf_syms **out)
{
	struct elf_syms *syms = calloc(1, sizeof(*syms));
	int err;

	if (!syms)
		return -ENOMEM;
	err = load_tables(ef, syms);
	if (err)
		goto out;
	dedupe(&syms->all);
	err = build_index(ef, &syms->all, ELF_SYM_FUNC, &syms->funcs);
	if (!err)
		err = build_index(ef, &syms->all, ELF_SYM_OBJECT, &syms->objs);
	if (!err && syms->all.n)
		qsort(syms->all.v, syms->all.n, sizeof(*syms->all.v), cmp_name_pref);
out:
	if (err) {
		elf_syms__free(syms);
		return err;
	}
	*out = syms;
	return 0;
}

void elf_syms__free(struct elf_syms *syms)
{
	if (!syms)
		return;
	free(syms->all.v);
	free(syms->funcs.v);
	free(syms->objs.v);
	free(syms);
}

static bool contains(const struct elf_sym *s, uint64_t vaddr)
{
	return vaddr >= s->start && (vaddr - s->start < s->size || vaddr == s->start);
}

static int lookup(const struct sym_vec *vec, uint64_t vaddr, struct elf_sym *sym)
{
	size_t lo = 0, hi = vec->n, i, walked;

	while (lo < hi) { /* first entry with start > vaddr */
		size_t mid = lo + (hi - lo) / 2;

		if (vec->v[mid].start <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/*
	 * The nearest start below is usually the answer, but an inner entry
	 * point with its own small size (glibc's memmove variants) can sit
	 * inside a bigger function: walk back a little for a container.
	 */
	for (i = lo, walked = 0; i > 0 && walked < MAX_NESTED_WALK; i--, walked++) {
		const struct elf_sym *s = &vec->v[i - 1];

		if (contains(s, vaddr)) {
			*sym = *s;
			sym->offset = vaddr - s->start;
			return 0;
		}
	}
	return -ENOENT;
}

int elf_syms__lookup_addr(const struct elf_syms *syms, uint64_t vaddr, struct elf_sym *sym)
{
	return lookup(&syms->funcs, vaddr, sym);
}

int elf_syms__lookup_object(const struct elf_syms *syms, uint64_t vaddr, struct elf_sym *sym)
{
	return lookup(&syms->objs, vaddr, sym);
}

int elf_syms__find(const struct elf_syms *syms, const char *name, struct elf_sym *sym)
{
	size_t lo = 0, hi = syms->all.n;

	while (lo < hi) { /* first entry with name >= the one asked */
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(syms->all.v[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == syms->all.n || strcmp(syms->all.v[lo].name, name))
		return -ENOENT;
	*sym = syms->all.v[lo];
	sym->offset = 0;
	return 0;
}

size_t elf_syms__count(const struct elf_syms *syms)
{
	return syms->all.n;
}

static const struct sym_vec *kind_vec(const struct elf_syms *syms, enum elf_sym_kind kind)
{
	return kind == ELF_SYM_FUNC ? &syms->funcs : &syms->objs;
}

size_t elf_syms__count_kind(const struct elf_syms *syms, enum elf_sym_kind kind)
{
	return kind_vec(syms, kind)->n;
}

int elf_syms__nth(const struct elf_syms *syms, enum elf_sym_kind kind, size_t i,
		  struct elf_sym *sym)
{
	const struct sym_vec *vec = kind_vec(syms, kind);

	if (i >= vec->n)
		return -ENOENT;
	*sym = vec->v[i];
	sym->offset = 0;
	return 0;
}
