// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "base/num.h"
#include "proc/memcg.h"
#include "proc/procfs.h"

/*
 * v1 prints PAGE_COUNTER_MAX * PAGE_SIZE for "no limit" (9223372036854771712
 * with 4 KiB pages, a little less than INT64_MAX with bigger pages): anything
 * from 2^62 up is no limit on any page size.
 */
#define V1_NO_LIMIT_MIN (1ULL << 62)

static void chomp(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
}

int memcg__parse_limit(const char *text, uint64_t *out)
{
	char buf[64];
	uint64_t v;
	int err;

	snprintf(buf, sizeof(buf), "%s", text);
	chomp(buf);
	if (!strcmp(buf, "max")) {
		*out = MEMCG_NO_LIMIT;
		return 0;
	}
	err = num_parse_u64(buf, 0, UINT64_MAX, &v);
	if (err)
		return err_fail(GT_EFORMAT, "memory limit '%.32s' is not a number", buf);
	*out = v >= V1_NO_LIMIT_MIN ? MEMCG_NO_LIMIT : v;
	return 0;
}

/* One cgroup file; -ENOENT when absent. */
static int read_small(const char *dir, const char *name, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

static int read_u64(const char *dir, const char *name, uint64_t *out)
{
	char buf[64];
	int err = read_small(dir, name, buf, sizeof(buf));

	if (err)
		return err;
	return memcg__parse_limit(buf, out);
}

/* "key value" lines; unknown keys are skipped (new kernels add some). */
int memcg__parse_events(const char *text, struct memcg_state *st)
{
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
		{"high", offsetof(struct memcg_state, ev_high)},
		{"max", offsetof(struct memcg_state, ev_max)},
		{"oom", offsetof(struct memcg_state, ev_oom)},
		{"oom_kill", offsetof(struct memcg_state, ev_oom_kill)},
	};
	char key[32], val[32];
	const char *p = text;
	int n;

	while (sscanf(p, "%31s %31s%n", key, val, &n) == 2) {
		uint64_t v;

		p += n;
		if (num_parse_u64(val, 0, UINT64_MAX, &v))
			return err_fail(GT_EFORMAT, "memory event '%s' has a bad count", key);
		if (!strcmp(key, "under_oom"))
			st->under_oom = v != 0;
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (!strcmp(key, keys[i].key))
				*(uint64_t *)((char *)st + keys[i].off) = v;
	}
	st->have_events = true;
	return 0;
}

static void read_rest(const char *dir, int version, struct memcg_state *st)
{
	char buf[1024];

	if (version == 1) {
		read_u64(dir, "memory.max_usage_in_bytes", &st->peak_bytes);
		read_u64(dir, "memory.failcnt", &st->failcnt);
		if (!read_small(dir, "memory.oom_control", buf, sizeof(buf)))
			memcg__parse_events(buf, st);
		return;
	}
	read_u64(dir, "memory.high", &st->high_bytes);
	if (read_u64(dir, "memory.peak", &st->peak_bytes))
		st->peak_bytes = 0;
	if (!read_small(dir, "memory.events", buf, sizeof(buf)))
		memcg__parse_events(buf, st);
}

int memcg_state__read(const char *dir, int version, enum memcg_read what, struct memcg_state *out)
{
	int err;

	memset(out, 0, sizeof(*out));
	out->version = version;
	out->limit_bytes = out->high_bytes = MEMCG_NO_LIMIT;
	err = read_u64(dir, version == 1 ? "memory.usage_in_bytes" : "memory.current",
		       &out->usage_bytes);
	if (err)
		return err == -ENOENT ? err_fail(ENOENT, "cgroup %s is gone", dir) : err;
	if (what == MEMCG_READ_USAGE)
		return 0;
	err = read_u64(dir, version == 1 ? "memory.limit_in_bytes" : "memory.max",
		       &out->limit_bytes);
	if (err)
		return err;
	read_rest(dir, version, out);
	return 0;
}

static int parse_psi_line(const char *line, struct psi_line *l)
{
	char total[32];

	if (sscanf(line, "%*s avg10=%lf avg60=%lf avg300=%lf total=%31s", &l->avg10, &l->avg60,
		   &l->avg300, total) != 4 ||
	    num_parse_u64(total, 0, UINT64_MAX, &l->total_us))
		return err_fail(GT_EFORMAT, "malformed PSI line '%.60s'", line);
	l->valid = true;
	return 0;
}

int psi__parse(const char *text, struct psi *out)
{
	const char *p = text;
	int err = 0;

	memset(out, 0, sizeof(*out));
	while (*p && !err) {
		const char *nl = strchr(p, '\n');
		char line[256];
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		snprintf(line, sizeof(line), "%.*s", (int)(n < sizeof(line) ? n : sizeof(line) - 1),
			 p);
		if (!strncmp(line, "some ", 5))
			err = parse_psi_line(line, &out->some);
		else if (!strncmp(line, "full ", 5))
			err = parse_psi_line(line, &out->full);
		p += n + (nl ? 1 : 0);
	}
	return err;
}

int psi__read(const char *path, struct psi *out)
{
	struct procfs_buf b;
	int err = procfs__read_file(path, 4096, &b);

	memset(out, 0, sizeof(*out));
	if (err)
		return err;
	err = psi__parse(b.data, out);
	procfs_buf__clear(&b);
	return err;
}

int cgroup__id(const char *mount, const char *rel_path, uint64_t *id)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s%s", mount, rel_path);
	if (stat(path, &st))
		return -errno;
	*id = st.st_ino;
	return 0;
}

/* Depth-first over directories; rel is "/" for the mount, else "/a/b". */
static int walk(const char *mount, char *rel, size_t cap, int depth, int max_depth,
		cgroup_walk_fn fn, void *ctx)
{
	size_t len = strlen(rel);
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	int stop = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s%s", mount, len == 1 ? "" : rel);
	d = opendir(path);
	if (!d)
		return 0; /* gone since it was listed */
	if (!fstat(dirfd(d), &st))
		stop = fn(ctx, rel, st.st_ino);
	while (!stop && depth < max_depth && (de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (len + 1 + strlen(de->d_name) >= cap)
			continue;
		snprintf(rel + len, cap - len, "%s%s", len == 1 ? "" : "/", de->d_name);
		stop = walk(mount, rel, cap, depth + 1, max_depth, fn, ctx);
		rel[len] = '\0';
	}
	closedir(d);
	return stop;
}

int cgroup__walk(const char *mount, int max_depth, cgroup_walk_fn fn, void *ctx)
{
	char rel[PATH_MAX] = "/";

	walk(mount, rel, sizeof(rel), 0, max_depth, fn, ctx);
	return 0;
}
