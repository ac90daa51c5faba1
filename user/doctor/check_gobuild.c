// SPDX-License-Identifier: GPL-2.0
/*
 * go.build: the binary's Go version and build settings (CGO_ENABLED,
 * -buildmode, GOARCH) against what its container's root provides. A
 * CGO_ENABLED=1 build is dynamically linked to glibc: in a scratch,
 * distroless-static or alpine (musl) image its ELF interpreter
 * (/lib64/ld-linux-x86-64.so.2) does not exist, and execve fails with
 * ENOENT although the binary is right there. A binary for another
 * architecture fails with ENOEXEC.
 *
 * The binary is the process's (/proc/PID/exe); with no process, the one
 * the last instance's log says failed to exec, looked up in --rootfs. The
 * lookups inside the root never follow symlinks out of it (proc/rootfs.h),
 * through the same root check `info --pid` runs (proc/rootcheck.h).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/err.h"
#include "doctor/check.h"
#include "doctor/logscan.h"
#include "doctor/target.h"
#include "goelf/binfacts.h"
#include "proc/rootcheck.h"
#include "proc/rootfs.h"
#include "rank/fact.h"

struct libc_probe {
	const char *path;
	const char *libc;
};

/* Where each libc's loader lives in the images people build on. */
static const struct libc_probe probes[] = {
	{"/lib64/ld-linux-x86-64.so.2", "glibc"},
	{"/lib/ld-linux-aarch64.so.1", "glibc"},
	{"/lib/x86_64-linux-gnu/libc.so.6", "glibc"},
	{"/lib/aarch64-linux-gnu/libc.so.6", "glibc"},
	{"/usr/lib64/libc.so.6", "glibc"},
	{"/lib/ld-musl-x86_64.so.1", "musl"},
	{"/lib/ld-musl-aarch64.so.1", "musl"},
};

struct binary {
	char path[PATH_MAX]; /* as shown */
	struct elf_file *ef;
	struct bin_facts bf;
	struct root_check rc;
	const char *root_libc; /* what the root holds: "glibc", "musl", "none" */
	const char *root_libc_path;
};

/* The executable: the process's, else the path of the last failed exec, inside the root. */
static int open_binary(const struct doctor_target *t, int root, struct binary *b,
		       struct check_result *r)
{
	struct instance_logs logs;
	struct log_error e = {0};
	int fd, err;

	if (t->pid) {
		snprintf(b->path, sizeof(b->path), "%s/exe", t->proc_dir);
		fd = open(b->path, O_RDONLY | O_CLOEXEC);
		fd = fd < 0 ? -errno : fd;
	} else {
		if (!instance_logs__read(t, &logs))
			for (int c = LOG_EXEC_ENOENT; c <= LOG_EXEC_EACCES && !e.cls; c++)
				log_tail__find(&logs.prev, (enum log_class)c, &e);
		instance_logs__clear(&logs);
		if (e.cls < LOG_EXEC_ENOENT || e.cls > LOG_EXEC_EACCES || !e.path[0])
			return err_fail(ENOENT,
					"no process runs and no failed exec in the last log "
					"names the binary");
		snprintf(b->path, sizeof(b->path), "%s", e.path);
		check_evidence(r, "the last instance's log names the binary: %s", e.path);
		fd = rootfs__open(root, e.path, O_RDONLY);
	}
	if (fd < 0)
		return err_fail(-fd, "cannot open %s: %s", b->path, strerror(-fd));
	err = elf_file__open_fd(fd, b->path, &b->ef);
	close(fd);
	if (!err)
		err = bin_facts__collect(b->ef, &b->bf);
	return err;
}

static void probe_root(int root, struct binary *b)
{
	b->root_libc = "none";
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		if (rootfs__exists(root, probes[i].path) == 1) {
			b->root_libc = probes[i].libc;
			b->root_libc_path = probes[i].path;
			return;
		}
}

static uint16_t node_machine(void)
{
	struct utsname u;

	if (uname(&u))
		return EM_NONE;
	if (!strcmp(u.machine, "x86_64"))
		return EM_X86_64;
	if (!strcmp(u.machine, "aarch64"))
		return EM_AARCH64;
	return EM_NONE;
}

static const char *cgo(const struct bin_facts *f)
{
	const char *v = f->is_go ? go_buildinfo__setting(&f->bi, "CGO_ENABLED") : NULL;

	return v ? v : f->is_static ? "0 (static)" : "1 (dynamic)";
}

static void describe(const struct doctor_target *t, const struct binary *b, struct check_result *r)
{
	const struct bin_facts *f = &b->bf;
	const char *mode = f->is_go ? go_buildinfo__setting(&f->bi, "-buildmode") : NULL;

	if (f->is_go)
		check_evidence(r, "%s: %s, CGO_ENABLED=%s, -buildmode=%s, %s", b->path,
			       f->bi.version ? f->bi.version : "Go version unknown", cgo(f),
			       mode ? mode : "?", elf_machine_name(f->machine));
	else
		check_evidence(r, "%s: not a Go program, %s", b->path,
			       elf_machine_name(f->machine));
	if (f->dyn.interp)
		check_evidence(r, "dynamically linked: interpreter %s (%s)%s%zu libraries needed",
			       f->dyn.interp,
			       libc_kind_name(f->libc) ? libc_kind_name(f->libc) : "?", ", ",
			       f->dyn.nneeded);
	else
		check_evidence(r, "statically linked: needs no libc");
	check_evidence(r, "the %s (%s) has %s%s%s", t->root_is_image ? "image" : "container's root",
		       t->root_dir, b->root_libc, b->root_libc_path ? " at " : "",
		       b->root_libc_path ? b->root_libc_path : "");
}

static void judge(const struct binary *b, struct check_result *r)
{
	const struct bin_facts *f = &b->bf;
	uint16_t node = node_machine();

	if (node != EM_NONE && f->machine != node) {
		check_finding(r, CHECK_FAIL,
			      "built for %s, this node is %s: exec fails with "
			      "\"exec format error\" (ENOEXEC)",
			      elf_machine_name(f->machine), elf_machine_name(node));
		check_fix(r,
			  "build for the node's architecture (GOARCH=%s) or publish a "
			  "multi-arch image",
			  node == EM_X86_64 ? "amd64" : "arm64");
	}
	if (b->rc.done && !b->rc.error[0] && !b->rc.interp_present) {
		check_finding(r, CHECK_FAIL,
			      "the ELF interpreter %s is missing from the %s root "
			      "(it has %s): exec fails with ENOENT",
			      f->dyn.interp, "container's", b->root_libc);
		check_fix(r,
			  "build with CGO_ENABLED=0 (a static binary), or use a base image "
			  "with %s",
			  libc_kind_name(f->libc) ? libc_kind_name(f->libc) : "its libc");
	}
	for (size_t i = 0; b->rc.done && i < b->rc.nmissing; i++)
		check_finding(r, CHECK_FAIL, "library %s is missing from the container's root",
			      b->rc.missing[i]);
	if (b->rc.error[0])
		check_evidence(r, "the root could not be checked: %s", b->rc.error);
	if (r->status == CHECK_PASS)
		check_finding(r, CHECK_PASS, "%s%s, %s", f->is_go ? "" : "not Go; ",
			      f->is_go && f->bi.version ? f->bi.version
							: elf_machine_name(f->machine),
			      f->dyn.interp ? "its libc is in the root" : "static: needs no libc");
}

static void add_fact(const struct doctor_target *t, const struct binary *b, struct check_result *r)
{
	struct fact *f = check_fact(r, t, "binary");
	const struct bin_facts *bf = &b->bf;
	char missing[512] = "";

	if (!f)
		return;
	fact_set_str(f, "path", b->path);
	fact_set_bool(f, "is_go", bf->is_go);
	if (bf->is_go && bf->bi.version)
		fact_set_str(f, "go_version", bf->bi.version);
	fact_set_str(f, "cgo_enabled", cgo(bf));
	fact_set_bool(f, "static", bf->is_static);
	fact_set_str(f, "machine", elf_machine_name(bf->machine));
	fact_set_str(f, "node_machine", elf_machine_name(node_machine()));
	if (bf->dyn.interp) {
		fact_set_str(f, "interp", bf->dyn.interp);
		fact_set_bool(f, "interp_present", b->rc.interp_present);
	}
	if (libc_kind_name(bf->libc))
		fact_set_str(f, "libc", libc_kind_name(bf->libc));
	fact_set_str(f, "root_libc", b->root_libc);
	fact_set_str(f, "root_source", t->root_is_image ? "image" : "process");
	for (size_t i = 0; i < b->rc.nmissing; i++)
		snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), "%s%s",
			 i ? "," : "", b->rc.missing[i]);
	if (missing[0])
		fact_set_str(f, "missing_libs", missing);
}

static void run(const struct doctor_check *self, const struct doctor_target *t,
		struct check_result *r)
{
	struct binary b = {0};
	int root = doctor_target__open_root(t), err;

	if (root < 0) {
		check_skip(r, "cannot open the container's root %s: %s", t->root_dir,
			   strerror(-root));
		return;
	}
	err_clear();
	err = open_binary(t, root, &b, r);
	if (err) {
		check_skip(r, "%s", err_msg()[0] ? err_msg() : strerror(-err));
		goto out;
	}
	root_check__run_at(root, &b.bf, &b.rc);
	probe_root(root, &b);
	describe(t, &b, r);
	add_fact(t, &b, r);
	judge(&b, r);
out:
	root_check__clear(&b.rc);
	bin_facts__clear(&b.bf);
	elf_file__free(b.ef);
	close(root);
}

const struct doctor_check check_gobuild = {
	.id = "go.build",
	.description = "Go version and build settings (CGO_ENABLED, buildmode, arch) vs the libc "
		       "and loader in the container's root",
	.timeout_ms = 3000,
	.needs = NEED_ROOT,
	.run = run,
};
