// SPDX-License-Identifier: GPL-2.0
/*
 * go_offsets and the DWARF reader under it, against two oracles:
 *  - `readelf --debug-dump=info` (binutils' own DWARF reader), parsed here:
 *    the member offsets of runtime.g, runtime.m, runtime.gobuf and
 *    runtime.stack in the parked fixture built with every toolchain found;
 *  - that DWARF, for the version table: for every toolchain, every field of
 *    the table's row must equal what the binary's DWARF says (a field the
 *    row marks absent must be absent from runtime.g too).
 * The same binary re-packed by objcopy (uncompressed, .zdebug zlib-gnu as
 * Go 1.11-1.18 wrote it, zlib-gabi, zstd) must read the same; a stripped
 * build (-s -w) has no DWARF and falls back to the table; a version the
 * table does not cover is refused, never guessed. Hostile DWARF is cut and
 * patched from the real sections.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include "base/err.h"
#include "goelf/buildinfo.h"
#include "goelf/dwarf.h"
#include "goelf/elf.h"
#include "goelf/gooffsets.h"
#include "goelf/goversion.h"

static char *tmpdir;
static struct tu_go gos[TU_MAX_GOROOTS];
static int ngos;
static char bins[TU_MAX_GOROOTS][PATH_MAX];

static int setup(void **state)
{
	char flags[64];
	int i;

	tmpdir = tu_mkdtemp("gooffsets");
	if (!tmpdir)
		return -1;
	ngos = tu_find_gos(gos, TU_MAX_GOROOTS);
	for (i = 0; i < ngos; i++) {
		snprintf(bins[i], sizeof(bins[i]), "%s/parked-1.%d", tmpdir, gos[i].minor);
		snprintf(flags, sizeof(flags), "-buildvcs=false");
		if (tu_build_fixture(&gos[i], flags, bins[i]))
			bins[i][0] = '\0';
	}
	return 0;
}

static int teardown(void **state)
{
	tu_rmrf(tmpdir);
	free(tmpdir);
	return 0;
}

static char *readelf_dump(const char *bin)
{
	char *out = tu_readelf_structs(bin);

	assert_non_null(out);
	return out;
}

/* One field's oracle: g member, g.sched/g.stack nested member, or m member. */
struct oracle_field {
	const char *type, *member;
	const char *outer; /* g member holding the nested struct, or NULL */
	size_t field;
};

#define F(t, m, o, f)                                                                              \
	{                                                                                          \
		t, m, o, offsetof(struct go_offsets, f)                                            \
	}
static const struct oracle_field oracle_fields[] = {
	F("runtime.g", "m", NULL, m),
	F("runtime.g", "syscallsp", NULL, syscallsp),
	F("runtime.g", "syscallpc", NULL, syscallpc),
	F("runtime.g", "syscallbp", NULL, syscallbp),
	F("runtime.g", "atomicstatus", NULL, atomicstatus),
	F("runtime.g", "goid", NULL, goid),
	F("runtime.g", "waitsince", NULL, waitsince),
	F("runtime.g", "waitreason", NULL, waitreason),
	F("runtime.g", "lockedm", NULL, lockedm),
	F("runtime.g", "parentGoid", NULL, parent_goid),
	F("runtime.g", "gopc", NULL, gopc),
	F("runtime.g", "startpc", NULL, startpc),
	F("runtime.g", "waiting", NULL, waiting),
	F("runtime.g", "labels", NULL, labels),
	F("runtime.g", "trackingSeq", NULL, tracking_seq),
	F("runtime.gobuf", "sp", "sched", sched_sp),
	F("runtime.gobuf", "pc", "sched", sched_pc),
	F("runtime.gobuf", "bp", "sched", sched_bp),
	F("runtime.stack", "lo", "stack", stack_lo),
	F("runtime.stack", "hi", "stack", stack_hi),
	F("runtime.m", "procid", NULL, m_procid),
	F("runtime.m", "curg", NULL, m_curg),
	F("runtime.m", "id", NULL, m_id),
};
#define NORACLE (sizeof(oracle_fields) / sizeof(oracle_fields[0]))

static int32_t get(const struct go_offsets *o, size_t field)
{
	return *(const int32_t *)((const char *)o + field);
}

/* Every field of o against readelf; returns how many fields were present. */
static int check_against_readelf(const char *bin, const struct go_offsets *o)
{
	char *dump = readelf_dump(bin);
	size_t i;
	int present = 0;

	for (i = 0; i < NORACLE; i++) {
		const struct oracle_field *f = &oracle_fields[i];
		long want = tu_readelf_member(dump, f->type, f->member);

		assert_true(want != -2);
		if (want >= 0 && f->outer) {
			long base = tu_readelf_member(dump, "runtime.g", f->outer);

			assert_true(base >= 0);
			want += base;
		}
		if (get(o, f->field) != (want < 0 ? GO_OFF_NONE : want))
			fail_msg("%s: %s.%s: DWARF reader %d, readelf %ld", bin, f->type, f->member,
				 get(o, f->field), want);
		present += want >= 0;
	}
	free(dump);
	return present;
}

static void offsets_of(const char *bin, struct go_offsets *o, struct go_version *ver)
{
	struct go_buildinfo bi;
	struct elf_file *ef;

	assert_int_equal(elf_file__open(bin, &ef), 0);
	if (go_offsets__from_dwarf(ef, o))
		fail_msg("%s: %s", bin, err_msg());
	if (ver) {
		assert_int_equal(go_buildinfo__read(ef, &bi), 0);
		assert_int_equal(go_version_parse(bi.version, ver), 0);
		go_buildinfo__clear(&bi);
	}
	elf_file__free(ef);
}

static void test_dwarf_vs_readelf(void **state)
{
	struct go_offsets o;
	int i, n = 0;

	for (i = 0; i < ngos; i++) {
		char *dump;
		long size;

		if (!bins[i][0])
			continue;
		offsets_of(bins[i], &o, NULL);
		assert_true(check_against_readelf(bins[i], &o) >= 15);
		dump = readelf_dump(bins[i]);
		{
			const char *s = strstr(dump, "S runtime.g ");

			assert_non_null(s);
			size = strtol(s + strlen("S runtime.g "), NULL, 10);
		}
		assert_int_equal(o.g_size, size);
		free(dump);
		n++;
	}
	if (!n)
		skip();
}

/* The table row for each toolchain's version equals that binary's DWARF, field by field. */
static void test_table_vs_dwarf(void **state)
{
	struct go_offsets dw, tab;
	struct go_version ver;
	size_t f;
	int i, n = 0;

	for (i = 0; i < ngos; i++) {
		if (!bins[i][0])
			continue;
		offsets_of(bins[i], &dw, &ver);
		if (go_offsets__from_table(&ver, &tab))
			fail_msg("go1.%d has no table row", ver.minor);
		assert_int_equal(tab.g_size, dw.g_size);
		for (f = 0; f < NORACLE; f++)
			if (get(&tab, oracle_fields[f].field) != get(&dw, oracle_fields[f].field))
				fail_msg("go1.%d: table %s.%s = %d, DWARF says %d", ver.minor,
					 oracle_fields[f].type, oracle_fields[f].member,
					 get(&tab, oracle_fields[f].field),
					 get(&dw, oracle_fields[f].field));
		print_message("table row for go1.%d matches its DWARF\n", ver.minor);
		n++;
	}
	if (n < 2)
		fail_msg("only %d toolchains to check the table with (scripts/fetch-go.sh)", n);
}

static int newest(void)
{
	int i;

	for (i = 0; i < ngos; i++)
		if (bins[i][0])
			return i;
	return -1;
}

/* objcopy's re-packings of the same DWARF must read identically. */
static void test_compressed_variants(void **state)
{
	static const char *const modes[] = {
		"--decompress-debug-sections", "--compress-debug-sections=zlib-gnu",
		"--compress-debug-sections=zlib-gabi", "--compress-debug-sections=zstd"};
	char out[PATH_MAX + 32], cmd[3 * PATH_MAX];
	struct go_offsets want, got;
	struct elf_file *ef;
	int k = newest();
	size_t i;

	if (k < 0)
		skip();
	offsets_of(bins[k], &want, NULL);
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		snprintf(out, sizeof(out), "%s/variant%zu", tmpdir, i);
		snprintf(cmd, sizeof(cmd), "objcopy %s '%s' '%s' 2>/dev/null", modes[i], bins[k],
			 out);
		if (tu_system(cmd)) {
			print_message("objcopy %s unsupported here: not checked\n", modes[i]);
			continue;
		}
		assert_int_equal(elf_file__open(out, &ef), 0);
		if (i == 1) /* the old GNU form really is .zdebug_info */
			assert_non_null(elf_file__find_section(ef, ".zdebug_info"));
		if (go_offsets__from_dwarf(ef, &got))
			fail_msg("%s: %s", modes[i], err_msg());
		assert_memory_equal(&want, &got, sizeof(want));
		elf_file__free(ef);
	}
}

/* -s -w: no DWARF, the table answers; a version outside it is refused. */
static void test_stripped_and_refusal(void **state)
{
	struct go_offsets dw, got;
	struct go_version ver, bad;
	struct elf_file *ef;
	const char *src = NULL;
	char bin[PATH_MAX + 32];
	int k = newest();

	if (k < 0)
		skip();
	offsets_of(bins[k], &dw, &ver);
	snprintf(bin, sizeof(bin), "%s/stripped", tmpdir);
	assert_int_equal(tu_build_fixture(&gos[k], "-buildvcs=false -ldflags='-s -w'", bin), 0);
	assert_int_equal(elf_file__open(bin, &ef), 0);
	assert_int_equal(go_offsets__from_dwarf(ef, &got), -ENOENT);
	assert_int_equal(go_offsets__for(ef, &ver, &got, &src), 0);
	assert_non_null(strstr(src, "table"));
	assert_memory_equal(&dw, &got, sizeof(dw));

	bad = ver;
	bad.minor = 99;
	assert_int_equal(go_offsets__for(ef, &bad, &got, &src), -EOPNOTSUPP);
	assert_non_null(strstr(err_msg(), "will not guess"));
	assert_int_equal(go_version_parse("go1.16.3", &bad), 0);
	assert_int_equal(go_offsets__for(ef, &bad, &got, &src), -EOPNOTSUPP);
	bad = ver;
	bad.devel = true;
	assert_int_equal(go_offsets__for(ef, &bad, &got, &src), -EOPNOTSUPP);
	assert_int_equal(go_offsets__for(ef, NULL, &got, &src), -EOPNOTSUPP);
	elf_file__free(ef);
}

/* Uncompressed sections of the newest binary, for cutting and patching. */
static uint8_t *section_copy(struct elf_file *ef, const char *name, size_t *len)
{
	const struct elf_section *s = elf_file__find_section(ef, name);
	const void *p;
	uint8_t *copy;

	assert_non_null(s);
	p = elf_file__section_bytes(ef, s);
	assert_non_null(p);
	copy = malloc(s->size ? s->size : 1);
	assert_non_null(copy);
	memcpy(copy, p, s->size);
	*len = s->size;
	return copy;
}

static int layout_of(const uint8_t *info, size_t ilen, const uint8_t *abbrev, size_t alen)
{
	struct dwarf_member m[2] = {{"goid", 0}, {"sched", 0}};
	struct dwarf *d;
	uint64_t size;
	int err;

	/* Exact-size heap copies so ASan sees any read past the end. */
	uint8_t *i2 = malloc(ilen ? ilen : 1), *a2 = malloc(alen ? alen : 1);

	memcpy(i2, info, ilen);
	memcpy(a2, abbrev, alen);
	assert_int_equal(dwarf__open_mem(i2, ilen, a2, alen, NULL, 0, &d), 0);
	err = dwarf__struct_layout(d, "runtime.g", &size, m, 2);
	dwarf__free(d);
	free(i2);
	free(a2);
	return err;
}

static void test_hostile(void **state)
{
	char out[PATH_MAX + 32], cmd[3 * PATH_MAX];
	uint8_t *info, *abbrev;
	size_t ilen, alen, cut;
	struct elf_file *ef;
	int k = newest(), err;
	unsigned seed = 1;

	if (k < 0)
		skip();
	snprintf(out, sizeof(out), "%s/plain", tmpdir);
	snprintf(cmd, sizeof(cmd), "objcopy --decompress-debug-sections '%s' '%s'", bins[k], out);
	assert_int_equal(tu_system(cmd), 0);
	assert_int_equal(elf_file__open(out, &ef), 0);
	info = section_copy(ef, ".debug_info", &ilen);
	abbrev = section_copy(ef, ".debug_abbrev", &alen);
	elf_file__free(ef);
	assert_int_equal(layout_of(info, ilen, abbrev, alen), 0);
	/* Cut anywhere: found, not found, or malformed; never a crash. */
	for (cut = 0; cut < ilen; cut += 1 + cut / 3) {
		err = layout_of(info, cut, abbrev, alen);
		assert_true(err == 0 || err == -ENOENT || err == -GT_EFORMAT);
	}
	for (cut = 0; cut < alen; cut++) {
		err = layout_of(info, ilen < 200000 ? ilen : 200000, abbrev, cut);
		assert_true(err == 0 || err == -ENOENT || err == -GT_EFORMAT);
	}
	/* Random byte flips in the first units and in the abbreviations. */
	for (cut = 0; cut < 300; cut++) {
		size_t at = rand_r(&seed) % (cut & 1 ? alen : (ilen < 4096 ? ilen : 4096));
		uint8_t *buf = cut & 1 ? abbrev : info, old = buf[at];

		buf[at] = (uint8_t)rand_r(&seed);
		err = layout_of(info, ilen, abbrev, alen);
		assert_true(err == 0 || err == -ENOENT || err == -GT_EFORMAT);
		buf[at] = old;
	}
	free(info);
	free(abbrev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dwarf_vs_readelf),
		cmocka_unit_test(test_table_vs_dwarf),
		cmocka_unit_test(test_compressed_variants),
		cmocka_unit_test(test_stripped_and_refusal),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
