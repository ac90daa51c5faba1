// SPDX-License-Identifier: GPL-2.0
/*
 * Output: facts as they are observed (--json: one fact per line, the
 * format rank/fact.h reads back; -v: one text line each), and on every
 * death the verdict: the candidates whose merge key is that death (plus
 * the container's restart loop), ranked by the shared rule engine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/signals.h"
#include "crash/crash_int.h"
#include "out/json.h"
#include "out/utf8.h"
#include "rank/render.h"
#include "rank/rules.h"

static void clock_str(uint64_t ns, char *buf, size_t len)
{
	time_t t = (time_t)(ns / 1000000000ULL);
	struct tm tm;
	char hms[16];

	localtime_r(&t, &tm);
	strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03llu", hms, (unsigned long long)(ns / 1000000ULL % 1000));
}

static void print_fact_text(const struct fact *f)
{
	char t[32];

	clock_str(f->time_ns, t, sizeof(t));
	printf("%s fact %s %s", t, f->kind, f->subject);
	for (size_t i = 0; i < f->nattrs; i++) {
		const struct fact_attr *a = &f->attrs[i];

		printf(" %s=", a->key);
		switch (a->type) {
		case ATTR_STR:
			term_write_sanitized(stdout, a->s, strlen(a->s) > 200 ? 200 : strlen(a->s));
			break;
		case ATTR_INT:
			printf("%lld", (long long)a->i);
			break;
		case ATTR_FLOAT:
			printf("%g", a->f);
			break;
		case ATTR_BOOL:
			printf("%s", a->b ? "true" : "false");
			break;
		}
	}
	putchar('\n');
}

void crash_emit_fact(struct crash_session *s, struct fact *f)
{
	size_t cap;

	if (s->o.sink)
		s->o.sink->add(s->o.sink->ctx, f);
	if (s->o.quiet) {
		/* nothing printed: watch/doctor rank the facts themselves */
	} else if (s->o.json) {
		struct json_writer w;

		json_init(&w, stdout);
		fact_write_json(&w, NULL, f);
		json_end_line(&w);
	} else if (s->o.verbose >= 1) {
		print_fact_text(f);
	}
	/*
	 * Quiet (watch, doctor): the sink's owner ranks its own copies and
	 * this store is never evaluated; it only keeps the latest facts alive
	 * for the caller's next lines.
	 */
	cap = s->o.quiet ? CRASH_QUIET_FACTS : CRASH_MAX_FACTS;
	if (s->facts.n >= cap)
		fact_store__trim(&s->facts, cap / 2);
	fact_store__add(&s->facts, f);
}

/* Shallow view of the candidates about this death (the list keeps ownership). */
static void select_for(const struct cand_list *all, const char *subject, pid_t pid,
		       struct cand_list *sel)
{
	char key[64], loop[320];

	snprintf(key, sizeof(key), "death:%d", (int)pid);
	snprintf(loop, sizeof(loop), "loop:%s", subject);
	memset(sel, 0, sizeof(*sel));
	sel->v = calloc(all->n ? all->n : 1, sizeof(*sel->v));
	if (!sel->v)
		return;
	for (size_t i = 0; i < all->n; i++)
		if (!strcmp(all->v[i].subject, subject) &&
		    (!strcmp(all->v[i].merge_key, key) || !strcmp(all->v[i].merge_key, loop)))
			sel->v[sel->n++] = all->v[i];
}

static void death_line(const struct fact *d, const char *display, char *buf, size_t len)
{
	const char *comm = fact_str(d, "comm");
	int n = snprintf(buf, len, "%s: pid %lld (%s) ", display, (long long)fact_int(d, "pid", 0),
			 comm ? comm : "?");

	if (fact_has(d, "signal"))
		n += snprintf(buf + n, len - n, "killed by %s", fact_str(d, "signal_name"));
	else
		n += snprintf(buf + n, len - n, "exited with code %lld",
			      (long long)fact_int(d, "exit_code", 0));
	if (fact_has(d, "lifetime_ms"))
		snprintf(buf + n, len - n, " after %lld ms",
			 (long long)fact_int(d, "lifetime_ms", 0));
}

/* kind: "death" (a process died) or "bind" (a bind/listen failed, `gotrace bind`). */
static void print_verdict_json(const char *kind, const struct fact *d, const struct cand_list *sel,
			       uint64_t latency)
{
	struct json_writer w;
	char display[256];

	rank__display(d, display, sizeof(display));
	json_init(&w, stdout);
	json_obj_begin(&w, NULL);
	json_obj_begin(&w, "verdict");
	json_str(&w, "kind", kind);
	json_u64(&w, "time_ns", d->time_ns);
	json_str(&w, "subject", d->subject);
	json_str(&w, "display", display);
	json_i64(&w, "pid", fact_int(d, "pid", 0));
	if (fact_has(d, "signal"))
		json_i64(&w, "signal", fact_int(d, "signal", 0));
	else if (fact_has(d, "exit_code"))
		json_i64(&w, "exit_code", fact_int(d, "exit_code", 0));
	json_u64(&w, "event_to_verdict_ns", latency);
	if (!strcmp(kind, "death"))
		json_u64(&w, "death_to_verdict_ns", latency);
	rank_write_json_list(&w, "candidates", sel);
	json_obj_end(&w);
	json_obj_end(&w);
	json_end_line(&w);
}

static void print_verdict(struct crash_session *s, const struct fact *d,
			  const struct cand_list *sel, uint64_t latency)
{
	char t[32], display[256], line[600];

	if (s->o.json) {
		print_verdict_json("death", d, sel, latency);
		return;
	}
	clock_str(d->time_ns, t, sizeof(t));
	rank__display(d, display, sizeof(display));
	death_line(d, display, line, sizeof(line));
	printf("%s ", t);
	term_write_sanitized(stdout, line, strlen(line));
	putchar('\n');
	rank_print_text(stdout, sel, s->o.verbose ? 0 : 3, s->o.verbose);
	putchar('\n');
	fflush(stdout);
}

/*
 * In containers, a container dies when its init does (the kernel then kills
 * the rest of its pid namespace); elsewhere every abnormal exit is a death.
 */
static bool is_death(const struct fact *d, const struct crash_session *s)
{
	bool abnormal = fact_has(d, "signal") || fact_int(d, "exit_code", 0) != 0;

	if (fact_bool(d, "container_init", false))
		return true;
	if (s->o.pid || s->o.cgroup)
		return abnormal;
	return abnormal && s->o.verbose >= 1;
}

void crash_verdict(struct crash_session *s, const struct fact *death)
{
	struct cand_list all = {0}, sel;
	uint64_t latency;

	if (s->o.mode != CRASH_MODE_CRASH || s->o.quiet || !is_death(death, s))
		return;
	rank__evaluate(&s->facts, NULL, &all);
	select_for(&all, death->subject, (pid_t)fact_int(death, "pid", 0), &sel);
	latency = real_ns() - death->time_ns;
	print_verdict(s, death, &sel, latency);
	s->verdicts++;
	s->last_latency_ns = latency;
	if (latency > s->max_latency_ns)
		s->max_latency_ns = latency;
	free(sel.v);
	cand_list__clear(&all);
}

static void bind_line(const struct fact *b)
{
	char t[32], display[256], line[900];
	const char *err = fact_str(b, "errno_name");

	clock_str(b->time_ns, t, sizeof(t));
	rank__display(b, display, sizeof(display));
	snprintf(line, sizeof(line),
		 "%s pid %lld (%s): %s %s -> %s; uid %lld, caps %s (%sCAP_NET_BIND_SERVICE), "
		 "ip_unprivileged_port_start %lld",
		 display, (long long)fact_int(b, "pid", 0), fact_str(b, "comm") ?: "?",
		 fact_str(b, "syscall") ?: "?", fact_str(b, "address") ?: "?", err ? err : "ok",
		 (long long)fact_int(b, "uid", 0), fact_str(b, "caps_effective") ?: "?",
		 fact_bool(b, "cap_net_bind_service", false) ? "" : "no ",
		 (long long)fact_int(b, "ip_unprivileged_port_start", 0));
	printf("%s ", t);
	term_write_sanitized(stdout, line, strlen(line));
	if (fact_has(b, "holder_pid")) {
		snprintf(line, sizeof(line), "; held by pid %lld (%s) %s",
			 (long long)fact_int(b, "holder_pid", 0), fact_str(b, "holder_comm") ?: "?",
			 fact_str(b, "holder_subject") ?: "");
		term_write_sanitized(stdout, line, strlen(line));
	}
	putchar('\n');
}

void crash_bind_verdict(struct crash_session *s, const struct fact *b)
{
	static const char *const prefixes[] = {"bind_", NULL};
	struct cand_list all = {0}, sel;

	if (s->o.quiet)
		return;
	/* Go probes IPv6 support with port-0 loopback binds at start: noise unless -v. */
	if (!s->o.json && (!fact_bool(b, "ok", false) || fact_int(b, "port", 0) || s->o.verbose))
		bind_line(b);
	if (fact_bool(b, "ok", true))
		return;
	rank__evaluate(&s->facts, prefixes, &all);
	select_for(&all, b->subject, (pid_t)fact_int(b, "pid", 0), &sel);
	if (s->o.json)
		print_verdict_json("bind", b, &sel, real_ns() - b->time_ns);
	else
		rank_print_text(stdout, &sel, 3, s->o.verbose);
	fflush(stdout);
	free(sel.v);
	cand_list__clear(&all);
}
