/*
 * listen.h: open the listening or bound socket of a service.
 */
#ifndef SUPERD_LISTEN_H
#define SUPERD_LISTEN_H

#include <sys/socket.h>
#include <stddef.h>
#include <sys/types.h>

struct service_conf;

/* Bind (and listen) per sc; returns a CLOEXEC|NONBLOCK fd or -1 + err. */
int	listen_open(const struct service_conf *sc, char *err, size_t errlen);
/*
 * The same; a dynamic (port 0) inet service is bound to port first if
 * port > 0 and it is free, else to a new port.
 */
int	listen_open_port(const struct service_conf *sc, int port, char *err,
	    size_t errlen);
/*
 * Owner, group and mode of the bound unix socket fd's file per sc (unset
 * owner/group: superd's own); the file is reached without following its
 * path, and one that is no longer fd's is left alone with an error.
 */
int	listen_unix_perms(int fd, const struct service_conf *sc, char *err,
	    size_t errlen);
/* Where fd is bound: numeric address and port (port -1 for unix). */
#endif
