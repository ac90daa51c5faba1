// SPDX-License-Identifier: GPL-2.0
#include <errno.h>

#include "base/loop.h"
#include "base/signals.h"

static int poll_timeout_ms(const struct run_loop *rl, uint64_t now, uint64_t deadline,
			   uint64_t next_tick)
{
	uint64_t until = deadline < next_tick ? deadline : next_tick;
	int max = rl->max_poll_ms > 0 ? rl->max_poll_ms : 100;
	uint64_t ms;

	if (until <= now)
		return 0;
	ms = (until - now + 999999) / 1000000;
	return ms < (uint64_t)max ? (int)ms : max;
}

int run_loop__run(const struct run_loop *rl)
{
	uint64_t start = mono_ns(), now = start;
	uint64_t deadline = rl->duration_ns ? start + rl->duration_ns : UINT64_MAX;
	uint64_t next_tick = rl->interval_ns ? start + rl->interval_ns : UINT64_MAX;
	int err = 0, ferr;

	signals__install();
	while (!signals__stop_requested() && now < deadline && !(rl->stop && rl->stop(rl->ctx))) {
		err = rl->poll(rl->ctx, poll_timeout_ms(rl, now, deadline, next_tick));
		if (err == -EINTR)
			err = 0;
		if (err < 0)
			break;
		err = 0;
		now = mono_ns();
		if (now >= next_tick && rl->tick) {
			err = rl->tick(rl->ctx, false);
			if (err)
				break;
			/* Skip missed ticks rather than bursting to catch up. */
			while (next_tick <= now)
				next_tick += rl->interval_ns;
		}
	}
	ferr = rl->tick ? rl->tick(rl->ctx, true) : 0;
	return err ? err : ferr;
}
