// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "crash/names.h"

const char *crash_signal_name(int sig)
{
	static __thread char buf[24];
	const char *n = sig > 0 ? sigabbrev_np(sig) : NULL;

	if (!n)
		return "SIG?";
	snprintf(buf, sizeof(buf), "SIG%s", n);
	return buf;
}

const char *crash_errno_name(int err)
{
	const char *n = err > 0 ? strerrorname_np(err) : NULL;

	return n ? n : "E?";
}

/* include/uapi/linux/capability.h, in order. */
static const char *const cap_names[] = {
	"CAP_CHOWN",
	"CAP_DAC_OVERRIDE",
	"CAP_DAC_READ_SEARCH",
	"CAP_FOWNER",
	"CAP_FSETID",
	"CAP_KILL",
	"CAP_SETGID",
	"CAP_SETUID",
	"CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE",
	"CAP_NET_BROADCAST",
	"CAP_NET_ADMIN",
	"CAP_NET_RAW",
	"CAP_IPC_LOCK",
	"CAP_IPC_OWNER",
	"CAP_SYS_MODULE",
	"CAP_SYS_RAWIO",
	"CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE",
	"CAP_SYS_PACCT",
	"CAP_SYS_ADMIN",
	"CAP_SYS_BOOT",
	"CAP_SYS_NICE",
	"CAP_SYS_RESOURCE",
	"CAP_SYS_TIME",
	"CAP_SYS_TTY_CONFIG",
	"CAP_MKNOD",
	"CAP_LEASE",
	"CAP_AUDIT_WRITE",
	"CAP_AUDIT_CONTROL",
	"CAP_SETFCAP",
	"CAP_MAC_OVERRIDE",
	"CAP_MAC_ADMIN",
	"CAP_SYSLOG",
	"CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND",
	"CAP_AUDIT_READ",
	"CAP_PERFMON",
	"CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
};

const char *crash_cap_name(int cap)
{
	if (cap < 0 || (size_t)cap >= sizeof(cap_names) / sizeof(cap_names[0]))
		return "CAP_?";
	return cap_names[cap];
}

const char *crash_si_code_name(int code)
{
	switch (code) {
	case SI_USER:
		return "SI_USER";
	case SI_KERNEL:
		return "SI_KERNEL";
	case SI_QUEUE:
		return "SI_QUEUE";
	case SI_TIMER:
		return "SI_TIMER";
	case SI_TKILL:
		return "SI_TKILL";
	case SI_ASYNCIO:
		return "SI_ASYNCIO";
	case SI_MESGQ:
		return "SI_MESGQ";
	case SI_SIGIO:
		return "SI_SIGIO";
	default:
		return NULL; /* > 0: a fault's code (SEGV_MAPERR, ...) */
	}
}

/*
 * SIGURG (Go's preemption, thousands a second), SIGCHLD, SIGWINCH, SIGCONT,
 * the stop signals and the timer signals are left out: they end nothing.
 */
uint64_t crash_terminating_sig_mask(void)
{
	static const int sigs[] = {SIGHUP,  SIGINT,  SIGQUIT,	SIGILL,	 SIGTRAP, SIGABRT,
				   SIGBUS,  SIGFPE,  SIGKILL,	SIGUSR1, SIGSEGV, SIGUSR2,
				   SIGPIPE, SIGTERM, SIGSTKFLT, SIGXCPU, SIGXFSZ, SIGSYS};
	uint64_t m = 0;
	size_t i;

	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		m |= 1ULL << sigs[i];
	return m;
}

int crash_sockaddr_format(const uint8_t *sa, size_t len, char *buf, size_t buflen, int *port,
			  int *family)
{
	char a[INET6_ADDRSTRLEN];
	uint16_t fam;

	*port = 0;
	*family = 0;
	if (len < 2)
		return -EINVAL;
	memcpy(&fam, sa, 2);
	*family = fam;
	if (fam == AF_INET && len >= sizeof(struct sockaddr_in)) {
		struct sockaddr_in in;

		memcpy(&in, sa, sizeof(in));
		inet_ntop(AF_INET, &in.sin_addr, a, sizeof(a));
		*port = ntohs(in.sin_port);
		snprintf(buf, buflen, "%s:%d", a, *port);
		return 0;
	}
	if (fam == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 in6;

		memcpy(&in6, sa, sizeof(in6));
		inet_ntop(AF_INET6, &in6.sin6_addr, a, sizeof(a));
		*port = ntohs(in6.sin6_port);
		snprintf(buf, buflen, "[%s]:%d", a, *port);
		return 0;
	}
	if (fam == AF_UNIX) {
		snprintf(buf, buflen, "unix:%.*s",
			 (int)(len > 2 ? strnlen((const char *)sa + 2, len - 2) : 0),
			 (const char *)sa + 2);
		return 0;
	}
	snprintf(buf, buflen, "family %u", fam);
	return -EINVAL;
}
