// SPDX-License-Identifier: GPL-2.0
/*
 * elf_syms against `readelf -sW` parsed here: a C program built at test
 * time (aliases, weak and static functions, a size-0 assembly function,
 * data objects), the C library (.dynsym only, IFUNCs, many aliases) and a
 * Go binary built from tests/fixtures/parked (a large .symtab). Hostile
 * tables are synthesized (tests/fuzz/synth_elf.h) and patched.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"
#include "../fuzz/synth_elf.h"

#include "goelf/elf.h"
#include "base/err.h"
#include "goelf/elfsyms.h"

/* One defined symbol as readelf printed it. */
struct rsym {
	char *name;
	char type[16];
	uint64_t value, size;
	bool func, object;
};

struct rtab {
	struct rsym *v;
	size_t n, cap;
};

static char *tmpdir;

static int setup(void **state)
{
	tmpdir = tu_mkdtemp("elfsyms");
	return tmpdir ? 0 : -1;
}

static int teardown(void **state)
{
	tu_rmrf(tmpdir);
	free(tmpdir);
	return 0;
}

/* "  12: 0000000000401000    35 FUNC    GLOBAL DEFAULT   13 main" */
static void parse_readelf_line(struct rtab *t, char *line, bool dynsym)
{
	char type[32], bind[32], vis[32], ndx[32], sizebuf[32];
	unsigned long long value;
	int pos = 0;
	char *name;
	struct rsym *s;

	if (sscanf(line, " %*u: %llx %31s %31s %31s %31s %31s %n", &value, sizebuf, type, bind, vis,
		   ndx, &pos) != 6 ||
	    !pos)
		return;
	name = line + pos;
	name[strcspn(name, "\n")] = '\0';
	if (dynsym) /* readelf appends "@VERSION (n)" to .dynsym names */
		name[strcspn(name, "@ ")] = '\0';
	if (!strcmp(ndx, "UND") || !*name || !strcmp(type, "SECTION") || !strcmp(type, "FILE"))
		return;
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 1024;
		t->v = realloc(t->v, t->cap * sizeof(*t->v));
		assert_non_null(t->v);
	}
	s = &t->v[t->n++];
	s->name = strdup(name);
	s->value = value;
	s->size = strtoull(sizebuf, NULL, 0);
	snprintf(s->type, sizeof(s->type), "%s", type);
	s->func = !strcmp(type, "FUNC") || !strcmp(type, "IFUNC");
	s->object = !strcmp(type, "OBJECT");
}

static void readelf_syms(const char *bin, struct rtab *t)
{
	char cmd[PATH_MAX + 64], *out, *line, *save = NULL;
	bool dynsym = false;
	int st;

	memset(t, 0, sizeof(*t));
	snprintf(cmd, sizeof(cmd), "readelf -sW '%s'", bin);
	out = tu_run(cmd, &st);
	assert_non_null(out);
	assert_int_equal(st, 0);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "Symbol table '", 14))
			dynsym = !strncmp(line + 14, ".dynsym'", 8);
		else
			parse_readelf_line(t, line, dynsym);
	}
	free(out);
}

static void rtab_free(struct rtab *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->v[i].name);
	free(t->v);
}

/* Is there a readelf symbol of this kind, name and address? */
static bool has_sym(const struct rtab *t, const char *name, uint64_t value, bool func)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->v[i].value == value && (func ? t->v[i].func : t->v[i].object) &&
		    !strcmp(t->v[i].name, name))
			return true;
	return false;
}

static int cmp_u64p(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Distinct addresses of one kind; sorted into *out. */
static size_t distinct_addrs(const struct rtab *t, bool func, uint64_t **out)
{
	uint64_t *a = calloc(t->n + 1, sizeof(*a));
	size_t i, n = 0, k = 0;

	assert_non_null(a);
	for (i = 0; i < t->n; i++)
		if (func ? t->v[i].func : t->v[i].object)
			a[n++] = t->v[i].value;
	qsort(a, n, sizeof(*a), cmp_u64p);
	for (i = 0; i < n; i++)
		if (!k || a[i] != a[k - 1])
			a[k++] = a[i];
	*out = a;
	return k;
}

static void check_kind(const struct elf_syms *syms, const struct rtab *t, bool func)
{
	uint64_t *addrs;
	size_t n = distinct_addrs(t, func, &addrs), i;
	struct elf_sym got;

	assert_int_equal(elf_syms__count_kind(syms, func ? ELF_SYM_FUNC : ELF_SYM_OBJECT), n);
	for (i = 0; i < t->n; i++) {
		const struct rsym *r = &t->v[i];
		int err;

		if (!(func ? r->func : r->object))
			continue;
		err = func ? elf_syms__lookup_addr(syms, r->value, &got)
			   : elf_syms__lookup_object(syms, r->value, &got);
		assert_int_equal(err, 0);
		assert_true(got.start == r->value);
		assert_int_equal(got.offset, 0);
		/* Aliases collapse to one name, which readelf must list at that address. */
		assert_true(has_sym(t, got.name, r->value, func));
		if (r->size > 1 && func) {
			assert_int_equal(elf_syms__lookup_addr(syms, r->value + r->size - 1, &got),
					 0);
			assert_true(got.start >= r->value && got.start <= r->value + r->size - 1);
			assert_true(got.offset == r->value + r->size - 1 - got.start);
		}
	}
	if (n && addrs[0] > 0) /* below every symbol: nothing */
		assert_int_equal(func ? elf_syms__lookup_addr(syms, addrs[0] - 1, &got)
				      : elf_syms__lookup_object(syms, addrs[0] - 1, &got),
				 -ENOENT);
	free(addrs);
}

/* Every defined name is found at one of the addresses readelf gives it. */
static void check_find(const struct elf_syms *syms, const struct rtab *t)
{
	struct elf_sym got;
	size_t i, j, same;

	for (i = 0; i < t->n; i++) {
		const struct rsym *r = &t->v[i];
		bool at_known = false;

		if (strlen(r->name) > 8192)
			continue;
		assert_int_equal(elf_syms__find(syms, r->name, &got), 0);
		assert_string_equal(got.name, r->name);
		for (j = 0, same = 0; j < t->n; j++) {
			if (strcmp(t->v[j].name, r->name))
				continue;
			same++;
			at_known |= t->v[j].value == got.start;
		}
		assert_true(at_known);
		if (same == 1)
			assert_true(got.size == r->size);
	}
	assert_int_equal(elf_syms__find(syms, "no such symbol, surely", &got), -ENOENT);
}

static int cmp_rsym(const void *pa, const void *pb)
{
	const struct rsym *a = pa, *b = pb;
	int c = strcmp(a->name, b->name);

	if (!c)
		c = a->value < b->value ? -1 : a->value > b->value;
	return c ? c : strcmp(a->type, b->type);
}

/* The same symbol listed twice (.symtab and .dynsym, or two versions) counts once. */
static size_t distinct_syms(struct rtab *t)
{
	size_t i, n = 0;

	qsort(t->v, t->n, sizeof(*t->v), cmp_rsym);
	for (i = 0; i < t->n; i++)
		n += !i || cmp_rsym(&t->v[i - 1], &t->v[i]);
	return n;
}

static void check_binary(const char *bin)
{
	struct elf_file *ef;
	struct elf_syms *syms;
	struct rtab t;

	readelf_syms(bin, &t);
	assert_int_equal(elf_file__open(bin, &ef), 0);
	assert_int_equal(elf_syms__load(ef, &syms), 0);
	check_kind(syms, &t, true);
	check_kind(syms, &t, false);
	check_find(syms, &t);
	assert_int_equal(elf_syms__count(syms), distinct_syms(&t));
	print_message("ok %s: %zu readelf entries, %zu held, %zu functions, %zu objects\n", bin,
		      t.n, elf_syms__count(syms), elf_syms__count_kind(syms, ELF_SYM_FUNC),
		      elf_syms__count_kind(syms, ELF_SYM_OBJECT));
	elf_syms__free(syms);
	elf_file__free(ef);
	rtab_free(&t);
}

static const char c_src[] =
	"#include <stdio.h>\n"
	"int counter = 3;\n"
	"static int helper(int x) { return x * counter; }\n"
	"int target(int x) { return helper(x) + 1; }\n"
	"int target_alias(int x) __attribute__((alias(\"target\")));\n"
	"__attribute__((weak)) int weakfn(void) { return 7; }\n"
	"__asm__(\".text\\n.globl zfunc\\n.type zfunc,@function\\n"
	"zfunc: nop\\n nop\\n nop\\n ret\\n"
	".globl afterz\\n.type afterz,@function\\nafterz: ret\\n.size afterz,1\\n\");\n"
	"int main(int argc, char **argv) { printf(\"%d\\n\", target(argc) + weakfn()); return 0; "
	"}\n";

static void test_c_program(void **state)
{
	char src[PATH_MAX], bin[PATH_MAX], cmd[3 * PATH_MAX];
	struct elf_file *ef;
	struct elf_syms *syms;
	struct elf_sym z, a;
	struct rtab t;
	size_t i;

	snprintf(src, sizeof(src), "%s/p.c", tmpdir);
	snprintf(bin, sizeof(bin), "%s/p", tmpdir);
	assert_int_equal(tu_write_file(src, c_src, sizeof(c_src) - 1), 0);
	snprintf(cmd, sizeof(cmd), "cc -O1 -o '%s' '%s'", bin, src);
	if (tu_system(cmd)) {
		print_message("SKIP: no C compiler\n");
		skip();
	}
	check_binary(bin);

	/* zfunc has size 0 in readelf: it must reach the next function readelf lists. */
	readelf_syms(bin, &t);
	assert_int_equal(elf_file__open(bin, &ef), 0);
	assert_int_equal(elf_syms__load(ef, &syms), 0);
	assert_int_equal(elf_syms__find(syms, "zfunc", &z), 0);
	assert_int_equal(elf_syms__find(syms, "afterz", &a), 0);
	for (i = 0; i < t.n; i++) {
		if (!strcmp(t.v[i].name, "zfunc"))
			assert_true(t.v[i].size == 0 && t.v[i].value == z.start);
		if (t.v[i].func && t.v[i].value > z.start)
			assert_true(t.v[i].value >= a.start);
	}
	assert_int_equal(elf_syms__lookup_addr(syms, z.start + 3, &z), 0);
	assert_string_equal(z.name, "zfunc");
	assert_true(z.size == a.start - z.start);
	assert_int_equal(z.offset, 3);
	elf_syms__free(syms);
	elf_file__free(ef);
	rtab_free(&t);
}

static void test_libc(void **state)
{
	char *out;
	int st;

	out = tu_run("cc -print-file-name=libc.so.6 2>/dev/null", &st);
	if (!out || st || out[0] != '/') {
		free(out);
		print_message("SKIP: cannot locate libc.so.6\n");
		skip();
	}
	out[strcspn(out, "\n")] = '\0';
	check_binary(out);
	free(out);
}

static void test_go_binary(void **state)
{
	struct tu_go gos[TU_MAX_GOROOTS];
	char bin[PATH_MAX];

	if (!tu_find_gos(gos, TU_MAX_GOROOTS)) {
		print_message(
			"SKIP: no Go toolchain found (scripts/fetch-go.sh, or a system go)\n");
		skip();
	}
	snprintf(bin, sizeof(bin), "%s/parked", tmpdir);
	assert_int_equal(tu_build_fixture(&gos[0], "", bin), 0);
	check_binary(bin);
}

/* ---- hostile tables ---- */

static const struct synth_sym good_syms[] = {
	{"alpha", SYNTH_DATA_VADDR + 0x00, 0x10, STT_FUNC},
	{"beta", SYNTH_DATA_VADDR + 0x10, 0, STT_FUNC},
	{"gamma", SYNTH_DATA_VADDR + 0x30, 0x08, STT_FUNC},
	{"obj", SYNTH_DATA_VADDR + 0x40, 0x08, STT_OBJECT},
};

static uint8_t *synth_syms(size_t *len)
{
	static uint8_t data[0x80];
	struct synth_spec sp = {.data = data,
				.data_len = sizeof(data),
				.sections = true,
				.syms = good_syms,
				.nsyms = 4};

	return synth_elf(&sp, len);
}

/* Section header i of an image built by synth_elf. */
static Elf64_Shdr *shdr(uint8_t *img, size_t i)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;

	return (Elf64_Shdr *)(img + eh->e_shoff + i * sizeof(Elf64_Shdr));
}

static size_t load_count(uint8_t *img, size_t len, struct elf_syms **out)
{
	struct elf_file *ef;
	struct elf_syms *syms;
	size_t n;

	assert_int_equal(elf_file__open_mem(img, len, &ef), 0);
	assert_int_equal(elf_syms__load(ef, &syms), 0);
	n = elf_syms__count(syms);
	if (out)
		*out = syms;
	else
		elf_syms__free(syms);
	elf_file__free(ef);
	return n;
}

static int open_err(uint8_t *img, size_t len)
{
	struct elf_file *ef = NULL;
	int err = elf_file__open_mem(img, len, &ef);

	elf_file__free(ef);
	return err;
}

static void test_synth_good(void **state)
{
	size_t len;
	uint8_t *img = synth_syms(&len);
	struct elf_syms *syms;
	struct elf_sym s;

	assert_int_equal(load_count(img, len, &syms), 4);
	/* beta has size 0: it extends to gamma. */
	assert_int_equal(elf_syms__lookup_addr(syms, SYNTH_DATA_VADDR + 0x2f, &s), 0);
	assert_string_equal(s.name, "beta");
	assert_true(s.size == 0x20);
	/* obj is an object, not a function. */
	assert_int_equal(elf_syms__lookup_addr(syms, SYNTH_DATA_VADDR + 0x40, &s), -ENOENT);
	assert_int_equal(elf_syms__lookup_object(syms, SYNTH_DATA_VADDR + 0x47, &s), 0);
	assert_string_equal(s.name, "obj");
	assert_int_equal(elf_syms__lookup_addr(syms, SYNTH_DATA_VADDR + 0x38, &s), -ENOENT);
	assert_int_equal(elf_syms__nth(syms, ELF_SYM_FUNC, 2, &s), 0);
	assert_string_equal(s.name, "gamma");
	assert_int_equal(elf_syms__nth(syms, ELF_SYM_FUNC, 3, &s), -ENOENT);
	elf_syms__free(syms);
	elf_syms__free(NULL);
	free(img);
}

static void test_synth_hostile(void **state)
{
	size_t len, symtab = 2, strtab = 3;
	uint8_t *img;
	Elf64_Sym *st;

	/* sh_link out of range, or naming a non-string table. */
	img = synth_syms(&len);
	shdr(img, symtab)->sh_link = 999;
	assert_int_equal(load_count(img, len, NULL), 0);
	shdr(img, symtab)->sh_link = (uint32_t)symtab;
	assert_int_equal(load_count(img, len, NULL), 0);
	free(img);

	/* st_name far outside the string table: that symbol only is dropped. */
	img = synth_syms(&len);
	st = (Elf64_Sym *)(img + shdr(img, symtab)->sh_offset);
	st[1].st_name = 0xfffffff0;
	assert_int_equal(load_count(img, len, NULL), 3);
	free(img);

	/* The string table cut before the last name's NUL: that name is dropped. */
	img = synth_syms(&len);
	shdr(img, strtab)->sh_size -= 1;
	assert_int_equal(load_count(img, len, NULL), 3);
	free(img);

	/* A wrong entry size, a table past the end of the file, a size not a multiple. */
	img = synth_syms(&len);
	shdr(img, symtab)->sh_entsize = 16;
	assert_int_equal(load_count(img, len, NULL), 0);
	shdr(img, symtab)->sh_entsize = sizeof(Elf64_Sym);
	shdr(img, symtab)->sh_size = 5 * sizeof(Elf64_Sym) - 1;
	assert_int_equal(load_count(img, len, NULL), 3);
	free(img);

	/* A table past the end of the file: the ELF reader calls the file truncated. */
	img = synth_syms(&len);
	shdr(img, symtab)->sh_size = UINT64_MAX - 8;
	assert_int_equal(open_err(img, len), -GT_EFORMAT);
	shdr(img, symtab)->sh_size = 5 * sizeof(Elf64_Sym);
	shdr(img, symtab)->sh_offset = len + 1;
	assert_int_equal(open_err(img, len), -GT_EFORMAT);
	free(img);

	/* Symbols whose size wraps around the address space. */
	img = synth_syms(&len);
	st = (Elf64_Sym *)(img + shdr(img, symtab)->sh_offset);
	st[3].st_size = UINT64_MAX;
	st[3].st_value = UINT64_MAX - 4;
	assert_int_equal(load_count(img, len, NULL), 4);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_synth_good), cmocka_unit_test(test_synth_hostile),
		cmocka_unit_test(test_c_program),  cmocka_unit_test(test_libc),
		cmocka_unit_test(test_go_binary),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
