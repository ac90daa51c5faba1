// SPDX-License-Identifier: GPL-2.0
/*
 * Why an execve failed, from the file itself inside the container's root
 * (proc/rootfs.h; the process is held by the kernel side while we look):
 * ENOENT for a file that exists means its ELF interpreter is missing (a
 * glibc binary on a musl or libc-less image); ENOEXEC, an ELF for another
 * machine or no ELF at all; EACCES, no execute permission or a noexec
 * mount.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crash/crash_int.h"
#include "goelf/binfacts.h"
#include "goelf/elf.h"
#include "proc/rootfs.h"

static void resolve_path(pid_t pid, const char *path, char *buf, size_t len)
{
	char link[64], cwd[PATH_MAX];
	ssize_t n;

	if (path[0] == '/') {
		snprintf(buf, len, "%s", path);
		return;
	}
	snprintf(link, sizeof(link), "/proc/%d/cwd", (int)pid);
	n = readlink(link, cwd, sizeof(cwd) - 1);
	cwd[n > 0 ? n : 0] = '\0';
	snprintf(buf, len, "%s/%s", n > 0 && strcmp(cwd, "/") ? cwd : "", path);
}

/* ELF facts, and whether the interpreter exists where the kernel will look. */
static void elf_facts(int root_fd, int fd, const char *path, struct fact *f)
{
	struct elf_file *ef = NULL;
	struct bin_facts bf;

	if (elf_file__open_fd(fd, path, &ef)) {
		fact_set_bool(f, "is_elf", false);
		return;
	}
	fact_set_bool(f, "is_elf", true);
	if (!bin_facts__collect(ef, &bf)) {
		fact_set_str(f, "elf_machine", elf_machine_name(bf.machine));
		fact_set_int(f, "elf_machine_id", bf.machine);
		fact_set_bool(f, "static", bf.is_static);
		fact_set_str(f, "libc", libc_kind_name(bf.libc) ? libc_kind_name(bf.libc) : "none");
		if (bf.dyn.interp) {
			fact_set_str(f, "interpreter", bf.dyn.interp);
			fact_set_bool(f, "interpreter_exists",
				      rootfs__exists(root_fd, bf.dyn.interp) == 1);
		}
		if (bf.is_go) {
			fact_set_bool(f, "is_go", true);
			if (bf.bi.version)
				fact_set_str(f, "go_version", bf.bi.version);
			if (go_buildinfo__setting(&bf.bi, "CGO_ENABLED"))
				fact_set_str(f, "cgo_enabled",
					     go_buildinfo__setting(&bf.bi, "CGO_ENABLED"));
		}
		bin_facts__clear(&bf);
	}
	elf_file__free(ef);
}

static void file_facts(int root_fd, const char *path, struct fact *f)
{
	struct stat st;
	int fd = rootfs__open(root_fd, path, O_RDONLY);

	if (fd < 0) {
		fact_set_bool(f, "file_exists", rootfs__exists(root_fd, path) == 1);
		return;
	}
	fact_set_bool(f, "file_exists", true);
	if (!fstat(fd, &st)) {
		fact_set_bool(f, "executable", (st.st_mode & 0111) != 0);
		fact_set_int(f, "mode", st.st_mode & 07777);
	}
	elf_facts(root_fd, fd, path, f);
	close(fd);
}

void crash_exec_explain(struct crash_session *s, pid_t pid, const char *path, int err,
			struct fact *f)
{
	char abs[PATH_MAX + 64];
	int root_fd;

	fact_set_str(f, "host_machine", s->host_machine);
	if (!path[0])
		return;
	resolve_path(pid, path, abs, sizeof(abs));
	fact_set_str(f, "abs_path", abs);
	root_fd = rootfs__open_root(pid);
	if (root_fd < 0) {
		fact_set_str(f, "inspect_error",
			     "the process was gone before its root could be read");
		return;
	}
	file_facts(root_fd, abs, f);
	close(root_fd);
	(void)err;
}
