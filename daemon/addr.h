/*
 * addr.h: socket address helpers shared by listeners, policy and the
 * line server (pure: no state, no I/O but getsockname).
 */
#ifndef SUPERD_ADDR_H
#define SUPERD_ADDR_H

#include <sys/socket.h>
#include <sys/types.h>
#include <stddef.h>

/* Numeric host and port of a sockaddr (v4-mapped v6 shown as v4). */
void	sockaddr_format(const struct sockaddr *, socklen_t, char *host,
	    size_t hostlen, int *port);
/* Where fd is bound: numeric address and port (port -1 for unix). */
void	addr_local(int fd, char *addr, size_t addrlen, int *port);
/* The raw address bytes of an inet sockaddr (v4-mapped v6 as v4). */
const unsigned char *addr_bytes(const struct sockaddr *, int *family);
/* "addr:port" or "[v6]:port" into buf; returns buf. */
const char *addr_desc(const char *host, int port, char *buf, size_t len);

#endif
