// SPDX-License-Identifier: GPL-2.0
/*
 * The context of a failed open ("config.yaml: ENOENT"): the process's cwd,
 * the environment variables that name paths and its volumes, captured when
 * the process started (it is usually gone by the time its failure is read)
 * and kept reachable through fds; then where the file is instead.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crash/crash_int.h"
#include "kern/mountinfo.h"
#include "proc/procfs.h"
#include "proc/rootfs.h"

struct crash_snap *crash_snap__find(struct crash_session *s, pid_t pid)
{
	size_t i;

	for (i = 0; i < CRASH_MAX_SNAPS; i++)
		if (s->snaps[i].used && s->snaps[i].pid == pid)
			return &s->snaps[i];
	return NULL;
}

static void snap_clear(struct crash_snap *sn)
{
	int i;

	if (!sn->used)
		return;
	free(sn->path_env);
	free(sn->mounts);
	if (sn->root_fd >= 0)
		close(sn->root_fd);
	for (i = 0; i < sn->nvols; i++)
		close(sn->vol_fd[i]);
	memset(sn, 0, sizeof(*sn));
	sn->root_fd = -1;
}

void crash_snap__drop(struct crash_session *s, pid_t pid)
{
	struct crash_snap *sn = crash_snap__find(s, pid);

	if (sn)
		snap_clear(sn);
}

void crash_snap__drop_all(struct crash_session *s)
{
	for (size_t i = 0; i < CRASH_MAX_SNAPS; i++)
		snap_clear(&s->snaps[i]);
}

/* A free slot, else the oldest (a process that never exited in our view). */
static struct crash_snap *snap_slot(struct crash_session *s)
{
	struct crash_snap *oldest = &s->snaps[0];
	size_t i;

	for (i = 0; i < CRASH_MAX_SNAPS; i++) {
		if (!s->snaps[i].used)
			return &s->snaps[i];
		if (s->snaps[i].time_ns < oldest->time_ns)
			oldest = &s->snaps[i];
	}
	snap_clear(oldest);
	return oldest;
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && !memcmp(s + n - k, suffix, k);
}

/* APP_HOME=/app, CONFIG_FILE=..., DATA_DIR=...: variables a program builds paths from. */
static bool names_path(const char *kv)
{
	const char *eq = strchr(kv, '=');
	size_t n = eq ? (size_t)(eq - kv) : 0;

	if (!eq || n == 0 || !strncmp(kv, "PATH=", 5) || !strncmp(kv, "PWD=", 4) ||
	    !strncmp(kv, "OLDPWD=", 7))
		return false;
	return eq[1] == '/' || ends_with(kv, n, "_HOME") || ends_with(kv, n, "_DIR") ||
	       ends_with(kv, n, "_PATH") || ends_with(kv, n, "_FILE") ||
	       ends_with(kv, n, "_CONFIG") || ends_with(kv, n, "_ROOT");
}

static char *path_env(pid_t pid)
{
	struct proc_strlist env;
	char *out = NULL;
	size_t len = 0, i;
	FILE *f;

	if (proc_pid__environ(pid, 64 * 1024, &env))
		return NULL;
	f = open_memstream(&out, &len);
	for (i = 0; f && i < env.n; i++)
		if (names_path(env.v[i]))
			fprintf(f, "%s%s", len || ftell(f) ? "\n" : "", env.v[i]);
	if (f)
		fclose(f);
	proc_strlist__clear(&env);
	return out;
}

/* The node's plumbing, not the application's volumes. */
static bool system_mount(const struct mountinfo_ent *m)
{
	static const char *const types[] = {
		"proc",	   "sysfs",   "devpts",	  "mqueue", "cgroup", "cgroup2",  "securityfs",
		"debugfs", "tracefs", "devtmpfs", "bpf",    "pstore", "hugetlbfs"};
	const char *mp = m->mount_point;

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(m->fstype, types[i]))
			return true;
	return !strcmp(mp, "/") || !strncmp(mp, "/dev", 4) || !strncmp(mp, "/proc", 5) ||
	       !strncmp(mp, "/sys", 4) || !strcmp(mp, "/etc/hosts") ||
	       !strcmp(mp, "/etc/hostname") || !strcmp(mp, "/etc/resolv.conf");
}

static void add_vol(struct crash_snap *sn, const struct mountinfo_ent *m)
{
	int fd;

	if (sn->nvols >= CRASH_MAX_VOLS || sn->root_fd < 0)
		return;
	fd = rootfs__open(sn->root_fd, m->mount_point, O_PATH);
	if (fd < 0)
		return;
	sn->vol_fd[sn->nvols] = fd;
	snprintf(sn->vol_mnt[sn->nvols], sizeof(sn->vol_mnt[0]), "%.255s", m->mount_point);
	sn->nvols++;
}

static void read_mounts(struct crash_snap *sn, pid_t pid)
{
	char path[64], *text, *out = NULL;
	struct mountinfo_ent m;
	const char *pos;
	size_t len = 0;
	FILE *f;
	int r;

	snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)pid);
	text = mountinfo__read(path);
	if (!text)
		return;
	f = open_memstream(&out, &len);
	for (pos = text; f && (r = mountinfo__next(&pos, &m)) != 0;) {
		if (r < 0 || system_mount(&m))
			continue;
		fprintf(f, "%s%s (%s of %s%s)", ftell(f) ? "\n" : "", m.mount_point, m.fstype,
			m.root, mountinfo__has_opt(m.super_opts, "ro") ? ", ro" : "");
		add_vol(sn, &m);
	}
	if (f)
		fclose(f);
	free(text);
	sn->mounts = out;
}

struct crash_snap *crash_snap__take(struct crash_session *s, pid_t pid, uint64_t time_ns)
{
	struct crash_snap *sn = crash_snap__find(s, pid);
	char link[64];
	ssize_t n;

	if (sn)
		snap_clear(sn);
	else
		sn = snap_slot(s);
	sn->used = true;
	sn->pid = pid;
	sn->time_ns = time_ns;
	sn->root_fd = -1;
	snprintf(link, sizeof(link), "/proc/%d/cwd", (int)pid);
	n = readlink(link, sn->cwd, sizeof(sn->cwd) - 1);
	if (n < 0) { /* gone already: a snapshot of nothing is worse than none */
		snap_clear(sn);
		return NULL;
	}
	sn->cwd[n] = '\0';
	sn->path_env = path_env(pid);
	sn->root_fd = rootfs__open_root(pid);
	read_mounts(sn, pid);
	return sn;
}

/* "a/b" against cwd → "/cwd/a/b" ("./" dropped). */
static void absolute(const char *cwd, const char *path, char *buf, size_t len)
{
	if (path[0] == '/') {
		snprintf(buf, len, "%s", path);
		return;
	}
	while (!strncmp(path, "./", 2))
		path += 2;
	snprintf(buf, len, "%s%s%s", cwd, strcmp(cwd, "/") ? "/" : "", path);
}

/* The mount the path resolves into: the longest mount point that is a prefix. */
static const char *mount_of(const struct crash_snap *sn, const char *abs)
{
	const char *best = NULL;
	size_t bl = 0;

	for (int i = 0; i < sn->nvols; i++) {
		size_t l = strlen(sn->vol_mnt[i]);

		if (!strncmp(abs, sn->vol_mnt[i], l) && (abs[l] == '/' || !abs[l]) && l > bl) {
			best = sn->vol_mnt[i];
			bl = l;
		}
	}
	return best;
}

static bool found_in_vols(const struct crash_snap *sn, const char *rel, const char *base,
			  struct fact *f)
{
	char where[600];

	for (int i = 0; i < sn->nvols; i++) {
		const char *cand = rootfs__exists(sn->vol_fd[i], rel) == 1    ? rel
				   : rootfs__exists(sn->vol_fd[i], base) == 1 ? base
									      : NULL;

		if (!cand)
			continue;
		snprintf(where, sizeof(where), "%s/%s", sn->vol_mnt[i], cand);
		fact_set_str(f, "found_path", where);
		snprintf(where, sizeof(where), "volume mounted at %s", sn->vol_mnt[i]);
		fact_set_str(f, "found_via", where);
		return true;
	}
	return false;
}

/* $APP_HOME/<rel> or $APP_HOME/<base> inside the root. */
static bool found_via_env(const struct crash_snap *sn, const char *rel, const char *base,
			  struct fact *f)
{
	char *env = sn->path_env ? strdup(sn->path_env) : NULL, *save = NULL, *kv;
	char p[PATH_MAX + 300], via[300];
	bool found = false;

	for (kv = env ? strtok_r(env, "\n", &save) : NULL; kv && !found;
	     kv = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(kv, '=');
		const char *tries[2] = {rel, base};

		if (!eq || eq[1] != '/' || sn->root_fd < 0)
			continue;
		for (int t = 0; t < 2 && !found; t++) {
			snprintf(p, sizeof(p), "%s/%s", eq + 1, tries[t]);
			if (rootfs__exists(sn->root_fd, p) == 1) {
				fact_set_str(f, "found_path", p);
				snprintf(via, sizeof(via), "$%.*s", (int)(eq - kv), kv);
				fact_set_str(f, "found_via", via);
				found = true;
			}
		}
	}
	free(env);
	return found;
}

void crash_snap__explain_open(struct crash_session *s, pid_t pid, const char *path, struct fact *f)
{
	struct crash_snap *sn = crash_snap__find(s, pid);
	const char *base = strrchr(path, '/'), *mnt;
	char abs[PATH_MAX + 300];

	if (!sn)
		sn = crash_snap__take(s, pid, 0);
	if (!sn)
		return;
	base = base ? base + 1 : path;
	absolute(sn->cwd, path, abs, sizeof(abs));
	fact_set_str(f, "cwd", sn->cwd);
	fact_set_str(f, "abs_path", abs);
	if (sn->path_env && sn->path_env[0])
		fact_set_str(f, "path_env", sn->path_env);
	if (sn->mounts && sn->mounts[0])
		fact_set_str(f, "mounts", sn->mounts);
	mnt = mount_of(sn, abs);
	if (mnt)
		fact_set_str(f, "path_mount", mnt);
	if (!*base)
		return;
	if (!found_in_vols(sn, path[0] == '/' ? base : path, base, f))
		found_via_env(sn, path[0] == '/' ? base : path, base, f);
}
