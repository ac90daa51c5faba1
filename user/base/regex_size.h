/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_BASE_REGEX_SIZE_H
#define GOTRACE_BASE_REGEX_SIZE_H

/*
 * An upper estimate of the nodes glibc's regcomp builds for the POSIX extended
 * regular expression ere once its repetitions are expanded (a{5} is five
 * copies, nesting multiplies), saturating at 1e12. regcomp's time and memory
 * grow with the square of it; refuse large patterns before compiling them.
 */
double regex_expanded_size(const char *ere);

#endif
