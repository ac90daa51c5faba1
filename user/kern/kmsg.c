// SPDX-License-Identifier: GPL-2.0
/* OOM kills in the kernel log (kern/kmsg.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "base/num.h"
#include "kern/kmsg.h"

#define RECORD_MAX 8192
#define MAX_RECORDS 200000 /* a ring is at most a few MiB: this bounds a hostile file */

struct walk {
	kmsg_oom_fn fn;
	void *ctx;
	struct kmsg_oom cur; /* the kill being assembled */
	bool open;	     /* cur has its oom-kill line */
	bool usage;	     /* a "memory: usage" line is waiting for its kill */
	uint64_t usage_kib, limit_kib;
	int stop;
	uint64_t oldest_usec;
	bool any;
};

/* "key=value" inside a comma-separated oom-kill line, into out. */
static bool kv(const char *line, const char *key, char *out, size_t len)
{
	const char *p = line;
	size_t klen = strlen(key), n;

	while ((p = strstr(p, key))) {
		if ((p == line || p[-1] == ',' || p[-1] == ':') && p[klen] == '=') {
			p += klen + 1;
			n = strcspn(p, ",");
			if (n >= len)
				n = len - 1;
			memcpy(out, p, n);
			out[n] = '\0';
			return true;
		}
		p += klen;
	}
	return false;
}

static void flush(struct walk *w)
{
	if (w->open && !w->stop)
		w->stop = w->fn(w->ctx, &w->cur);
	w->open = false;
}

static void oom_kill_line(struct walk *w, const char *text, uint64_t usec)
{
	char pid[16];
	uint32_t v;

	flush(w);
	memset(&w->cur, 0, sizeof(w->cur));
	w->cur.usec = usec;
	kv(text, "constraint", w->cur.constraint, sizeof(w->cur.constraint));
	kv(text, "oom_memcg", w->cur.oom_memcg, sizeof(w->cur.oom_memcg));
	kv(text, "task_memcg", w->cur.task_memcg, sizeof(w->cur.task_memcg));
	kv(text, "task", w->cur.comm, sizeof(w->cur.comm));
	if (kv(text, "pid", pid, sizeof(pid)) && !num_parse_u32(pid, 1, 4194304, &v))
		w->cur.pid = (pid_t)v;
	if (w->usage) {
		w->cur.have_usage = true;
		w->cur.usage_kib = w->usage_kib;
		w->cur.limit_kib = w->limit_kib;
		w->usage = false;
	}
	w->open = true;
}

static void killed_line(struct walk *w, const char *p)
{
	unsigned long long vm, anon, file, shmem;
	int pid;

	if (sscanf(p,
		   "Killed process %d (%*[^)]) total-vm:%llukB, anon-rss:%llukB, "
		   "file-rss:%llukB, shmem-rss:%llukB",
		   &pid, &vm, &anon, &file, &shmem) != 5 ||
	    !w->open || pid != w->cur.pid)
		return;
	w->cur.have_rss = true;
	w->cur.total_vm_kib = vm;
	w->cur.anon_rss_kib = anon;
	w->cur.file_rss_kib = file;
	w->cur.shmem_rss_kib = shmem;
	flush(w);
}

/* One record: "prio,seq,usec,flags;text". */
static void record(struct walk *w, const char *rec, size_t len)
{
	char line[RECORD_MAX];
	unsigned long long usec, u, l;
	const char *text, *p;

	if (len >= sizeof(line))
		len = sizeof(line) - 1;
	memcpy(line, rec, len);
	line[len] = '\0';
	line[strcspn(line, "\n")] = '\0';
	text = strchr(line, ';');
	if (!text || sscanf(line, "%*u,%*u,%llu", &usec) != 1)
		return;
	text++;
	if (!w->any || usec < w->oldest_usec)
		w->oldest_usec = usec;
	w->any = true;
	if (!strncmp(text, "oom-kill:", 9)) {
		oom_kill_line(w, text + 9, usec);
	} else if ((p = strstr(text, "Killed process "))) {
		killed_line(w, p);
	} else if (sscanf(text, "memory: usage %llukB, limit %llukB", &u, &l) == 2) {
		w->usage = true;
		w->usage_kib = u;
		w->limit_kib = l;
	}
}

int kmsg__oom_kills_text(const char *text, size_t len, kmsg_oom_fn fn, void *ctx,
			 uint64_t *oldest_usec)
{
	struct walk w = {.fn = fn, .ctx = ctx};
	const char *p = text, *end = text + len;
	size_t n = 0;

	while (p < end && !w.stop && n++ < MAX_RECORDS) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);

		record(&w, p, l);
		p += l + 1;
	}
	flush(&w);
	*oldest_usec = w.oldest_usec;
	return 0;
}

/* A saved log (`cat /dev/kmsg > file`): records one per line. */
static int from_file(int fd, kmsg_oom_fn fn, void *ctx, uint64_t *oldest_usec)
{
	size_t cap = 16u << 20, len = 0;
	char *buf = malloc(cap);
	ssize_t r;
	int err;

	if (!buf)
		return -ENOMEM;
	while (len < cap && (r = read(fd, buf + len, cap - len)) > 0)
		len += (size_t)r;
	err = kmsg__oom_kills_text(buf, len, fn, ctx, oldest_usec);
	free(buf);
	return err;
}

int kmsg__oom_kills(const char *path, kmsg_oom_fn fn, void *ctx, uint64_t *oldest_usec)
{
	struct walk w = {.fn = fn, .ctx = ctx};
	char buf[RECORD_MAX];
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	size_t n = 0;
	int err;

	if (fd < 0)
		return err_fail(errno, "cannot read the kernel log %s: %s%s", path, strerror(errno),
				errno == EPERM || errno == EACCES ? " (needs CAP_SYSLOG)" : "");
	if (!fstat(fd, &st) && S_ISREG(st.st_mode)) {
		err = from_file(fd, fn, ctx, oldest_usec);
		close(fd);
		return err;
	}
	while (!w.stop && n++ < MAX_RECORDS) {
		ssize_t r = read(fd, buf, sizeof(buf));

		if (r < 0 && (errno == EPIPE || errno == EINTR))
			continue; /* overwritten while we read: go on with the next */
		if (r <= 0)
			break; /* EAGAIN: the end of the ring */
		record(&w, buf, (size_t)r);
	}
	flush(&w);
	close(fd);
	*oldest_usec = w.oldest_usec;
	return 0;
}
