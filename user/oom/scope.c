// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/num.h"
#include "cli/opts.h"
#include "kern/cgroup_layout.h"
#include "oom/report.h"
#include "oom/scope.h"
#include "proc/memcg.h"
#include "proc/procfs.h"

static bool under(const char *path, const char *top)
{
	size_t n = strlen(top);

	if (!strcmp(top, "/"))
		return true;
	return !strncmp(path, top, n) && (path[n] == '/' || path[n] == '\0');
}

struct id_search {
	uint64_t id;
	char *out;
	size_t len;
	bool found;
};

static int match_id(void *ctx, const char *path, uint64_t id)
{
	struct id_search *s = ctx;

	if (id != s->id)
		return 0;
	snprintf(s->out, s->len, "%s", path);
	s->found = true;
	return 1;
}

/* A numeric -c is a cgroup id (as bpftool and the kernel's records show it). */
static int cgroup_from_id(struct oom_scope *s, const char *arg, const struct cgroup_layout *cl)
{
	struct id_search q = {.out = s->cgroup, .len = sizeof(s->cgroup)};

	if (num_parse_u64(arg, 1, UINT64_MAX, &q.id))
		return err_fail(GT_EUSAGE, "--cgroup '%s' is neither a path nor an id", arg);
	if (cl->memory_mount[0])
		cgroup__walk(cl->memory_mount, 16, match_id, &q);
	if (!q.found && cl->unified_mount[0])
		cgroup__walk(cl->unified_mount, 16, match_id, &q);
	if (!q.found)
		return err_fail(GT_EUSAGE, "no cgroup has id %s", arg);
	return 0;
}

static bool exists_in(const char *mount, const char *path)
{
	uint64_t id;

	return mount[0] && !cgroup__id(mount, path, &id);
}

/* A path relative to the cgroup mounts: "/kubepods/burstable/pod.../<id>". */
static int cgroup_from_path(struct oom_scope *s, const char *arg, const struct cgroup_layout *cl)
{
	size_t n;

	if (strstr(arg, "/..") || !strncmp(arg, "..", 2) || strchr(arg, '\n'))
		return err_fail(GT_EUSAGE, "--cgroup '%s' must not contain '..'", arg);
	snprintf(s->cgroup, sizeof(s->cgroup), "%s%s", arg[0] == '/' ? "" : "/", arg);
	n = strlen(s->cgroup);
	while (n > 1 && s->cgroup[n - 1] == '/')
		s->cgroup[--n] = '\0';
	if (!exists_in(cl->memory_mount, s->cgroup) && !exists_in(cl->unified_mount, s->cgroup))
		return err_fail(GT_EUSAGE,
				"cgroup %s does not exist under %s%s%s (give a path relative "
				"to the cgroup mount, e.g. /kubepods/burstable/pod<uid>/<id>)",
				s->cgroup, cl->memory_mount, cl->unified_mount[0] ? " or " : "",
				cl->unified_mount);
	return 0;
}

static int set_pod(struct oom_scope *s, const char *uid)
{
	size_t n = strlen(uid);

	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)uid[i]) && uid[i] != '-')
			return err_fail(GT_EUSAGE, "--pod '%s' is not a pod UID", uid);
	if (n == 0 || n > CGROUP_POD_UID_MAX)
		return err_fail(GT_EUSAGE, "--pod '%s' is not a pod UID", uid);
	for (size_t i = 0; i <= n; i++)
		s->pod_uid[i] = (char)tolower((unsigned char)uid[i]);
	return 0;
}

static int set_container(struct oom_scope *s, const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > CGROUP_CONTAINER_ID_LEN || strspn(id, "0123456789abcdefABCDEF") != n)
		return err_fail(GT_EUSAGE,
				"--container '%s' is not a container id (hex, or a prefix of one)",
				id);
	for (size_t i = 0; i <= n; i++)
		s->container[i] = (char)tolower((unsigned char)id[i]);
	return 0;
}

static int set_pid(struct oom_scope *s, pid_t pid)
{
	struct proc_cgroups *cgs;
	const char *p;
	int err = proc_pid__check(pid);

	if (err)
		return err;
	s->pid = pid;
	err = proc_cgroups__read(pid, &cgs);
	if (err)
		return err;
	p = proc_cgroups__path(cgs, "memory");
	if (!p)
		p = proc_cgroups__unified(cgs);
	snprintf(s->pid_memcg, sizeof(s->pid_memcg), "%s", p ? p : "/");
	proc_cgroups__free(cgs);
	return 0;
}

int oom_scope__init(struct oom_scope *s, const struct common_opts *co,
		    const struct cgroup_layout *cl)
{
	int given = !!co->pid + !!co->cgroup + !!co->pod + !!co->container;

	memset(s, 0, sizeof(*s));
	if (given > 1)
		return err_fail(GT_EUSAGE, "give at most one of --pid, --cgroup, --pod, "
					   "--container");
	s->all = given == 0;
	if (co->pid)
		return set_pid(s, co->pid);
	if (co->pod)
		return set_pod(s, co->pod);
	if (co->container)
		return set_container(s, co->container);
	if (co->cgroup)
		return co->cgroup[0] >= '0' && co->cgroup[0] <= '9'
			       ? cgroup_from_id(s, co->cgroup, cl)
			       : cgroup_from_path(s, co->cgroup, cl);
	return 0;
}

bool oom_scope__cgroup(void *ctx, const char *path)
{
	const struct oom_scope *s = ctx;
	struct cgroup_identity id;

	if (s->all)
		return true;
	if (s->pid)
		return under(path, s->pid_memcg);
	if (s->cgroup[0])
		return under(path, s->cgroup);
	cgroup_path__classify(path, &id);
	if (s->pod_uid[0])
		return !strcmp(id.pod_uid, s->pod_uid);
	return id.container_id[0] && !strncmp(id.container_id, s->container, strlen(s->container));
}

bool oom_scope__kill(const struct oom_scope *s, const struct oom_report *r)
{
	if (s->all)
		return true;
	if (s->pid)
		return r->ev.victim_pid == (uint32_t)s->pid;
	if (s->cgroup[0])
		return (r->victim_memcg[0] && under(r->victim_memcg, s->cgroup)) ||
		       (r->have_id && under(r->id.cgroup, s->cgroup));
	if (!r->have_id)
		return false;
	if (s->pod_uid[0])
		return !strcmp(r->id.cg.pod_uid, s->pod_uid);
	return r->id.cg.container_id[0] &&
	       !strncmp(r->id.cg.container_id, s->container, strlen(s->container));
}

void oom_scope__describe(const struct oom_scope *s, char *buf, size_t len)
{
	if (s->all)
		snprintf(buf, len, "node-wide");
	else if (s->pid)
		snprintf(buf, len, "pid %d (memory cgroup %s)", (int)s->pid, s->pid_memcg);
	else if (s->cgroup[0])
		snprintf(buf, len, "cgroup %s", s->cgroup);
	else if (s->pod_uid[0])
		snprintf(buf, len, "pod %s", s->pod_uid);
	else
		snprintf(buf, len, "container %s", s->container);
}
