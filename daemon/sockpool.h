/*
 * sockpool.h: listening sockets handed over by an upgrade that belong to
 * no service (the control and directory sockets, OOB endpoints, the
 * metrics endpoint).  Whoever would bind an address asks the pool first,
 * so the socket stays open across the upgrade and no connection to it is
 * refused.  A leaf: it knows sockets and addresses, nothing else.
 */
#ifndef SUPERD_SOCKPOOL_H
#define SUPERD_SOCKPOOL_H

#include <sys/socket.h>

/* Keep fd (a bound, listening socket) for a later sockpool_take. */
void	sockpool_add(int fd);
/*
 * The socket of this type bound to exactly sa (a fixed port, or a UNIX
 * path), made close-on-exec and non-blocking, or -1.  Port 0 never
 * matches: a dynamic port is bound anew.
 */
int	sockpool_take(int socktype, const struct sockaddr *, socklen_t);
/* Close what nobody took (the new configuration dropped it). */
void	sockpool_close_rest(void);

#endif
