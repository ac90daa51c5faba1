/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_PROC_PMEM_H
#define GOTRACE_PROC_PMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Reading another process's memory without stopping it: process_vm_readv
 * (one syscall for many ranges), falling back to pread on /proc/PID/mem
 * where the syscall is refused (seccomp in some container runtimes,
 * kernels without CONFIG_CROSS_MEMORY_ATTACH). Never ptrace: the target
 * keeps running, so everything read can change under the reader and is
 * validated by the caller.
 *
 * Errors: -EFAULT when a range is not (fully) mapped, -ESRCH when the
 * process is gone, -EPERM/-EACCES when the kernel refuses (err_set says
 * the fix).
 */

struct pmem;

/* A range to read: addr/len in the target, buf in ours; ok is set by pmem__readv. */
struct pmem_req {
	uint64_t addr;
	void *buf;
	size_t len;
	bool ok;
};

int pmem__open(pid_t pid, struct pmem **out);
/*
 * Reads served from buf as if it were mapped at base (fuzzing and tests of
 * the readers of target memory); buf must outlive the pmem.
 */
int pmem__open_image(uint64_t base, const void *buf, size_t len, struct pmem **out);
void pmem__free(struct pmem *pm);

/* All of [addr, addr+len) or an error; a short read is -EFAULT. */
int pmem__read(struct pmem *pm, uint64_t addr, void *buf, size_t len);
/*
 * Reads many ranges, batched into as few syscalls as possible. Each
 * request's ok says whether it was read in full; the return is the number
 * of requests read (>= 0), or -ESRCH/-EPERM when nothing can be read.
 */
int pmem__readv(struct pmem *pm, struct pmem_req *reqs, size_t n);
/* Reads up to len bytes; *got is how many were read before the first unmapped byte. */
int pmem__read_partial(struct pmem *pm, uint64_t addr, void *buf, size_t len, size_t *got);

/* Syscalls made and bytes read since open (for the benchmark and -v). */
uint64_t pmem__syscalls(const struct pmem *pm);
uint64_t pmem__bytes(const struct pmem *pm);
/* "process_vm_readv" or "/proc/PID/mem": what is in use. */
const char *pmem__method(const struct pmem *pm);
/* Forces the /proc/PID/mem path (tests exercise the fallback). */
void pmem__force_procmem(struct pmem *pm);

#endif
