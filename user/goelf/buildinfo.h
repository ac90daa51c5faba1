/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_GOELF_BUILDINFO_H
#define GOTRACE_GOELF_BUILDINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "goelf/elf.h"

/*
 * What the Go toolchain recorded about a build: version, main module,
 * dependencies and build settings, from the .go.buildinfo blob (pre-1.18
 * pointer form and 1.18+ inline varint form). Where a binary has no blob
 * (stripped of it, e.g. esbuild 0.28.2 from npm), the version still comes
 * from the runtime.buildVersion string found in its data; `version_source`
 * says which way it came.
 */

enum go_version_source {
	GOVER_NONE,
	GOVER_BUILDINFO,      /* .go.buildinfo section or its magic found in a segment */
	GOVER_BUILDVERSION,   /* runtime.buildVersion: symbol, or a (ptr,len) string in data */
	GOVER_VERSION_STRING, /* a bare "go1.N..." in read-only data that nothing was seen
			       * to reference: the weakest evidence, shown as such */
};

struct go_module {
	char *path;
	char *version;	    /* "(devel)" for the main module of a local build */
	char *sum;	    /* NULL when absent */
	char *replace_path; /* "=> path version" replacement, NULL when none */
	char *replace_version;
	char *replace_sum; /* NULL when absent */
};

struct go_build_setting {
	char *key; /* "CGO_ENABLED", "-trimpath", "-buildmode", "GOAMD64", "-ldflags", ... */
	char *value;
};

struct go_buildinfo {
	char *version; /* "go1.21.13" etc.; NULL when not found */
	enum go_version_source version_source;
	char *path; /* "path" line: the main package path */
	struct go_module main;
	struct go_module *deps;
	size_t ndeps;
	struct go_build_setting *settings;
	size_t nsettings;
	uint8_t ptrsize;  /* from the blob's header; 0 when there is no blob */
	bool has_modinfo; /* module info was present (module-mode build) */
};

/*
 * -GT_ENOTGO when neither the blob nor a version string exists, -GT_EFORMAT
 * when the blob is corrupt (the message says what). Build-setting values
 * and keys are unquoted (Go strconv syntax), as runtime/debug does. bi is
 * zeroed first and left empty on error.
 */
int go_buildinfo__read(const struct elf_file *ef, struct go_buildinfo *bi);
void go_buildinfo__clear(struct go_buildinfo *bi);
/* A build setting's value, or NULL. */
const char *go_buildinfo__setting(const struct go_buildinfo *bi, const char *key);
const char *go_version_source_name(enum go_version_source s);

#endif
