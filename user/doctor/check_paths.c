// SPDX-License-Identifier: GPL-2.0
/*
 * fs.paths: do the process's working directory, the paths in its
 * environment and arguments, and the files its logs say it failed to open
 * exist in its root, and where do its volumes sit? The classic crash loop:
 * a config file opened relative to the working directory while the volume
 * holding it is mounted elsewhere, and an APP_HOME that points at neither.
 * For a file that is missing, the check looks for one of the same name at
 * every volume mount and every existing directory the environment names.
 * Every lookup resolves inside the process's root without following a
 * symlink out of it (proc/rootfs.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "doctor/check.h"
#include "doctor/goproc.h"
#include "doctor/logscan.h"
#include "doctor/target.h"
#include "kern/mountinfo.h"
#include "proc/rootfs.h"
#include "rank/fact.h"

#define MAX_MOUNTS 32
#define MAX_PATHS 24

struct paths_ctx {
	int root;
	char cwd[PATH_MAX];
	char mounts[MAX_MOUNTS][256];
	size_t nmounts;
	char dirs[MAX_PATHS][256]; /* existing directories the environment names */
	size_t ndirs;
	size_t checked;
};

/* Mounts a runtime adds to every container: not the application's volumes. */
static bool boring_mount(const struct mountinfo_ent *e)
{
	static const char *const prefixes[] = {"/proc", "/sys", "/dev"};
	static const char *const files[] = {"/etc/hosts", "/etc/hostname", "/etc/resolv.conf",
					    "/run/secrets/kubernetes.io/serviceaccount"};

	if (!strcmp(e->mount_point, "/"))
		return true;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i]);

		if (!strncmp(e->mount_point, prefixes[i], n) &&
		    (e->mount_point[n] == '\0' || e->mount_point[n] == '/'))
			return true;
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (!strcmp(e->mount_point, files[i]))
			return true;
	return false;
}

static void read_mounts(const struct doctor_target *t, struct paths_ctx *c, struct check_result *r)
{
	struct mountinfo_ent e;
	struct procfs_buf b;
	const char *pos;
	int rc;

	if (doctor_proc_file(t, "mountinfo", 1u << 20, &b))
		return;
	pos = b.data;
	while ((rc = mountinfo__next(&pos, &e)) != 0) {
		if (rc < 0 || boring_mount(&e) || c->nmounts >= MAX_MOUNTS)
			continue;
		if (strlen(e.mount_point) >= sizeof(c->mounts[0]))
			continue;
		memcpy(c->mounts[c->nmounts++], e.mount_point, strlen(e.mount_point) + 1);
		check_evidence(r, "mount %s (%s, from %s)", e.mount_point, e.fstype, e.root);
	}
	procfs_buf__clear(&b);
}

/* path as the process would open it: relative to its working directory. */
static void resolve(const struct paths_ctx *c, const char *path, char *out, size_t len)
{
	const char *sep = path[0] == '/' ? "" : strcmp(c->cwd, "/") ? "/" : "";
	int n = snprintf(out, len, "%s%s%s", path[0] == '/' ? "" : c->cwd, sep, path);

	if (n < 0 || (size_t)n >= len)
		out[len - 1] = '\0'; /* cut: such a path exists nowhere, and is reported so */
}

/* The mount a path is under ("" for the image itself). */
static const char *mount_of(const struct paths_ctx *c, const char *path)
{
	const char *best = "";

	for (size_t i = 0; i < c->nmounts; i++) {
		size_t n = strlen(c->mounts[i]);

		if (!strncmp(path, c->mounts[i], n) && (path[n] == '/' || path[n] == '\0') &&
		    n > strlen(best))
			best = c->mounts[i];
	}
	return best;
}

/* A file of the same name at a volume mount or an environment directory. */
static bool find_elsewhere(const struct paths_ctx *c, const char *path, char *out, size_t len)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char cand[PATH_MAX];

	if (!base[0])
		return false;
	for (size_t i = 0; i < c->nmounts + c->ndirs; i++) {
		const char *dir = i < c->nmounts ? c->mounts[i] : c->dirs[i - c->nmounts];

		if ((size_t)snprintf(cand, sizeof(cand), "%s/%s", dir, base) >= sizeof(cand))
			continue;
		if (rootfs__exists(c->root, cand) == 1) {
			snprintf(out, len, "%s", cand);
			return true;
		}
	}
	return false;
}

/* One path: exists in the root? Where else is a file of its name? */
static void check_path(const struct doctor_target *t, struct paths_ctx *c, const char *path,
		       const char *source, enum check_status missing_status, struct check_result *r)
{
	char abs[PATH_MAX], other[PATH_MAX] = "";
	const char *mnt;
	struct fact *f;
	int ex;

	if (c->checked++ >= MAX_PATHS)
		return;
	resolve(c, path, abs, sizeof(abs));
	ex = rootfs__exists(c->root, abs);
	mnt = mount_of(c, abs);
	if (ex != 1)
		find_elsewhere(c, abs, other, sizeof(other));
	f = check_fact(r, t, "path_check");
	if (f) {
		fact_set_str(f, "path", path);
		fact_set_str(f, "resolved", abs);
		fact_set_str(f, "source", source);
		fact_set_bool(f, "exists", ex == 1);
		fact_set_str(f, "mount", mnt);
		fact_set_str(f, "cwd", c->cwd);
		if (other[0])
			fact_set_str(f, "found_at", other);
	}
	if (ex == 1) {
		check_evidence(r, "%s: %s exists%s%s", source, abs, mnt[0] ? " on the mount " : "",
			       mnt);
		return;
	}
	check_finding(r, missing_status, "%s: %s does not exist in the container%s%s%s", source,
		      abs, path[0] != '/' ? " (relative to the working directory " : "",
		      path[0] != '/' ? c->cwd : "", path[0] != '/' ? ")" : "");
	if (other[0]) {
		check_evidence(r, "a file of that name is at %s (%s)", other,
			       mount_of(c, other)[0] ? "a volume mount" : "in the image");
		check_fix(r,
			  "%s is at %s: give its absolute path, or run in its directory "
			  "(workingDir), or mount the volume where it is looked for",
			  path, other);
	} else {
		check_fix(r, "create %s in the image or mount a volume there", abs);
	}
}

static bool looks_like_path(const char *v)
{
	static const char *const exts[] = {".yaml", ".yml", ".json", ".toml", ".conf", ".ini",
					   ".cfg",  ".env", ".pem",  ".crt",  ".key"};
	size_t n = strlen(v);

	if (!n || strstr(v, "://") || strchr(v, ':') || strchr(v, ' '))
		return false;
	if (v[0] == '/' || !strncmp(v, "./", 2) || !strncmp(v, "../", 3))
		return true;
	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (n > strlen(exts[i]) && !strcmp(v + n - strlen(exts[i]), exts[i]))
			return true;
	return false;
}

/* Environment values that are absolute paths (not lists, not the shell's own). */
static void env_paths(const struct doctor_target *t, struct paths_ctx *c, struct check_result *r)
{
	static const char *const skip[] = {
		"PATH=", "HOME=", "PWD=", "OLDPWD=", "SHELL=", "LD_LIBRARY_PATH=", "TMPDIR="};
	struct proc_strlist l;
	char src[128];

	if (doctor_proc_list(t, "environ", &l))
		return;
	for (size_t i = 0; i < l.n; i++) {
		const char *eq = strchr(l.v[i], '=');
		bool skipped = false;

		for (size_t k = 0; k < sizeof(skip) / sizeof(skip[0]); k++)
			skipped |= !strncmp(l.v[i], skip[k], strlen(skip[k]));
		if (skipped || !eq || eq[1] != '/' || !looks_like_path(eq + 1))
			continue;
		snprintf(src, sizeof(src), "env %.*s", (int)(eq - l.v[i] < 64 ? eq - l.v[i] : 64),
			 l.v[i]);
		if (rootfs__exists(c->root, eq + 1) == 1 && c->ndirs < MAX_PATHS)
			snprintf(c->dirs[c->ndirs++], sizeof(c->dirs[0]), "%s", eq + 1);
		check_path(t, c, eq + 1, src, CHECK_WARN, r);
	}
	proc_strlist__clear(&l);
}

static void arg_paths(const struct doctor_target *t, struct paths_ctx *c, struct check_result *r)
{
	struct proc_strlist l;

	if (doctor_proc_list(t, "cmdline", &l))
		return;
	for (size_t i = 1; i < l.n; i++) {
		const char *v =
			l.v[i][0] == '-' && strchr(l.v[i], '=') ? strchr(l.v[i], '=') + 1 : l.v[i];

		if (v[0] != '-' && looks_like_path(v))
			check_path(t, c, v, "argument", CHECK_WARN, r);
	}
	proc_strlist__clear(&l);
}

/* Files the logs say could not be opened: what crashed the last instance. */
static void log_paths(const struct doctor_target *t, struct paths_ctx *c, struct check_result *r)
{
	struct instance_logs logs;
	struct log_error e;
	const struct log_tail *tails[2] = {&logs.cur, &logs.prev};

	if (instance_logs__read(t, &logs))
		return;
	for (size_t i = 0; i < 2; i++)
		if (log_tail__find(tails[i], LOG_OPEN_ENOENT, &e))
			check_path(t, c, e.path,
				   i ? "the last instance's log (open failed)"
				     : "this instance's log (open failed)",
				   CHECK_FAIL, r);
	instance_logs__clear(&logs);
}

static void run(const struct doctor_check *self, const struct doctor_target *t,
		struct check_result *r)
{
	struct paths_ctx *c = calloc(1, sizeof(*c));
	char link[PATH_MAX];
	ssize_t n;

	if (!c || (c->root = doctor_target__open_root(t)) < 0) {
		check_skip(r, "cannot open the container's root");
		free(c);
		return;
	}
	n = doctor_target__proc_path(t, "cwd", link, sizeof(link))
		    ? readlink(link, c->cwd, sizeof(c->cwd) - 1)
		    : -1;
	snprintf(c->cwd + (n > 0 ? n : 0), sizeof(c->cwd) - (size_t)(n > 0 ? n : 0), "%s",
		 n > 0 ? "" : "/");
	check_evidence(r, "working directory: %s", c->cwd);
	read_mounts(t, c, r);
	if (rootfs__exists(c->root, c->cwd) != 1)
		check_finding(r, CHECK_WARN, "the working directory %s does not exist (deleted?)",
			      c->cwd);
	env_paths(t, c, r);
	arg_paths(t, c, r);
	log_paths(t, c, r);
	if (r->status == CHECK_PASS)
		check_finding(r, CHECK_PASS,
			      "%zu paths from the environment, arguments and logs "
			      "exist; %zu volume mounts",
			      c->checked, c->nmounts);
	close(c->root);
	free(c);
}

const struct doctor_check check_paths = {
	.id = "fs.paths",
	.description = "working directory, paths in env/args/logs and volume mounts agree (looked "
		       "up inside the container)",
	.timeout_ms = 2000,
	.needs = NEED_PID | NEED_ROOT,
	.run = run,
};
