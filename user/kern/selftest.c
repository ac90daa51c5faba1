// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/err.h"
#include "bpf_hookprobe.h"
#include "kern/hooks.h"
#include "kern/selftest.h"

#define SELFTEST_HOOK "process_exec"
#define SELFTEST_RUNS 5
#define SELFTEST_PROG "/bin/true"

/* One fork + exec of SELFTEST_PROG, waited for: its exec event has fired by then. */
static int run_once(void)
{
	int status;
	pid_t pid;

	fflush(NULL); /* the child must not inherit unflushed output */
	pid = fork();
	if (pid < 0)
		return err_fail(errno, "self-test: fork: %s", strerror(errno));
	if (pid == 0) {
		execl(SELFTEST_PROG, "true", (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return err_fail(errno, "self-test: waitpid: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return err_fail(ECHILD, "self-test: %s did not run (status 0x%x)", SELFTEST_PROG,
				status);
	return 0;
}

int kern_selftest__run(struct kern_selftest *st)
{
	struct hookprobe *hp = NULL;
	unsigned i;
	int err;

	memset(st, 0, sizeof(*st));
	st->hook = SELFTEST_HOOK;
	st->expected = SELFTEST_RUNS;
	err = hooks__choice(SELFTEST_HOOK, &st->target);
	if (err)
		return err;
	err = hookprobe__prepare(&st->target, (unsigned)hooks__find(SELFTEST_HOOK), getpid(), &hp);
	for (i = 0; !err && i < SELFTEST_RUNS; i++)
		err = run_once();
	if (!err)
		err = hookprobe__hits(hp, &st->counted);
	hookprobe__finish(hp);
	return err;
}
