/*
 * tcpwrap.h: TCP wrappers, the /etc/hosts.allow and /etc/hosts.deny
 * check of hosts_access(5), made through Debian's libwrap.
 *
 * The module only decides; the caller logs and counts a refusal.
 * Call it from the main thread only: libwrap keeps its state in globals.
 */
#ifndef SUPERD_TCPWRAP_H
#define SUPERD_TCPWRAP_H

#include <sys/socket.h>

#include <stddef.h>

/* 1 if superd was built with libwrap, else 0. */
int	tcpwrap_available(void);

/* Load libwrap (once; it is not linked): 0, or -1 with why in err.
 * tcpwrap_allows loads it too; the configuration calls it first to
 * report a missing library where libwrap = yes is set. */
int	tcpwrap_load(char *err, size_t len);

/*
 * 1 if the rules admit a client at peer (AF_INET or AF_INET6) that
 * reached the service at local, 0 if they refuse it.  daemon is the
 * process name the rules' daemon lists match: the handler's argv[0]
 * (only its last path component is used), or the section's name for a
 * builtin.  local may be NULL.  Never resolves a name (see tcpwrap.c).
 * Without libwrap, or for another address family, the answer is 0.
 */
int	tcpwrap_allows(const char *daemon, const struct sockaddr *peer,
	    socklen_t len, const struct sockaddr *local, socklen_t llen);

#endif
