// SPDX-License-Identifier: GPL-2.0
/*
 * The blocked-handler half of a liveness kill. When a Go process in scope
 * gets SIGTERM from another process (the kubelet giving up on a probe), its
 * goroutines are read from memory (goroutines/, never stopping it), and
 * again half a second later: goroutines waiting at the same place in both
 * dumps are what kept it from answering and from shutting down. They become
 * block_stuck facts tied to that process's death, so the rules put "the
 * health handler waits on sync.Mutex.Lock at health.go:22" into the death's
 * verdict.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/signals.h"
#include "block/block.h"
#include "goroutines/goroutines.h"
#include "live/live.h"

#define MAX_PENDING 16
#define SECOND_DUMP_NS 500000000ULL

struct pending {
	pid_t pid;
	struct fact *signal; /* the SIGTERM fact: subject and identity */
	struct go_proc *gp;
	struct go_snapshot *snap0;
	uint64_t due_ns;
};

struct live_dumps {
	struct pending p[MAX_PENDING];
};

int live_dumps__new(struct live_dumps **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

static void drop(struct pending *p)
{
	go_snapshot__free(p->snap0);
	go_proc__free(p->gp);
	fact_free(p->signal);
	memset(p, 0, sizeof(*p));
}

void live_dumps__free(struct live_dumps *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < MAX_PENDING; i++)
		drop(&d->p[i]);
	free(d);
}

void live_dumps__on_fact(struct live_dumps *d, const struct fact *f)
{
	pid_t pid = (pid_t)fact_int(f, "pid", 0);
	struct pending *p = NULL;
	size_t i;

	if (strcmp(f->kind, "signal") || fact_int(f, "signal", 0) != 15 || pid <= 0)
		return;
	if (strcmp(fact_str(f, "sender_kind") ? fact_str(f, "sender_kind") : "", "process"))
		return;
	for (i = 0; i < MAX_PENDING && !p; i++)
		if (!d->p[i].pid)
			p = &d->p[i];
	if (!p)
		return;
	/* Not Go, gone, or an unknown Go version: no dump, and nothing else to do. */
	if (go_proc__open(pid, &p->gp))
		return;
	if (go_proc__snapshot(p->gp, &p->snap0) || !(p->signal = fact_clone(f))) {
		drop(p);
		return;
	}
	p->pid = pid;
	p->due_ns = mono_ns() + SECOND_DUMP_NS;
}

static const struct go_goroutine *by_goid(const struct go_snapshot *s, uint64_t goid)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->v[i].goid == goid)
			return &s->v[i];
	return NULL;
}

static struct fact *group_fact(struct pending *p, const char *reason, const struct block_stack *st)
{
	struct fact *f = fact_clone(p->signal);

	if (!f)
		return NULL;
	free(f->kind);
	f->kind = strdup("block_stuck");
	block_fact_site_attrs(f, reason, st);
	fact_set_bool(f, "before_attach", true);
	fact_set_bool(f, "at_sigterm", true);
	fact_set_int(f, "death_pid", p->pid);
	return f->kind ? f : (fact_free(f), NULL);
}

/* Goroutines waiting in both dumps, grouped by reason and user frame. */
static void compare(struct pending *p, struct go_snapshot *end, const struct fact_sink *out)
{
	struct symbolizer *sym = go_proc__symbolizer(p->gp);
	struct block_stack *st = malloc(sizeof(*st));
	uint64_t waited = end->taken_mono_ns - p->snap0->taken_mono_ns;
	size_t i;

	for (i = 0; st && i < end->n; i++) {
		const struct go_goroutine *g = &end->v[i], *g0 = by_goid(p->snap0, g->goid);
		uint64_t ns = waited;
		struct fact *f;

		if (g->status != GO_G_WAITING || !g0 || g0->status != GO_G_WAITING ||
		    g0->waitreason != g->waitreason)
			continue;
		block_stack__from_goroutine(sym, g, st);
		if (st->user_frame < 0)
			continue; /* the runtime's own goroutines explain nothing here */
		if (g->wait_ns > 0 && (uint64_t)g->wait_ns > ns)
			ns = (uint64_t)g->wait_ns;
		f = group_fact(p, g->state ? g->state : "?", st);
		if (!f)
			break;
		fact_set_int(f, "goroutines", 1);
		fact_set_int(f, "oldest_ns", (int64_t)ns);
		fact_set_int(f, "goid", (int64_t)g->goid);
		out->add(out->ctx, f);
		fact_free(f);
	}
	free(st);
}

void live_dumps__tick(struct live_dumps *d, const struct fact_sink *out)
{
	uint64_t now = mono_ns();
	struct go_snapshot *end;
	size_t i;

	for (i = 0; i < MAX_PENDING; i++) {
		struct pending *p = &d->p[i];

		if (!p->pid || now < p->due_ns)
			continue;
		if (!go_proc__snapshot(p->gp, &end)) {
			compare(p, end, out);
			go_snapshot__free(end);
		}
		drop(p); /* exited meanwhile: it shut down in time, nothing to say */
	}
}
