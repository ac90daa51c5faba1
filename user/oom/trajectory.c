// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "oom/trajectory.h"
#include "out/units.h"

#define MIB (1024ULL * 1024)

/* A dip smaller than this is noise (a GC cycle, page cache reclaim), not a fall. */
static uint64_t tolerance(uint64_t limit)
{
	uint64_t t = limit != UINT64_MAX ? limit / 50 : 0;

	return t > MIB ? t : MIB;
}

/*
 * The start of the rise that ended at the kill: walk back while usage does
 * not fall by more than the tolerance, then take the last point of that run
 * that is still at its bottom (so a flat stretch before the rise is not
 * counted as slow growth).
 */
static size_t rise_start(const struct traj_sample *s, size_t n, uint64_t tol)
{
	size_t i = n - 1, j;
	uint64_t low;

	while (i > 0 && s[i - 1].usage_bytes <= s[i].usage_bytes + tol)
		i--;
	low = s[i].usage_bytes;
	for (j = i; j < n; j++)
		if (s[j].usage_bytes < low)
			low = s[j].usage_bytes;
	for (j = n - 1; j > i; j--)
		if (s[j - 1].usage_bytes <= low + tol && s[j].usage_bytes > low + tol)
			break;
	return j > i ? j - 1 : i;
}

/* Time at >= 95% of the limit, contiguous up to the kill (the kill itself counts). */
static uint64_t near_limit(const struct traj_sample *s, size_t n, uint64_t limit)
{
	uint64_t thr = limit - limit / 20;
	size_t i = n - 1;

	if (limit == UINT64_MAX)
		return 0;
	while (i > 0 && s[i - 1].usage_bytes >= thr)
		i--;
	return s[i].usage_bytes >= thr ? s[n - 1].t_ns - s[i].t_ns : 0;
}

/* The latest sample at least TRAJ_JUMP_WINDOW_NS before the kill, within [from, n-1). */
static size_t jump_base(const struct traj_sample *s, size_t n, size_t from)
{
	uint64_t kill = s[n - 1].t_ns;
	size_t i;

	for (i = n - 1; i > from; i--)
		if (kill - s[i - 1].t_ns >= TRAJ_JUMP_WINDOW_NS)
			return i - 1;
	return from;
}

static void classify(struct trajectory *t)
{
	uint64_t rise = t->to_bytes > t->from_bytes ? t->to_bytes - t->from_bytes : 0;
	uint64_t tol = tolerance(t->limit_bytes);

	if (t->nsamples == 0)
		t->kind = TRAJ_UNKNOWN;
	else if (rise <= tol && t->near_limit_ns > 0)
		t->kind = TRAJ_AT_LIMIT;
	else if (t->jump_bytes >= 4 * MIB && 2 * t->jump_bytes >= rise)
		t->kind = TRAJ_JUMP;
	else
		t->kind = TRAJ_GROWTH;
}

void trajectory__analyze(const struct traj_sample *in, size_t n, uint64_t kill_ns,
			 uint64_t kill_usage, uint64_t limit, uint64_t window_ns,
			 struct trajectory *out)
{
	struct traj_sample s[TRAJ_MAX_SAMPLES + 1];
	size_t m = 0, i, start, base;

	memset(out, 0, sizeof(*out));
	out->limit_bytes = limit;
	/* The newest TRAJ_MAX_SAMPLES matter; older ones are outside any window anyway. */
	for (i = n > TRAJ_MAX_SAMPLES ? n - TRAJ_MAX_SAMPLES : 0; i < n; i++)
		if (in[i].t_ns < kill_ns && kill_ns - in[i].t_ns <= window_ns)
			s[m++] = in[i];
	out->nsamples = m;
	s[m++] = (struct traj_sample){kill_ns, kill_usage};
	out->window_ns = kill_ns - s[0].t_ns;
	out->to_bytes = kill_usage;
	start = rise_start(s, m, tolerance(limit));
	out->from_bytes = s[start].usage_bytes;
	out->rise_ns = kill_ns - s[start].t_ns;
	if (out->rise_ns && out->to_bytes > out->from_bytes)
		out->rate_bytes_per_s =
			(double)(out->to_bytes - out->from_bytes) * 1e9 / out->rise_ns;
	base = jump_base(s, m, start);
	if (m > 1 && kill_usage > s[base].usage_bytes) {
		out->jump_bytes = kill_usage - s[base].usage_bytes;
		out->jump_ns = kill_ns - s[base].t_ns;
	}
	out->near_limit_ns = near_limit(s, m, limit);
	classify(out);
}

static const char *limit_words(const struct trajectory *t, char *buf, size_t len)
{
	char b[32];

	if (t->limit_bytes == UINT64_MAX)
		snprintf(buf, len, "%s", fmt_bytes(t->to_bytes, b, sizeof(b)));
	else
		snprintf(buf, len, "the %s limit", fmt_bytes(t->limit_bytes, b, sizeof(b)));
	return buf;
}

void trajectory__describe(const struct trajectory *t, char *buf, size_t len)
{
	char a[32], b[32], d[32], lim[48];

	limit_words(t, lim, sizeof(lim));
	switch (t->kind) {
	case TRAJ_GROWTH:
		snprintf(buf, len, "grew %s/s for %s from %s to %s",
			 fmt_bytes((uint64_t)t->rate_bytes_per_s, a, sizeof(a)),
			 fmt_duration(t->rise_ns, d, sizeof(d)),
			 fmt_bytes(t->from_bytes, b, sizeof(b)), lim);
		break;
	case TRAJ_JUMP:
		snprintf(buf, len, "sudden jump of %s within %s, from %s to %s",
			 fmt_bytes(t->jump_bytes, a, sizeof(a)),
			 fmt_duration(t->jump_ns, d, sizeof(d)),
			 fmt_bytes(t->to_bytes - t->jump_bytes, b, sizeof(b)), lim);
		break;
	case TRAJ_AT_LIMIT:
		snprintf(buf, len, "sat at %s for %s before the kill (usage %s)", lim,
			 fmt_duration(t->near_limit_ns, d, sizeof(d)),
			 fmt_bytes(t->to_bytes, a, sizeof(a)));
		break;
	default:
		snprintf(buf, len, "usage %s at the kill (%s); no earlier samples",
			 fmt_bytes(t->to_bytes, a, sizeof(a)), lim);
		break;
	}
}

const char *traj_kind__name(enum traj_kind k)
{
	switch (k) {
	case TRAJ_GROWTH:
		return "growth";
	case TRAJ_JUMP:
		return "jump";
	case TRAJ_AT_LIMIT:
		return "at_limit";
	default:
		return "unknown";
	}
}
