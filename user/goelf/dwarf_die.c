// SPDX-License-Identifier: GPL-2.0
/*
 * Walking .debug_info: unit headers, abbreviation tables, attribute forms
 * (every form of DWARF 2-5 and the GNU extensions is at least skipped), and
 * the one query gotrace has: a struct's size and member offsets.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "goelf/dwarf_int.h"

#define DW_TAG_member 0x0d
#define DW_TAG_structure_type 0x13
#define DW_AT_name 0x03
#define DW_AT_byte_size 0x0b
#define DW_AT_data_member_location 0x38
#define DW_AT_declaration 0x3c
#define DW_OP_plus_uconst 0x23
#define DW_FORM_indirect 0x16
#define DW_FORM_implicit_const 0x21
/* Bounds against hostile input: real tables are far smaller. */
#define MAX_ABBREVS 65536
#define MAX_ATTRS 256
#define MAX_DEPTH 256

/* A bounds-checked read position; any overrun sets bad and yields zeros. */
struct cur {
	const uint8_t *p, *end;
	bool bad;
};

static bool cur_need(struct cur *c, uint64_t n)
{
	if (c->bad || n > (uint64_t)(c->end - c->p)) {
		c->bad = true;
		return false;
	}
	return true;
}

static uint64_t rd_n(struct cur *c, unsigned n)
{
	uint64_t v = 0;
	unsigned i;

	if (!cur_need(c, n))
		return 0;
	for (i = 0; i < n; i++)
		v |= (uint64_t)c->p[i] << (8 * i);
	c->p += n;
	return v;
}

static void skip(struct cur *c, uint64_t n)
{
	if (cur_need(c, n))
		c->p += n;
}

static uint64_t uleb(struct cur *c)
{
	uint64_t v = 0;
	unsigned shift = 0;

	while (cur_need(c, 1)) {
		uint8_t b = *c->p++;

		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80))
			return v;
	}
	return 0;
}

static int64_t sleb(struct cur *c)
{
	uint64_t v = 0;
	unsigned shift = 0;
	uint8_t b = 0;

	while (cur_need(c, 1)) {
		b = *c->p++;
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80))
			break;
	}
	if (shift < 64 && (b & 0x40))
		v |= ~0ULL << shift;
	return (int64_t)v;
}

/* A NUL-terminated string in place; NULL (and bad) when it runs off the end. */
static const char *cstr(struct cur *c)
{
	const uint8_t *start = c->p, *nul;

	if (c->bad)
		return NULL;
	nul = memchr(start, 0, (size_t)(c->end - start));
	if (!nul) {
		c->bad = true;
		return NULL;
	}
	c->p = nul + 1;
	return (const char *)start;
}

/* A string in a string section at off; NULL when off is outside or unterminated. */
static const char *sec_str(const struct dwarf_sec *s, uint64_t off)
{
	if (off >= s->len || !memchr(s->data + off, 0, (size_t)(s->len - off)))
		return NULL;
	return (const char *)s->data + off;
}

struct abbrev_attr {
	uint32_t at, form;
	int64_t implicit; /* DW_FORM_implicit_const's value */
};

struct abbrev {
	uint64_t code;
	uint32_t tag;
	bool children;
	uint32_t nattrs;
	struct abbrev_attr *attrs;
};

struct abbrev_tab {
	uint64_t offset; /* in .debug_abbrev */
	struct abbrev *v;
	size_t n;
	struct abbrev_attr *attrs; /* one allocation for every entry's attributes */
	size_t nattrs;
};

static void abbrev_tab_clear(struct abbrev_tab *t)
{
	free(t->v);
	free(t->attrs);
	memset(t, 0, sizeof(*t));
}

static int push_attr(struct abbrev_tab *t, size_t *cap, struct abbrev_attr a)
{
	struct abbrev_attr *n;

	if (t->nattrs == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		n = realloc(t->attrs, *cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		t->attrs = n;
	}
	t->attrs[t->nattrs++] = a;
	return 0;
}

static int push_abbrev(struct abbrev_tab *t, size_t *cap, struct abbrev a)
{
	struct abbrev *n;

	if (t->n >= MAX_ABBREVS)
		return -GT_EFORMAT;
	if (t->n == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		n = realloc(t->v, *cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		t->v = n;
	}
	t->v[t->n++] = a;
	return 0;
}

/* One declaration's attribute specs, up to the (0, 0) pair. */
static int parse_attrs(struct cur *c, struct abbrev_tab *t, size_t *cap, struct abbrev *a)
{
	size_t first = t->nattrs;
	int err;

	for (;;) {
		struct abbrev_attr at = {.at = (uint32_t)uleb(c), .form = (uint32_t)uleb(c)};

		if (at.form == DW_FORM_implicit_const)
			at.implicit = sleb(c);
		if (c->bad || t->nattrs - first > MAX_ATTRS)
			return -GT_EFORMAT;
		if (!at.at && !at.form)
			break;
		err = push_attr(t, cap, at);
		if (err)
			return err;
	}
	a->nattrs = (uint32_t)(t->nattrs - first);
	a->attrs = (struct abbrev_attr *)(uintptr_t)first; /* an index until the array settles */
	return 0;
}

/* The abbreviation table at off (cached: Go's units all share one). */
static int load_abbrevs(const struct dwarf *d, uint64_t off, struct abbrev_tab *t)
{
	size_t cap = 0, acap = 0, i;
	struct cur c;
	int err = 0;

	if (t->v && t->offset == off)
		return 0;
	abbrev_tab_clear(t);
	t->offset = off;
	if (off >= d->abbrev.len)
		return -GT_EFORMAT;
	c = (struct cur){d->abbrev.data + off, d->abbrev.data + d->abbrev.len, false};
	for (;;) {
		struct abbrev a = {.code = uleb(&c)};

		if (c.bad)
			return -GT_EFORMAT;
		if (!a.code)
			break;
		a.tag = (uint32_t)uleb(&c);
		a.children = rd_n(&c, 1) != 0;
		err = parse_attrs(&c, t, &acap, &a);
		if (!err)
			err = push_abbrev(t, &cap, a);
		if (err)
			return err;
	}
	for (i = 0; i < t->n; i++) /* no attributes at all: attrs stays NULL */
		t->v[i].attrs = t->attrs ? t->attrs + (uintptr_t)t->v[i].attrs : NULL;
	return 0;
}

static const struct abbrev *find_abbrev(const struct abbrev_tab *t, uint64_t code)
{
	size_t i;

	/* Codes are usually 1..n in order: try the direct slot first. */
	if (code >= 1 && code <= t->n && t->v[code - 1].code == code)
		return &t->v[code - 1];
	for (i = 0; i < t->n; i++)
		if (t->v[i].code == code)
			return &t->v[i];
	return NULL;
}

struct unit {
	uint16_t version;
	uint8_t addr_size;
	uint8_t offset_size; /* 4 (32-bit DWARF) or 8 */
};

enum val_kind { VAL_NONE, VAL_CONST, VAL_STR, VAL_BLOCK };

struct attr_val {
	enum val_kind kind;
	uint64_t u;
	const char *str;
	const uint8_t *block;
	uint64_t block_len;
};

static void val_block(struct cur *c, struct attr_val *v, uint64_t len)
{
	if (!cur_need(c, len))
		return;
	v->kind = VAL_BLOCK;
	v->block = c->p;
	v->block_len = len;
	c->p += len;
}

/* Constant-class and string-class forms; anything else is skipped by skip_form. */
static bool read_value(const struct dwarf *d, struct cur *c, const struct unit *u, uint32_t form,
		       int64_t implicit, struct attr_val *v)
{
	static const uint8_t const_size[0x30] = {[0x0b] = 1, [0x05] = 2, [0x06] = 4, [0x07] = 8};

	v->kind = VAL_CONST;
	if (form < sizeof(const_size) && const_size[form])
		v->u = rd_n(c, const_size[form]);
	else if (form == 0x0f) /* udata */
		v->u = uleb(c);
	else if (form == 0x0d) /* sdata */
		v->u = (uint64_t)sleb(c);
	else if (form == DW_FORM_implicit_const)
		v->u = (uint64_t)implicit;
	else if (form == 0x0c || form == 0x19) /* flag, flag_present */
		v->u = form == 0x19 ? 1 : rd_n(c, 1);
	else if (form == 0x08) { /* string */
		v->kind = VAL_STR;
		v->str = cstr(c);
	} else if (form == 0x0e || form == 0x1f) { /* strp, line_strp */
		v->kind = VAL_STR;
		v->str = sec_str(form == 0x0e ? &d->str : &d->line_str, rd_n(c, u->offset_size));
	} else if (form == 0x18 || form == 0x09) /* exprloc, block */
		val_block(c, v, uleb(c));
	else if (form == 0x0a) /* block1 */
		val_block(c, v, rd_n(c, 1));
	else
		return false;
	return true;
}

/* Skips a form whose value gotrace never needs; false for an unknown form. */
static bool skip_form(struct cur *c, const struct unit *u, uint32_t form)
{
	switch (form) {
	case 0x01: /* addr */
		skip(c, u->addr_size);
		return true;
	case 0x03: /* block2 */
		skip(c, rd_n(c, 2));
		return true;
	case 0x04: /* block4 */
		skip(c, rd_n(c, 4));
		return true;
	case 0x10: /* ref_addr: address-sized in DWARF 2 */
		skip(c, u->version <= 2 ? u->addr_size : u->offset_size);
		return true;
	case 0x11:
	case 0x25:
	case 0x29: /* ref1, strx1, addrx1 */
		skip(c, 1);
		return true;
	case 0x12:
	case 0x26:
	case 0x2a: /* ref2, strx2, addrx2 */
		skip(c, 2);
		return true;
	case 0x27:
	case 0x2b: /* strx3, addrx3 */
		skip(c, 3);
		return true;
	case 0x13:
	case 0x1c:
	case 0x28:
	case 0x2c: /* ref4, ref_sup4, strx4, addrx4 */
		skip(c, 4);
		return true;
	case 0x14:
	case 0x20:
	case 0x24: /* ref8, ref_sig8, ref_sup8 */
		skip(c, 8);
		return true;
	case 0x1e: /* data16 */
		skip(c, 16);
		return true;
	case 0x17:
	case 0x1d:
	case 0x1f20:
	case 0x1f21: /* sec_offset, strp_sup, GNU alt */
		skip(c, u->offset_size);
		return true;
	case 0x15:
	case 0x1a:
	case 0x1b:
	case 0x22:
	case 0x23:
	case 0x1f01:
	case 0x1f02:
		uleb(c); /* ref_udata, strx, addrx, loclistx, rnglistx, GNU index forms */
		return true;
	}
	return false;
}

/* One attribute: its value when it is one gotrace reads, else skipped. */
static int attr(const struct dwarf *d, struct cur *c, const struct unit *u,
		const struct abbrev_attr *a, struct attr_val *v)
{
	uint32_t form = a->form;
	int hops = 0;

	*v = (struct attr_val){.kind = VAL_NONE};
	while (form == DW_FORM_indirect && hops++ < 4)
		form = (uint32_t)uleb(c);
	if (!read_value(d, c, u, form, a->implicit, v) && !skip_form(c, u, form))
		return -GT_EFORMAT;
	return c->bad ? -GT_EFORMAT : 0;
}

/* DW_AT_data_member_location: a constant, or the expression DW_OP_plus_uconst N. */
static int64_t member_location(const struct attr_val *v)
{
	struct cur c;

	if (v->kind == VAL_CONST)
		return v->u > INT64_MAX ? -1 : (int64_t)v->u;
	if (v->kind != VAL_BLOCK || !v->block_len || v->block[0] != DW_OP_plus_uconst)
		return -1;
	c = (struct cur){v->block + 1, v->block + v->block_len, false};
	{
		uint64_t off = uleb(&c);

		return c.bad || off > INT64_MAX ? -1 : (int64_t)off;
	}
}

/* The attributes of one DIE that the query looks at. */
struct die {
	const struct abbrev *ab;
	const char *name;
	uint64_t byte_size;
	int64_t member_loc;
	bool declaration;
};

static int read_die(const struct dwarf *d, struct cur *c, const struct unit *u,
		    const struct abbrev *ab, struct die *die)
{
	struct attr_val v;
	uint32_t i;
	int err;

	*die = (struct die){.ab = ab, .member_loc = -1};
	for (i = 0; i < ab->nattrs; i++) {
		err = attr(d, c, u, &ab->attrs[i], &v);
		if (err)
			return err;
		if (ab->attrs[i].at == DW_AT_name && v.kind == VAL_STR)
			die->name = v.str;
		else if (ab->attrs[i].at == DW_AT_byte_size && v.kind == VAL_CONST)
			die->byte_size = v.u;
		else if (ab->attrs[i].at == DW_AT_data_member_location)
			die->member_loc = member_location(&v);
		else if (ab->attrs[i].at == DW_AT_declaration && v.kind == VAL_CONST)
			die->declaration = v.u != 0;
	}
	return 0;
}

/* The unit header at c; on return c covers the unit's DIEs and next is the following unit. */
static int unit_header(struct cur *c, struct unit *u, uint64_t *abbrev_off, const uint8_t **next)
{
	uint64_t len = rd_n(c, 4);
	uint8_t type = 1;

	u->offset_size = 4;
	if (len == 0xffffffff) {
		len = rd_n(c, 8);
		u->offset_size = 8;
	} else if (len >= 0xfffffff0) {
		return -GT_EFORMAT;
	}
	if (!cur_need(c, len) || len < 2)
		return -GT_EFORMAT;
	*next = c->p + len;
	c->end = *next;
	u->version = (uint16_t)rd_n(c, 2);
	if (u->version < 2 || u->version > 5)
		return -GT_EFORMAT;
	if (u->version == 5) {
		type = (uint8_t)rd_n(c, 1);
		u->addr_size = (uint8_t)rd_n(c, 1);
		*abbrev_off = rd_n(c, u->offset_size);
		if (type == 2 || type == 6) /* type units: signature, type offset */
			skip(c, 8 + u->offset_size);
		else if (type == 4 || type == 5) /* skeleton / split: dwo_id */
			skip(c, 8);
	} else {
		*abbrev_off = rd_n(c, u->offset_size);
		u->addr_size = (uint8_t)rd_n(c, 1);
	}
	if (c->bad || (u->addr_size != 4 && u->addr_size != 8))
		return -GT_EFORMAT;
	return 0;
}

struct query {
	const char *name;
	uint64_t *size;
	struct dwarf_member *members;
	size_t n;
	int depth; /* children of the struct found live at this depth; 0 until found */
};

static void query_member(struct query *q, const struct die *die)
{
	size_t i;

	if (die->ab->tag != DW_TAG_member || !die->name)
		return;
	for (i = 0; i < q->n; i++)
		if (q->members[i].offset < 0 && !strcmp(q->members[i].name, die->name))
			q->members[i].offset = die->member_loc;
}

/* Walks one unit's DIEs; 1 once the struct was found and its members read. */
static int walk_unit(const struct dwarf *d, struct cur *c, const struct unit *u,
		     const struct abbrev_tab *tab, struct query *q)
{
	struct die die;
	int depth = 0, err;

	while (c->p < c->end) {
		uint64_t code = uleb(c);
		const struct abbrev *ab;

		if (c->bad)
			return -GT_EFORMAT;
		if (!code) {
			if (--depth < q->depth && q->depth)
				return 1;
			if (depth < 0) /* padding after the unit's last DIE */
				depth = 0;
			continue;
		}
		ab = find_abbrev(tab, code);
		if (!ab)
			return -GT_EFORMAT;
		err = read_die(d, c, u, ab, &die);
		if (err)
			return err;
		if (q->depth && depth == q->depth)
			query_member(q, &die);
		else if (!q->depth && ab->tag == DW_TAG_structure_type && die.name &&
			 !die.declaration && !strcmp(die.name, q->name)) {
			*q->size = die.byte_size;
			if (!ab->children)
				return 1;
			q->depth = depth + 1;
		}
		if (ab->children && ++depth > MAX_DEPTH)
			return -GT_EFORMAT;
	}
	return q->depth ? 1 : 0;
}

int dwarf__struct_layout(const struct dwarf *d, const char *name, uint64_t *size,
			 struct dwarf_member *members, size_t n)
{
	struct abbrev_tab tab = {0};
	struct query q = {.name = name, .size = size, .members = members, .n = n};
	const uint8_t *p = d->info.data, *end = d->info.data + d->info.len, *next;
	int err = 0;
	size_t i;

	*size = 0;
	for (i = 0; i < n; i++)
		members[i].offset = -1;
	while (p < end && !err) {
		struct cur c = {p, end, false};
		struct unit u;
		uint64_t abbrev_off;

		err = unit_header(&c, &u, &abbrev_off, &next);
		if (err)
			break;
		if (!err)
			err = load_abbrevs(d, abbrev_off, &tab);
		if (!err)
			err = walk_unit(d, &c, &u, &tab, &q);
		p = next;
	}
	abbrev_tab_clear(&tab);
	if (err < 0)
		return err == -ENOMEM ? err : err_fail(GT_EFORMAT, "corrupt DWARF in .debug_info");
	return err == 1 ? 0 : err_fail(ENOENT, "DWARF defines no struct %s", name);
}
