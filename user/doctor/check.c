// SPDX-License-Identifier: GPL-2.0
/* The helpers every check uses to report (doctor/check.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor/check.h"
#include "doctor/target.h"

const char *check_status_name(enum check_status s)
{
	static const char *const names[] = {"PASS", "SKIP", "WARN", "FAIL"};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

static void __attribute__((format(printf, 2, 0)))
add_evidence(struct check_result *r, const char *fmt, va_list ap)
{
	char *s;

	if (r->nevidence >= CHECK_MAX_EVIDENCE) {
		r->evidence_cut = true;
		return;
	}
	if (vasprintf(&s, fmt, ap) >= 0)
		r->evidence[r->nevidence++] = s;
}

void check_evidence(struct check_result *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_evidence(r, fmt, ap);
	va_end(ap);
}

void check_finding(struct check_result *r, enum check_status s, const char *fmt, ...)
{
	char text[sizeof(r->summary)];
	size_t n = strlen(r->summary);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (s > r->status || !n) {
		r->status = s > r->status ? s : r->status;
		snprintf(r->summary, sizeof(r->summary), "%s", text);
	} else if (s == r->status) {
		snprintf(r->summary + n, sizeof(r->summary) - n, "; %s", text);
	} else {
		check_evidence(r, "also: %s", text);
	}
}

void check_skip(struct check_result *r, const char *fmt, ...)
{
	va_list ap;

	r->status = CHECK_SKIP;
	va_start(ap, fmt);
	vsnprintf(r->summary, sizeof(r->summary), fmt, ap);
	va_end(ap);
}

void check_fix(struct check_result *r, const char *fmt, ...)
{
	size_t n = strlen(r->fix);
	va_list ap;

	if (n && n + 3 < sizeof(r->fix)) {
		memcpy(r->fix + n, "; ", 3);
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(r->fix + n, sizeof(r->fix) - n, fmt, ap);
	va_end(ap);
}

struct fact *check_fact(struct check_result *r, const struct doctor_target *t, const char *kind)
{
	struct fact *f = fact_new(kind, t->subject, t->time_ns);

	if (!f)
		return NULL;
	if (identity__to_fact(&t->id, f) || (t->pid && fact_set_int(f, "pid", t->pid))) {
		fact_free(f);
		return NULL;
	}
	return fact_store__add(&r->facts, f) ? NULL : f; /* add() frees f on error */
}

void check_result__clear(struct check_result *r)
{
	size_t i;

	for (i = 0; i < r->nevidence; i++)
		free(r->evidence[i]);
	fact_store__clear(&r->facts);
	memset(r, 0, sizeof(*r));
}
