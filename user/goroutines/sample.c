// SPDX-License-Identifier: GPL-2.0
/*
 * --sample HZ: snapshots at a fixed rate for a duration, every goroutine of
 * every snapshot counted into one table of (state, stack, creator). No trap
 * in the target: the cost is gotrace's own reads, measured with getrusage
 * and reported per snapshot.
 */
#include <errno.h>
#include <sys/resource.h>

#include "base/err.h"
#include "base/signals.h"
#include "goroutines/sample.h"

static uint64_t cpu_ns(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ULL +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ULL;
}

/* One tick: a snapshot into the table; a snapshot that races allgs is counted, not fatal. */
static int tick(struct go_proc *p, struct go_groups *t, struct go_sample_stats *st)
{
	struct go_snapshot *s;
	size_t i;
	int err = go_proc__snapshot(p, &s);

	if (err == -EAGAIN || err == -EFAULT || err == -GT_EFORMAT) {
		st->failed++;
		return 0;
	}
	if (err)
		return err;
	for (i = 0; i < s->n && !err; i++)
		err = go_groups__add(t, &s->v[i]);
	st->snapshots++;
	st->goroutine_samples += s->n;
	st->dropped += s->dropped;
	st->reused += s->reused;
	st->retried += s->retried;
	go_snapshot__free(s);
	return err;
}

int go_sample(struct go_proc *p, double hz, uint64_t duration_ns, struct go_groups *t,
	      struct go_sample_stats *st)
{
	uint64_t period = (uint64_t)(1e9 / hz), start, next, cpu0;
	int err = 0;

	st->hz = hz;
	cpu0 = cpu_ns();
	start = next = mono_ns();
	while (!signals__stop_requested() && next - start < duration_ns) {
		uint64_t now;

		err = tick(p, t, st);
		if (err)
			break;
		next += period;
		now = mono_ns();
		/* An overrun skips ticks instead of bursting to catch up. */
		while (next <= now) {
			next += period;
			st->missed++;
		}
		if (next - start >= duration_ns || !signals__sleep_until(next))
			break;
	}
	st->duration_ns = mono_ns() - start;
	st->cpu_ns = cpu_ns() - cpu0;
	st->read_syscalls = go_proc__read_syscalls(p);
	return err;
}
