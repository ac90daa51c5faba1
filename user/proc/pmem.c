// SPDX-License-Identifier: GPL-2.0
/* Reading a running process's memory: process_vm_readv, else /proc/PID/mem. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "base/err.h"
#include "proc/pmem.h"

/* Ranges per process_vm_readv call: the kernel's UIO_MAXIOV. */
#define PMEM_BATCH 1024

struct pmem {
	pid_t pid;
	const uint8_t *image; /* pmem__open_image: reads come from here */
	uint64_t image_base;
	size_t image_len;
	int memfd; /* /proc/PID/mem, opened on first use of the fallback */
	bool use_procmem;
	uint64_t syscalls;
	uint64_t bytes;
	char method[48];
};

int pmem__open(pid_t pid, struct pmem **out)
{
	struct pmem *pm = calloc(1, sizeof(*pm));

	if (!pm)
		return -ENOMEM;
	pm->pid = pid;
	pm->memfd = -1;
	snprintf(pm->method, sizeof(pm->method), "process_vm_readv");
	*out = pm;
	return 0;
}

int pmem__open_image(uint64_t base, const void *buf, size_t len, struct pmem **out)
{
	int err = pmem__open(0, out);

	if (err)
		return err;
	(*out)->image = buf;
	(*out)->image_base = base;
	(*out)->image_len = len;
	snprintf((*out)->method, sizeof((*out)->method), "memory image");
	return 0;
}

void pmem__free(struct pmem *pm)
{
	if (!pm)
		return;
	if (pm->memfd >= 0)
		close(pm->memfd);
	free(pm);
}

uint64_t pmem__syscalls(const struct pmem *pm)
{
	return pm->syscalls;
}

uint64_t pmem__bytes(const struct pmem *pm)
{
	return pm->bytes;
}

const char *pmem__method(const struct pmem *pm)
{
	return pm->method;
}

static int refused(struct pmem *pm, int errnum)
{
	if (errnum == ESRCH || errnum == ENOENT)
		return err_fail(ESRCH, "process %d exited while its memory was being read",
				(int)pm->pid);
	return err_fail(errnum == EACCES ? EACCES : EPERM,
			"cannot read the memory of process %d: %s (run as root, or with "
			"CAP_SYS_PTRACE; a Yama ptrace_scope of 3 forbids it entirely)",
			(int)pm->pid, strerror(errnum));
}

static int open_procmem(struct pmem *pm)
{
	char path[64];

	if (pm->memfd >= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pm->pid);
	pm->memfd = open(path, O_RDONLY | O_CLOEXEC);
	if (pm->memfd < 0)
		return refused(pm, errno);
	snprintf(pm->method, sizeof(pm->method), "/proc/%d/mem", (int)pm->pid);
	return 0;
}

void pmem__force_procmem(struct pmem *pm)
{
	pm->use_procmem = true;
}

/* One request through /proc/PID/mem; *got bytes were read. */
static int procmem_read(struct pmem *pm, uint64_t addr, void *buf, size_t len, size_t *got)
{
	int err = open_procmem(pm);

	*got = 0;
	if (err)
		return err;
	while (*got < len) {
		ssize_t n;

		pm->syscalls++;
		n = pread(pm->memfd, (char *)buf + *got, len - *got, (off_t)(addr + *got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EIO || errno == EFAULT))
			break;
		if (n < 0)
			return refused(pm, errno);
		if (n == 0)
			break;
		*got += (size_t)n;
		pm->bytes += (uint64_t)n;
	}
	return *got == len ? 0 : -EFAULT;
}

/* Addresses a user process can map: below 2^63 and not wrapping. */
static bool plausible(uint64_t addr, size_t len)
{
	return len && addr + len > addr && addr + len <= (1ULL << 63);
}

/*
 * One process_vm_readv over reqs[0..n) (all plausible, n <= PMEM_BATCH).
 * The kernel stops at the first range it cannot read in full, so the
 * return value says how many requests in a row succeeded; *stop is the
 * index of the one that failed (n when none did).
 */
static int vm_readv_batch(struct pmem *pm, struct pmem_req *reqs, size_t n, size_t *stop)
{
	struct iovec local[PMEM_BATCH], remote[PMEM_BATCH];
	ssize_t got;
	size_t i;

	*stop = 0;
	if (!n || n > PMEM_BATCH)
		return 0;
	for (i = 0; i < n; i++) {
		local[i] = (struct iovec){reqs[i].buf, reqs[i].len};
		remote[i] = (struct iovec){(void *)(uintptr_t)reqs[i].addr, reqs[i].len};
	}
	pm->syscalls++;
	got = process_vm_readv(pm->pid, local, n, remote, n, 0);
	if (got < 0) {
		if (errno == EFAULT) { /* the first range is unreadable */
			*stop = 0;
			return 0;
		}
		return -errno;
	}
	pm->bytes += (uint64_t)got;
	for (i = 0; i < n && (size_t)got >= reqs[i].len; i++) {
		reqs[i].ok = true;
		got -= (ssize_t)reqs[i].len;
	}
	*stop = i;
	return 0;
}

/* The fallback for everything process_vm_readv cannot do here. */
static int readv_procmem(struct pmem *pm, struct pmem_req *reqs, size_t n)
{
	size_t i, got;
	int err, nok = 0;

	for (i = 0; i < n; i++) {
		if (!plausible(reqs[i].addr, reqs[i].len))
			continue;
		err = procmem_read(pm, reqs[i].addr, reqs[i].buf, reqs[i].len, &got);
		if (err && err != -EFAULT)
			return err;
		reqs[i].ok = !err;
		nok += !err;
	}
	return nok;
}

/* The image backend: a request is served in full or not at all. */
static int readv_image(struct pmem *pm, struct pmem_req *reqs, size_t n)
{
	size_t i;
	int nok = 0;

	for (i = 0; i < n; i++) {
		uint64_t a = reqs[i].addr;

		if (!plausible(a, reqs[i].len) || a < pm->image_base ||
		    a - pm->image_base > pm->image_len ||
		    reqs[i].len > pm->image_len - (a - pm->image_base))
			continue;
		memcpy(reqs[i].buf, pm->image + (a - pm->image_base), reqs[i].len);
		reqs[i].ok = true;
		pm->bytes += reqs[i].len;
		nok++;
	}
	pm->syscalls++;
	return nok;
}

int pmem__readv(struct pmem *pm, struct pmem_req *reqs, size_t n)
{
	size_t i = 0, j, stop;
	int err, nok = 0;

	for (j = 0; j < n; j++)
		reqs[j].ok = false;
	if (pm->image)
		return readv_image(pm, reqs, n);
	if (pm->use_procmem)
		return readv_procmem(pm, reqs, n);
	while (i < n) {
		/* A batch of consecutive plausible requests; skip the others. */
		if (!plausible(reqs[i].addr, reqs[i].len)) {
			i++;
			continue;
		}
		for (j = i; j < n && j - i < PMEM_BATCH && plausible(reqs[j].addr, reqs[j].len);
		     j++)
			;
		err = vm_readv_batch(pm, reqs + i, j - i, &stop);
		if (err == -ENOSYS || err == -EPERM) {
			/* seccomp or no CROSS_MEMORY_ATTACH: /proc/PID/mem may still work. */
			pm->use_procmem = true;
			err = readv_procmem(pm, reqs + i, n - i);
			return err < 0 ? err : nok + err;
		}
		if (err)
			return refused(pm, -err);
		nok += (int)stop;
		i += stop + (stop < j - i ? 1 : 0); /* skip the failed one */
	}
	return nok;
}

int pmem__read(struct pmem *pm, uint64_t addr, void *buf, size_t len)
{
	struct pmem_req r = {.addr = addr, .buf = buf, .len = len};
	int n;

	if (!len)
		return 0;
	n = pmem__readv(pm, &r, 1);
	if (n < 0)
		return n;
	return r.ok ? 0 : -EFAULT;
}

/* Page by page after a failed whole read: what is mapped before the hole. */
int pmem__read_partial(struct pmem *pm, uint64_t addr, void *buf, size_t len, size_t *got)
{
	size_t done = 0;
	int err;

	*got = 0;
	err = pmem__read(pm, addr, buf, len);
	if (err != -EFAULT) {
		*got = err ? 0 : len;
		return err;
	}
	while (done < len) {
		size_t chunk = 4096 - ((addr + done) & 4095);

		if (chunk > len - done)
			chunk = len - done;
		err = pmem__read(pm, addr + done, (char *)buf + done, chunk);
		if (err)
			break;
		done += chunk;
	}
	*got = done;
	return err == -EFAULT || !err ? 0 : err;
}
