// SPDX-License-Identifier: GPL-2.0
/*
 * The doctor runner (user/doctor/runner.c) and the live window
 * (user/live/window.c) with checks and components made for the test: a
 * check that blocks reading a FIFO nobody writes must be reported as timed
 * out on time while the others finish; the unmet needs skip; the live
 * window starts, polls, finishes and stops components in order and ends
 * early when they are all done.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/err.h"
#include "base/signals.h"
#include "doctor/runner.h"
#include "doctor_fake.h"
#include "live/component.h"

static char fifo[PATH_MAX];

static void fast(const struct doctor_check *self, const struct doctor_target *t,
		 struct check_result *r)
{
	struct fact *f = check_fact(r, t, "test_fact");

	fact_set_int(f, "n", 7);
	check_finding(r, CHECK_WARN, "found %d", 7);
	check_evidence(r, "read %s", "something");
}

/* Blocks in open() of a FIFO without a writer: what a hostile container can set up. */
static void stuck(const struct doctor_check *self, const struct doctor_target *t,
		  struct check_result *r)
{
	char c;
	int fd = open(fifo, O_RDONLY);

	if (fd >= 0 && read(fd, &c, 1) >= 0)
		check_finding(r, CHECK_PASS, "read");
	if (fd >= 0)
		close(fd);
}

static void sleepy(const struct doctor_check *self, const struct doctor_target *t,
		   struct check_result *r)
{
	struct timespec ts = {0, 200 * 1000000L};

	nanosleep(&ts, NULL);
	check_finding(r, CHECK_PASS, "slept");
}

static const struct doctor_check c_fast = {"t.fast", "a fast check", 1000, 0, fast, NULL};
static const struct doctor_check c_stuck = {"t.stuck", "blocks on a FIFO", 300, 0, stuck, NULL};
static const struct doctor_check c_pid = {"t.pid", "needs a process", 1000, NEED_PID, fast, NULL};
static const struct doctor_check c_sleepy = {"t.sleepy", "200 ms", 1000, 0, sleepy, NULL};

static void test_timeout(void **state)
{
	const struct doctor_check *checks[] = {&c_fast, &c_stuck, &c_pid, &c_sleepy, &c_sleepy};
	struct check_outcome out[5];
	struct fake f;
	uint64_t t0;
	size_t abandoned;
	int w;

	fake_init(&f);
	snprintf(fifo, sizeof(fifo), "%s/fifo", f.dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	f.t.pid = 0;
	snprintf(f.t.why_no_pid, sizeof(f.t.why_no_pid), "between restarts");
	t0 = mono_ns();
	abandoned = doctor_run_checks(&f.t, checks, 5, 0, out);
	/* The stuck check's 300 ms bound the run, not its read, which never returns. */
	assert_true(mono_ns() - t0 < 1000000000ULL);
	assert_int_equal(abandoned, 1);
	assert_int_equal(out[0].result.status, CHECK_WARN);
	assert_int_equal(out[0].result.facts.n, 1);
	assert_int_equal(fact_int(out[0].result.facts.v[0], "n", 0), 7);
	assert_true(out[1].result.timed_out);
	assert_int_equal(out[1].result.status, CHECK_WARN);
	assert_true(out[1].result.elapsed_ns >= 300000000ULL);
	assert_int_equal(out[2].result.status, CHECK_SKIP);
	assert_string_equal(out[2].result.summary, "between restarts");
	assert_int_equal(out[3].result.status, CHECK_PASS);
	assert_true(out[3].result.elapsed_ns >= 200000000ULL);
	assert_int_equal(check_outcomes__worst(out, 5), CHECK_WARN);
	check_outcomes__clear(out, 5);
	/* Unblock the abandoned thread: it frees its own job. */
	w = open(fifo, O_WRONLY | O_NONBLOCK);
	if (w >= 0)
		close(w);
	usleep(100000);
	fake_free(&f);
}

/* At most one check at a time: the sleeps add up. */
static void test_serial(void **state)
{
	const struct doctor_check *checks[] = {&c_sleepy, &c_sleepy, &c_sleepy};
	struct check_outcome out[3];
	struct fake f;
	uint64_t t0;

	fake_init(&f);
	t0 = mono_ns();
	assert_int_equal(doctor_run_checks(&f.t, checks, 3, 1, out), 0);
	assert_true(mono_ns() - t0 >= 600000000ULL);
	for (int i = 0; i < 3; i++)
		assert_int_equal(out[i].result.status, CHECK_PASS);
	check_outcomes__clear(out, 3);
	fake_free(&f);
}

/* ------------------------------------------------------------------ live window */

struct comp_state {
	int polls;
	int done_after; /* polls before it says it is done; 0: never */
};

static char trace[256];

static void note(const char *s)
{
	strncat(trace, s, sizeof(trace) - strlen(trace) - 1);
}

static bool applies_yes(const struct live_target *t, char *why, size_t len)
{
	return true;
}

static bool applies_no(const struct live_target *t, char *why, size_t len)
{
	snprintf(why, len, "no process");
	return false;
}

static int start_ok(const struct live_target *t, void **state)
{
	struct comp_state *s = calloc(1, sizeof(*s));

	s->done_after = t->pid == 1 ? 2 : 0;
	*state = s;
	note("S");
	return 0;
}

static int start_notgo(const struct live_target *t, void **state)
{
	*state = NULL;
	return err_fail(GT_ENOTGO, "not a Go program");
}

static int start_fail(const struct live_target *t, void **state)
{
	*state = NULL;
	return err_fail(EPERM, "no BPF for you");
}

static int poll_one(void *state, int timeout_ms, struct fact_store *fs)
{
	struct comp_state *s = state;

	usleep((useconds_t)timeout_ms * 1000);
	s->polls++;
	fact_store__add(fs, fact_new("seen_while_polling", "x", 0));
	return s->done_after && s->polls >= s->done_after;
}

static int finish_one(void *state, struct fact_store *fs, char *summary, size_t len)
{
	struct comp_state *s = state;

	note("F");
	snprintf(summary, len, "polled %d times", s->polls);
	return fact_store__add(fs, fact_new("at_finish", "x", 0));
}

static void stop_one(void *state)
{
	note("T");
	free(state);
}

static const struct live_component good = {"good",   "",	 applies_yes, start_ok,
					   poll_one, finish_one, stop_one};
static const struct live_component na = {"na",	   "",	       applies_no, start_ok,
					 poll_one, finish_one, stop_one};
static const struct live_component notgo = {"notgo",  "",	  applies_yes, start_notgo,
					    poll_one, finish_one, stop_one};
static const struct live_component broken = {"broken", "",	   applies_yes, start_fail,
					     poll_one, finish_one, stop_one};

static void test_live_window(void **state)
{
	const struct live_component *list[] = {&good, &na, &notgo, &broken};
	struct live_target t = {.pid = 42, .subject = "pid:42"};
	struct fact_store fs = {0};
	struct live_window w;
	uint64_t t0 = mono_ns();

	trace[0] = '\0';
	assert_int_equal(live_window__run_list(list, 4, &t, 300000000ULL, &fs, &w), 0);
	assert_true(mono_ns() - t0 >= 300000000ULL);
	assert_false(w.ended_early);
	assert_int_equal(w.v[0].state, LIVE_RAN);
	assert_int_equal(w.v[1].state, LIVE_SKIPPED);
	assert_string_equal(w.v[1].detail, "no process");
	assert_int_equal(w.v[2].state, LIVE_SKIPPED); /* not Go: does not apply */
	assert_int_equal(w.v[3].state, LIVE_FAILED);
	assert_string_equal(w.v[3].detail, "no BPF for you");
	assert_true(w.v[0].nfacts >= 2); /* polls' facts and the finish's */
	assert_non_null(fact_store__latest(&fs, "at_finish", NULL));
	/* good starts; the two failed starts are stopped at once; good finishes, then stops */
	assert_string_equal(trace, "STTFT");
	live_window__clear(&w);
	fact_store__clear(&fs);
}

/* Every running component done (the target exited): the window ends early. */
static void test_live_early(void **state)
{
	const struct live_component *list[] = {&good};
	struct live_target t = {.pid = 1, .subject = "pid:1"};
	struct fact_store fs = {0};
	struct live_window w;
	uint64_t t0 = mono_ns();

	assert_int_equal(live_window__run_list(list, 1, &t, 5000000000ULL, &fs, &w), 0);
	assert_true(mono_ns() - t0 < 2000000000ULL);
	assert_true(w.ended_early);
	assert_string_equal(w.v[0].detail, "polled 2 times");
	live_window__clear(&w);
	fact_store__clear(&fs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_serial),
		cmocka_unit_test(test_live_window),
		cmocka_unit_test(test_live_early),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
