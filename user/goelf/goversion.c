// SPDX-License-Identifier: GPL-2.0
/*
 * Go release versions as runtime.Version() spells them. The grammar, from
 * go/version and cmd/dist (go1.21+ names the first release "go1.21.0";
 * earlier ones "go1.20" with no patch; pre-releases "go1.26rc1", "go1.9beta2"):
 *
 *	[devel ]go<major>[.<minor>[.<patch>]][(rc|beta)<n>][<sep><anything>]
 *
 * where <sep> is ' ' ("go1.22.0 X:boringcrypto", GOEXPERIMENTs appended by
 * cmd/dist), '-' ("devel go1.23-abcdef ...", vendor suffixes such as
 * "go1.21.0-bigcorp") or '+'. Anything else after the numbers is rejected so
 * that "go1.26.go" from a file name never passes for a version.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "base/num.h"
#include "goelf/goversion.h"

/* Largest number we accept in a version component; Go is at 1.2x. */
#define MAX_COMPONENT 100000

/*
 * Reads a run of decimal digits at *s through the one number parser
 * (num.h), advancing *s. -EINVAL when there are none or they overflow.
 */
static int read_number(const char **s, int *out)
{
	char buf[16];
	size_t n = strspn(*s, "0123456789");
	uint32_t v;

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, *s, n);
	buf[n] = '\0';
	if (num_parse_u32(buf, 0, MAX_COMPONENT, &v))
		return -EINVAL;
	*s += n;
	*out = (int)v;
	return 0;
}

/* "rc1", "beta2": a pre-release tag with its number. */
static bool read_prerelease(const char **s)
{
	static const char *const tags[] = {"rc", "beta", "alpha"};
	size_t i;
	int n;

	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		size_t len = strlen(tags[i]);
		const char *p = *s + len;

		if (strncmp(*s, tags[i], len) || read_number(&p, &n))
			continue;
		*s = p;
		return true;
	}
	return false;
}

int go_version_parse(const char *s, struct go_version *v)
{
	struct go_version r = {0};

	if (!s)
		return -EINVAL;
	if (!strncmp(s, "devel ", 6)) {
		/*
		 * Development toolchains since go1.21 say "devel go1.23-abc
		 * <date>"; older ones "devel +abc <date>" carry no release
		 * number at all, so nothing version-dependent can be chosen
		 * from them: -EINVAL.
		 */
		r.devel = true;
		s += 6;
	}
	if (strncmp(s, "go", 2))
		return -EINVAL;
	s += 2;
	if (read_number(&s, &r.major))
		return -EINVAL;
	if (*s == '.' && (s++, read_number(&s, &r.minor)))
		return -EINVAL;
	if (*s == '.' && (s++, read_number(&s, &r.patch)))
		return -EINVAL;
	r.prerelease = read_prerelease(&s);
	if (*s && *s != ' ' && *s != '-' && *s != '+')
		return -EINVAL;
	*v = r;
	return 0;
}

int go_version_cmp_minor(const struct go_version *v, int major, int minor)
{
	if (v->major != major)
		return v->major < major ? -1 : 1;
	if (v->minor != minor)
		return v->minor < minor ? -1 : 1;
	return 0;
}
