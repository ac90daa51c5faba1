// SPDX-License-Identifier: GPL-2.0
/*
 * Finding runtime globals without symbols, against independent oracles:
 *  - waitReasonStrings: its texts must equal, index by index, the table in
 *    the toolchain's own runtime2.go (the const block's iota order and the
 *    composite literal, parsed here); its address and length must equal
 *    `go tool nm -size`. The byte-pattern scan and the decoded
 *    runtime.waitReason.String must find the same table.
 *  - runtime.allgs: the address decoded from runtime.allgadd (Capstone)
 *    must equal `go tool nm`'s symbol.
 * Each for the parked fixture built with every toolchain, and for the
 * stripped (-s -w) build of the same source, whose data moves by the
 * difference of the .data section addresses (readelf) between the twins.
 * The npm esbuilds (GOTRACE_TEST_BINARIES, default /tmp/npmt) have no
 * symbols: their tables must equal the runtime2.go of a toolchain of the
 * same Go minor version when one is here.
 */
#include <errno.h>
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include "base/err.h"
#include "goelf/buildinfo.h"
#include "goelf/elf.h"
#include "goelf/elfsyms.h"
#include "goelf/goglobals.h"
#include "goelf/goversion.h"
#include "goelf/pclntab.h"
#include "goelf/waitreason.h"

static char *tmpdir;
static struct tu_go gos[TU_MAX_GOROOTS];
static int ngos;
static char bins[TU_MAX_GOROOTS][2][PATH_MAX]; /* [toolchain][0 exe, 1 stripped] */

static int setup(void **state)
{
	int i;

	tmpdir = tu_mkdtemp("goglobals");
	if (!tmpdir)
		return -1;
	ngos = tu_find_gos(gos, TU_MAX_GOROOTS);
	for (i = 0; i < ngos; i++) {
		snprintf(bins[i][0], PATH_MAX, "%s/parked-1.%d", tmpdir, gos[i].minor);
		snprintf(bins[i][1], PATH_MAX, "%s/parked-1.%d-s", tmpdir, gos[i].minor);
		if (tu_build_fixture(&gos[i], "-buildvcs=false", bins[i][0]))
			bins[i][0][0] = '\0';
		if (tu_build_fixture(&gos[i], "-buildvcs=false -ldflags='-s -w'", bins[i][1]))
			bins[i][1][0] = '\0';
	}
	return 0;
}

static int teardown(void **state)
{
	tu_rmrf(tmpdir);
	free(tmpdir);
	return 0;
}

/* The GOROOT of a toolchain ("" means ask the system go). */
static void goroot_of(const struct tu_go *g, char *buf, size_t len)
{
	char cmd[PATH_MAX + 64], *out;
	int st;

	if (g->root[0]) {
		snprintf(buf, len, "%s", g->root);
		return;
	}
	snprintf(cmd, sizeof(cmd), "GOTOOLCHAIN=local '%s' env GOROOT", g->go);
	out = tu_run(cmd, &st);
	assert_non_null(out);
	out[strcspn(out, "\n")] = '\0';
	snprintf(buf, len, "%s", out);
	free(out);
}

/*
 * The texts of runtime2.go's waitReasonStrings in index order: the const
 * block (waitReasonZero waitReason = iota, then one name per line) and the
 * keyed literal (name: "text"), joined by an awk of the source file.
 */
static char *source_table(const struct tu_go *g)
{
	char root[PATH_MAX], cmd[2 * PATH_MAX + 512], *out;
	int st;

	goroot_of(g, root, sizeof(root));
	snprintf(cmd, sizeof(cmd),
		 "awk '/waitReasonZero +waitReason = iota/ {c = 1} "
		 "c && /^\\)/ {c = 0} "
		 "c && $1 ~ /^waitReason[A-Za-z0-9]+$/ {order[n++] = $1} "
		 "/^var waitReasonStrings/ {l = 1; next} l && /^}/ {l = 0} "
		 "l && match($0, /\"[^\"]*\"/) {k = $1; sub(/:$/, \"\", k); "
		 "text[k] = substr($0, RSTART + 1, RLENGTH - 2)} "
		 "END {for (i = 0; i < n; i++) print text[order[i]]}' "
		 "'%s/src/runtime/runtime2.go'",
		 root);
	out = tu_run(cmd, &st);
	assert_non_null(out);
	assert_int_equal(st, 0);
	return out;
}

/* Every entry of wr equals the source's list, and the counts agree. */
static void check_texts(const char *what, const struct go_waitreasons *wr, const char *src)
{
	uint32_t i = 0;
	const char *line = src;

	while (*line) {
		size_t len = strcspn(line, "\n");
		const char *got = go_waitreasons__name(wr, i);

		if (!got || strlen(got) != len || memcmp(got, line, len))
			fail_msg("%s: reason %u is '%s', runtime2.go says '%.*s'", what, i,
				 got ? got : "(none)", (int)len, line);
		i++;
		line += len + (line[len] == '\n');
	}
	if (i < 20 || go_waitreasons__count(wr) != i)
		fail_msg("%s: %u reasons, runtime2.go has %u", what, go_waitreasons__count(wr), i);
}

/* `go tool nm -size` of the newest toolchain: address and size of a symbol; 0 when absent. */
static uint64_t nm_symbol(const char *bin, const char *name, uint64_t *size)
{
	return tu_nm_symbol(&gos[0], bin, name, size);
}

/* readelf's address of a section. */
static uint64_t section_addr(const char *bin, const char *name)
{
	uint64_t a = tu_section_addr(bin, name);

	assert_true(a != 0);
	return a;
}

struct opened {
	struct elf_file *ef;
	struct elf_syms *syms;
	struct pclntab *pcln;
};

static void open_bin(const char *bin, struct opened *o)
{
	assert_int_equal(elf_file__open(bin, &o->ef), 0);
	assert_int_equal(elf_syms__load(o->ef, &o->syms), 0);
	assert_int_equal(pclntab__open(o->ef, &o->pcln), 0);
}

static void close_bin(struct opened *o)
{
	pclntab__free(o->pcln);
	elf_syms__free(o->syms);
	elf_file__free(o->ef);
}

/* One toolchain: symbol path and code/scan paths on the exe, code/scan on the stripped twin. */
static void one_toolchain(int k)
{
	uint64_t wr_addr, wr_size, allgs, got, delta, table;
	struct go_waitreasons *wr;
	struct opened o;
	char *src = source_table(&gos[k]);
	uint32_t count;

	wr_addr = nm_symbol(bins[k][0], "runtime.waitReasonStrings", &wr_size);
	allgs = nm_symbol(bins[k][0], "runtime.allgs", NULL);
	assert_true(wr_addr && allgs);

	open_bin(bins[k][0], &o);
	assert_int_equal(go_waitreasons__load(o.ef, o.syms, o.pcln, &wr), 0);
	assert_int_equal(go_waitreasons__source(wr), GO_WR_SYMBOL);
	assert_int_equal(go_waitreasons__vaddr(wr), wr_addr);
	assert_int_equal(go_waitreasons__count(wr), wr_size / 16);
	check_texts(bins[k][0], wr, src);
	go_waitreasons__free(wr);
	assert_int_equal(go_waitreasons__scan(o.ef, &got), 0);
	assert_int_equal(got, wr_addr);
	assert_int_equal(go_globals__waitreasons_from_code(o.ef, o.pcln, &table, &count), 0);
	assert_int_equal(table, wr_addr);
	assert_int_equal(count, wr_size / 16);
	assert_int_equal(go_globals__allgs_from_code(o.ef, o.pcln, &got), 0);
	assert_int_equal(got, allgs);
	close_bin(&o);

	if (!bins[k][1][0])
		fail_msg("go1.%d: the stripped build failed", gos[k].minor);
	delta = section_addr(bins[k][1], ".data") - section_addr(bins[k][0], ".data");
	open_bin(bins[k][1], &o);
	{
		struct elf_sym sym;

		assert_int_equal(elf_syms__find(o.syms, "runtime.allgs", &sym), -ENOENT);
	}
	assert_int_equal(go_waitreasons__load(o.ef, o.syms, o.pcln, &wr), 0);
	assert_int_equal(go_waitreasons__source(wr), GO_WR_SCAN_CODE);
	assert_int_equal(go_waitreasons__vaddr(wr), wr_addr + delta);
	check_texts(bins[k][1], wr, src);
	go_waitreasons__free(wr);
	assert_int_equal(go_globals__allgs_from_code(o.ef, o.pcln, &got), 0);
	assert_int_equal(got, allgs + delta);
	close_bin(&o);
	free(src);
	print_message("go1.%d: waitReasonStrings and allgs agree (exe and -s -w)\n", gos[k].minor);
}

static void test_toolchains(void **state)
{
	int i, n = 0;

	for (i = 0; i < ngos; i++) {
		if (!bins[i][0][0])
			continue;
		one_toolchain(i);
		n++;
	}
	if (n < 2)
		fail_msg("only %d toolchains here (scripts/fetch-go.sh)", n);
}

/* The npm esbuilds: stripped, built by others; tables checked against same-minor sources. */
static void test_esbuilds(void **state)
{
	const char *env = getenv("GOTRACE_TEST_BINARIES");
	char pattern[PATH_MAX];
	struct go_waitreasons *wr;
	struct go_buildinfo bi;
	struct go_version ver;
	struct opened o;
	uint64_t allgs;
	glob_t gl;
	size_t i;
	int k, checked = 0;

	snprintf(pattern, sizeof(pattern), "%s", env ? env : "/tmp/npmt/*/package/bin/esbuild");
	if (glob(pattern, 0, NULL, &gl) || !gl.gl_pathc) {
		print_message("no esbuild binaries at %s: not checked\n", pattern);
		skip();
	}
	for (i = 0; i < gl.gl_pathc; i++) {
		const char *bin = gl.gl_pathv[i];

		open_bin(bin, &o);
		assert_int_equal(go_buildinfo__read(o.ef, &bi), 0);
		assert_int_equal(go_version_parse(bi.version, &ver), 0);
		if (go_waitreasons__load(o.ef, o.syms, o.pcln, &wr))
			fail_msg("%s (%s): %s", bin, bi.version, err_msg());
		assert_string_equal(go_waitreasons__name(wr, 1), "GC assist marking");
		assert_string_equal(go_waitreasons__name(wr, 2), "IO wait");
		if (go_globals__allgs_from_code(o.ef, o.pcln, &allgs))
			fail_msg("%s (%s): %s", bin, bi.version, err_msg());
		for (k = 0; k < ngos; k++) {
			if (gos[k].minor == ver.minor) {
				char *src = source_table(&gos[k]);

				check_texts(bin, wr, src);
				free(src);
				checked++;
			}
		}
		print_message("%s: %s, %u wait reasons (%s), allgs at 0x%llx\n", bin, bi.version,
			      go_waitreasons__count(wr),
			      go_waitreasons_source_name(go_waitreasons__source(wr)),
			      (unsigned long long)allgs);
		go_waitreasons__free(wr);
		go_buildinfo__clear(&bi);
		close_bin(&o);
	}
	globfree(&gl);
	if (!checked)
		print_message("no esbuild shares a Go minor with a toolchain here\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_toolchains),
		cmocka_unit_test(test_esbuilds),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
