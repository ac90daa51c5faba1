// SPDX-License-Identifier: GPL-2.0
/*
 * Resolving doctor's target. --pid names the process; --pod, --container
 * and -c name cgroups, found by walking the memory hierarchy with the same
 * scope filter `oom` uses (oom/scope.h), and the process checked is the
 * first one of the deepest matching cgroup that has processes (the
 * container's init, not the pod's pause). Nothing found running is not an
 * error: the cgroup (or only the kubelet's logs) is what is left of a
 * crash-looping container, and the checks that need a process say so.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/signals.h"
#include "base/err.h"
#include "base/num.h"
#include "cli/opts.h"
#include "doctor/target.h"
#include "oom/scope.h"
#include "proc/memcg.h"
#include "proc/rootfs.h"
#include "proc/status.h"
#include "rank/fact.h"
#include "rank/rules.h"

#define MAX_MATCHES 256
#define MAX_PROCS_SCANNED 1024

bool doctor_path(const char *dir, const char *name, char *buf, size_t len)
{
	return dir[0] && (size_t)snprintf(buf, len, "%s/%s", dir, name) < len;
}

bool doctor_target__proc_path(const struct doctor_target *t, const char *name, char *buf,
			      size_t len)
{
	return doctor_path(t->proc_dir, name, buf, len);
}

int doctor_target__open_root(const struct doctor_target *t)
{
	int fd;

	if (!t->root_dir[0])
		return -ENOENT;
	if (!t->root_is_image && t->pid)
		return rootfs__open_root(t->pid);
	fd = open(t->root_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* mount + rel when that directory exists, else "". */
static void set_dir(char *dst, size_t len, const char *mount, const char *rel)
{
	struct stat st;

	dst[0] = '\0';
	if (!mount[0] || !rel)
		return;
	if ((size_t)snprintf(dst, len, "%s%s", mount, strcmp(rel, "/") ? rel : "") >= len ||
	    stat(dst, &st) || !S_ISDIR(st.st_mode))
		dst[0] = '\0';
}

/* The pod's memory directory: the parent of a container's cgroup. */
static void set_pod_dir(struct doctor_target *t, const char *mem_rel)
{
	struct cgroup_identity ci;
	char parent[PATH_MAX], *slash;

	if (!mem_rel || !t->id.cg.pod_uid[0])
		return;
	snprintf(parent, sizeof(parent), "%s", mem_rel);
	cgroup_path__classify(parent, &ci);
	if (ci.kind == CGROUP_KIND_K8S_CONTAINER && (slash = strrchr(parent, '/')) &&
	    slash != parent)
		*slash = '\0';
	cgroup_path__classify(parent, &ci);
	if (ci.kind == CGROUP_KIND_K8S_POD)
		set_dir(t->pod_mem_dir, sizeof(t->pod_mem_dir), t->cl.memory_mount, parent);
}

static void set_cgroup_dirs(struct doctor_target *t, const char *mem, const char *cpu,
			    const char *uni)
{
	set_dir(t->mem_dir, sizeof(t->mem_dir), t->cl.memory_mount, mem);
	set_dir(t->cpu_dir, sizeof(t->cpu_dir), t->cl.cpu_mount, cpu);
	set_dir(t->unified_dir, sizeof(t->unified_dir), t->cl.unified_mount, uni);
	set_pod_dir(t, mem);
}

static int from_pid(struct doctor_target *t, pid_t pid)
{
	struct proc_cgroups *cgs;
	const char *uni;
	int err;

	err = proc_pid__check(pid);
	if (!err)
		err = proc_pid_ref__init(&t->ref, pid);
	if (!err)
		err = identity__from_pid(pid, t->host_root, &t->id);
	if (!err)
		err = proc_cgroups__read(pid, &cgs);
	if (err)
		return err;
	uni = proc_cgroups__unified(cgs);
	set_cgroup_dirs(t, t->cl.memory_version == 1 ? proc_cgroups__path(cgs, "memory") : uni,
			t->cl.cpu_version == 1 ? proc_cgroups__path(cgs, "cpu") : uni, uni);
	proc_cgroups__free(cgs);
	t->pid = pid;
	snprintf(t->proc_dir, sizeof(t->proc_dir), "/proc/%d", (int)pid);
	snprintf(t->root_dir, sizeof(t->root_dir), "/proc/%d/root", (int)pid);
	return 0;
}

/* ------------------------------------------------------------------ cgroup targets */

struct scan {
	const struct oom_scope *scope;
	char *paths[MAX_MATCHES];
	size_t n;
};

static int collect(void *ctx, const char *rel, uint64_t id)
{
	struct scan *s = ctx;

	if (s->n >= MAX_MATCHES || !oom_scope__cgroup((void *)s->scope, rel))
		return 0;
	s->paths[s->n] = strdup(rel);
	if (s->paths[s->n])
		s->n++;
	return 0;
}

static bool in_list(const pid_t *v, size_t n, pid_t p)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == p)
			return true;
	return false;
}

/*
 * The processes of one cgroup (cgroup.procs) and its init: the first whose
 * parent is not in the cgroup too. The pod's pause process is nobody's init.
 */
static int cgroup_init(const char *dir, pid_t *init)
{
	pid_t v[MAX_PROCS_SCANNED];
	struct procfs_buf b = {0};
	char path[PATH_MAX + 16], *line, *save = NULL;
	size_t n = 0;

	*init = 0;
	if (!doctor_path(dir, "cgroup.procs", path, sizeof(path)) ||
	    procfs__read_file(path, 1 << 20, &b))
		return 0;
	for (line = strtok_r(b.data, "\n", &save); line && n < MAX_PROCS_SCANNED;
	     line = strtok_r(NULL, "\n", &save)) {
		uint32_t p;

		if (!num_parse_u32(line, 1, 4194304, &p))
			v[n++] = (pid_t)p;
	}
	procfs_buf__clear(&b);
	for (size_t i = 0; i < n && !*init; i++) {
		struct proc_status st;
		char comm[32];

		if (proc_status__read(v[i], &st) || in_list(v, n, st.ppid) ||
		    (!proc_pid__comm(v[i], comm, sizeof(comm)) && !strcmp(comm, "pause")))
			continue;
		*init = v[i];
	}
	return (int)n;
}

/* The deepest cgroup in scope with a process in it; the top one when none has. */
static void choose(struct doctor_target *t, struct scan *s, const char **top, const char **best,
		   pid_t *pid, int *nbusy)
{
	size_t i;

	t->nprocs = 0;
	*top = *best = NULL;
	*pid = 0;
	*nbusy = 0;
	for (i = 0; i < s->n; i++) {
		char dir[PATH_MAX];
		pid_t init;
		int n;

		if (!*top || strlen(s->paths[i]) < strlen(*top))
			*top = s->paths[i];
		set_dir(dir, sizeof(dir),
			t->cl.memory_mount[0] ? t->cl.memory_mount : t->cl.unified_mount,
			s->paths[i]);
		n = cgroup_init(dir, &init);
		if (n <= 0 || !init)
			continue;
		(*nbusy)++;
		if (!*best || strlen(s->paths[i]) > strlen(*best)) {
			*best = s->paths[i];
			*pid = init;
			t->nprocs = n;
		}
	}
}

static void no_process(struct doctor_target *t, const char *top, const char *what)
{
	identity__from_cgroup(top, t->host_root, &t->id);
	t->container_gone = t->id.cg.kind == CGROUP_KIND_K8S_POD;
	set_cgroup_dirs(t, top, top, top);
	t->nprocs = 0;
	snprintf(t->why_no_pid, sizeof(t->why_no_pid),
		 "no process runs in %s now (a crash-looping container between restarts?)", what);
}

/* A pod with no cgroup left: what the kubelet's logs say about it is all there is. */
static int pod_from_logs(struct doctor_target *t, const char *uid)
{
	char fake[128];

	snprintf(fake, sizeof(fake), "/kubepods/pod%s", uid);
	identity__from_cgroup(fake, t->host_root, &t->id);
	t->id.cgroup[0] = '\0';
	t->container_gone = true;
	if (!t->id.have_logs)
		return err_fail(ESRCH,
				"pod %s has no cgroup on this node and no logs under "
				"%s/var/log/pods",
				uid, t->host_root);
	snprintf(t->why_no_pid, sizeof(t->why_no_pid),
		 "pod %s has no cgroup and no process on this node now", uid);
	return 0;
}

static int from_cgroups(struct doctor_target *t, const struct oom_scope *scope, const char *what)
{
	struct scan s = {.scope = scope};
	const char *top, *best;
	int err = 0, nbusy;
	pid_t pid;

	cgroup__walk(t->cl.memory_mount[0] ? t->cl.memory_mount : t->cl.unified_mount, 12, collect,
		     &s);
	choose(t, &s, &top, &best, &pid, &nbusy);
	if (pid) {
		err = from_pid(t, pid);
		if (nbusy > 1)
			snprintf(t->note, sizeof(t->note),
				 "%d cgroups in %s have processes: checked %s (give --container or "
				 "-c for another)",
				 nbusy, what, best);
	} else if (top) {
		no_process(t, top, what);
	} else if (scope->pod_uid[0]) {
		err = pod_from_logs(t, scope->pod_uid);
	} else {
		err = err_fail(ESRCH,
			       "no cgroup of %s on this node (exited and removed? try --pod)",
			       what);
	}
	for (size_t i = 0; i < s.n; i++)
		free(s.paths[i]);
	return err;
}

/* ------------------------------------------------------------------ naming */

static void describe(struct doctor_target *t)
{
	struct fact *f = fact_new("target", "", 0);
	size_t n;

	identity__subject(&t->id, t->subject, sizeof(t->subject));
	if (!f || identity__to_fact(&t->id, f)) {
		snprintf(t->display, sizeof(t->display), "%s", t->subject);
	} else {
		fact_set_int(f, "pid", 0); /* the pid goes last, with its comm */
		rank__display(f, t->display, sizeof(t->display));
	}
	fact_free(f);
	n = strlen(t->display);
	if (t->pid && !strncmp(t->display, "pid ", 4))
		snprintf(t->display, sizeof(t->display), "pid %d (%s)", (int)t->pid, t->id.comm);
	else if (t->pid)
		snprintf(t->display + n, sizeof(t->display) - n, ", pid %d (%s)", (int)t->pid,
			 t->id.comm);
}

static int set_rootfs(struct doctor_target *t, const char *rootfs)
{
	struct stat st;

	if (stat(rootfs, &st) || !S_ISDIR(st.st_mode))
		return err_fail(GT_EUSAGE, "--rootfs %s is not a directory", rootfs);
	if (!realpath(rootfs, t->root_dir))
		return err_fail(errno, "--rootfs %s: %s", rootfs, strerror(errno));
	t->root_is_image = true;
	return 0;
}

int doctor_target__resolve(const struct common_opts *co, const char *rootfs, const char *host_root,
			   struct doctor_target *t)
{
	struct oom_scope scope;
	char what[160];
	int err;

	memset(t, 0, sizeof(*t));
	t->host_root = host_root;
	t->kmsg_path = "/dev/kmsg";
	t->nprocs = -1;
	t->time_ns = real_ns();
	if (!co->pid && !co->pod && !co->container && !co->cgroup)
		return err_fail(GT_EUSAGE,
				"doctor: give the target: --pid PID, --pod UID, "
				"--container ID or -c CGROUP (see 'gotrace doctor --help')");
	err = cgroup_layout__read(&t->cl);
	if (!err)
		err = oom_scope__init(&scope, co, &t->cl);
	if (err)
		return err;
	oom_scope__describe(&scope, what, sizeof(what));
	err = scope.pid ? from_pid(t, scope.pid) : from_cgroups(t, &scope, what);
	if (!err && rootfs)
		err = set_rootfs(t, rootfs);
	if (!err)
		describe(t);
	return err;
}
