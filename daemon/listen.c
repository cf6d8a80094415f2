/*
 * listen.c: sockets for services: TCP, UDP, UNIX; v4, v6, dual stack.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "addr.h"
#include "listen.h"
#include "sockopt.h"
#include "sockpool.h"
#include "sockperm.h"

#define LERR(...)	(snprintf(err, errlen, __VA_ARGS__), -1)

/* A unix socket file left behind by an earlier run is replaced. */
static int
unix_prepare(const struct service_conf *sc, char *err, size_t errlen)
{
	const struct sockaddr_un	*su = (const void *)&sc->addr;
	struct stat			 st;

	if (lstat(su->sun_path, &st) == -1)
		return 0;
	if (!S_ISSOCK(st.st_mode))
		return LERR("%s exists and is not a socket", su->sun_path);
	if (unlink(su->sun_path) == -1)
		return LERR("unlink stale %s: %s", su->sun_path,
		    strerror(errno));
	return 0;
}

/*
 * Owner and mode of a unix socket file, as configured; no socket-owner or
 * socket-group means ours, so that a reload dropping them takes effect.
 * Never by path: see sockperm.c.
 */
int
listen_unix_perms(int fd, const struct service_conf *sc, char *err,
    size_t errlen)
{
	const struct sockaddr_un	*su = (const void *)&sc->addr;

	return sockperm_apply(fd, su->sun_path, sc->sock_uid == (uid_t)-1 ?
	    geteuid() : sc->sock_uid, sc->sock_gid == (gid_t)-1 ? getegid() :
	    sc->sock_gid, sc->sock_mode, NULL, err, errlen);
}

/* bind(2); a unix socket file is born with its configured mode. */
static int
bind_for(int fd, const struct service_conf *sc,
    const struct sockaddr_storage *ss, socklen_t len)
{
	if (sc->family == AF_UNIX)
		return sockperm_bind(fd, (const struct sockaddr *)ss, len,
		    sc->sock_mode);
	return bind(fd, (const struct sockaddr *)ss, len);
}

/*
 * Socket options before bind: ours, then the service's (sockopt.c), all
 * of them now since some count at bind (reuse-port, freebind, ...).
 */
static int
set_options(int fd, const struct service_conf *sc, char *err, size_t errlen)
{
	int	one = 1, v6only = !sc->dualstack;

	if (sc->family == AF_UNIX)
		return sockopt_apply(fd, &sc->sockopts, err, errlen);
	/* Rebind at once after a restart despite TIME_WAIT connections. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1)
		return LERR("SO_REUSEADDR: %s", strerror(errno));
	if (sc->family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &v6only, sizeof(v6only)) == -1)
		return LERR("IPV6_V6ONLY: %s", strerror(errno));
	return sockopt_apply(fd, &sc->sockopts, err, errlen);
}

/* "*" on a host without IPv6: fall back to 0.0.0.0. */
static int
socket_for(const struct service_conf *sc, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	int			 fd, flags = SOCK_CLOEXEC | SOCK_NONBLOCK;

	memcpy(ss, &sc->addr, sc->addrlen);
	*len = sc->addrlen;
	fd = socket(sc->family, sc->socktype | flags, 0);
	if (fd != -1 || !sc->dualstack || errno != EAFNOSUPPORT)
		return fd;
	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)sc->port);
	*len = sizeof(*sin);
	return socket(AF_INET, sc->socktype | flags, 0);
}

/* Set the port of an inet address. */
static void
set_port(struct sockaddr_storage *ss, int port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
	else if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
}

/*
 * bind(2), on port first when the service's port is dynamic: the port a
 * client found before a restart, kept if it is free.  An unbound socket
 * may try bind again.
 */
static int
bind_prefer(int fd, const struct service_conf *sc,
    struct sockaddr_storage *ss, socklen_t len, int port)
{
	if (sc->family == AF_UNIX || sc->port != 0 || port <= 0)
		return bind_for(fd, sc, ss, len);
	set_port(ss, port);
	if (bind_for(fd, sc, ss, len) == 0)
		return 0;
	set_port(ss, 0);
	return bind_for(fd, sc, ss, len);
}

int
listen_open(const struct service_conf *sc, char *err, size_t errlen)
{
	return listen_open_port(sc, 0, err, errlen);
}

int
listen_open_port(const struct service_conf *sc, int port, char *err,
    size_t errlen)
{
	const struct sockaddr_un	*su = (const void *)&sc->addr;
	struct sockaddr_storage		 ss;
	socklen_t			 len;
	int				 fd, bound = 0;

	/* Handed over by an upgrade (an OOB endpoint): still bound. */
	if ((fd = sockpool_take(sc->socktype, (const struct sockaddr *)
	    &sc->addr, sizeof(sc->addr))) >= 0)
		return fd;
	if (sc->family == AF_UNIX && unix_prepare(sc, err, errlen) == -1)
		return -1;
	if ((fd = socket_for(sc, &ss, &len)) == -1)
		return LERR("socket: %s", strerror(errno));
	if (set_options(fd, sc, err, errlen) == -1)
		goto fail;
	if (bind_prefer(fd, sc, &ss, len, port) == -1) {
		if (sc->family == AF_UNIX)
			(void)LERR("bind %s: %s", sc->address, strerror(errno));
		else
			(void)LERR("bind %s port %d/%s: %s", sc->address, sc->port,
			    conf_proto_name(sc->proto), strerror(errno));
		goto fail;
	}
	bound = 1;
	if (sc->family == AF_UNIX &&
	    listen_unix_perms(fd, sc, err, errlen) == -1)
		goto fail;
	if (sc->socktype == SOCK_STREAM && listen(fd, sc->backlog) == -1) {
		(void)LERR("listen: %s", strerror(errno));
		goto fail;
	}
	return fd;
fail:
	/* Our own socket file only: the path may lead elsewhere by now. */
	if (bound && sc->family == AF_UNIX)
		(void)sockperm_unlink(fd, su->sun_path);
	close(fd);
	return -1;
}
