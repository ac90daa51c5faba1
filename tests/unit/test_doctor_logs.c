// SPDX-License-Identifier: GPL-2.0
/*
 * The readers doctor uses on text it does not control: kubelet log lines
 * (CRI and docker json-file formats) and the error messages in them, as Go's
 * os and net packages, the Go runtime and runc print them (os.PathError
 * "op path: err", net.OpError "listen tcp addr: bind: err", "panic: ",
 * "fatal error: "); the kernel log's OOM-kill records (the format of
 * mm/oom_kill.c, as /dev/kmsg shows it); and the Markdown writer, which must
 * keep a container's strings from becoming markup.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "doctor/logscan.h"
#include "kern/kmsg.h"
#include "out/markdown.h"

static void test_cri_line(void **state)
{
	const char *raw =
		"2026-11-27T11:04:12.156721Z stderr F exec /app/x: no such file or directory";
	struct log_line l;

	assert_true(log_line__parse(raw, strlen(raw), &l));
	assert_string_equal(l.text, "exec /app/x: no such file or directory");
	assert_true(l.is_stderr);
	/* 2026-11-27T11:04:12Z is 1795777452 s after the epoch (date -u -d ... +%s). */
	assert_int_equal(l.time_ns, 1795777452ULL * 1000000000ULL + 156721000ULL);
	free(l.text);
}

static void test_json_line(void **state)
{
	const char *raw = "{\"log\":\"listening\\n\",\"stream\":\"stdout\","
			  "\"time\":\"2026-11-27T12:04:12.5+01:00\"}";
	struct log_line l;

	assert_true(log_line__parse(raw, strlen(raw), &l));
	assert_string_equal(l.text, "listening");
	assert_false(l.is_stderr);
	assert_int_equal(l.time_ns, 1795777452ULL * 1000000000ULL + 500000000ULL);
	free(l.text);
	/* Neither format: the line as it is. */
	assert_true(log_line__parse("plain text", 10, &l));
	assert_string_equal(l.text, "plain text");
	assert_int_equal(l.time_ns, 0);
	free(l.text);
	assert_false(log_line__parse("", 0, &l));
}

struct cls_case {
	const char *msg;
	enum log_class cls;
	const char *path;
	int port;
};

static void test_classify(void **state)
{
	static const struct cls_case cases[] = {
		{"exec /app/server: no such file or directory", LOG_EXEC_ENOENT, "/app/server", 0},
		{"exec /app/server: exec format error", LOG_EXEC_ENOEXEC, "/app/server", 0},
		{"exec /app/server: permission denied", LOG_EXEC_EACCES, "/app/server", 0},
		{"runc run failed: unable to start container process: exec: \"/app/nope\": stat "
		 "/app/nope: no such file or directory",
		 LOG_EXEC_NOBINARY, "/app/nope", 0},
		{"listen tcp :80: bind: permission denied", LOG_BIND_EACCES, "", 80},
		{"2026/01/02 03:04:05 listen tcp 0.0.0.0:8080: bind: address already in use",
		 LOG_BIND_EADDRINUSE, "", 8080},
		{"listen tcp6 [::]:443: bind: permission denied", LOG_BIND_EACCES, "", 443},
		{"open config.yaml: no such file or directory", LOG_OPEN_ENOENT, "config.yaml", 0},
		{"2026/01/02 03:04:05 load: open /etc/app/c.json: no such file or directory",
		 LOG_OPEN_ENOENT, "/etc/app/c.json", 0},
		{"panic: runtime error: index out of range [3] with length 3", LOG_GO_PANIC, "", 0},
		{"fatal error: runtime: out of memory", LOG_GO_OOM, "", 0},
		{"fatal error: concurrent map writes", LOG_GO_FATAL, "", 0},
		{"runtime: program exceeds 10000-thread limit", LOG_GO_FATAL, "", 0},
		{"reopen the file: fine", LOG_NONE, "", 0},
		{"listening on :8080", LOG_NONE, "", 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct log_error e;
		bool hit = log_line__classify(cases[i].msg, &e);

		assert_int_equal(hit, cases[i].cls != LOG_NONE);
		if (!hit)
			continue;
		assert_int_equal(e.cls, cases[i].cls);
		assert_string_equal(e.path, cases[i].path);
		assert_int_equal(e.port, cases[i].port);
	}
}

/* ------------------------------------------------------------------ kmsg */

struct kills {
	struct kmsg_oom v[4];
	int n;
};

static int collect(void *ctx, const struct kmsg_oom *k)
{
	struct kills *ks = ctx;

	if (ks->n < 4)
		ks->v[ks->n++] = *k;
	return 0;
}

static void test_kmsg(void **state)
{
	/* Records as /dev/kmsg gave them for a real memcg OOM kill on this machine. */
	const char *text =
		"6,8328,8521593216,-;memory: usage 65536kB, limit 65536kB, failcnt 0\n"
		"6,8329,8521593220,-;swap: usage 0kB, limit 65536kB, failcnt 0\n"
		"6,8377,8521593255,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset="
		"1114,mems_allowed=0,oom_memcg=/kubepods/burstable/podd82/1114,task_memcg=/"
		"kubepods/"
		"burstable/podd82/1114,task=doctorapp,pid=11564,uid=0\n"
		"3,8378,8521593320,-;Memory cgroup out of memory: Killed process 11564 (doctorapp) "
		"total-vm:847240kB, anon-rss:64808kB, file-rss:1632kB, shmem-rss:0kB, UID:0 "
		"pgtables:216kB oom_score_adj:0\n"
		"6,8500,9000000000,-;oom-kill:constraint=CONSTRAINT_NONE,oom_memcg=/,task_memcg=/x,"
		"task=big,pid=7,uid=0\n";
	struct kills ks = {0};
	uint64_t oldest;

	assert_int_equal(kmsg__oom_kills_text(text, strlen(text), collect, &ks, &oldest), 0);
	assert_int_equal(oldest, 8521593216ULL);
	assert_int_equal(ks.n, 2);
	assert_int_equal(ks.v[0].pid, 11564);
	assert_string_equal(ks.v[0].comm, "doctorapp");
	assert_string_equal(ks.v[0].constraint, "CONSTRAINT_MEMCG");
	assert_string_equal(ks.v[0].task_memcg, "/kubepods/burstable/podd82/1114");
	assert_true(ks.v[0].have_usage && ks.v[0].have_rss);
	assert_int_equal(ks.v[0].limit_kib, 65536);
	assert_int_equal(ks.v[0].anon_rss_kib, 64808);
	assert_int_equal(ks.v[0].file_rss_kib, 1632);
	/* The second kill has no lines around it: reported from its oom-kill line alone. */
	assert_int_equal(ks.v[1].pid, 7);
	assert_false(ks.v[1].have_usage || ks.v[1].have_rss);
}

/* ------------------------------------------------------------------ markdown */

static char *render(void (*fn)(FILE *, const char *), const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fn(f, s);
	fclose(f);
	return buf;
}

static void code_one(FILE *f, const char *s)
{
	md_write_code(f, &s, 1);
}

/* Every ch in s is backslash-escaped. */
static bool escaped(const char *s, char ch)
{
	for (const char *p = strchr(s, ch); p; p = strchr(p + 1, ch))
		if (p == s || p[-1] != '\\')
			return false;
	return true;
}

static void test_markdown(void **state)
{
	char *out = render(md_write_text, "a|b `x` *y* <script>\x1b[31mred & [l](u)");

	/* No raw control byte, no cell separator, no tag, no link, no entity. */
	assert_null(strchr(out, '\x1b'));
	assert_null(strstr(out, "<script>"));
	assert_true(escaped(out, '[') && escaped(out, ']')); /* no link */
	assert_true(escaped(out, '|') && escaped(out, '`') && escaped(out, '*'));
	assert_non_null(strstr(out, "&amp;"));
	free(out);
	/* A code block outlives backticks inside: its fence is longer than any run. */
	out = render(code_one, "evil ``` and ```` fence");
	assert_int_equal(strncmp(out, "`````text\n", 10), 0);
	assert_non_null(strstr(out, "\n`````\n"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cri_line), cmocka_unit_test(test_json_line),
		cmocka_unit_test(test_classify), cmocka_unit_test(test_kmsg),
		cmocka_unit_test(test_markdown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
