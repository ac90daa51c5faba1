// SPDX-License-Identifier: GPL-2.0
/*
 * Cgroup path → Kubernetes pod / container / systemd unit. The layouts:
 *
 * kubelet (pkg/kubelet/cm/cgroup_manager_linux.go, qos_container_manager_linux.go):
 * the abstract name {"kubepods", "<qos>", "pod<uid>"} (no QoS level for
 * Guaranteed pods) becomes, with the cgroupfs driver,
 *   /kubepods/burstable/pod1234-abcd
 * and with the systemd driver (ToSystemd: '-' escaped to '_', then
 * systemd's ExpandSlice)
 *   /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234_abcd.slice
 * --cgroup-root prefixes both (kind nodes: /kubelet.slice/kubelet-kubepods.slice/...).
 * Pod UIDs are UUIDs, or 32 hex digits for static pods (a config hash).
 *
 * Container cgroups under the pod: with systemd, a scope "<prefix>-<id>.scope"
 * where the prefix is "cri-containerd" (containerd CRI), "crio" (CRI-O;
 * "crio-conmon" for its monitor) or "docker" (dockershim/cri-dockerd); with
 * cgroupfs, "<id>" (containerd, docker) or "crio-<id>" (CRI-O
 * internal/config/cgmgr). crun adds a "container" child below the scope.
 * Container ids are 64 lowercase hex digits.
 *
 * Outside Kubernetes: docker "/docker/<id>" (cgroupfs) or
 * "/system.slice/docker-<id>.scope"; podman "machine.slice/libpod-<id>.scope"
 * ("libpod-conmon-<id>.scope" for conmon); nerdctl "nerdctl-<id>.scope";
 * plain systemd units "system.slice/foo.service", "user.slice/.../session-3.scope".
 */
#include <errno.h>
#include <string.h>

#include "proc/cgroup.h"

struct walk {
	struct cgroup_identity *id;
	bool pod, container_checked;
	enum cgroup_driver kubepods_driver; /* a kubepods root was seen, in this layout */
	char prev[256];
};

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t sl = strlen(suffix);

	return n >= sl && !memcmp(s + n - sl, suffix, sl);
}

static bool is_container_id(const char *s, size_t n)
{
	if (n != CGROUP_CONTAINER_ID_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static void copy(char *dst, size_t size, const char *s, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/*
 * A pod UID as the driver printed it: dashes (cgroupfs) or underscores
 * standing for dashes (systemd). Stored with dashes.
 */
static bool take_pod_uid(struct cgroup_identity *id, const char *s, size_t n, char dash)
{
	if (n == 0 || n > CGROUP_POD_UID_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      c == dash))
			return false;
	}
	for (size_t i = 0; i < n; i++)
		id->pod_uid[i] = s[i] == dash ? '-' : s[i];
	id->pod_uid[n] = '\0';
	return true;
}

static enum cgroup_qos qos_of(const char *s, size_t n)
{
	if (n == 9 && !memcmp(s, "burstable", 9))
		return CGROUP_QOS_BURSTABLE;
	if (n == 10 && !memcmp(s, "besteffort", 10))
		return CGROUP_QOS_BESTEFFORT;
	return CGROUP_QOS_NONE;
}

static const struct {
	const char *prefix;
	enum cgroup_runtime rt;
	bool conmon;
} scope_prefixes[] = {
	{"cri-containerd", CGROUP_RT_CONTAINERD, false},
	{"crio-conmon", CGROUP_RT_CRIO, true},
	{"crio", CGROUP_RT_CRIO, false},
	{"docker", CGROUP_RT_DOCKER, false},
	{"libpod-conmon", CGROUP_RT_PODMAN, true},
	{"libpod", CGROUP_RT_PODMAN, false},
	{"nerdctl", CGROUP_RT_CONTAINERD, false},
};

/* "<prefix>-<id>" (with ".scope" already cut off, or a cgroupfs "crio-<id>"). */
static bool take_prefixed_id(struct cgroup_identity *id, const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(scope_prefixes) / sizeof(scope_prefixes[0]); i++) {
		size_t pl = strlen(scope_prefixes[i].prefix);

		if (n != pl + 1 + CGROUP_CONTAINER_ID_LEN ||
		    memcmp(s, scope_prefixes[i].prefix, pl) || s[pl] != '-' ||
		    !is_container_id(s + pl + 1, CGROUP_CONTAINER_ID_LEN))
			continue;
		copy(id->container_id, sizeof(id->container_id), s + pl + 1,
		     CGROUP_CONTAINER_ID_LEN);
		id->runtime = scope_prefixes[i].rt;
		id->conmon = scope_prefixes[i].conmon;
		return true;
	}
	return false;
}

/* A container cgroup directly below a pod. */
static bool take_pod_container(struct cgroup_identity *id, const char *c, size_t n)
{
	if (ends_with(c, n, ".scope")) {
		copy(id->unit, sizeof(id->unit), c, n);
		return take_prefixed_id(id, c, n - 6);
	}
	if (is_container_id(c, n)) {
		copy(id->container_id, sizeof(id->container_id), c, n);
		id->runtime = CGROUP_RT_UNKNOWN;
		return true;
	}
	return take_prefixed_id(id, c, n);
}

static void pod_found(struct walk *w, enum cgroup_driver driver, enum cgroup_qos qos)
{
	struct cgroup_identity *id = w->id;

	/* A pod below a docker container (kind, k3d): the pod is the identity. */
	id->container_id[0] = id->unit[0] = '\0';
	id->runtime = CGROUP_RT_NONE;
	id->conmon = false;
	id->driver = driver;
	id->qos = qos == CGROUP_QOS_NONE ? CGROUP_QOS_GUARANTEED : qos;
	w->pod = true;
}

/*
 * "<root>-[<qos>-]pod<uid>.slice", <root> being "kubepods" or a
 * --cgroup-root-prefixed "kubelet-kubepods". The UID has no dashes (they
 * became '_'), so the last '-' starts "pod<uid>".
 */
static bool systemd_pod(struct walk *w, const char *c, size_t n)
{
	const char *dash, *qos_start;
	size_t base;

	if (!ends_with(c, n, ".slice"))
		return false;
	base = n - 6;
	if (!memmem(c, base, "kubepods", 8))
		return false;
	dash = memrchr(c, '-', base);
	if (!dash || (size_t)(c + base - dash) < 5 || memcmp(dash + 1, "pod", 3))
		return false;
	if (!take_pod_uid(w->id, dash + 4, (size_t)(c + base - dash - 4), '_'))
		return false;
	qos_start = dash > c ? memrchr(c, '-', (size_t)(dash - c)) : NULL;
	qos_start = qos_start ? qos_start + 1 : c;
	pod_found(w, CGROUP_DRIVER_SYSTEMD, qos_of(qos_start, (size_t)(dash - qos_start)));
	return true;
}

/* "pod<uid>" right below "kubepods" (Guaranteed) or "burstable"/"besteffort". */
static bool cgroupfs_pod(struct walk *w, const char *c, size_t n)
{
	enum cgroup_qos qos = qos_of(w->prev, strlen(w->prev));

	if (n < 4 || memcmp(c, "pod", 3))
		return false;
	if (qos == CGROUP_QOS_NONE && strcmp(w->prev, "kubepods"))
		return false;
	if (!take_pod_uid(w->id, c + 3, n - 3, '-'))
		return false;
	pod_found(w, CGROUP_DRIVER_CGROUPFS, qos);
	return true;
}

static bool is_kubepods_root(struct walk *w, const char *c, size_t n)
{
	if (n == 8 && !memcmp(c, "kubepods", 8))
		w->kubepods_driver = CGROUP_DRIVER_CGROUPFS;
	else if (ends_with(c, n, "kubepods.slice"))
		w->kubepods_driver = CGROUP_DRIVER_SYSTEMD;
	else
		return false;
	return true;
}

/* Outside a pod: docker's cgroupfs "/docker/<id>", container scopes, systemd units. */
static void non_pod(struct walk *w, const char *c, size_t n)
{
	struct cgroup_identity *id = w->id;
	bool service = ends_with(c, n, ".service"), scope = ends_with(c, n, ".scope");

	if (is_kubepods_root(w, c, n))
		return;
	if (!strcmp(w->prev, "docker") && is_container_id(c, n)) {
		copy(id->container_id, sizeof(id->container_id), c, n);
		id->runtime = CGROUP_RT_DOCKER;
		id->kind = CGROUP_KIND_CONTAINER;
		id->unit[0] = '\0';
		return;
	}
	if (scope && take_prefixed_id(id, c, n - 6)) {
		copy(id->unit, sizeof(id->unit), c, n);
		id->kind = CGROUP_KIND_CONTAINER;
		return;
	}
	/* Inside a container, its own units do not change whose it is. */
	if ((service || scope) && id->kind != CGROUP_KIND_CONTAINER) {
		copy(id->unit, sizeof(id->unit), c, n);
		id->kind = service ? CGROUP_KIND_SYSTEMD_SERVICE : CGROUP_KIND_SYSTEMD_SCOPE;
	}
}

static void component(struct walk *w, const char *c, size_t n)
{
	if (w->pod && !w->container_checked) {
		w->container_checked = true;
		if (take_pod_container(w->id, c, n))
			w->id->kind = CGROUP_KIND_K8S_CONTAINER;
	} else if (!w->pod && !systemd_pod(w, c, n) && !cgroupfs_pod(w, c, n)) {
		non_pod(w, c, n);
	}
	if (w->pod && w->id->kind != CGROUP_KIND_K8S_CONTAINER)
		w->id->kind = CGROUP_KIND_K8S_POD;
	copy(w->prev, sizeof(w->prev), c, n);
}

int cgroup_path__classify(const char *path, struct cgroup_identity *id)
{
	struct walk w = {.id = id};
	const char *p = path;

	memset(id, 0, sizeof(*id));
	if (!path || path[0] != '/')
		return -EINVAL;
	while (*p) {
		size_t n;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n)
			component(&w, p, n);
		p += n;
	}
	if (strspn(path, "/") == strlen(path))
		id->kind = CGROUP_KIND_ROOT;
	/* "/kubepods/burstable": Kubernetes' own, though no pod's. */
	if (!w.pod)
		id->driver = w.kubepods_driver;
	return 0;
}

/* How much a classification says; the identity is the most telling path. */
static int rank(const struct cgroup_identity *id)
{
	switch (id->kind) {
	case CGROUP_KIND_K8S_CONTAINER:
		return 5;
	case CGROUP_KIND_K8S_POD:
	case CGROUP_KIND_CONTAINER:
		return 4;
	case CGROUP_KIND_SYSTEMD_SERVICE:
	case CGROUP_KIND_SYSTEMD_SCOPE:
		return 2;
	case CGROUP_KIND_ROOT:
		return 1;
	default:
		return 0;
	}
}

static void consider(const char *path, struct cgroup_identity *best, int *best_rank)
{
	struct cgroup_identity id;

	if (!path || cgroup_path__classify(path, &id) || rank(&id) <= *best_rank)
		return;
	*best = id;
	*best_rank = rank(&id);
}

/*
 * On a hybrid host the hierarchies can disagree (a manager may have moved
 * the process in some v1 hierarchies only, leaving "/" elsewhere), so every
 * line is looked at and the most telling path wins; ties go to the order
 * below.
 */
int proc_cgroups__identity(const struct proc_cgroups *cgs, struct cgroup_identity *id)
{
	static const char *const prefer[] = {"name=systemd", "memory", "cpu", "pids"};
	int best_rank = -1;

	memset(id, 0, sizeof(*id));
	consider(proc_cgroups__unified(cgs), id, &best_rank);
	for (size_t i = 0; i < sizeof(prefer) / sizeof(prefer[0]); i++)
		consider(proc_cgroups__path(cgs, prefer[i]), id, &best_rank);
	for (size_t i = 0; i < proc_cgroups__count(cgs); i++)
		consider(proc_cgroups__get(cgs, i)->path, id, &best_rank);
	return best_rank < 0 ? -ENOENT : 0;
}

const char *cgroup_kind__name(enum cgroup_kind k)
{
	static const char *const names[] = {
		[CGROUP_KIND_UNKNOWN] = "unknown",
		[CGROUP_KIND_ROOT] = "root",
		[CGROUP_KIND_K8S_POD] = "k8s_pod",
		[CGROUP_KIND_K8S_CONTAINER] = "k8s_container",
		[CGROUP_KIND_CONTAINER] = "container",
		[CGROUP_KIND_SYSTEMD_SERVICE] = "systemd_service",
		[CGROUP_KIND_SYSTEMD_SCOPE] = "systemd_scope",
	};

	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "unknown";
}

const char *cgroup_qos__name(enum cgroup_qos q)
{
	static const char *const names[] = {
		[CGROUP_QOS_NONE] = "",
		[CGROUP_QOS_GUARANTEED] = "guaranteed",
		[CGROUP_QOS_BURSTABLE] = "burstable",
		[CGROUP_QOS_BESTEFFORT] = "besteffort",
	};

	return (unsigned)q < sizeof(names) / sizeof(names[0]) ? names[q] : "";
}

const char *cgroup_runtime__name(enum cgroup_runtime r)
{
	static const char *const names[] = {
		[CGROUP_RT_NONE] = "",
		[CGROUP_RT_UNKNOWN] = "unknown",
		[CGROUP_RT_CONTAINERD] = "containerd",
		[CGROUP_RT_CRIO] = "cri-o",
		[CGROUP_RT_DOCKER] = "docker",
		[CGROUP_RT_PODMAN] = "podman",
	};

	return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : "";
}

const char *cgroup_driver__name(enum cgroup_driver d)
{
	static const char *const names[] = {
		[CGROUP_DRIVER_NONE] = "",
		[CGROUP_DRIVER_CGROUPFS] = "cgroupfs",
		[CGROUP_DRIVER_SYSTEMD] = "systemd",
	};

	return (unsigned)d < sizeof(names) / sizeof(names[0]) ? names[d] : "";
}
