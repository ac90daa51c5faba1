// SPDX-License-Identifier: GPL-2.0
/* gotrace info --addr: the symbolizer, exposed so anyone can check it. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/num.h"
#include "info/info.h"
#include "out/utf8.h"
#include "sym/symbolizer.h"

#define MAX_FRAMES 64
#define MAX_TOKEN 64
#define BATCH 64 /* addresses symbolized together (symbolizer__symbolize_many) */

struct addr_out {
	struct symbolizer *sym;
	struct json_writer w;
	bool json;
	size_t count;
	uint64_t pending[BATCH]; /* parsed, not yet printed */
	size_t npending;
	struct sym_frame *frames; /* BATCH * MAX_FRAMES */
};

static void print_frames_text(uint64_t addr, const struct sym_frame *fr, int n)
{
	char f[512], file[1024];
	int i;

	for (i = 0; i < n; i++) {
		term_sanitize(f, sizeof(f), fr[i].func, strlen(fr[i].func));
		if (i == 0)
			printf("0x%-16llx %s", (unsigned long long)addr, f);
		else
			printf("%-18s %s", "", f);
		if (fr[i].file) {
			term_sanitize(file, sizeof(file), fr[i].file, strlen(fr[i].file));
			printf(" %s:%d", file, fr[i].line);
		} else if (!fr[i].inlined) {
			printf("+0x%llx", (unsigned long long)fr[i].func_offset);
		}
		printf("%s\n", fr[i].inlined ? " (inlined)" : "");
	}
}

static void print_frames_json(struct json_writer *w, uint64_t addr, const struct sym_frame *fr,
			      int n)
{
	int i;

	json_obj_begin(w, NULL);
	json_hex(w, "addr", addr);
	json_str(w, "source", n > 0 ? sym_source_name(fr[n - 1].source) : NULL);
	if (n <= 0)
		json_str(w, "error", err_msg());
	json_arr_begin(w, "frames");
	for (i = 0; i < n; i++) {
		json_obj_begin(w, NULL);
		json_str(w, "function", fr[i].func);
		json_str(w, "file", fr[i].file);
		json_i64(w, "line", fr[i].line);
		json_bool(w, "inlined", fr[i].inlined);
		if (!fr[i].inlined)
			json_hex(w, "offset", fr[i].func_offset);
		json_str(w, "module", fr[i].module);
		json_obj_end(w);
	}
	json_arr_end(w);
	json_obj_end(w);
}

static int print_addr(struct addr_out *o, uint64_t addr, struct sym_frame *fr, int n)
{
	if (n <= 0) {
		/* Again alone: the batch does not keep each failure's reason. */
		err_clear();
		n = symbolizer__symbolize(o->sym, addr, fr, MAX_FRAMES);
	}
	if (n < 0 && n != -ENOENT)
		return n;
	if (n > MAX_FRAMES)
		n = MAX_FRAMES;
	if (o->json)
		print_frames_json(&o->w, addr, fr, n);
	else if (n > 0)
		print_frames_text(addr, fr, n);
	else
		printf("0x%-16llx ?? (%s)\n", (unsigned long long)addr, err_msg());
	o->count++;
	return 0;
}

/* Symbolizes and prints the pending addresses, in order. */
static int flush(struct addr_out *o)
{
	int counts[BATCH], err = 0;
	size_t k;

	symbolizer__symbolize_many(o->sym, o->pending, o->npending, o->frames, MAX_FRAMES, counts);
	for (k = 0; k < o->npending && !err; k++)
		err = print_addr(o, o->pending[k], o->frames + k * MAX_FRAMES, counts[k]);
	o->npending = 0;
	return err;
}

static int one_addr(struct addr_out *o, const char *tok)
{
	uint64_t addr;
	int err;

	if (num_parse_u64(tok, 0, UINT64_MAX, &addr)) {
		err = flush(o); /* what came before is printed first */
		return err ? err : err_fail(GT_EUSAGE, "info --addr: '%s' is not an address", tok);
	}
	o->pending[o->npending++] = addr;
	return o->npending == BATCH ? flush(o) : 0;
}

/* Addresses separated by commas or whitespace. */
static int each_token(struct addr_out *o, const char *s)
{
	char tok[MAX_TOKEN];
	size_t n;
	int err;

	while (*s) {
		while (*s == ',' || isspace((unsigned char)*s))
			s++;
		n = strcspn(s, ", \t\r\n");
		if (!n)
			break;
		if (n >= sizeof(tok))
			return err_fail(GT_EUSAGE, "info --addr: '%.*s...' is not an address", 20,
					s);
		memcpy(tok, s, n);
		tok[n] = '\0';
		err = one_addr(o, tok);
		if (err)
			return err;
		s += n;
	}
	return 0;
}

static int each_stdin_line(struct addr_out *o)
{
	char *line = NULL;
	size_t cap = 0;
	int err = 0;

	while (getline(&line, &cap, stdin) > 0 && !err)
		err = each_token(o, line);
	free(line);
	return err;
}

int info_symbolize(const struct info_subject *s, const char *list, bool json)
{
	struct addr_out o = {.json = json};
	int err;

	o.frames = malloc(BATCH * MAX_FRAMES * sizeof(*o.frames));
	if (!o.frames)
		return -ENOMEM;
	err = s->pid ? symbolizer__open_pid(s->pid, &o.sym)
		     : symbolizer__open_file(s->path, &o.sym);
	if (err) {
		free(o.frames);
		return err;
	}
	symbolizer__enable_kernel(o.sym); /* best effort: kernel addresses show as ?? without it */
	if (json) {
		json_init(&o.w, stdout);
		json_obj_begin(&o.w, NULL);
		json_arr_begin(&o.w, "symbolize");
	}
	err = strcmp(list, "-") ? each_token(&o, list) : each_stdin_line(&o);
	if (!err)
		err = flush(&o);
	if (json) {
		json_arr_end(&o.w);
		json_obj_end(&o.w);
		json_end_line(&o.w);
	}
	symbolizer__free(o.sym);
	free(o.frames);
	if (!err && !o.count)
		err = err_fail(GT_EUSAGE, "info --addr: no addresses given");
	return err;
}
