// SPDX-License-Identifier: GPL-2.0
/*
 * Go binaries and their fatal-path uprobes. Each executable is looked at
 * once (by device and inode): a traceable Go binary gets uprobes on
 * runtime.throw, runtime.fatal and runtime.fatalpanic for every process
 * that runs it (pid -1: the container's next restarts too), placed by
 * goelf/probes.h and attached by file offset through /proc/PID/exe; the
 * kernel side is then told to stop holding its new processes.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/err.h"
#include "crash/crash_int.h"
#include "goelf/binfacts.h"
#include "goelf/golayout.h"
#include "sym/symbolizer.h"

static const char *const fatal_funcs[] = {
	[CRASH_GO_THROW] = "runtime.throw",
	[CRASH_GO_FATAL] = "runtime.fatal",
	[CRASH_GO_FATALPANIC] = "runtime.fatalpanic",
};

static struct crash_gobin *gobin_find(struct crash_session *s, uint64_t dev, uint64_t ino)
{
	for (size_t i = 0; i < s->nbins; i++)
		if (s->bins[i].dev == dev && s->bins[i].ino == ino)
			return &s->bins[i];
	return NULL;
}

static const struct go_probe_site *site_for(const struct bin_facts *bf, const char *fn)
{
	for (size_t i = 0; i < bf->nprobes; i++)
		if (!strcmp(bf->probes[i].function, fn) && bf->probes[i].found)
			return &bf->probes[i];
	return NULL;
}

static int set_layout(struct crash_session *s, uint32_t slot, const struct bin_facts *bf)
{
	struct crash_go_layout cl = {0};
	struct go_layout gl = {0};

	if (go_layout__for_version(&bf->ver, &gl))
		return -ENOENT;
	cl.g_m = gl.g_m;
	cl.m_g0 = gl.m_g0;
	cl.m_curg = gl.m_curg;
	cl.g_sched_pc = gl.g_sched_pc;
	cl.g_sched_bp = gl.g_sched_bp;
	cl.panic_arg = gl.panic_arg;
	cl.valid = 1;
	return crash_tracer__set_go_layout(s->tr, slot, &cl);
}

/* The three fatal-path probes (runtime.fatal is go1.19+), as one set. */
static int attach(struct crash_session *s, struct crash_gobin *b, uint32_t slot,
		  const struct bin_facts *bf, const char *exe)
{
	uint64_t offsets[CRASH_GO_FATALPANIC + 1], cookies[CRASH_GO_FATALPANIC + 1];
	const struct go_probe_site *sites[CRASH_GO_FATALPANIC + 1] = {0};
	size_t n = 0;
	int fn;

	for (fn = CRASH_GO_THROW; fn <= CRASH_GO_FATALPANIC; fn++) {
		sites[fn] = site_for(bf, fatal_funcs[fn]);
		if (!sites[fn])
			continue;
		offsets[n] = sites[fn]->probe_file_offset;
		cookies[n] = ((uint64_t)slot << 8) | (uint64_t)fn;
		n++;
	}
	if (!n) {
		snprintf(b->why, sizeof(b->why), "no fatal-path uprobe: runtime.throw not found");
		return -ENOENT;
	}
	if (crash_tracer__attach_go(s->tr, exe, offsets, cookies, n)) {
		snprintf(b->why, sizeof(b->why), "fatal-path uprobes not attached: %s", err_msg());
		return -ENOENT;
	}
	for (fn = CRASH_GO_THROW; fn <= CRASH_GO_FATALPANIC; fn++)
		if (sites[fn])
			b->probe_vaddr[fn] = sites[fn]->probe_vaddr;
	return 0;
}

static void inspect_go(struct crash_session *s, struct crash_gobin *b, const struct bin_facts *bf,
		       const char *exe)
{
	uint32_t slot = (uint32_t)(b - s->bins);

	snprintf(b->go_version, sizeof(b->go_version), "%s", bf->bi.version ? bf->bi.version : "");
	if (!bf->uprobe_supported) {
		snprintf(b->why, sizeof(b->why), "%s", bf->uprobe_reason ? bf->uprobe_reason : "?");
		return;
	}
	if (set_layout(s, slot, bf)) {
		snprintf(b->why, sizeof(b->why), "no runtime layout for this Go version");
		return;
	}
	if (attach(s, b, slot, bf, exe))
		return;
	/* Frames are symbolized after the process is gone: keep the file open now. */
	if (symbolizer__open_file(exe, &b->sym))
		b->sym = NULL;
	b->go = true;
}

struct crash_gobin *crash_gobin__inspect(struct crash_session *s, pid_t pid, uint64_t dev,
					 uint64_t ino, const char *path)
{
	struct crash_gobin *b = gobin_find(s, dev, ino);
	struct elf_file *ef = NULL;
	struct bin_facts bf;
	char exe[64];
	int fd;

	if (b || s->nbins >= CRASH_MAX_BINARIES)
		goto done;
	b = &s->bins[s->nbins++];
	memset(b, 0, sizeof(*b));
	b->dev = dev;
	b->ino = ino;
	snprintf(b->path, sizeof(b->path), "%s", path ? path : "");
	snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)pid);
	fd = open(exe, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || elf_file__open_fd(fd, exe, &ef)) {
		snprintf(b->why, sizeof(b->why), "cannot read %s", exe);
	} else if (!bin_facts__collect(ef, &bf)) {
		if (bf.is_go)
			inspect_go(s, b, &bf, exe);
		else
			snprintf(b->why, sizeof(b->why), "not a Go program");
		bin_facts__clear(&bf);
	}
	elf_file__free(ef);
	if (fd >= 0)
		close(fd);
	if (s->o.verbose >= 2)
		fprintf(stderr, "crash: %s (pid %d): %s\n", b->path, (int)pid,
			b->go ? "Go fatal-path uprobes attached" : b->why);
done:
	crash_tracer__bin_done(s->tr, dev, ino);
	return b;
}

/* st_dev (glibc's encoding) → the kernel's s_dev (MAJOR << 20 | MINOR). */
static uint64_t kernel_dev(dev_t d)
{
	return ((uint64_t)major(d) << 20) | minor(d);
}

/* Running processes of the scope: their binaries get the probes now, without a hold. */
void crash_gobin__scan_running(struct crash_session *s)
{
	struct dirent *de;
	DIR *d = opendir("/proc");

	while (d && (de = readdir(d))) {
		char exe[64];
		struct stat st;
		struct identity id;
		pid_t pid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = atoi(de->d_name);
		if (pid == getpid() || (s->o.pid && pid != s->o.pid))
			continue;
		snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)pid);
		if (stat(exe, &st))
			continue;
		if (!s->o.pid && !s->o.cgroup &&
		    (identity__from_pid(pid, s->o.host_root, &id) ||
		     (id.cg.kind != CGROUP_KIND_K8S_CONTAINER &&
		      id.cg.kind != CGROUP_KIND_CONTAINER && id.cg.kind != CGROUP_KIND_K8S_POD)))
			continue;
		crash_gobin__inspect(s, pid, kernel_dev(st.st_dev), st.st_ino, NULL);
	}
	if (d)
		closedir(d);
}

void crash_gobin__free_all(struct crash_session *s)
{
	for (size_t i = 0; i < s->nbins; i++)
		symbolizer__free(s->bins[i].sym);
	s->nbins = 0;
}

/* ------------------------------------------------------------------ fatal events */

static bool is_runtime(const char *fn)
{
	return !strncmp(fn, "runtime.", 8) || !strncmp(fn, "runtime/", 8);
}

/*
 * One physical frame (and its inlined callers) as lines "func (file:line)".
 * Return addresses point after the call: look up pc-1, except right above
 * runtime.sigpanic, whose "return address" is the faulting instruction.
 */
static void frame_lines(struct symbolizer *sym, uint64_t link, bool is_ret, FILE *out,
			const char **top, char *topbuf, size_t toplen, bool *after_sigpanic)
{
	struct sym_frame fr[8];
	int n = sym ? symbolizer__symbolize(sym, is_ret && !*after_sigpanic ? link - 1 : link, fr,
					    8)
		    : -ENOENT;

	*after_sigpanic = false;
	if (n <= 0) {
		fprintf(out, "0x%llx\n", (unsigned long long)link);
		return;
	}
	for (int i = 0; i < n; i++) {
		if (fr[i].file)
			fprintf(out, "%s (%s:%d)\n", fr[i].func, fr[i].file, fr[i].line);
		else
			fprintf(out, "%s\n", fr[i].func);
		if (!*top && !is_runtime(fr[i].func)) {
			snprintf(topbuf, toplen, "%s (%s:%d)", fr[i].func,
				 fr[i].file ? fr[i].file : "?", fr[i].line);
			*top = topbuf;
		}
	}
	*after_sigpanic = !strcmp(fr[n - 1].func, "runtime.sigpanic");
}

/* first_is_ret: frames[0] is a return address too (false for an ip or a saved pc). */
static char *stack_string(struct symbolizer *sym, const __u64 *frames, uint32_t n, uint64_t bias,
			  char *top, size_t toplen)
{
	char *text = NULL;
	size_t len = 0;
	const char *t = NULL;
	bool after_sigpanic = false;
	FILE *out = open_memstream(&text, &len);

	if (!out)
		return NULL;
	for (uint32_t i = 0; i < n && i < CRASH_STACK_MAX; i++)
		frame_lines(sym, frames[i] - bias, i > 0, out, &t, top, toplen, &after_sigpanic);
	fclose(out);
	if (!t)
		top[0] = '\0';
	if (len && text[len - 1] == '\n')
		text[len - 1] = '\0';
	return text;
}

int crash_gobin__fact(struct crash_session *s, const struct crash_go_fatal *e, struct fact *f)
{
	uint32_t slot = (uint32_t)(e->cookie >> 8), fn = (uint32_t)(e->cookie & 0xff);
	struct crash_gobin *b = slot < s->nbins ? &s->bins[slot] : NULL;
	char top[512], *stack = NULL, msg[CRASH_MSG_LEN + 1];
	uint64_t bias;
	bool curg = (e->flags & CRASH_F_ON_G0) && e->ncurg > 0;
	int err = 0;

	if (!b || fn < CRASH_GO_THROW || fn > CRASH_GO_FATALPANIC)
		return -EINVAL;
	bias = e->ip - b->probe_vaddr[fn];
	memcpy(msg, e->msg, CRASH_MSG_LEN);
	msg[e->msg_len < CRASH_MSG_LEN ? e->msg_len : CRASH_MSG_LEN] = '\0';
	err |= fact_set_str(f, "function", fatal_funcs[fn]);
	if (msg[0])
		err |= fact_set_str(f, "message", msg);
	if (b->go_version[0])
		err |= fact_set_str(f, "go_version", b->go_version);
	if (b->path[0])
		err |= fact_set_str(f, "exe", b->path);
	err |= fact_set_bool(f, "on_system_stack", e->flags & CRASH_F_ON_G0);
	if (fn == CRASH_GO_FATALPANIC)
		err |= fact_set_bool(f, "panic_value_read", e->msg_len > 0);
	/* On g0 the goroutine that failed is m.curg: its stack is the one that matters. */
	stack = curg ? stack_string(b->sym, e->curg_frames, e->ncurg, bias, top, sizeof(top))
		     : stack_string(b->sym, e->frames, e->nframes, bias, top, sizeof(top));
	if (stack)
		err |= fact_set_str(f, "stack", stack);
	if (top[0])
		err |= fact_set_str(f, "top_frame", top);
	free(stack);
	return err ? -ENOMEM : 0;
}
