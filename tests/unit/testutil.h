/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_TESTS_TESTUTIL_H
#define GOTRACE_TESTS_TESTUTIL_H

/*
 * Helpers for unit tests that compare gotrace against external oracles
 * (the Go toolchain, readelf): run a command, find toolchains, build the
 * parked fixture. Everything here is static inline so each test binary
 * takes only what it uses.
 */

#include <dirent.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define TU_MAX_GOROOTS 16

/* A toolchain: GOROOT ("" for the system go that finds its own) and its go binary. */
struct tu_go {
	char root[PATH_MAX];
	char go[PATH_MAX];
	int minor; /* 1.NN from the directory name, or from `go env GOVERSION` for the system one */
};

/* stdout of a shell command, malloc'd, NUL-terminated; *status = exit code (-1 on failure). */
static inline char *tu_run(const char *cmd, int *status)
{
	FILE *f = popen(cmd, "r");
	size_t len = 0, cap = 4096, n;
	char *buf = malloc(cap);
	int st;

	*status = -1;
	if (!f || !buf) {
		if (f)
			pclose(f);
		free(buf);
		return NULL;
	}
	while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len < 2) {
			char *nb = realloc(buf, cap * 2);

			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
	}
	buf[len] = '\0';
	st = pclose(f);
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return buf;
}

static inline int tu_system(const char *cmd)
{
	int st = system(cmd);

	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static inline bool tu_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* The repository root: two levels above build/tests/<test>, else the cwd. */
static inline const char *tu_repo_root(void)
{
	static char root[PATH_MAX];
	char exe[PATH_MAX], probe[PATH_MAX + 64];
	ssize_t n;

	if (root[0])
		return root;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		if (strrchr(exe, '/'))
			*strrchr(exe, '/') = '\0';
		snprintf(probe, sizeof(probe), "%s/../..", exe);
		if (realpath(probe, root)) {
			snprintf(probe, sizeof(probe), "%s/tests/fixtures/parked/main.go", root);
			if (tu_exists(probe))
				return root;
		}
	}
	if (!getcwd(root, sizeof(root)))
		strcpy(root, ".");
	return root;
}

/*
 * Go toolchains, newest first: $GOTRACE_CACHE/go/1.NN/usr/lib/go-1.NN
 * (scripts/fetch-go.sh), then the system `go`. Returns how many.
 */
static inline int tu_find_gos(struct tu_go *gos, int max)
{
	const char *cache = getenv("GOTRACE_CACHE"), *home = getenv("HOME");
	char dir[PATH_MAX], *out;
	int n = 0, minor, st;

	if (!cache) {
		snprintf(dir, sizeof(dir), "%s/.cache/gotrace", home ? home : "/root");
		cache = dir;
	}
	for (minor = 60; minor >= 10 && n < max; minor--) {
		struct tu_go *g = &gos[n];

		snprintf(g->root, sizeof(g->root), "%s/go/1.%d/usr/lib/go-1.%d", cache, minor,
			 minor);
		snprintf(g->go, sizeof(g->go), "%s/bin/go", g->root);
		g->minor = minor;
		if (access(g->go, X_OK) == 0)
			n++;
	}
	out = tu_run("command -v go 2>/dev/null", &st);
	if (out && st == 0 && n < max) {
		struct tu_go *g = &gos[n];
		char cmd[PATH_MAX + 64], *ver;

		out[strcspn(out, "\n")] = '\0';
		g->root[0] = '\0';
		snprintf(g->go, sizeof(g->go), "%s", out);
		snprintf(cmd, sizeof(cmd), "GOTOOLCHAIN=local '%s' env GOVERSION 2>/dev/null",
			 g->go);
		ver = tu_run(cmd, &st);
		if (ver && sscanf(ver, "go1.%d", &g->minor) == 1)
			n++;
		free(ver);
	}
	free(out);
	return n;
}

/* The environment prefix that runs a toolchain offline and as itself. */
static inline void tu_go_env(const struct tu_go *g, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off GO111MODULE=on",
		 g->root[0] ? "GOROOT='" : "", g->root, g->root[0] ? "'" : "");
}

/* Builds tests/fixtures/parked with g and extra flags (shell words) into out. 0 on success. */
static inline int tu_build_fixture(const struct tu_go *g, const char *flags, const char *out)
{
	char env[PATH_MAX + 128], cmd[4 * PATH_MAX];

	tu_go_env(g, env, sizeof(env));
	snprintf(cmd, sizeof(cmd),
		 "cd '%s/tests/fixtures/parked' && %s '%s' build %s -o '%s' . >&2", tu_repo_root(),
		 env, g->go, flags, out);
	return tu_system(cmd);
}

/*
 * readelf's view of every struct type: "S name size" then "M member offset"
 * lines, reduced by awk from `readelf --debug-dump=info` (binutils' own
 * DWARF reader; declarations have no byte size and are left out). NULL when
 * readelf fails.
 */
static inline char *tu_readelf_structs(const char *bin)
{
	static const char awk[] =
		"readelf --debug-dump=info '%s' 2>/dev/null | awk '"
		"/: Abbrev Number: [0-9]+ \\(DW_TAG_/ { split($1, a, \"[<>]\"); d = a[2] + 0;"
		"  if (ins && d <= sd) ins = 0; tag = $NF; cand = 0; mem = \"\"; next }"
		"/DW_AT_name +:/ { n = $NF;"
		"  if (tag == \"(DW_TAG_structure_type)\" && !ins) { sn = n; sd = d; cand = 1 }"
		"  if (tag == \"(DW_TAG_member)\" && ins && d == sd + 1) mem = n; next }"
		"/DW_AT_byte_size +:/ { if (cand) { print \"S\", sn, $NF; ins = 1; cand = 0 } next "
		"}"
		"/DW_AT_data_member_location:/ { if (mem != \"\") print \"M\", mem, $NF }'";
	char cmd[PATH_MAX + sizeof(awk)];
	char *out;
	int st;

	snprintf(cmd, sizeof(cmd), awk, bin);
	out = tu_run(cmd, &st);
	if (out && st) {
		free(out);
		out = NULL;
	}
	return out;
}

/* Offset of member in the first definition of struct type in dump; -1 absent, -2 no struct. */
static inline long tu_readelf_member(const char *dump, const char *type, const char *member)
{
	char want[256], name[256];
	const char *p;
	long off;

	snprintf(want, sizeof(want), "S %s ", type);
	for (p = dump; p && strncmp(p, want, strlen(want)); p = strchr(p, '\n'), p = p ? p + 1 : p)
		;
	if (!p)
		return -2;
	for (p = strchr(p, '\n'); p && p[1] == 'M'; p = strchr(p + 1, '\n'))
		if (sscanf(p + 1, "M %255s %ld", name, &off) == 2 && !strcmp(name, member))
			return off;
	return -1;
}

/* `go tool nm -size` of toolchain g: address (and size) of a symbol; 0 when absent. */
static inline uint64_t tu_nm_symbol(const struct tu_go *g, const char *bin, const char *name,
				    uint64_t *size)
{
	char env[PATH_MAX + 128], cmd[3 * PATH_MAX], *out;
	unsigned long long a = 0, s = 0;
	int st;

	tu_go_env(g, env, sizeof(env));
	snprintf(cmd, sizeof(cmd), "%s '%s' tool nm -size '%s' | awk '$4 == \"%s\" {print $1, $2}'",
		 env, g->go, bin, name);
	out = tu_run(cmd, &st);
	if (!out || sscanf(out, "%llx %llu", &a, &s) != 2)
		a = s = 0;
	free(out);
	if (size)
		*size = s;
	return a;
}

/* readelf's address of a section; 0 when absent. */
static inline uint64_t tu_section_addr(const char *bin, const char *name)
{
	char cmd[PATH_MAX + 128], *out;
	unsigned long long a = 0;
	int st;

	snprintf(cmd, sizeof(cmd), "readelf -W -S '%s' | awk '$2 == \"%s\" {print $4}'", bin, name);
	out = tu_run(cmd, &st);
	if (!out || sscanf(out, "%llx", &a) != 1)
		a = 0;
	free(out);
	return a;
}

/* The name of readelf's allocated section that holds vaddr; "" when none. */
static inline void tu_section_of(const char *bin, uint64_t vaddr, char *name, size_t len)
{
	char cmd[PATH_MAX + 128], sec[128], type[64], *out, *line;
	unsigned long long addr, off, size;
	int st;

	name[0] = '\0';
	snprintf(cmd, sizeof(cmd), "readelf -W -S '%s' | sed -n 's/^ *\\[ *[0-9]*\\] //p'", bin);
	out = tu_run(cmd, &st);
	for (line = out; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
		if (sscanf(line, "%127s %63s %llx %llx %llx", sec, type, &addr, &off, &size) == 5 &&
		    addr && vaddr >= addr && vaddr < addr + size) {
			snprintf(name, len, "%s", sec);
			break;
		}
	free(out);
}

/* A fresh directory under $TMPDIR; the caller removes it with tu_rmrf. */
static inline char *tu_mkdtemp(const char *tag)
{
	const char *tmp = getenv("TMPDIR");
	char tmpl[PATH_MAX];

	snprintf(tmpl, sizeof(tmpl), "%s/gotrace-%s-XXXXXX", tmp ? tmp : "/tmp", tag);
	return mkdtemp(tmpl) ? strdup(tmpl) : NULL;
}

static inline void tu_rmrf(const char *dir)
{
	char cmd[PATH_MAX + 16];

	if (!dir || strncmp(dir, "/", 1))
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	tu_system(cmd);
}

/* Reads a whole file; *len its size. */
static inline uint8_t *tu_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc(n ? n : 1);
		if (buf && fread(buf, 1, n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = n;
	}
	fclose(f);
	return buf;
}

static inline int tu_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ok;

	if (!f)
		return -1;
	ok = fwrite(data, 1, len, f) == len;
	return fclose(f) == 0 && ok ? 0 : -1;
}

#endif
