// SPDX-License-Identifier: GPL-2.0
/*
 * net.bind: the ports the process listens on or wants (its arguments and
 * environment, the bind errors in its logs) against what lets it bind
 * them. A port below net.ipv4.ip_unprivileged_port_start (1024 by default;
 * a per network namespace sysctl, so the pod's own) needs
 * CAP_NET_BIND_SERVICE in the effective set: a non-root user, or root with
 * the capability dropped, gets EACCES ("bind: permission denied") and a Go
 * server exits. The sockets are the process's own (its fds against
 * /proc/PID/net/tcp{,6} of its namespace); the sysctl is read from inside
 * its namespace (setns on this check's thread only).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/num.h"
#include "doctor/check.h"
#include "doctor/goproc.h"
#include "doctor/logscan.h"
#include "doctor/target.h"
#include "proc/status.h"
#include "rank/fact.h"

#define CAP_NET_BIND_SERVICE_BIT 10
#define MAX_FDS 65536
#define MAX_PORTS 32
#define DEFAULT_UNPRIV_START 1024

struct port_set {
	int v[MAX_PORTS];
	const char *src[MAX_PORTS];
	size_t n;
};

struct bind_info {
	struct proc_status st;
	bool have_st;
	int unpriv_start;
	bool start_read; /* from the namespace's sysctl, not the default */
	struct port_set listening, wanted;
	struct log_error denied, in_use; /* from the logs; cls LOG_NONE when absent */
};

static void add_port(struct port_set *s, int port, const char *src)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == port)
			return;
	if (s->n < MAX_PORTS && port > 0 && port < 65536) {
		s->v[s->n] = port;
		s->src[s->n++] = src;
	}
}

/* ------------------------------------------------------------------ sockets */

static bool is_inode(const unsigned long *v, size_t n, unsigned long ino)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == ino)
			return true;
	return false;
}

/* The inodes of the process's sockets: /proc/PID/fd/N -> "socket:[ino]". */
static size_t socket_inodes(const struct doctor_target *t, unsigned long *v, size_t max)
{
	char dir[PATH_MAX], link[PATH_MAX + 300], target[64];
	struct dirent *de;
	size_t n = 0, seen = 0;
	DIR *d;

	if (!doctor_target__proc_path(t, "fd", dir, sizeof(dir)) || !(d = opendir(dir)))
		return 0;
	while ((de = readdir(d)) && n < max && seen++ < MAX_FDS) {
		ssize_t len;

		snprintf(link, sizeof(link), "%s/%s", dir, de->d_name);
		len = readlink(link, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		if (!strncmp(target, "socket:[", 8))
			v[n++] = strtoul(target + 8, NULL, 10);
	}
	closedir(d);
	return n;
}

/* LISTEN sockets (st 0A) of /proc/PID/net/tcp{,6} owned by the process. */
static void listening(const struct doctor_target *t, struct bind_info *bi)
{
	static const char *const files[] = {"net/tcp", "net/tcp6"};
	unsigned long *inodes = calloc(4096, sizeof(*inodes));
	size_t ni = inodes ? socket_inodes(t, inodes, 4096) : 0;

	for (size_t f = 0; f < 2 && ni; f++) {
		struct procfs_buf b;
		char *line, *save = NULL;

		if (doctor_proc_file(t, files[f], 8u << 20, &b))
			continue;
		for (line = strtok_r(b.data, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			char local[64], state[8];
			unsigned long ino;
			unsigned port;
			char *colon;

			if (sscanf(line, " %*s %63s %*s %7s %*s %*s %*s %*s %*s %lu", local, state,
				   &ino) != 3 ||
			    strcmp(state, "0A") || !is_inode(inodes, ni, ino))
				continue;
			colon = strrchr(local, ':');
			if (colon && sscanf(colon + 1, "%x", &port) == 1)
				add_port(&bi->listening, (int)port, "listening");
		}
		procfs_buf__clear(&b);
	}
	free(inodes);
}

/* net.ipv4.ip_unprivileged_port_start as the process's network namespace has it. */
static void unpriv_start(const struct doctor_target *t, struct bind_info *bi)
{
	char path[PATH_MAX];
	struct procfs_buf b;
	int self, target = -1;
	uint32_t v;

	bi->unpriv_start = DEFAULT_UNPRIV_START;
	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self >= 0 && doctor_target__proc_path(t, "ns/net", path, sizeof(path)))
		target = open(path, O_RDONLY | O_CLOEXEC);
	if (self < 0 || target < 0 || setns(target, CLONE_NEWNET))
		goto out;
	if (!procfs__read_file("/proc/sys/net/ipv4/ip_unprivileged_port_start", 64, &b)) {
		b.data[strcspn(b.data, "\n")] = '\0';
		if (!num_parse_u32(b.data, 0, 65536, &v)) {
			bi->unpriv_start = (int)v;
			bi->start_read = true;
		}
		procfs_buf__clear(&b);
	}
	if (setns(self, CLONE_NEWNET))
		bi->start_read = false; /* cannot happen as root; never read the wrong one */
out:
	if (target >= 0)
		close(target);
	if (self >= 0)
		close(self);
}

/* ------------------------------------------------------------------ wanted ports */

/* "...:80" at the end of a value that is not a URL (URLs name other hosts). */
static int trailing_port(const char *s)
{
	const char *c = strrchr(s, ':');
	uint32_t v;

	if (!c || strstr(s, "://") || !c[1] || strlen(c + 1) > 5 ||
	    num_parse_u32(c + 1, 1, 65535, &v))
		return 0;
	return (int)v;
}

static bool digits_port(const char *s, int *port)
{
	uint32_t v;

	if (!s || !s[0] || strlen(s) > 5 || num_parse_u32(s, 1, 65535, &v))
		return false;
	*port = (int)v;
	return true;
}

static void from_args(const struct proc_strlist *args, struct port_set *w)
{
	int port;

	for (size_t i = 1; i < args->n; i++) {
		const char *a = args->v[i], *eq = strchr(a, '=');
		bool portflag = strstr(a, "port") != NULL && a[0] == '-';

		if ((port = trailing_port(eq ? eq + 1 : a)))
			add_port(w, port, "arguments");
		else if (portflag && eq && digits_port(eq + 1, &port))
			add_port(w, port, "arguments");
		else if (portflag && !eq && i + 1 < args->n && digits_port(args->v[i + 1], &port))
			add_port(w, port, "arguments");
	}
}

static void from_env(const struct proc_strlist *env, struct port_set *w)
{
	for (size_t i = 0; i < env->n; i++) {
		const char *kv = env->v[i], *eq = strchr(kv, '=');
		size_t klen = eq ? (size_t)(eq - kv) : 0;
		int port;

		if (!eq)
			continue;
		if (((klen == 4 && !strncmp(kv, "PORT", 4)) ||
		     (klen > 5 && !strncmp(eq - 5, "_PORT", 5))) &&
		    digits_port(eq + 1, &port))
			add_port(w, port, "environment");
		else if ((port = trailing_port(eq + 1)) &&
			 (strstr(kv, "ADDR") || strstr(kv, "LISTEN")))
			add_port(w, port, "environment");
	}
}

static void wanted(const struct doctor_target *t, struct bind_info *bi)
{
	struct instance_logs logs;
	struct proc_strlist l;

	if (!doctor_proc_list(t, "cmdline", &l))
		from_args(&l, &bi->wanted);
	proc_strlist__clear(&l);
	if (!doctor_proc_list(t, "environ", &l))
		from_env(&l, &bi->wanted);
	proc_strlist__clear(&l);
	if (instance_logs__read(t, &logs))
		return;
	if (!log_tail__find(&logs.cur, LOG_BIND_EACCES, &bi->denied))
		log_tail__find(&logs.prev, LOG_BIND_EACCES, &bi->denied);
	if (!log_tail__find(&logs.cur, LOG_BIND_EADDRINUSE, &bi->in_use))
		log_tail__find(&logs.prev, LOG_BIND_EADDRINUSE, &bi->in_use);
	if (bi->denied.cls)
		add_port(&bi->wanted, bi->denied.port, "a bind error in the log");
	instance_logs__clear(&logs);
}

/* ------------------------------------------------------------------ verdict */

static bool has_cap(const struct bind_info *bi)
{
	return bi->have_st && (bi->st.cap_eff >> CAP_NET_BIND_SERVICE_BIT) & 1;
}

static bool in_set(const struct port_set *s, int port)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == port)
			return true;
	return false;
}

static void list(char *buf, size_t len, const struct port_set *s)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < s->n && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%d", i ? "," : "", s->v[i]);
}

static void judge(const struct bind_info *bi, struct check_result *r)
{
	bool cap = has_cap(bi);

	for (size_t i = 0; i < bi->wanted.n; i++) {
		int p = bi->wanted.v[i];

		if (p >= bi->unpriv_start || in_set(&bi->listening, p) || cap)
			continue;
		check_finding(r, CHECK_FAIL,
			      "wants port %d (%s) but lacks CAP_NET_BIND_SERVICE (uid %u) and the "
			      "pod's ip_unprivileged_port_start is %d: bind fails with EACCES",
			      p, bi->wanted.src[i], bi->st.uid[1], bi->unpriv_start);
		check_fix(r,
			  "add NET_BIND_SERVICE to the container's capabilities "
			  "(securityContext.capabilities.add), or listen on a port >= %d "
			  "(a Service can map port %d to it)",
			  bi->unpriv_start, p);
	}
	if (bi->in_use.cls)
		check_finding(r, CHECK_FAIL,
			      "the log says port %d (%s) was already in use "
			      "(EADDRINUSE)",
			      bi->in_use.port, bi->in_use.addr);
	if (bi->denied.cls && cap)
		check_evidence(r,
			       "the log has a bind EACCES on %s, yet the process now has "
			       "CAP_NET_BIND_SERVICE",
			       bi->denied.addr);
	if (r->status == CHECK_PASS)
		check_finding(r, CHECK_PASS, "%s%s",
			      bi->listening.n ? "listens where it wants"
					      : "no listening socket yet",
			      cap ? "; has CAP_NET_BIND_SERVICE" : "; no privileged port wanted");
}

static void add_fact(const struct doctor_target *t, const struct bind_info *bi,
		     struct check_result *r)
{
	struct fact *f = check_fact(r, t, "net_bind");
	char buf[256];

	if (!f)
		return;
	fact_set_int(f, "uid", bi->st.uid[1]);
	fact_set_bool(f, "cap_net_bind_service", has_cap(bi));
	fact_set_int(f, "unprivileged_port_start", bi->unpriv_start);
	fact_set_bool(f, "unprivileged_port_start_read", bi->start_read);
	list(buf, sizeof(buf), &bi->listening);
	fact_set_str(f, "listening_ports", buf);
	list(buf, sizeof(buf), &bi->wanted);
	fact_set_str(f, "wanted_ports", buf);
	if (bi->denied.cls)
		fact_set_int(f, "denied_port", bi->denied.port);
	if (bi->in_use.cls)
		fact_set_int(f, "in_use_port", bi->in_use.port);
}

static void run(const struct doctor_check *self, const struct doctor_target *t,
		struct check_result *r)
{
	struct bind_info bi = {0};
	struct procfs_buf b;
	char lp[256], wp[256];

	if (!doctor_proc_file(t, "status", 64 * 1024, &b))
		bi.have_st = !proc_status__parse(b.data, b.len, &bi.st);
	procfs_buf__clear(&b);
	if (!bi.have_st) {
		check_skip(r, "cannot read %s/status (the process exited?)", t->proc_dir);
		return;
	}
	listening(t, &bi);
	unpriv_start(t, &bi);
	wanted(t, &bi);
	list(lp, sizeof(lp), &bi.listening);
	list(wp, sizeof(wp), &bi.wanted);
	check_evidence(r, "uid %u, CapEff %016llx: CAP_NET_BIND_SERVICE %s (%s/status)",
		       bi.st.uid[1], (unsigned long long)bi.st.cap_eff, has_cap(&bi) ? "yes" : "no",
		       t->proc_dir);
	check_evidence(r, "net.ipv4.ip_unprivileged_port_start = %d (%s)", bi.unpriv_start,
		       bi.start_read ? "its network namespace"
				     : "not readable: the kernel default");
	check_evidence(r, "listening on: %s (its sockets in %s/net/tcp, tcp6)", lp[0] ? lp : "none",
		       t->proc_dir);
	check_evidence(r, "ports it wants (arguments, environment, log): %s", wp[0] ? wp : "none");
	if (bi.denied.cls || bi.in_use.cls)
		check_evidence(r, "log: listen %s: bind: %s",
			       bi.denied.cls ? bi.denied.addr : bi.in_use.addr,
			       bi.denied.cls ? "permission denied" : "address already in use");
	add_fact(t, &bi, r);
	judge(&bi, r);
}

const struct doctor_check check_ports = {
	.id = "net.bind",
	.description = "ports it listens on or wants vs CAP_NET_BIND_SERVICE and the pod's "
		       "ip_unprivileged_port_start",
	.timeout_ms = 2000,
	.needs = NEED_PID,
	.run = run,
};
