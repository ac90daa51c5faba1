// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/PID/cgroup and cgroup path classification. Oracles: the cgroup
 * filesystem itself (our pid is listed in the cgroup.procs of the paths
 * parsed), and paths built here the way each component documents building
 * them (cited at each case), from ids chosen here.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/magic.h>
#include <cmocka.h>

#include "base/err.h"
#include "proc/cgroup.h"
#include "proc/procfs.h"

#define UID "1b4b6e6c-2f1a-4c2b-9a4e-0d7c1f3b5a9e"
#define CID "4f797c539e6c745de61a93ca3ff892358ecbcaccd8414d5db545c38428142970"
#define CID2 "9ec39b91f3d70e1beff50a308f77067065ea6be0d91a3378375056cd4422cf3d"
/* Static (mirror) pods: the UID is the hex config hash, no dashes. */
#define STATIC_UID "0f8e5d3c2b1a09f8e7d6c5b4a3928170"

static char uid_systemd[sizeof(UID)];

/* kubelet escapeSystemdCgroupName: strings.Replace(part, "-", "_", -1). */
static void make_systemd_uid(void)
{
	for (size_t i = 0; i < sizeof(UID); i++)
		uid_systemd[i] = UID[i] == '-' ? '_' : UID[i];
}

struct want {
	enum cgroup_kind kind;
	enum cgroup_driver driver;
	enum cgroup_qos qos;
	enum cgroup_runtime rt;
	const char *uid, *cid, *unit;
	bool conmon;
};

static void check(const char *path, struct want w)
{
	struct cgroup_identity id;

	assert_int_equal(cgroup_path__classify(path, &id), 0);
	if (id.kind != w.kind)
		print_error("path %s: kind %s, want %s\n", path, cgroup_kind__name(id.kind),
			    cgroup_kind__name(w.kind));
	assert_int_equal(id.kind, w.kind);
	assert_int_equal(id.driver, w.driver);
	assert_int_equal(id.qos, w.qos);
	assert_int_equal(id.runtime, w.rt);
	assert_string_equal(id.pod_uid, w.uid ? w.uid : "");
	assert_string_equal(id.container_id, w.cid ? w.cid : "");
	if (w.unit)
		assert_string_equal(id.unit, w.unit);
	assert_int_equal(id.conmon, w.conmon);
}

static void check_fmt(struct want w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check_fmt(struct want w, const char *fmt, ...)
{
	char path[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	check(path, w);
}

#define K8S_C CGROUP_KIND_K8S_CONTAINER
#define SD CGROUP_DRIVER_SYSTEMD
#define FS CGROUP_DRIVER_CGROUPFS

/*
 * kubelet systemd driver: ToSystemd({"kubepods","burstable","pod<uid>"}) =
 * /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid_>.slice
 * (pkg/kubelet/cm/cgroup_manager_linux.go); containerd's CRI scope is
 * "cri-containerd-<id>.scope" (kubelet SystemdPathPrefixOfRuntime), CRI-O's
 * "crio-<id>.scope" and "crio-conmon-<id>.scope" (internal/config/cgmgr),
 * with crun's "container" child under the scope.
 */
static void test_k8s_systemd(void **state)
{
	check_fmt((struct want){K8S_C, SD, CGROUP_QOS_BURSTABLE, CGROUP_RT_CONTAINERD, UID, CID,
				"cri-containerd-" CID ".scope"},
		  "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod%s.slice/"
		  "cri-containerd-%s.scope",
		  uid_systemd, CID);
	/* Guaranteed pods have no QoS level (qos_container_manager_linux.go). */
	check_fmt((struct want){K8S_C, SD, CGROUP_QOS_GUARANTEED, CGROUP_RT_CONTAINERD, UID, CID},
		  "/kubepods.slice/kubepods-pod%s.slice/cri-containerd-%s.scope", uid_systemd, CID);
	check_fmt((struct want){K8S_C, SD, CGROUP_QOS_BESTEFFORT, CGROUP_RT_CRIO, UID, CID},
		  "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod%s.slice/"
		  "crio-%s.scope/container",
		  uid_systemd, CID);
	check_fmt((struct want){K8S_C, SD, CGROUP_QOS_BURSTABLE, CGROUP_RT_CRIO, UID, CID, NULL,
				true},
		  "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod%s.slice/"
		  "crio-conmon-%s.scope",
		  uid_systemd, CID);
	/* dockershim / cri-dockerd with the systemd driver: docker-<id>.scope. */
	check_fmt((struct want){K8S_C, SD, CGROUP_QOS_GUARANTEED, CGROUP_RT_DOCKER, UID, CID},
		  "/kubepods.slice/kubepods-pod%s.slice/docker-%s.scope", uid_systemd, CID);
	/* --cgroup-root=/kubelet.slice, as kind sets it up. */
	check_fmt((struct want){K8S_C, SD, CGROUP_QOS_BESTEFFORT, CGROUP_RT_CONTAINERD, UID, CID},
		  "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
		  "kubelet-kubepods-besteffort-pod%s.slice/cri-containerd-%s.scope",
		  uid_systemd, CID);
}

/*
 * kubelet cgroupfs driver: ToCgroupfs = "/" + path.Join(name...), i.e.
 * /kubepods/<qos>/pod<uid>; containerd and docker name the container
 * cgroup by its bare id, CRI-O by "crio-<id>".
 */
static void test_k8s_cgroupfs(void **state)
{
	check("/kubepods/burstable/pod" UID "/" CID,
	      (struct want){K8S_C, FS, CGROUP_QOS_BURSTABLE, CGROUP_RT_UNKNOWN, UID, CID});
	check("/kubepods/pod" UID "/" CID,
	      (struct want){K8S_C, FS, CGROUP_QOS_GUARANTEED, CGROUP_RT_UNKNOWN, UID, CID});
	check("/kubepods/besteffort/pod" UID "/crio-" CID,
	      (struct want){K8S_C, FS, CGROUP_QOS_BESTEFFORT, CGROUP_RT_CRIO, UID, CID});
	check("/kubepods/burstable/pod" STATIC_UID "/" CID,
	      (struct want){K8S_C, FS, CGROUP_QOS_BURSTABLE, CGROUP_RT_UNKNOWN, STATIC_UID, CID});
	/* A pod inside a docker container (kind/k3d on cgroup v1): the pod wins. */
	check("/docker/" CID2 "/kubepods/burstable/pod" UID "/" CID,
	      (struct want){K8S_C, FS, CGROUP_QOS_BURSTABLE, CGROUP_RT_UNKNOWN, UID, CID});
	/* The pod's own cgroup, and one the container made below its own. */
	check("/kubepods/burstable/pod" UID,
	      (struct want){CGROUP_KIND_K8S_POD, FS, CGROUP_QOS_BURSTABLE, 0, UID});
	check("/kubepods/burstable/pod" UID "/" CID "/sub/" CID2,
	      (struct want){K8S_C, FS, CGROUP_QOS_BURSTABLE, CGROUP_RT_UNKNOWN, UID, CID});
	/* The QoS level: Kubernetes' own, no pod. */
	check("/kubepods/besteffort", (struct want){CGROUP_KIND_UNKNOWN, FS});
	check("/kubepods.slice/kubepods-burstable.slice", (struct want){CGROUP_KIND_UNKNOWN, SD});
}

/*
 * Outside Kubernetes: docker's cgroupfs driver "/docker/<id>" and systemd
 * driver "system.slice/docker-<id>.scope"; podman's "libpod-<id>.scope"
 * and "libpod-conmon-<id>.scope" under machine.slice; rootless containerd
 * under the user's systemd (kubernetes "Rootless" feature gate commit:
 * /user.slice/user-1001.slice/user@1001.service/user.slice/cri-containerd-<id>.scope).
 */
static void test_containers(void **state)
{
	const enum cgroup_kind C = CGROUP_KIND_CONTAINER;

	check("/docker/" CID, (struct want){C, 0, 0, CGROUP_RT_DOCKER, NULL, CID});
	check("/docker/" CID2 "/docker/" CID, (struct want){C, 0, 0, CGROUP_RT_DOCKER, NULL, CID});
	check("/system.slice/docker-" CID ".scope",
	      (struct want){C, 0, 0, CGROUP_RT_DOCKER, NULL, CID, "docker-" CID ".scope"});
	/* systemd inside the container keeps its own units below the scope. */
	check("/system.slice/docker-" CID ".scope/init.scope",
	      (struct want){C, 0, 0, CGROUP_RT_DOCKER, NULL, CID});
	check("/machine.slice/libpod-" CID ".scope",
	      (struct want){C, 0, 0, CGROUP_RT_PODMAN, NULL, CID});
	check("/machine.slice/libpod-conmon-" CID ".scope",
	      (struct want){C, 0, 0, CGROUP_RT_PODMAN, NULL, CID, NULL, true});
	check("/user.slice/user-1001.slice/user@1001.service/user.slice/cri-containerd-" CID
	      ".scope",
	      (struct want){C, 0, 0, CGROUP_RT_CONTAINERD, NULL, CID});
	check("/system.slice/nerdctl-" CID ".scope",
	      (struct want){C, 0, 0, CGROUP_RT_CONTAINERD, NULL, CID});
}

static void test_systemd_units(void **state)
{
	check("/system.slice/containerd.service",
	      (struct want){CGROUP_KIND_SYSTEMD_SERVICE, .unit = "containerd.service"});
	check("/user.slice/user-1000.slice/user@1000.service/app.slice/foo.service",
	      (struct want){CGROUP_KIND_SYSTEMD_SERVICE, .unit = "foo.service"});
	check("/user.slice/user-1000.slice/session-3.scope",
	      (struct want){CGROUP_KIND_SYSTEMD_SCOPE, .unit = "session-3.scope"});
	check("/init.scope", (struct want){CGROUP_KIND_SYSTEMD_SCOPE, .unit = "init.scope"});
	check("/", (struct want){CGROUP_KIND_ROOT});
	check("//", (struct want){CGROUP_KIND_ROOT});
	check("/process_api/3489be1857eae14135e759a59b02f3f9", (struct want){0});
}

static void test_not_k8s(void **state)
{
	char *huge = malloc(20000);
	struct cgroup_identity id;

	/* pod<uid> only counts below kubepods or a QoS level. */
	check("/foo/pod" UID "/" CID, (struct want){0});
	check("/kubepods/burstable/pod/" CID, (struct want){0, FS});
	check("/kubepods/burstable/pod" UID "/" CID "0", /* 65 digits */
	      (struct want){CGROUP_KIND_K8S_POD, FS, CGROUP_QOS_BURSTABLE, 0, UID});
	check("/kubepods/burstable/podABC_DEF/" CID, (struct want){0, FS});
	check("/kubepods/pod" UID
	      "/4F797C539E6C745DE61A93CA3FF892358ECBCACCD8414D5DB545C38428142970",
	      (struct want){CGROUP_KIND_K8S_POD, FS, CGROUP_QOS_GUARANTEED, 0, UID});
	/* systemd form with raw dashes: the last '-' splits "pod..." off wrong. */
	check("/kubepods.slice/kubepods-pod" UID ".slice", (struct want){0, SD});
	check("/kubepods.slice/kubepods-pod.slice", (struct want){0, SD});
	check("/system.slice/docker-" CID ".scop", (struct want){0});
	check("/system.slice/docker-.scope",
	      (struct want){CGROUP_KIND_SYSTEMD_SCOPE, .unit = "docker-.scope"});
	check("/docker/xyz", (struct want){0});
	assert_int_equal(cgroup_path__classify("kubepods/pod" UID, &id), -EINVAL);
	assert_int_equal(cgroup_path__classify(NULL, &id), -EINVAL);
	assert_non_null(huge);
	memset(huge, 'a', 19999);
	huge[0] = '/';
	huge[19999] = '\0';
	memcpy(huge + 19990, ".service", 9);
	assert_int_equal(cgroup_path__classify(huge, &id), 0);
	assert_int_equal(id.kind, CGROUP_KIND_SYSTEMD_SERVICE);
	assert_int_equal(strlen(id.unit), sizeof(id.unit) - 1); /* truncated, terminated */
	free(huge);
}

static struct proc_cgroups *parse_ok(const char *text)
{
	struct proc_cgroups *cgs = NULL;

	assert_int_equal(proc_cgroups__parse(text, strlen(text), &cgs), 0);
	return cgs;
}

/* Line format: cgroups(7) "/proc/[pid]/cgroup". */
static void test_parse(void **state)
{
	struct proc_cgroups *cgs = parse_ok("12:pids:/a\n"
					    "4:cpu,cpuacct:/b:c\n"
					    "1:name=systemd:/system.slice/x.service\n"
					    "0::/d (deleted)\n");

	assert_int_equal(proc_cgroups__count(cgs), 4);
	assert_string_equal(proc_cgroups__path(cgs, "cpuacct"), "/b:c");
	assert_string_equal(proc_cgroups__path(cgs, "cpu"), "/b:c");
	assert_null(proc_cgroups__path(cgs, "cpu,cpuacct"));
	assert_null(proc_cgroups__path(cgs, "memory"));
	assert_string_equal(proc_cgroups__path(cgs, "name=systemd"), "/system.slice/x.service");
	assert_string_equal(proc_cgroups__unified(cgs), "/d");
	assert_int_equal(proc_cgroups__get(cgs, 1)->hier_id, 4);
	assert_string_equal(proc_cgroups__get(cgs, 1)->controllers, "cpu,cpuacct");
	assert_null(proc_cgroups__get(cgs, 4));
	proc_cgroups__free(cgs);
	cgs = parse_ok("0::/\n");
	assert_null(proc_cgroups__path(cgs, "memory"));
	assert_string_equal(proc_cgroups__unified(cgs), "/");
	proc_cgroups__free(cgs);
	cgs = parse_ok("3:memory:/x");
	assert_null(proc_cgroups__unified(cgs));
	proc_cgroups__free(cgs);
	proc_cgroups__free(NULL);
}

static void test_parse_hostile(void **state)
{
	static const char *const bad[] = {
		"12:memory\n",
		"x:memory:/a\n",
		"-1:memory:/a\n",
		"0:memory:/a\n", /* cgroup2 has no controllers */
		"3::/a\n",	 /* v1 always has some */
		"3:memory:a\n",	 /* paths are absolute */
		"4294967296:memory:/a\n",
		/* A cgroup named "x\n0::/fake": the id repeats. */
		"0::/kubepods/burstable/x\n0::/kubepods/burstable/pod" UID "/" CID "\n",
	};
	struct proc_cgroups *cgs;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(proc_cgroups__parse(bad[i], strlen(bad[i]), &cgs), -GT_EFORMAT);
		assert_null(cgs);
	}
	assert_int_equal(proc_cgroups__parse("0::/a\0b", 7, &cgs), -GT_EFORMAT);
}

/* Hybrid host: cgroup2 says nothing, the v1 lines name the container. */
static void test_identity(void **state)
{
	struct proc_cgroups *cgs = parse_ok("3:cpu,cpuacct:/system.slice/docker-" CID ".scope\n"
					    "2:memory:/system.slice/docker-" CID ".scope\n"
					    "1:name=systemd:/system.slice/docker-" CID ".scope\n"
					    "0::/\n");
	struct cgroup_identity id;

	assert_int_equal(proc_cgroups__identity(cgs, &id), 0);
	assert_int_equal(id.kind, CGROUP_KIND_CONTAINER);
	assert_string_equal(id.container_id, CID);
	proc_cgroups__free(cgs);
	cgs = parse_ok("");
	assert_int_equal(proc_cgroups__identity(cgs, &id), -ENOENT);
	proc_cgroups__free(cgs);
}

/* Is pid listed in <mount><path>/cgroup.procs? */
static bool listed(const char *mount, const char *path, pid_t pid)
{
	char file[4096], line[32];
	bool found = false;
	FILE *f;

	snprintf(file, sizeof(file), "%s%s/cgroup.procs", mount, path);
	f = fopen(file, "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = atoi(line) == pid;
	fclose(f);
	return found;
}

static void test_self_vs_cgroupfs(void **state)
{
	struct proc_cgroups *cgs;
	const char *p;
	struct statfs sf;
	int checked = 0;

	assert_int_equal(proc_cgroups__read(getpid(), &cgs), 0);
	assert_true(proc_cgroups__count(cgs) >= 1);
	if ((p = proc_cgroups__path(cgs, "memory")) && !statfs("/sys/fs/cgroup/memory", &sf)) {
		assert_true(listed("/sys/fs/cgroup/memory", p, getpid()));
		checked++;
	}
	if ((p = proc_cgroups__unified(cgs))) {
		const char *mnt = !statfs("/sys/fs/cgroup", &sf) && sf.f_type == CGROUP2_SUPER_MAGIC
					  ? "/sys/fs/cgroup"
					  : "/sys/fs/cgroup/unified";

		if (!statfs(mnt, &sf) && sf.f_type == CGROUP2_SUPER_MAGIC) {
			assert_true(listed(mnt, strcmp(p, "/") ? p : "", getpid()));
			checked++;
		}
	}
	if (!checked)
		print_message("SKIP: no cgroup filesystem mounted to check against\n");
	else
		print_message("checked %d hierarchies against cgroup.procs\n", checked);
	proc_cgroups__free(cgs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_k8s_systemd),	 cmocka_unit_test(test_k8s_cgroupfs),
		cmocka_unit_test(test_containers),	 cmocka_unit_test(test_systemd_units),
		cmocka_unit_test(test_not_k8s),		 cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_hostile),	 cmocka_unit_test(test_identity),
		cmocka_unit_test(test_self_vs_cgroupfs),
	};

	make_systemd_uid();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
