// SPDX-License-Identifier: GPL-2.0
/*
 * pclntab: hand-built tables in every format (expected values come from the
 * construction in pclntab_synth.h), truncation and corruption (clean
 * errors, never a crash: this binary runs under ASan+UBSan), and real
 * binaries checked against the Go toolchain (pclntab_real.h), and the fast
 * paths (pc buckets, result cache, concurrent callers) on the same binaries
 * (pclntab_fast.h).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/err.h"
#include "goelf/elf.h"
#include "goelf/pclntab.h"
#include "pclntab_synth.h"

static const enum pclntab_format all_formats[] = {PCLNTAB_GO12, PCLNTAB_GO116, PCLNTAB_GO118,
						  PCLNTAB_GO120};

struct opened {
	struct elf_file *ef;
	struct pclntab *t;
};

static int open_buf(const uint8_t *buf, size_t size, struct opened *o)
{
	int err;

	o->ef = NULL;
	o->t = NULL;
	err = elf_file__open_mem(buf, size, &o->ef);
	if (err)
		return err;
	return pclntab__open(o->ef, &o->t);
}

static void close_opened(struct opened *o)
{
	pclntab__free(o->t);
	elf_file__free(o->ef);
}

static void expect_frame(const struct pcln_frame *f, const char *func, const char *file, int line,
			 bool inlined)
{
	assert_string_equal(f->func, func);
	assert_string_equal(f->file, file);
	assert_int_equal(f->line, line);
	assert_int_equal(f->inlined, inlined);
}

/* The answers pclntab_synth.h built in; inline expansion needs moduledata since go1.18. */
static void check_synth_answers(const struct pclntab *t, enum pclntab_format fmt, bool md)
{
	struct pcln_frame fr[4];
	struct pcln_func f;
	int32_t sp;
	bool inl = md || fmt < PCLNTAB_GO118;

	assert_int_equal(pclntab__format(t), fmt);
	assert_int_equal(pclntab__nfuncs(t), 2);
	assert_int_equal(pclntab__text_start(t), SYN_TEXT);
	assert_int_equal(pclntab__quantum(t), 1);
	assert_int_equal(pclntab__ptrsize(t), 8);
	assert_int_equal(pclntab__vaddr(t), SYN_BASE + SYN_TAB_OFF);
	assert_int_equal(pclntab__has_moduledata(t), md);
	assert_int_equal(pclntab__moduledata_vaddr(t), md ? SYN_MD_VADDR : 0);
	assert_int_equal(pclntab__func_at(t, 1, &f), 0);
	assert_string_equal(f.name, "main.bar");
	assert_int_equal(f.entry, SYN_TEXT + 0x20);
	assert_int_equal(f.end, SYN_TEXT + 0x50);
	assert_int_equal(pclntab__func_at(t, 2, &f), -ENOENT);
	assert_int_equal(pclntab__find_func(t, SYN_TEXT + 0x1f, &f), 0);
	assert_string_equal(f.name, "main.foo");
	assert_int_equal(pclntab__find_func(t, SYN_TEXT - 1, &f), -ENOENT);
	assert_int_equal(pclntab__find_func(t, SYN_TEXT + 0x50, &f), -ENOENT);
	assert_int_equal(pclntab__find_name(t, "main.bar", &f), 0);
	assert_int_equal(f.entry, SYN_TEXT + 0x20);
	assert_int_equal(pclntab__find_name(t, "main.baz", &f), -ENOENT);
	assert_int_equal(pclntab__symbolize(t, SYN_TEXT + 0x5, fr, 4), 1);
	expect_frame(&fr[0], "main.foo", "/src/a.go", 10, false);
	assert_int_equal(pclntab__symbolize(t, SYN_TEXT + 0x15, fr, 4), 1);
	expect_frame(&fr[0], "main.foo", "/src/a.go", 12, false);
	assert_int_equal(pclntab__sp_delta(t, SYN_TEXT + 0x5, &sp), 0);
	assert_int_equal(sp, 8);
	assert_int_equal(pclntab__symbolize(t, SYN_TEXT + 0x34, fr, 4), 1);
	expect_frame(&fr[0], "main.bar", "/src/b.go", 105, false);
	if (inl) {
		assert_int_equal(pclntab__symbolize(t, SYN_TEXT + 0x24, fr, 4), 2);
		expect_frame(&fr[0], "main.inl", "/src/b.go", 100, true);
		expect_frame(&fr[1], "main.bar", "/src/b.go", 105, false);
		/* Too little room: the count says how much was needed. */
		assert_int_equal(pclntab__symbolize(t, SYN_TEXT + 0x24, fr, 1), 2);
	} else {
		assert_int_equal(pclntab__symbolize(t, SYN_TEXT + 0x24, fr, 4), 1);
		expect_frame(&fr[0], "main.bar", "/src/b.go", 100, false);
	}
	assert_int_equal(pclntab__symbolize(t, SYN_TEXT + 0x60, fr, 4), -ENOENT);
}

static void synth_open(enum pclntab_format fmt, bool sections, bool md, int32_t parent_pc,
		       uint8_t *buf, struct opened *o)
{
	struct synth_opts so = {fmt, sections, md, parent_pc};
	struct synth_out out;

	synth_build(buf, &so, &out);
	assert_int_equal(open_buf(buf, SYN_SIZE, o), 0);
}

static void test_synth_formats(void **state)
{
	static uint8_t buf[SYN_SIZE];
	struct opened o;
	size_t k;

	for (k = 0; k < 4; k++) {
		synth_open(all_formats[k], true, true, 0x18, buf, &o);
		assert_string_equal(pclntab__origin(o.t), ".gopclntab section");
		check_synth_answers(o.t, all_formats[k], true);
		close_opened(&o);
	}
}

static void test_synth_no_sections(void **state)
{
	static uint8_t buf[SYN_SIZE];
	struct opened o;
	size_t k;

	for (k = 0; k < 4; k++) {
		synth_open(all_formats[k], false, true, 0x18, buf, &o);
		assert_string_equal(pclntab__origin(o.t), "scan of segment 0");
		check_synth_answers(o.t, all_formats[k], true);
		close_opened(&o);
	}
}

static void test_synth_no_moduledata(void **state)
{
	static uint8_t buf[SYN_SIZE];
	struct opened o;
	size_t k;

	for (k = 0; k < 4; k++) {
		synth_open(all_formats[k], true, false, 0x18, buf, &o);
		check_synth_answers(o.t, all_formats[k], false);
		close_opened(&o);
	}
}

/*
 * parentPc back into inlined code whose own parentPc is itself (bad[0]):
 * the call site is unknown, and the walk ends at the physical function
 * (go1.27's package init functions have such entries; they used to fail
 * symbolization). Past the function it is corrupt; since go1.18 such a
 * tree already fails the moduledata check (gofunc_plausible), leaving the
 * physical frame only.
 */
static void test_synth_bad_inline_tree(void **state)
{
	static const int32_t bad[] = {0x4, 0x30, -8};
	static uint8_t buf[SYN_SIZE];
	struct pcln_frame fr[4];
	struct opened o;
	size_t k, b;

	for (k = 0; k < 4; k++)
		for (b = 0; b < 3; b++) {
			synth_open(all_formats[k], true, true, bad[b], buf, &o);
			err_clear();
			if (b > 0 && all_formats[k] >= PCLNTAB_GO118) {
				assert_false(pclntab__has_moduledata(o.t));
				assert_int_equal(pclntab__symbolize(o.t, SYN_TEXT + 0x24, fr, 4),
						 1);
			} else if (b == 0) {
				int n = pclntab__symbolize(o.t, SYN_TEXT + 0x24, fr, 4);

				assert_true(n >= 1);
				assert_false(fr[n - 1].inlined);
			} else {
				assert_int_equal(pclntab__symbolize(o.t, SYN_TEXT + 0x24, fr, 4),
						 -GT_EFORMAT);
				assert_non_null(strstr(err_msg(), "inline tree"));
			}
			close_opened(&o);
		}
}

/* go1.9-1.11 layout: parent indexes instead of parentPc, no funcID. */
static void test_synth_go12_old(void **state)
{
	static uint8_t buf[SYN_SIZE];
	struct synth_opts so = {PCLNTAB_GO12, true, true, -1, true};
	struct pcln_frame fr[4];
	struct synth_out out;
	struct pcln_func f;
	struct opened o;

	synth_build(buf, &so, &out);
	assert_int_equal(open_buf(buf, SYN_SIZE, &o), 0);
	check_synth_answers(o.t, PCLNTAB_GO12, true);
	assert_int_equal(pclntab__func_at(o.t, 1, &f), 0);
	assert_false(f.wrapper);
	close_opened(&o);
	so.parent_pc = 0; /* the entry is its own parent */
	synth_build(buf, &so, &out);
	assert_int_equal(open_buf(buf, SYN_SIZE, &o), 0);
	assert_int_equal(pclntab__symbolize(o.t, SYN_TEXT + 0x24, fr, 4), -GT_EFORMAT);
	assert_non_null(strstr(err_msg(), "too deep"));
	close_opened(&o);
}

static void test_not_go(void **state)
{
	static uint8_t buf[SYN_SIZE];
	struct synth_opts so = {PCLNTAB_GO120, false, false, 0x18};
	struct synth_out out;
	struct opened o;

	synth_build(buf, &so, &out);
	memset(buf + SYN_TAB_OFF, 0, 8); /* no magic anywhere */
	assert_int_equal(open_buf(buf, SYN_SIZE, &o), -GT_ENOTGO);
	assert_non_null(strstr(err_msg(), "no Go pc-line table"));
	close_opened(&o);
}

/* Exercise every entry point; none may crash, all answers must be sane. */
static void walk_everything(const struct pclntab *t)
{
	struct pcln_frame fr[8];
	struct pcln_func f;
	uint64_t pc;
	int32_t sp;
	size_t i;
	int n;

	for (i = 0; i < pclntab__nfuncs(t) && i < 64; i++)
		if (pclntab__func_at(t, i, &f) == 0) {
			assert_non_null(f.name);
			(void)pclntab__find_name(t, f.name, &f);
		}
	for (pc = SYN_TEXT - 1; pc <= SYN_TEXT + 0x51; pc++) {
		n = pclntab__symbolize(t, pc, fr, 8);
		assert_true(n > 0 || n == -ENOENT || n == -GT_EFORMAT);
		for (i = 0; n > 0 && i < (size_t)n && i < 8; i++)
			assert_true(fr[i].func && fr[i].file);
		n = pclntab__sp_delta(t, pc, &sp);
		assert_true(n == 0 || n == -ENOENT || n == -GT_EFORMAT);
	}
}

/* A section cut short anywhere: a clean error or a smaller valid table. */
static void test_truncated_section(void **state)
{
	static uint8_t buf[SYN_SIZE];
	struct synth_opts so = {0, true, true, 0x18};
	struct synth_out out;
	struct opened o;
	uint64_t len;
	size_t k;
	int err;

	for (k = 0; k < 4; k++) {
		so.fmt = all_formats[k];
		for (len = 0; len < 0x400; len++) {
			Elf64_Shdr *sh;

			synth_build(buf, &so, &out);
			sh = (Elf64_Shdr *)(buf + 0x1240) + 2;
			sh->sh_size = len;
			err = open_buf(buf, SYN_SIZE, &o);
			if (len < 16)
				assert_int_equal(err, -GT_EFORMAT);
			assert_true(err == 0 || err == -GT_EFORMAT);
			if (!err)
				walk_everything(o.t);
			close_opened(&o);
		}
	}
}

/* Every single-byte corruption of the table, tree and module data. */
static void test_corrupt_bytes(void **state)
{
	static const uint8_t pattern[] = {0xff, 0x80, 0x01};
	static uint8_t buf[SYN_SIZE];
	struct synth_opts so = {0, true, true, 0x18};
	struct synth_out out;
	struct opened o;
	size_t k, off, p;
	int err;

	for (k = 0; k < 5; k++) {
		so.fmt = k < 4 ? all_formats[k] : PCLNTAB_GO12;
		so.go12_old = k == 4; /* go1.9-1.11 layout */
		so.parent_pc = k == 4 ? -1 : 0x18;
		for (off = SYN_TAB_OFF; off < SYN_MD_OFF + 0x160; off++) {
			if (off >= SYN_TAB_OFF + 0x300 && off < 0xe00)
				off = 0xe00; /* nothing between the table and the tree */
			if (off >= 0xe20 && off < SYN_MD_OFF)
				off = SYN_MD_OFF;
			for (p = 0; p < sizeof(pattern); p++) {
				synth_build(buf, &so, &out);
				buf[off] ^= pattern[p];
				err = open_buf(buf, SYN_SIZE, &o);
				assert_true(err == 0 || err == -GT_EFORMAT || err == -GT_ENOTGO);
				if (!err)
					walk_everything(o.t);
				close_opened(&o);
			}
		}
	}
}

/* Header word k of a go1.20 table: nfunc, nfiles, text, then the offsets. */
static uint64_t hdr_word(const uint8_t *buf, unsigned k)
{
	uint64_t v;

	memcpy(&v, buf + SYN_TAB_OFF + 8 + 8 * k, 8);
	return v;
}

/* Specific lies get specific messages. */
static void test_corrupt_messages(void **state)
{
	static uint8_t buf[SYN_SIZE];
	struct synth_opts so = {PCLNTAB_GO120, true, true, 0x18};
	struct pcln_frame fr[4];
	struct synth_out out;
	struct pcln_func f;
	struct opened o;
	uint32_t line_tab;

	synth_build(buf, &so, &out);
	syn_w64(buf + SYN_TAB_OFF, 8, 1ULL << 40); /* nfunc */
	assert_int_equal(open_buf(buf, SYN_SIZE, &o), -GT_EFORMAT);
	assert_non_null(strstr(err_msg(), "functions"));
	close_opened(&o);

	synth_build(buf, &so, &out);
	syn_w64(buf + SYN_TAB_OFF, 8 + 8 * 7, 0x7fffffff); /* pclnOffset */
	assert_int_equal(open_buf(buf, SYN_SIZE, &o), -GT_EFORMAT);
	assert_non_null(strstr(err_msg(), "past the table"));
	close_opened(&o);

	synth_build(buf, &so, &out);
	buf[SYN_TAB_OFF + 7] = 4; /* 32-bit pointers */
	assert_int_equal(open_buf(buf, SYN_SIZE, &o), -GT_EFORMAT);
	close_opened(&o);

	/* A record outside the table: that function errors, the others work. */
	synth_build(buf, &so, &out);
	assert_int_equal(open_buf(buf, SYN_SIZE, &o), 0);
	close_opened(&o);
	syn_w32(buf + SYN_TAB_OFF, hdr_word(buf, 7) + 4, 0x7ffffff0); /* funcoff of main.foo */
	assert_int_equal(open_buf(buf, SYN_SIZE, &o), 0);
	assert_int_equal(pclntab__func_at(o.t, 0, &f), -GT_EFORMAT);
	assert_non_null(strstr(err_msg(), "outside the table"));
	assert_int_equal(pclntab__symbolize(o.t, SYN_TEXT + 4, fr, 4), -GT_EFORMAT);
	assert_int_equal(pclntab__func_at(o.t, 1, &f), 0);
	close_opened(&o);

	/* An over-long varint in main.foo's line table. */
	synth_build(buf, &so, &out);
	memcpy(&line_tab, buf + out.funcoff[0] + 24, 4);
	memset(buf + SYN_TAB_OFF + hdr_word(buf, 6) + line_tab, 0x80, 5);
	assert_int_equal(open_buf(buf, SYN_SIZE, &o), 0);
	err_clear();
	assert_int_equal(pclntab__symbolize(o.t, SYN_TEXT + 4, fr, 4), -GT_EFORMAT);
	assert_non_null(strstr(err_msg(), "corrupt pc-value table"));
	close_opened(&o);
}

/* A whole ELF cut short: the ELF reader or the table reader says so. */
static void test_truncated_file(void **state)
{
	static uint8_t buf[SYN_SIZE];
	struct synth_opts so = {PCLNTAB_GO120, false, true, 0x18};
	struct synth_out out;
	struct opened o;
	size_t len;
	int err;

	synth_build(buf, &so, &out);
	for (len = 0; len < SYN_SIZE; len += 7) {
		err = open_buf(buf, len, &o);
		assert_true(err == 0 || err == -GT_EFORMAT || err == -GT_ENOTGO);
		if (!err)
			walk_everything(o.t);
		close_opened(&o);
	}
}

#include "pclntab_real.h"
#include "pclntab_traceback.h"
#include "pclntab_fast.h"

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_synth_formats),
		cmocka_unit_test(test_synth_no_sections),
		cmocka_unit_test(test_synth_no_moduledata),
		cmocka_unit_test(test_synth_bad_inline_tree),
		cmocka_unit_test(test_synth_go12_old),
		cmocka_unit_test(test_not_go),
		cmocka_unit_test(test_truncated_section),
		cmocka_unit_test(test_corrupt_bytes),
		cmocka_unit_test(test_corrupt_messages),
		cmocka_unit_test(test_truncated_file),
		cmocka_unit_test(test_real_oracles),
		cmocka_unit_test(test_real_no_section_headers),
		cmocka_unit_test(test_real_traceback),
		cmocka_unit_test(test_real_fast_paths),
	};
	int ret;

	ret = cmocka_run_group_tests(tests, real_setup, real_teardown);
	if (getenv("GOTRACE_PCLNTAB_SEEDS"))
		write_seeds(getenv("GOTRACE_PCLNTAB_SEEDS"));
	return ret;
}
