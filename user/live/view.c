// SPDX-License-Identifier: GPL-2.0
/*
 * The watch view. Off a TTY: one line block (or one JSON object) per new or
 * changed candidate, so a log pipeline sees each verdict once. On a TTY: a
 * top-like screen redrawn in place, ranked, colored by severity, cut to the
 * terminal's width. Every string from a container is sanitized.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "base/signals.h"
#include "live/live.h"
#include "out/units.h"
#include "out/utf8.h"
#include "rank/render.h"

#define MAX_SEEN 4096

void live_candidate_key(const struct candidate *c, char *buf, size_t len)
{
	char cause[201];
	size_t i, n = 0;

	/*
	 * The story (live_fold), not the per-death merge key, which changes; and
	 * without digits: "restart loop: 3 deaths" is the same story as "2 deaths".
	 */
	for (i = 0; c->cause[i] && n < sizeof(cause) - 1; i++)
		if (c->cause[i] < '0' || c->cause[i] > '9')
			cause[n++] = c->cause[i];
	cause[n] = '\0';
	snprintf(buf, len, "%.47s|%.200s|%s", c->rule, c->subject, cause);
}

static struct live_seen *find_seen(struct live_view *v, const char *key)
{
	size_t i;

	for (i = 0; i < v->nseen; i++)
		if (!strcmp(v->seen[i].key, key))
			return &v->seen[i];
	return NULL;
}

/* Records c; returns 1 new, 2 changed, 0 the same as shown before. */
static int remember(struct live_view *v, const struct candidate *c)
{
	struct live_seen *s;
	char key[480];

	live_candidate_key(c, key, sizeof(key));
	s = find_seen(v, key);
	if (s && s->score == c->score && s->count == c->count)
		return 0;
	if (!s) {
		struct live_seen *n;

		if (v->nseen >= MAX_SEEN)
			return 0;
		n = realloc(v->seen, (v->nseen + 1) * sizeof(*n));
		if (!n)
			return 0;
		v->seen = n;
		s = &v->seen[v->nseen++];
		memset(s, 0, sizeof(*s));
		snprintf(s->key, sizeof(s->key), "%s", key);
		s->score = -1;
	}
	int kind = s->score < 0 ? 1 : 2;

	s->score = c->score;
	s->count = c->count;
	snprintf(s->cause, sizeof(s->cause), "%.159s", c->cause);
	return kind;
}

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static const char *sev_color(const struct live_view *v, enum severity s)
{
	if (!v->color)
		return "";
	return s == SEV_CRITICAL ? "\033[1;31m" : s == SEV_WARNING ? "\033[33m" : "";
}

static void track_latency(struct live_view *v, const struct candidate *c)
{
	uint64_t now = realtime_ns();

	/* A death's verdict: how long after the death it is shown. */
	if (!strncmp(c->merge_key, "death:", 6) && c->last_seen_ns && now > c->last_seen_ns &&
	    now - c->last_seen_ns > v->max_latency_ns && now - c->last_seen_ns < 60000000000ULL)
		v->max_latency_ns = now - c->last_seen_ns;
}

static void line_event(struct live_view *v, const struct candidate *c, int kind)
{
	char t[16];
	time_t now = time(NULL);
	struct tm tm;

	track_latency(v, c);
	if (v->json) {
		json_obj_begin(&v->w, NULL);
		json_str(&v->w, "type", "candidate");
		json_str(&v->w, "event", kind == 1 ? "new" : "changed");
		rank_write_json(&v->w, "candidate", c);
		json_obj_end(&v->w);
		json_end_line(&v->w);
		return;
	}
	localtime_r(&now, &tm);
	strftime(t, sizeof(t), "%H:%M:%S", &tm);
	printf("%s %s ", t, kind == 1 ? "NEW" : "UPDATED");
	{
		struct cand_list one = {.v = (struct candidate *)c, .n = 1};

		rank_print_text(stdout, &one, 1, v->verbose);
	}
	fflush(stdout);
}

/* Cuts s to w display columns (UTF-8 code points; sanitized text has no wide tricks). */
static void put_cut(const char *s, int w)
{
	char buf[1024];
	size_t n = term_sanitize(buf, sizeof(buf), s, strlen(s)), i = 0;
	int cols = 0;

	while (i < n && cols < w) {
		size_t l = (unsigned char)buf[i] < 0x80 ? 1 : utf8_valid_seq(buf + i, n - i);

		if (!l)
			l = 1;
		fwrite(buf + i, 1, l, stdout);
		i += l;
		cols++;
	}
}

static void screen_size(int *rows, int *cols)
{
	struct winsize ws;

	*rows = 24;
	*cols = 80;
	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_row && ws.ws_col) {
		*rows = ws.ws_row;
		*cols = ws.ws_col;
	}
}

static void draw_header(struct live_view *v, const struct live_stats *st, int cols)
{
	char up[16], line[512];

	fmt_duration(mono_ns() - v->start_mono_ns, up, sizeof(up));
	snprintf(line, sizeof(line),
		 "gotrace watch  %s  up %s  deaths %llu  OOM kills %llu  events %llu (lost %llu)  "
		 "hooks %zu%s",
		 v->scope, up, (unsigned long long)st->deaths, (unsigned long long)st->kills,
		 (unsigned long long)st->events, (unsigned long long)st->lost, st->hooks_attached,
		 st->hooks_missing ? " (some missing: -v)" : "");
	printf("%s", v->color ? "\033[7m" : "");
	put_cut(line, cols);
	printf("%s\033[K\n\033[K\n", v->color ? "\033[0m" : "");
}

static void draw_candidate(struct live_view *v, const struct candidate *c, int cols, int *left,
			   bool details)
{
	char head[640], ago[16];
	size_t i;

	fmt_duration(realtime_ns() - (c->last_seen_ns ? c->last_seen_ns : realtime_ns()), ago,
		     sizeof(ago));
	snprintf(head, sizeof(head), "%3d %-8s %s  x%u, last %s ago", c->score,
		 severity_name(c->severity), c->display, c->count ? c->count : 1, ago);
	printf("%s", sev_color(v, c->severity));
	put_cut(head, cols);
	printf("%s\033[K\n", v->color ? "\033[0m" : "");
	printf("    ");
	put_cut(c->cause, cols - 4);
	printf("\033[K\n");
	*left -= 2;
	for (i = 0; details && i < c->nevidence && i < 3 && *left > 2; i++, (*left)--) {
		printf("      - ");
		put_cut(c->evidence[i], cols - 8);
		printf("\033[K\n");
	}
	if (details && c->fix[0] && *left > 1) {
		printf("      fix: ");
		put_cut(c->fix, cols - 11);
		printf("\033[K\n");
		(*left)--;
	}
}

static void redraw(struct live_view *v, const struct cand_list *cands, const struct live_stats *st)
{
	int rows, cols, left;
	size_t i;

	screen_size(&rows, &cols);
	printf("\033[H");
	draw_header(v, st, cols);
	left = rows - 3;
	if (!cands->n) {
		printf("no root-cause candidates yet: watching\033[K\n");
		left--;
	}
	for (i = 0; i < cands->n && left > 1; i++)
		draw_candidate(v, &cands->v[i], cols, &left, i < 3);
	printf("\033[J");
	fflush(stdout);
	v->last_draw_ns = mono_ns();
}

void live_view__update(struct live_view *v, const struct cand_list *cands,
		       const struct live_stats *st, bool force_redraw)
{
	bool changed = false;
	size_t i;

	for (i = 0; i < cands->n; i++) {
		int kind = remember(v, &cands->v[i]);

		if (!kind)
			continue;
		changed = true;
		v->updates++;
		if (v->tty && !v->json)
			track_latency(v, &cands->v[i]);
		else
			line_event(v, &cands->v[i], kind);
	}
	if (v->tty && !v->json && (changed || force_redraw))
		redraw(v, cands, st);
}

void live_view__final(struct live_view *v, const struct cand_list *cands,
		      const struct live_stats *st)
{
	char lat[16];

	if (v->json) {
		json_obj_begin(&v->w, NULL);
		json_str(&v->w, "type", "summary");
		json_u64(&v->w, "deaths", st->deaths);
		json_u64(&v->w, "oom_kills", st->kills);
		json_u64(&v->w, "events", st->events);
		json_u64(&v->w, "events_lost", st->lost);
		json_u64(&v->w, "facts", st->facts);
		json_u64(&v->w, "max_death_to_verdict_ns", v->max_latency_ns);
		rank_write_json_list(&v->w, "candidates", cands);
		json_obj_end(&v->w);
		json_end_line(&v->w);
		return;
	}
	if (v->tty)
		printf("\033[H\033[J");
	printf("== gotrace watch summary: %llu deaths, %llu OOM kills, %llu events (%llu lost)",
	       (unsigned long long)st->deaths, (unsigned long long)st->kills,
	       (unsigned long long)st->events, (unsigned long long)st->lost);
	if (st->deaths && v->max_latency_ns)
		printf(", slowest verdict %s after the death",
		       fmt_duration(v->max_latency_ns, lat, sizeof(lat)));
	printf("\n");
	rank_print_text(stdout, cands, 10, v->verbose);
	fflush(stdout);
}

void live_view__free(struct live_view *v)
{
	free(v->seen);
	v->seen = NULL;
	v->nseen = 0;
}
