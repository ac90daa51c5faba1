/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_CRASH_CRASH_INT_H
#define GOTRACE_CRASH_CRASH_INT_H

/* Between the files of user/crash/: the session and its tables. */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "bpf_crash.h"
#include "crash/crash.h"
#include "proc/identity.h"
#include "rank/candidate.h"
#include "rank/fact.h"

struct symbolizer;

/* Who a cgroup is, cached by cgroup id (the directory may be gone by the next event). */
struct crash_ident {
	uint64_t cgroup_id;
	bool in_filter; /* matches --pod/--container */
	char subject[300];
	struct identity id;
};

#define CRASH_MAX_VOLS 8

/*
 * What a process looked like when it started (taken while the kernel side
 * held it, or right after its exec): cwd, the environment variables that
 * name paths, its non-system mounts; fds keep the root and the volumes
 * reachable after the process and its mount namespace are gone.
 */
struct crash_snap {
	pid_t pid;
	bool used;
	char cwd[PATH_MAX];
	char *path_env; /* "APP_HOME=/app\nCONFIG=/etc/x.yaml" */
	char *mounts;	/* "/app/config (bind of /tmp/x/config, ro)\n..." */
	int root_fd;
	int nvols;
	int vol_fd[CRASH_MAX_VOLS];
	char vol_mnt[CRASH_MAX_VOLS][256];
	uint64_t time_ns;
};

/* A Go binary with fatal-path uprobes (slot = index, the cookie's upper bits). */
struct crash_gobin {
	uint64_t dev, ino; /* the executable's (kernel encoding; per container under overlayfs) */
	bool go;	   /* false: looked at, not Go (or not traceable) */
	char why[200];
	char go_version[32];
	struct symbolizer *sym;
	uint64_t probe_vaddr[4]; /* by enum crash_go_func */
	char path[256];		 /* as the first process exec'd it */
};

#define CRASH_MAX_SNAPS 256
#define CRASH_MAX_IDENTS 512
#define CRASH_MAX_FACTS 20000
#define CRASH_QUIET_FACTS 64

/* Default capture budget (bpf/crash.bpf.c out_budget_bytes says why there is one). */
#define CRASH_OUT_BUDGET_KIB 1024

struct crash_session {
	struct crash_session_opts o;
	struct crash_tracer *tr;
	struct fact_store facts;
	struct crash_ident idents[CRASH_MAX_IDENTS];
	size_t nidents, next_ident;
	struct crash_snap snaps[CRASH_MAX_SNAPS];
	struct crash_gobin bins[CRASH_MAX_BINARIES];
	size_t nbins;
	int64_t mono_to_real_ns;
	uint64_t deaths;
	uint64_t verdicts;
	uint64_t last_latency_ns;
	uint64_t max_latency_ns;
	char host_machine[32];
};

/* ident.c */
const struct crash_ident *crash_ident__get(struct crash_session *s, uint64_t cgroup_id,
					   const struct crash_cgpath *cg, pid_t pid);
void crash_cgpath_string(const struct crash_cgpath *cg, char *buf, size_t len);
/* A fact about the process of hdr, with identity attributes; NULL on ENOMEM. */
struct fact *crash_fact_new(struct crash_session *s, const char *kind, const struct crash_ident *ci,
			    const struct crash_hdr *h);
uint64_t crash_realtime(const struct crash_session *s, uint64_t mono_ns);

/* snapshot.c */
struct crash_snap *crash_snap__find(struct crash_session *s, pid_t pid);
struct crash_snap *crash_snap__take(struct crash_session *s, pid_t pid, uint64_t time_ns);
void crash_snap__drop(struct crash_session *s, pid_t pid);
void crash_snap__drop_all(struct crash_session *s);
/* openat failed: where the file is instead, and the context, as fact attributes. */
void crash_snap__explain_open(struct crash_session *s, pid_t pid, const char *path, struct fact *f);

/* gobins.c */
/* Looks at the executable of a live (held) process; attaches when it is Go. */
struct crash_gobin *crash_gobin__inspect(struct crash_session *s, pid_t pid, uint64_t dev,
					 uint64_t ino, const char *path);
void crash_gobin__scan_running(struct crash_session *s);
int crash_gobin__fact(struct crash_session *s, const struct crash_go_fatal *e, struct fact *f);
void crash_gobin__free_all(struct crash_session *s);

/* execcheck.c */
/* Why execve(path) failed with err, from the file inside the process's root. */
void crash_exec_explain(struct crash_session *s, pid_t pid, const char *path, int err,
			struct fact *f);

/* ports.c */
/* Who holds port (TCP/UDP by family) in the network namespace netns_ino; attrs on f. */
void crash_port_holder(struct crash_session *s, pid_t pid, uint32_t netns_ino, int port, bool udp,
		       struct fact *f);

/* events.c */
int crash_on_event(void *ctx, const void *data, size_t len);

/* verdict.c */
void crash_emit_fact(struct crash_session *s, struct fact *f);
void crash_verdict(struct crash_session *s, const struct fact *death);
void crash_bind_verdict(struct crash_session *s, const struct fact *bind);

#endif
