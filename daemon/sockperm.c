/*
 * sockperm.c: mode and owner of unix socket files.
 *
 * chown(2) and chmod(2) by path follow whatever is at the path when they
 * run.  A socket in a directory another user can write may be swapped
 * for a symbolic link to any file between bind(2) and chown(2), and
 * superd, as root, would hand that file over.  So the mode is set by the
 * umask at bind time, and the owner through an O_PATH descriptor of the
 * file, after the kernel has confirmed (sock_diag) that the file is the
 * one our socket is bound to.  fchown/fchmod on the socket itself would
 * not do: on Linux they reach the socket's inode, not the file's.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sockperm.h"

#define SERR(...)	(snprintf(err, errlen, __VA_ARGS__), -1)
#define SP_MAX_LINKS	40	/* the kernel's own limit */

/* Where a socket is bound: the kernel's dev_t and the low inode bits. */
struct bound {
	uint32_t	dev;
	uint32_t	ino;
};

int
sockperm_bind(int fd, const struct sockaddr *sa, socklen_t len, mode_t mode)
{
	mode_t	old;
	int	r, saved;

	old = umask(~mode & 0777);
	r = bind(fd, sa, len);
	saved = errno;
	umask(old);
	errno = saved;
	return r;
}

/* Ask sock_diag for the file the unix socket fd is bound to. */
static int
diag_query(int nl, ino_t sock_ino)
{
	struct {
		struct nlmsghdr		nh;
		struct unix_diag_req	req;
	} q;

	memset(&q, 0, sizeof(q));
	q.nh.nlmsg_len = sizeof(q);
	q.nh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	q.nh.nlmsg_flags = NLM_F_REQUEST;
	q.req.sdiag_family = AF_UNIX;
	q.req.udiag_ino = (uint32_t)sock_ino;
	q.req.udiag_show = UDIAG_SHOW_VFS;
	q.req.udiag_cookie[0] = q.req.udiag_cookie[1] = ~0U;
	return send(nl, &q, sizeof(q), 0) == (ssize_t)sizeof(q) ? 0 : -1;
}

/* Find UNIX_DIAG_VFS in the answer. */
static int
diag_parse(const char *buf, ssize_t n, struct bound *b)
{
	const struct nlmsghdr		*nh = (const void *)buf;
	const struct unix_diag_msg	*m;
	const struct unix_diag_vfs	*v;
	const struct rtattr		*a;
	int				 len;

	if (n < (ssize_t)sizeof(*nh) || !NLMSG_OK(nh, (size_t)n))
		return (errno = EPROTO), -1;
	if (nh->nlmsg_type == NLMSG_ERROR) {
		errno = -((const struct nlmsgerr *)NLMSG_DATA(nh))->error;
		return -1;
	}
	m = NLMSG_DATA(nh);
	len = (int)nh->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*m));
	for (a = (const void *)(m + 1); RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == UNIX_DIAG_VFS &&
		    RTA_PAYLOAD(a) >= sizeof(*v)) {
			v = RTA_DATA(a);
			b->dev = v->udiag_vfs_dev;
			b->ino = v->udiag_vfs_ino;
			return 0;
		}
	return (errno = ENOENT), -1;	/* not bound to a path */
}

/* The file the bound unix socket fd lives at, as the kernel knows it. */
static int
bound_file(int fd, struct bound *b)
{
	char		buf[8192];
	struct stat	st;
	ssize_t		n;
	int		nl, saved;

	if (fstat(fd, &st) == -1)
		return -1;
	nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (nl == -1)
		return -1;
	if (diag_query(nl, st.st_ino) == -1 ||
	    (n = recv(nl, buf, sizeof(buf), 0)) == -1 ||
	    diag_parse(buf, n, b) == -1) {
		saved = errno;
		close(nl);
		errno = saved;
		return -1;
	}
	close(nl);
	return 0;
}

/* Is st the file b names?  sock_diag gives the kernel's dev_t encoding. */
static int
same_file(const struct bound *b, const struct stat *st)
{
	return (b->dev >> 20) == major(st->st_dev) &&
	    (b->dev & 0xfffff) == minor(st->st_dev) &&
	    b->ino == (uint32_t)st->st_ino;
}

/*
 * Without sock_diag we cannot tell our socket from another; trust the
 * path only where nobody but root can change what it leads to.
 */
static int
ours_without_diag(const char *path, char *err, size_t errlen)
{
	char	why[512];
	int	diag_errno = errno;

	if (sockperm_check_path(path, (uid_t)-1, why, sizeof(why)) == 0)
		return 0;
	return SERR("cannot verify that %s is our socket (sock_diag: %s) and "
	    "%s", path, strerror(diag_errno), why);
}

/* An O_PATH fd of the socket file at path, if it is fd's own; else -1. */
static int
open_ours(int fd, const char *path, struct stat *st, char *err,
    size_t errlen)
{
	struct bound	b;
	int		pfd;

	pfd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (pfd == -1 && (errno == ENOENT || errno == ENOTDIR))
		return SERR("%s: socket path was replaced", path);
	if (pfd == -1)
		return SERR("%s: %s", path, strerror(errno));
	if (fstat(pfd, st) == -1) {
		(void)SERR("%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISSOCK(st->st_mode)) {
		(void)SERR("%s: socket path was replaced", path);
		goto fail;
	}
	if (bound_file(fd, &b) == -1) {
		if (ours_without_diag(path, err, errlen) == -1)
			goto fail;
	} else if (!same_file(&b, st)) {
		(void)SERR("%s: socket path was replaced", path);
		goto fail;
	}
	return pfd;
fail:
	close(pfd);
	return -1;
}

/* chmod the inode pfd holds: /proc/self/fd/N is the inode, not a path. */
static int
chmod_fd(int pfd, mode_t mode)
{
	char	proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
	return chmod(proc, mode);
}

int
sockperm_apply(int fd, const char *path, uid_t uid, gid_t gid, mode_t mode,
    struct stat *out, char *err, size_t errlen)
{
	struct stat	st;
	int		pfd;

	if ((pfd = open_ours(fd, path, &st, err, errlen)) == -1)
		return -1;
	if (((uid != (uid_t)-1 && uid != st.st_uid) ||
	    (gid != (gid_t)-1 && gid != st.st_gid)) &&
	    fchownat(pfd, "", uid, gid, AT_EMPTY_PATH) == -1) {
		(void)SERR("chown %s: %s", path, strerror(errno));
		goto fail;
	}
	/* chown may clear set-id bits: compare the mode afterwards. */
	if (fstat(pfd, &st) == -1 || ((st.st_mode & 07777) != mode &&
	    (chmod_fd(pfd, mode) == -1 || fstat(pfd, &st) == -1))) {
		(void)SERR("chmod %s: %s", path, strerror(errno));
		goto fail;
	}
	if (out != NULL)
		*out = st;
	close(pfd);
	return 0;
fail:
	close(pfd);
	return -1;
}

int
sockperm_unlink(int fd, const char *path)
{
	char		dir[PATH_MAX], err[16];
	const char	*base;
	struct stat	st;
	int		dfd, r = -1;

	/* Work inside one directory fd, so the name cannot move under us. */
	if ((base = strrchr(path, '/')) == NULL ||
	    (size_t)(base - path) >= sizeof(dir))
		return -1;
	snprintf(dir, sizeof(dir), "%.*s", base == path ? 1 :
	    (int)(base - path), path);
	base++;
	if ((dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISSOCK(st.st_mode)) {
		struct bound	b;

		if (bound_file(fd, &b) == 0 ? same_file(&b, &st) :
		    ours_without_diag(path, err, sizeof(err)) == 0)
			r = unlinkat(dfd, base, 0);
	}
	close(dfd);
	return r;
}

/* ---- the path rule ---- */

int
sockperm_check_dir(const char *dir, const struct stat *st, int parent,
    uid_t owner, char *err, size_t errlen)
{
	char	who[64];

	if (st->st_uid != 0 && st->st_uid != owner)
		return SERR("%s is writable by uid %u (not root or the socket "
		    "owner)", dir, (unsigned)st->st_uid);
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) == 0)
		return 0;
	if (st->st_mode & S_IWOTH)
		snprintf(who, sizeof(who), "every user");
	else
		snprintf(who, sizeof(who), "group %u", (unsigned)st->st_gid);
	if (parent)
		return SERR("%s is writable by %s (the socket's own directory "
		    "must be writable only by root or the socket owner)", dir,
		    who);
	if ((st->st_mode & S_ISVTX) == 0)
		return SERR("%s is writable by %s and has no sticky bit", dir,
		    who);
	return 0;
}

/* Name resolution, checking each directory a name is looked up in. */
struct walk {
	char	dir[PATH_MAX];		/* resolved, free of symlinks */
	char	todo[PATH_MAX];		/* what is left to resolve */
	int	links;
	uid_t	owner;
};

/* Take the next component of w->todo into c; 1 if it is the last. */
static int
walk_pop(struct walk *w, char *c, size_t clen)
{
	char	*p = w->todo, *slash;
	size_t	 n;

	while (*p == '/')
		p++;
	n = (slash = strchr(p, '/')) ? (size_t)(slash - p) : strlen(p);
	snprintf(c, clen, "%.*s", (int)n, p);
	p += n;
	while (*p == '/')
		p++;
	memmove(w->todo, p, strlen(p) + 1);
	return w->todo[0] == '\0';
}

/* Check the directory w->dir, in which the next name is looked up. */
static int
walk_check(struct walk *w, int parent, char *err, size_t errlen)
{
	struct stat	st;

	if (lstat(w->dir, &st) == -1)
		return SERR("%s: %s", w->dir, strerror(errno));
	return sockperm_check_dir(w->dir, &st, parent, w->owner, err, errlen);
}

/* Step from w->dir into the component c (a directory or a symlink). */
static int
walk_step(struct walk *w, const char *c, char *err, size_t errlen)
{
	char		next[sizeof(w->dir)], target[PATH_MAX], rest[PATH_MAX];
	struct stat	st;
	ssize_t		n;

	if (strcmp(c, "..") == 0) {
		char	*s = strrchr(w->dir, '/');

		*(s == w->dir ? s + 1 : s) = '\0';
		return 0;
	}
	if ((size_t)snprintf(next, sizeof(next), "%s/%s", strcmp(w->dir, "/") ?
	    w->dir : "", c) >= sizeof(next))
		return SERR("%s/%s: %s", w->dir, c, strerror(ENAMETOOLONG));
	if (lstat(next, &st) == -1)
		return SERR("%s: %s", next, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		snprintf(w->dir, sizeof(w->dir), "%s", next);
		return 0;
	}
	if (!S_ISLNK(st.st_mode))
		return SERR("%s is not a directory", next);
	if (++w->links > SP_MAX_LINKS)
		return SERR("%s: %s", next, strerror(ELOOP));
	if ((n = readlink(next, target, sizeof(target) - 1)) == -1)
		return SERR("%s: %s", next, strerror(errno));
	target[n] = '\0';
	snprintf(rest, sizeof(rest), "%s", w->todo);
	if ((size_t)snprintf(w->todo, sizeof(w->todo), "%s/%s", target,
	    rest) >= sizeof(w->todo))
		return SERR("%s: %s", next, strerror(ENAMETOOLONG));
	if (target[0] == '/')
		snprintf(w->dir, sizeof(w->dir), "/");
	return 0;
}

int
sockperm_check_path(const char *path, uid_t owner, char *err, size_t errlen)
{
	struct walk	w;
	char		c[NAME_MAX + 1];

	if (path[0] != '/')
		return SERR("%s: not an absolute path", path);
	if (strlen(path) >= sizeof(w.todo))
		return SERR("%s: %s", path, strerror(ENAMETOOLONG));
	snprintf(w.dir, sizeof(w.dir), "/");
	snprintf(w.todo, sizeof(w.todo), "%s", path);
	w.links = 0;
	w.owner = owner;
	for (;;) {
		int	last = walk_pop(&w, c, sizeof(c));

		if (walk_check(&w, last, err, errlen) == -1)
			return -1;
		if (last)
			return 0;
		if (c[0] != '\0' && strcmp(c, ".") != 0 &&
		    walk_step(&w, c, err, errlen) == -1)
			return -1;
	}
}
