// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace info: what Go binary is this, and can it be traced; which kernel
 * hooks this node supports; and symbolization of addresses, so anyone can
 * check gotrace's symbolizer against their own tools.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "commands.h"
#include "info/info.h"
#include "kern/report.h"

enum {
	ID_KERNEL = 0x100,
	ID_ADDR,
	ID_SELFTEST,
	ID_PROBE_CHECK,
};

static const struct cmd_opt info_opts[] = {
	{"kernel", 0, no_argument, ID_KERNEL, NULL,
	 "kernel features and, for every hook gotrace uses, the mechanism chosen here"},
	{"addr", 'a', required_argument, ID_ADDR, "LIST",
	 "symbolize addresses (comma/space separated hex; - reads stdin)"},
	{"probe-check", 0, no_argument, ID_PROBE_CHECK, NULL,
	 "with --pid: attach the uprobes at the computed offsets and count hits for -d (1s)"},
	{"selftest", 0, no_argument, ID_SELFTEST, NULL,
	 "with --kernel: attach the chosen exec hook and count real execs", true},
	{0},
};

struct info_args {
	bool kernel;
	bool selftest;
	bool probe_check;
	const char *addrs;
};

static int info_opt(void *ctx, int id, const char *arg)
{
	struct info_args *a = ctx;

	switch (id) {
	case ID_KERNEL:
		a->kernel = true;
		break;
	case ID_ADDR:
		a->addrs = arg;
		break;
	case ID_SELFTEST:
		a->selftest = true;
		break;
	case ID_PROBE_CHECK:
		a->probe_check = true;
		break;
	}
	return 0;
}

/* Opens the executable: the file, or /proc/PID/exe (works for deleted files and containers). */
static int open_subject(struct info_subject *s, struct elf_file **ef)
{
	char path[64];
	int fd, err;

	if (!s->pid)
		return elf_file__open(s->path, ef);
	err = info_read_process(s);
	if (err)
		return err;
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)s->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return info_process_error(s->pid, errno, "open its executable");
	err = elf_file__open_fd(fd, path, ef);
	close(fd);
	return err;
}

static int info_binary(struct info_subject *s, const struct common_opts *co,
		       const struct info_args *a)
{
	struct elf_file *ef = NULL;
	struct json_writer w;
	int err;

	err = open_subject(s, &ef);
	if (err)
		return err;
	err = bin_facts__collect(ef, &s->facts);
	if (err)
		goto out;
	if (s->pid)
		root_check__run(s->pid, &s->facts, &s->root);
	if (co->json) {
		json_init(&w, stdout);
		info_print_json(&w, s);
	} else {
		info_print_text(stdout, s, co->verbose);
	}
	if (a->probe_check)
		err = info_probe_check(s, co->duration_ns ? co->duration_ns : 1000000000ULL,
				       co->json);
out:
	root_check__clear(&s->root);
	bin_facts__clear(&s->facts);
	elf_file__free(ef);
	return err;
}

static int info_run(const struct cmd_spec *spec, int argc, char **argv)
{
	struct info_args a = {0};
	struct info_subject s = {0};
	struct common_opts co;
	int first, err;

	err = opts_parse(spec, argc, argv, &co, info_opt, &a, &first);
	if (err)
		return err;
	if (a.kernel)
		return first < argc || co.pid || a.addrs
			       ? err_fail(GT_EUSAGE,
					  "info: --kernel takes no binary, --pid or --addr")
		       : a.selftest ? kern_report_selftest(stdout, co.json)
				    : kern_report(stdout, co.json);
	if (a.selftest)
		return err_fail(GT_EUSAGE, "info: --selftest goes with --kernel");
	if ((first < argc) == (co.pid != 0))
		return err_fail(GT_EUSAGE, "info: give either a BINARY or --pid PID "
					   "(see 'gotrace info --help')");
	if (argc - first > 1)
		return err_fail(GT_EUSAGE, "info: one binary at a time (got '%s' and '%s')",
				argv[first], argv[first + 1]);
	s.pid = co.pid;
	s.path = first < argc ? argv[first] : NULL;
	if (a.probe_check && (!co.pid || a.addrs))
		return err_fail(GT_EUSAGE, "info: --probe-check needs --pid and no --addr");
	if (a.addrs)
		return info_symbolize(&s, a.addrs, co.json);
	return info_binary(&s, &co, &a);
}

const struct cmd_spec cmd_info = {
	.name = "info",
	.summary = "what Go binary is this, can it be traced; kernel hooks; symbolize addresses",
	.usage = "[OPTIONS] (BINARY | --pid PID | --kernel)",
	.description =
		"For a binary or a running process: ELF facts (static/dynamic, PIE, stripped,\n"
		"interpreter and libc, needed libraries), Go facts (version, module, "
		"dependencies,\n"
		"build settings, pclntab), whether gotrace's uprobes can trace it, and where they\n"
		"go. With --pid, also whether the interpreter and libraries exist inside the\n"
		"process's root (the \"glibc binary on an Alpine image\" failure).\n"
		"With --kernel: which kernel mechanisms work here and which one each hook uses.\n"
		"With --addr: function, file:line and inlined frames for each address (link-time\n"
		"addresses of BINARY, or runtime addresses of --pid).",
	.examples =
		"  gotrace info ./server                     # Go version, module, build, probes\n"
		"  sudo gotrace info --pid 4242              # the same for a process, plus its "
		"root\n"
		"  gotrace info -v --json ./server           # everything, as JSON\n"
		"  sudo gotrace info --kernel                # kernel features and hook choices\n"
		"  gotrace info --addr 0x46d640 ./server     # symbolize a link-time address\n"
		"  sudo gotrace info --pid 4242 --addr -     # symbolize runtime addresses from "
		"stdin\n"
		"  sudo gotrace info --pid 4242 --probe-check -d 2  # do the uprobes fire? (2 s)\n",
	.shared = OPT_PID | OPT_JSON | OPT_DURATION,
	.opts = info_opts,
	.run = info_run,
};
