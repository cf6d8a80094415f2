/*
 * service.c: the runtime table of services and the accept paths.
 *
 * A service keeps its identity (name, protocol) across reloads; when its
 * endpoint is unchanged the listening socket stays open, so a reload
 * refuses nothing and a dynamic port stays the same.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/uio.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "addr.h"
#include "builtin.h"
#include "clock.h"
#include "compat.h"
#include "conf.h"
#include "inherit.h"
#include "listen.h"
#include "log.h"
#include "oob.h"
#include "policy.h"
#include "request.h"
#include "rpcreg.h"
#include "service.h"
#include "sockopt.h"
#include "sockperm.h"
#include "svcindex.h"
#include "spawn.h"
#include "statefile.h"
#include "tcpmux.h"
#include "workers.h"

#define ACCEPT_BURST	64
#define ACCEPT_LONE	8	/* turns that take one, after an empty probe */
#define DGRAM_BURST	64
#define RETRY_BIND_SEC	10
#define PRIO_DATA	2

TAILQ_HEAD(service_list, service);

static struct event_base	*base;
static struct service_list	 services = TAILQ_HEAD_INITIALIZER(services);
static struct superd_conf	*globals;	/* services moved out */
static unsigned			 children;	/* handler processes */
static int			 accepting = 1;
static int			 full;		/* at max-children */
static services_idle_fn		 idle_fn;
static struct service_startup	 startup;	/* after a restart */

static void	listener_cb(evutil_socket_t, short, void *);
static void	service_open(struct service *);
static void	service_unhold(struct service *, int);
static void	services_update_polling(void);
static void	handoff_drop(struct service *, const char *);
static void	request_started_cb(struct request_target *, int);
static void	request_ended_cb(struct request_target *,
		    const struct request_end *);

static const struct request_hooks hooks = {
	request_started_cb, request_ended_cb
};

static int
is_process(const struct service *svc)
{
	return svc->conf->type == SVC_EXEC && svc->conf->redirect_len == 0;
}

/*
 * Why a service cannot take a connection handed over by tcpmux now:
 * what keeps its own listener from being polled, said to the client
 * instead (a tcpmux client has no backlog to wait in).
 */
static const char *
tcpmux_busy(const struct request_target *rt)
{
	const struct service		*svc = rt->owner;
	const struct service_conf	*sc = svc->conf;

	if (svc->removed || !accepting)
		return "service going away";
	if (sc->disable || svc->admin_disabled)
		return "service disabled";
	if ((sc->instances && rt->running >= sc->instances) ||
	    (full && is_process(svc)))
		return "too many connections, try again later";
	return NULL;
}

void
services_init(struct event_base *b, services_idle_fn fn)
{
	base = b;
	idle_fn = fn;
	requests_init(b, &hooks);
	tcpmux_init(b, tcpmux_busy);
}

/* Should the listener be polled right now? */
static int
should_poll(const struct service *svc)
{
	const struct service_conf	*sc = svc->conf;

	return accepting && svc->rt.fd >= 0 && !svc->removed && !sc->disable &&
	    !svc->admin_disabled && !svc->wait_busy && !svc->backoff &&
	    !svc->handoff.pending &&
	    !(sc->instances && svc->rt.running >= sc->instances) &&
	    !(full && is_process(svc));
}

static void
service_update_polling(struct service *svc)
{
	int	want = should_poll(svc);

	if (svc->ev == NULL || want == svc->polling)
		return;
	if (want)
		event_add(svc->ev, NULL);
	else
		event_del(svc->ev);
	svc->polling = want;
}

static void
services_update_polling(void)
{
	struct service	*svc;

	full = globals && globals->max_children &&
	    children >= globals->max_children;
	TAILQ_FOREACH(svc, &services, entry)
		service_update_polling(svc);
}

unsigned
services_running_total(void)
{
	return children;
}

static void	service_free(struct service *);
static int	wait_failed_fast(const struct service *, int);
static void	wait_handler_failed(struct service *);

static void
request_started_cb(struct request_target *rt, int process)
{
	struct service	*svc = rt->owner;

	if (process && ++children == (globals ? globals->max_children : 0)) {
		log_notice("max-children (%u) reached: new connections wait "
		    "in the kernel backlog", children);
		services_update_polling();
	} else
		service_update_polling(svc);
}

/*
 * A request ended.  What it started under decides (e->wait): a reload
 * may have switched the service between wait and nowait meanwhile, and
 * only a wait-mode handler held the socket.
 */
static void
request_ended_cb(struct request_target *rt, const struct request_end *e)
{
	struct service	*svc = rt->owner;
	int		 was_full = full;

	if (e->process)
		children--;
	/* A handler that exits has read its datagram or never will. */
	if (e->shared && svc->handoff.pending && svc->handoff.id == e->id)
		handoff_drop(svc, "exited");
	if (e->wait) {
		svc->wait_busy = 0;
		if (svc->held) {
			log_notice("service %s: the wait handler from before "
			    "the restart exited; resuming", svc->conf->name);
			service_unhold(svc, 1);
		}
		if (wait_failed_fast(svc, e->status))
			wait_handler_failed(svc);
		else
			svc->wait_failures = 0;
	}
	if (svc->removed && rt->running == 0) {
		TAILQ_REMOVE(&services, svc, entry);
		service_free(svc);
	} else
		service_update_polling(svc);
	if (was_full)
		services_update_polling();
	if (idle_fn != NULL)
		idle_fn();
}

/* ---- listeners ---- */

static void
service_close_listener(struct service *svc, int unlink_path)
{
	if (svc->ev != NULL)
		event_free(svc->ev);
	svc->ev = NULL;
	svc->polling = 0;
	rpcreg_remove(svc->rpc);
	svc->rpc = NULL;
	if (svc->rt.fd >= 0) {
		/* An inherited socket's path belongs to its manager; and
		 * only the very socket file we bound is ours to remove. */
		if (unlink_path && svc->conf->family == AF_UNIX &&
		    !svc->inherited)
			(void)sockperm_unlink(svc->rt.fd,
			    ((struct sockaddr_un *)&svc->conf->addr)->sun_path);
		close(svc->rt.fd);
	}
	svc->rt.fd = -1;
}

static void
retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct service	*svc = arg;

	service_open(svc);
	service_update_polling(svc);
}

/* Register the event for an open fd and note where it is bound. */
static void
service_watch(struct service *svc)
{
	svc->ev = event_new(base, svc->rt.fd, EV_READ | EV_PERSIST,
	    listener_cb, svc);
	event_priority_set(svc->ev, PRIO_DATA);
	svc->polling = 0;
	addr_local(svc->rt.fd, svc->bound_addr, sizeof(svc->bound_addr),
	    &svc->bound_port);
}

/* type = rpc: an open socket is registered with rpcbind (rpcreg.c). */
static void
service_rpc_sync(struct service *svc)
{
	const struct service_conf	*sc = svc->conf;

	if (sc->rpc && svc->rt.fd >= 0 && svc->rpc == NULL)
		svc->rpc = rpcreg_add(sc->name, sc->rpc_prog, sc->rpc_vlo,
		    sc->rpc_vhi, svc->rt.fd);
}

/*
 * type = rpc, held: the old handler's socket is what clients must find,
 * so rpcbind gets its address (recorded in the state file) until then.
 */
static void
service_rpc_held(struct service *svc)
{
	const struct service_conf	*sc = svc->conf;
	const struct state_bound	*b = &svc->held_at;
	struct sockaddr_storage		 ss;
	struct sockaddr_in		*s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6		*s6 = (struct sockaddr_in6 *)&ss;
	socklen_t			 len;

	if (!sc->rpc || svc->rpc != NULL || b->port <= 0)
		return;
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, b->addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)b->port);
		len = sizeof(*s4);
	} else if (inet_pton(AF_INET6, b->addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)b->port);
		len = sizeof(*s6);
	} else
		return;
	svc->rpc = rpcreg_add_addr(sc->name, sc->rpc_prog, sc->rpc_vlo,
	    sc->rpc_vhi, (struct sockaddr *)&ss, len, sc->socktype,
	    b->v6only);
}

/*
 * A wait handler from before a crash holds the socket: binding would
 * fail, and a second handler must not start.  The service stays paused
 * until that handler exits; where the state file says where its socket
 * is bound, the service lists that endpoint (directory, rpcbind).
 */
static int
service_held(struct service *svc)
{
	struct state_bound	at;

	if (svc->held) {
		service_rpc_held(svc);	/* a reload changed the versions */
		return 1;
	}
	memset(&at, 0, sizeof(at));
	if (startup.held == NULL || !startup.held(svc->conf, &at))
		return 0;
	svc->held = 1;
	svc->held_at = at;
	if (at.port > 0)
		log_notice("service %s: its wait handler from before the "
		    "restart still serves %s port %d; listed there, and "
		    "paused until it exits", svc->conf->name, at.addr, at.port);
	else
		log_notice("service %s: paused: its wait handler from before "
		    "the restart still holds the socket", svc->conf->name);
	service_rpc_held(svc);
	return 1;
}

/*
 * The wait handler from before the restart is gone (gone: it exited):
 * bind again, on the port it served if that is free (a dynamic port
 * stays where clients found it), and keep its rpcbind registration
 * where the socket is the same, else register the new one.  A handler
 * that could not be adopted may live on: then not on its port (a UDP
 * socket with SO_REUSEADDR would share it).
 */
static void
service_unhold(struct service *svc, int gone)
{
	const struct state_bound	*b = &svc->held_at;

	svc->held = 0;
	if (!gone)
		svc->held_at.port = 0;
	service_open(svc);
	if (svc->rpc != NULL && (svc->rt.fd < 0 || svc->bound_port !=
	    b->port || strcmp(svc->bound_addr, b->addr) != 0)) {
		rpcreg_remove(svc->rpc);
		svc->rpc = NULL;
		service_rpc_sync(svc);
	}
	memset(&svc->held_at, 0, sizeof(svc->held_at));
}

/* Bind the service's socket; on failure retry on a timer. */
static void
service_open(struct service *svc)
{
	char	err[256];

	/* tcpmux.c owns the tcpmux port; a tcpmux-only service has none. */
	if (svc->conf->disable || svc->conf->no_listener ||
	    svc->conf->tcpmux_server)
		return;
	if (svc->rt.fd >= 0) {
		service_rpc_sync(svc);
		return;
	}
	if (service_held(svc))
		return;
	if (startup.take_fd != NULL &&
	    (svc->rt.fd = startup.take_fd(svc->conf)) >= 0)
		svc->inherited = 0;
	else
		svc->inherited = (svc->rt.fd = inherit_take(svc->conf)) >= 0;
	if (svc->rt.fd == -1 && (svc->rt.fd = listen_open_port(svc->conf,
	    svc->held_at.port, err, sizeof(err))) == -1) {
		if (!svc->failed)
			log_warnx("service %s: %s (retrying every %ds)",
			    svc->conf->name, err, RETRY_BIND_SEC);
		svc->failed = 1;
		if (svc->retry_ev == NULL)
			svc->retry_ev = evtimer_new(base, retry_cb, svc);
		evtimer_add(svc->retry_ev, &((struct timeval){ RETRY_BIND_SEC, 0 }));
		return;
	}
	if (svc->failed)
		log_notice("service %s: bound at last", svc->conf->name);
	svc->failed = 0;
	service_watch(svc);
	service_rpc_sync(svc);
	/* An OS-assigned port is news the admin needs; a fixed one is not. */
	if (svc->conf->port == 0 && svc->conf->family != AF_UNIX)
		log_notice("service %s: listening on %s port %d (dynamic)",
		    svc->conf->name, svc->bound_addr, svc->bound_port);
	else
		log_debug("service %s: listening on %s port %d",
		    svc->conf->name, svc->bound_addr, svc->bound_port);
}

/* ---- taking requests in ---- */

static void
backoff_cb(evutil_socket_t fd, short what, void *arg)
{
	struct service	*svc = arg;

	svc->backoff = 0;
	service_update_polling(svc);
}

/* Stop polling this listener for a while; the kernel holds new requests. */
static void
pause_listener(struct service *svc, unsigned secs)
{
	svc->backoff = 1;
	service_update_polling(svc);
	if (svc->backoff_ev == NULL)
		svc->backoff_ev = evtimer_new(base, backoff_cb, svc);
	evtimer_add(svc->backoff_ev, &((struct timeval){ secs, 0 }));
}

/*
 * Out of file descriptors: stop polling this listener for a second
 * instead of spinning.
 */
static void
accept_backoff(struct service *svc, int err)
{
	log_warnx("service %s: accept: %s; pausing this listener for 1s",
	    svc->conf->name, strerror(err));
	pause_listener(svc, 1);
}

/*
 * A wait-mode handler that fails at once leaves the request it was
 * started for waiting, so it would be started again and again for it.
 * After a few such failures in a row, pause the listener with a doubling
 * delay (inetd's "looping" guard, but the service comes back by itself).
 */
#define WAIT_FAILURES_FREE	4	/* retried at once */
#define WAIT_PAUSE_MAX		64	/* seconds */

static void
wait_handler_failed(struct service *svc)
{
	unsigned	n, secs;

	if (++svc->wait_failures <= WAIT_FAILURES_FREE)
		return;
	n = svc->wait_failures - WAIT_FAILURES_FREE - 1;
	secs = n >= 6 ? WAIT_PAUSE_MAX : 1u << n;
	log_warnx("service %s: wait handler failed %u times in a row; "
	    "pausing this listener for %us", svc->conf->name,
	    svc->wait_failures, secs);
	pause_listener(svc, secs);
}

/* Did this wait handler fail within a second of its start? */
static int
wait_failed_fast(const struct service *svc, int status)
{
	struct timespec	now;
	long long	ms;

	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (now.tv_sec - svc->wait_started.tv_sec) * 1000LL +
	    (now.tv_nsec - svc->wait_started.tv_nsec) / 1000000;
	return ms < 1000;
}

/* The options a listener does not pass on (sockopt.c), on fd. */
static void
accepted_sockopts(struct service *svc, int fd)
{
	char	err[256];

	if (sockopt_apply_accepted(fd, svc->conf->family,
	    &svc->conf->sockopts, err, sizeof(err)) == -1)
		log_warnx("service %s: accepted connection: %s",
		    svc->conf->name, err);
}

/*
 * nowait stream: accept until the backlog is empty or a limit is hit.
 *
 * A lone client's connection wakes the loop by itself, and the accept4
 * after it only says EAGAIN: a system call a connection for nothing
 * (2-3 us on a VM, where system calls are dear; openbsd-inetd takes one
 * connection a wake-up).  So once the second accept of a turn has found
 * the backlog empty, the next ACCEPT_LONE turns take one connection
 * each; a listener with more waiting is still readable and the loop
 * comes back to it at once.  Then a turn probes again: if it finds a
 * second connection, turns take all until a probe comes back empty.
 */
static void
accept_loop(struct service *svc)
{
	struct sockaddr_storage	ss;
	socklen_t		len;
	int			fd, i, flags = SOCK_CLOEXEC;

	if (request_on_loop(&svc->rt))
		flags |= SOCK_NONBLOCK;
	for (i = 0; i < ACCEPT_BURST && should_poll(svc); i++) {
		if (i == 1 && svc->lone_turns > 0) {
			svc->lone_turns--;
			return;
		}
		len = sizeof(ss);
		fd = accept4(svc->rt.fd, (struct sockaddr *)&ss, &len, flags);
		if (fd >= 0) {
			accepted_sockopts(svc, fd);
			request_connection(&svc->rt, fd,
			    (struct sockaddr *)&ss, len);
			continue;
		}
		if (i == 1 && errno == EAGAIN)
			svc->lone_turns = ACCEPT_LONE;
		if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
			continue;
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM)
			accept_backoff(svc, errno);
		else if (errno != EAGAIN)
			log_warn("service %s: accept", svc->conf->name);
		return;
	}
}

/*
 * nowait datagrams for a builtin: each one is a request of its own.
 * They are taken DGRAM_BATCH at a time with recvmmsg: a short batch
 * means the queue is empty, which saves the read that would only say
 * EAGAIN, and a busy socket costs one call per batch, not per datagram.
 * The buffers are whole datagrams (a cut one is lost) but only the
 * pages datagrams reach are ever touched.
 */
#define DGRAM_BATCH	8

static void
dgram_builtin_loop(struct service *svc)
{
	static char			req[DGRAM_BATCH][65536];
	static struct sockaddr_storage	ss[DGRAM_BATCH];
	static struct iovec		iov[DGRAM_BATCH];
	static struct mmsghdr		msgs[DGRAM_BATCH];
	int				i, j, n;

	if (msgs[0].msg_hdr.msg_iov == NULL)
		for (j = 0; j < DGRAM_BATCH; j++) {
			iov[j].iov_base = req[j];
			iov[j].iov_len = sizeof(req[j]);
			msgs[j].msg_hdr.msg_name = &ss[j];
			msgs[j].msg_hdr.msg_iov = &iov[j];
			msgs[j].msg_hdr.msg_iovlen = 1;
		}
	for (i = 0; i < DGRAM_BURST && should_poll(svc); i += n) {
		for (j = 0; j < DGRAM_BATCH; j++)
			msgs[j].msg_hdr.msg_namelen = sizeof(ss[j]);
		n = recvmmsg(svc->rt.fd, msgs, DGRAM_BATCH, MSG_DONTWAIT,
		    NULL);
		if (n <= 0)
			return;
		for (j = 0; j < n; j++)
			request_datagram(&svc->rt, req[j], msgs[j].msg_len,
			    (struct sockaddr *)&ss[j],
			    msgs[j].msg_hdr.msg_namelen);
		if (n < DGRAM_BATCH)
			return;		/* drained */
	}
}

/*
 * A nowait datagram exec service hands its socket to one handler per
 * datagram, with the datagram still queued.  Until that handler has
 * read it, superd does not look at the socket again (else the same
 * datagram would start handler after handler); it checks every
 * HANDOFF_CHECK_MS whether the head of the queue is still that datagram,
 * and a handler that has not read it within HANDOFF_MAX_MS (or that
 * exited) loses it: superd drops it and goes on.
 */
#define HANDOFF_CHECK_MS	5
#define HANDOFF_MAX_MS		2000

/* Peek at the head of the queue: length, sender, first bytes. */
static ssize_t
dgram_peek(int fd, struct sockaddr_storage *ss, socklen_t *len,
    unsigned char *head, size_t headlen)
{
	struct iovec	iov = { head, headlen };
	struct msghdr	msg;
	ssize_t		n;

	memset(&msg, 0, sizeof(msg));
	msg.msg_name = ss;
	msg.msg_namelen = sizeof(*ss);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	n = recvmsg(fd, &msg, MSG_PEEK | MSG_DONTWAIT | MSG_TRUNC);
	*len = msg.msg_namelen;
	return n;
}

/* Is the datagram handed off still waiting at the head of the queue? */
static int
handoff_unread(struct service *svc)
{
	struct handoff		*h = &svc->handoff;
	struct sockaddr_storage	 ss;
	unsigned char		 head[sizeof(h->head)];
	socklen_t		 len;
	ssize_t			 n;

	n = dgram_peek(svc->rt.fd, &ss, &len, head, sizeof(head));
	return n >= 0 && (size_t)n == h->len && len == h->fromlen &&
	    memcmp(&ss, &h->from, len) == 0 &&
	    memcmp(head, h->head, h->len < sizeof(head) ? h->len :
	    sizeof(head)) == 0;
}

static void
handoff_done(struct service *svc)
{
	svc->handoff.pending = 0;
	if (svc->handoff.ev != NULL)
		evtimer_del(svc->handoff.ev);
	service_update_polling(svc);
}

/* Drop the datagram a handler did not take (it would block the rest). */
static void
handoff_drop(struct service *svc, const char *why)
{
	char	c;

	if (handoff_unread(svc)) {
		(void)!recv(svc->rt.fd, &c, 1, MSG_DONTWAIT);
		log_notice("service %s: handler %s without reading its "
		    "datagram; dropped it", svc->conf->name, why);
	}
	handoff_done(svc);
}

static void
handoff_cb(evutil_socket_t fd, short what, void *arg)
{
	struct service	*svc = arg;
	struct timeval	 tv = { 0, HANDOFF_CHECK_MS * 1000 };

	(void)fd;
	(void)what;
	if (!svc->handoff.pending)
		return;
	if (!handoff_unread(svc))
		handoff_done(svc);
	else if (clock_ms_since(&svc->handoff.since) >= HANDOFF_MAX_MS)
		handoff_drop(svc, "took too long");
	else
		evtimer_add(svc->handoff.ev, &tv);
}

static void
handoff_begin(struct service *svc, const struct sockaddr_storage *ss,
    socklen_t len, size_t n, const unsigned char *head)
{
	struct handoff	*h = &svc->handoff;
	struct timeval	 tv = { 0, HANDOFF_CHECK_MS * 1000 };

	if (h->ev == NULL && (h->ev = evtimer_new(base, handoff_cb, svc)) ==
	    NULL) {
		handoff_drop(svc, "cannot be watched");
		return;
	}
	h->pending = 1;
	memcpy(&h->from, ss, sizeof(h->from));
	h->fromlen = len;
	h->len = n;
	memcpy(h->head, head, sizeof(h->head));
	clock_gettime(CLOCK_MONOTONIC, &h->since);
	service_update_polling(svc);
	evtimer_add(h->ev, &tv);
}

/* nowait datagrams for an exec service: one handler per datagram. */
static void
dgram_handoff(struct service *svc)
{
	struct sockaddr_storage	ss;
	unsigned char		head[sizeof(svc->handoff.head)];
	socklen_t		len;
	ssize_t			n;
	uint64_t		id;
	char			c;
	int			i, r;

	for (i = 0; i < DGRAM_BURST && should_poll(svc); i++) {
		memset(head, 0, sizeof(head));
		if ((n = dgram_peek(svc->rt.fd, &ss, &len, head, sizeof(head)))
		    < 0)
			return;
		r = request_datagram_handoff(&svc->rt, (struct sockaddr *)&ss,
		    len, &id);
		if (r == 1) {
			svc->handoff.id = id;
			handoff_begin(svc, &ss, len, (size_t)n, head);
			return;
		}
		/* Refused, or no handler: the datagram goes unanswered. */
		(void)!recv(svc->rt.fd, &c, 1, MSG_DONTWAIT);
	}
}

/* wait mode: the handler gets the socket itself. */
static void
wait_spawn(struct service *svc)
{
	int	r;

	svc->wait_busy = 1;
	clock_gettime(CLOCK_MONOTONIC, &svc->wait_started);
	if ((r = request_wait(&svc->rt)) == 1)
		return;
	svc->wait_busy = 0;
	if (r == -1)
		wait_handler_failed(svc);
	service_update_polling(svc);
}

static void
listener_cb(evutil_socket_t fd, short what, void *arg)
{
	struct service	*svc = arg;

	(void)fd;
	(void)what;
	if (svc->conf->wait)
		wait_spawn(svc);
	else if (svc->conf->socktype == SOCK_STREAM)
		accept_loop(svc);
	else if (svc->rt.builtin != NULL)
		dgram_builtin_loop(svc);
	else
		dgram_handoff(svc);
}

/* ---- the table and reloads ---- */

/*
 * What a service needs made before a reload may commit: everything that
 * can fail (memory, threads, pipes) is made here, off to the side, so a
 * failure leaves the running services as they were.
 */
struct prep {
	struct service_conf	*sc;
	struct service		*svc;		/* the existing one, or NULL */
	struct service		*fresh;		/* a new one, not yet listed */
	char			**env;
	struct workers		*workers;	/* made for this reload */
};

static void
prep_undo(struct prep *p)
{
	spawn_free_env(p->env);
	if (p->workers != NULL)
		workers_free(p->workers);
	if (p->fresh != NULL) {
		policy_free(p->fresh->rt.policy);
		free(p->fresh);
	}
	memset(p, 0, sizeof(*p));
}

static uint64_t
service_key_hash(const char *name, enum svc_proto proto)
{
	return svcindex_hash(svcindex_hash(SVCINDEX_SEED, name,
	    strlen(name)), &proto, sizeof(proto));
}

static int
service_key_eq(const void *item, const void *key)
{
	const struct service		*svc = item;
	const struct service_conf	*sc = key;

	return !svc->removed && svc->conf->proto == sc->proto &&
	    strcmp(svc->conf->name, sc->name) == 0;
}

/* The running services by name and protocol, for one reload (or NULL). */
static struct svcindex *
running_index(void)
{
	struct svcindex	*x;
	struct service	*svc;

	if ((x = svcindex_new()) == NULL)
		return NULL;
	TAILQ_FOREACH(svc, &services, entry)
		if (!svc->removed && svcindex_add(x, service_key_hash(
		    svc->conf->name, svc->conf->proto), svc) == -1) {
			svcindex_free(x);
			return NULL;
		}
	return x;
}

static struct service *
service_find(const struct svcindex *x, const struct service_conf *sc)
{
	struct service	*svc;

	if (x != NULL)
		return svcindex_find(x, service_key_hash(sc->name, sc->proto),
		    service_key_eq, sc);
	TAILQ_FOREACH(svc, &services, entry)
		if (service_key_eq(svc, sc))
			return svc;
	return NULL;
}

/* Make what sc needs; 0, or -1 with the reason in err. */
static int
prep_make(struct prep *p, struct service_conf *sc, const struct svcindex *x,
    char *err, size_t len)
{
	const struct builtin	*b = sc->type == SVC_BUILTIN ?
	    builtin_find(sc->server) : NULL;
	char			 why[200];

	p->sc = sc;
	p->svc = service_find(x, sc);
	if ((p->env = spawn_base_env(sc)) == NULL) {
		snprintf(err, len, "service %s: out of memory", sc->name);
		return -1;
	}
	if (p->svc == NULL && ((p->fresh = calloc(1, sizeof(*p->fresh))) ==
	    NULL || (p->fresh->rt.policy = policy_new(sc)) == NULL)) {
		snprintf(err, len, "service %s: out of memory", sc->name);
		return -1;
	}
	if (p->svc != NULL && policy_reserve(p->svc->rt.policy, sc) == -1) {
		snprintf(err, len, "service %s: out of memory", sc->name);
		return -1;
	}
	if (sc->threads > 0 && (p->svc == NULL || p->svc->rt.workers ==
	    NULL) && (p->workers = workers_new(base, b, sc->threads, why,
	    sizeof(why))) == NULL) {
		snprintf(err, len, "service %s: threads = %u: %s", sc->name,
		    sc->threads, why);
		return -1;
	}
	return 0;
}

/* Per-service state derived from the conf (done once, not per request). */
static void
service_take(struct service *svc, struct prep *p)
{
	struct service_conf	*sc = p->sc;

	if (svc->conf != NULL && svc->conf->threads != sc->threads &&
	    svc->rt.workers != NULL)
		log_notice("service %s: a change of threads takes effect "
		    "when superd restarts", sc->name);
	if (svc->conf != NULL)
		service_conf_free(svc->conf);
	svc->conf = sc;
	svc->rt.conf = sc;
	svc->rt.owner = svc;
	spawn_free_env(svc->rt.base_env);
	svc->rt.base_env = p->env;
	svc->rt.builtin = sc->type == SVC_BUILTIN ? builtin_find(sc->server) :
	    NULL;
	if (p->workers != NULL)
		svc->rt.workers = p->workers;
	(void)policy_update(svc->rt.policy, sc);	/* reserved: no fail */
	svc->oob = oob_endpoint_sync(svc->oob, &svc->rt);
	svc->tcpmux = tcpmux_sync(svc->tcpmux, &svc->rt);
	p->env = NULL;
	p->workers = NULL;
}

static void
service_free(struct service *svc)
{
	service_close_listener(svc, 0);
	if (svc->retry_ev != NULL)
		event_free(svc->retry_ev);
	if (svc->backoff_ev != NULL)
		event_free(svc->backoff_ev);
	if (svc->handoff.ev != NULL)
		event_free(svc->handoff.ev);
	if (svc->rt.workers != NULL)
		workers_free(svc->rt.workers);
	oob_endpoint_close(svc->oob);
	tcpmux_forget(svc->tcpmux);
	request_target_cleanup(&svc->rt);
	policy_free(svc->rt.policy);
	spawn_free_env(svc->rt.base_env);
	service_conf_free(svc->conf);
	free(svc);
}

/*
 * A reload that changes only socket-mode / socket-owner / socket-group
 * of a bound UNIX socket: apply them to the very file we bound (never by
 * path).  On failure the old ones stay, and the log says why.
 */
static void
service_unix_perms(struct service *svc, const struct service_conf *sc)
{
	const struct service_conf	*old = svc->conf;
	char				 err[256];

	if (svc->rt.fd < 0 || svc->inherited || sc->family != AF_UNIX ||
	    (old->sock_mode == sc->sock_mode && old->sock_uid == sc->sock_uid &&
	    old->sock_gid == sc->sock_gid))
		return;
	if (listen_unix_perms(svc->rt.fd, sc, err, sizeof(err)) == -1)
		log_warnx("service %s: %s", sc->name, err);
	else
		log_info("service %s: socket mode and owner updated", sc->name);
}

/*
 * Socket options changed by a reload, on the bound socket: set in place
 * where the kernel allows (sockopt.c); 1 when the socket must be bound
 * anew (an option that counts at bind, or one that cannot be unset).  A
 * socket from the service manager keeps the options its unit gave it.
 */
static int
service_sockopts(struct service *svc, const struct sockopts *old,
    const struct service_conf *sc)
{
	char	err[256];
	int	rc;

	if (svc->rt.fd < 0 || sockopt_equal(old, &sc->sockopts))
		return 0;
	if (svc->inherited) {
		log_notice("service %s: the socket is the service manager's: "
		    "its socket options are not changed", sc->name);
		return 0;
	}
	rc = sockopt_reapply(svc->rt.fd, old, &sc->sockopts, err, sizeof(err));
	if (rc == 0) {
		log_info("service %s: socket options updated", sc->name);
		return 0;
	}
	if (rc == -1)
		log_warnx("service %s: %s", sc->name, err);
	log_info("service %s: socket options changed: binding the socket "
	    "anew", sc->name);
	return 1;
}

/* Give the new conf to an existing service; rebind if the endpoint moved. */
static void
service_update(struct service *svc, struct prep *p)
{
	struct service_conf	*sc = p->sc;
	int			 same = service_conf_same_endpoint(svc->conf,
				    sc) && svc->conf->socktype == sc->socktype;

	/* tcpmux.c binds the tcpmux port itself: the old socket goes. */
	if (!same || sc->disable || sc->tcpmux_server || sc->no_listener)
		service_close_listener(svc, !same);
	else if (service_sockopts(svc, &svc->conf->sockopts, sc) == 1)
		service_close_listener(svc, 1);
	else
		service_unix_perms(svc, sc);
	if (!service_conf_rpc_equal(svc->conf, sc)) {
		rpcreg_remove(svc->rpc);
		svc->rpc = NULL;
	}
	service_take(svc, p);
	svc->admin_disabled = 0;
	svc->wait_failures = 0;		/* a new config deserves a new try */
	service_open(svc);
}

/* A service left the config: stop listening; free once requests end. */
static void
service_retire(struct service *svc)
{
	log_info("service %s: removed", svc->conf->name);
	service_close_listener(svc, 1);
	/* Its name is gone at once, though its requests run on. */
	tcpmux_forget(svc->tcpmux);
	svc->tcpmux = NULL;
	if (svc->retry_ev != NULL)
		event_del(svc->retry_ev);
	svc->removed = 1;
	if (svc->rt.running == 0) {
		TAILQ_REMOVE(&services, svc, entry);
		service_free(svc);
	}
}

/* A new service may take over the socket of a renamed one. */
static void
steal_listener(struct service *svc, struct service_list *old)
{
	struct service	*o;

	/* A disabled copy may share a port: it must not take the socket;
	 * nor may a service whose socket (if any) is tcpmux.c's. */
	if (svc->conf->disable || svc->conf->tcpmux_server ||
	    svc->conf->no_listener)
		return;
	TAILQ_FOREACH(o, old, entry)
		if (o->rt.fd >= 0 && !o->conf->wait && !svc->conf->wait &&
		    service_conf_same_endpoint(o->conf, svc->conf) &&
		    o->conf->port != 0) {
			svc->rt.fd = o->rt.fd;
			o->rt.fd = -1;
			if (service_sockopts(svc, &o->conf->sockopts,
			    svc->conf) == 1) {
				service_close_listener(svc, 1);
				service_close_listener(o, 0);
				return;
			}
			service_close_listener(o, 0);
			service_watch(svc);
			return;
		}
}

/* Prepare every service of conf; -1 (all undone) if one cannot be. */
static int
prep_all(struct superd_conf *conf, struct prep *preps, size_t n, FILE *errs)
{
	struct service_conf	*sc;
	struct svcindex		*x = running_index();
	char			 err[512];
	size_t			 i = 0, j;

	TAILQ_FOREACH(sc, &conf->services, entry) {
		if (prep_make(&preps[i], sc, x, err, sizeof(err)) == -1) {
			log_warnx("%s; keeping the running configuration",
			    err);
			if (errs != NULL)
				fprintf(errs, "%s\n", err);
			for (j = 0; j <= i; j++)
				prep_undo(&preps[j]);
			svcindex_free(x);
			return -1;
		}
		if (++i == n)
			break;
	}
	svcindex_free(x);
	return 0;
}

/* Commit: nothing below can fail (a bind that fails is retried). */
static void
commit_all(struct superd_conf *conf, struct prep *preps, size_t n)
{
	struct service_list	 old = TAILQ_HEAD_INITIALIZER(old);
	struct service		*svc, *next;
	size_t			 i;

	/* Everything in the table is "old" until the new conf claims it. */
	TAILQ_FOREACH_SAFE(svc, &services, entry, next)
		if (!svc->removed) {
			TAILQ_REMOVE(&services, svc, entry);
			TAILQ_INSERT_TAIL(&old, svc, entry);
		}
	TAILQ_INIT(&conf->services);
	for (i = 0; i < n; i++) {
		if ((svc = preps[i].svc) != NULL) {
			TAILQ_REMOVE(&old, svc, entry);
			service_update(svc, &preps[i]);
		} else {
			svc = preps[i].fresh;
			svc->rt.fd = -1;
			svc->rt.last_exit = -1;
			service_take(svc, &preps[i]);
			steal_listener(svc, &old);
			service_open(svc);
		}
		TAILQ_INSERT_TAIL(&services, svc, entry);
	}
	conf->nservices = 0;
	while ((svc = TAILQ_FIRST(&old)) != NULL) {
		TAILQ_REMOVE(&old, svc, entry);
		TAILQ_INSERT_TAIL(&services, svc, entry);
		service_retire(svc);
	}
}

int
services_apply(struct superd_conf *conf, FILE *errs)
{
	struct service_conf	*sc;
	struct prep		*preps;
	size_t			 n = 0;

	TAILQ_FOREACH(sc, &conf->services, entry)
		n++;
	if ((preps = calloc(n ? n : 1, sizeof(*preps))) == NULL) {
		log_warn("reload");
		if (errs != NULL)
			fprintf(errs, "out of memory; keeping the running "
			    "configuration\n");
		return -1;
	}
	if (prep_all(conf, preps, n, errs) == -1) {
		free(preps);
		return -1;
	}
	tcpmux_set_limits(conf->line.line_timeout * 1000,
	    conf->line.max_per_peer);
	commit_all(conf, preps, n);
	free(preps);
	conf_free(globals);
	globals = conf;
	services_update_polling();
	return 0;
}

void
services_stop_accepting(void)
{
	accepting = 0;
	services_update_polling();
}

void
services_resume_accepting(void)
{
	accepting = 1;
	services_update_polling();
}

void
services_shutdown(void)
{
	struct service	*svc;

	while ((svc = TAILQ_FIRST(&services)) != NULL) {
		TAILQ_REMOVE(&services, svc, entry);
		service_close_listener(svc, 1);
		tcpmux_forget(svc->tcpmux);
		svc->tcpmux = NULL;
		if (svc->rt.running == 0)
			service_free(svc);
	}
	conf_free(globals);
	globals = NULL;
}

/* ---- restarts: the state file ---- */

void
services_set_startup(const struct service_startup *s)
{
	if (s != NULL)
		startup = *s;
	else
		memset(&startup, 0, sizeof(startup));
}

/* The live service called name over proto, or NULL. */
static struct service *
service_by_name(const char *name, const char *proto)
{
	struct service	*svc;

	TAILQ_FOREACH(svc, &services, entry)
		if (!svc->removed && strcmp(svc->conf->name, name) == 0 &&
		    strcmp(conf_proto_name(svc->conf->proto), proto) == 0)
			return svc;
	return NULL;
}

int
service_adopt(const struct state_req *q, const struct builtin_state *st,
    int own, char *err, size_t errlen)
{
	struct service	*svc;

	if ((svc = service_by_name(q->service, q->proto)) == NULL) {
		snprintf(err, errlen, "no service %s/%s in the configuration",
		    q->service, q->proto);
		if (q->fd >= 0)
			close(q->fd);
		if (q->ufd >= 0)
			close(q->ufd);
		return -1;
	}
	if (request_adopt(&svc->rt, q, st, own, err, errlen) == -1)
		return -1;
	if (q->kind == STATE_WAIT) {
		svc->wait_busy = 1;
		service_update_polling(svc);
	}
	return 0;
}

int
service_restore_counts(const char *name, const char *proto,
    const uint64_t *v, size_t n)
{
	struct service	*svc;
	size_t		 r;

	if ((svc = service_by_name(name, proto)) == NULL || n == 0)
		return -1;
	svc->rt.accepted = v[0];
	for (r = 0; r < REFUSE_NREASONS && r + 1 < n; r++)
		svc->rt.refused[r] = v[r + 1];
	return 0;
}

void
services_release_held(void)
{
	struct service	*svc;

	services_set_startup(NULL);
	TAILQ_FOREACH(svc, &services, entry)
		if ((svc->held && !svc->wait_busy) || svc->failed) {
			/* failed: a socket handed over under another name
			 * held the address; it is closed by now. */
			if (svc->held)
				service_unhold(svc, 0);
			else
				service_open(svc);
			service_update_polling(svc);
		}
}

void
service_foreach_handoff(service_handoff_cb cb, void *arg)
{
	struct service		*svc;
	struct state_handoff	 h;
	struct handoff		*ho;

	TAILQ_FOREACH(svc, &services, entry) {
		ho = &svc->handoff;
		if (svc->removed || !ho->pending)
			continue;
		memset(&h, 0, sizeof(h));
		snprintf(h.service, sizeof(h.service), "%s", svc->conf->name);
		snprintf(h.proto, sizeof(h.proto), "%s",
		    conf_proto_name(svc->conf->proto));
		h.id = ho->id;
		sockaddr_format((struct sockaddr *)&ho->from, ho->fromlen,
		    h.peer, sizeof(h.peer), &h.port);
		h.len = ho->len;
		memcpy(h.head, ho->head, sizeof(h.head));
		cb(&h, arg);
	}
}

/* The sender of a handed-over datagram as an address; 0 unknown. */
static socklen_t
handoff_peer(const struct state_handoff *h, struct sockaddr_storage *ss)
{
	struct sockaddr_in	*s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (h->port < 0)
		return 0;
	if (inet_pton(AF_INET, h->peer, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)h->port);
		return sizeof(*s4);
	}
	if (inet_pton(AF_INET6, h->peer, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)h->port);
		return sizeof(*s6);
	}
	return 0;
}

int
service_restore_handoff(const struct state_handoff *h)
{
	struct sockaddr_storage	 ss;
	struct service		*svc;
	socklen_t		 len;

	if ((svc = service_by_name(h->service, h->proto)) == NULL ||
	    svc->rt.fd < 0 || (len = handoff_peer(h, &ss)) == 0)
		return -1;
	svc->handoff.id = h->id;
	handoff_begin(svc, &ss, len, h->len, h->head);
	return 0;
}

void
service_foreach_listener(service_listener_cb cb, void *arg)
{
	struct service	*svc;

	TAILQ_FOREACH(svc, &services, entry)
		if (!svc->removed && svc->rt.fd >= 0)
			cb(svc->conf->name, conf_proto_name(svc->conf->proto),
			    svc->rt.fd, arg);
}

/* ---- read/steer API for side channels ---- */

static const char *
service_state(const struct service *svc)
{
	if (svc->conf->disable)
		return "disabled";
	if (svc->admin_disabled)
		return "disabled";
	if (svc->failed)
		return "failed";
	if (!accepting)
		return "draining";
	if (svc->conf->no_listener)
		return "listening";	/* through tcpmux */
	if (svc->conf->tcpmux_server)
		return tcpmux_port(svc->tcpmux) >= 0 ? "listening" : "failed";
	/* A handler from before the restart serves its socket. */
	if (svc->held)
		return svc->held_at.port > 0 ? "listening" : "paused";
	return svc->polling || svc->wait_busy ? "listening" : "paused";
}

/* Where clients find the service: its socket, tcpmux, or as configured. */
static void
service_fill_endpoint(const struct service *svc, struct service_info *i)
{
	const struct service_conf	*sc = svc->conf;

	/* The socket a handler from before the restart still serves. */
	if (svc->held && svc->held_at.port > 0) {
		i->address = svc->held_at.addr;
		i->port = svc->held_at.port;
		return;
	}
	i->address = svc->rt.fd >= 0 ? svc->bound_addr : sc->no_listener ?
	    "tcpmux" : sc->address;
	i->port = sc->family == AF_UNIX ? -1 : svc->rt.fd >= 0 ?
	    svc->bound_port : sc->tcpmux_server && svc->tcpmux != NULL ?
	    tcpmux_port(svc->tcpmux) : sc->port;
}

static void
service_fill_info(const struct service *svc, struct service_info *i)
{
	static const char *const protos[] = { "tcp", "udp", "unix" };
	const struct service_conf	*sc = svc->conf;
	int				 r;

	memset(i, 0, sizeof(*i));
	i->name = sc->name;
	i->proto = protos[sc->proto];
	i->socktype = sc->socktype == SOCK_STREAM ? "stream" : "dgram";
	i->mode = sc->wait ? "wait" : sc->type == SVC_BUILTIN ?
	    (sc->threads ? "thread" : "builtin") : "nowait";
	service_fill_endpoint(svc, i);
	i->dynamic = sc->port == 0;
	i->state = service_state(svc);
	i->running = svc->rt.running;
	i->accepted = svc->rt.accepted;
	for (r = 0; r < REFUSE_NREASONS; r++) {
		i->refused[r] = svc->rt.refused[r];
		i->refused_total += svc->rt.refused[r];
	}
	i->last_exit = svc->rt.last_exit;
	i->oob_port = oob_endpoint_port(svc->oob);
	i->oob_dynamic = svc->conf->oob_port == 0;
	i->sources = policy_sources(svc->rt.policy);
	i->export = svc->conf->export;
	if (sc->rpc) {
		i->rpc_prog = sc->rpc_prog;
		i->rpc_vlo = sc->rpc_vlo;
		i->rpc_vhi = sc->rpc_vhi;
		i->rpc_registered = rpcreg_registered(svc->rpc);
	}
}

void
service_foreach_info(service_info_cb cb, void *arg)
{
	struct service		*svc;
	struct service_info	 i;

	TAILQ_FOREACH(svc, &services, entry)
		if (!svc->removed) {
			service_fill_info(svc, &i);
			cb(&i, arg);
		}
}

int
service_get_info(const char *name, const char *proto, struct service_info *out)
{
	struct service	*svc;

	TAILQ_FOREACH(svc, &services, entry)
		if (!svc->removed && strcmp(svc->conf->name, name) == 0 &&
		    (proto == NULL ||
		    strcmp(conf_proto_name(svc->conf->proto), proto) == 0)) {
			service_fill_info(svc, out);
			return 0;
		}
	return -1;
}

/* Apply fn to every (non-removed) service called name; count them. */
static int
service_set_admin(const char *name, int disabled)
{
	struct service	*svc;
	int		 n = 0;

	TAILQ_FOREACH(svc, &services, entry)
		if (!svc->removed && strcmp(svc->conf->name, name) == 0) {
			svc->admin_disabled = disabled;
			service_update_polling(svc);
			n++;
		}
	return n ? 0 : -1;
}

int
service_admin_disable(const char *name)
{
	return service_set_admin(name, 1);
}

int
service_admin_enable(const char *name)
{
	return service_set_admin(name, 0);
}

void
service_totals(struct service_totals *t)
{
	struct service	*svc;
	int		 r;

	memset(t, 0, sizeof(*t));
	TAILQ_FOREACH(svc, &services, entry) {
		if (!svc->removed)
			t->services++;
		t->running += svc->rt.running;
		t->accepted += svc->rt.accepted;
		for (r = 0; r < REFUSE_NREASONS; r++)
			t->refused += svc->rt.refused[r];
	}
}

int
service_is_own_udp(const struct sockaddr *sa, socklen_t len)
{
	struct service	*svc;
	int		 port;

	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in))
		port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
	else if (sa->sa_family == AF_INET6 &&
	    len >= sizeof(struct sockaddr_in6))
		port = ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	else
		return 0;
	TAILQ_FOREACH(svc, &services, entry)
		if (svc->rt.fd >= 0 && svc->conf->proto == PROTO_UDP &&
		    svc->bound_port == port)
			return 1;
	return 0;
}
