/*
 * sockperm.h: mode and owner of unix socket files, set without following
 * a path someone else could redirect, and the rule for safe socket paths.
 */
#ifndef SUPERD_SOCKPERM_H
#define SUPERD_SOCKPERM_H

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <stddef.h>

/*
 * bind(2) fd to the unix address sa, the socket file created with mode
 * (its permission bits, through the umask) so that it never exists with
 * a wider one.  Returns bind's result; errno is bind's.
 */
int	sockperm_bind(int fd, const struct sockaddr *sa, socklen_t len,
	    mode_t mode);

/*
 * Give the file that the bound socket fd lives at owner uid, group gid
 * ((uid_t)-1 / (gid_t)-1: leave) and mode.  The file is reached without
 * following path: opened O_PATH|O_NOFOLLOW and checked to be the very
 * socket file fd is bound to (the kernel's sock_diag tells which); else
 * "socket path was replaced" and nothing is changed.  Usable right after
 * bind and again on a bound socket (reload).  st, if not NULL, gets the
 * file's stat after the change.  0, or -1 with err set.
 */
int	sockperm_apply(int fd, const char *path, uid_t uid, gid_t gid,
	    mode_t mode, struct stat *st, char *err, size_t errlen);

/*
 * Remove path if it is still the socket file fd is bound to; call before
 * close(fd).  Anything else found there is left alone.  0 removed, -1 not.
 */
int	sockperm_unlink(int fd, const char *path);

/*
 * The socket path rule: every directory looked in while resolving path
 * (each ancestor, and those of symbolic link targets on the way) must be
 * owned by root or owner, and writable by nobody else, except that an
 * ancestor other than the socket's own directory may be writable by
 * others if it has the sticky bit.  owner (uid_t)-1: root only.  0, or -1
 * with err naming the directory and why.
 */
int	sockperm_check_path(const char *path, uid_t owner, char *err,
	    size_t errlen);
/* The rule for one directory dir with stat st; parent: the socket's own. */
int	sockperm_check_dir(const char *dir, const struct stat *st, int parent,
	    uid_t owner, char *err, size_t errlen);

#endif
