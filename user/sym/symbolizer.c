// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "sym/symbolizer_priv.h"

/* x86-64 and arm64 kernels live in the upper half of the address space. */
#define MAX_MODULES 512

const char *sym_source_name(enum sym_source src)
{
	switch (src) {
	case SYM_SRC_GOPCLNTAB:
		return "gopclntab";
	case SYM_SRC_ELF:
		return "elf_symtab";
	case SYM_SRC_KALLSYMS:
		return "kallsyms";
	default:
		return "none";
	}
}

/* Go table and ELF symbols; a module without either still symbolizes nothing, cleanly. */
static void module_load_tables(struct sym_module *mod)
{
	int err = pclntab__open(mod->ef, &mod->pcln);

	if (err)
		mod->pcln = NULL;
	if (elf_syms__load(mod->ef, &mod->syms))
		mod->syms = NULL;
}

static void module_open_fd(struct sym_module *mod, int fd, const char *name)
{
	mod->open_err = elf_file__open_fd(fd, name, &mod->ef);
	if (mod->open_err)
		snprintf(mod->open_msg, sizeof(mod->open_msg), "%s", err_msg());
	else
		module_load_tables(mod);
}

/*
 * A process's file: /proc/PID/map_files/<range> is the kernel's own link
 * (right file even when deleted or in another mount namespace); else the
 * path inside /proc/PID/root.
 */
static void module_open_mapped(struct symbolizer *s, struct sym_module *mod,
			       const struct proc_map *m)
{
	char path[4200];
	int fd = -1;

	if (!proc_map__map_files_path(s->pid, m, path, sizeof(path)))
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(path, sizeof(path), "/proc/%d/root%s", (int)s->pid, m->path);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0) {
		mod->open_err = -errno;
		snprintf(mod->open_msg, sizeof(mod->open_msg), "cannot open %s: %s", m->path,
			 strerror(errno));
		return;
	}
	module_open_fd(mod, fd, m->path);
	close(fd);
}

static struct sym_module *module_add(struct symbolizer *s, const char *key)
{
	struct sym_module *mods, *mod;

	if (s->nmods >= MAX_MODULES)
		return NULL;
	mods = realloc(s->mods, (s->nmods + 1) * sizeof(*mods));
	if (!mods)
		return NULL;
	s->mods = mods;
	mod = &s->mods[s->nmods];
	memset(mod, 0, sizeof(*mod));
	mod->key = strdup(key);
	if (!mod->key)
		return NULL;
	s->nmods++;
	return mod;
}

struct sym_module *symbolizer_module_for_map(struct symbolizer *s, const struct proc_map *m)
{
	struct sym_module *mod;
	size_t i;

	for (i = 0; i < s->nmods; i++)
		if (!strcmp(s->mods[i].key, m->path))
			return &s->mods[i];
	mod = module_add(s, m->path);
	if (mod)
		module_open_mapped(s, mod, m);
	return mod;
}

int symbolizer__open_file(const char *path, struct symbolizer **out)
{
	struct symbolizer *s = calloc(1, sizeof(*s));
	struct sym_module *mod;
	int err;

	if (!s)
		return -ENOMEM;
	mod = module_add(s, path);
	if (!mod) {
		symbolizer__free(s);
		return -ENOMEM;
	}
	err = elf_file__open(path, &mod->ef);
	if (err) {
		symbolizer__free(s);
		return err;
	}
	module_load_tables(mod);
	*out = s;
	return 0;
}

int symbolizer__open_pid(pid_t pid, struct symbolizer **out)
{
	struct symbolizer *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return -ENOMEM;
	s->pid = pid;
	err = proc_maps__read(pid, &s->maps);
	if (err) {
		free(s);
		return err;
	}
	*out = s;
	return 0;
}

void symbolizer__preload(struct symbolizer *s)
{
	size_t i;

	for (i = 0; s->maps && i < proc_maps__count(s->maps); i++) {
		const struct proc_map *m = proc_maps__get(s->maps, i);

		if (m->kind == PROC_MAP_FILE && (m->perms & PROC_MAP_X))
			symbolizer_module_for_map(s, m);
	}
}

int symbolizer__enable_kernel(struct symbolizer *s)
{
	if (s->ks)
		return 0;
	return ksyms__load(&s->ks);
}

void symbolizer__free(struct symbolizer *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nmods; i++) {
		pclntab__free(s->mods[i].pcln);
		elf_syms__free(s->mods[i].syms);
		elf_file__free(s->mods[i].ef);
		free(s->mods[i].key);
	}
	free(s->mods);
	proc_maps__free(s->maps);
	ksyms__free(s->ks);
	free(s);
}
