// SPDX-License-Identifier: GPL-2.0
/*
 * go_buildinfo__read against the Go toolchain's own reader: every binary
 * here is also read by the newest toolchain's `go version -m`, and our
 * parse, printed the way cmd/go prints debug.BuildInfo (settings re-quoted
 * with Go's strconv.Quote rules), must equal that output byte for byte.
 * Fixtures are built at test time from tests/fixtures/parked with every
 * toolchain found (scripts/fetch-go.sh cache and the system go), and with
 * -ldflags/-gcflags holding spaces and quotes, -trimpath, -buildmode=pie.
 * Binaries without a blob come from copies with the magic erased (the
 * version oracle is then `go version -m` of the original) and from
 * GOTRACE_TEST_BINARIES (colon-separated; default: the npm esbuilds under
 * /tmp/npmt), where `strings` is the oracle when Go cannot read the file.
 * Malformed blobs are synthesized (tests/fuzz/synth_elf.h).
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
#include "../fuzz/synth_elf.h"

#include "base/err.h"
#include "goelf/buildinfo.h"
#include "goelf/elf.h"
#include "goelf/goversion.h"

struct outbuf {
	char *s;
	size_t len, cap;
};

static void out_add(struct outbuf *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void out_add(struct outbuf *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!o->s) {
		o->cap = 4096;
		o->s = calloc(1, o->cap);
		assert_non_null(o->s);
	}
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(o->s + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		assert_true(n >= 0);
		if (o->len + n < o->cap)
			break;
		o->cap = (o->cap + n + 1) * 2;
		o->s = realloc(o->s, o->cap);
		assert_non_null(o->s);
	}
	o->len += n;
}

/* Go's strconv.Quote for the ASCII and UTF-8 text build settings hold. */
static void out_quoted(struct outbuf *o, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	out_add(o, "\"");
	for (; *p; p++) {
		switch (*p) {
		case '"':
			out_add(o, "\\\"");
			break;
		case '\\':
			out_add(o, "\\\\");
			break;
		case '\n':
			out_add(o, "\\n");
			break;
		case '\t':
			out_add(o, "\\t");
			break;
		case '\r':
			out_add(o, "\\r");
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				out_add(o, "\\x%02x", *p);
			else
				out_add(o, "%c", *p);
		}
	}
	out_add(o, "\"");
}

/* runtime/debug quoteKey/quoteValue, restated from the Go documentation. */
static void out_setting(struct outbuf *o, const char *s, bool key)
{
	if ((key && !*s) || strpbrk(s, key ? "= \t\r\n\"`" : " \t\r\n\"`"))
		out_quoted(o, s);
	else
		out_add(o, "%s", s);
}

static void out_module(struct outbuf *o, const char *word, const struct go_module *m)
{
	out_add(o, "\t%s\t%s\t%s", word, m->path, m->version);
	/*
	 * debug.BuildInfo.String ends a replaced module with a second newline
	 * (formatMod recurses, then adds its own), which `go version -m`
	 * prints as a line holding only its tab indent.
	 */
	if (m->replace_path)
		out_add(o, "\n\t=>\t%s\t%s\t%s\n\t\n", m->replace_path, m->replace_version,
			m->replace_sum ? m->replace_sum : "");
	else
		out_add(o, "\t%s\n", m->sum ? m->sum : "");
}

/* Our parse printed as cmd/go/internal/version prints a debug.BuildInfo. */
static char *render(const char *file, const struct go_buildinfo *bi)
{
	struct outbuf o = {0};
	size_t i;

	out_add(&o, "%s: %s\n", file, bi->version);
	if (bi->path)
		out_add(&o, "\tpath\t%s\n", bi->path);
	if (bi->main.path)
		out_module(&o, "mod", &bi->main);
	for (i = 0; i < bi->ndeps; i++)
		out_module(&o, "dep", &bi->deps[i]);
	for (i = 0; i < bi->nsettings; i++) {
		out_add(&o, "\tbuild\t");
		out_setting(&o, bi->settings[i].key, true);
		out_add(&o, "=");
		out_setting(&o, bi->settings[i].value, false);
		out_add(&o, "\n");
	}
	return o.s;
}

static struct tu_go gos[TU_MAX_GOROOTS];
static int ngos;
static char *tmpdir;

static int setup(void **state)
{
	ngos = tu_find_gos(gos, TU_MAX_GOROOTS);
	tmpdir = tu_mkdtemp("buildinfo");
	return tmpdir ? 0 : -1;
}

static int teardown(void **state)
{
	tu_rmrf(tmpdir);
	free(tmpdir);
	return 0;
}

/* `go version -m` of the newest toolchain (older ones cannot read every newer binary). */
static char *oracle(const char *bin)
{
	char env[PATH_MAX + 128], cmd[3 * PATH_MAX], *out;
	int st;

	tu_go_env(&gos[0], env, sizeof(env));
	snprintf(cmd, sizeof(cmd), "%s '%s' version -m '%s' 2>/dev/null", env, gos[0].go, bin);
	out = tu_run(cmd, &st);
	if (out && st == 0 && strlen(out) > strlen(bin) + 2 && !strncmp(out, bin, strlen(bin)))
		return out;
	free(out);
	return NULL;
}

/* The version `go version -m` printed on its first line. */
static char *oracle_version(const char *out, const char *bin)
{
	const char *v = out + strlen(bin) + 2;

	return strndup(v, strcspn(v, "\n"));
}

static int read_file_bi(const char *path, struct go_buildinfo *bi)
{
	struct elf_file *ef;
	int err = elf_file__open(path, &ef);

	if (err) {
		print_message("open %s: %s\n", path, err_msg());
		return err;
	}
	err = go_buildinfo__read(ef, bi);
	elf_file__free(ef);
	return err;
}

/* The GOOS and GOARCH settings must be what `go env` of the building toolchain says. */
static void check_setting_lookup(const char *out, const struct go_buildinfo *bi)
{
	const char *goos = go_buildinfo__setting(bi, "GOOS");
	char line[256];

	if (!strstr(out, "\tbuild\tGOOS="))
		return; /* pre-1.18 binaries record no settings */
	assert_non_null(goos);
	snprintf(line, sizeof(line), "\tbuild\tGOOS=%s\n", goos);
	assert_non_null(strstr(out, line));
	assert_null(go_buildinfo__setting(bi, "no-such-setting"));
}

/*
 * Full comparison of our parse of bin with `go version -m orig` (bin is
 * orig or a copy Go cannot read itself); false when Go cannot read orig.
 */
static bool compare_with_go_as(const char *bin, const char *orig)
{
	struct go_buildinfo bi;
	char *out = oracle(orig), *ours;

	if (!out)
		return false;
	assert_int_equal(read_file_bi(bin, &bi), 0);
	assert_int_equal(bi.version_source, GOVER_BUILDINFO);
	ours = render(orig, &bi);
	if (strcmp(ours, out))
		print_message("go version -m:\n%s\ngotrace:\n%s\n", out, ours);
	assert_string_equal(ours, out);
	check_setting_lookup(out, &bi);
	print_message("ok %s: %s, %zu deps, %zu settings\n", bin, bi.version, bi.ndeps,
		      bi.nsettings);
	free(ours);
	free(out);
	go_buildinfo__clear(&bi);
	return true;
}

static bool compare_with_go(const char *bin)
{
	return compare_with_go_as(bin, bin);
}

/* A copy of bin with every buildinfo magic erased: no blob anywhere. */
static char *copy_without_magic(const char *bin, const char *suffix)
{
	char path[PATH_MAX];
	size_t len, i;
	uint8_t *b = tu_read_file(bin, &len);

	assert_non_null(b);
	for (i = 0; i + 14 <= len; i++)
		if (!memcmp(b + i, "\xff Go buildinf:", 14))
			memset(b + i, 0, 14);
	snprintf(path, sizeof(path), "%s/%s", tmpdir, suffix);
	assert_int_equal(tu_write_file(path, b, len), 0);
	free(b);
	return strdup(path);
}

/* A copy without section headers: the blob must be found by scanning segments. */
static char *copy_without_sections(const char *bin, const char *suffix)
{
	char path[PATH_MAX];
	size_t len;
	uint8_t *b = tu_read_file(bin, &len);
	Elf64_Ehdr eh;

	assert_non_null(b);
	memcpy(&eh, b, sizeof(eh));
	eh.e_shoff = 0;
	eh.e_shnum = 0;
	eh.e_shstrndx = 0;
	memcpy(b, &eh, sizeof(eh));
	snprintf(path, sizeof(path), "%s/%s", tmpdir, suffix);
	assert_int_equal(tu_write_file(path, b, len), 0);
	free(b);
	return strdup(path);
}

/* The blob-less copy still yields the version `go version -m` read from the original. */
static void check_fallback(const char *bin, const char *name)
{
	char *out = oracle(bin), *copy, *want;
	struct go_buildinfo bi;

	assert_non_null(out);
	want = oracle_version(out, bin);
	copy = copy_without_magic(bin, name);
	assert_int_equal(read_file_bi(copy, &bi), 0);
	assert_int_equal(bi.version_source, GOVER_BUILDVERSION);
	assert_string_equal(bi.version, want);
	assert_false(bi.has_modinfo);
	print_message("ok %s without blob: %s from %s\n", bin, bi.version,
		      go_version_source_name(bi.version_source));
	go_buildinfo__clear(&bi);
	free(copy);
	free(want);
	free(out);
}

static void build_and_compare(const struct tu_go *g, const char *tag, const char *flags)
{
	char bin[PATH_MAX], name[64], *nosec;

	snprintf(bin, sizeof(bin), "%s/parked-1.%d-%s", tmpdir, g->minor, tag);
	if (tu_build_fixture(g, flags, bin)) {
		fail_msg("go1.%d build %s of the fixture failed", g->minor, flags);
		return;
	}
	assert_true(compare_with_go(bin));
	snprintf(name, sizeof(name), "nomagic-1.%d-%s", g->minor, tag);
	check_fallback(bin, name);
	snprintf(name, sizeof(name), "nosec-1.%d-%s", g->minor, tag);
	nosec = copy_without_sections(bin, name);
	/* Go reads the blob only through the section: compare with the original's output. */
	assert_true(compare_with_go_as(nosec, bin));
	free(nosec);
}

static void test_fixture_every_toolchain(void **state)
{
	int i;

	if (!ngos) {
		print_message(
			"SKIP: no Go toolchain found (scripts/fetch-go.sh, or a system go)\n");
		skip();
	}
	for (i = 0; i < ngos; i++)
		build_and_compare(&gos[i], "default", "");
}

static void test_fixture_build_flags(void **state)
{
	static const struct {
		const char *tag, *flags;
	} variants[] = {
		/* -ldflags is only recorded without -trimpath (it may hold paths). */
		{"sw", "-ldflags='-s -w'"},
		{"quoted", "-ldflags='-s -w -X main.unused=a\"b`c' -gcflags='all=-N -l'"},
		{"trimpath", "-trimpath"},
		{"pie", "-buildmode=pie"},
		{"pie-sw-trim", "-buildmode=pie -trimpath -ldflags='-s -w'"},
	};
	size_t i;

	if (!ngos) {
		print_message(
			"SKIP: no Go toolchain found (scripts/fetch-go.sh, or a system go)\n");
		skip();
	}
	for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
		build_and_compare(&gos[0], variants[i].tag, variants[i].flags);
}

static void write_in(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(tu_write_file(path, text, strlen(text)), 0);
}

/*
 * A module with dependencies replaced by local directories, so the real
 * toolchain writes dep and "=>" lines; built offline, outside any VCS.
 */
static void test_module_with_replacements(void **state)
{
	char dir[PATH_MAX], bin[PATH_MAX], cmd[4 * PATH_MAX], env[PATH_MAX + 128];
	int i;

	if (!ngos) {
		print_message(
			"SKIP: no Go toolchain found (scripts/fetch-go.sh, or a system go)\n");
		skip();
	}
	snprintf(dir, sizeof(dir), "%s/withdeps", tmpdir);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/dep' '%s/dep2'", dir, dir);
	assert_int_equal(tu_system(cmd), 0);
	write_in(dir, "go.mod",
		 "module example.com/withdeps\n\ngo 1.17\n\n"
		 "require (\n\texample.com/dep v1.2.3\n\texample.com/dep2 v0.1.0\n)\n\n"
		 "replace example.com/dep => ./dep\n"
		 "replace example.com/dep2 v0.1.0 => ./dep2\n");
	write_in(dir, "main.go",
		 "package main\n\nimport (\n\t\"example.com/dep\"\n\t\"example.com/dep2\"\n)\n\n"
		 "func main() { println(dep.X + dep2.Y) }\n");
	write_in(dir, "dep/go.mod", "module example.com/dep\n\ngo 1.17\n");
	write_in(dir, "dep/dep.go", "package dep\n\nvar X = 1\n");
	write_in(dir, "dep2/go.mod", "module example.com/dep2\n\ngo 1.17\n");
	write_in(dir, "dep2/dep2.go", "package dep2\n\nvar Y = 2\n");
	for (i = 0; i<ngos; i += ngos> 1 ? ngos - 1 : 1) { /* newest and oldest */
		snprintf(bin, sizeof(bin), "%s/withdeps-1.%d", tmpdir, gos[i].minor);
		tu_go_env(&gos[i], env, sizeof(env));
		snprintf(cmd, sizeof(cmd), "cd '%s' && %s '%s' build -o '%s' . >&2", dir, env,
			 gos[i].go, bin);
		assert_int_equal(tu_system(cmd), 0);
		assert_true(compare_with_go(bin));
	}
}

/* The one go1.N[.P] string `strings` finds, or NULL when it finds none or several. */
static char *strings_version(const char *bin)
{
	char cmd[PATH_MAX + 128], *out, *nl;
	int st;

	snprintf(cmd, sizeof(cmd),
		 "strings -n 4 '%s' | grep -E '^go1\\.[0-9]+(\\.[0-9]+)?((rc|beta)[0-9]+)?$' | "
		 "sort -u",
		 bin);
	out = tu_run(cmd, &st);
	if (!out || !*out || ((nl = strchr(out, '\n')) && nl[1])) {
		free(out);
		return NULL;
	}
	*strchr(out, '\n') = '\0';
	return out;
}

/* false when there is no oracle for bin. */
static bool check_extra_binary(const char *bin)
{
	struct go_buildinfo bi;
	char *want;

	if (compare_with_go(bin))
		return true;
	/* Go cannot read it (no blob): the version is the one string `strings` sees. */
	want = strings_version(bin);
	if (!want) {
		print_message("SKIP %s: neither `go version -m` nor `strings` gives a version\n",
			      bin);
		return false;
	}
	assert_int_equal(read_file_bi(bin, &bi), 0);
	assert_string_equal(bi.version, want);
	assert_int_equal(bi.version_source, GOVER_BUILDVERSION);
	print_message("ok %s: %s from %s (strings says %s)\n", bin, bi.version,
		      go_version_source_name(bi.version_source), want);
	go_buildinfo__clear(&bi);
	free(want);
	return true;
}

static void test_extra_binaries(void **state)
{
	const char *env = getenv("GOTRACE_TEST_BINARIES");
	glob_t g = {0};
	char *list, *tok, *save = NULL;
	size_t i, n = 0;

	if (!ngos) {
		print_message("SKIP: no Go toolchain to compare with\n");
		skip();
	}
	if (env) {
		list = strdup(env);
		for (tok = strtok_r(list, ":", &save); tok; tok = strtok_r(NULL, ":", &save))
			n += check_extra_binary(tok);
		free(list);
	} else if (!glob("/tmp/npmt/*/package/bin/esbuild", 0, NULL, &g)) {
		for (i = 0; i < g.gl_pathc; i++)
			n += check_extra_binary(g.gl_pathv[i]);
		globfree(&g);
	}
	if (!n) {
		print_message("SKIP: no extra binaries with an oracle (set "
			      "GOTRACE_TEST_BINARIES=path:path)\n");
		skip();
	}
}

/* A C program: ELF, not Go. */
static void test_not_go(void **state)
{
	char src[PATH_MAX], bin[PATH_MAX], cmd[3 * PATH_MAX];
	struct go_buildinfo bi;

	snprintf(src, sizeof(src), "%s/c.c", tmpdir);
	snprintf(bin, sizeof(bin), "%s/c", tmpdir);
	assert_int_equal(tu_write_file(src, "int main(void){return 0;}\n", 26), 0);
	snprintf(cmd, sizeof(cmd), "cc -O1 -o '%s' '%s'", bin, src);
	if (tu_system(cmd)) {
		print_message("SKIP: no C compiler\n");
		skip();
	}
	assert_int_equal(read_file_bi(bin, &bi), -GT_ENOTGO);
	assert_null(bi.version);
	assert_int_equal(bi.version_source, GOVER_NONE);
}

/* ---- synthesized blobs ---- */

static const uint8_t info_start[16] = {0x30, 0x77, 0xaf, 0x0c, 0x92, 0x74, 0x08, 0x02,
				       0x41, 0xe1, 0xc1, 0x07, 0xe6, 0xd6, 0x18, 0xe6};
static const uint8_t info_end[16] = {0xf9, 0x32, 0x43, 0x31, 0x86, 0x18, 0x20, 0x72,
				     0x00, 0x82, 0x42, 0x10, 0x41, 0x16, 0xd8, 0xf2};

struct blob {
	uint8_t b[8192];
	size_t len;
};

static void blob_bytes(struct blob *bl, const void *p, size_t n)
{
	assert_true(bl->len + n <= sizeof(bl->b));
	memcpy(bl->b + bl->len, p, n);
	bl->len += n;
}

static void blob_uvarint(struct blob *bl, uint64_t v)
{
	uint8_t c;

	do {
		c = (v & 0x7f) | (v > 0x7f ? 0x80 : 0);
		blob_bytes(bl, &c, 1);
		v >>= 7;
	} while (v);
}

static void blob_header(struct blob *bl, uint8_t ptrsize, uint8_t flags)
{
	bl->len = 0;
	blob_bytes(bl, "\xff Go buildinf:", 14);
	blob_bytes(bl, &ptrsize, 1);
	blob_bytes(bl, &flags, 1);
	blob_bytes(bl, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
}

/* A 1.18+ inline blob; framed=false leaves the module text without sentinels. */
static void blob_inline(struct blob *bl, const char *version, const char *mod, bool framed)
{
	size_t mlen = strlen(mod);

	blob_header(bl, 8, 2);
	blob_uvarint(bl, strlen(version));
	blob_bytes(bl, version, strlen(version));
	if (!mlen) {
		blob_uvarint(bl, 0);
		return;
	}
	blob_uvarint(bl, mlen + (framed ? 32 : 0));
	if (framed)
		blob_bytes(bl, info_start, 16);
	blob_bytes(bl, mod, mlen);
	if (framed)
		blob_bytes(bl, info_end, 16);
}

static int read_synth(const struct synth_spec *sp, struct go_buildinfo *bi)
{
	struct elf_file *ef;
	size_t len;
	uint8_t *img = synth_elf(sp, &len);
	int err;

	assert_non_null(img);
	err_clear();
	assert_int_equal(elf_file__open_mem(img, len, &ef), 0);
	err = go_buildinfo__read(ef, bi);
	elf_file__free(ef);
	free(img);
	return err;
}

static int read_blob(const struct blob *bl, bool sections, struct go_buildinfo *bi)
{
	struct synth_spec sp = {.data = bl->b,
				.data_len = bl->len,
				.sections = sections,
				.data_sec_name = ".go.buildinfo",
				.data_sec_len = bl->len};

	return read_synth(&sp, bi);
}

static void expect_format_error(const struct blob *bl, const char *what)
{
	struct go_buildinfo bi;

	assert_int_equal(read_blob(bl, true, &bi), -GT_EFORMAT);
	print_message("EFORMAT as expected (%s): %s\n", what, err_msg());
	assert_true(strlen(err_msg()) > 0);
	assert_null(bi.version);
	assert_int_equal(bi.ndeps, 0);
}

static const char *const good_mod = "path\texample.com/cmd/x\n"
				    "mod\texample.com\t(devel)\t\n"
				    "dep\tgolang.org/x/sys\tv0.1.0\th1:abc=\n"
				    "dep\tgithub.com/a/b\tv1.2.3\n"
				    "=>\t../b\t\t\n"
				    "dep\tgithub.com/c/d\tv0.0.1\n"
				    "=>\tgithub.com/e/d\tv0.0.2\th1:xyz=\n"
				    "future\tline a newer toolchain may add\n"
				    "build\t-compiler=gc\n"
				    "build\t-ldflags=\"-s -w -X \\\"main.v=1 2\\\"\"\n"
				    "build\t-gcflags=`all=-N -l`\n"
				    "build\t\"odd key=\"=\"\\x41\\u00e9\\101\"\n"
				    "build\tCGO_CFLAGS=\n"
				    "build\tGOOS=linux\n";

/* Expected values restate Go's documented syntax; they are not gotrace output. */
static void check_good_mod(const struct go_buildinfo *bi)
{
	assert_string_equal(bi->path, "example.com/cmd/x");
	assert_string_equal(bi->main.path, "example.com");
	assert_string_equal(bi->main.version, "(devel)");
	assert_null(bi->main.sum);
	assert_int_equal(bi->ndeps, 3);
	assert_string_equal(bi->deps[0].sum, "h1:abc=");
	assert_null(bi->deps[0].replace_path);
	assert_null(bi->deps[1].sum);
	assert_string_equal(bi->deps[1].replace_path, "../b");
	assert_string_equal(bi->deps[1].replace_version, "");
	assert_null(bi->deps[1].replace_sum);
	assert_string_equal(bi->deps[2].replace_path, "github.com/e/d");
	assert_string_equal(bi->deps[2].replace_version, "v0.0.2");
	assert_string_equal(bi->deps[2].replace_sum, "h1:xyz=");
	assert_int_equal(bi->nsettings, 6);
	assert_string_equal(go_buildinfo__setting(bi, "-ldflags"), "-s -w -X \"main.v=1 2\"");
	assert_string_equal(go_buildinfo__setting(bi, "-gcflags"), "all=-N -l");
	assert_string_equal(go_buildinfo__setting(bi, "odd key="), "A\xc3\xa9"
								   "A");
	assert_string_equal(go_buildinfo__setting(bi, "CGO_CFLAGS"), "");
	assert_string_equal(go_buildinfo__setting(bi, "GOOS"), "linux");
}

static void test_synth_inline(void **state)
{
	struct go_buildinfo bi;
	struct blob bl;

	blob_inline(&bl, "go1.22.0 X:boringcrypto", good_mod, true);
	assert_int_equal(read_blob(&bl, true, &bi), 0);
	assert_string_equal(bi.version, "go1.22.0 X:boringcrypto");
	assert_int_equal(bi.version_source, GOVER_BUILDINFO);
	assert_int_equal(bi.ptrsize, 8);
	assert_true(bi.has_modinfo);
	check_good_mod(&bi);
	go_buildinfo__clear(&bi);
	/* No section headers: found by scanning the writable segment. */
	assert_int_equal(read_blob(&bl, false, &bi), 0);
	check_good_mod(&bi);
	go_buildinfo__clear(&bi);
	/* GOPATH-mode build: no module info at all. */
	blob_inline(&bl, "go1.20", "", true);
	assert_int_equal(read_blob(&bl, true, &bi), 0);
	assert_string_equal(bi.version, "go1.20");
	assert_false(bi.has_modinfo);
	assert_null(bi.path);
	go_buildinfo__clear(&bi);
	go_buildinfo__clear(NULL);
}

/*
 * The pre-1.18 form: the blob points at two Go string headers in data,
 * whose bytes are in the read-only segment.
 */
static void build_pointer_blob(struct blob *bl, uint8_t *ro, size_t *rolen, uint64_t vers_ptr,
			       const char *mod)
{
	uint64_t hdr[4], p;

	blob_header(bl, 8, 0);
	*rolen = 0;
	memcpy(ro, "go1.16.3", 8);
	*rolen = 8;
	memcpy(ro + *rolen, info_start, 16);
	memcpy(ro + *rolen + 16, mod, strlen(mod));
	memcpy(ro + *rolen + 16 + strlen(mod), info_end, 16);
	hdr[0] = vers_ptr;
	hdr[1] = 8;
	hdr[2] = SYNTH_RO_VADDR + 8;
	hdr[3] = strlen(mod) + 32;
	*rolen += strlen(mod) + 32;
	p = SYNTH_DATA_VADDR + 32; /* the headers follow the 32-byte blob header */
	memcpy(bl->b + 16, &p, 8);
	p += 16;
	memcpy(bl->b + 24, &p, 8);
	blob_bytes(bl, hdr, sizeof(hdr));
}

static void test_synth_pointer_form(void **state)
{
	static const char mod[] = "path\tx\nmod\tx\t(devel)\t\ndep\ty\tv1.0.0\th1:q=\n";
	struct go_buildinfo bi;
	struct blob bl;
	uint8_t ro[256];
	struct synth_spec sp = {.ro = ro, .sections = true, .data_sec_name = ".go.buildinfo"};

	build_pointer_blob(&bl, ro, &sp.ro_len, SYNTH_RO_VADDR, mod);
	sp.data = bl.b;
	sp.data_len = sp.data_sec_len = bl.len;
	assert_int_equal(read_synth(&sp, &bi), 0);
	assert_string_equal(bi.version, "go1.16.3");
	assert_string_equal(bi.path, "x");
	assert_int_equal(bi.ndeps, 1);
	assert_string_equal(bi.deps[0].path, "y");
	go_buildinfo__clear(&bi);

	/* Pointer out of range. */
	build_pointer_blob(&bl, ro, &sp.ro_len, SYNTH_RO_VADDR + 0x100000, mod);
	assert_int_equal(read_synth(&sp, &bi), -GT_EFORMAT);
	print_message("EFORMAT as expected (pointer out of range): %s\n", err_msg());

	/* Header pointer itself out of range. */
	build_pointer_blob(&bl, ro, &sp.ro_len, SYNTH_RO_VADDR, mod);
	memset(bl.b + 16, 0xff, 8);
	assert_int_equal(read_synth(&sp, &bi), -GT_EFORMAT);
	print_message("EFORMAT as expected (header pointer out of range): %s\n", err_msg());

	/* Big-endian flag: inconsistent with a little-endian ELF. */
	build_pointer_blob(&bl, ro, &sp.ro_len, SYNTH_RO_VADDR, mod);
	bl.b[15] = 1;
	assert_int_equal(read_synth(&sp, &bi), -GT_EFORMAT);

	/* Unknown pointer size. */
	build_pointer_blob(&bl, ro, &sp.ro_len, SYNTH_RO_VADDR, mod);
	bl.b[14] = 3;
	assert_int_equal(read_synth(&sp, &bi), -GT_EFORMAT);
}

static void test_synth_malformed(void **state)
{
	struct blob bl;
	size_t i;
	static const char *const bad_mods[] = {
		"mod\tonly-one-column\n",
		"dep\ta\tb\tc\td\n",
		"=>\tx\ty\tz\n",
		"mod\ta\tb\n=>\tx\ty\n",
		"build\tkey with space=v\n",
		"build\tk=unquoted value\n",
		"build\tk=\"bad \\q escape\"\n",
		"build\tk=\"unterminated\n",
		"build\t=v\n",
		"build\tnoequals\n",
		"build\t\n",
		"build\t\"k\"v\n",
		"build\tk=\"nul \\x00 byte\"\n",
		"build\tk=\"\\ud800\"\n",
	};

	/* Truncated header: 20 bytes of a 32-byte header at the end of the segment. */
	blob_header(&bl, 8, 2);
	bl.len = 20;
	expect_format_error(&bl, "truncated header");

	/* Huge varint length. */
	blob_header(&bl, 8, 2);
	blob_uvarint(&bl, UINT64_C(1) << 40);
	blob_bytes(&bl, "go1.21.0", 8);
	expect_format_error(&bl, "huge length");

	/* A varint of more than 64 bits. */
	blob_header(&bl, 8, 2);
	blob_bytes(&bl, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11);
	expect_format_error(&bl, "varint overflow");

	/* Varint cut by the end of the segment. */
	blob_header(&bl, 8, 2);
	blob_bytes(&bl, "\x80\x80", 2);
	expect_format_error(&bl, "truncated varint");

	/* Empty version. */
	blob_inline(&bl, "", "", true);
	expect_format_error(&bl, "empty version");

	/* Module info without its sentinels (unterminated). */
	blob_inline(&bl, "go1.21.0", "path\tx\nmod\tx\t(devel)\t\n0123456789abcdef0123456789",
		    false);
	expect_format_error(&bl, "unframed modinfo");

	/* Module info cut short: the end sentinel's last bytes are missing. */
	blob_inline(&bl, "go1.21.0", "path\tx\n", true);
	bl.b[32 + 1 + 8] -= 4; /* the module-info length byte */
	bl.len -= 4;
	expect_format_error(&bl, "modinfo cut");

	for (i = 0; i < sizeof(bad_mods) / sizeof(bad_mods[0]); i++) {
		blob_inline(&bl, "go1.21.0", bad_mods[i], true);
		expect_format_error(&bl, bad_mods[i]);
		assert_non_null(strstr(err_msg(), "line"));
	}
}

/* Without a blob: a {ptr, len} header in data, a bare string, or nothing. */
static void test_synth_buildversion(void **state)
{
	static const char ro[] = "xx_go1.26.go\0go1.9beta2\0\0\0\0\0\0"
				 "go1.26.5go1.27abc";
	uint64_t data[6] = {0};
	struct synth_spec sp = {.data = data,
				.data_len = sizeof(data),
				.ro = ro,
				.ro_len = sizeof(ro) - 1,
				.sections = true};
	struct go_buildinfo bi;

	/* go1.26.5 runs into its neighbour, as Go string bytes do: only a header says where it
	 * ends. */
	data[2] = SYNTH_RO_VADDR + 29;
	data[3] = 8;
	assert_int_equal(read_synth(&sp, &bi), 0);
	assert_string_equal(bi.version, "go1.26.5");
	assert_int_equal(bi.version_source, GOVER_BUILDVERSION);
	go_buildinfo__clear(&bi);

	/* A header to a language version ("go1.27", as in go.mod) loses to a release name. */
	data[4] = SYNTH_RO_VADDR + 37;
	data[5] = 6;
	assert_int_equal(read_synth(&sp, &bi), 0);
	assert_string_equal(bi.version, "go1.26.5");
	go_buildinfo__clear(&bi);

	/* No header: the bare NUL-terminated go1.9beta2; "xx_go1.26.go" is no version. */
	memset(data, 0, sizeof(data));
	assert_int_equal(read_synth(&sp, &bi), 0);
	assert_string_equal(bi.version, "go1.9beta2");
	assert_int_equal(bi.version_source, GOVER_VERSION_STRING);
	go_buildinfo__clear(&bi);

	/*
	 * .symtab's runtime.buildVersion names its header: it wins over a
	 * newer-looking header elsewhere that the data scan would prefer.
	 */
	{
		const struct synth_sym sym = {"runtime.buildVersion", SYNTH_DATA_VADDR + 16, 16,
					      STT_OBJECT};

		data[0] = SYNTH_RO_VADDR + 29;
		data[1] = 8;
		data[2] = SYNTH_RO_VADDR + 13;
		data[3] = 10;
		sp.syms = &sym;
		sp.nsyms = 1;
		assert_int_equal(read_synth(&sp, &bi), 0);
		assert_string_equal(bi.version, "go1.9beta2");
		assert_int_equal(bi.version_source, GOVER_BUILDVERSION);
		go_buildinfo__clear(&bi);
		sp.syms = NULL;
		sp.nsyms = 0;
	}

	/* Nothing at all. */
	sp.ro = "no version here";
	sp.ro_len = 15;
	assert_int_equal(read_synth(&sp, &bi), -GT_ENOTGO);
	print_message("ENOTGO as expected: %s\n", err_msg());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_synth_inline),
		cmocka_unit_test(test_synth_pointer_form),
		cmocka_unit_test(test_synth_malformed),
		cmocka_unit_test(test_synth_buildversion),
		cmocka_unit_test(test_not_go),
		cmocka_unit_test(test_fixture_every_toolchain),
		cmocka_unit_test(test_fixture_build_flags),
		cmocka_unit_test(test_module_with_replacements),
		cmocka_unit_test(test_extra_binaries),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
