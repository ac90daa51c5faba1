// SPDX-License-Identifier: GPL-2.0
/*
 * bench_symbolize BINARY GO [NPCS [NSAMPLE]]
 *
 * Method. Opens BINARY's pc-line table twice: first after dropping the
 * file from the page cache (posix_fadvise DONTNEED: the cold "index load"
 * a tracer pays when it attaches), then warm. Draws NPCS (default 10^6)
 * pcs uniformly from the functions (a function uniformly by index, then a
 * pc uniformly inside it; fixed xorshift seed) and times
 * pclntab__symbolize on all of them (inlined frames expanded, up to 16),
 * twice: the first pass also pays the page faults of the mapped table.
 * Then pipes the first NSAMPLE (default 20000) of the same pcs to
 * `GO tool addr2line BINARY` and times it (best of three), and the same
 * with one pc to measure its start-up (process start + reading the table),
 * so its per-pc cost is reported both with and without start-up. Also times the first
 * pclntab__find_name (which builds the name index). Prints numbers only;
 * there are no thresholds. Peak RSS is this process's ru_maxrss, which
 * includes the table pages touched through the mapping.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "goelf/elf.h"
#include "goelf/pclntab.h"

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

static uint64_t *draw_pcs(const struct pclntab *t, size_t n)
{
	uint64_t *pcs = malloc(n * sizeof(*pcs)), x = 0x9e3779b97f4a7c15ULL;
	size_t nf = pclntab__nfuncs(t), i;
	struct pcln_func f;

	if (!pcs)
		return NULL;
	for (i = 0; i < n; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		if (pclntab__func_at(t, x % nf, &f) || f.end <= f.entry) {
			pcs[i] = f.entry;
			continue;
		}
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		pcs[i] = f.entry + x % (f.end - f.entry);
	}
	return pcs;
}

/* Wall time of `go tool addr2line` on the first n pcs, in ms. */
static double time_addr2line(const char *go, const char *bin, const uint64_t *pcs, size_t n)
{
	char in[] = "/tmp/bench-pcs-XXXXXX", cmd[4096];
	double t0, dt, best = -1;
	FILE *f;
	size_t i;
	int k;
	int fd = mkstemp(in);

	if (fd < 0 || !(f = fdopen(fd, "w")))
		return -1;
	for (i = 0; i < n; i++)
		fprintf(f, "%llx\n", (unsigned long long)pcs[i]);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "'%s' tool addr2line '%s' <'%s' >/dev/null", go, bin, in);
	/* Best of three: the machine is shared, start-up time is noisy. */
	for (k = 0; k < 3; k++) {
		t0 = now_ms();
		if (system(cmd) != 0) {
			best = -1;
			break;
		}
		dt = now_ms() - t0;
		if (best < 0 || dt < best)
			best = dt;
	}
	unlink(in);
	return best;
}

/* Wall ms for symbolizing all pcs; counts frames and errors of the last pass. */
static double symbolize_all(const struct pclntab *t, const uint64_t *pcs, size_t n, size_t *frames,
			    size_t *errors)
{
	struct pcln_frame fr[16];
	double t0 = now_ms();
	size_t i;

	*frames = *errors = 0;
	for (i = 0; i < n; i++) {
		int k = pclntab__symbolize(t, pcs[i], fr, 16);

		if (k < 0)
			(*errors)++;
		else
			*frames += k;
	}
	return now_ms() - t0;
}

static uint64_t table_size(const struct elf_file *ef)
{
	const struct elf_section *s = elf_file__find_section(ef, ".gopclntab");

	if (!s)
		s = elf_file__find_section(ef, ".data.rel.ro.gopclntab");
	return s ? s->size : 0;
}

int main(int argc, char **argv)
{
	size_t npcs = argc > 3 ? strtoul(argv[3], NULL, 0) : 1000000;
	size_t nsample = argc > 4 ? strtoul(argv[4], NULL, 0) : 20000;
	double cold, warm, t0, ours1, ours, a2l, a2l1, name_ms;
	struct elf_file *ef;
	struct pcln_func f;
	struct pclntab *t;
	struct rusage ru;
	size_t errors = 0, frames = 0;
	uint64_t *pcs;

	if (argc < 3) {
		fprintf(stderr, "usage: %s BINARY GO [NPCS [NSAMPLE]]\n", argv[0]);
		return 2;
	}
	drop_page_cache(argv[1]);
	cold = timed_open(argv[1], &ef, &t);
	if (cold < 0)
		return 1;
	pclntab__free(t);
	elf_file__free(ef);
	warm = timed_open(argv[1], &ef, &t);
	if (warm < 0)
		return 1;
	pcs = draw_pcs(t, npcs);
	if (!pcs)
		return 1;
	if (nsample > npcs)
		nsample = npcs;
	/* Pass 1 faults the table in through the mapping; pass 2 is steady state. */
	ours1 = symbolize_all(t, pcs, npcs, &frames, &errors);
	ours = symbolize_all(t, pcs, npcs, &frames, &errors);
	t0 = now_ms();
	pclntab__find_name(t, "main.main", &f);
	name_ms = now_ms() - t0;
	getrusage(RUSAGE_SELF, &ru);
	a2l1 = time_addr2line(argv[2], argv[1], pcs, 1);
	a2l = time_addr2line(argv[2], argv[1], pcs, nsample);

	printf("binary            %s (%llu bytes, %s format, %zu functions)\n", argv[1],
	       (unsigned long long)elf_file__size(ef), pclntab__format_name(t), pclntab__nfuncs(t));
	printf("pclntab open      %.3f ms cold page cache, %.3f ms warm\n", cold, warm);
	printf("gotrace           %.1f ns/pc over %zu pcs (%.2f frames/pc, %zu errors); first pass "
	       "%.1f ns/pc (page faults)\n",
	       ours * 1e6 / npcs, npcs, (double)frames / npcs, errors, ours1 * 1e6 / npcs);
	if (a2l > 0 && a2l1 > 0) {
		double per = a2l * 1e6 / nsample, per_ex = (a2l - a2l1) * 1e6 / (nsample - 1);

		printf("go tool addr2line %.1f ns/pc over %zu pcs (%.1f ns/pc without its %.0f ms "
		       "start-up)\n",
		       per, nsample, per_ex, a2l1);
		printf("ratio             addr2line/gotrace = %.1fx (%.1fx without start-up)\n",
		       per / (ours * 1e6 / npcs), per_ex / (ours * 1e6 / npcs));
	} else {
		printf("go tool addr2line failed (GO=%s)\n", argv[2]);
	}
	printf("name index        %.1f ms (first pclntab__find_name)\n", name_ms);
	printf("peak RSS          %.1f MiB (ru_maxrss) vs pclntab %.1f MiB\n",
	       ru.ru_maxrss / 1024.0, table_size(ef) / 1048576.0);
	free(pcs);
	pclntab__free(t);
	elf_file__free(ef);
	return 0;
}
