/*
 * tcpmux.h: the tcpmux port (RFC 1078) and the services it reaches.
 *
 * A service with tcpmux = yes or plus is registered here by name; the
 * service "type = builtin, server = tcpmux" is the port where clients
 * ask for them.  The name line is read by the one line server
 * (linesrv.c: deadline, length cap, per-peer caps) and cut by the one
 * tokenizer (proto.c); the connection then takes the named service's
 * one admission path (request.c), so its access rules apply and its
 * handler runs as its own user.  Only registered services can be named:
 * a service that did not ask for tcpmux is unreachable through it
 * (xinetd's CVE-2012-0862).
 */
#ifndef SUPERD_TCPMUX_H
#define SUPERD_TCPMUX_H

struct event_base;
struct request_target;
struct tcpmux;

/*
 * Why a registered service cannot take a connection now ("service
 * disabled"), or NULL when it can; given by the service table.
 */
typedef const char *(*tcpmux_busy_fn)(const struct request_target *);

void	tcpmux_init(struct event_base *, tcpmux_busy_fn);
/* The name line's deadline and the per-peer cap (line-* keys). */
void	tcpmux_set_limits(unsigned line_ms, unsigned max_per_peer);

/*
 * Make a service's tcpmux state match rt->conf: registered by name (or
 * not), and the tcpmux port open (kept when its address is unchanged)
 * for the tcpmux builtin.  Returns the state to keep (NULL: none).
 */
struct tcpmux	*tcpmux_sync(struct tcpmux *, struct request_target *);
/* The service is retired or freed: unregister it, close its port. */
void		 tcpmux_forget(struct tcpmux *);
/* The bound tcpmux port, or -1. */
int		 tcpmux_port(const struct tcpmux *);

#endif
