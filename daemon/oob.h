/*
 * oob.h: out-of-band interrupts that come from the client's side.
 *
 * Two paths, because TCP urgent data alone is not enough (RFC 6093: one
 * byte at most in practice, middleboxes may clear URG, new protocols
 * should not use it) and a separate endpoint works for any transport:
 *
 * - The OOB endpoint (oob-port): a TCP socket beside the service where a
 *   client sends "CANCEL <token>" or "CANCEL <source-port>" to stop its
 *   own running request (protocol in oob_proto.h).
 * - Urgent data on the connection itself (urgent = interrupt): superd
 *   keeps watching its copy of the accepted socket for urgent data and
 *   signals the handler, as telnet's Interrupt Process does; or
 *   (urgent = pass) it makes the handler the socket's owner so the
 *   handler gets SIGURG itself.
 */
#ifndef SUPERD_OOB_H
#define SUPERD_OOB_H

#include <sys/types.h>

struct event_base;
struct service;
struct session;

/* The line server's limits for every OOB endpoint (config keys). */
struct oob_limits {
	unsigned	line_ms;	/* oob-line-timeout */
	unsigned	max_per_peer;	/* line-max-per-peer */
};

void	oob_init(struct event_base *);
/* New limits; open endpoints take them at the next sync. */
void	oob_set_limits(const struct oob_limits *);
void	oob_shutdown(void);

/*
 * Make the service's OOB endpoint match its conf: open, keep (same
 * address and configured port: a dynamic port survives reloads) or close.
 */
void	oob_endpoint_sync(struct service *);
void	oob_endpoint_close(struct service *);
/* The bound port, or -1 when there is no endpoint. */
int	oob_endpoint_port(const struct service *);

/*
 * A nowait TCP handler was started on connection fd (still open: superd
 * closes its copy after this): apply the service's urgent mode.
 */
void	oob_handler_started(struct session *, int fd, pid_t);
/* The session ends: stop watching its connection. */
void	oob_session_end(struct session *);

#endif
