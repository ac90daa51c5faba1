// SPDX-License-Identifier: GPL-2.0
/*
 * Where the Go heap statistics are (goelf/goheap.h), against independent
 * oracles, for the parked fixture built with every toolchain here:
 *  - offsets: binutils' readelf (its own DWARF reader) gives the member
 *    offsets of runtime.gcControllerState and runtime.mstats; gotrace's
 *    DWARF reader and the version table must both equal them, field by
 *    field (every toolchain must have a table row);
 *  - globals: `go tool nm` gives runtime.gcController and runtime.memstats;
 *    the addresses decoded from runtime.gcTrigger.test must equal them, and
 *    in the -s -w twin (no symbols, no DWARF: table + code) they must equal
 *    them moved by the twin's shift of the section holding them (readelf);
 *  - refusals: versions without a verified row and no DWARF are refused.
 * The npm esbuilds (stripped, built by others) are located from code where
 * their version has a row, cross-checked against two other runtime
 * functions (gcinit passes &gcController to its init method;
 * gcMarkTermination increments memstats.numgc), and refused otherwise.
 * The heap goal arithmetic is checked on cases worked by hand from
 * mgcpacer.go's heapGoalInternal and memoryLimitHeapGoal.
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
#include "goelf/goheap.h"
#include "goelf/goversion.h"
#include "goelf/pclntab.h"
#include "goelf/x86code.h"

#define MIB (1ULL << 20)

static char *tmpdir;
static struct tu_go gos[TU_MAX_GOROOTS];
static int ngos;
static char bins[TU_MAX_GOROOTS][2][PATH_MAX]; /* [toolchain][0 exe, 1 -s -w] */

static int setup(void **state)
{
	tmpdir = tu_mkdtemp("goheap");
	if (!tmpdir)
		return -1;
	ngos = tu_find_gos(gos, TU_MAX_GOROOTS);
	for (int i = 0; i < ngos; i++) {
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

struct opened {
	struct elf_file *ef;
	struct elf_syms *syms;
	struct pclntab *pcln;
	struct go_version ver;
};

static void open_bin(const char *bin, struct opened *o)
{
	struct go_buildinfo bi;

	assert_int_equal(elf_file__open(bin, &o->ef), 0);
	assert_int_equal(elf_syms__load(o->ef, &o->syms), 0);
	assert_int_equal(pclntab__open(o->ef, &o->pcln), 0);
	assert_int_equal(go_buildinfo__read(o->ef, &bi), 0);
	assert_int_equal(go_version_parse(bi.version, &o->ver), 0);
	go_buildinfo__clear(&bi);
}

static void close_bin(struct opened *o)
{
	pclntab__free(o->pcln);
	elf_syms__free(o->syms);
	elf_file__free(o->ef);
}

/* readelf's offset of every field (and memstats.enablegc) must equal off's. */
static void check_readelf(const char *what, const char *dump, const struct go_heap_offsets *off)
{
	for (int f = 0; f < GO_HEAP_NFIELDS; f++) {
		const struct go_heap_field_info *fi = go_heap_field__info(f);
		long want = tu_readelf_member(dump, fi->type, fi->member);

		if (want < 0 || off->off[f] != want)
			fail_msg("%s: %s.%s at %d, readelf says %ld", what, fi->type, fi->member,
				 off->off[f], want);
	}
	if (off->enablegc != tu_readelf_member(dump, "runtime.mstats", "enablegc"))
		fail_msg("%s: mstats.enablegc at %d, readelf disagrees", what, off->enablegc);
}

static void test_offsets(void **state)
{
	struct go_heap_offsets dw, tab;
	struct opened o;
	int n = 0;

	for (int i = 0; i < ngos; i++) {
		char *dump;

		if (!bins[i][0][0])
			continue;
		dump = tu_readelf_structs(bins[i][0]);
		assert_non_null(dump);
		open_bin(bins[i][0], &o);
		if (go_heap_offsets__from_dwarf(o.ef, &dw))
			fail_msg("go1.%d: %s", gos[i].minor, err_msg());
		check_readelf("DWARF reader", dump, &dw);
		if (go_heap_offsets__from_table(&o.ver, &tab))
			fail_msg("go1.%d has no heap table row", o.ver.minor);
		check_readelf("table", dump, &tab);
		print_message("go1.%d: heap offsets (DWARF and table) = readelf\n", o.ver.minor);
		close_bin(&o);
		free(dump);
		n++;
	}
	if (n < 2)
		fail_msg("only %d toolchains here (scripts/fetch-go.sh)", n);
}

/* Where the twin put what the exe has at vaddr: the same section, moved. */
static uint64_t in_twin(const char *exe, const char *twin, uint64_t vaddr)
{
	char sec[64];

	tu_section_of(exe, vaddr, sec, sizeof(sec));
	assert_true(sec[0] != '\0');
	return vaddr - tu_section_addr(exe, sec) + tu_section_addr(twin, sec);
}

static void one_toolchain(int k)
{
	uint64_t gcc = tu_nm_symbol(&gos[0], bins[k][0], "runtime.gcController", NULL);
	uint64_t ms = tu_nm_symbol(&gos[0], bins[k][0], "runtime.memstats", NULL);
	struct go_heap_layout l;
	struct opened o;
	char *dump = tu_readelf_structs(bins[k][0]);
	uint64_t a, b;

	assert_true(gcc && ms && dump);
	open_bin(bins[k][0], &o);
	assert_int_equal(go_heap_layout__find(o.ef, o.syms, o.pcln, &o.ver, &l), 0);
	assert_int_equal(l.globals_source, GO_GLOBAL_SYMBOL);
	assert_string_equal(l.offsets_source, "DWARF");
	assert_int_equal(l.gc_controller, gcc);
	assert_int_equal(l.memstats, ms);
	assert_int_equal(go_heap__globals_from_code(o.ef, o.pcln, &l.off, &a, &b), 0);
	assert_int_equal(a, gcc);
	assert_int_equal(b, ms);
	assert_int_equal(go_heap_layout__addr(&l, GO_HEAP_NUMGC),
			 ms + (uint64_t)tu_readelf_member(dump, "runtime.mstats", "numgc"));
	close_bin(&o);
	free(dump);

	if (!bins[k][1][0])
		fail_msg("go1.%d: the stripped build failed", gos[k].minor);
	open_bin(bins[k][1], &o);
	if (go_heap_layout__find(o.ef, o.syms, o.pcln, &o.ver, &l))
		fail_msg("go1.%d -s -w: %s", gos[k].minor, err_msg());
	assert_int_equal(l.globals_source, GO_GLOBAL_CODE);
	assert_non_null(strstr(l.offsets_source, "table"));
	assert_int_equal(l.gc_controller, in_twin(bins[k][0], bins[k][1], gcc));
	assert_int_equal(l.memstats, in_twin(bins[k][0], bins[k][1], ms));
	close_bin(&o);
	print_message("go1.%d: gcController and memstats from code = go tool nm (exe and -s -w)\n",
		      gos[k].minor);
}

static void test_globals(void **state)
{
	int n = 0;

	for (int i = 0; i < ngos; i++) {
		if (!bins[i][0][0])
			continue;
		one_toolchain(i);
		n++;
	}
	if (n < 2)
		fail_msg("only %d toolchains here (scripts/fetch-go.sh)", n);
}

/* -s -w and a version with no verified row: refused with a sentence, never guessed. */
static void test_refusals(void **state)
{
	static const char *const versions[] = {"go1.20.12", "go1.25.1", "go1.18.10", "go1.99.0"};
	struct go_heap_layout l;
	struct go_version v;
	struct opened o;
	int k = 0;

	while (k < ngos && !bins[k][1][0])
		k++;
	if (k == ngos)
		skip();
	open_bin(bins[k][1], &o);
	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		assert_int_equal(go_version_parse(versions[i], &v), 0);
		assert_int_equal(go_heap_layout__find(o.ef, o.syms, o.pcln, &v, &l), -EOPNOTSUPP);
		assert_non_null(strstr(err_msg(), "will not guess"));
	}
	v = o.ver;
	v.devel = true;
	assert_int_equal(go_heap_layout__find(o.ef, o.syms, o.pcln, &v, &l), -EOPNOTSUPP);
	assert_int_equal(go_heap_layout__find(o.ef, o.syms, o.pcln, NULL, &l), -EOPNOTSUPP);
	/* No pclntab: no code to read the globals from. */
	assert_int_equal(go_heap_layout__find(o.ef, o.syms, NULL, &o.ver, &l), -ENOENT);
	close_bin(&o);
}

/* A target of fn's references, of this size (0: a LEA), equal to addr? */
static bool code_touches(const struct opened *o, const char *fn, uint64_t addr, uint8_t size)
{
	struct pcln_func f;
	struct x86_refs r;
	bool hit = false;

	if (pclntab__find_name(o->pcln, fn, &f) || x86_refs__collect(o->ef, f.entry, f.end, &r))
		return false;
	for (size_t i = 0; i < r.n; i++)
		hit |= r.v[i].target == addr &&
		       (size ? !r.v[i].lea && r.v[i].size >= size : r.v[i].lea);
	x86_refs__clear(&r);
	return hit;
}

static void test_esbuilds(void **state)
{
	const char *env = getenv("GOTRACE_TEST_BINARIES");
	char pattern[PATH_MAX];
	struct go_heap_layout l;
	struct go_heap_offsets row;
	struct opened o;
	glob_t gl;
	int located = 0;

	snprintf(pattern, sizeof(pattern), "%s", env ? env : "/tmp/npmt/*/package/bin/esbuild");
	if (glob(pattern, 0, NULL, &gl) || !gl.gl_pathc) {
		print_message("no esbuild binaries at %s: not checked\n", pattern);
		skip();
	}
	for (size_t i = 0; i < gl.gl_pathc; i++) {
		const char *bin = gl.gl_pathv[i];
		bool has_row;
		int err;

		open_bin(bin, &o);
		has_row = !go_heap_offsets__from_table(&o.ver, &row);
		err = go_heap_layout__find(o.ef, o.syms, o.pcln, &o.ver, &l);
		if (!has_row) {
			assert_int_equal(err, -EOPNOTSUPP);
			print_message("%s: go1.%d refused: %s\n", bin, o.ver.minor, err_msg());
			close_bin(&o);
			continue;
		}
		if (err)
			fail_msg("%s (go1.%d): %s", bin, o.ver.minor, err_msg());
		assert_int_equal(l.globals_source, GO_GLOBAL_CODE);
		assert_true(code_touches(&o, "runtime.gcinit", l.gc_controller, 0));
		assert_true(code_touches(&o, "runtime.gcMarkTermination",
					 go_heap_layout__addr(&l, GO_HEAP_NUMGC), 4));
		print_message("%s: go1.%d, gcController 0x%llx, memstats 0x%llx (from code, "
			      "cross-checked)\n",
			      bin, o.ver.minor, (unsigned long long)l.gc_controller,
			      (unsigned long long)l.memstats);
		located++;
		close_bin(&o);
	}
	globfree(&gl);
	if (!located)
		print_message("no esbuild has a Go version with a heap table row\n");
}

/* Words for a decode case; every field not given is 0. */
struct words {
	uint64_t w[GO_HEAP_NFIELDS];
};

static struct words base_words(int32_t gcp, int64_t limit, uint64_t marked, uint64_t gogc_goal)
{
	struct words x = {{0}};

	x.w[GO_HEAP_GC_PERCENT] =
		(uint32_t)gcp | 0xdead000000000000ULL; /* the next field's bytes */
	x.w[GO_HEAP_MEMORY_LIMIT] = (uint64_t)limit;
	x.w[GO_HEAP_MARKED] = marked;
	x.w[GO_HEAP_PERCENT_GOAL] = gogc_goal;
	x.w[GO_HEAP_TRIGGERED] = UINT64_MAX;
	x.w[GO_HEAP_NUMGC] = 7 | 0xffffffff00000000ULL;
	return x;
}

/*
 * Worked by hand from mgcpacer.go (go1.21+ memoryLimitHeapGoal: goal =
 * limit - (mappedReady - heapFree - heapAlloc) - max(mappedReady - limit, 0),
 * minus 3% of it (at least 1 MiB); go1.19: minus 1 MiB), then
 * heapGoalInternal: the lower of that and GOGC's goal; GOGC's goal is
 * raised to the sweep distance trigger and to triggered + 64 KiB.
 */
static void test_decode(void **state)
{
	struct go_heap_state s;
	struct words x;

	/* GOGC=100, no limit: GOGC's goal, 20 MiB. */
	x = base_words(100, INT64_MAX, 10 * MIB, 20 * MIB);
	go_heap_state__decode(x.w, 27, &s);
	assert_int_equal(s.gc_percent, 100);
	assert_int_equal(s.gc_cycles, 7);
	assert_int_equal(s.goal_by, GO_GOAL_GOGC);
	assert_int_equal(s.heap_goal, 20 * MIB);
	assert_int_equal(s.memlimit_goal, UINT64_MAX);

	/*
	 * 100 MiB limit, 40 MiB mapped of which 30 MiB heap objects and 4 MiB
	 * free: non-heap 6 MiB, goal 94 MiB less 3% (2.82 MiB, by the runtime's
	 * integer steps: 94 MiB / 100 * 3) = 91.18 MiB; GOGC's 200 MiB is higher.
	 */
	x = base_words(100, 100 * MIB, 25 * MIB, 200 * MIB);
	x.w[GO_HEAP_MAPPED_READY] = 40 * MIB;
	x.w[GO_HEAP_TOTAL_ALLOC] = 130 * MIB;
	x.w[GO_HEAP_TOTAL_FREE] = 100 * MIB;
	x.w[GO_HEAP_FREE] = 4 * MIB;
	go_heap_state__decode(x.w, 26, &s);
	assert_int_equal(s.heap_alloc, 30 * MIB);
	assert_int_equal(s.goal_by, GO_GOAL_MEMORY_LIMIT);
	assert_int_equal(s.heap_goal, 94 * MIB - 94 * MIB / 100 * 3);
	/* go1.19: a fixed 1 MiB of headroom. */
	go_heap_state__decode(x.w, 19, &s);
	assert_int_equal(s.heap_goal, 93 * MIB);
	/* Not below the marked heap: a 27 MiB limit with 6 MiB non-heap and 25 MiB marked. */
	x.w[GO_HEAP_MEMORY_LIMIT] = 27 * MIB;
	go_heap_state__decode(x.w, 22, &s);
	assert_int_equal(s.heap_goal, 25 * MIB);
	/* Non-heap and overage eat the whole limit: the goal is heapMarked. */
	x.w[GO_HEAP_MEMORY_LIMIT] = 20 * MIB;
	go_heap_state__decode(x.w, 22, &s);
	assert_int_equal(s.heap_goal, 25 * MIB);

	/* GOGC=off, no limit: no goal. GOGC=off with a limit: the limit's. */
	x = base_words(-1, INT64_MAX, 10 * MIB, UINT64_MAX);
	go_heap_state__decode(x.w, 21, &s);
	assert_int_equal(s.gc_percent, -1);
	assert_int_equal(s.goal_by, GO_GOAL_NONE);
	x.w[GO_HEAP_MEMORY_LIMIT] = 50 * MIB;
	x.w[GO_HEAP_MAPPED_READY] = 20 * MIB;
	x.w[GO_HEAP_TOTAL_ALLOC] = 20 * MIB;
	go_heap_state__decode(x.w, 21, &s);
	assert_int_equal(s.goal_by, GO_GOAL_MEMORY_LIMIT);
	assert_int_equal(s.heap_goal, 50 * MIB - 50 * MIB / 100 * 3);

	/* The sweep distance and the trigger's runway push GOGC's goal out. */
	x = base_words(100, INT64_MAX, 4 * MIB, 8 * MIB);
	x.w[GO_HEAP_SWEEP_DIST_TRIGGER] = 9 * MIB;
	go_heap_state__decode(x.w, 24, &s);
	assert_int_equal(s.goal_by, GO_GOAL_SWEEP);
	assert_int_equal(s.heap_goal, 9 * MIB);
	x.w[GO_HEAP_TRIGGERED] = 9 * MIB;
	go_heap_state__decode(x.w, 24, &s);
	assert_int_equal(s.goal_by, GO_GOAL_RUNWAY);
	assert_int_equal(s.heap_goal, 9 * MIB + 64 * 1024);

	/* go1.20 and go1.25: heapGoal() not read here, no goal; the rest decodes. */
	go_heap_state__decode(x.w, 20, &s);
	assert_int_equal(s.goal_by, GO_GOAL_UNKNOWN);
	assert_int_equal(s.heap_marked, 4 * MIB);
	go_heap_state__decode(x.w, 25, &s);
	assert_int_equal(s.goal_by, GO_GOAL_UNKNOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offsets),	 cmocka_unit_test(test_globals),
		cmocka_unit_test(test_refusals), cmocka_unit_test(test_esbuilds),
		cmocka_unit_test(test_decode),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
