/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Real binaries against the Go toolchain, included by test_pclntab.c.
 *
 * Binaries: tests/fixtures/parked built (CGO_ENABLED=0, so no C functions
 * whose tables the linker leaves empty) with the system `go` (plain,
 * `-ldflags=-s -w`, `-buildmode=pie`) and with the newest toolchain in the
 * gotrace cache (plain, pie), plus the esbuild releases in $GOTRACE_NPMT
 * (default /tmp/npmt) when present: go1.14/1.15 (go1.2 format), 1.16/1.17,
 * 1.19, 1.20, 1.26.
 * Oracles, all computed at test time by the newest Go available:
 *  - `go tool nm`: every function's entry and name (symbolized binaries);
 *  - `go tool addr2line`: physical function and innermost file:line of the
 *    entry and one pseudo-random pc of every function;
 *  - the toolchain's own internal/abi (or runtime) symtab.go: the value of
 *    FuncIDWrapper, compared with the funcid of the functions we flag;
 *  - the runtime's GOTRACEBACK=system SIGQUIT dump: every frame it prints,
 *    inlined ones included, against pclntab__symbolize of its pcs.
 * Skips (printed as SKIP) only when no `go` is installed.
 */
#include <fcntl.h>
#include <limits.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_BINS 40
#define LINE_MAX_LEN 4096

struct toolchain {
	char go[512];
	char goroot[512];
	int minor; /* 1.minor */
};

struct real_bin {
	char path[600];
	char label[64];
	const struct toolchain *tc; /* built here: its sources give FuncIDWrapper */
	bool parked;		    /* prints "ready"; else esbuild blocked on stdin */
};

static struct {
	char tmp[256];
	struct toolchain sys, newest, *oracle, extra[24];
	bool have_sys, have_newest;
	size_t nextra;
	struct real_bin bins[MAX_BINS];
	size_t nbins;
} R;

static void real_skip(const char *why)
{
	printf("SKIP: pclntab real-binary checks: %s\n", why);
	skip();
}

/* First line of a command's output, or "" on failure. */
static void cmd_line(const char *cmd, char *out, size_t n)
{
	FILE *p = popen(cmd, "r");

	out[0] = '\0';
	if (!p)
		return;
	if (fgets(out, (int)n, p))
		out[strcspn(out, "\n")] = '\0';
	pclose(p);
}

static int go_minor(const char *version)
{
	int maj, min;

	return sscanf(version, "go%d.%d", &maj, &min) == 2 && maj == 1 ? min : 0;
}

static bool find_system_go(struct toolchain *tc)
{
	char v[128];

	cmd_line("command -v go 2>/dev/null", tc->go, sizeof(tc->go));
	if (!tc->go[0])
		return false;
	cmd_line("go env GOROOT 2>/dev/null", tc->goroot, sizeof(tc->goroot));
	cmd_line("go env GOVERSION 2>/dev/null", v, sizeof(v));
	tc->minor = go_minor(v);
	return tc->goroot[0] && tc->minor;
}

/* The toolchain 1.m unpacked by scripts/fetch-go.sh, if present. */
static bool cached_go(int m, struct toolchain *tc)
{
	const char *cache = getenv("GOTRACE_CACHE"), *home = getenv("HOME");
	char base[300];

	if (cache)
		snprintf(base, sizeof(base), "%s", cache);
	else
		snprintf(base, sizeof(base), "%s/.cache/gotrace", home ? home : "/root");
	snprintf(tc->goroot, sizeof(tc->goroot), "%s/go/1.%d/usr/lib/go-1.%d", base, m, m);
	snprintf(tc->go, sizeof(tc->go), "%s/bin/go", tc->goroot);
	tc->minor = m;
	return access(tc->go, X_OK) == 0;
}

/* The newest cached toolchain; with GOTRACE_PCLNTAB_ALL_GO=1 every other one too. */
static bool find_cached_go(struct toolchain *tc)
{
	bool found = false;
	int m;

	for (m = 40; m >= 18; m--) {
		if (!found) {
			found = cached_go(m, tc);
			continue;
		}
		if (getenv("GOTRACE_PCLNTAB_ALL_GO") && R.nextra < 24 &&
		    cached_go(m, &R.extra[R.nextra]))
			R.nextra++;
	}
	return found;
}

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void go_env(const struct toolchain *tc, char *out, size_t n)
{
	snprintf(out, n, "GOROOT='%s' GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off", tc->goroot);
}

static void build_parked(const struct toolchain *tc, const char *variant, const char *flags)
{
	struct real_bin *b = &R.bins[R.nbins];
	char env[700];

	snprintf(b->path, sizeof(b->path), "%s/parked-1.%d-%s", R.tmp, tc->minor, variant);
	snprintf(b->label, sizeof(b->label), "parked go1.%d %s", tc->minor, variant);
	go_env(tc, env, sizeof(env));
	if (run("cd tests/fixtures/parked && %s CGO_ENABLED=0 '%s' build %s -o '%s' . >'%s.log' "
		"2>&1",
		env, tc->go, flags, b->path, b->path)) {
		printf("pclntab: building %s failed (see %s.log)\n", b->label, b->path);
		fail();
	}
	b->tc = tc;
	b->parked = true;
	R.nbins++;
}

static void add_esbuilds(void)
{
	const char *dir = getenv("GOTRACE_NPMT");
	char cmd[600], line[600];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ls -d %s/*/package/bin/esbuild 2>/dev/null",
		 dir ? dir : "/tmp/npmt");
	p = popen(cmd, "r");
	if (!p)
		return;
	while (R.nbins < MAX_BINS && fgets(line, sizeof(line), p)) {
		struct real_bin *b = &R.bins[R.nbins++];
		char *pkg, *name;

		line[strcspn(line, "\n")] = '\0';
		snprintf(b->path, sizeof(b->path), "%s", line);
		pkg = strstr(line, "/package/bin/esbuild");
		if (pkg)
			*pkg = '\0';
		name = strrchr(line, '/');
		snprintf(b->label, sizeof(b->label), "esbuild %.40s", name ? name + 1 : line);
	}
	pclose(p);
}

static int real_setup(void **state)
{
	snprintf(R.tmp, sizeof(R.tmp), "/tmp/gotrace-pclntab-XXXXXX");
	if (!mkdtemp(R.tmp))
		return -1;
	R.have_sys = find_system_go(&R.sys);
	R.have_newest = find_cached_go(&R.newest) && (!R.have_sys || R.newest.minor > R.sys.minor);
	if (!R.have_sys && !R.have_newest)
		return 0;
	R.oracle = R.have_newest ? &R.newest : &R.sys;
	return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int real_teardown(void **state)
{
	if (R.tmp[0] && !getenv("GOTRACE_KEEP_TMP"))
		nftw(R.tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* Builds on first use, so the synthetic tests run even without Go. */
static void real_bins(void)
{
	static bool built;
	size_t i;

	if (!R.oracle)
		real_skip("no `go` in PATH and no cached toolchain");
	if (built)
		return;
	built = true;
	if (R.have_sys) {
		build_parked(&R.sys, "plain", "");
		build_parked(&R.sys, "sw", "'-ldflags=-s -w'");
		build_parked(&R.sys, "pie", "-buildmode=pie");
	}
	if (R.have_newest) {
		build_parked(&R.newest, "plain", "");
		build_parked(&R.newest, "pie", "-buildmode=pie");
	}
	for (i = 0; i < R.nextra && R.nbins + 2 < MAX_BINS; i++) {
		build_parked(&R.extra[i], "plain", "");
		build_parked(&R.extra[i], "pie", "-buildmode=pie");
	}
	add_esbuilds();
}

/* pclntab and the ELF symtab spell a few names differently: `·` vs `.`, `[...]` vs `[N]`. */
static void norm_name(const char *in, char *out, size_t n)
{
	size_t o = 0;

	while (*in && o + 6 < n) {
		if ((uint8_t)in[0] == 0xc2 && (uint8_t)in[1] == 0xb7) {
			out[o++] = '.';
			in += 2;
		} else if (in[0] == '[' && in[1] >= '0' && in[1] <= '9') {
			const char *e = in + 1;

			while (*e >= '0' && *e <= '9')
				e++;
			if (*e != ']') {
				out[o++] = *in++;
				continue;
			}
			memcpy(out + o, "[...]", 5);
			o += 5;
			in = e + 1;
		} else {
			out[o++] = *in++;
		}
	}
	out[o] = '\0';
}

struct nm_sym {
	uint64_t addr;
	char *name;
};

struct nm_tab {
	struct nm_sym *s;
	size_t n;
};

static int cmp_nm(const void *a, const void *b)
{
	const struct nm_sym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Text symbols from `go tool nm`, sorted by address. */
static void load_nm(const struct real_bin *b, struct nm_tab *nm)
{
	char env[700], cmd[2048], line[LINE_MAX_LEN];
	size_t cap = 0;
	FILE *p;

	nm->s = NULL;
	nm->n = 0;
	go_env(R.oracle, env, sizeof(env));
	snprintf(cmd, sizeof(cmd), "%s '%s' tool nm '%s' 2>/dev/null", env, R.oracle->go, b->path);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		char type[8], name[LINE_MAX_LEN];
		unsigned long long addr;

		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "%llx %7s %4095[^\n]", &addr, type, name) != 3 ||
		    (strcmp(type, "T") && strcmp(type, "t")))
			continue;
		if (nm->n == cap) {
			cap = cap ? 2 * cap : 1024;
			nm->s = realloc(nm->s, cap * sizeof(*nm->s));
			assert_non_null(nm->s);
		}
		nm->s[nm->n].addr = addr;
		nm->s[nm->n++].name = strdup(name);
	}
	pclose(p);
	if (nm->n)
		qsort(nm->s, nm->n, sizeof(*nm->s), cmp_nm);
}

static void free_nm(struct nm_tab *nm)
{
	size_t i;

	for (i = 0; i < nm->n; i++)
		free(nm->s[i].name);
	free(nm->s);
}

/* Address of an nm symbol by exact name, or 0. */
static uint64_t nm_addr(const struct nm_tab *nm, const char *name)
{
	size_t i;

	for (i = 0; i < nm->n; i++)
		if (!strcmp(nm->s[i].name, name))
			return nm->s[i].addr;
	return 0;
}

/* Does nm have, at addr, our name (or our name + ".abi0")? */
static bool nm_matches(const struct nm_tab *nm, uint64_t addr, const char *name)
{
	char want[LINE_MAX_LEN], have[LINE_MAX_LEN];
	struct nm_sym key = {addr, NULL}, *s;

	if (!nm->n)
		return false;
	s = bsearch(&key, nm->s, nm->n, sizeof(*s), cmp_nm);
	if (!s)
		return false;
	while (s > nm->s && s[-1].addr == addr)
		s--;
	norm_name(name, want, sizeof(want));
	for (; s < nm->s + nm->n && s->addr == addr; s++) {
		size_t wl = strlen(want);

		norm_name(s->name, have, sizeof(have));
		if (!strcmp(want, have) ||
		    (!strncmp(want, have, wl) && !strcmp(have + wl, ".abi0")))
			return true;
	}
	return false;
}

static size_t check_against_nm(const struct real_bin *b, const struct pclntab *t,
			       const struct nm_tab *nm)
{
	size_t i, bad = 0;
	struct pcln_func f;

	for (i = 0; i < pclntab__nfuncs(t); i++) {
		assert_int_equal(pclntab__func_at(t, i, &f), 0);
		if (!nm_matches(nm, f.entry, f.name) && bad++ < 5)
			printf("pclntab: %s: %s at %#llx not in `go tool nm`\n", b->label, f.name,
			       (unsigned long long)f.entry);
	}
	return bad;
}

/* Deterministic pcs: each entry and one pc inside each function. */
static size_t sample_pcs(const struct pclntab *t, uint64_t **out)
{
	size_t i, n = 0, nf = pclntab__nfuncs(t);
	uint64_t *pcs = malloc(2 * nf * sizeof(*pcs)), x = 88172645463325252ULL;
	struct pcln_func f;

	assert_non_null(pcs);
	for (i = 0; i < nf; i++) {
		assert_int_equal(pclntab__func_at(t, i, &f), 0);
		pcs[n++] = f.entry;
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		if (f.end > f.entry)
			pcs[n++] = f.entry + x % (f.end - f.entry);
	}
	*out = pcs;
	return n;
}

/* addr2line prints "name\nfile:line"; a pc without line info gives line -1 or 0. */
static bool a2l_equal(const char *fn, const char *fl, const struct pcln_frame *fr, int n)
{
	char ours[LINE_MAX_LEN];
	const char *colon = strrchr(fl, ':');
	long line = colon ? strtol(colon + 1, NULL, 10) : -1;

	if (n < 1 || strcmp(fn, fr[n - 1].func))
		return false;
	if (line <= 0)
		return fr[0].line == 0 && !strcmp(fr[0].file, "?");
	snprintf(ours, sizeof(ours), "%s:%d", fr[0].file, fr[0].line);
	return !strcmp(ours, fl);
}

static size_t check_against_addr2line(const struct real_bin *b, const struct pclntab *t,
				      size_t *npcs)
{
	char env[700], in[700], out[700], fn[LINE_MAX_LEN], fl[LINE_MAX_LEN];
	struct pcln_frame fr[16];
	size_t i, n, bad = 0;
	uint64_t *pcs;
	FILE *f;
	int k;

	n = sample_pcs(t, &pcs);
	snprintf(in, sizeof(in), "%s/pcs", R.tmp);
	snprintf(out, sizeof(out), "%s/a2l", R.tmp);
	f = fopen(in, "w");
	assert_non_null(f);
	for (i = 0; i < n; i++)
		fprintf(f, "%llx\n", (unsigned long long)pcs[i]);
	fclose(f);
	go_env(R.oracle, env, sizeof(env));
	assert_int_equal(
		run("%s '%s' tool addr2line '%s' <'%s' >'%s'", env, R.oracle->go, b->path, in, out),
		0);
	f = fopen(out, "r");
	assert_non_null(f);
	for (i = 0; i < n; i++) {
		assert_non_null(fgets(fn, sizeof(fn), f));
		assert_non_null(fgets(fl, sizeof(fl), f));
		fn[strcspn(fn, "\n")] = fl[strcspn(fl, "\n")] = '\0';
		k = pclntab__symbolize(t, pcs[i], fr, 16);
		if (!a2l_equal(fn, fl, fr, k > 16 ? 16 : k) && bad++ < 5)
			printf("pclntab: %s: pc %#llx: addr2line says %s %s, we say %s %s:%d\n",
			       b->label, (unsigned long long)pcs[i], fn, fl,
			       k > 0 ? fr[k - 1].func : "-", k > 0 ? fr[0].file : "-",
			       k > 0 ? fr[0].line : 0);
	}
	fclose(f);
	free(pcs);
	*npcs = n;
	return bad;
}

/* FuncIDWrapper's position in the toolchain's own enum (internal/abi since go1.21). */
static int source_wrapper_id(const struct toolchain *tc)
{
	static const char *const files[] = {"src/internal/abi/symtab.go", "src/runtime/symtab.go"};
	char path[700], line[512];
	int id = -1;
	size_t k;

	for (k = 0; k < 2 && id < 0; k++) {
		FILE *f;
		int n = -1;

		snprintf(path, sizeof(path), "%s/%s", tc->goroot, files[k]);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			const char *s = line + strspn(line, " \t");

			if (strstr(s, "FuncIDNormal FuncID = iota") ||
			    strstr(s, "funcID_normal funcID = iota"))
				n = 0;
			else if (n >= 0 && *s && *s != '\n' && strncmp(s, "//", 2))
				n++;
			if (n > 0 && (!strncmp(s, "FuncIDWrapper", 13) ||
				      !strncmp(s, "funcID_wrapper", 14))) {
				id = n;
				break;
			}
		}
		fclose(f);
	}
	return id;
}

static void check_wrappers(const struct real_bin *b, const struct pclntab *t,
			   const struct nm_tab *nm)
{
	int want = b->tc ? source_wrapper_id(b->tc) : -1;
	size_t i, nwrap = 0, npairs = 0;
	struct pcln_func f, g;

	for (i = 0; i < pclntab__nfuncs(t); i++) {
		assert_int_equal(pclntab__func_at(t, i, &f), 0);
		if (!f.wrapper)
			continue;
		nwrap++;
		if (want >= 0)
			assert_int_equal(f.funcid, want);
	}
	assert_true(nwrap > 0);
	/* X and X.abi0 in nm: find_name(X) gives the one that is not the wrapper. */
	for (i = 0; i < nm->n; i++) {
		char base[LINE_MAX_LEN];
		size_t l = strlen(nm->s[i].name);
		uint64_t other;

		if (l < 6 || strcmp(nm->s[i].name + l - 5, ".abi0"))
			continue;
		/* X.abi0 and X at the same address: one function, nothing to choose */
		snprintf(base, sizeof(base), "%.*s", (int)(l - 5), nm->s[i].name);
		other = nm_addr(nm, base);
		if (!other || pclntab__find_func(t, other, &g) || g.entry != other)
			continue;
		assert_int_equal(pclntab__find_name(t, base, &f), 0);
		assert_true(f.entry == other || f.entry == nm->s[i].addr);
		if (g.wrapper) /* the plain-named one is the wrapper: the body is X.abi0 */
			assert_int_equal(pclntab__find_func(t, nm->s[i].addr, &g), 0);
		/* reflect.callMethod & co. are wrappers on both sides: either will do */
		if (!g.wrapper) {
			assert_int_equal(f.entry, g.entry);
			npairs++;
		}
	}
	/* A Go body with an ABI0 wrapper (GO-RUNTIME.md §10.2). */
	if (nm_addr(nm, "runtime.goexit1.abi0")) {
		assert_int_equal(pclntab__find_name(t, "runtime.goexit1", &f), 0);
		assert_int_equal(f.entry, nm_addr(nm, "runtime.goexit1"));
	}
	printf("pclntab: %s: %zu wrappers (funcid %d from the toolchain source%s), %zu X/X.abi0 "
	       "pairs resolved\n",
	       b->label, nwrap, want, want < 0 ? ": not available" : "", npairs);
}

static void test_real_oracles(void **state)
{
	size_t i, bad, npcs;

	real_bins();
	for (i = 0; i < R.nbins; i++) {
		const struct real_bin *b = &R.bins[i];
		struct elf_file *ef;
		struct pclntab *t;
		struct nm_tab nm;

		assert_int_equal(elf_file__open(b->path, &ef), 0);
		assert_int_equal(pclntab__open(ef, &t), 0);
		if (pclntab__format(t) == PCLNTAB_GO120 && R.oracle->minor < 20) {
			printf("SKIP: %s: go1.%d tools cannot read the go1.20 format\n", b->label,
			       R.oracle->minor);
			goto next;
		}
		load_nm(b, &nm);
		bad = nm.n ? check_against_nm(b, t, &nm) : 0;
		assert_int_equal(bad, 0);
		bad = check_against_addr2line(b, t, &npcs);
		printf("pclntab: %s (%s format): %zu funcs vs go tool nm%s, %zu pcs vs go tool "
		       "addr2line: %zu mismatches\n",
		       b->label, pclntab__format_name(t), pclntab__nfuncs(t),
		       nm.n ? "" : " (stripped: skipped)", npcs, bad);
		assert_int_equal(bad, 0);
		check_wrappers(b, t, &nm);
		free_nm(&nm);
	next:
		pclntab__free(t);
		elf_file__free(ef);
	}
}

/* Zero e_shoff/e_shnum/e_shstrndx of a copy: the segment scan must find the same table. */
static void test_real_no_section_headers(void **state)
{
	size_t i;

	real_bins();
	for (i = 0; i < R.nbins; i++) {
		const struct real_bin *b = &R.bins[i];
		struct elf_file *ef1, *ef2;
		struct pclntab *t1, *t2;
		char copy[700];
		uint64_t *pcs;
		size_t n, k;
		int fd;

		snprintf(copy, sizeof(copy), "%s/noshdr", R.tmp);
		assert_int_equal(run("cp '%s' '%s'", b->path, copy), 0);
		fd = open(copy, O_RDWR);
		assert_true(fd >= 0);
		assert_int_equal(pwrite(fd, "\0\0\0\0\0\0\0\0", 8, 0x28), 8); /* e_shoff */
		assert_int_equal(pwrite(fd, "\0\0\0\0", 4, 0x3c), 4); /* e_shnum, e_shstrndx */
		close(fd);
		assert_int_equal(elf_file__open(b->path, &ef1), 0);
		assert_int_equal(elf_file__open(copy, &ef2), 0);
		assert_int_equal(elf_file__nsections(ef2), 0);
		assert_int_equal(pclntab__open(ef1, &t1), 0);
		assert_int_equal(pclntab__open(ef2, &t2), 0);
		assert_non_null(strstr(pclntab__origin(t2), "scan of segment"));
		assert_int_equal(pclntab__vaddr(t1), pclntab__vaddr(t2));
		assert_int_equal(pclntab__nfuncs(t1), pclntab__nfuncs(t2));
		assert_int_equal(pclntab__text_start(t1), pclntab__text_start(t2));
		assert_int_equal(pclntab__moduledata_vaddr(t1), pclntab__moduledata_vaddr(t2));
		assert_true(pclntab__has_moduledata(t2));
		n = sample_pcs(t1, &pcs);
		for (k = 0; k < n; k++) {
			struct pcln_frame a[16], c[16];
			int na = pclntab__symbolize(t1, pcs[k], a, 16), nc, j;

			nc = pclntab__symbolize(t2, pcs[k], c, 16);
			assert_int_equal(na, nc);
			for (j = 0; j < na && j < 16; j++) {
				assert_string_equal(a[j].func, c[j].func);
				assert_int_equal(a[j].line, c[j].line);
			}
		}
		printf("pclntab: %s without section headers: %s, %zu pcs identical\n", b->label,
		       pclntab__origin(t2), n);
		free(pcs);
		pclntab__free(t1);
		pclntab__free(t2);
		elf_file__free(ef1);
		elf_file__free(ef2);
	}
}
