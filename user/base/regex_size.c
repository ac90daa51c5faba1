// SPDX-License-Identifier: GPL-2.0
/*
 * How big an extended regular expression becomes inside glibc's regcomp
 * (base/regex_size.h).
 *
 * glibc expands every repetition by copying the repeated subtree: a{3,5}
 * becomes five copies of a, a+ becomes aa*, and nesting multiplies. Then it
 * computes, for each node, the set of nodes reachable without input: quadratic
 * in the node count. A 20-byte pattern like ((a{99}){99}){99} asks for ~10^6
 * copies and gigabytes (the fuzzer found it through doctor --checks). This
 * walk estimates the node count after expansion without building anything,
 * saturating instead of overflowing, so callers refuse such a pattern before
 * regcomp sees it. It errs on the large side; a malformed pattern is sized as
 * well as it can be and left to regcomp to reject.
 */
#include <stdlib.h>

#include "base/regex_size.h"

#define SATURATED 1e12

struct walk {
	const char *p;
	unsigned depth;
};

static double alternation(struct walk *w);

static double cap(double v)
{
	return v > SATURATED ? SATURATED : v;
}

/* [...] with its classes [:alpha:], [=e=], [.x.]; ']' first is a literal. */
static void skip_bracket(struct walk *w)
{
	w->p++;
	if (*w->p == '^')
		w->p++;
	if (*w->p == ']')
		w->p++;
	while (*w->p && *w->p != ']') {
		if (w->p[0] == '[' && (w->p[1] == ':' || w->p[1] == '=' || w->p[1] == '.')) {
			char kind = w->p[1];

			w->p += 2;
			while (*w->p && !(w->p[0] == kind && w->p[1] == ']'))
				w->p++;
			if (*w->p)
				w->p += 2;
			continue;
		}
		w->p++;
	}
	if (*w->p)
		w->p++;
}

static double atom(struct walk *w)
{
	switch (*w->p) {
	case '(': {
		double inner;

		w->p++;
		if (++w->depth > 1000) /* sources are short; this is only a backstop */
			return SATURATED;
		inner = alternation(w);
		w->depth--;
		if (*w->p == ')')
			w->p++;
		return cap(inner + 1);
	}
	case '[':
		skip_bracket(w);
		return 1;
	case '\\':
		w->p += w->p[1] ? 2 : 1;
		return 1;
	default:
		w->p++;
		return 1;
	}
}

/* {m}, {m,} or {m,n}: how many copies of the operand glibc makes. 0 if the
 * text at w->p is not a bound (glibc then reads '{' as a literal). */
static double bound_copies(struct walk *w)
{
	const char *q = w->p + 1;
	char *end;
	double lo, hi;

	if (*q < '0' || *q > '9')
		return 0;
	lo = (double)strtoul(q, &end, 10);
	hi = lo;
	if (*end == ',') {
		q = end + 1;
		if (*q >= '0' && *q <= '9') {
			hi = (double)strtoul(q, &end, 10);
		} else { /* {m,}: m copies and a starred one */
			hi = lo + 1;
			end = (char *)q;
		}
	}
	if (*end != '}')
		return 0;
	w->p = end + 1;
	return cap((lo > hi ? lo : hi) + 1);
}

static double sequence(struct walk *w)
{
	double total = 0;

	while (*w->p && *w->p != '|' && *w->p != ')') {
		double one = atom(w), copies;

		for (;;) {
			if (*w->p == '*' || *w->p == '?') {
				w->p++;
				one += 1;
			} else if (*w->p == '+') {
				w->p++;
				one = cap(one * 2 + 1);
			} else if (*w->p == '{' && (copies = bound_copies(w)) > 0) {
				one = cap(one * copies);
			} else {
				break;
			}
		}
		total = cap(total + one);
	}
	return total;
}

static double alternation(struct walk *w)
{
	double total = sequence(w);

	while (*w->p == '|') {
		w->p++;
		total = cap(total + sequence(w) + 1);
	}
	return total;
}

double regex_expanded_size(const char *ere)
{
	struct walk w = {.p = ere};
	double total = 0;

	while (*w.p) {
		total = cap(total + alternation(&w));
		if (*w.p == ')') { /* unmatched: a literal to glibc */
			w.p++;
			total = cap(total + 1);
		}
	}
	return total;
}
