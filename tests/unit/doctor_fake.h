/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_TESTS_DOCTOR_FAKE_H
#define GOTRACE_TESTS_DOCTOR_FAKE_H

/*
 * A fake doctor target for the check tests: a temporary tree with a
 * /proc/PID, cgroup v1 memory and cpu directories, a cgroup2 directory, a
 * container root and a kubelet log directory, all written by the test. The
 * expectations of a test come from what it wrote here.
 */

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "doctor/check.h"
#include "doctor/target.h"
#include "testutil.h"

#define FAKE_UID "1b3c6ff0-e0af-4181-b1c6-c4439cc3b553"
#define FAKE_CID "106e688e030d3f3bd159c3339e56dca18c66df57293efb7d9b584545d745d83f"
#define FAKE_CG "/kubepods/burstable/pod" FAKE_UID "/" FAKE_CID
#define FAKE_PID 4194000 /* above any pid this machine hands out */

struct fake {
	char *dir;
	struct doctor_target t;
};

static inline void fake_mkdirs(const char *path)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(tmp, 0755);
		*p = '/';
	}
	mkdir(tmp, 0755);
}

/* Writes dir/rel (parents made) with printf-style content. */
static inline void __attribute__((format(printf, 3, 4)))
fake_put(struct fake *f, const char *rel, const char *fmt, ...)
{
	char path[PATH_MAX], parent[PATH_MAX];
	va_list ap;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", f->dir, rel);
	snprintf(parent, sizeof(parent), "%s", path);
	*strrchr(parent, '/') = '\0';
	fake_mkdirs(parent);
	fp = fopen(path, "w");
	if (!fp)
		abort();
	va_start(ap, fmt);
	vfprintf(fp, fmt, ap);
	va_end(ap);
	fclose(fp);
}

/* A NUL-separated list file (environ, cmdline) from a NULL-terminated array. */
static inline void fake_list(struct fake *f, const char *rel, const char *const *items)
{
	char path[PATH_MAX];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", f->dir, rel);
	fp = fopen(path, "w");
	if (!fp)
		abort();
	for (; *items; items++)
		fwrite(*items, 1, strlen(*items) + 1, fp);
	fclose(fp);
}

/* dir/rel into buf. */
static inline const char *fake_path(const struct fake *f, const char *rel, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", f->dir, rel);
	return buf;
}

static inline void fake_link(struct fake *f, const char *rel, const char *target)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", f->dir, rel);
	unlink(path);
	if (symlink(target, path))
		abort();
}

static inline void fake_init(struct fake *f)
{
	struct doctor_target *t = &f->t;

	memset(f, 0, sizeof(*f));
	f->dir = tu_mkdtemp("doctor");
	if (!f->dir)
		abort();
	t->pid = FAKE_PID;
	snprintf(t->proc_dir, sizeof(t->proc_dir), "%s/proc", f->dir);
	snprintf(t->root_dir, sizeof(t->root_dir), "%s/root", f->dir);
	t->root_is_image = true;
	t->cl.mode = CGROUP_HYBRID;
	t->cl.memory_version = t->cl.cpu_version = 1;
	snprintf(t->cl.memory_mount, sizeof(t->cl.memory_mount), "%s/cg/memory", f->dir);
	snprintf(t->cl.cpu_mount, sizeof(t->cl.cpu_mount), "%s/cg/cpu", f->dir);
	snprintf(t->cl.unified_mount, sizeof(t->cl.unified_mount), "%s/cg/unified", f->dir);
	snprintf(t->mem_dir, sizeof(t->mem_dir), "%s%s", t->cl.memory_mount, FAKE_CG);
	snprintf(t->cpu_dir, sizeof(t->cpu_dir), "%s%s", t->cl.cpu_mount, FAKE_CG);
	snprintf(t->unified_dir, sizeof(t->unified_dir), "%s%s", t->cl.unified_mount, FAKE_CG);
	fake_mkdirs(t->proc_dir);
	fake_mkdirs(t->root_dir);
	fake_mkdirs(t->mem_dir);
	fake_mkdirs(t->cpu_dir);
	fake_mkdirs(t->unified_dir);
	snprintf(t->subject, sizeof(t->subject), "pod:%s/app", FAKE_UID);
	snprintf(t->id.cg.pod_uid, sizeof(t->id.cg.pod_uid), "%s", FAKE_UID);
	snprintf(t->id.cg.container_id, sizeof(t->id.cg.container_id), "%s", FAKE_CID);
	snprintf(t->id.cgroup, sizeof(t->id.cgroup), "%s", FAKE_CG);
	t->host_root = f->dir;
	t->nprocs = 1;
}

/* The kubelet's log directory of the fake pod: restart logs go under it. */
static inline void fake_logs(struct fake *f, int restart, int prev)
{
	struct identity *id = &f->t.id;

	id->have_logs = true;
	snprintf(id->logs.namespace, sizeof(id->logs.namespace), "shop");
	snprintf(id->logs.pod, sizeof(id->logs.pod), "api");
	snprintf(id->logs.container, sizeof(id->logs.container), "app");
	id->logs.restart = restart;
	id->logs.prev_restart = prev;
	snprintf(id->logs.path, sizeof(id->logs.path), "%s/var/log/pods/shop_api_%s/app/%d.log",
		 f->dir, FAKE_UID, restart);
	if (prev >= 0)
		snprintf(id->logs.prev_path, sizeof(id->logs.prev_path),
			 "%s/var/log/pods/shop_api_%s/app/%d.log", f->dir, FAKE_UID, prev);
}

static inline void fake_free(struct fake *f)
{
	tu_rmrf(f->dir);
	free(f->dir);
}

/* Runs the built-in check id on the fake target. */
static inline void fake_run(struct fake *f, const char *id, struct check_result *r)
{
	const struct doctor_check *c = doctor_checks__find(id);

	memset(r, 0, sizeof(*r));
	if (!c)
		abort();
	c->run(c, &f->t, r);
}

/* The newest fact of kind in a result. */
static inline const struct fact *fake_fact(const struct check_result *r, const char *kind)
{
	return fact_store__latest(&r->facts, kind, NULL);
}

static inline bool fake_evidence_has(const struct check_result *r, const char *needle)
{
	for (size_t i = 0; i < r->nevidence; i++)
		if (strstr(r->evidence[i], needle))
			return true;
	return false;
}

#endif
