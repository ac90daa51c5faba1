/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_CRASH_H
#define GOTRACE_CRASH_H

/*
 * ABI of bpf/crash.bpf.c (`gotrace crash` and `gotrace bind`): why each
 * process of a container died. One ring buffer of discrete events, each
 * starting with struct crash_hdr; everything is filtered in the kernel
 * (in-scope processes only, failures only), so the stream is small.
 */

/* BPF programs get the kernel's types from vmlinux.h; userspace from here. */
#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define CRASH_COMM_LEN 16
#define CRASH_PATH_LEN 256
#define CRASH_CG_LEVELS 6	/* cgroup path components kept, leaf first */
#define CRASH_CG_NAME 96	/* "cri-containerd-<64 hex>.scope" fits */
#define CRASH_MSG_LEN 256	/* a Go fatal error's message */
#define CRASH_STACK_MAX 32	/* frames per captured Go stack */
#define CRASH_OUT_RING 4096	/* stdout/stderr tail kept per process (power of 2) */
#define CRASH_SOCKADDR_LEN 28	/* sockaddr_in6 */
#define CRASH_MAX_BINARIES 1024 /* Go binaries with fatal-path uprobes */
#define CRASH_IOV_MAX 8		/* writev: the last iovecs copied to the tail */

enum crash_event_type {
	CRASH_EV_EXEC = 1,    /* a program started (container init, held, or -p scope) */
	CRASH_EV_EXEC_FAIL,   /* execve(2) returned an error */
	CRASH_EV_EXIT,	      /* a process (thread group) exited: a death */
	CRASH_EV_SIGNAL,      /* a terminating signal was sent to an in-scope process */
	CRASH_EV_SIG_DELIVER, /* ... and dequeued by it (handled or default action) */
	CRASH_EV_SYSCALL,     /* openat/connect/bind/listen failed (or bind/listen for `bind`) */
	CRASH_EV_CAP,	      /* a capability check denied */
	CRASH_EV_GO_FATAL,    /* runtime.throw / runtime.fatal / runtime.fatalpanic */
};

/* Scope: which processes the kernel side reports on. */
enum crash_scope {
	CRASH_SCOPE_CONTAINERS, /* any cgroup ancestor named kubepods*, docker*, libpod-*, ... */
	CRASH_SCOPE_CGROUP,	/* under filter_cgroup_id (cgroup2) */
	CRASH_SCOPE_PIDS,	/* filter_tgid and its descendants */
	CRASH_SCOPE_ALL,	/* every process of the node */
};

enum crash_sc {
	CRASH_SC_OPENAT = 1,
	CRASH_SC_CONNECT,
	CRASH_SC_BIND,
	CRASH_SC_LISTEN,
	CRASH_SC_EXECVE,
	CRASH_SC_WRITE,
	CRASH_SC_GETSOCKOPT, /* SO_ERROR after a non-blocking connect: reported as CONNECT */
	CRASH_SC_WRITEV,
};

/* Go fatal-path functions; the uprobe cookie is (binary slot << 8) | function. */
enum crash_go_func {
	CRASH_GO_THROW = 1,
	CRASH_GO_FATAL,
	CRASH_GO_FATALPANIC,
};

/* Event flags */
#define CRASH_F_HELD (1u << 0)	    /* stopped with SIGSTOP: userspace inspects, then SIGCONT */
#define CRASH_F_NS_INIT (1u << 1)   /* pid 1 of a pid namespace other than the node's */
#define CRASH_F_CORE (1u << 2)	    /* exit: core dumped */
#define CRASH_F_ON_G0 (1u << 3)	    /* go fatal: on the system stack (g0) */
#define CRASH_F_OUT_TRUNC (1u << 4) /* exit: more was written than the tail holds */
#define CRASH_F_OUT_GAP (1u << 5)   /* exit: writes over the capture budget were not copied */

/* crash_syscall.flags of a connect */
#define CRASH_CONN_F_SO_ERROR (1u << 0) /* EINPROGRESS, then the error read with SO_ERROR */

/* Trace signal results (include/trace/events/signal.h TRACE_SIGNAL_*). */
#define CRASH_SIG_DELIVERED 0
#define CRASH_SIG_IGNORED 1

struct crash_hdr {
	__u32 type;
	__u32 pid; /* tgid of the process the event is about */
	__u32 tid;
	__u32 ns_pid;	 /* its pid in its own pid namespace */
	__u64 time_ns;	 /* bpf_ktime_get_ns (CLOCK_MONOTONIC) */
	__u64 cgroup_id; /* cgroup2 id */
	char comm[CRASH_COMM_LEN];
};

/* A cgroup2 path as kernfs names, leaf first (the directory may be gone when read). */
struct crash_cgpath {
	__u32 depth;	 /* names filled */
	__u32 truncated; /* more ancestors than CRASH_CG_LEVELS */
	char names[CRASH_CG_LEVELS][CRASH_CG_NAME];
};

struct crash_exec {
	struct crash_hdr h;
	__u32 flags;
	__u32 ppid;
	__u64 dev; /* executable's superblock dev (kernel encoding: major << 20 | minor) */
	__u64 ino;
	char filename[CRASH_PATH_LEN];
	struct crash_cgpath cg;
};

struct crash_exec_fail {
	struct crash_hdr h;
	__s32 err; /* -errno */
	__u32 flags;
	char filename[CRASH_PATH_LEN];
	struct crash_cgpath cg;
};

struct crash_exit {
	struct crash_hdr h;
	__u32 exit_code; /* task->exit_code: status << 8, or the signal (| 0x80 core) */
	__u32 flags;
	__u64 start_ns; /* task start, CLOCK_MONOTONIC */
	__u64 dev, ino; /* executable */
	__u32 ppid;
	__u32 out_len;		 /* bytes of out[] valid (oldest first) */
	__u64 out_total;	 /* bytes written to fd 1/2 and copied into the ring */
	__u64 out_skipped;	 /* bytes not copied: over the per-process capture budget */
	__u64 out_skipped_after; /* ... of which written after the last byte copied */
	struct crash_cgpath cg;
	char out[CRASH_OUT_RING];
};

/* h is the target; sender_* the task that generated the signal (current). */
struct crash_signal {
	struct crash_hdr h;
	__s32 sig;
	__s32 code;    /* si_code: SI_USER 0, SI_KERNEL 0x80, SI_TKILL -6, ... */
	__s32 result;  /* CRASH_SIG_* */
	__u32 handler; /* deliver: 0 SIG_DFL, 1 SIG_IGN, 2 a handler */
	__u32 sender_pid;
	__u32 sender_tid;
	__u32 sender_ppid;
	__u32 info_pid; /* deliver: the sender as siginfo records it (its pid namespace) */
	__u64 sender_cgroup_id;
	char sender_comm[CRASH_COMM_LEN];
	char sender_pcomm[CRASH_COMM_LEN];
	struct crash_cgpath sender_cg;
	struct crash_cgpath cg; /* the target's (depth 0 from the tracefs fallback) */
};

struct crash_syscall {
	struct crash_hdr h;
	__u32 nr;	    /* enum crash_sc */
	__s32 ret;	    /* -errno, or 0 (bind/listen success for `bind`) */
	__s32 fd;	    /* socket fd (connect/bind/listen), dirfd (openat) */
	__u32 flags;	    /* openat flags; listen backlog; connect CRASH_CONN_F_* */
	__u64 caps_eff;	    /* effective capabilities of the caller */
	__u32 ip_prot_sock; /* its netns' net.ipv4.ip_unprivileged_port_start */
	__u32 netns_ino;
	__u32 uid; /* euid */
	__u32 addrlen;
	__u8 addr[CRASH_SOCKADDR_LEN]; /* connect/bind sockaddr (listen: the socket's own) */
	__u32 wait_ms;		       /* CRASH_CONN_F_SO_ERROR: from connect(2) to the error */
	char path[CRASH_PATH_LEN];     /* openat */
	struct crash_cgpath cg;
};

struct crash_cap {
	struct crash_hdr h;
	__s32 cap;
	__s32 ret;
	__u64 caps_eff;
	__u32 uid;
	__u32 pad;
	struct crash_cgpath cg;
};

struct crash_go_fatal {
	struct crash_hdr h;
	__u64 cookie; /* (binary slot << 8) | enum crash_go_func */
	__u64 ip;     /* the probe's runtime address: gives the load bias */
	__u64 g;
	__u64 panic_type; /* fatalpanic: _panic.arg's type pointer */
	__u64 panic_data;
	__u32 flags;
	__u32 msg_len; /* bytes of msg read */
	__u32 nframes; /* stack of the probed thread: ip, caller, FP chain */
	__u32 ncurg;   /* on g0: the user goroutine (m.curg) from its saved context */
	char msg[CRASH_MSG_LEN];
	__u64 frames[CRASH_STACK_MAX];
	__u64 curg_frames[CRASH_STACK_MAX];
	struct crash_cgpath cg;
	/* What it wrote before the fatal error (the runtime prints context first). */
	__u64 out_total;
	char out[CRASH_OUT_RING];
};

/* Go runtime layout the probes need, per binary (GO-RUNTIME.md §4). */
struct crash_go_layout {
	__u32 g_m;	  /* g.m */
	__u32 m_g0;	  /* m.g0 */
	__u32 m_curg;	  /* m.curg */
	__u32 g_sched_pc; /* g.sched.pc */
	__u32 g_sched_bp; /* g.sched.bp */
	__u32 panic_arg;  /* _panic.arg (an eface) */
	__u32 valid;
};

/* Counters, one per reason (a per-CPU array summed by userspace). */
enum crash_stat {
	CRASH_STAT_EVENTS,	/* events submitted */
	CRASH_STAT_RB_FULL,	/* events lost: ring buffer full */
	CRASH_STAT_RATE,	/* syscall failures dropped by the per-process rate limit */
	CRASH_STAT_PROCS_FULL,	/* per-process state map full: no output tail */
	CRASH_STAT_HOLDS,	/* processes stopped for inspection */
	CRASH_STAT_OUT_BYTES,	/* stdout/stderr bytes captured */
	CRASH_STAT_OUT_SKIPPED, /* stdout/stderr bytes not copied: over the capture budget */
	CRASH_STAT_NR,
};

#endif
