/*
 * oob.c: client-side interrupts: the OOB endpoint and TCP urgent data.
 * See oob.h for why there are two paths.
 */
#include "config.h"

#include <sys/epoll.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "conf.h"
#include "listen.h"
#include "log.h"
#include "oob.h"
#include "oob_proto.h"
#include "policy.h"
#include "ratelimit.h"
#include "service.h"
#include "session.h"

#define OOB_PRIO		0	/* interrupts go before data */
#define OOB_BACKLOG		16
#define OOB_ACCEPT_BURST	16
#define OOB_CONNS_MAX		32	/* open OOB connections per service */
#define OOB_TIMEOUT_SEC		5	/* to send the line */
#define OOB_RATE		20.0	/* requests per second per service */
#define OOB_BURST		40
#define URGENT_EVENTS		16

struct oob_conn;
TAILQ_HEAD(oob_conns, oob_conn);

struct oob_endpoint {
	struct service		*svc;
	int			 fd;
	struct event		*ev;
	int			 port;		/* bound */
	int			 conf_port;	/* configured; 0 = dynamic */
	struct sockaddr_storage	 conf_addr;	/* the service's address */
	struct oob_conns	 conns;
	unsigned		 nconns;
	struct rl_bucket	 bucket;
};

struct oob_conn {
	struct oob_endpoint	*ep;
	struct bufferevent	*bev;
	char			 peer[64];	/* numeric address */
	int			 peer_port;
	int			 closing;	/* reply queued, then close */
	TAILQ_ENTRY(oob_conn)	 entry;
};

/* superd's copy of a handler's connection, watched for urgent data. */
struct oob_watch {
	struct session	*s;
	int		 fd;
};

static struct event_base	*obase;
static int			 urgent_epfd = -1;
static struct event		*urgent_ev;

static double
now_sec(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the OOB endpoint: connections ---- */

static void
conn_free(struct oob_conn *c)
{
	TAILQ_REMOVE(&c->ep->conns, c, entry);
	c->ep->nconns--;
	bufferevent_free(c->bev);
	free(c);
}

/* Queue one reply line; the connection closes once it is written. */
static void
conn_reply(struct oob_conn *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
conn_reply(struct oob_conn *c, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	evbuffer_add_vprintf(bufferevent_get_output(c->bev), fmt, ap);
	va_end(ap);
	evbuffer_add(bufferevent_get_output(c->bev), "\n", 1);
	bufferevent_disable(c->bev, EV_READ);
	c->closing = 1;
}

struct port_match {
	struct service	*svc;
	const char	*addr;
	int		 port;
	struct session	*found;
};

static void
port_match_cb(struct session *s, void *arg)
{
	struct port_match	*m = arg;

	if (m->found == NULL && s->svc == m->svc && s->peer_port == m->port &&
	    strcmp(s->peer, m->addr) == 0)
		m->found = s;
}

/*
 * The session a request names: by token (a capability: any address may
 * present it), or by source port, only from the address that session's
 * client connected from.
 */
static struct session *
conn_find_session(struct oob_conn *c, const struct oob_req *r)
{
	struct port_match	 m = { c->ep->svc, c->peer, r->port, NULL };
	struct session		*s;

	if (r->by_token) {
		s = session_by_token(r->token);
		return s != NULL && s->svc == c->ep->svc ? s : NULL;
	}
	session_foreach(port_match_cb, &m);
	return m.found;
}

static void
conn_handle_line(struct oob_conn *c, const char *line)
{
	struct service	*svc = c->ep->svc;
	struct oob_req	 r;
	struct session	*s;
	char		 err[160], who[128];

	if (oob_parse(line, &r, err, sizeof(err)) == -1) {
		conn_reply(c, "ERR %s", err);
		return;
	}
	if ((s = conn_find_session(c, &r)) == NULL) {
		if (r.by_token)
			conn_reply(c, "ERR ENOENT no running request of %s "
			    "has that token", svc->conf->name);
		else
			conn_reply(c, "ERR ENOENT no running request of %s "
			    "from %s port %d", svc->conf->name, c->peer,
			    r.port);
		return;
	}
	snprintf(who, sizeof(who), "oob client %s port %d (by %s)", c->peer,
	    c->peer_port, r.by_token ? "token" : "source port");
	if (session_interrupt(s, SIGTERM, svc->conf->kill_grace, who) == -1) {
		conn_reply(c, "ERR ESRCH %s", strerror(errno));
		return;
	}
	conn_reply(c, "OK S%llu", (unsigned long long)s->id);
}

/* One request line of n bytes (its newline removed). */
static void
conn_take_line(struct oob_conn *c, const char *line, size_t n)
{
	if (n >= OOB_LINE_MAX)
		conn_reply(c, "ERR E2BIG the line is longer than %d bytes",
		    OOB_LINE_MAX - 1);
	else if (memchr(line, '\0', n) != NULL)
		conn_reply(c, "ERR EINVAL NUL byte in the line");
	else
		conn_handle_line(c, line);
}

static void
conn_read_cb(struct bufferevent *bev, void *arg)
{
	struct oob_conn	*c = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	char		*line;
	size_t		 n;

	if (c->closing)
		return;
	if ((line = evbuffer_readln(in, &n, EVBUFFER_EOL_LF)) != NULL) {
		conn_take_line(c, line, n);
		free(line);
	} else if (evbuffer_get_length(in) >= OOB_LINE_MAX)
		conn_reply(c, "ERR E2BIG the line is longer than %d bytes",
		    OOB_LINE_MAX - 1);
}

static void
conn_write_cb(struct bufferevent *bev, void *arg)
{
	struct oob_conn	*c = arg;

	if (c->closing &&
	    evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		conn_free(c);
}

static void
conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct oob_conn	*c = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	char		 line[OOB_LINE_MAX];
	size_t		 n = evbuffer_get_length(in);

	/*
	 * EOF without a newline: what came, even nothing, is the line.
	 * (The input buffer's end belongs to the bufferevent: take the
	 * bytes out rather than adding a newline.)
	 */
	if ((what & BEV_EVENT_EOF) && !c->closing && n < OOB_LINE_MAX) {
		evbuffer_remove(in, line, n);
		line[n] = '\0';
		conn_take_line(c, line, n);
		return;
	}
	if ((what & BEV_EVENT_TIMEOUT) && !c->closing) {
		conn_reply(c, "ERR ETIMEDOUT no request line within %ds",
		    OOB_TIMEOUT_SEC);
		return;
	}
	conn_free(c);
}

/* Refuse at once, best effort: the client learns why. */
static void
refuse_now(int fd, const char *msg)
{
	(void)!send(fd, msg, strlen(msg), MSG_DONTWAIT | MSG_NOSIGNAL);
	close(fd);
}

static void
conn_new(struct oob_endpoint *ep, int fd, const struct sockaddr *sa,
    socklen_t len)
{
	struct timeval	 tv = { OOB_TIMEOUT_SEC, 0 };
	struct oob_conn	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->bev = bufferevent_socket_new(obase, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		free(c);
		close(fd);
		return;
	}
	c->ep = ep;
	sockaddr_format(sa, len, c->peer, sizeof(c->peer), &c->peer_port);
	TAILQ_INSERT_TAIL(&ep->conns, c, entry);
	ep->nconns++;
	bufferevent_priority_set(c->bev, OOB_PRIO);
	bufferevent_setwatermark(c->bev, EV_READ, 0, OOB_LINE_MAX);
	bufferevent_set_timeouts(c->bev, &tv, &tv);
	bufferevent_setcb(c->bev, conn_read_cb, conn_write_cb, conn_event_cb,
	    c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

static void
endpoint_accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct oob_endpoint	*ep = arg;
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	int			 fd, i;

	for (i = 0; i < OOB_ACCEPT_BURST; i++) {
		len = sizeof(ss);
		fd = accept4(lfd, (struct sockaddr *)&ss, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1)
			return;
		if (!policy_acl_ok(ep->svc, (struct sockaddr *)&ss)) {
			policy_log_refusal(ep->svc, (struct sockaddr *)&ss,
			    len, REFUSE_ACL);
			close(fd);
		} else if (ep->nconns >= OOB_CONNS_MAX ||
		    !rl_take(&ep->bucket, OOB_RATE, OOB_BURST, now_sec()))
			refuse_now(fd, "ERR EBUSY too many requests, try "
			    "again later\n");
		else
			conn_new(ep, fd, (struct sockaddr *)&ss, len);
	}
}

/* ---- the OOB endpoint: lifecycle ---- */

static int
endpoint_matches(const struct oob_endpoint *ep, const struct service_conf *sc)
{
	return ep->conf_port == sc->oob_port &&
	    memcmp(&ep->conf_addr, &sc->addr, sizeof(sc->addr)) == 0;
}

/* A conf like the service's, for a TCP listener on the OOB port. */
static void
endpoint_conf(const struct service_conf *sc, struct service_conf *tmp)
{
	*tmp = *sc;
	tmp->proto = PROTO_TCP;
	tmp->socktype = SOCK_STREAM;
	tmp->backlog = OOB_BACKLOG;
	tmp->port = sc->oob_port;
	if (tmp->addr.ss_family == AF_INET)
		((struct sockaddr_in *)&tmp->addr)->sin_port =
		    htons((uint16_t)sc->oob_port);
	else
		((struct sockaddr_in6 *)&tmp->addr)->sin6_port =
		    htons((uint16_t)sc->oob_port);
}

static struct oob_endpoint *
endpoint_open(struct service *svc)
{
	struct service_conf	 tmp;
	struct oob_endpoint	*ep;
	char			 err[256], addr[64];

	if ((ep = calloc(1, sizeof(*ep))) == NULL)
		return NULL;
	endpoint_conf(svc->conf, &tmp);
	if ((ep->fd = listen_open(&tmp, err, sizeof(err))) == -1) {
		log_warnx("service %s: oob-port: %s", svc->conf->name, err);
		free(ep);
		return NULL;
	}
	ep->svc = svc;
	ep->conf_port = svc->conf->oob_port;
	memcpy(&ep->conf_addr, &svc->conf->addr, sizeof(ep->conf_addr));
	TAILQ_INIT(&ep->conns);
	rl_init(&ep->bucket, OOB_BURST, now_sec());
	listen_bound(ep->fd, addr, sizeof(addr), &ep->port);
	ep->ev = event_new(obase, ep->fd, EV_READ | EV_PERSIST,
	    endpoint_accept_cb, ep);
	event_priority_set(ep->ev, OOB_PRIO);
	event_add(ep->ev, NULL);
	log_notice("service %s: oob endpoint on %s port %d%s",
	    svc->conf->name, addr, ep->port,
	    ep->conf_port == 0 ? " (dynamic)" : "");
	return ep;
}

void
oob_endpoint_close(struct service *svc)
{
	struct oob_endpoint	*ep = svc->oob;
	struct oob_conn		*c;

	if (ep == NULL)
		return;
	while ((c = TAILQ_FIRST(&ep->conns)) != NULL)
		conn_free(c);
	event_free(ep->ev);
	close(ep->fd);
	free(ep);
	svc->oob = NULL;
}

void
oob_endpoint_sync(struct service *svc)
{
	if (svc->oob != NULL && endpoint_matches(svc->oob, svc->conf)) {
		svc->oob->svc = svc;
		return;
	}
	oob_endpoint_close(svc);
	if (svc->conf->oob_port >= 0)
		svc->oob = endpoint_open(svc);
}

int
oob_endpoint_port(const struct service *svc)
{
	return svc->oob != NULL ? svc->oob->port : -1;
}

/* ---- urgent data ---- */

static void
watch_free(struct oob_watch *w)
{
	epoll_ctl(urgent_epfd, EPOLL_CTL_DEL, w->fd, NULL);
	close(w->fd);
	w->s->oob = NULL;
	free(w);
}

/* Urgent data arrived on a handler's connection: interrupt it. */
static void
watch_urgent(struct oob_watch *w)
{
	struct session	*s = w->s;
	char		 c, who[128];

	if (recv(w->fd, &c, 1, MSG_OOB | MSG_DONTWAIT) != 1)
		return;
	snprintf(who, sizeof(who), "urgent data from %s",
	    session_peer_desc(s));
	session_interrupt(s, s->svc->conf->urgent_signal,
	    s->svc->conf->kill_grace, who);
}

static void
urgent_cb(evutil_socket_t fd, short what, void *arg)
{
	struct epoll_event	ev[URGENT_EVENTS];
	int			i, n;

	n = epoll_wait(urgent_epfd, ev, URGENT_EVENTS, 0);
	for (i = 0; i < n; i++) {
		struct oob_watch *w = ev[i].data.ptr;

		/*
		 * Only exec handlers are watched, and signalling one never
		 * ends its session here (that waits for SIGCHLD): w stays.
		 */
		if (ev[i].events & EPOLLPRI)
			watch_urgent(w);
		/* The client stopped sending: no urgent data can follow. */
		if (w->s->oob == w &&
		    ev[i].events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
			watch_free(w);
	}
}

void
oob_handler_started(struct session *s, int fd, pid_t pid)
{
	struct epoll_event	 ev = { .events = EPOLLPRI | EPOLLRDHUP };
	struct oob_watch	*w;

	switch (s->svc->conf->urgent) {
	case URGENT_PASS:
		/* The open file is shared: the handler's copy gets SIGURG. */
		if (fcntl(fd, F_SETOWN, pid) == -1)
			log_warn("service %s: F_SETOWN", s->svc->conf->name);
		return;
	case URGENT_INTERRUPT:
		break;
	default:
		return;
	}
	if (urgent_epfd == -1 || (w = calloc(1, sizeof(*w))) == NULL)
		return;
	if ((w->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3)) == -1) {
		free(w);
		return;
	}
	w->s = s;
	ev.data.ptr = w;
	if (epoll_ctl(urgent_epfd, EPOLL_CTL_ADD, w->fd, &ev) == -1) {
		log_warn("service %s: urgent watch", s->svc->conf->name);
		close(w->fd);
		free(w);
		return;
	}
	s->oob = w;
}

void
oob_session_end(struct session *s)
{
	if (s->oob != NULL)
		watch_free(s->oob);
}

void
oob_init(struct event_base *base)
{
	obase = base;
	if ((urgent_epfd = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		log_warn("urgent data: epoll_create1");
		return;
	}
	/* libevent cannot ask for EPOLLPRI, so a private epoll set does. */
	urgent_ev = event_new(base, urgent_epfd, EV_READ | EV_PERSIST,
	    urgent_cb, NULL);
	event_priority_set(urgent_ev, OOB_PRIO);
	event_add(urgent_ev, NULL);
}

void
oob_shutdown(void)
{
	if (urgent_ev != NULL)
		event_free(urgent_ev);
	if (urgent_epfd != -1)
		close(urgent_epfd);
	urgent_ev = NULL;
	urgent_epfd = -1;
}
