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
#include "addr.h"
#include "linesrv.h"
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
#define OOB_CONNS_MAX		32	/* open OOB connections per service */
#define OOB_RATE		20.0	/* requests per second per service */
#define OOB_BURST		40
#define URGENT_EVENTS		16

struct oob_endpoint {
	struct service		*svc;
	struct linesrv		*srv;
	int			 port;		/* bound */
	int			 conf_port;	/* configured; 0 = dynamic */
	struct sockaddr_storage	 conf_addr;	/* the service's address */
	struct rl_bucket	 bucket;
};

/* superd's copy of a handler's connection, watched for urgent data. */
struct oob_watch {
	struct session	*s;
	int		 fd;
};

static struct event_base	*obase;
static struct oob_limits	 oob_limits = { 5000, 8 };
static int			 urgent_epfd = -1;
static struct event		*urgent_ev;

static double
now_sec(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the OOB endpoint: requests ---- */

/* One reply line; the connection closes once it is written. */
static int
reply(struct linesrv_conn *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
reply(struct linesrv_conn *c, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	evbuffer_add_vprintf(linesrv_conn_out(c), fmt, ap);
	va_end(ap);
	evbuffer_add(linesrv_conn_out(c), "\n", 1);
	return LINESRV_CLOSE;
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
find_session(struct oob_endpoint *ep, const struct linesrv_peer *p,
    const struct oob_req *r)
{
	struct port_match	 m = { ep->svc, p->addr, r->port, NULL };
	struct session		*s;

	if (r->by_token) {
		s = session_by_token(r->token);
		return s != NULL && s->svc == ep->svc ? s : NULL;
	}
	session_foreach(port_match_cb, &m);
	return m.found;
}

static int
endpoint_line(struct linesrv_conn *c, char *line, size_t n, void *arg)
{
	struct oob_endpoint		*ep = arg;
	const struct linesrv_peer	*p = linesrv_conn_peer(c);
	struct service			*svc = ep->svc;
	struct oob_req			 r;
	struct session			*s;
	char				 err[160], who[128];

	if (memchr(line, '\0', n) != NULL)
		return reply(c, "ERR EINVAL NUL byte in the line");
	if (oob_parse(line, &r, err, sizeof(err)) == -1)
		return reply(c, "ERR %s", err);
	if ((s = find_session(ep, p, &r)) == NULL) {
		if (r.by_token)
			return reply(c, "ERR ENOENT no running request of %s "
			    "has that token", svc->conf->name);
		return reply(c, "ERR ENOENT no running request of %s from %s "
		    "port %d", svc->conf->name, p->addr, r.port);
	}
	snprintf(who, sizeof(who), "oob client %s port %d (by %s)", p->addr,
	    p->port, r.by_token ? "token" : "source port");
	if (session_interrupt(s, SIGTERM, svc->conf->kill_grace, who) == -1)
		return reply(c, "ERR ESRCH %s", strerror(errno));
	return reply(c, "OK S%llu", (unsigned long long)s->id);
}

static void
endpoint_refuse(struct evbuffer *out, enum linesrv_why why,
    const struct linesrv_limits *lim, void *arg)
{
	(void)arg;
	switch (why) {
	case LINESRV_TOOLONG:
		evbuffer_add_printf(out, "ERR E2BIG the line is longer than "
		    "%zu bytes\n", lim->line_max - 1);
		break;
	case LINESRV_DEADLINE:
	case LINESRV_IDLE:
		evbuffer_add_printf(out, "ERR ETIMEDOUT no request line "
		    "within %us\n", lim->line_ms / 1000);
		break;
	default:
		evbuffer_add_printf(out, "ERR EBUSY too many requests, try "
		    "again later\n");
	}
}

/* The service's access list, then the endpoint's request rate. */
static int
endpoint_admit(const struct linesrv_peer *p, void *arg)
{
	struct oob_endpoint	*ep = arg;

	if (!policy_acl_ok(ep->svc, (const struct sockaddr *)&p->sa)) {
		policy_log_refusal(ep->svc, (const struct sockaddr *)&p->sa,
		    p->salen, REFUSE_ACL);
		return 0;
	}
	return rl_take(&ep->bucket, OOB_RATE, OOB_BURST, now_sec()) ? 1 : -1;
}

static const struct linesrv_ops endpoint_ops = {
	.admit = endpoint_admit,
	.line = endpoint_line,
	.refuse = endpoint_refuse,
};

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

static void
endpoint_limits(const struct service_conf *sc, struct linesrv_limits *lim)
{
	(void)sc;
	memset(lim, 0, sizeof(*lim));
	lim->line_max = OOB_LINE_MAX;
	lim->line_ms = lim->idle_ms = oob_limits.line_ms;
	lim->max_conns = OOB_CONNS_MAX;
	lim->max_per_peer = oob_limits.max_per_peer;
	lim->out_high = lim->out_max = 4096;
	lim->eof_line = 1;	/* one-shot: what came before EOF is it */
}

static struct oob_endpoint *
endpoint_open(struct service *svc)
{
	struct service_conf	 tmp;
	struct linesrv_limits	 lim;
	struct oob_endpoint	*ep;
	char			 err[256], addr[64], name[128];
	int			 fd;

	if ((ep = calloc(1, sizeof(*ep))) == NULL)
		return NULL;
	endpoint_conf(svc->conf, &tmp);
	if ((fd = listen_open(&tmp, err, sizeof(err))) == -1) {
		log_warnx("service %s: oob-port: %s", svc->conf->name, err);
		free(ep);
		return NULL;
	}
	addr_local(fd, addr, sizeof(addr), &ep->port);
	snprintf(name, sizeof(name), "service %s: oob", svc->conf->name);
	endpoint_limits(svc->conf, &lim);
	ep->svc = svc;
	ep->conf_port = svc->conf->oob_port;
	memcpy(&ep->conf_addr, &svc->conf->addr, sizeof(ep->conf_addr));
	rl_init(&ep->bucket, OOB_BURST, now_sec());
	if ((ep->srv = linesrv_new(obase, fd, OOB_PRIO, name, NULL, &lim,
	    &endpoint_ops, ep)) == NULL) {
		log_warnx("service %s: oob-port: out of memory",
		    svc->conf->name);
		free(ep);
		return NULL;
	}
	log_notice("service %s: oob endpoint on %s port %d%s",
	    svc->conf->name, addr, ep->port,
	    ep->conf_port == 0 ? " (dynamic)" : "");
	return ep;
}

void
oob_endpoint_close(struct service *svc)
{
	struct oob_endpoint	*ep = svc->oob;

	if (ep == NULL)
		return;
	linesrv_free(ep->srv);
	free(ep);
	svc->oob = NULL;
}

void
oob_endpoint_sync(struct service *svc)
{
	struct linesrv_limits	lim;

	if (svc->oob != NULL && endpoint_matches(svc->oob, svc->conf)) {
		svc->oob->svc = svc;
		endpoint_limits(svc->conf, &lim);
		linesrv_set_limits(svc->oob->srv, &lim);
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
oob_set_limits(const struct oob_limits *lim)
{
	oob_limits = *lim;
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
