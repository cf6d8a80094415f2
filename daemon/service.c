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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "builtin.h"
#include "compat.h"
#include "conf.h"
#include "dgram_relay.h"
#include "inherit.h"
#include "addr.h"
#include "listen.h"
#include "oob.h"
#include "log.h"
#include "policy.h"
#include "service.h"
#include "session.h"
#include "spawn.h"
#include "workers.h"

#define ACCEPT_BURST	64
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

static void	listener_cb(evutil_socket_t, short, void *);
static void	service_open(struct service *);

static const char *const reason_names[REFUSE_NREASONS] = {
	"acl", "instances", "max-children", "per-source", "rate",
	"per-source-rate", "reflection", "spawn-failed"
};

const char *
refuse_reason_name(enum refuse_reason r)
{
	return r < REFUSE_NREASONS ? reason_names[r] : "?";
}

void
services_init(struct event_base *b)
{
	base = b;
}

static int
is_process(const struct service *svc)
{
	return svc->conf->type == SVC_EXEC;
}

/* Should the listener be polled right now? */
static int
should_poll(const struct service *svc)
{
	const struct service_conf	*sc = svc->conf;

	return accepting && svc->fd >= 0 && !svc->removed && !sc->disable &&
	    !svc->admin_disabled && !svc->wait_busy && !svc->backoff &&
	    !(sc->instances && svc->running >= sc->instances) &&
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

void
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

void
service_count_refusal(struct service *svc, enum refuse_reason r)
{
	svc->refused[r]++;
}

void
service_handler_started(struct service *svc)
{
	svc->running++;
	svc->accepted++;
	if (is_process(svc) && ++children == (globals ?
	    globals->max_children : 0)) {
		log_notice("max-children (%u) reached: new connections wait "
		    "in the kernel backlog", children);
		services_update_polling();
	} else
		service_update_polling(svc);
}

static void	service_free(struct service *);
static int	wait_failed_fast(const struct service *, int);
static void	wait_handler_failed(struct service *);

void
service_handler_ended(struct service *svc, int status)
{
	int	was_full = full;

	svc->running--;
	svc->last_exit = status;
	if (status != -1)
		children--;
	if (svc->conf->wait) {
		svc->wait_busy = 0;
		if (wait_failed_fast(svc, status))
			wait_handler_failed(svc);
		else
			svc->wait_failures = 0;
	}
	if (svc->removed && svc->running == 0) {
		TAILQ_REMOVE(&services, svc, entry);
		service_free(svc);
	} else
		service_update_polling(svc);
	if (was_full)
		services_update_polling();
}

/* ---- listeners ---- */

static void
service_close_listener(struct service *svc, int unlink_path)
{
	if (svc->ev != NULL)
		event_free(svc->ev);
	svc->ev = NULL;
	svc->polling = 0;
	if (svc->fd >= 0) {
		close(svc->fd);
		/* An inherited socket's path belongs to its manager. */
		if (unlink_path && svc->conf->family == AF_UNIX &&
		    !svc->inherited)
			unlink(((struct sockaddr_un *)&svc->conf->addr)->sun_path);
	}
	svc->fd = -1;
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
	svc->ev = event_new(base, svc->fd, EV_READ | EV_PERSIST, listener_cb,
	    svc);
	event_priority_set(svc->ev, PRIO_DATA);
	svc->polling = 0;
	addr_local(svc->fd, svc->bound_addr, sizeof(svc->bound_addr),
	    &svc->bound_port);
}

/* Bind the service's socket; on failure retry on a timer. */
static void
service_open(struct service *svc)
{
	char	err[256];

	if (svc->conf->disable || svc->fd >= 0)
		return;
	svc->inherited = (svc->fd = inherit_take(svc->conf)) >= 0;
	if (svc->fd == -1 &&
	    (svc->fd = listen_open(svc->conf, err, sizeof(err))) == -1) {
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
	/* An OS-assigned port is news the admin needs; a fixed one is not. */
	if (svc->conf->port == 0 && svc->conf->family != AF_UNIX)
		log_notice("service %s: listening on %s port %d (dynamic)",
		    svc->conf->name, svc->bound_addr, svc->bound_port);
	else
		log_debug("service %s: listening on %s port %d",
		    svc->conf->name, svc->bound_addr, svc->bound_port);
}

/* ---- refusing and starting requests ---- */

/* Send the banner-fail file to a refused client, best effort. */
static void
send_banner(const char *path, int fd)
{
	char	buf[1024];
	ssize_t	n;
	int	bfd;

	if ((bfd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	if ((n = read(bfd, buf, sizeof(buf))) > 0)
		(void)!send(fd, buf, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(bfd);
}

static void
refuse(struct service *svc, int fd, int reason, const struct sockaddr *sa,
    socklen_t len)
{
	service_count_refusal(svc, reason);
	policy_log_refusal(svc, sa, len, reason);
	if (svc->conf->banner_fail != NULL)
		send_banner(svc->conf->banner_fail, fd);
	close(fd);
}

/* Peer variables for the environment of an exec handler. */
static void
fill_peer(struct service *svc, struct session *s, int fd,
    const struct peer_cred *pc, struct spawn_peer *p, char *lport,
    char *laddr, size_t laddrlen, char *rport)
{
	static const char *const protos[] = { "TCP", "UDP", "UNIX" };
	int	port;

	memset(p, 0, sizeof(*p));
	p->proto = protos[svc->conf->proto];
	p->uid = pc ? pc->uid : -1;
	p->gid = pc ? pc->gid : -1;
	p->pid = pc ? pc->pid : -1;
	p->session = s->token[0] ? s->token : NULL;
	if (svc->conf->family == AF_UNIX || s->peer_port < 0)
		return;
	p->remote_addr = s->peer;
	snprintf(rport, 12, "%d", s->peer_port);
	p->remote_port = rport;
	/* A nowait datagram handler's fd is a private pair, not the socket. */
	addr_local(svc->conf->socktype == SOCK_DGRAM ? svc->fd : fd, laddr,
	    laddrlen, &port);
	p->local_addr = laddr;
	snprintf(lport, 12, "%d", port);
	p->local_port = lport;
}

/* Start an exec handler for session s on socket fd; closes fd. */
static int
start_exec(struct service *svc, struct session *s, int fd,
    const struct peer_cred *pc)
{
	struct spawn_req	 r;
	struct spawn_peer	 p;
	char			 err[256], laddr[64], lport[12], rport[12];
	int			 errpipe[2] = { -1, -1 };
	pid_t			 pid;

	session_new_token(s);
	fill_peer(svc, s, fd, pc, &p, lport, laddr, sizeof(laddr), rport);
	if (svc->conf->stderr_mode == STDERR_LOG &&
	    pipe2(errpipe, O_CLOEXEC) == -1)
		log_warn("service %s: stderr pipe", svc->conf->name);
	memset(&r, 0, sizeof(r));
	r.sc = svc->conf;
	r.base_env = svc->base_env;
	r.sock = fd;
	r.systemd = svc->conf->pass_fds == PASSFDS_SYSTEMD;
	r.stderr_fd = errpipe[1];
	r.peer = &p;
	pid = spawn_handler(&r, err, sizeof(err));
	if (errpipe[1] != -1)
		close(errpipe[1]);
	if (pid != -1 && svc->conf->urgent != URGENT_IGNORE)
		oob_handler_started(s, fd, pid);
	if (!svc->conf->wait)
		close(fd);
	if (pid == -1) {
		log_warnx("service %s: cannot start %s for %s: %s",
		    svc->conf->name, svc->conf->server, session_peer_desc(s),
		    err);
		if (errpipe[0] != -1)
			close(errpipe[0]);
		service_count_refusal(svc, REFUSE_SPAWN);
		session_discard(s);
		return -1;
	}
	session_set_pid(s, pid);
	if (errpipe[0] != -1)
		session_capture_stderr(s, errpipe[0]);
	service_handler_started(svc);
	log_request(LOG_INFO, &(struct log_fields){ svc->conf->name, s->peer,
	    s->peer_port, pid, -1, -1 }, "service %s: session S%llu from %s: "
	    "pid %ld", svc->conf->name, (unsigned long long)s->id,
	    session_peer_desc(s), (long)pid);
	if (svc->conf->timeout)
		session_arm_timeout(s, svc->conf->timeout);
	return 0;
}

/* A builtin connection ended on the main loop. */
static void
builtin_done(void *arg)
{
	session_end(arg, -1);
}

static void
start_builtin(struct service *svc, struct session *s, int fd)
{
	if (svc->workers != NULL) {
		if (workers_dispatch(svc->workers, fd, s) == -1) {
			close(fd);
			session_discard(s);
			return;
		}
	} else if ((s->bconn = builtin_stream_start(svc->builtin, base, fd,
	    builtin_done, s)) == NULL) {
		session_discard(s);
		return;
	}
	service_handler_started(svc);
	log_request(LOG_INFO, &(struct log_fields){ svc->conf->name, s->peer,
	    s->peer_port, 0, -1, -1 }, "service %s: session S%llu from %s: "
	    "builtin %s", svc->conf->name, (unsigned long long)s->id,
	    session_peer_desc(s), svc->conf->server);
	if (svc->conf->timeout)
		session_arm_timeout(s, svc->conf->timeout);
}

/* SO_PEERCRED of a unix stream peer. */
static int
get_peer_cred(int fd, struct peer_cred *pc)
{
	struct ucred	uc;
	socklen_t	len = sizeof(uc);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) == -1)
		return -1;
	pc->uid = uc.uid;
	pc->gid = uc.gid;
	pc->pid = uc.pid;
	return 0;
}

/* One accepted connection: check policy, then run its handler. */
static void
handle_connection(struct service *svc, int fd, struct sockaddr *sa,
    socklen_t len)
{
	struct peer_cred	 pc, *pcp = NULL;
	struct session		*s;
	void			*ticket;
	int			 reason;

	if (svc->conf->family == AF_UNIX) {
		len = 0;
		if (get_peer_cred(fd, &pc) == 0)
			pcp = &pc;
	}
	if ((reason = policy_check(svc, sa, len, pcp, &ticket)) != -1) {
		refuse(svc, fd, reason, sa, len);
		return;
	}
	if ((s = session_new(svc, len ? sa : NULL, len)) == NULL) {
		log_warn("service %s: session", svc->conf->name);
		close(fd);
		return;
	}
	s->policy = ticket;
	if (pcp != NULL)
		snprintf(s->peer, sizeof(s->peer), "uid=%ld", pc.uid);
	if (svc->builtin != NULL)
		start_builtin(svc, s, fd);
	else
		start_exec(svc, s, fd, pcp);
}

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

/* nowait stream: accept until the backlog is empty or a limit is hit. */
static void
accept_loop(struct service *svc)
{
	struct sockaddr_storage	ss;
	socklen_t		len;
	int			fd, i, flags = SOCK_CLOEXEC;

	if (svc->builtin != NULL)
		flags |= SOCK_NONBLOCK;
	for (i = 0; i < ACCEPT_BURST && should_poll(svc); i++) {
		len = sizeof(ss);
		fd = accept4(svc->fd, (struct sockaddr *)&ss, &len, flags);
		if (fd >= 0) {
			handle_connection(svc, fd, (struct sockaddr *)&ss, len);
			continue;
		}
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

/* dgram builtin: answer each datagram from the loop. */
static void
dgram_builtin(struct service *svc)
{
	struct sockaddr_storage	ss;
	socklen_t		len;
	char			req[2048], reply[BUILTIN_DGRAM_MAX];
	ssize_t			n;
	size_t			rlen;
	void			*ticket;
	int			i, reason;

	for (i = 0; i < DGRAM_BURST; i++) {
		len = sizeof(ss);
		n = recvfrom(svc->fd, req, sizeof(req), 0,
		    (struct sockaddr *)&ss, &len);
		if (n < 0)
			return;
		if (!policy_udp_source_ok((struct sockaddr *)&ss, len)) {
			service_count_refusal(svc, REFUSE_REFLECT);
			continue;
		}
		if ((reason = policy_check(svc, (struct sockaddr *)&ss, len,
		    NULL, &ticket)) != -1) {
			service_count_refusal(svc, reason);
			continue;
		}
		svc->accepted++;
		rlen = builtin_dgram_reply(svc->builtin, req, (size_t)n, reply,
		    sizeof(reply), time(NULL));
		if (rlen > 0)
			(void)!sendto(svc->fd, reply, rlen, MSG_DONTWAIT,
			    (struct sockaddr *)&ss, len);
	}
}

/*
 * nowait dgram exec: superd reads the datagram, checks it, and starts a
 * handler with the request waiting on a private socket pair; its replies
 * go back through dgram_relay.c.
 */
static void
dgram_exec_one(struct service *svc, const char *req, size_t n,
    struct sockaddr *sa, socklen_t len, void *ticket)
{
	struct session	*s;
	int		 sp[2] = { -1, -1 };

	if ((s = session_new(svc, sa, len)) == NULL) {
		log_warn("service %s: session", svc->conf->name);
		return;
	}
	s->policy = ticket;
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sp) == -1 ||
	    send(sp[0], req, n, MSG_DONTWAIT) == -1) {
		log_warn("service %s: socketpair", svc->conf->name);
		if (sp[0] != -1) {
			close(sp[0]);
			close(sp[1]);
		}
		session_discard(s);
		return;
	}
	if (start_exec(svc, s, sp[1], NULL) == -1) {	/* closes sp[1] */
		close(sp[0]);
		return;
	}
	s->relay = dgram_relay_new(base, svc->fd, s, sp[0]);
}

/*
 * May this datagram's sender start a handler?  0 and a policy ticket if
 * so; -1 (counted and logged) if not.
 */
static int
dgram_admit(struct service *svc, const struct sockaddr *sa, socklen_t len,
    void **ticket)
{
	int	reason;

	if (svc->conf->family != AF_UNIX && !policy_udp_source_ok(sa, len))
		reason = REFUSE_REFLECT;
	else
		reason = policy_check(svc, sa, len, NULL, ticket);
	if (reason == -1)
		return 0;
	service_count_refusal(svc, reason);
	policy_log_refusal(svc, sa, len, reason);
	return -1;
}

static void
dgram_exec(struct service *svc)
{
	static char		req[65536];
	struct sockaddr_storage	ss;
	socklen_t		len;
	ssize_t			n;
	void			*ticket;
	int			i;

	for (i = 0; i < DGRAM_BURST && should_poll(svc); i++) {
		len = sizeof(ss);
		n = recvfrom(svc->fd, req, sizeof(req), 0,
		    (struct sockaddr *)&ss, &len);
		if (n < 0)
			return;
		if (dgram_admit(svc, (struct sockaddr *)&ss, len, &ticket)
		    == -1)
			continue;
		dgram_exec_one(svc, req, (size_t)n, (struct sockaddr *)&ss,
		    len, ticket);
	}
}

/*
 * wait mode: the handler gets the socket itself.  For datagrams superd
 * peeks at the first one to apply the access list and guard against
 * reflection; for stream sockets the handler accepts, so only the
 * handler could check (documented in superd.conf(5)).
 */
static void
wait_spawn(struct service *svc)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = 0;
	struct session		*s;
	char			 c;
	void			*ticket = NULL;

	if (svc->conf->socktype == SOCK_DGRAM) {
		len = sizeof(ss);
		if (recvfrom(svc->fd, &c, 1, MSG_PEEK, (struct sockaddr *)&ss,
		    &len) < 0)
			return;
		if (dgram_admit(svc, (struct sockaddr *)&ss, len, &ticket)
		    == -1) {
			(void)!recv(svc->fd, &c, 1, MSG_DONTWAIT);
			return;
		}
	}
	if ((s = session_new(svc, len ? (struct sockaddr *)&ss : NULL, len))
	    == NULL)
		return;
	s->policy = ticket;
	svc->wait_busy = 1;
	service_update_polling(svc);
	clock_gettime(CLOCK_MONOTONIC, &svc->wait_started);
	if (start_exec(svc, s, svc->fd, NULL) == -1) {
		svc->wait_busy = 0;
		wait_handler_failed(svc);
		service_update_polling(svc);
	}
}

static void
listener_cb(evutil_socket_t fd, short what, void *arg)
{
	struct service	*svc = arg;

	if (svc->conf->wait)
		wait_spawn(svc);
	else if (svc->conf->socktype == SOCK_STREAM)
		accept_loop(svc);
	else if (svc->builtin == NULL)
		dgram_exec(svc);
	else
		dgram_builtin(svc);
}

/* ---- the table and reloads ---- */

/* Per-service state derived from the conf (done once, not per request). */
static void
service_prepare(struct service *svc)
{
	spawn_free_env(svc->base_env);
	svc->base_env = spawn_base_env(svc->conf);
	svc->builtin = svc->conf->type == SVC_BUILTIN ?
	    builtin_find(svc->conf->server) : NULL;
	policy_service_init(svc);
	oob_endpoint_sync(svc);
	if (svc->conf->threads > 0 && svc->workers == NULL)
		svc->workers = workers_new(base, svc->builtin,
		    svc->conf->threads);
}

static struct service *
service_new(struct service_conf *sc)
{
	struct service	*svc;

	if ((svc = calloc(1, sizeof(*svc))) == NULL)
		fatal("calloc");
	svc->conf = sc;
	svc->fd = -1;
	svc->last_exit = -1;
	service_prepare(svc);
	return svc;
}

static void
service_free(struct service *svc)
{
	service_close_listener(svc, 0);
	if (svc->retry_ev != NULL)
		event_free(svc->retry_ev);
	if (svc->backoff_ev != NULL)
		event_free(svc->backoff_ev);
	if (svc->workers != NULL)
		workers_free(svc->workers);
	oob_endpoint_close(svc);
	policy_service_free(svc);
	spawn_free_env(svc->base_env);
	service_conf_free(svc->conf);
	free(svc);
}

/* Give the new conf to an existing service; rebind if the endpoint moved. */
static void
service_update(struct service *svc, struct service_conf *sc)
{
	int	same = service_conf_same_endpoint(svc->conf, sc) &&
	    svc->conf->socktype == sc->socktype;

	if (!same || sc->disable)
		service_close_listener(svc, !same);
	if (svc->conf->threads != sc->threads && svc->workers != NULL)
		log_notice("service %s: a change of threads takes effect "
		    "when superd restarts", sc->name);
	service_conf_free(svc->conf);
	svc->conf = sc;
	service_prepare(svc);
	svc->admin_disabled = 0;
	svc->wait_failures = 0;		/* a new config deserves a new try */
	service_open(svc);
}

/* A service left the config: stop listening; free once handlers end. */
static void
service_retire(struct service *svc)
{
	log_info("service %s: removed", svc->conf->name);
	service_close_listener(svc, 1);
	if (svc->retry_ev != NULL)
		event_del(svc->retry_ev);
	svc->removed = 1;
	if (svc->running == 0) {
		TAILQ_REMOVE(&services, svc, entry);
		service_free(svc);
	}
}

/* A new service may take over the socket of a renamed one. */
static void
steal_listener(struct service *svc, struct service_list *old)
{
	struct service	*o;

	TAILQ_FOREACH(o, old, entry)
		if (o->fd >= 0 && !o->conf->wait && !svc->conf->wait &&
		    service_conf_same_endpoint(o->conf, svc->conf) &&
		    o->conf->port != 0) {
			svc->fd = o->fd;
			o->fd = -1;
			service_close_listener(o, 0);
			service_watch(svc);
			return;
		}
}

void
services_apply(struct superd_conf *conf)
{
	struct service_list	 old = TAILQ_HEAD_INITIALIZER(old);
	struct service		*svc, *next;
	struct service_conf	*sc;

	/* Everything in the table is "old" until the new conf claims it. */
	TAILQ_FOREACH_SAFE(svc, &services, entry, next)
		if (!svc->removed) {
			TAILQ_REMOVE(&services, svc, entry);
			TAILQ_INSERT_TAIL(&old, svc, entry);
		}
	while ((sc = TAILQ_FIRST(&conf->services)) != NULL) {
		TAILQ_REMOVE(&conf->services, sc, entry);
		TAILQ_FOREACH(svc, &old, entry)
			if (svc->conf->proto == sc->proto &&
			    strcmp(svc->conf->name, sc->name) == 0)
				break;
		if (svc != NULL) {
			TAILQ_REMOVE(&old, svc, entry);
			service_update(svc, sc);
		} else {
			svc = service_new(sc);
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
	conf_free(globals);
	globals = conf;
	services_update_polling();
}

void
services_stop_accepting(void)
{
	accepting = 0;
	services_update_polling();
}

void
services_shutdown(void)
{
	struct service	*svc;

	while ((svc = TAILQ_FIRST(&services)) != NULL) {
		TAILQ_REMOVE(&services, svc, entry);
		service_close_listener(svc, 1);
		if (svc->running == 0)
			service_free(svc);
	}
	conf_free(globals);
	globals = NULL;
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
	return svc->polling || svc->wait_busy ? "listening" : "paused";
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
	i->address = svc->fd >= 0 ? svc->bound_addr : sc->address;
	i->port = sc->family == AF_UNIX ? -1 : svc->fd >= 0 ?
	    svc->bound_port : sc->port;
	i->dynamic = sc->port == 0;
	i->state = service_state(svc);
	i->running = svc->running;
	i->accepted = svc->accepted;
	for (r = 0; r < REFUSE_NREASONS; r++) {
		i->refused[r] = svc->refused[r];
		i->refused_total += svc->refused[r];
	}
	i->last_exit = svc->last_exit;
	i->oob_port = oob_endpoint_port(svc);
	i->oob_dynamic = svc->conf->oob_port == 0;
	i->sources = policy_sources(svc);
	i->export = svc->conf->export;
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
		t->running += svc->running;
		t->accepted += svc->accepted;
		for (r = 0; r < REFUSE_NREASONS; r++)
			t->refused += svc->refused[r];
	}
}

/* Is sa one of our own bound UDP endpoints (reflection loops)? */
int	service_is_own_udp(const struct sockaddr *, socklen_t);

int
service_is_own_udp(const struct sockaddr *sa, socklen_t len)
{
	struct service	*svc;
	char		 host[64];
	int		 port;

	sockaddr_format(sa, len, host, sizeof(host), &port);
	TAILQ_FOREACH(svc, &services, entry)
		if (svc->fd >= 0 && svc->conf->proto == PROTO_UDP &&
		    svc->bound_port == port)
			return 1;
	return 0;
}
