// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/num.h"
#include "cli/opts.h"
#include "kern/features.h"

struct global_opts g_opts = {
	.host_root = "/",
};

/* Ids of the shared options, below the commands' own (> 0x100). */
enum {
	ID_PID = 'p',
	ID_CGROUP = 'c',
	ID_DURATION = 'd',
	ID_INTERVAL = 'i',
	ID_JSON = 'j',
	ID_VERBOSE = 'v',
	ID_HELP = 'h',
	ID_POD = 0x80,
	ID_CONTAINER,
	ID_HOST_ROOT,
	ID_NO_FEATURE,
};

struct shared_def {
	unsigned bit; /* 0: every command takes it */
	struct option opt;
	const char *arg_name;
	const char *help;
	bool hidden;
};

static const struct shared_def shared_defs[] = {
	{OPT_PID, {"pid", required_argument, NULL, ID_PID}, "PID", "the process (thread group id)"},
	{OPT_CGROUP,
	 {"cgroup", required_argument, NULL, ID_CGROUP},
	 "PATH",
	 "only this cgroup (path under the cgroup mount, or id)"},
	{OPT_POD, {"pod", required_argument, NULL, ID_POD}, "UID", "only this Kubernetes pod"},
	{OPT_CONTAINER,
	 {"container", required_argument, NULL, ID_CONTAINER},
	 "ID",
	 "only this container (id or unique prefix)"},
	{OPT_DURATION,
	 {"duration", required_argument, NULL, ID_DURATION},
	 "DUR",
	 "stop after DUR (10, 10s, 500ms, 2m; default: until Ctrl-C)"},
	{OPT_INTERVAL,
	 {"interval", required_argument, NULL, ID_INTERVAL},
	 "DUR",
	 "print every DUR"},
	{OPT_JSON, {"json", no_argument, NULL, ID_JSON}, NULL, "newline-delimited JSON on stdout"},
	{0, {"verbose", no_argument, NULL, ID_VERBOSE}, NULL, "more detail; -vv for libbpf debug"},
	{0,
	 {"host-root", required_argument, NULL, ID_HOST_ROOT},
	 "DIR",
	 "the node's root filesystem (default /; e.g. /host in a container)"},
	{0,
	 {"no-feature", required_argument, NULL, ID_NO_FEATURE},
	 "LIST",
	 "pretend these kernel mechanisms are missing (fentry,kprobe,tp_btf,raw_tp,tracepoint)",
	 true},
	{0, {"help", no_argument, NULL, ID_HELP}, NULL, "this help"},
};

#define NSHARED (sizeof(shared_defs) / sizeof(shared_defs[0]))

static bool takes_shared(const struct cmd_spec *spec, const struct shared_def *d)
{
	return d->bit == 0 || (spec->shared & d->bit);
}

static size_t count_cmd_opts(const struct cmd_spec *spec)
{
	size_t n = 0;

	while (spec->opts && spec->opts[n].name)
		n++;
	return n;
}

/* Builds getopt_long's tables from the shared options and the command's own. */
static int build_tables(const struct cmd_spec *spec, struct option **longs, char **shorts)
{
	size_t ncmd = count_cmd_opts(spec), i, n = 0, s = 0;
	struct option *lo = calloc(NSHARED + ncmd + 1, sizeof(*lo));
	char *so = calloc(3 * (NSHARED + ncmd) + 2, 1);

	if (!lo || !so) {
		free(lo);
		free(so);
		return -ENOMEM;
	}
	so[s++] = ':'; /* report a missing argument as ':' */
	for (i = 0; i < NSHARED; i++) {
		const struct shared_def *d = &shared_defs[i];

		if (!takes_shared(spec, d))
			continue;
		lo[n++] = d->opt;
		if (d->opt.val < 0x80) {
			so[s++] = (char)d->opt.val;
			if (d->opt.has_arg == required_argument)
				so[s++] = ':';
		}
	}
	for (i = 0; i < ncmd; i++) {
		const struct cmd_opt *o = &spec->opts[i];

		lo[n++] = (struct option){o->name, o->has_arg, NULL, o->id};
		if (o->short_name) {
			so[s++] = o->short_name;
			if (o->has_arg == required_argument)
				so[s++] = ':';
		}
	}
	*longs = lo;
	*shorts = so;
	return 0;
}

/* Maps a short option letter of the command to its id. */
static int cmd_id_for(const struct cmd_spec *spec, int c)
{
	size_t i, n = count_cmd_opts(spec);

	for (i = 0; i < n; i++)
		if (spec->opts[i].short_name == c || spec->opts[i].id == c)
			return spec->opts[i].id;
	return -1;
}

static int usage_err(const struct cmd_spec *spec, const char *what, const char *arg)
{
	if (!strcmp(spec->name, "gotrace"))
		return err_fail(GT_EUSAGE, "%s%s%s (see 'gotrace --help')", what, arg ? " " : "",
				arg ? arg : "");
	return err_fail(GT_EUSAGE, "%s: %s%s%s (see 'gotrace %s --help')", spec->name, what,
			arg ? " " : "", arg ? arg : "", spec->name);
}

static int parse_shared(const struct cmd_spec *spec, struct common_opts *co, int c, const char *arg)
{
	uint64_t v;
	int err = 0;

	switch (c) {
	case ID_PID:
		err = num_parse_u64(arg, 1, 4194304, &v); /* PID_MAX_LIMIT */
		if (!err)
			co->pid = (pid_t)v;
		break;
	case ID_CGROUP:
		co->cgroup = arg;
		break;
	case ID_POD:
		co->pod = arg;
		break;
	case ID_CONTAINER:
		co->container = arg;
		break;
	case ID_DURATION:
		err = num_parse_duration_ns(arg, 1000000000ULL, &co->duration_ns);
		if (!err && co->duration_ns == 0)
			err = err_fail(ERANGE, "the duration must be > 0");
		break;
	case ID_INTERVAL:
		err = num_parse_duration_ns(arg, 1000000000ULL, &co->interval_ns);
		if (!err && co->interval_ns < 10000000ULL)
			err = err_fail(ERANGE, "the interval must be at least 10ms");
		break;
	case ID_JSON:
		co->json = g_opts.json = true;
		break;
	case ID_VERBOSE:
		co->verbose = ++g_opts.verbose;
		break;
	case ID_HOST_ROOT:
		g_opts.host_root = arg;
		break;
	case ID_NO_FEATURE:
		return features__disable_list(arg);
	default:
		return 1; /* not a shared option */
	}
	if (err) {
		char why[256];

		snprintf(why, sizeof(why), "%s", err_msg()); /* err_fail overwrites err_msg() */
		return err_fail(GT_EUSAGE, "%s: bad value '%s': %s", spec->name, arg, why);
	}
	return 0;
}

int opts_parse(const struct cmd_spec *spec, int argc, char **argv, struct common_opts *co,
	       cmd_opt_fn fn, void *ctx, int *first_arg)
{
	struct option *longs = NULL;
	char *shorts = NULL;
	int c, err;

	memset(co, 0, sizeof(*co));
	co->verbose = g_opts.verbose;
	co->json = g_opts.json;
	err = build_tables(spec, &longs, &shorts);
	if (err)
		return err;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		if (c == ID_HELP) {
			opts_print_help(spec, stdout);
			err = 1;
			break;
		}
		if (c == '?') {
			err = usage_err(spec, "unknown option", argv[optind - 1]);
			break;
		}
		if (c == ':') {
			err = usage_err(spec, "missing value for", argv[optind - 1]);
			break;
		}
		err = parse_shared(spec, co, c, optarg);
		if (err == 1) {
			int id = cmd_id_for(spec, c);

			err = id < 0 || !fn ? usage_err(spec, "unknown option", argv[optind - 1])
					    : fn(ctx, id, optarg);
		}
		if (err)
			break;
	}
	free(longs);
	free(shorts);
	if (!err)
		*first_arg = optind;
	return err;
}

static void print_opt(FILE *f, char s, const char *name, const char *arg, const char *help)
{
	char left[64];

	if (s)
		snprintf(left, sizeof(left), "-%c, --%s%s%s", s, name, arg ? " " : "",
			 arg ? arg : "");
	else
		snprintf(left, sizeof(left), "    --%s%s%s", name, arg ? " " : "", arg ? arg : "");
	fprintf(f, "  %-28s %s\n", left, help);
}

void opts_print_help(const struct cmd_spec *spec, FILE *f)
{
	size_t i, n = count_cmd_opts(spec);

	fprintf(f, "gotrace %s: %s\n\nUsage: gotrace %s %s\n", spec->name, spec->summary,
		spec->name, spec->usage);
	if (spec->description)
		fprintf(f, "\n%s\n", spec->description);
	fprintf(f, "\nOptions:\n");
	for (i = 0; i < n; i++)
		if (!spec->opts[i].hidden)
			print_opt(f, spec->opts[i].short_name, spec->opts[i].name,
				  spec->opts[i].arg_name, spec->opts[i].help);
	for (i = 0; i < NSHARED; i++) {
		const struct shared_def *d = &shared_defs[i];

		if (takes_shared(spec, d) && !d->hidden)
			print_opt(f, d->opt.val < 0x80 ? (char)d->opt.val : 0, d->opt.name,
				  d->arg_name, d->help);
	}
	if (spec->examples)
		fprintf(f, "\nExamples:\n%s", spec->examples);
}

/* Global options: the ones every command takes, given before the command. */
int opts_parse_global(int argc, char **argv, int *cmd_index)
{
	static const struct cmd_spec global = {.name = "gotrace"};
	struct common_opts co;
	int i, err;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i], *val = NULL;

		if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			g_opts.verbose++;
			continue;
		}
		if (!strcmp(a, "-vv")) {
			g_opts.verbose += 2;
			continue;
		}
		if (!strcmp(a, "-j") || !strcmp(a, "--json")) {
			g_opts.json = true;
			continue;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help") || !strcmp(a, "--version"))
			break; /* main handles these */
		if (!strncmp(a, "--host-root", 11) || !strncmp(a, "--no-feature", 12)) {
			val = strchr(a, '=');
			if (val)
				val++;
			else if (i + 1 < argc)
				val = argv[++i];
			else
				return usage_err(&global, "missing value for", a);
			err = parse_shared(&global, &co, a[2] == 'h' ? ID_HOST_ROOT : ID_NO_FEATURE,
					   val);
			if (err)
				return err;
			continue;
		}
		return usage_err(&global, "unknown global option", a);
	}
	*cmd_index = i;
	return 0;
}
