/*
 * redirect.h: redirect = "HOST PORT", a TCP forwarder on the loop.
 *
 * xinetd's redirect without a process: the accepted connection is
 * joined to a new connection to the backend with two bufferevents.  Each
 * direction holds at most REDIRECT_BUF_MAX bytes; above that superd
 * stops reading the fast side until the slow one has taken half (the
 * kernel's windows push back on the sender).  An EOF from one side
 * becomes a shutdown(SHUT_WR) towards the other once what came before it
 * is written, so half-closed protocols work both ways; the forwarder ends
 * when both directions are closed, or at the first error.
 *
 * The caller admits the connection before calling redirect_start, so a
 * refused client never causes a connection to the backend.
 */
#ifndef SUPERD_REDIRECT_H
#define SUPERD_REDIRECT_H

#include <sys/types.h>
#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>

#define REDIRECT_BUF_MAX	(256 * 1024)	/* queued per direction */
#define REDIRECT_CONNECT_SEC	10		/* to reach the backend */

struct event_base;
struct redirect;

struct redirect_counts {
	uint64_t	from_client;	/* bytes forwarded to the backend */
	uint64_t	from_backend;	/* bytes forwarded to the client */
};

/*
 * The forwarder ended: why is "" after a clean close both ways, else
 * what went wrong.  Called from the loop, never from redirect_start; the
 * forwarder is freed (both sockets closed) before.
 */
typedef void	(*redirect_done_fn)(void *arg, const struct redirect_counts *,
		    const char *why);

/*
 * Forward connection fd (non-blocking, taken over: closed on every
 * path) to the backend at to.  The handle, or NULL with the reason in
 * err (done is then never called).
 */
struct redirect	*redirect_start(struct event_base *, int fd,
		    const struct sockaddr *to, socklen_t tolen,
		    redirect_done_fn, void *arg, char *err, size_t errlen);
/* End it now (timeout, interrupt); done follows from the loop. */
void		 redirect_abort(struct redirect *, const char *why);

#endif
