/*
 * service.h: the runtime table of services (state, counters, listener).
 *
 * Side channels (directory, control, notify) read the table through
 * service_foreach_info() and steer it through the few calls below; they
 * never touch struct service directly.
 */
#ifndef SUPERD_SERVICE_H
#define SUPERD_SERVICE_H

#include <sys/types.h>
#include <stdint.h>
#include <sys/socket.h>
#include <stdio.h>
#include <time.h>

struct event_base;
struct superd_conf;

#include "policy.h"		/* enum refuse_reason */

/* A read-only snapshot of one service, for the directory and control. */
struct service_info {
	const char	*name;
	const char	*proto;		/* "tcp", "udp", "unix" */
	const char	*socktype;	/* "stream", "dgram" */
	const char	*mode;		/* "nowait", "wait", "builtin", "thread" */
	const char	*address;	/* bound address ("127.0.0.1", "::", path) */
	int		 port;		/* bound port (the real one when dynamic); -1 unix */
	int		 dynamic;	/* configured with port = 0 */
	const char	*state;		/* "listening", "paused", "disabled", "failed" */
	unsigned	 running;	/* handlers now */
	uint64_t	 accepted;
	uint64_t	 refused[REFUSE_NREASONS];
	uint64_t	 refused_total;
	int		 last_exit;	/* wait status of the last handler, -1 none */
	int		 oob_port;	/* bound OOB port, -1 none */
	int		 oob_dynamic;	/* configured with oob-port = 0 */
	size_t		 sources;	/* in the per-source table */
	int		 export;	/* export = yes (DNS-SD) */
	unsigned long	 rpc_prog;	/* type = rpc: program, 0 none */
	unsigned long	 rpc_vlo, rpc_vhi;	/* ... and its versions */
	int		 rpc_registered;	/* rpcbind has it */
};

typedef void (*service_info_cb)(const struct service_info *, void *arg);
void	 service_foreach_info(service_info_cb, void *arg);
/* Fill *out for the service called name (and proto if not NULL). 0 / -1. */
int	 service_get_info(const char *name, const char *proto,
	    struct service_info *out);

/* Operator steering: stop/resume accepting without closing the socket. */
int	 service_admin_disable(const char *name);
int	 service_admin_enable(const char *name);

/* Totals for status lines. */
struct service_totals {
	unsigned	 services;
	unsigned	 running;
	uint64_t	 accepted;
	uint64_t	 refused;
};
void	 service_totals(struct service_totals *);

/* ---- Below: the core's own view (superd.c). ---- */

#include <sys/queue.h>
#include <event2/event.h>

#include "request.h"
#include "statefile.h"		/* struct state_bound */

struct service_conf;
struct oob_endpoint;
struct tcpmux;
struct rpcreg;

struct service {
	struct request_target	 rt;		/* lent to its requests */
	struct service_conf	*conf;		/* owned; rt.conf too */
	TAILQ_ENTRY(service)	 entry;
	int			 removed;	/* gone from config, requests left */
	struct event		*ev;
	int			 polling;	/* ev is added */
	int			 failed;	/* bind failed; retry timer runs */
	int			 inherited;	/* fd came from systemd */
	struct event		*retry_ev;
	int			 admin_disabled;
	int			 wait_busy;	/* wait mode: a handler has fd */
	int			 held;		/* ... from before a restart */
	struct state_bound	 held_at;	/* ... its socket (port 0: ?) */
	int			 backoff;	/* paused for a while */
	unsigned		 lone_turns;	/* accept turns that take one */
	struct event		*backoff_ev;
	struct timespec		 wait_started;	/* wait mode: last handler */
	unsigned		 wait_failures;	/* in a row, each fast */
	char			 bound_addr[64];
	int			 bound_port;
	struct oob_endpoint	*oob;		/* oob-port, or NULL */
	struct tcpmux		*tcpmux;	/* tcpmux name / port, or NULL */
	struct rpcreg		*rpc;		/* type = rpc: at rpcbind */
	struct handoff {			/* nowait dgram exec */
		int		 pending;	/* a handler has yet to read */
		uint64_t	 id;		/* that handler's session */
		struct sockaddr_storage from;	/* the datagram handed off */
		socklen_t	 fromlen;
		size_t		 len;
		unsigned char	 head[64];	/* its first bytes */
		struct timespec	 since;
		struct event	*ev;		/* re-check timer */
	}			 handoff;
};

/* Called when the last request ends while draining or stopping. */
typedef void	(*services_idle_fn)(void);

/* Set up the table on base. */
void	 services_init(struct event_base *, services_idle_fn);
/*
 * Apply conf (first load or reload); takes ownership of its services.
 * Everything the new config needs is made first; if any of it cannot
 * be (memory, threads, pipes), nothing changes: -1 and the reason in
 * errs (may be NULL).
 */
int	 services_apply(struct superd_conf *conf, FILE *errs);
/* Stop accepting everywhere (shutdown, drain). */
void	 services_stop_accepting(void);
/* Accept again (an upgrade that paused everything failed). */
void	 services_resume_accepting(void);
/* Close every listener and free the table. */
void	 services_shutdown(void);
unsigned services_running_total(void);
/*
 * After a restart (state file): where a service's socket comes from
 * during the first services_apply.  held: a wait handler from before
 * holds it (do not bind; stay paused).  take_fd: a socket handed over
 * by the previous binary, or -1.
 */
struct service_startup {
	/* ... and at: where that handler's socket is bound (port 0: not
	 * known), which the service lists and registers meanwhile. */
	int	(*held)(const struct service_conf *, struct state_bound *at);
	int	(*take_fd)(const struct service_conf *);
};
void	 services_set_startup(const struct service_startup *);
/* Re-adopt a running request of a record (request_adopt). 0 / -1 + err. */
struct state_req;
struct builtin_state;
int	 service_adopt(const struct state_req *, const struct builtin_state *,
	    int own, char *err, size_t errlen);
/*
 * An upgrade carries the counters over (carry.c): v is accepted, then
 * refused by reason.  0, or -1 for no such service.
 */
int	 service_restore_counts(const char *name, const char *proto,
	    const uint64_t *v, size_t n);
/*
 * Adoption done (and unused sockets closed): forget the startup hooks,
 * bind what no handler holds, and try a failed bind again at once.
 */
void	 services_release_held(void);
/* Every open service socket (the upgrade hands them over). */
typedef void (*service_listener_cb)(const char *name, const char *proto,
	    int fd, void *arg);
void	 service_foreach_listener(service_listener_cb, void *arg);
/*
 * Datagrams handed to nowait UDP handlers and not read yet: the new
 * binary of an upgrade goes on waiting for them to be read, instead of
 * starting a second handler for the same datagram.
 */
struct state_handoff;
typedef void (*service_handoff_cb)(const struct state_handoff *, void *);
void	 service_foreach_handoff(service_handoff_cb, void *arg);
int	 service_restore_handoff(const struct state_handoff *);

/* Is sa one of our own bound UDP endpoints (reflection loops)? */
int	 service_is_own_udp(const struct sockaddr *, socklen_t);

#endif
