// SPDX-License-Identifier: GPL-2.0
/*
 * bench_symbolize [-n NPCS] [-k NHOT] [-v NVERIFY] [-r REPS] BINARY LABEL=ADDR2LINE...
 *
 * Method. gotrace's Go symbolizer (pclntab__symbolize) against `go tool
 * addr2line` (the anchors: one or more addr2line executables, each named
 * LABEL), on the same pcs, in the same run, on the same machine.
 *
 *  - Index load: pclntab__open after dropping BINARY from the page cache
 *    (posix_fadvise DONTNEED: what a tracer pays when it attaches), then
 *    warm. The lazily built indexes are timed on their first use: the
 *    pc → function buckets (first lookup) and the name index (first
 *    pclntab__find_name).
 *  - Workloads, each NPCS pcs (default 10^6), drawn with a fixed xorshift
 *    seed and written to a file once: "random" picks a function uniformly
 *    by index, then a pc uniformly inside it (no locality at all: every
 *    pc misses every cache); "repeating" draws NHOT (default 1000) pcs that
 *    way, then NPCS lookups uniformly among them (stack samples repeat
 *    their pcs).
 *  - gotrace: every pc of the file through pclntab__symbolize (inlined
 *    frames expanded, up to 16), the file read in chunks so that the pcs
 *    themselves do not sit in memory; only the calls are timed. A first
 *    pass pays the page faults of the mapped table (with the decoded
 *    tables: their decoding); then REPS passes (default 3), best kept;
 *    walks of the encoded tables only, then the decoded tables
 *    (pclntab_dense.c) with the result cache off, then on.
 *  - Anchors: each addr2line runs on the whole file on its stdin (output to
 *    /dev/null), REPS times, best kept; its start-up (process start plus
 *    reading the table) is the best of REPS runs on one pc and is
 *    subtracted to give its per-pc cost, which is reported both ways.
 *  - Agreement: the first NVERIFY (default 100000) random pcs through each
 *    anchor again, compared with our physical function and innermost
 *    file:line (what addr2line prints); disagreements are counted and the
 *    first few printed.
 *  - Memory: this process's peak RSS (ru_maxrss: the table pages touched
 *    through the mapping, the lazily built indexes and the cache, the
 *    chunk buffer) against the size of the table; the anchors' peak too.
 * Prints numbers only; there are no thresholds.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "goelf/elf.h"
#include "goelf/pclntab.h"

#define CHUNK 65536
#define MAX_ANCHORS 4
#define MAX_SHOWN 5

struct anchor {
	const char *label;
	const char *path;
};

struct workload {
	const char *name;
	char bin[96], txt[96];
	size_t n;
};

struct opts {
	size_t npcs, nhot, nverify;
	int reps;
	const char *binary;
	struct anchor anchors[MAX_ANCHORS];
	int nanchors;
	char dir[64];
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void drop_page_cache(const char *path)
{
	int fd = open(path, O_RDONLY);

	if (fd >= 0) {
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		close(fd);
	}
}

/* Opens ef and its table; returns the pclntab__open time in ms, < 0 on error. */
static double timed_open(const char *path, struct elf_file **ef, struct pclntab **t)
{
	double t0;
	int err;

	err = elf_file__open(path, ef);
	if (err) {
		fprintf(stderr, "bench: %s\n", err_msg());
		return -1;
	}
	t0 = now_ms();
	err = pclntab__open(*ef, t);
	if (err) {
		fprintf(stderr, "bench: %s\n", err_msg());
		elf_file__free(*ef);
		return -1;
	}
	return now_ms() - t0;
}

static uint64_t xorshift(uint64_t *x)
{
	*x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
	return *x;
}

/* A function uniformly by index, then a pc uniformly inside it. */
static uint64_t draw_pc(const struct pclntab *t, uint64_t *x)
{
	struct pcln_func f;

	if (pclntab__func_at(t, xorshift(x) % pclntab__nfuncs(t), &f) || f.end <= f.entry)
		return f.entry;
	return f.entry + xorshift(x) % (f.end - f.entry);
}

/* The workload's pcs, binary (for us) and hex lines (for addr2line). */
static int write_workload(const struct pclntab *t, const struct opts *o, struct workload *w,
			  bool repeating)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL, *hot = NULL, pc;
	FILE *fb = fopen(w->bin, "w"), *ft = fopen(w->txt, "w");
	size_t i;
	int err = -1;

	if (!fb || !ft)
		goto out;
	if (repeating) {
		hot = malloc(o->nhot * sizeof(*hot));
		if (!hot)
			goto out;
		for (i = 0; i < o->nhot; i++)
			hot[i] = draw_pc(t, &x);
	}
	for (i = 0; i < w->n; i++) {
		pc = repeating ? hot[xorshift(&x) % o->nhot] : draw_pc(t, &x);
		fwrite(&pc, sizeof(pc), 1, fb);
		fprintf(ft, "%llx\n", (unsigned long long)pc);
	}
	err = ferror(fb) || ferror(ft) ? -1 : 0;
out:
	free(hot);
	if (fb && fclose(fb))
		err = -1;
	if (ft && fclose(ft))
		err = -1;
	return err;
}

/* One pass over the workload: ms spent inside pclntab__symbolize only. */
#define BATCH 64 /* pcs per pclntab__symbolize_many call */

/* ms spent symbolizing the workload's pcs, one call per pc or BATCH at a time. */
static double symbolize_file(const struct pclntab *t, const struct workload *w, bool batch,
			     size_t *frames, size_t *errors)
{
	static uint64_t pcs[CHUNK];
	static struct pcln_frame fr[BATCH * 16];
	int counts[BATCH];
	double total = 0, t0;
	size_t got, i, k;
	FILE *f = fopen(w->bin, "re");

	*frames = *errors = 0;
	if (!f)
		return -1;
	while ((got = fread(pcs, sizeof(pcs[0]), CHUNK, f)) > 0) {
		t0 = now_ms();
		for (i = 0; i < got; i += batch ? BATCH : 1) {
			size_t n = !batch ? 1 : got - i < BATCH ? got - i : BATCH;

			if (batch)
				pclntab__symbolize_many(t, pcs + i, n, fr, 16, counts);
			else
				counts[0] = pclntab__symbolize(t, pcs[i], fr, 16);
			for (k = 0; k < n; k++) {
				if (counts[k] < 0)
					(*errors)++;
				else
					*frames += counts[k];
			}
		}
		total += now_ms() - t0;
	}
	fclose(f);
	return total;
}

/*
 * Runs anchor on BINARY with stdin from in and stdout to out_fd (/dev/null
 * when < 0). Every other descriptor of ours is close-on-exec: a child that
 * kept a pipe's read end would never see EPIPE.
 */
static pid_t spawn_anchor(const struct opts *o, const struct anchor *a, const char *in, int out_fd)
{
	pid_t pid = fork();
	int in_fd;

	if (pid != 0)
		return pid;
	if (out_fd < 0)
		out_fd = open("/dev/null", O_WRONLY);
	in_fd = open(in, O_RDONLY);
	if (in_fd < 0 || out_fd < 0 || dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0)
		_exit(127);
	execl(a->path, a->path, o->binary, (char *)NULL);
	_exit(127);
}

/* Best wall time (ms) of reps runs of the anchor on the file in; < 0 on failure. */
static double time_anchor(const struct opts *o, const struct anchor *a, const char *in)
{
	double best = -1, t0, dt;
	int k, status;
	pid_t pid;

	for (k = 0; k < o->reps; k++) {
		t0 = now_ms();
		pid = spawn_anchor(o, a, in, -1);
		if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			return -1;
		dt = now_ms() - t0;
		if (best < 0 || dt < best)
			best = dt;
	}
	return best;
}

/* addr2line prints "name\nfile:line"; without line information "file:0" or "?:0". */
static bool agrees(const char *fn, const char *fl, const struct pcln_frame *fr, int n)
{
	char ours[4096];
	const char *colon = strrchr(fl, ':');
	long line = colon ? strtol(colon + 1, NULL, 10) : -1;

	if (n < 1 || strcmp(fn, fr[n - 1].func))
		return false;
	if (line <= 0)
		return fr[0].line == 0 && !strcmp(fr[0].file, "?");
	snprintf(ours, sizeof(ours), "%s:%d", fr[0].file, fr[0].line);
	return !strcmp(ours, fl);
}

/* Compares the anchor's answers on the first n pcs with ours; returns the disagreements. */
static long verify_anchor(const struct opts *o, const struct anchor *a, const struct pclntab *t,
			  const char *in, size_t n, size_t *checked)
{
	char fn[4096], fl[4096], pcline[64];
	struct pcln_frame fr[16];
	FILE *pcs = fopen(in, "re"), *ans;
	long bad = 0;
	int p[2], status;
	pid_t pid;

	*checked = 0;
	if (!pcs || pipe2(p, O_CLOEXEC))
		return -1;
	pid = spawn_anchor(o, a, in, p[1]);
	close(p[1]);
	ans = fdopen(p[0], "r");
	while (ans && *checked < n && fgets(pcline, sizeof(pcline), pcs) &&
	       fgets(fn, sizeof(fn), ans) && fgets(fl, sizeof(fl), ans)) {
		uint64_t pc = strtoull(pcline, NULL, 16);
		int k = pclntab__symbolize(t, pc, fr, 16);

		fn[strcspn(fn, "\n")] = fl[strcspn(fl, "\n")] = '\0';
		(*checked)++;
		if (agrees(fn, fl, fr, k > 16 ? 16 : k))
			continue;
		if (bad++ < MAX_SHOWN)
			printf("    disagree at %#llx: %s says %s %s; gotrace says %s %s:%d (%d)\n",
			       (unsigned long long)pc, a->label, fn, fl,
			       k > 0 ? fr[k - 1].func : "-", k > 0 ? fr[0].file : "-",
			       k > 0 ? fr[0].line : 0, k);
	}
	fclose(pcs);
	if (ans)
		fclose(ans); /* addr2line may see EPIPE when n < the file */
	if (pid > 0)
		waitpid(pid, &status, 0);
	return bad;
}

/* Best of reps passes (after one pass that pays the page faults); ns per pc. */
static double time_ours(const struct opts *o, const struct pclntab *t, const struct workload *w,
			bool batch, double *first, size_t *frames, size_t *errors)
{
	double best = -1, ms;
	int k;

	ms = symbolize_file(t, w, batch, frames, errors);
	if (first)
		*first = ms * 1e6 / w->n;
	for (k = 0; k < o->reps; k++) {
		ms = symbolize_file(t, w, batch, frames, errors);
		if (best < 0 || ms < best)
			best = ms;
	}
	return best * 1e6 / w->n;
}

static void report_workload(const struct opts *o, struct pclntab *t, struct workload *w,
			    const char *what)
{
	double walks, wfirst, ours, cached, first, many, many_cached, one, all, per, per_su;
	size_t wframes, werrors, frames, errors, cframes, cerrors, mframes, merrors, mcframes,
		mcerrors;
	int k;

	printf("\nworkload %s: %zu pcs, %s\n", w->name, w->n, what);
	pclntab__set_cache(t, false);
	pclntab__set_dense(t, false);
	walks = time_ours(o, t, w, false, &wfirst, &wframes, &werrors);
	pclntab__set_dense(t, true);
	ours = time_ours(o, t, w, false, &first, &frames, &errors);
	many = time_ours(o, t, w, true, NULL, &mframes, &merrors);
	pclntab__set_cache(t, true);
	cached = time_ours(o, t, w, false, NULL, &cframes, &cerrors);
	many_cached = time_ours(o, t, w, true, NULL, &mcframes, &mcerrors);
	pclntab__set_cache(t, false);
	printf("  gotrace            %8.1f ns/pc  walks of the encoded tables only (first pass "
	       "%.1f ns/pc: page faults)\n",
	       walks, wfirst);
	printf("  gotrace            %8.1f ns/pc  decoded tables, cache off (first pass %.1f ns/pc: "
	       "the decoding); %.2f frames/pc, %zu errors (%s)\n",
	       ours, first, (double)frames / w->n, errors,
	       wframes == frames && werrors == errors ? "same" : "DIFFERENT");
	printf("  gotrace            %8.1f ns/pc  decoded tables, cache off, %d pcs per "
	       "pclntab__symbolize_many (%s)\n",
	       many, BATCH, mframes == frames && merrors == errors ? "same" : "DIFFERENT");
	printf("  gotrace            %8.1f ns/pc  decoded tables, cache on (%zu frames, %zu errors: "
	       "%s)\n",
	       cached, cframes, cerrors, cframes == frames && cerrors == errors ? "same" : "DIFFERENT");
	printf("  gotrace            %8.1f ns/pc  decoded tables, cache on, %d pcs per "
	       "pclntab__symbolize_many (%s)\n",
	       many_cached, BATCH,
	       mcframes == frames && mcerrors == errors ? "same" : "DIFFERENT");
	for (k = 0; k < o->nanchors; k++) {
		const struct anchor *a = &o->anchors[k];
		char one_in[128];
		FILE *f;

		snprintf(one_in, sizeof(one_in), "%s/one.txt", o->dir);
		f = fopen(one_in, "w");
		if (f) {
			fprintf(f, "%llx\n", 0x1000ULL);
			fclose(f);
		}
		one = time_anchor(o, a, one_in);
		all = time_anchor(o, a, w->txt);
		if (one < 0 || all < 0) {
			printf("  %-18s failed (%s)\n", a->label, a->path);
			continue;
		}
		per = (all - one) * 1e6 / w->n;
		per_su = all * 1e6 / w->n;
		printf("  %-18s %8.1f ns/pc  without its %.0f ms start-up (%.1f ns/pc with it)\n",
		       a->label, per, one, per_su);
		printf("  %-18s %8.1fx cache off, %.1fx batched, %.1fx cache on, %.1fx batched "
		       "with the cache on, %.1fx walks only (%.1fx, %.1fx, %.1fx, %.1fx, %.1fx with its "
		       "start-up)\n",
		       "  ratio to gotrace", per / ours, per / many, per / cached, per / many_cached,
		       per / walks, per_su / ours, per_su / many, per_su / cached,
		       per_su / many_cached, per_su / walks);
	}
}

static void report_agreement(const struct opts *o, const struct pclntab *t,
			     const struct workload *w)
{
	int k;

	for (k = 0; k < o->nanchors; k++) {
		size_t checked;
		long bad = verify_anchor(o, &o->anchors[k], t, w->txt, o->nverify, &checked);

		printf("  %-18s disagrees with gotrace on %ld of %zu random pcs\n",
		       o->anchors[k].label, bad, checked);
	}
}

static uint64_t table_size(const struct elf_file *ef)
{
	const struct elf_section *s = elf_file__find_section(ef, ".gopclntab");

	if (!s)
		s = elf_file__find_section(ef, ".data.rel.ro.gopclntab");
	return s ? s->size : 0;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	int c;

	*o = (struct opts){.npcs = 1000000, .nhot = 1000, .nverify = 100000, .reps = 3};
	while ((c = getopt(argc, argv, "n:k:v:r:")) != -1) {
		switch (c) {
		case 'n':
			o->npcs = strtoul(optarg, NULL, 0);
			break;
		case 'k':
			o->nhot = strtoul(optarg, NULL, 0);
			break;
		case 'v':
			o->nverify = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			o->reps = atoi(optarg);
			break;
		default:
			return -1;
		}
	}
	if (optind >= argc || !o->npcs || !o->nhot || o->reps < 1)
		return -1;
	o->binary = argv[optind++];
	for (; optind < argc && o->nanchors < MAX_ANCHORS; optind++) {
		char *eq = strchr(argv[optind], '=');

		if (!eq)
			return -1;
		*eq = '\0';
		o->anchors[o->nanchors++] = (struct anchor){argv[optind], eq + 1};
	}
	return 0;
}

/* Opens cold then warm; times the lazily built indexes. */
static int open_table(const struct opts *o, struct elf_file **ef, struct pclntab **t)
{
	double cold, warm, t0, pcidx, names;
	struct pcln_func f;

	drop_page_cache(o->binary);
	cold = timed_open(o->binary, ef, t);
	if (cold < 0)
		return -1;
	pclntab__free(*t);
	elf_file__free(*ef);
	warm = timed_open(o->binary, ef, t);
	if (warm < 0)
		return -1;
	t0 = now_ms();
	pclntab__find_func(*t, pclntab__text_start(*t), &f);
	pcidx = now_ms() - t0;
	t0 = now_ms();
	pclntab__find_name(*t, "main.main", &f);
	names = now_ms() - t0;
	printf("binary             %s\n", o->binary);
	printf("                   %llu bytes, %s format, %zu functions, pclntab %.1f MiB\n",
	       (unsigned long long)elf_file__size(*ef), pclntab__format_name(*t),
	       pclntab__nfuncs(*t), table_size(*ef) / 1048576.0);
	printf("pclntab open       %.3f ms cold page cache, %.3f ms warm\n", cold, warm);
	printf("lazy indexes       pc->function %.3f ms (first lookup), names %.1f ms "
	       "(first pclntab__find_name)\n",
	       pcidx, names);
	return 0;
}

int main(int argc, char **argv)
{
	struct workload rnd = {.name = "random"}, rep = {.name = "repeating"};
	struct rusage self, kids;
	struct elf_file *ef;
	struct pclntab *t;
	struct opts o;
	char what[128];
	int ret = 1;

	if (parse_args(argc, argv, &o)) {
		fprintf(stderr,
			"usage: %s [-n NPCS] [-k NHOT] [-v NVERIFY] [-r REPS] BINARY "
			"LABEL=ADDR2LINE...\n",
			argv[0]);
		return 2;
	}
	snprintf(o.dir, sizeof(o.dir), "/tmp/bench-symbolize-XXXXXX");
	if (!mkdtemp(o.dir) || open_table(&o, &ef, &t))
		return 1;
	rnd.n = rep.n = o.npcs;
	snprintf(rnd.bin, sizeof(rnd.bin), "%s/random.bin", o.dir);
	snprintf(rnd.txt, sizeof(rnd.txt), "%s/random.txt", o.dir);
	snprintf(rep.bin, sizeof(rep.bin), "%s/repeating.bin", o.dir);
	snprintf(rep.txt, sizeof(rep.txt), "%s/repeating.txt", o.dir);
	if (write_workload(t, &o, &rnd, false) || write_workload(t, &o, &rep, true)) {
		fprintf(stderr, "bench: cannot write the pcs under %s: %s\n", o.dir,
			strerror(errno));
		goto out;
	}
	report_workload(&o, t, &rnd, "a function uniformly by index, then a pc inside it");
	snprintf(what, sizeof(what), "uniformly among %zu distinct pcs drawn as above", o.nhot);
	report_workload(&o, t, &rep, what);
	/* Peak RSS before any verification pipe: the runs above are the measurement. */
	getrusage(RUSAGE_SELF, &self);
	printf("\nagreement (physical function and innermost file:line)\n");
	report_agreement(&o, t, &rnd);
	getrusage(RUSAGE_CHILDREN, &kids);
	printf("\ndecoded tables     %.1f MiB (functions looked up: all of them here)\n",
	       pclntab__dense_bytes(t) / 1048576.0);
	printf("peak RSS           gotrace %.1f MiB = %.2fx the pclntab (%.1f MiB); largest "
	       "anchor %.1f MiB\n",
	       self.ru_maxrss / 1024.0, self.ru_maxrss * 1024.0 / table_size(ef),
	       table_size(ef) / 1048576.0, kids.ru_maxrss / 1024.0);
	ret = 0;
out:
	unlink(rnd.bin), unlink(rnd.txt), unlink(rep.bin), unlink(rep.txt);
	snprintf(what, sizeof(what), "%s/one.txt", o.dir);
	unlink(what);
	rmdir(o.dir);
	pclntab__free(t);
	elf_file__free(ef);
	return ret;
}
