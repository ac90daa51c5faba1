// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/err.h"
#include "out/pprof.h"

/* A growable byte buffer with protobuf encoders. */
struct pbuf {
	uint8_t *b;
	size_t n, cap;
	bool oom;
};

static void pb_put(struct pbuf *p, const void *d, size_t n)
{
	if (p->oom)
		return;
	if (p->n + n > p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 256;
		uint8_t *nb;

		while (cap < p->n + n)
			cap *= 2;
		nb = realloc(p->b, cap);
		if (!nb) {
			p->oom = true;
			return;
		}
		p->b = nb;
		p->cap = cap;
	}
	memcpy(p->b + p->n, d, n);
	p->n += n;
}

static void pb_varint(struct pbuf *p, uint64_t v)
{
	uint8_t tmp[10];
	size_t n = 0;

	do {
		tmp[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	pb_put(p, tmp, n);
}

static void pb_uint(struct pbuf *p, uint32_t field, uint64_t v)
{
	pb_varint(p, (uint64_t)field << 3);
	pb_varint(p, v);
}

static void pb_bytes(struct pbuf *p, uint32_t field, const void *d, size_t n)
{
	pb_varint(p, (uint64_t)field << 3 | 2);
	pb_varint(p, n);
	pb_put(p, d, n);
}

static void pb_sub(struct pbuf *p, uint32_t field, struct pbuf *sub)
{
	pb_bytes(p, field, sub->b, sub->n);
	if (sub->oom)
		p->oom = true;
	free(sub->b);
	memset(sub, 0, sizeof(*sub));
}

struct loc {
	uint64_t pc;
	size_t first, n; /* frames in p->lines */
	uint64_t id;
};

struct pprof_func {
	int64_t name, file;
};

struct pprof {
	char **strings;
	size_t nstrings;
	struct pprof_func *funcs;
	size_t nfuncs;
	struct loc *locs;
	size_t nlocs;
	struct pbuf lines;   /* encoded Line messages per location, in order */
	struct pbuf samples; /* encoded Sample messages */
	const char *const *types;
	size_t ntypes;
	int64_t period_type, period_unit, period;
	struct {
		uint64_t func;
		int64_t line;
	} * lv; /* line values backing locs */
	size_t nlv;
	bool oom;
};

static int64_t str_id(struct pprof *p, const char *s)
{
	char **v;
	size_t i;

	if (!s)
		s = "";
	for (i = 0; i < p->nstrings; i++)
		if (!strcmp(p->strings[i], s))
			return (int64_t)i;
	v = realloc(p->strings, (p->nstrings + 1) * sizeof(*v));
	if (!v || !(s = strdup(s))) {
		if (v)
			p->strings = v;
		p->oom = true;
		return 0;
	}
	p->strings = v;
	p->strings[p->nstrings] = (char *)s;
	return (int64_t)p->nstrings++;
}

static uint64_t func_id(struct pprof *p, const char *name, const char *file)
{
	int64_t n = str_id(p, name), f = str_id(p, file);
	struct pprof_func *v;
	size_t i;

	for (i = 0; i < p->nfuncs; i++)
		if (p->funcs[i].name == n && p->funcs[i].file == f)
			return i + 1;
	v = realloc(p->funcs, (p->nfuncs + 1) * sizeof(*v));
	if (!v) {
		p->oom = true;
		return 0;
	}
	p->funcs = v;
	p->funcs[p->nfuncs] = (struct pprof_func){n, f};
	return ++p->nfuncs;
}

int pprof__new(const char *const *types, size_t n, struct pprof **out)
{
	struct pprof *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->types = types;
	p->ntypes = n;
	str_id(p, ""); /* string 0 must be "" */
	*out = p;
	return p->oom ? -ENOMEM : 0;
}

void pprof__set_period(struct pprof *p, const char *type, const char *unit, int64_t period)
{
	p->period_type = str_id(p, type);
	p->period_unit = str_id(p, unit);
	p->period = period;
}

/* The location of frames[i..i+k) (one pc); created on first sight. */
static uint64_t loc_id(struct pprof *p, const struct pprof_frame *fr, size_t k)
{
	struct loc *v;
	size_t i, j;

	for (i = 0; i < p->nlocs; i++)
		if (p->locs[i].pc == fr[0].pc && p->locs[i].n == k)
			return p->locs[i].id;
	v = realloc(p->locs, (p->nlocs + 1) * sizeof(*v));
	if (!v) {
		p->oom = true;
		return 0;
	}
	p->locs = v;
	p->locs[p->nlocs] =
		(struct loc){.pc = fr[0].pc, .first = p->nlv, .n = k, .id = p->nlocs + 1};
	for (j = 0; j < k; j++) {
		void *lv = realloc(p->lv, (p->nlv + 1) * sizeof(*p->lv));

		if (!lv) {
			p->oom = true;
			return 0;
		}
		p->lv = lv;
		p->lv[p->nlv].func = func_id(p, fr[j].function, fr[j].file);
		p->lv[p->nlv].line = fr[j].line;
		p->nlv++;
	}
	return ++p->nlocs;
}

int pprof__add(struct pprof *p, const struct pprof_frame *frames, size_t nframes,
	       const int64_t *values)
{
	struct pbuf s = {0}, ids = {0}, vals = {0};
	size_t i = 0, k;

	while (i < nframes) {
		for (k = 1; i + k < nframes && frames[i + k].pc == frames[i].pc; k++)
			;
		pb_varint(&ids, loc_id(p, frames + i, k));
		i += k;
	}
	for (i = 0; i < p->ntypes; i++)
		pb_varint(&vals, (uint64_t)values[i]);
	pb_sub(&s, 1, &ids);  /* location_id, packed */
	pb_sub(&s, 2, &vals); /* value, packed */
	pb_sub(&p->samples, 2, &s);
	return p->oom || p->samples.oom ? -ENOMEM : 0;
}

static void encode_value_type(struct pbuf *out, uint32_t field, int64_t type, int64_t unit)
{
	struct pbuf vt = {0};

	pb_uint(&vt, 1, (uint64_t)type);
	pb_uint(&vt, 2, (uint64_t)unit);
	pb_sub(out, field, &vt);
}

static void encode_locations(struct pprof *p, struct pbuf *out)
{
	size_t i, j;

	for (i = 0; i < p->nlocs; i++) {
		struct pbuf loc = {0};
		const struct loc *l = &p->locs[i];

		pb_uint(&loc, 1, l->id);
		pb_uint(&loc, 3, l->pc);
		for (j = 0; j < l->n; j++) {
			struct pbuf line = {0};

			pb_uint(&line, 1, p->lv[l->first + j].func);
			pb_uint(&line, 2, (uint64_t)p->lv[l->first + j].line);
			pb_sub(&loc, 4, &line);
		}
		pb_sub(out, 4, &loc);
	}
}

static void encode_functions(struct pprof *p, struct pbuf *out)
{
	size_t i;

	for (i = 0; i < p->nfuncs; i++) {
		struct pbuf fn = {0};

		pb_uint(&fn, 1, i + 1);
		pb_uint(&fn, 2, (uint64_t)p->funcs[i].name);
		pb_uint(&fn, 3, (uint64_t)p->funcs[i].name);
		pb_uint(&fn, 4, (uint64_t)p->funcs[i].file);
		pb_sub(out, 5, &fn);
	}
}

static int encode(struct pprof *p, struct pbuf *out, uint64_t time_ns, uint64_t duration_ns)
{
	size_t i;

	for (i = 0; i < p->ntypes; i++) {
		int64_t t = str_id(p, p->types[2 * i]), u = str_id(p, p->types[2 * i + 1]);

		encode_value_type(out, 1, t, u);
	}
	pb_put(out, p->samples.b, p->samples.n);
	encode_locations(p, out);
	encode_functions(p, out);
	if (p->period_type)
		encode_value_type(out, 11, p->period_type, p->period_unit);
	/* The string table last: every id above is already assigned. */
	for (i = 0; i < p->nstrings; i++)
		pb_bytes(out, 6, p->strings[i], strlen(p->strings[i]));
	pb_uint(out, 9, time_ns);
	pb_uint(out, 10, duration_ns);
	if (p->period)
		pb_uint(out, 12, (uint64_t)p->period);
	return p->oom || out->oom ? -ENOMEM : 0;
}

int pprof__write_gz(struct pprof *p, const char *path, uint64_t time_ns, uint64_t duration_ns)
{
	struct pbuf out = {0};
	gzFile gz;
	int err = encode(p, &out, time_ns, duration_ns);

	if (err) {
		free(out.b);
		return err;
	}
	gz = gzopen(path, "wb");
	if (!gz) {
		err = err_fail(errno ? errno : EIO, "--pprof %s: %s", path,
			       strerror(errno ? errno : EIO));
	} else {
		if (out.n && gzwrite(gz, out.b, (unsigned)out.n) != (int)out.n)
			err = err_fail(EIO, "--pprof %s: write failed", path);
		if (gzclose(gz) != Z_OK && !err)
			err = err_fail(EIO, "--pprof %s: write failed", path);
	}
	free(out.b);
	return err;
}

void pprof__free(struct pprof *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->nstrings; i++)
		free(p->strings[i]);
	free(p->strings);
	free(p->funcs);
	free(p->locs);
	free(p->lv);
	free(p->samples.b);
	free(p);
}
