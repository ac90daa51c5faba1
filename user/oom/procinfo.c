// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "goelf/binfacts.h"
#include "oom/procinfo.h"
#include "proc/cgroup.h"
#include "proc/procfs.h"

/* The Go version of the executable behind fd; the facts go with the file. */
static int read_exe(int fd, struct proc_info *pi)
{
	struct elf_file *ef = NULL;
	struct bin_facts bf;
	int err;

	err = elf_file__open_fd(fd, pi->exe, &ef);
	if (err)
		return err;
	memset(&bf, 0, sizeof(bf));
	err = bin_facts__collect(ef, &bf);
	if (!err) {
		pi->is_go = bf.is_go;
		if (bf.is_go && bf.bi.version)
			snprintf(pi->go_version, sizeof(pi->go_version), "%s", bf.bi.version);
	}
	bin_facts__clear(&bf);
	elf_file__free(ef);
	return err;
}

/* The memory controller's path (v1), else the unified one (v2). */
static void read_memcg(pid_t pid, struct proc_info *pi)
{
	struct proc_cgroups *cgs;
	const char *p;

	if (proc_cgroups__read(pid, &cgs))
		return;
	p = proc_cgroups__path(cgs, "memory");
	if (!p)
		p = proc_cgroups__unified(cgs);
	snprintf(pi->memcg, sizeof(pi->memcg), "%s", p ? p : "");
	proc_cgroups__free(cgs);
}

/*
 * An exiting process has no mm and reads as an empty environment: that is
 * "unknown", not "nothing set" (every real process has at least PATH).
 */
static int read_env(pid_t pid, struct go_env *env)
{
	struct proc_strlist l;
	int err = proc_pid__environ(pid, 2u << 20, &l);

	if (err)
		return err;
	if (l.n == 0)
		err = -ENODATA;
	else
		go_env__from_list(&l, env);
	proc_strlist__clear(&l);
	return err;
}

int proc_info__read(pid_t pid, struct proc_info *out)
{
	struct go_version ver;
	char link[64];
	ssize_t n;
	int fd, err;

	memset(out, 0, sizeof(*out));
	out->pid = pid;
	err = proc_pid__start_time(pid, &out->start_ticks);
	if (err)
		return err;
	/* The fd keeps the file readable even if the process exits now. */
	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	fd = open(link, O_RDONLY | O_CLOEXEC);
	out->env_err = read_env(pid, &out->env);
	if (proc_pid__comm(pid, out->comm, sizeof(out->comm)))
		out->comm[0] = '\0';
	read_memcg(pid, out);
	n = readlink(link, out->exe, sizeof(out->exe) - 1);
	out->exe[n > 0 ? n : 0] = '\0';
	if (fd < 0) {
		out->exe_err = -errno;
		return 0;
	}
	out->exe_err = read_exe(fd, out);
	close(fd);
	/* The runtime's number syntax depends on its version (proc/goenv.h). */
	if (!out->env_err && !go_version_parse(out->go_version, &ver) && !ver.devel)
		go_env__interpret(&out->env, ver.minor);
	return 0;
}
