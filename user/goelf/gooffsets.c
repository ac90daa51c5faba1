// SPDX-License-Identifier: GPL-2.0
/* runtime.g / runtime.m field offsets: the binary's DWARF, else the version table. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "goelf/dwarf.h"
#include "goelf/gooffsets.h"

#define N GO_OFF_NONE

/*
 * One row per layout (amd64; arm64 is identical for these fields,
 * GO-RUNTIME.md §4.1). 1.17-1.24 are from the DWARF of binaries built with
 * each toolchain (§4.1 [V]); 1.26 and 1.27 from the DWARF of the test
 * fixtures built with Debian's golang-1.26/1.27; tests/unit/test_gooffsets.c
 * checks every row it has a toolchain for against DWARF. The layout moves:
 * go1.21 dropped fields before lockedm (-24) and added parentGoid; go1.23
 * inserted syscallbp (+8 from atomicstatus on); go1.25 removed gobuf.ret
 * (-8 from sched.bp on, CL 652276) and shrank m.morebuf the same way.
 * go1.25 itself was never built here: its row holds only the fields that
 * the source arithmetic and the OpenTelemetry profiler's table agree on and
 * that go1.26's DWARF confirms unchanged; the rest stay unknown.
 */
struct offsets_row {
	int min_minor, max_minor;
	struct go_offsets o;
};

static const struct offsets_row table[] = {
	{17, 20, {392, 0,   8,	 48, 56,  64,  104, 112, 120, N,   144, 152,
		  168, 176, 232, N,  296, 312, 328, 360, 72,  192, 232}},
	{21, 21, {408, 0,   8,	 48,  56,  64,	104, 112, 120, N,   144, 152,
		  168, 176, 208, 272, 280, 296, 312, 344, 72,  192, 232}},
	{22, 22, {424, 0,   8,	 48,  56,  64,	104, 112, 120, N,   144, 152,
		  168, 176, 208, 272, 280, 296, 312, 344, 72,  192, 232}},
	{23, 23, {432, 0,   8,	 48,  56,  64,	104, 112, 120, 128, 152, 160,
		  176, 184, 216, 280, 288, 304, 320, 352, 72,  192, 232}},
	{24, 24, {440, 0,   8,	 48,  56,  64,	104, 112, 120, 128, 152, 160,
		  176, 184, 216, 280, 288, 304, 320, 352, 72,  192, 232}},
	{25, 25, {N,   0,   8, 48, 56, 64, 96, 104, 112, 120, 144, 152,
		  168, 176, N, N,  N,  N,  N,  N,   64,	 184, N}},
	{26, 27, {456, 0,   8,	 48,  56,  64,	96,  104, 112, 120, 144, 152,
		  168, 176, 208, 280, 288, 304, 320, 352, 64,  184, 232}},
};

#define NROWS (sizeof(table) / sizeof(table[0]))

/*
 * g.trackingSeq, apart from the rows above because it moves more often and
 * only versions whose DWARF was read here are listed (the fixtures of
 * tests/unit/test_gooffsets.c check each): 1.17, 1.18, 1.20 and 1.25 were
 * never built here, so binaries of those without DWARF go without it.
 */
static const struct {
	int minor;
	int32_t off;
} tracking_seq[] = {{19, 189}, {21, 188}, {22, 191}, {23, 199}, {24, 199}, {26, 191}, {27, 191}};

static int32_t tracking_seq_of(int minor)
{
	for (size_t i = 0; i < sizeof(tracking_seq) / sizeof(tracking_seq[0]); i++)
		if (tracking_seq[i].minor == minor)
			return tracking_seq[i].off;
	return GO_OFF_NONE;
}

void go_offsets__table_range(int *min_minor, int *max_minor)
{
	*min_minor = table[0].min_minor;
	*max_minor = table[NROWS - 1].max_minor;
}

int go_offsets__from_table(const struct go_version *ver, struct go_offsets *out)
{
	size_t i;

	if (!ver || ver->devel || ver->major != 1)
		return -ENOENT;
	for (i = 0; i < NROWS; i++) {
		if (ver->minor >= table[i].min_minor && ver->minor <= table[i].max_minor) {
			*out = table[i].o;
			out->tracking_seq = tracking_seq_of(ver->minor);
			return 0;
		}
	}
	return -ENOENT;
}

/*
 * Up to the last field a goroutine snapshot reads (goroutines/snapshot.c):
 * not waiting or labels, which lie beyond startpc, a cache line further
 * into every g read at every sample.
 */
int32_t go_offsets__g_read_size(const struct go_offsets *o)
{
	const int32_t *f = &o->stack_lo, *end = &o->startpc;
	int32_t max = o->tracking_seq;

	for (; f <= end; f++)
		if (*f > max)
			max = *f;
	return max + 8;
}

/* Members of one struct into fields of out (via offsetof), relative to base. */
struct field_map {
	const char *member;
	size_t field; /* offsetof(struct go_offsets, ...) */
};

static const struct field_map g_fields[] = {
	{"m", offsetof(struct go_offsets, m)},
	{"syscallsp", offsetof(struct go_offsets, syscallsp)},
	{"syscallpc", offsetof(struct go_offsets, syscallpc)},
	{"syscallbp", offsetof(struct go_offsets, syscallbp)},
	{"atomicstatus", offsetof(struct go_offsets, atomicstatus)},
	{"goid", offsetof(struct go_offsets, goid)},
	{"waitsince", offsetof(struct go_offsets, waitsince)},
	{"waitreason", offsetof(struct go_offsets, waitreason)},
	{"lockedm", offsetof(struct go_offsets, lockedm)},
	{"parentGoid", offsetof(struct go_offsets, parent_goid)},
	{"gopc", offsetof(struct go_offsets, gopc)},
	{"startpc", offsetof(struct go_offsets, startpc)},
	{"waiting", offsetof(struct go_offsets, waiting)},
	{"labels", offsetof(struct go_offsets, labels)},
	{"trackingSeq", offsetof(struct go_offsets, tracking_seq)},
	{"stack", offsetof(struct go_offsets, stack_lo)},
	{"sched", offsetof(struct go_offsets, sched_sp)},
};

static const struct field_map m_fields[] = {
	{"procid", offsetof(struct go_offsets, m_procid)},
	{"curg", offsetof(struct go_offsets, m_curg)},
	{"id", offsetof(struct go_offsets, m_id)},
};

#define MAX_FIELDS 24

static int32_t *field(struct go_offsets *o, size_t off)
{
	return (int32_t *)((char *)o + off);
}

/* Looks the members of struct name up and stores them; *size is the struct's size. */
static int layout(const struct dwarf *d, const char *name, const struct field_map *map, size_t n,
		  struct go_offsets *o, uint64_t *size)
{
	struct dwarf_member m[MAX_FIELDS];
	size_t i;
	int err;

	for (i = 0; i < n; i++)
		m[i].name = map[i].member;
	err = dwarf__struct_layout(d, name, size, m, n);
	if (err)
		return err;
	for (i = 0; i < n; i++)
		*field(o, map[i].field) = m[i].offset >= 0 && m[i].offset < 65536
						  ? (int32_t)m[i].offset
						  : GO_OFF_NONE;
	return 0;
}

/* g.sched.{sp,pc,bp} and g.stack.{lo,hi}: the nested struct's member plus its base. */
static int nested(const struct dwarf *d, const char *type, const char *const names[3], int32_t base,
		  int32_t *dst[3])
{
	struct dwarf_member m[3];
	uint64_t size;
	int i, err;

	for (i = 0; i < 3; i++)
		m[i].name = names[i] ? names[i] : "";
	err = dwarf__struct_layout(d, type, &size, m, 3);
	if (err)
		return err;
	for (i = 0; i < 3; i++)
		if (dst[i])
			*dst[i] = base >= 0 && m[i].offset >= 0 ? base + (int32_t)m[i].offset
								: GO_OFF_NONE;
	return 0;
}

static int from_dwarf(const struct dwarf *d, struct go_offsets *o)
{
	static const char *const gobuf[3] = {"sp", "pc", "bp"}, *const stack[3] = {"lo", "hi",
										   NULL};
	int32_t *sched[3] = {&o->sched_sp, &o->sched_pc, &o->sched_bp};
	int32_t *stk[3] = {&o->stack_lo, &o->stack_hi, NULL};
	uint64_t size;
	int err;

	err = layout(d, "runtime.g", g_fields, sizeof(g_fields) / sizeof(g_fields[0]), o, &size);
	if (err)
		return err;
	o->g_size = size < 65536 ? (int32_t)size : GO_OFF_NONE;
	err = layout(d, "runtime.m", m_fields, sizeof(m_fields) / sizeof(m_fields[0]), o, &size);
	if (!err)
		err = nested(d, "runtime.gobuf", gobuf, o->sched_sp, sched);
	if (!err)
		err = nested(d, "runtime.stack", stack, o->stack_lo, stk);
	return err;
}

int go_offsets__from_dwarf(const struct elf_file *ef, struct go_offsets *out)
{
	struct go_offsets o;
	struct dwarf *d;
	int err;

	memset(&o, 0xff, sizeof(o)); /* every field GO_OFF_NONE */
	err = dwarf__open(ef, &d);
	if (err)
		return err;
	err = from_dwarf(d, &o);
	dwarf__free(d);
	if (err)
		return err;
	if (o.m < 0 || o.sched_sp < 0 || o.sched_pc < 0 || o.sched_bp < 0 || o.atomicstatus < 0 ||
	    o.goid < 0 || o.waitreason < 0 || o.stack_hi < 0 || o.m_curg < 0)
		return err_fail(GT_EFORMAT,
				"%s: DWARF's runtime.g lacks fields every Go since 1.17 "
				"has (goid, atomicstatus, sched...)",
				elf_file__name(ef));
	*out = o;
	return 0;
}

static void version_text(const struct go_version *ver, char *buf, size_t len)
{
	if (!ver)
		snprintf(buf, len, "an unknown Go version");
	else
		snprintf(buf, len, "%sgo%d.%d%s", ver->devel ? "a development build of " : "",
			 ver->major, ver->minor, ver->prerelease ? " (pre-release)" : "");
}

int go_offsets__for(const struct elf_file *ef, const struct go_version *ver, struct go_offsets *out,
		    const char **source)
{
	static __thread char src[48];
	char vt[64];
	int err, lo, hi;

	err = go_offsets__from_dwarf(ef, out);
	if (!err) {
		if (source)
			*source = "DWARF";
		return 0;
	}
	if (err == -ENOMEM)
		return err;
	if (!go_offsets__from_table(ver, out)) {
		snprintf(src, sizeof(src), "table (go1.%d)", ver->minor);
		if (source)
			*source = src;
		return 0;
	}
	version_text(ver, vt, sizeof(vt));
	go_offsets__table_range(&lo, &hi);
	return err_fail(EOPNOTSUPP,
			"%s was built with %s and has no DWARF: gotrace knows the runtime.g "
			"layout of go1.%d to go1.%d only and will not guess (rebuild without "
			"-ldflags=-w/-s, or with a supported Go)",
			elf_file__name(ef), vt, lo, hi);
}
