// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <zlib.h>

#include "kern/kconfig.h"

/* "CONFIG_X=v" or "# CONFIG_X is not set" → val; 1 if the line is about name. */
static int match_line(const char *line, const char *name, char *val, size_t len)
{
	size_t n = strlen(name);

	if (!strncmp(line, name, n) && line[n] == '=') {
		snprintf(val, len, "%.*s", (int)strcspn(line + n + 1, "\n"), line + n + 1);
		return 1;
	}
	if (!strncmp(line, "# ", 2) && !strncmp(line + 2, name, n) &&
	    !strncmp(line + 2 + n, " is not set", 11)) {
		snprintf(val, len, "n");
		return 1;
	}
	return 0;
}

/* gzopen reads plain files too, so one reader serves both locations. */
static gzFile open_config(void)
{
	struct utsname u;
	char path[128];
	gzFile f = gzopen("/proc/config.gz", "rb");

	if (f || uname(&u))
		return f;
	snprintf(path, sizeof(path), "/boot/config-%s", u.release);
	return gzopen(path, "rb");
}

int kconfig__get(const char *name, char *val, size_t len)
{
	char line[512];
	int found = 0;
	gzFile f = open_config();

	if (!f)
		return -ENODATA;
	while (!found && gzgets(f, line, sizeof(line)))
		found = match_line(line, name, val, len);
	gzclose(f);
	return found ? 0 : -ENOENT;
}
