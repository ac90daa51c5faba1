// SPDX-License-Identifier: GPL-2.0
#include "info/info.h"

static void json_elf(struct json_writer *w, const struct bin_facts *f)
{
	size_t i;

	json_obj_begin(w, "elf");
	json_str(w, "type", elf_type_name(f->elf_type));
	json_str(w, "machine", elf_machine_name(f->machine));
	json_bool(w, "pie", f->dyn.pie);
	json_bool(w, "static", f->is_static);
	json_bool(w, "stripped", f->stripped);
	json_bool(w, "section_headers", f->has_section_headers);
	json_str(w, "interp", f->dyn.interp);
	json_str(w, "libc", libc_kind_name(f->libc));
	json_arr_begin(w, "needed");
	for (i = 0; i < f->dyn.nneeded; i++)
		json_str(w, NULL, f->dyn.needed[i]);
	json_arr_end(w);
	json_obj_end(w);
}

static void json_module(struct json_writer *w, const char *key, const struct go_module *m)
{
	json_obj_begin(w, key);
	json_str(w, "path", m->path);
	json_str(w, "version", m->version);
	json_str(w, "sum", m->sum);
	if (m->replace_path) {
		json_str(w, "replace_path", m->replace_path);
		json_str(w, "replace_version", m->replace_version);
	}
	json_obj_end(w);
}

static void json_buildinfo(struct json_writer *w, const struct go_buildinfo *bi)
{
	size_t i;

	json_str(w, "version", bi->version);
	json_str(w, "version_source", go_version_source_name(bi->version_source));
	json_str(w, "path", bi->path);
	if (bi->has_modinfo)
		json_module(w, "main_module", &bi->main);
	else
		json_null(w, "main_module");
	json_arr_begin(w, "deps");
	for (i = 0; i < bi->ndeps; i++)
		json_module(w, NULL, &bi->deps[i]);
	json_arr_end(w);
	json_obj_begin(w, "settings");
	for (i = 0; i < bi->nsettings; i++)
		json_str(w, bi->settings[i].key, bi->settings[i].value);
	json_obj_end(w);
}

static void json_probe(struct json_writer *w, const struct go_probe_site *p)
{
	json_obj_begin(w, NULL);
	json_str(w, "function", p->function);
	json_bool(w, "found", p->found);
	if (p->found) {
		json_hex(w, "entry", p->entry);
		json_hex(w, "file_offset", p->entry_file_offset);
		json_hex(w, "probe_vaddr", p->probe_vaddr);
		json_hex(w, "probe_offset", p->probe_file_offset);
		json_str(w, "probe_placement",
			 p->placement == PROBE_AFTER_STACK_CHECK ? "after-stack-check" : "entry");
		if (p->why_entry)
			json_str(w, "entry_reason", p->why_entry);
	}
	json_obj_end(w);
}

static void json_go(struct json_writer *w, const struct bin_facts *f)
{
	size_t i;

	if (!f->is_go) {
		json_null(w, "go");
		return;
	}
	json_obj_begin(w, "go");
	json_buildinfo(w, &f->bi);
	json_obj_begin(w, "pclntab");
	if (f->pcln) {
		json_str(w, "format", pclntab__format_name(f->pcln));
		json_u64(w, "functions", pclntab__nfuncs(f->pcln));
		json_str(w, "origin", pclntab__origin(f->pcln));
		json_hex(w, "vaddr", pclntab__vaddr(f->pcln));
		json_bool(w, "moduledata_found", pclntab__has_moduledata(f->pcln));
	} else {
		json_str(w, "error", f->pcln_errmsg);
	}
	json_obj_end(w);
	json_obj_begin(w, "uprobe_support");
	json_bool(w, "supported", f->uprobe_supported);
	json_str(w, "reason", f->uprobe_reason);
	json_obj_end(w);
	json_arr_begin(w, "probes");
	for (i = 0; i < f->nprobes; i++)
		json_probe(w, &f->probes[i]);
	json_arr_end(w);
	json_obj_end(w);
}

static void json_root_check(struct json_writer *w, const struct root_check *rc)
{
	size_t i;

	json_obj_begin(w, "root_check");
	if (rc->error[0]) {
		json_str(w, "error", rc->error);
	} else {
		json_bool(w, "interp_present", rc->interp_present);
		json_arr_begin(w, "missing_libraries");
		for (i = 0; i < rc->nmissing; i++)
			json_str(w, NULL, rc->missing[i]);
		json_arr_end(w);
	}
	json_obj_end(w);
}

void info_print_json(struct json_writer *w, const struct info_subject *s)
{
	json_obj_begin(w, NULL);
	json_str(w, "path", s->path);
	if (s->pid) {
		json_i64(w, "pid", s->pid);
		json_str(w, "comm", s->comm);
		json_str(w, "exe", s->exe_link);
	}
	json_elf(w, &s->facts);
	json_go(w, &s->facts);
	if (s->root.done)
		json_root_check(w, &s->root);
	json_obj_end(w);
	json_end_line(w);
}
