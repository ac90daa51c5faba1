/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_GO_ABI_BPF_H
#define GOTRACE_GO_ABI_BPF_H

/*
 * Go's internal register ABI (amd64 since go1.17; GO-RUNTIME.md §1.2).
 * libbpf's PT_REGS_PARM* macros encode the SysV C ABI and are wrong for Go:
 * integer arguments are in RAX, RBX, RCX, RDI, RSI, R8, R9, R10, R11 and
 * the current goroutine's g is in R14. Sub-word arguments occupy the low
 * bits only: mask them.
 */

#if defined(__TARGET_ARCH_x86)
#define GO_PARAM1(r) ((r)->ax)
#define GO_PARAM2(r) ((r)->bx)
#define GO_PARAM3(r) ((r)->cx)
#define GO_PARAM4(r) ((r)->di)
#define GO_PARAM5(r) ((r)->si)
#define GO_PARAM6(r) ((r)->r8)
#define GO_PARAM7(r) ((r)->r9)
#define GO_PARAM8(r) ((r)->r10)
#define GO_PARAM9(r) ((r)->r11)
#define GO_G(r) ((r)->r14)
#define GO_SP(r) ((r)->sp)
#define GO_FP(r) ((r)->bp)
#elif defined(__TARGET_ARCH_arm64)
#define GO_PARAM1(r) ((r)->regs[0])
#define GO_PARAM2(r) ((r)->regs[1])
#define GO_PARAM3(r) ((r)->regs[2])
#define GO_PARAM4(r) ((r)->regs[3])
#define GO_PARAM5(r) ((r)->regs[4])
#define GO_PARAM6(r) ((r)->regs[5])
#define GO_PARAM7(r) ((r)->regs[6])
#define GO_PARAM8(r) ((r)->regs[7])
#define GO_PARAM9(r) ((r)->regs[8])
#define GO_G(r) ((r)->regs[28])
#define GO_SP(r) ((r)->sp)
#define GO_FP(r) ((r)->regs[29])
#else
#error "gotrace: unsupported target architecture"
#endif

#endif
