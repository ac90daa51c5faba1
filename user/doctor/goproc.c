// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "doctor/goproc.h"
#include "doctor/target.h"
#include "goelf/buildinfo.h"
#include "goelf/elf.h"

#define ENVIRON_MAX (2u << 20)

int doctor_proc_file(const struct doctor_target *t, const char *name, size_t max,
		     struct procfs_buf *b)
{
	char path[PATH_MAX];

	memset(b, 0, sizeof(*b));
	if (!doctor_target__proc_path(t, name, path, sizeof(path)))
		return -ESRCH;
	return procfs__read_file(path, max, b);
}

int doctor_proc_list(const struct doctor_target *t, const char *name, struct proc_strlist *l)
{
	struct procfs_buf b;
	int err;

	memset(l, 0, sizeof(*l));
	err = doctor_proc_file(t, name, ENVIRON_MAX, &b);
	if (err)
		return err;
	err = proc_strlist__parse(b.data, b.len, l);
	if (!err)
		l->truncated = b.truncated;
	procfs_buf__clear(&b);
	return err;
}

static void read_exe(const struct doctor_target *t, struct doctor_go *g)
{
	struct elf_file *ef = NULL;
	struct go_buildinfo bi;
	char path[PATH_MAX];
	int fd;

	if (!doctor_target__proc_path(t, "exe", path, sizeof(path))) {
		g->exe_err = -ESRCH;
		return;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		g->exe_err = -errno;
		return;
	}
	g->exe_err = elf_file__open_fd(fd, path, &ef);
	close(fd);
	if (g->exe_err)
		return;
	if (!go_buildinfo__read(ef, &bi) && bi.version) {
		g->is_go = true;
		snprintf(g->version, sizeof(g->version), "%s", bi.version);
		g->ver_ok = !go_version_parse(bi.version, &g->ver) && !g->ver.devel;
	}
	go_buildinfo__clear(&bi);
	elf_file__free(ef);
}

/* An exiting process reads as an empty environment: unknown, not "nothing set". */
static void read_env(const struct doctor_target *t, struct doctor_go *g)
{
	struct proc_strlist l;

	g->env_err = doctor_proc_list(t, "environ", &l);
	if (!g->env_err && l.n == 0)
		g->env_err = -ENODATA;
	if (!g->env_err) {
		go_env__from_list(&l, &g->env);
		g->env.environ_truncated = l.truncated;
		if (g->ver_ok)
			go_env__interpret(&g->env, g->ver.minor);
	}
	proc_strlist__clear(&l);
}

static void read_live(const struct doctor_target *t, struct doctor_go *g)
{
	char want[64];

	/* Only a real process has memory to read (tests hand in fake proc dirs). */
	snprintf(want, sizeof(want), "/proc/%d", (int)t->pid);
	if (!t->pid || strcmp(t->proc_dir, want)) {
		g->live_err = -ESRCH;
		snprintf(g->live_msg, sizeof(g->live_msg), "no live process");
		return;
	}
	if (!g->is_go) {
		g->live_err = -GT_ENOTGO;
		snprintf(g->live_msg, sizeof(g->live_msg), "not a Go program");
		return;
	}
	err_clear();
	g->live_err = go_runtime_knobs__read(t->pid, &g->live);
	if (g->live_err)
		snprintf(g->live_msg, sizeof(g->live_msg), "%s",
			 err_msg()[0] ? err_msg() : err_name(g->live_err));
}

void doctor_go__read(const struct doctor_target *t, unsigned what, struct doctor_go *g)
{
	memset(g, 0, sizeof(*g));
	g->env_err = g->live_err = -ENODATA;
	read_exe(t, g);
	if (what & DOCTOR_GO_ENV)
		read_env(t, g);
	if (what & DOCTOR_GO_LIVE)
		read_live(t, g);
}

int doctor_go__minor(const struct doctor_go *g)
{
	return g->ver_ok ? g->ver.minor : 0;
}
