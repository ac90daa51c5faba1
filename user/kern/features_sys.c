// SPDX-License-Identifier: GPL-2.0
/*
 * Facts about the system around BPF: privileges, tracefs, PSI, lockdown,
 * the kernel release and the cgroup layout. Each is read once per run.
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "kern/cgroup_layout.h"
#include "kern/features_int.h"
#include "kern/kconfig.h"
#include "kern/mountinfo.h"

/* Older uapi headers predate them (Linux 5.8). */
#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

/* The paths libbpf reads tracepoint ids from (libbpf 1.1 tracefs_path()). */
#define TRACEFS_DIR "/sys/kernel/tracing"
#define TRACEFS_DEBUG_DIR "/sys/kernel/debug/tracing"

static struct kern_privs privs;
static const char *tracefs_dir;
static bool tracefs_ours;
static struct kern_psi psi;

static bool cap_effective(const struct __user_cap_data_struct *d, int cap)
{
	return d[cap / 32].effective & (1u << (cap % 32));
}

void feat_probe_privileges(struct feature *f)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2] = {0};

	privs.euid = geteuid();
	if (syscall(SYS_capget, &hdr, data)) {
		feat_set(f, FEAT_MISSING, "capget failed: %s", strerror(errno));
		return;
	}
	privs.cap_bpf = cap_effective(data, CAP_BPF);
	privs.cap_perfmon = cap_effective(data, CAP_PERFMON);
	privs.cap_sys_admin = cap_effective(data, CAP_SYS_ADMIN);
	/* CAP_SYS_ADMIN alone suffices (and is needed before Linux 5.8). */
	if (privs.cap_sys_admin || (privs.cap_bpf && privs.cap_perfmon))
		feat_set(f, FEAT_OK, "euid %u;%s%s%s", (unsigned)privs.euid,
			 privs.cap_bpf ? " CAP_BPF" : "", privs.cap_perfmon ? " CAP_PERFMON" : "",
			 privs.cap_sys_admin ? " CAP_SYS_ADMIN" : "");
	else
		feat_set(f, FEAT_MISSING,
			 "euid %u without%s%s: run as root or grant CAP_BPF,CAP_PERFMON "
			 "(CAP_SYS_ADMIN before Linux 5.8)",
			 (unsigned)privs.euid, privs.cap_bpf ? "" : " CAP_BPF",
			 privs.cap_perfmon ? "" : " CAP_PERFMON");
}

const struct kern_privs *features__privs(void)
{
	features__get(FEAT_PRIVILEGES);
	return &privs;
}

/* Is tracefs mounted where libbpf looks for it? */
static const char *tracefs_mounted(void)
{
	char *text = mountinfo__read("/proc/self/mountinfo");
	const char *pos = text, *found = NULL;
	struct mountinfo_ent e;
	int r;

	while (text && !found && (r = mountinfo__next(&pos, &e)) != 0) {
		if (r < 0 || strcmp(e.fstype, "tracefs"))
			continue;
		if (!strcmp(e.mount_point, TRACEFS_DIR))
			found = TRACEFS_DIR;
		else if (!strcmp(e.mount_point, TRACEFS_DEBUG_DIR))
			found = TRACEFS_DEBUG_DIR;
	}
	free(text);
	return found;
}

/*
 * Tracepoints need tracefs for their ids. Many nodes do not mount it at
 * boot; gotrace mounts it itself when it may (and says so) rather than
 * making the user do it. It stays mounted: another tool may use it by then.
 */
void feat_probe_tracefs(struct feature *f)
{
	if (features__disabled(MECH_TRACEPOINT)) {
		feat_set(f, FEAT_DISABLED, "disabled by --no-feature");
		return;
	}
	tracefs_dir = tracefs_mounted();
	if (tracefs_dir) {
		feat_set(f, FEAT_OK, "mounted at %s", tracefs_dir);
		return;
	}
	if (!features__privs()->cap_sys_admin) {
		feat_set(f, FEAT_MISSING,
			 "not mounted, and mounting needs CAP_SYS_ADMIN: "
			 "mount -t tracefs nodev " TRACEFS_DIR);
		return;
	}
	if (mount("nodev", TRACEFS_DIR, "tracefs", 0, NULL)) {
		feat_set(f, FEAT_MISSING,
			 "not mounted, and mounting it at " TRACEFS_DIR " failed: %s",
			 strerror(errno));
		return;
	}
	tracefs_dir = TRACEFS_DIR;
	tracefs_ours = true;
	feat_set(f, FEAT_OK, "was not mounted: gotrace mounted it at " TRACEFS_DIR);
}

const char *features__tracefs_dir(void)
{
	features__get(FEAT_TRACEFS);
	return tracefs_dir;
}

bool features__tracefs_mounted_by_us(void)
{
	features__get(FEAT_TRACEFS);
	return tracefs_ours;
}

/* A pressure file exists but reads EOPNOTSUPP when PSI is off at boot. */
static bool psi_readable(const char *res)
{
	char path[32], line[128];
	bool ok;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/pressure/%s", res);
	fp = fopen(path, "re");
	if (!fp)
		return false;
	ok = fgets(line, sizeof(line), fp) != NULL;
	fclose(fp);
	return ok;
}

void feat_probe_psi(struct feature *f)
{
	psi.cpu = psi_readable("cpu");
	psi.memory = psi_readable("memory");
	psi.io = psi_readable("io");
	if (psi.cpu || psi.memory || psi.io)
		feat_set(f, FEAT_OK, "/proc/pressure:%s%s%s", psi.cpu ? " cpu" : "",
			 psi.memory ? " memory" : "", psi.io ? " io" : "");
	else
		feat_set(
			f, FEAT_MISSING,
			"no readable /proc/pressure: kernel without CONFIG_PSI, or PSI off at boot "
			"(boot with psi=1)");
}

const struct kern_psi *features__psi(void)
{
	features__get(FEAT_PSI);
	return &psi;
}

const char *features__kernel_release(void)
{
	static struct utsname u;

	if (!u.release[0] && uname(&u))
		snprintf(u.release, sizeof(u.release), "unknown");
	return u.release;
}

/* securityfs shows "none [integrity] confidentiality"; the bracketed one is active. */
static bool lockdown_from_securityfs(char *mode, size_t len)
{
	char line[128], *open_b, *close_b;
	FILE *fp = fopen("/sys/kernel/security/lockdown", "re");
	bool ok = false;

	if (!fp)
		return false;
	if (fgets(line, sizeof(line), fp) && (open_b = strchr(line, '[')) &&
	    (close_b = strchr(open_b, ']'))) {
		snprintf(mode, len, "%.*s", (int)(close_b - open_b - 1), open_b + 1);
		ok = true;
	}
	fclose(fp);
	return ok;
}

/* Without securityfs a mode forced at build time is still known. */
static bool lockdown_from_kconfig(char *mode, size_t len)
{
	char v[8];

	if (!kconfig__get("CONFIG_LOCK_DOWN_KERNEL_FORCE_CONFIDENTIALITY", v, sizeof(v)) &&
	    !strcmp(v, "y"))
		snprintf(mode, len, "confidentiality");
	else if (!kconfig__get("CONFIG_LOCK_DOWN_KERNEL_FORCE_INTEGRITY", v, sizeof(v)) &&
		 !strcmp(v, "y"))
		snprintf(mode, len, "integrity");
	else
		return false;
	return true;
}

const char *features__lockdown(const char **source)
{
	static char mode[32];
	static const char *src;

	if (!src) {
		if (lockdown_from_securityfs(mode, sizeof(mode)))
			src = "/sys/kernel/security/lockdown";
		else if (lockdown_from_kconfig(mode, sizeof(mode)))
			src = "forced by the kernel config; securityfs not mounted";
		else
			src = "not readable: securityfs not mounted, no forced mode in the kernel "
			      "config";
		if (!mode[0])
			snprintf(mode, sizeof(mode), "unknown");
	}
	if (source)
		*source = src;
	return mode;
}

const struct cgroup_layout *features__cgroup(void)
{
	static struct cgroup_layout layout;
	static bool done;

	if (!done) {
		done = true;
		if (cgroup_layout__read(&layout))
			memset(&layout, 0, sizeof(layout));
	}
	return &layout;
}
