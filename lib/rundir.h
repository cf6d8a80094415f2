/*
 * rundir.h: superd's runtime directory, where its sockets live by
 * default.  Shared by the daemon (which creates it) and the clients
 * (which look for the sockets in it).  Not installed.
 *
 *	root				/run/superd
 *	another user			$XDG_RUNTIME_DIR/superd
 *	another user, no XDG_RUNTIME_DIR	/tmp/superd-UID (0700, checked)
 */
#ifndef SUPERD_RUNDIR_H
#define SUPERD_RUNDIR_H

#include <stddef.h>

/* The system-wide runtime directory, whatever the install prefix. */
#define RUNDIR_SYSTEM		"/run/superd"
/* Where the control and directory sockets are, by default, in it. */
#define RUNDIR_CONTROL		"control.sock"
#define RUNDIR_DIRECTORY	"directory.sock"

/* The runtime directory of a superd run by this user, into buf.  0 / -1. */
int	 rundir_path(char *buf, size_t len);
/* name in this user's runtime directory, malloc'd, or NULL. */
char	*rundir_socket(const char *name);
/*
 * Where a client looks for name when nothing names it: in this user's
 * runtime directory if a socket is there, else in RUNDIR_SYSTEM if one
 * is there (a system superd), else this user's.  0 / -1.
 */
int	 rundir_client_socket(const char *name, char *buf, size_t len);
/*
 * Create the runtime directory dir with its parents (0755) if it is
 * missing; the /tmp fallback is made 0700 and must be a directory this
 * user owns, not a symlink.  0; -1 (cannot create) or -2 (refused: a
 * /tmp fallback that is not ours) with the reason in err.
 */
int	 rundir_create(const char *dir, char *err, size_t errlen);
/*
 * May this user trust dir?  The /tmp fallback only if it owns it.  0; -1
 * (cannot stat) or -2 (refused), with the reason in err.
 */
int	 rundir_check(const char *dir, char *err, size_t errlen);
/*
 * Create this user's runtime directory if one of the paths (NULL or ""
 * entries are skipped) lies in it.  As rundir_create().
 */
int	 rundir_prepare(const char *const *paths, size_t n, char *err,
	    size_t errlen);

#endif /* SUPERD_RUNDIR_H */
