// SPDX-License-Identifier: GPL-2.0
/*
 * The casgstatus call sites `block` probes (go_sched_sites), against the
 * toolchain's own disassembler: `go tool objdump` of the runtime lists
 * every `CALL runtime.casgstatus(SB)` with the function it is in and the
 * `MOVL $N, BX` / `MOVL $N, CX` that load its old and new status. For the
 * parked fixture built with every toolchain here:
 *  - every site is such a CALL, in the function go_sched_sites names;
 *  - every such CALL in runtime.park_m, runtime.execute and runtime.ready
 *    (a park, a run, a wake: block cannot do without them) is a site;
 *  - no site creates a goroutine (runtime.newproc1, old status _Gdead);
 *  - where go_sched_sites read constant arguments, they are the last MOVL
 *    to BX and CX before the CALL in objdump's listing;
 *  - the stripped (-s -w) build, whose text is the same, gives the same sites.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include "goelf/elf.h"
#include "goelf/pclntab.h"
#include "goelf/schedsites.h"

static char *tmpdir;
static struct tu_go gos[TU_MAX_GOROOTS];
static int ngos;
static char bins[TU_MAX_GOROOTS][2][PATH_MAX]; /* [toolchain][0 exe, 1 stripped] */

static int setup(void **state)
{
	int i;

	tmpdir = tu_mkdtemp("schedsites");
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

/* One CALL runtime.casgstatus(SB) in objdump's listing. */
struct call {
	unsigned long long addr;
	char func[128];
	long bx, cx; /* the last MOVL $N to BX/CX before it in its function; -1: none */
};

/*
 * "addr func bx cx" for every CALL to casgstatus in the runtime, reduced by
 * awk from `go tool objdump -s '^runtime\.'` (instruction lines are
 * "  file:line<TABs>0xaddr<TABs>hex<TABs>text<TABs>": a tabwriter's
 * alignment, one tab or more).
 */
static struct call *objdump_calls(const struct tu_go *g, const char *bin, size_t *n)
{
	static const char awk[] =
		"awk -F'\\t+' '"
		"/^TEXT / { split($0, w, \" \"); fn = w[2]; sub(/\\(SB\\)$/, \"\", fn); "
		"  bx = -1; cx = -1; next }"
		"$4 ~ /^MOVL \\$0x[0-9a-f]+, BX$/ { v = $4; sub(/^MOVL \\$/, \"\", v); "
		"  sub(/, BX$/, \"\", v); bx = v }"
		"$4 ~ /^MOVL \\$0x[0-9a-f]+, CX$/ { v = $4; sub(/^MOVL \\$/, \"\", v); "
		"  sub(/, CX$/, \"\", v); cx = v }"
		"$4 ~ /^CALL runtime\\.casgstatus\\(SB\\)$/ { print $2, fn, bx, cx }'";
	char env[PATH_MAX + 128], cmd[3 * PATH_MAX + sizeof(awk)], *out, *line;
	struct call *v = NULL;
	int st;

	tu_go_env(g, env, sizeof(env));
	snprintf(cmd, sizeof(cmd), "cd / && %s '%s' tool objdump -s '^runtime\\.' '%s' | %s", env,
		 g->go, bin, awk);
	out = tu_run(cmd, &st);
	assert_non_null(out);
	assert_int_equal(st, 0);
	*n = 0;
	for (line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
		char bx[32], cx[32];

		v = realloc(v, (*n + 1) * sizeof(*v));
		assert_non_null(v);
		assert_int_equal(
			sscanf(line, "%llx %127s %31s %31s", &v[*n].addr, v[*n].func, bx, cx), 4);
		v[*n].bx = strtol(bx, NULL, 0);
		v[*n].cx = strtol(cx, NULL, 0);
		(*n)++;
	}
	free(out);
	return v;
}

static struct sched_site *sites_of(const char *bin, size_t *n)
{
	struct elf_file *ef = NULL;
	struct pclntab *t = NULL;
	struct sched_site *s = NULL;

	assert_int_equal(elf_file__open(bin, &ef), 0);
	assert_int_equal(pclntab__open(ef, &t), 0);
	assert_int_equal(go_sched_sites(ef, t, &s, n), 0);
	/* caller points into the table: keep the names, then close. */
	for (size_t i = 0; i < *n; i++)
		s[i].caller = strdup(s[i].caller);
	pclntab__free(t);
	elf_file__free(ef);
	return s;
}

static void free_sites(struct sched_site *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free((char *)s[i].caller);
	free(s);
}

static const struct call *call_at(const struct call *c, size_t n, uint64_t addr)
{
	for (size_t i = 0; i < n; i++)
		if (c[i].addr == addr)
			return &c[i];
	return NULL;
}

static bool is_site(const struct sched_site *s, size_t n, uint64_t addr)
{
	for (size_t i = 0; i < n; i++)
		if (s[i].vaddr == addr)
			return true;
	return false;
}

static void check_toolchain(const struct tu_go *g, const char *exe, const char *stripped)
{
	size_t ncalls, nsites, nstripped, i, needed = 0;
	struct call *calls = objdump_calls(g, exe, &ncalls);
	struct sched_site *sites = sites_of(exe, &nsites), *ssites;

	assert_true(ncalls > 0);
	assert_true(nsites > 0);
	for (i = 0; i < nsites; i++) {
		const struct sched_site *s = &sites[i];
		const struct call *c = call_at(calls, ncalls, s->vaddr);

		if (!c)
			fail_msg("go1.%d: site 0x%llx (%s) is no CALL to casgstatus in objdump",
				 g->minor, (unsigned long long)s->vaddr, s->caller);
		assert_string_equal(s->caller, c->func);
		assert_int_not_equal(s->oldval, 6);
		assert_string_not_equal(s->caller, "runtime.newproc1");
		if (s->oldval >= 0)
			assert_int_equal(s->oldval, c->bx);
		if (s->newval >= 0)
			assert_int_equal(s->newval, c->cx);
		assert_int_equal(s->in_park_m, !strcmp(s->caller, "runtime.park_m"));
	}
	for (i = 0; i < ncalls; i++) {
		const char *fn = calls[i].func;

		if (strcmp(fn, "runtime.park_m") && strcmp(fn, "runtime.execute") &&
		    strcmp(fn, "runtime.ready"))
			continue;
		needed++;
		if (!is_site(sites, nsites, calls[i].addr))
			fail_msg("go1.%d: %s's CALL casgstatus at 0x%llx is not a site", g->minor,
				 fn, calls[i].addr);
	}
	assert_true(needed >= 3);
	if (stripped[0]) {
		ssites = sites_of(stripped, &nstripped);
		assert_int_equal(nstripped, nsites);
		for (i = 0; i < nsites; i++) {
			assert_int_equal(ssites[i].vaddr, sites[i].vaddr);
			assert_int_equal(ssites[i].oldval, sites[i].oldval);
			assert_int_equal(ssites[i].newval, sites[i].newval);
		}
		free_sites(ssites, nstripped);
	}
	print_message("go1.%d: %zu sites of %zu casgstatus calls in the runtime\n", g->minor,
		      nsites, ncalls);
	free_sites(sites, nsites);
	free(calls);
}

static void test_toolchains(void **state)
{
	int i, checked = 0;

	assert_true(ngos > 0);
	for (i = 0; i < ngos; i++) {
		if (!bins[i][0][0])
			fail_msg("go1.%d: the fixture did not build", gos[i].minor);
		check_toolchain(&gos[i], bins[i][0], bins[i][1]);
		checked++;
	}
	assert_int_equal(checked, ngos);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_toolchains),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
