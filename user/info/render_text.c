// SPDX-License-Identifier: GPL-2.0
/*
 * Human view of `gotrace info`. Every string that comes from the binary or
 * the process (paths, module names, comm) is sanitized for the terminal.
 */
#include <elf.h>
#include <string.h>

#include "info/info.h"
#include "out/utf8.h"

#define SAFE(buf, s) (term_sanitize((buf), sizeof(buf), (s) ? (s) : "", (s) ? strlen(s) : 0), (buf))

static void text_elf(FILE *out, const struct bin_facts *f)
{
	char b[512];
	size_t i;

	fprintf(out, "  %-10s %s %s", "elf", elf_machine_name(f->machine),
		f->elf_type == ET_DYN ? (f->dyn.pie ? "PIE executable" : "shared object")
				      : elf_type_name(f->elf_type));
	if (f->is_static)
		fprintf(out, ", statically linked");
	else
		fprintf(out, ", dynamically linked");
	fprintf(out, ", %s\n", f->stripped ? "stripped (no .symtab)" : "not stripped");
	if (!f->has_section_headers)
		fprintf(out, "  %-10s no section headers: tables found by scanning segments\n", "");
	if (f->dyn.interp)
		fprintf(out, "  %-10s %s (%s)\n", "interp", SAFE(b, f->dyn.interp),
			libc_kind_name(f->libc) ? libc_kind_name(f->libc) : "unknown libc");
	if (f->dyn.nneeded) {
		fprintf(out, "  %-10s", "needs");
		for (i = 0; i < f->dyn.nneeded; i++)
			fprintf(out, "%s%s", i ? ", " : " ", SAFE(b, f->dyn.needed[i]));
		fprintf(out, "\n");
	}
}

/* The settings that explain crashes and tracing; -v shows every one, one per line. */
static bool key_setting(const char *key)
{
	static const char *const keys[] = {"CGO_ENABLED", "-buildmode",	 "-trimpath", "-ldflags",
					   "-tags",	  "-race",	 "GOARCH",    "GOAMD64",
					   "GOARM64",	  "GOEXPERIMENT"};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(key, keys[i]))
			return true;
	return false;
}

static void text_settings(FILE *out, const struct go_buildinfo *bi, int verbose)
{
	char k[128], v[512];
	size_t i, shown = 0;

	for (i = 0; i < bi->nsettings; i++) {
		if (verbose < 1 && !key_setting(bi->settings[i].key))
			continue;
		SAFE(k, bi->settings[i].key);
		SAFE(v, bi->settings[i].value);
		if (verbose >= 1)
			fprintf(out, "  %-10s %s=%s\n", shown ? "" : "build", k, v);
		else
			fprintf(out, "%s%s=%s", shown ? " " : "  build      ", k, v);
		shown++;
	}
	if (verbose < 1 && shown)
		fprintf(out, "\n");
	if (verbose < 1 && bi->nsettings > shown)
		fprintf(out, "  %-10s %zu more build settings (-v lists them)\n", "",
			bi->nsettings - shown);
}

static const char *version_origin(enum go_version_source src)
{
	switch (src) {
	case GOVER_BUILDINFO:
		return "the .go.buildinfo blob";
	case GOVER_BUILDVERSION:
		return "the runtime.buildVersion string: the binary has no build info";
	case GOVER_VERSION_STRING:
		return "a go1.N string in its data: no build info, weakest evidence";
	default:
		return "nowhere";
	}
}

static void text_buildinfo(FILE *out, const struct go_buildinfo *bi, int verbose)
{
	char b[512], c[256];
	size_t i;

	fprintf(out, "  %-10s %s (from %s)\n", "version",
		bi->version ? SAFE(b, bi->version) : "unknown", version_origin(bi->version_source));
	if (bi->has_modinfo)
		fprintf(out, "  %-10s %s %s\n", "module", SAFE(b, bi->main.path),
			SAFE(c, bi->main.version));
	else if (bi->path)
		fprintf(out, "  %-10s %s\n", "package", SAFE(b, bi->path));
	text_settings(out, bi, verbose);
	if (!bi->ndeps)
		return;
	if (verbose < 1) {
		fprintf(out, "  %-10s %zu modules (-v lists them)\n", "deps", bi->ndeps);
		return;
	}
	for (i = 0; i < bi->ndeps; i++)
		fprintf(out, "  %-10s %s %s\n", i ? "" : "deps", SAFE(b, bi->deps[i].path),
			SAFE(c, bi->deps[i].version));
}

static void text_probes(FILE *out, const struct bin_facts *f)
{
	size_t i;

	fprintf(out, "  %-10s %-22s %-12s %-12s %s\n", "probes", "function", "entry", "file offset",
		"probe at (file offset)");
	for (i = 0; i < f->nprobes; i++) {
		const struct go_probe_site *p = &f->probes[i];

		if (!p->found) {
			fprintf(out, "  %-10s %-22s absent in this Go version\n", "", p->function);
			continue;
		}
		fprintf(out, "  %-10s %-22s 0x%-10llx 0x%-10llx 0x%llx %s\n", "", p->function,
			(unsigned long long)p->entry, (unsigned long long)p->entry_file_offset,
			(unsigned long long)p->probe_file_offset,
			p->placement == PROBE_AFTER_STACK_CHECK ? "(after stack check)"
								: "(entry)");
	}
}

static void text_go(FILE *out, const struct bin_facts *f, int verbose)
{
	if (!f->is_go) {
		fprintf(out,
			"go\n  not a Go program (no .go.buildinfo, no Go version, no pclntab)\n");
		return;
	}
	fprintf(out, "go\n");
	text_buildinfo(out, &f->bi, verbose);
	if (f->pcln)
		fprintf(out, "  %-10s %s format, %zu functions (%s)%s\n", "pclntab",
			pclntab__format_name(f->pcln), pclntab__nfuncs(f->pcln),
			pclntab__origin(f->pcln),
			pclntab__has_moduledata(f->pcln)
				? ""
				: "; module data not found: no inlined frames");
	else
		fprintf(out, "  %-10s unusable: %s\n", "pclntab", f->pcln_errmsg);
	fprintf(out, "tracing\n  %-10s %s: %s\n", "uprobes",
		f->uprobe_supported ? "supported" : "NOT supported", f->uprobe_reason);
	if (f->nprobes)
		text_probes(out, f);
}

static void text_root(FILE *out, const struct info_subject *s)
{
	const struct root_check *rc = &s->root;
	char b[512];
	size_t i;

	fprintf(out, "  %-10s ", "root");
	if (rc->error[0]) {
		fprintf(out, "not checked: %s\n", rc->error);
		return;
	}
	if (!s->facts.dyn.interp)
		fprintf(out, "static binary: needs no interpreter\n");
	else if (rc->interp_present)
		fprintf(out, "interpreter %s present\n", SAFE(b, s->facts.dyn.interp));
	else
		fprintf(out,
			"interpreter %s MISSING in the process's root: the binary cannot be "
			"exec'd there (built for %s; use CGO_ENABLED=0 or a %s base image)\n",
			SAFE(b, s->facts.dyn.interp),
			libc_kind_name(s->facts.libc) ? libc_kind_name(s->facts.libc)
						      : "another libc",
			libc_kind_name(s->facts.libc) ? libc_kind_name(s->facts.libc) : "matching");
	for (i = 0; i < rc->nmissing; i++)
		fprintf(out, "  %-10s library %s MISSING in the process's root\n", "",
			SAFE(b, rc->missing[i]));
}

void info_print_text(FILE *out, const struct info_subject *s, int verbose)
{
	char b[4096];

	if (s->pid)
		fprintf(out, "process %d (%s)\n  %-10s %s\n", (int)s->pid, SAFE(b, s->comm), "exe",
			s->exe_link[0] ? SAFE(b, s->exe_link) : "?");
	else
		fprintf(out, "%s\n", SAFE(b, s->path));
	text_elf(out, &s->facts);
	if (s->root.done)
		text_root(out, s);
	text_go(out, &s->facts, verbose);
}
