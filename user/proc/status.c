// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/num.h"
#include "proc/procfs.h"
#include "proc/status.h"

enum field_kind { F_NAME, F_STATE, F_PID, F_U32, F_KB, F_HEX, F_IDS4, F_NSPID };

struct field {
	const char *key;
	enum field_kind kind;
	size_t off;
	uint32_t seen;
};

#define FLD(k, kind, member, seen)                                                                 \
	{                                                                                          \
		k, kind, offsetof(struct proc_status, member), seen                                \
	}

static const struct field fields[] = {
	FLD("Name", F_NAME, name, PROC_ST_NAME),
	FLD("State", F_STATE, state, PROC_ST_STATE),
	FLD("Tgid", F_PID, tgid, PROC_ST_TGID),
	FLD("Pid", F_PID, pid, 0),
	FLD("PPid", F_PID, ppid, PROC_ST_PPID),
	FLD("TracerPid", F_PID, tracer_pid, 0),
	FLD("Uid", F_IDS4, uid, PROC_ST_UID),
	FLD("Gid", F_IDS4, gid, PROC_ST_GID),
	FLD("NSpid", F_NSPID, ns_pid, PROC_ST_NSPID),
	FLD("Threads", F_U32, threads, PROC_ST_THREADS),
	FLD("CapInh", F_HEX, cap_inh, 0),
	FLD("CapPrm", F_HEX, cap_prm, 0),
	FLD("CapEff", F_HEX, cap_eff, PROC_ST_CAPS),
	FLD("CapBnd", F_HEX, cap_bnd, 0),
	FLD("CapAmb", F_HEX, cap_amb, 0),
	FLD("VmPeak", F_KB, vm_peak_kb, 0),
	FLD("VmSize", F_KB, vm_size_kb, 0),
	FLD("VmHWM", F_KB, vm_hwm_kb, 0),
	FLD("VmRSS", F_KB, vm_rss_kb, PROC_ST_VM),
	FLD("RssAnon", F_KB, rss_anon_kb, 0),
	FLD("RssFile", F_KB, rss_file_kb, 0),
	FLD("RssShmem", F_KB, rss_shmem_kb, 0),
};

/* Copies the next blank-separated word of [*p, end) into tok, "0x"-prefixed when hex. */
static int next_token(const char **p, const char *end, bool hex, char *tok, size_t size)
{
	const char *s = *p;
	size_t pre = hex ? 2 : 0, n;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	for (n = 0; s + n < end && s[n] != ' ' && s[n] != '\t'; n++)
		;
	if (n == 0 || n + pre >= size)
		return -GT_EFORMAT;
	memcpy(tok, "0x", pre);
	memcpy(tok + pre, s, n);
	tok[pre + n] = '\0';
	*p = s + n;
	return 0;
}

static int parse_u64(const char **p, const char *end, bool hex, uint64_t max, uint64_t *v)
{
	char tok[32];

	if (next_token(p, end, hex, tok, sizeof(tok)))
		return -GT_EFORMAT;
	/* The kernel prints these in decimal; "0x10" is not a pid. */
	if (!hex && tok[strspn(tok, "0123456789")])
		return -GT_EFORMAT;
	return num_parse_u64(tok, 0, max, v) ? -GT_EFORMAT : 0;
}

/* NSpid lists the pid in each pid namespace, outermost first. */
static int parse_nspid(const char *p, const char *end, struct proc_status *st)
{
	uint64_t v;

	st->ns_depth = 0;
	while (p < end) {
		if (parse_u64(&p, end, false, INT32_MAX, &v))
			break;
		st->ns_pid = (pid_t)v;
		st->ns_depth++;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
	}
	return st->ns_depth ? 0 : -GT_EFORMAT;
}

static int parse_ids(const char *p, const char *end, uint32_t *ids)
{
	uint64_t v;

	for (int i = 0; i < 4; i++) {
		if (parse_u64(&p, end, false, UINT32_MAX, &v))
			return -GT_EFORMAT;
		ids[i] = (uint32_t)v;
	}
	return 0;
}

static void copy_name(const char *p, const char *end, char *name, size_t size)
{
	size_t n;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	n = (size_t)(end - p) < size - 1 ? (size_t)(end - p) : size - 1;
	memcpy(name, p, n);
	name[n] = '\0';
}

static int parse_value(const struct field *f, const char *p, const char *end,
		       struct proc_status *st)
{
	void *dst = (char *)st + f->off;
	uint64_t v;

	switch (f->kind) {
	case F_NAME:
		copy_name(p, end, dst, sizeof(st->name));
		return 0;
	case F_STATE:
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == end)
			return -GT_EFORMAT;
		st->state = *p;
		return 0;
	case F_IDS4:
		return parse_ids(p, end, dst);
	case F_NSPID:
		return parse_nspid(p, end, st);
	case F_PID:
	case F_U32:
		if (parse_u64(&p, end, false, f->kind == F_PID ? INT32_MAX : UINT32_MAX, &v))
			return -GT_EFORMAT;
		*(uint32_t *)dst = (uint32_t)v;
		return 0;
	case F_KB:
	case F_HEX:
		return parse_u64(&p, end, f->kind == F_HEX, UINT64_MAX, dst);
	}
	return -GT_EFORMAT;
}

static int parse_line(const char *line, const char *end, struct proc_status *st)
{
	const char *colon = memchr(line, ':', (size_t)(end - line));
	size_t klen;

	if (!colon)
		return 0;
	klen = (size_t)(colon - line);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const struct field *f = &fields[i];

		if (strlen(f->key) != klen || memcmp(f->key, line, klen))
			continue;
		if (parse_value(f, colon + 1, end, st))
			return err_fail(GT_EFORMAT, "/proc/PID/status: malformed %s line", f->key);
		st->seen |= f->seen;
		return 0;
	}
	return 0;
}

int proc_status__parse(const char *text, size_t len, struct proc_status *st)
{
	const char *p = text, *end = text + len;
	int err;

	memset(st, 0, sizeof(*st));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;

		err = parse_line(p, eol, st);
		if (err)
			return err;
		p = eol + (nl ? 1 : 0);
	}
	if (!(st->seen & PROC_ST_TGID))
		return err_fail(GT_EFORMAT, "/proc/PID/status: no Tgid line");
	return 0;
}

int proc_status__read(pid_t pid, struct proc_status *st)
{
	struct procfs_buf b;
	int err;

	err = procfs__read_pid(pid, "status", PROCFS_SMALL_MAX, &b);
	if (err)
		return err;
	err = proc_status__parse(b.data, b.len, st);
	procfs_buf__clear(&b);
	return err;
}
