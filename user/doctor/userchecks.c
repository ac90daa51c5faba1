// SPDX-License-Identifier: GPL-2.0
/* User-defined checks: the file's strict parser and their run (doctor/userchecks.h). */
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/jsonread.h"
#include "base/regex_safe.h"
#include "doctor/spawn.h"
#include "doctor/target.h"
#include "doctor/userchecks.h"
#include "rank/fact.h"

#define MAX_CHECKS 64
#define MAX_ARGS 64
#define MAX_ARG_LEN 4096
#define MAX_TEXT 1024
#define MAX_REGEX 512
/* Nodes after glibc expands repetitions (base/regex_size.h); its closure sets
 * are quadratic in them: 2,000 nodes compile in milliseconds and a few MiB. */
#define MAX_REGEX_NODES 2000
/* A trial compile in a child process (base/regex_safe.h); real patterns take a millisecond. */
#define MAX_REGEX_COMPILE_MS 250
#define MAX_FILE (1u << 20)
#define DEFAULT_TIMEOUT_MS 5000
#define MAX_TIMEOUT_MS 60000
#define GRACE_MS 2000 /* the runner's bound above the command's own timeout */
#define MAX_OUTPUT (64 * 1024)
#define SHOW_LINES 10

enum needs { NEEDS_NONE, NEEDS_ROOT, NEEDS_PID };
enum { IN_HOST, IN_NET, IN_TARGET };

struct user_check {
	struct doctor_check check; /* check.data points back here */
	char id[49];
	char *description, *fix;
	char **argv; /* NULL-terminated; a shell command is {"/bin/sh", "-c", cmd} */
	size_t argc;
	bool shell, has_expect, has_expect_not;
	int in; /* IN_HOST, IN_NET, IN_TARGET */
	regex_t expect, expect_not;
	char *expect_src, *expect_not_src;
	int expect_exit;
	enum needs needs;
	enum check_status severity;
};

struct user_checks {
	struct user_check *v;
	size_t n;
};

/* ------------------------------------------------------------------ parsing */

static int __attribute__((format(printf, 3, 4)))
bad(size_t i, const char *key, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (key)
		return err_fail(GT_EFORMAT, "--checks: check %zu, \"%s\": %s", i + 1, key, what);
	return err_fail(GT_EFORMAT, "--checks: check %zu: %s", i + 1, what);
}

static bool valid_id(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 48 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

/* A string without NUL bytes (json strings may hold them) of at most max bytes. */
static int text(size_t i, const char *key, const struct jv *v, size_t max, char **out)
{
	if (v->type != JV_STRING)
		return bad(i, key, "must be a string");
	if (strlen(v->s) != v->slen || v->slen > max)
		return bad(i, key, "must be at most %zu bytes, without NUL", max);
	*out = strdup(v->s);
	return *out ? 0 : -ENOMEM;
}

static int regex(size_t i, const char *key, const struct jv *v, regex_t *re, char **src)
{
	int err = text(i, key, v, MAX_REGEX, src);

	if (err)
		return err;
	err = regex_compile_bounded(re, *src, REG_EXTENDED | REG_NEWLINE | REG_NOSUB,
				    MAX_REGEX_NODES, MAX_REGEX_COMPILE_MS);
	if (err == -E2BIG)
		return bad(i, key,
			   "repeats too much: its repetitions expand to over %d copies of their "
			   "operands (nested {m,n} and + multiply); match a shorter or less nested "
			   "pattern",
			   MAX_REGEX_NODES);
	if (err == -ETIME)
		return bad(i, key,
			   "takes the regex compiler over %d ms (unbounded repetitions nested over "
			   "optional parts, like (a?)+ inside another +); simplify it",
			   MAX_REGEX_COMPILE_MS);
	if (err == -EINVAL)
		return bad(i, key, "is not a valid POSIX extended regular expression");
	if (err)
		return bad(i, key, "could not be compiled: %s", strerror(-err));
	return 0;
}

static int command(size_t i, const struct jv *v, struct user_check *c)
{
	if (v->type == JV_STRING) {
		c->argv = calloc(4, sizeof(*c->argv));
		if (!c->argv)
			return -ENOMEM;
		c->argc = 3;
		c->argv[0] = strdup("/bin/sh");
		c->argv[1] = strdup("-c");
		return c->argv[0] && c->argv[1] ? text(i, "command", v, MAX_ARG_LEN, &c->argv[2])
						: -ENOMEM;
	}
	if (v->type != JV_ARRAY || v->n == 0 || v->n > MAX_ARGS)
		return bad(i, "command",
			   "must be an array of 1 to %d strings (or a string with "
			   "\"shell\": true)",
			   MAX_ARGS);
	c->argv = calloc(v->n + 1, sizeof(*c->argv));
	if (!c->argv)
		return -ENOMEM;
	for (c->argc = 0; c->argc < v->n; c->argc++) {
		int err = text(i, "command", &v->items[c->argc], MAX_ARG_LEN, &c->argv[c->argc]);

		if (err)
			return err;
	}
	return c->argv[0][0] ? 0 : bad(i, "command", "the program name is empty");
}

static int integer(size_t i, const char *key, const struct jv *v, int64_t min, int64_t max,
		   int64_t *out)
{
	if (v->type != JV_NUMBER || !v->is_int || v->i < min || v->i > max)
		return bad(i, key, "must be an integer from %lld to %lld", (long long)min,
			   (long long)max);
	*out = v->i;
	return 0;
}

static int choice(size_t i, const char *key, const struct jv *v, const char *const *names, int *out)
{
	if (v->type == JV_STRING)
		for (int k = 0; names[k]; k++)
			if (!strcmp(v->s, names[k]) && strlen(v->s) == v->slen) {
				*out = k;
				return 0;
			}
	return bad(i, key, "must be one of the documented values");
}

static int field(size_t i, const char *key, const struct jv *v, struct user_check *c,
		 const struct jv *shell)
{
	static const char *const needs[] = {"none", "root", "pid", NULL};
	static const char *const in[] = {"host", "net", "target", NULL};
	static const char *const sev[] = {"warn", "fail", NULL};
	int64_t n = 0;
	int k = 0, err = 0;

	if (!strcmp(key, "id")) {
		if (v->type != JV_STRING || strlen(v->s) != v->slen || !valid_id(v->s))
			return bad(i, key, "must match [a-z0-9][a-z0-9._-]* (48 bytes at most)");
		snprintf(c->id, sizeof(c->id), "%s", v->s);
	} else if (!strcmp(key, "description")) {
		err = text(i, key, v, MAX_TEXT, &c->description);
	} else if (!strcmp(key, "fix")) {
		err = text(i, key, v, MAX_TEXT, &c->fix);
	} else if (!strcmp(key, "command")) {
		c->shell = shell && shell->type == JV_BOOL && shell->b;
		if (c->shell != (v->type == JV_STRING))
			return bad(i, key,
				   "a string needs \"shell\": true; an array must not have it");
		err = command(i, v, c);
	} else if (!strcmp(key, "shell")) {
		if (v->type != JV_BOOL)
			return bad(i, key, "must be true or false");
	} else if (!strcmp(key, "expect")) {
		err = regex(i, key, v, &c->expect, &c->expect_src);
		c->has_expect = !err;
	} else if (!strcmp(key, "expect_not")) {
		err = regex(i, key, v, &c->expect_not, &c->expect_not_src);
		c->has_expect_not = !err;
	} else if (!strcmp(key, "expect_exit")) {
		err = integer(i, key, v, -1, 255, &n);
		c->expect_exit = (int)n;
	} else if (!strcmp(key, "timeout_ms")) {
		err = integer(i, key, v, 1, MAX_TIMEOUT_MS, &n);
		c->check.timeout_ms = (uint32_t)n;
	} else if (!strcmp(key, "needs")) {
		err = choice(i, key, v, needs, &k);
		c->needs = (enum needs)k;
	} else if (!strcmp(key, "in")) {
		err = choice(i, key, v, in, &k);
		c->in = k;
	} else if (!strcmp(key, "severity")) {
		err = choice(i, key, v, sev, &k);
		c->severity = k ? CHECK_FAIL : CHECK_WARN;
	} else {
		return bad(i, key, "unknown key");
	}
	return err;
}

static void run(const struct doctor_check *self, const struct doctor_target *t,
		struct check_result *r);

static int one(size_t i, const struct jv *o, struct user_check *c)
{
	int err = 0;

	if (o->type != JV_OBJECT)
		return bad(i, NULL, "must be an object");
	for (size_t k = 0; k < o->n; k++)
		for (size_t j = 0; j < k; j++)
			if (!strcmp(o->keys[j], o->keys[k]))
				return bad(i, o->keys[k], "is given twice");
	c->severity = CHECK_FAIL;
	c->check.timeout_ms = DEFAULT_TIMEOUT_MS;
	for (size_t k = 0; k < o->n && !err; k++)
		err = field(i, o->keys[k], &o->items[k], c, jv_get(o, "shell"));
	if (!err && (!c->id[0] || !c->description || !c->argv))
		err = bad(i, NULL, "needs \"id\", \"description\" and \"command\"");
	if (!err && doctor_checks__find(c->id))
		err = bad(i, "id", "\"%s\" is a built-in check's id", c->id);
	c->check.id = c->id;
	c->check.description = c->description;
	c->check.run = run;
	c->check.data = c;
	c->check.timeout_ms += GRACE_MS; /* the command's own timeout kills it first */
	return err;
}

static int checks(const struct jv *arr, struct user_checks *u)
{
	int err = 0;

	if (!arr || arr->type != JV_ARRAY || arr->n == 0 || arr->n > MAX_CHECKS)
		return err_fail(GT_EFORMAT,
				"--checks: \"checks\" must be an array of 1 to %d "
				"checks",
				MAX_CHECKS);
	u->v = calloc(arr->n, sizeof(*u->v));
	if (!u->v)
		return -ENOMEM;
	for (size_t i = 0; i < arr->n && !err; i++) {
		u->n++;
		err = one(i, &arr->items[i], &u->v[i]);
		for (size_t k = 0; k < i && !err; k++)
			if (!strcmp(u->v[k].id, u->v[i].id))
				err = bad(i, "id", "\"%s\" is used twice", u->v[i].id);
	}
	return err;
}

int user_checks__parse(const char *text, size_t len, struct user_checks **out)
{
	struct user_checks *u = calloc(1, sizeof(*u));
	struct jv root;
	int err;

	*out = NULL;
	if (!u)
		return -ENOMEM;
	err = jv_parse(text, len, &root);
	if (err) {
		char why[256];

		snprintf(why, sizeof(why), "%s", err_msg());
		free(u);
		return err_fail(GT_EFORMAT, "--checks: %s", why);
	}
	if (root.type != JV_OBJECT)
		err = err_fail(GT_EFORMAT, "--checks: the file must hold one JSON object");
	for (size_t k = 0; !err && k < root.n; k++)
		if (strcmp(root.keys[k], "checks") && strcmp(root.keys[k], "version"))
			err = err_fail(GT_EFORMAT, "--checks: unknown top-level key \"%s\"",
				       root.keys[k]);
	if (!err && jv_get(&root, "version") &&
	    (jv_get(&root, "version")->type != JV_NUMBER || jv_get(&root, "version")->i != 1 ||
	     !jv_get(&root, "version")->is_int))
		err = err_fail(GT_EFORMAT, "--checks: \"version\" must be 1");
	if (!err)
		err = checks(jv_get(&root, "checks"), u);
	jv_free(&root);
	if (err)
		user_checks__free(u);
	else
		*out = u;
	return err;
}

int user_checks__load(const char *path, struct user_checks **out)
{
	FILE *f = fopen(path, "re");
	char *buf = malloc(MAX_FILE + 1);
	size_t n = 0;
	int err;

	if (!f || !buf) {
		err = err_fail(f ? ENOMEM : errno, "--checks %s: %s", path,
			       strerror(f ? ENOMEM : errno));
		goto out;
	}
	n = fread(buf, 1, MAX_FILE + 1, f);
	if (n > MAX_FILE)
		err = err_fail(GT_EFORMAT, "--checks %s: larger than 1 MiB", path);
	else
		err = user_checks__parse(buf, n, out);
out:
	if (f)
		fclose(f);
	free(buf);
	return err;
}

static void def_free(struct user_check *c)
{
	for (size_t i = 0; c->argv && i < c->argc; i++)
		free(c->argv[i]);
	free(c->argv);
	free(c->description);
	free(c->fix);
	if (c->has_expect)
		regfree(&c->expect);
	if (c->has_expect_not)
		regfree(&c->expect_not);
	free(c->expect_src);
	free(c->expect_not_src);
}

void user_checks__free(struct user_checks *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->n; i++)
		def_free(&u->v[i]);
	free(u->v);
	free(u);
}

size_t user_checks__count(const struct user_checks *u)
{
	return u ? u->n : 0;
}

const struct doctor_check *user_checks__get(const struct user_checks *u, size_t i)
{
	return u && i < u->n ? &u->v[i].check : NULL;
}

/* ------------------------------------------------------------------ running */

struct target_var {
	const char *name; /* placeholder {name}, and GOTRACE_<NAME> in the environment */
	char value[PATH_MAX];
};

enum {
	V_PID,
	V_ROOT,
	V_CGROUP,
	V_MEMORY_DIR,
	V_CPU_DIR,
	V_POD_UID,
	V_CONTAINER_ID,
	V_NAMESPACE,
	V_POD,
	V_CONTAINER,
	V_HOST_ROOT,
	V_NR
};

static void target_vars(const struct doctor_target *t, struct target_var *v)
{
	static const char *const names[V_NR] = {
		"pid",		"root",	     "cgroup", "memory_dir", "cpu_dir",	 "pod_uid",
		"container_id", "namespace", "pod",    "container",  "host_root"};
	const struct identity *id = &t->id;

	for (int i = 0; i < V_NR; i++) {
		v[i].name = names[i];
		v[i].value[0] = '\0';
	}
	if (t->pid)
		snprintf(v[V_PID].value, sizeof(v[0].value), "%d", (int)t->pid);
	snprintf(v[V_ROOT].value, sizeof(v[0].value), "%s", t->root_dir);
	snprintf(v[V_CGROUP].value, sizeof(v[0].value), "%s", id->cgroup);
	snprintf(v[V_MEMORY_DIR].value, sizeof(v[0].value), "%s", t->mem_dir);
	snprintf(v[V_CPU_DIR].value, sizeof(v[0].value), "%s", t->cpu_dir);
	snprintf(v[V_POD_UID].value, sizeof(v[0].value), "%s", id->cg.pod_uid);
	snprintf(v[V_CONTAINER_ID].value, sizeof(v[0].value), "%s", id->cg.container_id);
	if (id->have_logs) {
		snprintf(v[V_NAMESPACE].value, sizeof(v[0].value), "%s", id->logs.namespace);
		snprintf(v[V_POD].value, sizeof(v[0].value), "%s", id->logs.pod);
		snprintf(v[V_CONTAINER].value, sizeof(v[0].value), "%s", id->logs.container);
	}
	snprintf(v[V_HOST_ROOT].value, sizeof(v[0].value), "%s", t->host_root);
}

/* One argv element with its {placeholders} replaced; NULL (why set) when one has no value. */
static char *substitute(const char *arg, const struct target_var *v, char *why, size_t len)
{
	char out[MAX_ARG_LEN + PATH_MAX];
	size_t n = 0;

	for (const char *p = arg; *p && n < sizeof(out) - 1;) {
		const char *close = *p == '{' ? strchr(p, '}') : NULL;
		int i;

		for (i = 0; close && i < V_NR; i++)
			if ((size_t)(close - p - 1) == strlen(v[i].name) &&
			    !strncmp(p + 1, v[i].name, strlen(v[i].name)))
				break;
		if (!close || i == V_NR) {
			out[n++] = *p++;
			continue;
		}
		if (!v[i].value[0]) {
			snprintf(why, len, "{%s} has no value for this target", v[i].name);
			return NULL;
		}
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s", v[i].value);
		if (n >= sizeof(out))
			n = sizeof(out) - 1;
		p = close + 1;
	}
	out[n] = '\0';
	return strdup(out);
}

/* "GOTRACE_<NAME>=value" for every variable, and a PATH. */
static char **environment(const struct target_var *v)
{
	char **env = calloc(V_NR + 2, sizeof(*env));
	size_t n = 0;

	if (!env)
		return NULL;
	env[n++] = strdup("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	for (int i = 0; i < V_NR; i++) {
		char name[32];
		size_t k;

		for (k = 0; v[i].name[k] && k < sizeof(name) - 1; k++)
			name[k] = (char)(v[i].name[k] >= 'a' ? v[i].name[k] - 32 : v[i].name[k]);
		name[k] = '\0';
		if (asprintf(&env[n], "GOTRACE_%s=%s", name, v[i].value) >= 0)
			n++;
	}
	return env;
}

static void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* The argv to run: substituted (not for a shell), behind nsenter for "in": "target". */
static char **build_argv(const struct user_check *c, const struct target_var *v, char *why,
			 size_t len)
{
	static const char *const all[] = {"nsenter", "-t", NULL, "-m", "-u",
					  "-i",	     "-n", "-p", "--"};
	static const char *const net[] = {"nsenter", "-t", NULL, "-n", "--"};
	const char *const *ns = c->in == IN_NET ? net : all;
	size_t pre = c->in == IN_NET	  ? sizeof(net) / sizeof(net[0])
		     : c->in == IN_TARGET ? sizeof(all) / sizeof(all[0])
					  : 0,
	       i;
	char **argv = calloc(pre + c->argc + 1, sizeof(*argv));

	if (!argv)
		return NULL;
	for (i = 0; i < pre; i++)
		argv[i] = strdup(ns[i] ? ns[i] : v[V_PID].value);
	for (i = 0; i < c->argc; i++) {
		argv[pre + i] = c->shell ? strdup(c->argv[i]) : substitute(c->argv[i], v, why, len);
		if (!argv[pre + i]) {
			strv_free(argv);
			return NULL;
		}
	}
	return argv;
}

/* The last lines of a command's output, as evidence. */
static void show(const char *what, char *text, bool cut, struct check_result *r)
{
	char *lines[SHOW_LINES], *save = NULL, *l;
	size_t n = 0, total = 0;

	for (l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		total++;
		if (n == SHOW_LINES) {
			memmove(lines, lines + 1, (SHOW_LINES - 1) * sizeof(*lines));
			n--;
		}
		lines[n++] = l;
	}
	if (total > n || cut)
		check_evidence(r, "%s: last %zu of %zu%s lines", what, n, total, cut ? "+" : "");
	for (size_t i = 0; i < n; i++)
		check_evidence(r, "%s| %s", what, lines[i]);
}

static void judge(const struct user_check *c, const struct spawn_result *res,
		  struct check_result *r)
{
	enum check_status s = c->severity;

	if (res->timed_out)
		check_finding(r, s, "did not finish within %u ms (killed)",
			      c->check.timeout_ms - GRACE_MS);
	else if (res->signal)
		check_finding(r, s, "killed by signal %d", res->signal);
	else if (c->expect_exit >= 0 && res->exit_code != c->expect_exit)
		check_finding(r, s, "exited with %d, expected %d", res->exit_code, c->expect_exit);
	else if (c->has_expect && regexec(&c->expect, res->out, 0, NULL, 0))
		check_finding(r, s, "its output does not match /%s/", c->expect_src);
	else if (c->has_expect_not && !regexec(&c->expect_not, res->out, 0, NULL, 0))
		check_finding(r, s, "its output matches /%s/", c->expect_not_src);
	else
		check_finding(r, CHECK_PASS, "exited with %d%s%s%s", res->exit_code,
			      c->has_expect ? ", output matches /" : "",
			      c->has_expect ? c->expect_src : "", c->has_expect ? "/" : "");
	if (r->status >= CHECK_WARN && c->fix)
		check_fix(r, "%s", c->fix);
}

static void execute(const struct doctor_target *t, const struct user_check *c, char **argv,
		    char **env, struct check_result *r)
{
	struct spawn_result res;
	char cmd[512] = "";
	struct fact *f;

	for (size_t i = 0, n = 0; argv[i] && n < sizeof(cmd) - 1; i++)
		n += (size_t)snprintf(cmd + n, sizeof(cmd) - n, "%s%s", i ? " " : "", argv[i]);
	check_evidence(r, "$ %s", cmd);
	if (spawn_run(argv, env, c->check.timeout_ms - GRACE_MS, MAX_OUTPUT, &res)) {
		check_skip(r, "cannot run %s: %s", argv[0], strerror(res.spawn_err));
		spawn_result__clear(&res);
		return;
	}
	check_evidence(r, "exit %d%s%s after %.0f ms", res.exit_code, res.signal ? ", signal " : "",
		       res.signal ? strsignal(res.signal) : "", res.elapsed_ns / 1e6);
	judge(c, &res, r);
	show("stdout", res.out, res.out_cut, r);
	show("stderr", res.err, res.err_cut, r);
	f = check_fact(r, t, "user_check");
	if (f) {
		fact_set_str(f, "check", c->id);
		fact_set_bool(f, "passed", r->status == CHECK_PASS);
		fact_set_int(f, "exit_code", res.exit_code);
		fact_set_bool(f, "timed_out", res.timed_out);
	}
	spawn_result__clear(&res);
}

static void run(const struct doctor_check *self, const struct doctor_target *t,
		struct check_result *r)
{
	const struct user_check *c = self->data;
	struct target_var v[V_NR];
	char why[128] = "", **argv, **env;

	if (c->needs == NEEDS_ROOT && geteuid() != 0) {
		check_skip(r, "needs root (run gotrace as root)");
		return;
	}
	if ((c->needs == NEEDS_PID || c->in != IN_HOST) && !t->pid) {
		check_skip(r, "needs a process: %s", t->why_no_pid);
		return;
	}
	target_vars(t, v);
	argv = build_argv(c, v, why, sizeof(why));
	env = environment(v);
	if (!argv || !env)
		check_skip(r, "%s", why[0] ? why : "out of memory");
	else
		execute(t, c, argv, env, r);
	strv_free(argv);
	strv_free(env);
}
