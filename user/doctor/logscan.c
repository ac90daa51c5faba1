// SPDX-License-Identifier: GPL-2.0
/* The kubelet's container logs: tails, their lines, the errors in them (doctor/logscan.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/jsonread.h"
#include "base/num.h"
#include "doctor/logscan.h"
#include "doctor/target.h"

#define FIRST_LINE_BYTES 4096

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

/* "2026-11-27T11:04:12.156721Z" or "...+01:00": ns since the epoch, 0 when malformed. */
static uint64_t parse_time(const char *s)
{
	struct tm tm = {0};
	int y, mo, d, h, mi, sec, n = 0, digits = 0;
	uint64_t frac = 0;
	long off = 0;
	time_t t;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
		return 0;
	s += n;
	if (*s == '.') {
		for (s++; digit(*s); s++) {
			if (digits >= 9)
				continue; /* finer than ns */
			frac = frac * 10 + (uint64_t)(*s - '0');
			digits++;
		}
	}
	for (; digits < 9; digits++)
		frac *= 10;
	if ((*s == '+' || *s == '-') && digit(s[1]) && digit(s[2]) && s[3] == ':' && digit(s[4]) &&
	    digit(s[5])) {
		off = ((s[1] - '0') * 10 + (s[2] - '0')) * 3600L +
		      ((s[4] - '0') * 10 + (s[5] - '0')) * 60L;
		off = *s == '-' ? -off : off;
	} else if (*s != 'Z') {
		return 0;
	}
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm) - off;
	return t < 0 ? 0 : (uint64_t)t * 1000000000ULL + frac;
}

/* docker's json-file: {"log":"...\n","stream":"stderr","time":"..."}. */
static bool parse_json(const char *raw, size_t len, struct log_line *l)
{
	const struct jv *log, *stream, *time;
	struct jv v;
	size_t n;
	bool ok = false;

	if (jv_parse(raw, len, &v))
		return false;
	log = jv_get(&v, "log");
	stream = jv_get(&v, "stream");
	time = jv_get(&v, "time");
	if (v.type == JV_OBJECT && log && log->type == JV_STRING) {
		n = strnlen(log->s, log->slen);
		while (n && (log->s[n - 1] == '\n' || log->s[n - 1] == '\r'))
			n--;
		l->text = strndup(log->s, n);
		l->is_stderr = stream && stream->type == JV_STRING && !strcmp(stream->s, "stderr");
		l->time_ns = time && time->type == JV_STRING ? parse_time(time->s) : 0;
		ok = l->text != NULL;
	}
	jv_free(&v);
	return ok;
}

bool log_line__parse(const char *raw, size_t len, struct log_line *l)
{
	char *line = strndup(raw, len), *p;

	memset(l, 0, sizeof(*l));
	if (!line)
		return false;
	line[strcspn(line, "\r")] = '\0';
	if (!line[0]) {
		free(line);
		return false;
	}
	if (line[0] == '{' && parse_json(line, strlen(line), l)) {
		free(line);
		return true;
	}
	/* CRI: "<time> <stream> <F|P> <message>" */
	l->time_ns = parse_time(line);
	p = l->time_ns ? strchr(line, ' ') : NULL;
	if (p && (!strncmp(p, " stdout ", 8) || !strncmp(p, " stderr ", 8)) &&
	    (p[8] == 'F' || p[8] == 'P') && p[9] == ' ') {
		l->is_stderr = p[4] == 'e';
		l->text = strdup(p + 10);
		free(line);
		return l->text != NULL;
	}
	l->time_ns = 0;
	l->text = line;
	return true;
}

static void push(struct log_tail *t, size_t max, const struct log_line *l)
{
	if (t->n == max) {
		free(t->v[0].text);
		memmove(&t->v[0], &t->v[1], (max - 1) * sizeof(t->v[0]));
		t->n--;
		t->cut = true;
	}
	t->v[t->n++] = *l;
	if (l->time_ns && !t->first_ns)
		t->first_ns =
			l->time_ns; /* the first line read: the file's first when read from 0 */
	if (l->time_ns)
		t->last_ns = l->time_ns;
}

static void split(struct log_tail *t, size_t max, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct log_line l;

		if (log_line__parse(p, n, &l))
			push(t, max, &l);
		p += n + 1;
	}
}

/* The time of the file's first line: when the instance started writing. */
static uint64_t first_time(int fd)
{
	char buf[FIRST_LINE_BYTES];
	struct log_line l;
	ssize_t n = pread(fd, buf, sizeof(buf), 0);
	uint64_t t = 0;

	if (n <= 0)
		return 0;
	if (log_line__parse(buf, strcspn(buf, "\n") < (size_t)n ? strcspn(buf, "\n") : (size_t)n,
			    &l)) {
		t = l.time_ns;
		free(l.text);
	}
	return t;
}

int log_tail__read(const char *path, size_t max, struct log_tail *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	char *buf = NULL, *start;
	struct stat st;
	off_t off;
	ssize_t n;
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (max > LOG_TAIL_LINES)
		max = LOG_TAIL_LINES;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL; /* a FIFO or device where a log should be: not read */
	}
	off = st.st_size > LOG_TAIL_BYTES ? st.st_size - LOG_TAIL_BYTES : 0;
	buf = malloc(LOG_TAIL_BYTES + 1);
	n = buf ? pread(fd, buf, LOG_TAIL_BYTES, off) : -1;
	if (n < 0) {
		err = buf ? -errno : -ENOMEM;
		goto out;
	}
	buf[n] = '\0';
	start = buf;
	if (off > 0) { /* the first line is cut: start after it */
		start = memchr(buf, '\n', (size_t)n);
		start = start ? start + 1 : buf + n;
		out->cut = true;
	}
	split(out, max, start, (size_t)(buf + n - start));
	if (off > 0)
		out->first_ns = first_time(fd);
out:
	free(buf);
	close(fd);
	return err;
}

void log_tail__clear(struct log_tail *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].text);
	memset(t, 0, sizeof(*t));
}

/* ------------------------------------------------------------------ errors */

const char *log_class_name(enum log_class c)
{
	static const char *const names[] = {
		[LOG_NONE] = "none",
		[LOG_EXEC_ENOENT] = "exec_enoent",
		[LOG_EXEC_NOBINARY] = "exec_no_binary",
		[LOG_EXEC_ENOEXEC] = "exec_enoexec",
		[LOG_EXEC_EACCES] = "exec_eacces",
		[LOG_BIND_EACCES] = "bind_eacces",
		[LOG_BIND_EADDRINUSE] = "bind_eaddrinuse",
		[LOG_OPEN_ENOENT] = "open_enoent",
		[LOG_GO_PANIC] = "go_panic",
		[LOG_GO_FATAL] = "go_fatal",
		[LOG_GO_OOM] = "go_out_of_memory",
	};

	return (unsigned)c < sizeof(names) / sizeof(names[0]) ? names[c] : "?";
}

static void copy(char *dst, size_t size, const char *s, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/*
 * runc and Go's os/exec: `exec /app/server: no such file or directory`
 * (execve failed: for an existing binary, its ELF interpreter is missing),
 * `exec: "/app/server": stat /app/server: no such file or directory` (no
 * binary at all), `exec /app/server: exec format error`, `...: permission
 * denied`.
 */
static bool exec_error(const char *msg, struct log_error *e)
{
	const char *p = strstr(msg, "exec ");
	const char *colon;

	if (!p)
		p = strstr(msg, "exec: \"");
	if (!p)
		return false;
	if (!strncmp(p, "exec: \"", 7)) {
		colon = strchr(p + 7, '"');
		if (!colon || !strstr(colon, "no such file or directory"))
			return false;
		copy(e->path, sizeof(e->path), p + 7, (size_t)(colon - p - 7));
		e->cls = LOG_EXEC_NOBINARY;
		return true;
	}
	colon = strstr(p + 5, ": ");
	if (!colon || p[5] != '/')
		return false;
	if (!strcmp(colon + 2, "no such file or directory"))
		e->cls = LOG_EXEC_ENOENT;
	else if (!strcmp(colon + 2, "exec format error"))
		e->cls = LOG_EXEC_ENOEXEC;
	else if (!strcmp(colon + 2, "permission denied"))
		e->cls = LOG_EXEC_EACCES;
	else
		return false;
	copy(e->path, sizeof(e->path), p + 5, (size_t)(colon - p - 5));
	return true;
}

/* Go's net: `listen tcp :80: bind: permission denied` (also tcp4/tcp6/udp). */
static bool bind_error(const char *msg, struct log_error *e)
{
	const char *p = strstr(msg, "listen "), *bind = strstr(msg, ": bind: "), *addr, *port;
	uint32_t v;
	char num[8];

	if (!p || !bind || bind < p)
		return false;
	if (!strcmp(bind + 8, "permission denied"))
		e->cls = LOG_BIND_EACCES;
	else if (!strcmp(bind + 8, "address already in use"))
		e->cls = LOG_BIND_EADDRINUSE;
	else
		return false;
	addr = strchr(p + 7, ' ');
	if (!addr || addr > bind)
		addr = p + 7;
	else
		addr++;
	copy(e->addr, sizeof(e->addr), addr, (size_t)(bind - addr));
	port = strrchr(e->addr, ':');
	if (port && strlen(port + 1) < sizeof(num)) {
		snprintf(num, sizeof(num), "%s", port + 1);
		if (!num_parse_u32(num, 0, 65535, &v))
			e->port = (int)v;
	}
	return true;
}

/* Go's os: `open config.yaml: no such file or directory`. */
static bool open_error(const char *msg, struct log_error *e)
{
	const char *p = strstr(msg, "open "), *end;

	while (p && p != msg && p[-1] != ' ' && p[-1] != ':' && p[-1] != '\t')
		p = strstr(p + 1, "open ");
	if (!p)
		return false;
	end = strstr(p + 5, ": no such file or directory");
	if (!end || end == p + 5)
		return false;
	e->cls = LOG_OPEN_ENOENT;
	copy(e->path, sizeof(e->path), p + 5, (size_t)(end - p - 5));
	return true;
}

bool log_line__classify(const char *msg, struct log_error *e)
{
	memset(e, 0, sizeof(*e));
	if (!strncmp(msg, "panic: ", 7)) {
		e->cls = LOG_GO_PANIC;
		return true;
	}
	if (!strncmp(msg, "fatal error: ", 13)) {
		e->cls = strstr(msg, "out of memory") ? LOG_GO_OOM : LOG_GO_FATAL;
		return true;
	}
	if (strstr(msg, "runtime: program exceeds ") && strstr(msg, "thread limit")) {
		e->cls = LOG_GO_FATAL;
		return true;
	}
	return exec_error(msg, e) || bind_error(msg, e) || open_error(msg, e);
}

const struct log_line *log_tail__find(const struct log_tail *tail, enum log_class cls,
				      struct log_error *e)
{
	for (size_t i = tail->n; i-- > 0;)
		if (log_line__classify(tail->v[i].text, e) && (cls == LOG_NONE || e->cls == cls))
			return &tail->v[i];
	memset(e, 0, sizeof(*e));
	return NULL;
}

/* ------------------------------------------------------------------ instances */

int instance_logs__read(const struct doctor_target *t, struct instance_logs *out)
{
	const struct pod_log *pl = &t->id.logs;

	memset(out, 0, sizeof(*out));
	out->cur_restart = out->prev_restart = -1;
	if (!t->id.have_logs || pl->restart < 0)
		return -ENOENT;
	if (t->pid) { /* the newest log is the running instance's */
		out->cur_restart = pl->restart;
		snprintf(out->cur_path, sizeof(out->cur_path), "%s", pl->path);
		out->have_cur = !log_tail__read(pl->path, LOG_TAIL_LINES, &out->cur);
		if (pl->prev_restart >= 0) {
			out->prev_restart = pl->prev_restart;
			snprintf(out->prev_path, sizeof(out->prev_path), "%s", pl->prev_path);
		}
	} else {
		out->prev_restart = pl->restart;
		snprintf(out->prev_path, sizeof(out->prev_path), "%s", pl->path);
	}
	if (out->prev_path[0])
		out->have_prev = !log_tail__read(out->prev_path, LOG_TAIL_LINES, &out->prev);
	return 0;
}

void instance_logs__clear(struct instance_logs *l)
{
	log_tail__clear(&l->cur);
	log_tail__clear(&l->prev);
}
