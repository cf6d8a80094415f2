/*
 * rundir.c: superd's runtime directory (see rundir.h).
 *
 * The default does not follow the install prefix: a superd built with
 * "./configure" alone would otherwise put its sockets under
 * /usr/local/var/run, which nothing creates and which clients built
 * elsewhere would not look in.  Root gets /run/superd; any other user a
 * directory of their own, so the example configuration runs unchanged.
 */
#include "config.h"

#include <sys/stat.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rundir.h"

static int	tmp_path(char *, size_t);
static int	is_tmp(const char *);
static int	mkdir_parents(const char *, char *, size_t);

/* /tmp/superd-UID: the last resort of a user without XDG_RUNTIME_DIR. */
static int
tmp_path(char *buf, size_t len)
{
	int	n;

	n = snprintf(buf, len, "/tmp/superd-%lu", (unsigned long)geteuid());
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* Is dir this user's /tmp fallback (which others could have made)? */
static int
is_tmp(const char *dir)
{
	char	tmp[64];

	return tmp_path(tmp, sizeof(tmp)) == 0 && strcmp(dir, tmp) == 0;
}

int
rundir_path(char *buf, size_t len)
{
	const char	*xdg = getenv("XDG_RUNTIME_DIR");
	int		 n;

	if (geteuid() == 0)
		n = snprintf(buf, len, "%s", RUNDIR_SYSTEM);
	/* The XDG spec: a relative value is to be ignored. */
	else if (xdg != NULL && xdg[0] == '/')
		n = snprintf(buf, len, "%s/superd", xdg);
	else
		return tmp_path(buf, len);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

char *
rundir_socket(const char *name)
{
	char	 dir[4096];
	char	*path;

	if (rundir_path(dir, sizeof(dir)) == -1 ||
	    asprintf(&path, "%s/%s", dir, name) == -1)
		return NULL;
	return path;
}

int
rundir_client_socket(const char *name, char *buf, size_t len)
{
	char		dir[4096], err[8];
	struct stat	sb;
	int		n;

	if (rundir_path(dir, sizeof(dir)) == -1)
		return -1;
	n = snprintf(buf, len, "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= len)
		return -1;
	if (geteuid() == 0)
		return 0;
	/* A socket in a /tmp directory someone else made is never used. */
	if (lstat(buf, &sb) == 0 && rundir_check(dir, err, sizeof(err)) == 0)
		return 0;
	n = snprintf(buf, len, "%s/%s", RUNDIR_SYSTEM, name);
	if (n < 0 || (size_t)n >= len)
		return -1;
	if (lstat(buf, &sb) == 0 || rundir_check(dir, err, sizeof(err)) != 0)
		return 0;
	/* Neither is there: name the one this user's superd would make. */
	n = snprintf(buf, len, "%s/%s", dir, name);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
rundir_check(const char *dir, char *err, size_t errlen)
{
	struct stat	sb;

	if (!is_tmp(dir))
		return 0;
	if (lstat(dir, &sb) == -1) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (S_ISLNK(sb.st_mode) || !S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "%s is a symlink or not a directory: "
		    "refused", dir);
		return -2;
	}
	if (sb.st_uid != geteuid()) {
		snprintf(err, errlen, "%s belongs to uid %lu, not to uid %lu: "
		    "refused", dir, (unsigned long)sb.st_uid,
		    (unsigned long)geteuid());
		return -2;
	}
	return 0;
}

/* mkdir -p dir, 0755 each; the last one is chmod'ed so umask cannot hide it. */
static int
mkdir_parents(const char *dir, char *err, size_t errlen)
{
	char		 path[4096], *p;
	struct stat	 sb;

	if (stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode))
		return 0;
	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path)) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	for (p = path + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) == -1 && errno != EEXIST) {
			snprintf(err, errlen, "cannot create %s: %s", path,
			    strerror(errno));
			return -1;
		}
		if (strcmp(path, dir) == 0)
			break;
		*p = '/';
	}
	if (stat(dir, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "%s: not a directory", dir);
		return -1;
	}
	if ((sb.st_mode & 0777) != 0755 && sb.st_uid == geteuid() &&
	    chmod(dir, 0755) == -1) {
		snprintf(err, errlen, "chmod %s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

int
rundir_create(const char *dir, char *err, size_t errlen)
{
	int	r;

	if (!is_tmp(dir))
		return mkdir_parents(dir, err, errlen);
	/* mkdir first: in sticky /tmp, a directory we made stays ours. */
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	if ((r = rundir_check(dir, err, errlen)) != 0)
		return r;
	if (chmod(dir, 0700) == -1) {
		snprintf(err, errlen, "chmod %s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

int
rundir_prepare(const char *const *paths, size_t n, char *err, size_t errlen)
{
	char	dir[4096];
	size_t	i, dl;

	if (rundir_path(dir, sizeof(dir)) == -1) {
		snprintf(err, errlen, "runtime directory: path too long");
		return -1;
	}
	dl = strlen(dir);
	for (i = 0; i < n; i++)
		if (paths[i] != NULL && strncmp(paths[i], dir, dl) == 0 &&
		    paths[i][dl] == '/')
			return rundir_create(dir, err, errlen);
	return 0;
}
