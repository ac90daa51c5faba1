// SPDX-License-Identifier: GPL-2.0
/*
 * The container cannot even start its program: execve fails. ENOENT for a
 * binary that exists means its ELF interpreter is missing (a CGO_ENABLED=1,
 * glibc-linked Go binary in a scratch, distroless-static or musl image);
 * ENOEXEC means another architecture. From the last instance's log line
 * (doctor's log_error facts, what runc printed) and, when doctor could
 * look at the image, the binary fact (its interpreter, present or not,
 * and its machine). All of them explain one failure: merge key "exec".
 */
#include <string.h>

#include "rank/doctor_evidence.h"
#include "rank/rules.h"

static bool is(const struct fact *f, const char *cls)
{
	const char *c = fact_str(f, "class");

	return c && !strcmp(c, cls);
}

static void from_log(const struct fact_store *fs, const struct fact *f, struct cand_list *out)
{
	const char *path = fact_str(f, "path") ? fact_str(f, "path") : "the binary";
	struct candidate *c;
	int n;

	if (!doctor_log_newest(fs, f, &n) ||
	    !(c = doctor_candidate(out, "doctor.exec_fail", f, "exec", SEV_CRITICAL)))
		return;
	cand_evidence(c, "log (%d time%s): %s", n, n == 1 ? "" : "s",
		      fact_str(f, "line") ? fact_str(f, "line") : "?");
	if (is(f, "exec_enoent")) {
		cand_cause(c,
			   "exec of %s fails with ENOENT: its ELF interpreter (dynamic loader) is "
			   "missing from the image",
			   path);
		cand_basis(c, 55, "log_error exec_enoent: execve of an existing path failed");
		cand_fix(c, "build with CGO_ENABLED=0 (a static binary) or use a base image with "
			    "the libc it links (glibc: debian, distroless/base); doctor --rootfs "
			    "DIR confirms it");
	} else if (is(f, "exec_no_binary")) {
		cand_cause(c, "there is no %s in the image", path);
		cand_basis(c, 60, "log_error exec_no_binary");
		cand_fix(c, "fix the image (COPY the binary) or the command");
	} else if (is(f, "exec_enoexec")) {
		cand_cause(c, "exec of %s fails with ENOEXEC: built for another architecture",
			   path);
		cand_basis(c, 60, "log_error exec_enoexec");
		cand_fix(c, "build for the node's GOARCH, or publish a multi-arch image");
	} else {
		cand_cause(c, "exec of %s is not permitted (no x bit, or a noexec mount)", path);
		cand_basis(c, 55, "log_error exec_eacces");
		cand_fix(c, "chmod +x the binary in the image, or mount its volume without noexec");
	}
}

static void from_binary(const struct fact *f, struct cand_list *out)
{
	const char *m = fact_str(f, "machine"), *node = fact_str(f, "node_machine");
	bool wrong_arch = m && node && strcmp(node, "unknown") && strcmp(m, node);
	struct candidate *c;

	if (!wrong_arch && !(fact_has(f, "interp") && !fact_bool(f, "interp_present", true)))
		return;
	if (!(c = doctor_candidate(out, "doctor.exec_fail", f, "exec", SEV_CRITICAL)))
		return;
	if (wrong_arch) {
		cand_cause(c, "the binary is built for %s, the node is %s: exec fails with ENOEXEC",
			   m, node);
		cand_basis(c, 65, "binary: machine %s != node %s", m, node);
		cand_fix(c, "build for the node's GOARCH, or publish a multi-arch image");
		return;
	}
	cand_cause(c,
		   "the ELF interpreter %s is missing from the %s (it has %s): exec fails with "
		   "ENOENT",
		   fact_str(f, "interp"),
		   strcmp(fact_str(f, "root_source") ?: "", "image") ? "container's root" : "image",
		   fact_str(f, "root_libc") ? fact_str(f, "root_libc") : "no libc");
	cand_basis(c, 60, "binary: interpreter %s not in the root", fact_str(f, "interp"));
	cand_evidence(c, "%s: %s, CGO_ENABLED=%s, links %s", fact_str(f, "path") ?: "?",
		      fact_str(f, "go_version") ?: "not Go", fact_str(f, "cgo_enabled") ?: "?",
		      fact_str(f, "libc") ?: "?");
	cand_fix(c, "build with CGO_ENABLED=0 (a static binary) or use a base image with %s",
		 fact_str(f, "libc") ? fact_str(f, "libc") : "its libc");
}

static void eval(const struct fact_store *fs, struct cand_list *out)
{
	const struct fact *f;
	size_t cur = 0;

	while ((f = fact_store__next(fs, &cur, "log_error", NULL)))
		if (is(f, "exec_enoent") || is(f, "exec_no_binary") || is(f, "exec_enoexec") ||
		    is(f, "exec_eacces"))
			from_log(fs, f, out);
	cur = 0;
	while ((f = fact_store__next(fs, &cur, "binary", NULL)))
		from_binary(f, out);
}

const struct rule rule_doctor_exec = {
	.id = "doctor.exec_fail",
	.summary = "the program cannot be executed: missing ELF interpreter, wrong architecture",
	.eval = eval,
};
