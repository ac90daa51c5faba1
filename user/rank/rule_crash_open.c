// SPDX-License-Identifier: GPL-2.0
/*
 * crash_open_fail: the process exited non-zero after a failed open — the
 * config file that is not where the program looks. A process fails many
 * opens harmlessly (locales, optional files), so only the most telling one
 * becomes the candidate: the file its last output names, the one found
 * elsewhere (a volume, $APP_HOME), the last before the exit.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rank/crash_facts.h"
#include "rank/rules.h"

static const char *base_of(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* How telling this failure is about the death (0: not at all). */
static int telling(const struct fact *f, const char *tail, bool last)
{
	const char *path = fact_str(f, "path") ?: "";
	int score = 0;

	if (!*path)
		return 0;
	if (*tail && strstr(tail, base_of(path)))
		score += 30; /* the program said so before dying */
	if (fact_has(f, "found_path"))
		score += 20;
	if (last)
		score += 10;
	return score;
}

static const struct fact *best_failure(const struct fact_store *fs, const struct fact *d,
				       const char *tail, int *points)
{
	const struct fact *f, *best = NULL, *prev = NULL;
	size_t cur = 0;
	int bs = 0;

	while ((f = crash_facts__of_pid(fs, &cur, "open_fail", d)))
		prev = f;
	cur = 0;
	while ((f = crash_facts__of_pid(fs, &cur, "open_fail", d))) {
		int s = telling(f, tail, f == prev);

		if (s > bs) {
			bs = s;
			best = f;
		}
	}
	*points = bs;
	return bs >= 30 ? best : NULL; /* a last failure alone explains nothing */
}

static void context(struct candidate *c, const struct fact *f, char *ctx, size_t len)
{
	const char *env = fact_str(f, "path_env"), *via = fact_str(f, "found_via");
	size_t n = (size_t)snprintf(ctx, len, "cwd %s", fact_str(f, "cwd") ?: "?");
	char first[200];

	if (env && *env) {
		snprintf(first, sizeof(first), "%.*s", (int)strcspn(env, "\n"), env);
		n += (size_t)snprintf(ctx + n, n < len ? len - n : 0, ", %s", first);
	}
	if (via && !strncmp(via, "volume", 6) && n < len)
		snprintf(ctx + n, len - n, ", %s", via);
	if (env && *env) {
		char joined[600];
		size_t i;

		snprintf(joined, sizeof(joined), "%s", env);
		for (i = 0; joined[i]; i++)
			if (joined[i] == '\n')
				joined[i] = ' ';
		cand_evidence(c, "environment: %s", joined);
	}
	if (fact_str(f, "mounts"))
		cand_evidence(c, "mounts: %s", fact_str(f, "mounts"));
}

static void fix(struct candidate *c, const struct fact *f, int64_t err)
{
	const char *found = fact_str(f, "found_path"), *path = fact_str(f, "abs_path") ?: "?";

	if (found)
		cand_fix(c,
			 "the file is at %s (%s): open it there, or set the container's "
			 "workingDir to its directory",
			 found, fact_str(f, "found_via") ?: "?");
	else if (err == EACCES)
		cand_fix(c,
			 "make %s readable for uid %lld (the volume's permissions or "
			 "securityContext.fsGroup)",
			 path, (long long)fact_int(f, "uid", 0));
	else if (err == EROFS)
		cand_fix(c,
			 "%s is on a read-only filesystem: write under a writable volume "
			 "(emptyDir) instead",
			 path);
	else
		cand_fix(c,
			 "put the file at %s (a ConfigMap/volume mount) or point the program "
			 "at where it is",
			 path);
}

static void eval(const struct fact_store *fs, struct cand_list *out)
{
	const struct fact *d, *f;
	size_t cur = 0;
	char tail[1024], ctx[600], t[32];
	int points;

	while ((d = fact_store__next(fs, &cur, "exit", NULL))) {
		struct candidate *c;
		int64_t err;

		if (fact_int(d, "exit_code", 0) == 0)
			continue;
		crash_facts__tail(fs, d, 5, tail, sizeof(tail));
		f = best_failure(fs, d, tail, &points);
		if (!f || !(c = crash_cand(out, "crash_open_fail", f)))
			continue;
		err = fact_int(f, "errno", 0);
		c->severity = SEV_CRITICAL;
		crash_facts__clock(f->time_ns, t, sizeof(t));
		cand_evidence(c, "%s openat(\"%s\") = -%s", t, fact_str(f, "path"),
			      fact_str(f, "errno_name") ?: "?");
		context(c, f, ctx, sizeof(ctx));
		cand_cause(c, "%s: %s at %s (%s)", base_of(fact_str(f, "path")),
			   fact_str(f, "errno_name") ?: "?", fact_str(f, "abs_path") ?: "?", ctx);
		if (fact_has(f, "found_path"))
			cand_evidence(c, "%s exists at %s (%s)", base_of(fact_str(f, "path")),
				      fact_str(f, "found_path"), fact_str(f, "found_via") ?: "?");
		crash_cand_output(c, fs, d, 2);
		fix(c, f, err);
		cand_basis(c, 40 + points, "open_fail %s, then exit code %lld",
			   fact_str(f, "errno_name") ?: "?",
			   (long long)fact_int(d, "exit_code", 0));
		crash_cand_death(c, fs, d);
	}
}

const struct rule rule_crash_open_fail = {
	.id = "crash_open_fail",
	.summary = "exited after a failed open (config file missing, unreadable, read-only)",
	.eval = eval,
};
