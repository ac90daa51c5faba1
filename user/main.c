// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace: why a Go service is crash-looping or stuck, from the node.
 * main() only dispatches: it finds the command, runs it, and maps the
 * error it returns to the exit code (0 ok, 1 runtime, 2 usage, 3 missing
 * kernel feature or privilege).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "cli/opts.h"
#include "commands.h"
#include "out/json.h"

static const struct cmd_spec *const commands[] = {
	&cmd_watch, &cmd_info,	&cmd_block, &cmd_goroutines,
	&cmd_oom,   &cmd_crash, &cmd_bind,  &cmd_doctor,
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void print_usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"gotrace %s: why a Go service is crash-looping or stuck\n\n"
		"Usage: gotrace [GLOBAL OPTIONS] <command> [OPTIONS]\n\nCommands:\n",
		GOTRACE_VERSION);
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-12s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(f, "  %-12s %s\n", "help", "help for a command (same as <command> --help)");
	fprintf(f,
		"\nGlobal options (also accepted after the command):\n"
		"  -v, --verbose          more detail; -vv for libbpf debug output\n"
		"  -j, --json             newline-delimited JSON on stdout\n"
		"      --host-root DIR    the node's root filesystem (default /)\n"
		"      --version          print the version\n"
		"\nExamples:\n"
		"  gotrace info ./server              # what Go binary is this, can it be traced\n"
		"  sudo gotrace info --pid 4242       # the same for a running process\n"
		"  sudo gotrace info --kernel         # which kernel hooks this node supports\n"
		"  gotrace info --addr 0x4a1c00 ./server  # symbolize an address\n"
		"  sudo gotrace goroutines --pid 4242 # every goroutine, without stopping it\n"
		"  sudo gotrace crash                 # why each container instance died\n"
		"  sudo gotrace bind                  # every bind/listen and why it failed\n"
		"  sudo gotrace doctor --pid 4242     # the crash-loop checklist, automated\n"
		"\nExit codes: 0 ok, 1 runtime error, 2 usage error, 3 missing kernel feature "
		"or privilege;\ndoctor: 4 a check warned, 5 a check failed.\n");
}

/* Exact name, else a unique prefix (bpftool-style). */
static const struct cmd_spec *find_command(const char *name)
{
	const struct cmd_spec *found = NULL;
	size_t i, len = strlen(name);

	for (i = 0; i < NCOMMANDS; i++) {
		if (!strcmp(commands[i]->name, name))
			return commands[i];
		if (!strncmp(commands[i]->name, name, len)) {
			if (found)
				return NULL;
			found = commands[i];
		}
	}
	return found;
}

/* Errors go to stderr; under --json also as a JSON object on stderr. */
static void report_error(int err)
{
	const char *msg = err_msg()[0] ? err_msg() : err_name(err);

	if (g_opts.json) {
		struct json_writer w;

		json_init(&w, stderr);
		json_obj_begin(&w, NULL);
		json_str(&w, "error", msg);
		json_i64(&w, "exit_code", err_exit_code(err));
		json_obj_end(&w);
		json_end_line(&w);
	} else {
		fprintf(stderr, "gotrace: %s\n", msg);
	}
}

int main(int argc, char **argv)
{
	const struct cmd_spec *cmd;
	int idx = 0, err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	err = opts_parse_global(argc, argv, &idx);
	if (err) {
		report_error(err);
		return err_exit_code(err);
	}
	if (idx >= argc) {
		print_usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[idx], "-h") || !strcmp(argv[idx], "--help")) {
		print_usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[idx], "--version")) {
		printf("gotrace %s\n", GOTRACE_VERSION);
		return EXIT_OK;
	}
	if (!strcmp(argv[idx], "help")) {
		if (idx + 1 >= argc) {
			print_usage(stdout);
			return EXIT_OK;
		}
		cmd = find_command(argv[idx + 1]);
		if (cmd) {
			opts_print_help(cmd, stdout);
			return EXIT_OK;
		}
		idx++;
	}
	cmd = find_command(argv[idx]);
	if (!cmd) {
		err = err_fail(GT_EUSAGE,
			       "unknown or ambiguous command '%s' (see 'gotrace --help')",
			       argv[idx]);
		report_error(err);
		return EXIT_USAGE;
	}
	err_clear();
	err = cmd->run(cmd, argc - idx, argv + idx);
	if (err == 1) /* --help */
		return EXIT_OK;
	if (err < 0)
		report_error(err);
	return err_exit_code(err);
}
