// SPDX-License-Identifier: GPL-2.0
/*
 * bind: EADDRINUSE — who holds the port. Sockets are per network
 * namespace: find processes in the failing process's netns (by the inode
 * the kernel side reported), read that namespace's /proc/PID/net/tcp{,6}
 * (or udp) for the port, then the socket inode among those processes' fds.
 * The holder's identity says whether it is another container of the pod, a
 * previous instance of the same container, or something else.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crash/crash_int.h"
#include "proc/procfs.h"

#define MAX_NS_PIDS 4096

static uint32_t netns_of(pid_t pid)
{
	char link[64], buf[64];
	ssize_t n;
	unsigned long ino;

	snprintf(link, sizeof(link), "/proc/%d/ns/net", (int)pid);
	n = readlink(link, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return sscanf(buf, "net:[%lu]", &ino) == 1 ? (uint32_t)ino : 0;
}

/* Processes in the namespace (bounded: a node has a few thousand). */
static size_t pids_in_netns(uint32_t netns, pid_t *out, size_t max)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	size_t n = 0;

	while (d && n < max && (de = readdir(d))) {
		pid_t pid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = atoi(de->d_name);
		if (netns_of(pid) == netns)
			out[n++] = pid;
	}
	if (d)
		closedir(d);
	return n;
}

/* "  0: 00000000:0050 00000000:0000 0A ... inode": the socket inode bound to port. */
static unsigned long socket_inode(pid_t pid, const char *table, int port, bool want_listen)
{
	char path[64], line[512];
	unsigned long inode = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/net/%s", (int)pid, table);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (!inode && fgets(line, sizeof(line), f)) {
		char local[64], remote[64];
		unsigned st, lport;
		unsigned long ino;
		char *colon;

		if (sscanf(line, " %*d: %63s %63s %x %*s %*s %*s %*s %*s %lu", local, remote, &st,
			   &ino) != 4)
			continue;
		colon = strrchr(local, ':');
		if (!colon || sscanf(colon + 1, "%x", &lport) != 1 || (int)lport != port)
			continue;
		if (!want_listen || st == 0x0A) /* TCP_LISTEN */
			inode = ino;
	}
	fclose(f);
	return inode;
}

static bool has_socket_fd(pid_t pid, unsigned long inode)
{
	char dir[64], link[320], buf[64], want[64];
	struct dirent *de;
	bool found = false;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	snprintf(want, sizeof(want), "socket:[%lu]", inode);
	d = opendir(dir);
	while (d && !found && (de = readdir(d))) {
		ssize_t n;

		snprintf(link, sizeof(link), "%s/%s", dir, de->d_name);
		n = readlink(link, buf, sizeof(buf) - 1);
		if (n > 0) {
			buf[n] = '\0';
			found = !strcmp(buf, want);
		}
	}
	if (d)
		closedir(d);
	return found;
}

static void holder_identity(struct crash_session *s, pid_t holder, struct fact *f)
{
	const char *my_cid = fact_str(f, "container_id"), *my_pod = fact_str(f, "pod_uid");
	const char *my_ctr = fact_str(f, "container");
	struct identity id;
	char subj[300];

	fact_set_int(f, "holder_pid", holder);
	if (identity__from_pid(holder, s->o.host_root, &id))
		return;
	if (id.comm[0])
		fact_set_str(f, "holder_comm", id.comm);
	identity__subject(&id, subj, sizeof(subj));
	fact_set_str(f, "holder_subject", subj);
	if (id.cg.container_id[0])
		fact_set_str(f, "holder_container_id", id.cg.container_id);
	if (id.have_logs && id.logs.container[0]) {
		fact_set_str(f, "holder_container", id.logs.container);
		fact_set_int(f, "holder_restart", id.logs.restart);
	}
	fact_set_bool(f, "holder_same_pod", my_pod && !strcmp(my_pod, id.cg.pod_uid));
	/* Same pod and container name, another container id: an earlier instance. */
	fact_set_bool(f, "holder_previous_instance",
		      my_pod && my_ctr && my_cid && !strcmp(my_pod, id.cg.pod_uid) &&
			      id.have_logs && !strcmp(my_ctr, id.logs.container) &&
			      strcmp(my_cid, id.cg.container_id));
}

void crash_port_holder(struct crash_session *s, pid_t pid, uint32_t netns_ino, int port, bool udp,
		       struct fact *f)
{
	pid_t *pids = calloc(MAX_NS_PIDS, sizeof(*pids));
	unsigned long inode = 0;
	size_t n, i;

	if (!pids)
		return;
	n = pids_in_netns(netns_ino, pids, MAX_NS_PIDS);
	for (i = 0; i < n && !inode; i++) {
		inode = socket_inode(pids[i], udp ? "udp" : "tcp", port, !udp);
		if (!inode)
			inode = socket_inode(pids[i], udp ? "udp6" : "tcp6", port, !udp);
	}
	fact_set_int(f, "netns_pids", (int64_t)n);
	if (inode) {
		fact_set_int(f, "holder_socket_inode", (int64_t)inode);
		for (i = 0; i < n; i++) {
			if (pids[i] != pid && has_socket_fd(pids[i], inode)) {
				holder_identity(s, pids[i], f);
				break;
			}
		}
	}
	free(pids);
}
