// SPDX-License-Identifier: GPL-2.0
/*
 * crash_exec_fail: the container never started its program. execve's
 * errno alone misleads ("no such file or directory" for a file that is
 * there): the ELF analysis inside the container's root says which file is
 * missing (the interpreter), or that the binary is for another machine.
 */
#include <errno.h>
#include <string.h>

#include "rank/crash_facts.h"
#include "rank/rules.h"

static void missing_interpreter(struct candidate *c, const struct fact *f, const char *path)
{
	const char *interp = fact_str(f, "interpreter"), *libc = fact_str(f, "libc");

	cand_cause(c, "exec failed: %s needs %s (%s) which the image lacks", path, interp,
		   libc ? libc : "its C library");
	cand_evidence(c, "ELF interpreter %s not found in the container's root", interp);
	if (fact_bool(f, "is_go", false))
		cand_evidence(c,
			      "the binary is Go %s built with CGO_ENABLED=%s (dynamically linked)",
			      fact_str(f, "go_version") ?: "?", fact_str(f, "cgo_enabled") ?: "1");
	cand_fix(c,
		 "build with CGO_ENABLED=0 (a static binary needs no libc) or use a base image "
		 "with %s (e.g. a debian/distroless-base image instead of scratch/alpine)",
		 libc && strcmp(libc, "other") ? libc : "its C library");
	cand_basis(c, 90, "exec_fail ENOENT, the file exists, its interpreter %s does not", interp);
}

static void wrong_arch(struct candidate *c, const struct fact *f, const char *path)
{
	const char *m = fact_str(f, "elf_machine"), *host = fact_str(f, "host_machine");

	cand_cause(c, "exec failed: %s is an %s binary, this node is %s", path, m ? m : "?",
		   host ? host : "?");
	cand_evidence(c, "ELF header: machine %s (e_machine %lld)", m ? m : "?",
		      (long long)fact_int(f, "elf_machine_id", 0));
	cand_fix(c,
		 "build for this node's architecture (GOARCH=%s) or publish a multi-arch "
		 "image",
		 host && !strcmp(host, "aarch64") ? "arm64" : "amd64");
	cand_basis(c, 90, "exec_fail ENOEXEC and the ELF machine %s differs from the node's %s",
		   m ? m : "?", host ? host : "?");
}

static void explain(struct candidate *c, const struct fact *f, const char *path, int64_t err)
{
	const char *m = fact_str(f, "elf_machine"), *host = fact_str(f, "host_machine");

	if (err == ENOENT && fact_bool(f, "file_exists", false) && fact_has(f, "interpreter") &&
	    !fact_bool(f, "interpreter_exists", true)) {
		missing_interpreter(c, f, path);
	} else if (err == ENOEXEC && fact_bool(f, "is_elf", false) && m && host &&
		   strcmp(m, host)) {
		wrong_arch(c, f, path);
	} else if (err == ENOENT && fact_has(f, "file_exists") &&
		   !fact_bool(f, "file_exists", true)) {
		cand_cause(c, "exec failed: %s does not exist in the image", path);
		cand_fix(c, "fix the image's entrypoint/command or copy the binary to %s", path);
		cand_basis(c, 85, "exec_fail ENOENT and %s is absent from the container's root",
			   path);
	} else if (err == ENOEXEC && fact_has(f, "is_elf") && !fact_bool(f, "is_elf", true)) {
		cand_cause(c, "exec failed: %s is not an ELF executable (a script without #!?)",
			   path);
		cand_fix(c, "start the script with a #! line naming an interpreter the image has");
		cand_basis(c, 80, "exec_fail ENOEXEC on a file that is not ELF");
	} else if (err == EACCES) {
		cand_cause(c,
			   "exec failed: %s is not executable (mode %04llo) or on a noexec mount",
			   path, (long long)fact_int(f, "mode", 0));
		cand_fix(c, "chmod +x %s in the image, or mount its volume without noexec", path);
		cand_basis(c, 80, "exec_fail EACCES");
	} else {
		cand_cause(c, "exec failed: %s: %s", path, fact_str(f, "errno_name") ?: "?");
		cand_fix(c, "check the image's entrypoint and the binary at %s", path);
		cand_basis(c, 60, "exec_fail %s", fact_str(f, "errno_name") ?: "?");
	}
}

/*
 * The same process exec'd something afterwards: the failure was one step of
 * a PATH search (execvp tries every directory) or a fallback, not a death.
 */
static bool exec_later(const struct fact_store *fs, const struct fact *f)
{
	int64_t pid = fact_int(f, "pid", 0);
	const struct fact *e;
	size_t cur = 0;

	while ((e = fact_store__next(fs, &cur, "exec", f->subject)))
		if (fact_int(e, "pid", -1) == pid && e->seq > f->seq)
			return true;
	return false;
}

/*
 * Only a failed exec the process then died of explains a death: a failure
 * followed by nothing (a shell's or execvp's PATH search that went on to
 * succeed) is normal. Containers' inits exit at once when their exec fails.
 */
static bool died_after(const struct fact_store *fs, const struct fact *f)
{
	const struct fact *d = crash_facts__first(fs, "exit", f);

	return d && (fact_has(d, "signal") || fact_int(d, "exit_code", 0) != 0);
}

static void eval(const struct fact_store *fs, struct cand_list *out)
{
	const struct fact *f;
	size_t cur = 0;
	char t[32];

	while ((f = fact_store__next(fs, &cur, "exec_fail", NULL))) {
		const char *path = fact_str(f, "path") ?: "?";
		int64_t err = fact_int(f, "errno", 0);
		struct candidate *c;

		if (exec_later(fs, f) || !died_after(fs, f))
			continue;
		c = crash_cand(out, "crash_exec_fail", f);
		if (!c)
			return;
		c->severity = SEV_CRITICAL;
		crash_facts__clock(f->time_ns, t, sizeof(t));
		cand_evidence(c, "%s execve(\"%s\") = -%s", t, path,
			      fact_str(f, "errno_name") ?: "?");
		explain(c, f, path, err);
		crash_cand_death(c, fs, f);
	}
}

const struct rule rule_crash_exec_fail = {
	.id = "crash_exec_fail",
	.summary = "the program never started: execve failed (missing interpreter, wrong "
		   "architecture, missing file)",
	.eval = eval,
};
