// SPDX-License-Identifier: GPL-2.0
/*
 * The program cannot find a file it needs: its log says an open failed
 * with ENOENT, and doctor resolved that path the way the program did
 * (relative to its working directory, inside the container). When a file
 * of that name sits elsewhere (on a volume mount, under a directory the
 * environment names), working directory, environment and mounts disagree:
 * the scenario's config-missing. From doctor's path_check facts; a path in
 * the environment that does not exist is a weaker, separate candidate.
 */
#include <string.h>

#include "rank/doctor_evidence.h"
#include "rank/rules.h"

static bool from_log(const struct fact *f)
{
	const char *src = fact_str(f, "source");

	return src && strstr(src, "log");
}

static void failed_open(const struct fact *f, struct cand_list *out)
{
	const char *at = fact_str(f, "found_at"), *cwd = fact_str(f, "cwd");
	struct candidate *c =
		doctor_candidate(out, "doctor.config_path", f, "config", SEV_CRITICAL);

	if (!c)
		return;
	cand_cause(c,
		   "cannot open %s: it resolves to %s (working directory %s), which does not "
		   "exist",
		   fact_str(f, "path"), fact_str(f, "resolved") ?: "?", cwd ? cwd : "?");
	cand_basis(c, 50, "path_check: %s from %s does not exist", fact_str(f, "path"),
		   fact_str(f, "source"));
	cand_evidence(c, "%s: open %s: no such file or directory", fact_str(f, "source"),
		      fact_str(f, "path"));
	if (at) {
		cand_basis(c, 25, "path_check: a file of that name is at %s", at);
		cand_evidence(c, "a file of that name is at %s", at);
		cand_fix(c,
			 "point the program at %s (an absolute path), or set the working "
			 "directory (workingDir) to its directory, or mount the volume where "
			 "it is looked for",
			 at);
	} else {
		cand_fix(c,
			 "ship %s in the image or mount it: no file of that name exists at any "
			 "volume mount",
			 fact_str(f, "resolved") ?: "it");
	}
}

static void missing_env(const struct fact *f, struct cand_list *out)
{
	struct candidate *c = doctor_candidate(out, "doctor.config_path", f, "config", SEV_WARNING);

	if (!c)
		return;
	cand_cause(c, "%s names %s, which does not exist in the container", fact_str(f, "source"),
		   fact_str(f, "path"));
	cand_basis(c, 20, "path_check: %s missing", fact_str(f, "path"));
	if (fact_str(f, "found_at"))
		cand_evidence(c, "a file of that name is at %s", fact_str(f, "found_at"));
	cand_fix(c, "point it at an existing path, or mount the volume at %s", fact_str(f, "path"));
}

/* Checked already: a path_check of the same path from a log. */
static bool resolved(const struct fact_store *fs, const struct fact *e)
{
	const struct fact *p;
	size_t cur = 0;

	while ((p = fact_store__next(fs, &cur, "path_check", e->subject)))
		if (from_log(p) && fact_str(p, "path") && fact_str(e, "path") &&
		    !strcmp(fact_str(p, "path"), fact_str(e, "path")))
			return true;
	return false;
}

/* No process to resolve it in (a crash loop between restarts): the log line alone. */
static void log_only(const struct fact_store *fs, const struct fact *e, struct cand_list *out)
{
	struct candidate *c;
	int n;

	if (!doctor_log_newest(fs, e, &n) || resolved(fs, e) ||
	    !(c = doctor_candidate(out, "doctor.config_path", e, "config", SEV_CRITICAL)))
		return;
	cand_cause(c, "the program cannot open %s: no such file or directory", fact_str(e, "path"));
	cand_basis(c, 40, "log_error open_enoent (%d time%s)", n, n == 1 ? "" : "s");
	cand_evidence(c, "log of instance %lld: %s", (long long)fact_int(e, "restart", -1),
		      fact_str(e, "line") ?: "?");
	cand_fix(c, "%s",
		 fact_str(e, "path")[0] == '/'
			 ? "ship the file in the image or mount the volume there"
			 : "a relative path depends on the working directory: give an "
			   "absolute path or set workingDir; doctor on a running instance "
			   "resolves it and looks for the file on the volumes");
}

static void eval(const struct fact_store *fs, struct cand_list *out)
{
	const struct fact *f;
	size_t cur = 0;

	while ((f = fact_store__next(fs, &cur, "log_error", NULL)))
		if (fact_str(f, "class") && !strcmp(fact_str(f, "class"), "open_enoent") &&
		    fact_str(f, "path"))
			log_only(fs, f, out);
	cur = 0;

	while ((f = fact_store__next(fs, &cur, "path_check", NULL))) {
		if (fact_bool(f, "exists", true))
			continue;
		if (from_log(f))
			failed_open(f, out);
		else
			missing_env(f, out);
	}
}

const struct rule rule_doctor_config = {
	.id = "doctor.config_path",
	.summary = "a file the program needs is not where it looks (cwd, env and mounts disagree)",
	.eval = eval,
};
