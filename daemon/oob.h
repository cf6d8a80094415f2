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
 *   keeps watching its copy of the accepted socket for urgent data
 *   (urgent.c) and signals the handler, as telnet's Interrupt Process
 *   does; or (urgent = pass) it makes the handler the socket's owner so
 *   the handler gets SIGURG itself (request.c).
 */
#ifndef SUPERD_OOB_H
#define SUPERD_OOB_H

struct event_base;
struct oob_endpoint;
struct request_target;

/* The line server's limits for every OOB endpoint (config keys). */
struct oob_limits {
	unsigned	line_ms;	/* oob-line-timeout */
	unsigned	max_per_peer;	/* line-max-per-peer */
};

void	oob_init(struct event_base *);
/* New limits; open endpoints take them at the next sync. */
void	oob_set_limits(const struct oob_limits *);

/*
 * Make a service's OOB endpoint match rt->conf: keep ep (same address
 * and configured port: a dynamic port survives reloads), replace it, or
 * close it.  Returns the endpoint to keep (NULL: none).
 */
struct oob_endpoint *oob_endpoint_sync(struct oob_endpoint *,
	    struct request_target *);
void	oob_endpoint_close(struct oob_endpoint *);
/* The bound port, or -1 when there is no endpoint. */
int	oob_endpoint_port(const struct oob_endpoint *);

#endif
