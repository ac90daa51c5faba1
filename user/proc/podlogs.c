// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/num.h"
#include "proc/podlogs.h"

/* One path component we build a path from: no '/', not "." or "..". */
static bool safe_component(const char *s)
{
	return s && *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

static bool copy_part(char *dst, size_t size, const char *s, size_t n)
{
	if (n == 0 || n >= size)
		return false;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return true;
}

/* "<namespace>_<pod>_<uid>": neither namespace nor pod name holds a '_'. */
static bool split_dir_name(const char *name, const char *uid, struct pod_log *out)
{
	size_t n = strlen(name), ul = strlen(uid);
	const char *first, *last;

	if (n < ul + 4 || strcmp(name + n - ul, uid) || name[n - ul - 1] != '_')
		return false;
	last = name + n - ul - 1;
	first = strchr(name, '_');
	if (first >= last || memchr(first + 1, '_', (size_t)(last - first - 1)))
		return false;
	return copy_part(out->namespace, sizeof(out->namespace), name, (size_t)(first - name)) &&
	       copy_part(out->pod, sizeof(out->pod), first + 1, (size_t)(last - first - 1));
}

static int find_pod_dir(const char *logs, const char *uid, struct pod_log *out, char *dir,
			size_t size)
{
	DIR *d = opendir(logs);
	struct dirent *de;
	int err = -ENOENT;

	if (!d)
		return err_fail(errno, "cannot list %s: %s", logs, strerror(errno));
	while ((de = readdir(d))) {
		if (!split_dir_name(de->d_name, uid, out))
			continue;
		err = snprintf(dir, size, "%s/%s", logs, de->d_name) < (int)size ? 0
										 : -ENAMETOOLONG;
		break;
	}
	closedir(d);
	if (err == -ENOENT)
		err_set("no log directory of pod %s in %s", uid, logs);
	return err;
}

/* "<n>.log" exactly: digits, then ".log". */
static int restart_of(const char *name)
{
	char digits[12];
	size_t n = strspn(name, "0123456789");
	uint32_t v;

	if (n == 0 || n >= sizeof(digits) || strcmp(name + n, ".log"))
		return -1;
	memcpy(digits, name, n);
	digits[n] = '\0';
	return num_parse_u32(digits, 0, INT_MAX, &v) ? -1 : (int)v;
}

static int log_path(char buf[PATH_MAX], const char *dir, int restart)
{
	int n = snprintf(buf, PATH_MAX, "%s/%d.log", dir, restart);

	return n < 0 || n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

static int scan_restarts(const char *dir, struct pod_log *out)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return err_fail(errno, "cannot list %s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		int r = restart_of(de->d_name);

		if (r > out->restart) {
			out->prev_restart = out->restart;
			out->restart = r;
		} else if (r > out->prev_restart && r < out->restart) {
			out->prev_restart = r;
		}
	}
	closedir(d);
	if ((out->restart >= 0 && log_path(out->path, dir, out->restart)) ||
	    (out->prev_restart >= 0 && log_path(out->prev_path, dir, out->prev_restart)))
		return err_fail(ENAMETOOLONG, "log path too long in %s", dir);
	return 0;
}

int pod_logs__find(const char *host_root, const char *pod_uid, const char *container,
		   struct pod_log *out)
{
	char logs[PATH_MAX], dir[PATH_MAX], cdir[PATH_MAX];
	size_t rl = strlen(host_root);
	int err;

	memset(out, 0, sizeof(*out));
	out->restart = out->prev_restart = -1;
	if (!safe_component(pod_uid) || (container && !safe_component(container)))
		return err_fail(EINVAL, "pod uid and container name must be plain names");
	while (rl && host_root[rl - 1] == '/')
		rl--;
	if (snprintf(logs, sizeof(logs), "%.*s/var/log/pods", (int)rl, host_root) >=
	    (int)sizeof(logs))
		return -ENAMETOOLONG;
	err = find_pod_dir(logs, pod_uid, out, dir, sizeof(dir));
	if (err || !container)
		return err;
	if (!copy_part(out->container, sizeof(out->container), container, strlen(container)) ||
	    snprintf(cdir, sizeof(cdir), "%s/%s", dir, container) >= (int)sizeof(cdir))
		return err_fail(ENAMETOOLONG, "container name too long: %s", container);
	return scan_restarts(cdir, out);
}
