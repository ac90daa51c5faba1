/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_DOCTOR_GOPROC_H
#define GOTRACE_DOCTOR_GOPROC_H

#include <stdbool.h>
#include <stdint.h>

#include "goelf/goversion.h"
#include "proc/goenv.h"
#include "proc/goruntime.h"
#include "proc/procfs.h"

struct doctor_target;

/*
 * What several checks need to know about the target's process, read by
 * each check for itself (checks share no state): its executable's Go
 * version, the Go knobs in its environment read with that version's rules
 * (proc/goenv.h), and where possible the knobs in effect in its memory
 * (proc/goruntime.h). Everything goes through the target's proc_dir, so a
 * test can hand it a fake /proc/PID.
 */
enum { DOCTOR_GO_ENV = 1u << 0, DOCTOR_GO_LIVE = 1u << 1 };

struct doctor_go {
	int exe_err; /* 0: the executable was read */
	bool is_go;
	char version[48]; /* "go1.22.5"; "" unknown */
	struct go_version ver;
	bool ver_ok;
	int env_err; /* 0: env is valid */
	struct go_env env;
	int live_err;	    /* 0: live holds at least one value */
	char live_msg[256]; /* why not */
	struct go_runtime_knobs live;
};

/* Never fails as a whole: each part has its own error. */
void doctor_go__read(const struct doctor_target *t, unsigned what, struct doctor_go *g);
/* The Go minor version when known, else 0. */
int doctor_go__minor(const struct doctor_go *g);

/* <proc_dir>/<name> (cmdline, environ) as a list; -ESRCH without a process. */
int doctor_proc_list(const struct doctor_target *t, const char *name, struct proc_strlist *l);
/* <proc_dir>/<name> as text (status, maps, mountinfo, net/tcp), at most max bytes. */
int doctor_proc_file(const struct doctor_target *t, const char *name, size_t max,
		     struct procfs_buf *b);

#endif
