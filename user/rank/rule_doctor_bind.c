// SPDX-License-Identifier: GPL-2.0
/*
 * The program cannot listen where it wants: a port below the pod's
 * ip_unprivileged_port_start without CAP_NET_BIND_SERVICE (EACCES), or a
 * port already held (EADDRINUSE, often the previous instance's socket in
 * the pod's shared network namespace). From the bind errors in its logs
 * (log_error) and doctor's net_bind fact (capabilities, the sysctl, the
 * ports it asks for in its arguments and environment). The crash
 * component's bind.* rules see the same from the bind syscall itself.
 */
#include <stdlib.h>
#include <string.h>

#include "rank/doctor_evidence.h"
#include "rank/rules.h"

#define CAP_BIT "CAP_NET_BIND_SERVICE"

static bool is(const struct fact *f, const char *cls)
{
	const char *c = fact_str(f, "class");

	return c && !strcmp(c, cls);
}

/* A port below the namespace's unprivileged start, without the capability. */
static bool refused(const struct fact *nb, int64_t port)
{
	return port > 0 && port < fact_int(nb, "unprivileged_port_start", 1024) &&
	       !fact_bool(nb, "cap_net_bind_service", true);
}

/* The capability and sysctl facts that make the port fail, as evidence. */
static void privileged(const struct fact *nb, int64_t port, struct candidate *c)
{
	int64_t start = fact_int(nb, "unprivileged_port_start", 1024);

	cand_evidence(c,
		      "uid %lld without " CAP_BIT " in its effective set; the pod's "
		      "ip_unprivileged_port_start is %lld",
		      (long long)fact_int(nb, "uid", -1), (long long)start);
	cand_basis(c, 30, "net_bind: no %s, port %lld < %lld", CAP_BIT, (long long)port,
		   (long long)start);
}

static void denied(const struct fact_store *fs, const struct fact *f, struct cand_list *out)
{
	const struct fact *nb = fact_store__latest(fs, "net_bind", f->subject);
	int64_t port = fact_int(f, "port", 0);
	struct candidate *c;
	int n;

	if (!doctor_log_newest(fs, f, &n) ||
	    !(c = doctor_candidate(out, "doctor.bind_denied", f, "bind", SEV_CRITICAL)))
		return;
	cand_cause(c,
		   "cannot listen on port %lld: bind fails with EACCES (a privileged port "
		   "without " CAP_BIT ")",
		   (long long)port);
	cand_basis(c, 45, "log_error bind_eacces on port %lld (%d time%s)", (long long)port, n,
		   n == 1 ? "" : "s");
	cand_evidence(c, "log (%d time%s): %s", n, n == 1 ? "" : "s", fact_str(f, "line") ?: "?");
	if (nb && refused(nb, port))
		privileged(nb, port, c);
	cand_fix(c,
		 "add NET_BIND_SERVICE to the container's capabilities, or listen on a port "
		 ">= 1024 and let the Service map port %lld to it",
		 (long long)port);
}

/* No log line yet, but it asks for a port it cannot have. */
static void configured(const struct fact *nb, struct cand_list *out)
{
	const char *w = fact_str(nb, "wanted_ports"), *l = fact_str(nb, "listening_ports");
	int64_t port = w ? strtoll(w, NULL, 10) : 0;
	struct candidate *c;

	if (!refused(nb, port) || fact_has(nb, "denied_port") || (l && strstr(l, w)) ||
	    !(c = doctor_candidate(out, "doctor.bind_denied", nb, "bind", SEV_WARNING)))
		return;
	privileged(nb, port, c);
	cand_cause(c, "asks for port %lld (arguments or environment) but may not bind it",
		   (long long)port);
	cand_fix(c, "add NET_BIND_SERVICE to the container's capabilities, or use a port >= 1024");
}

static void in_use(const struct fact_store *fs, const struct fact *f, struct cand_list *out)
{
	struct candidate *c;
	int n;

	if (!doctor_log_newest(fs, f, &n) ||
	    !(c = doctor_candidate(out, "doctor.bind_in_use", f, "bind", SEV_CRITICAL)))
		return;
	cand_cause(c, "cannot listen on %s: the port is already in use (EADDRINUSE)",
		   fact_str(f, "addr") ?: "its port");
	cand_basis(c, 45, "log_error bind_eaddrinuse (%d time%s)", n, n == 1 ? "" : "s");
	cand_evidence(c, "log: %s", fact_str(f, "line") ?: "?");
	cand_fix(c,
		 "find who holds it (ss -ltnp in the pod's network namespace): the previous "
		 "instance, or another container of the pod; set SO_REUSEADDR or change the port");
}

static void eval(const struct fact_store *fs, struct cand_list *out)
{
	const struct fact *f;
	size_t cur = 0;

	while ((f = fact_store__next(fs, &cur, "log_error", NULL))) {
		if (is(f, "bind_eacces"))
			denied(fs, f, out);
		else if (is(f, "bind_eaddrinuse"))
			in_use(fs, f, out);
	}
	cur = 0;
	while ((f = fact_store__next(fs, &cur, "net_bind", NULL)))
		configured(f, out);
}

const struct rule rule_doctor_bind = {
	.id = "doctor.bind",
	.summary = "the program cannot listen: privileged port without the capability, port in use",
	.eval = eval,
};
