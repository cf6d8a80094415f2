/*
 * oob.c: the OOB endpoint, where a client stops its own running request.
 * See oob.h for why there are two paths (urgent.c is the other).
 */
#include "config.h"

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
#include "request.h"
#include "session.h"
#include "sockdiag.h"

#define OOB_PRIO		0	/* interrupts go before data */
#define OOB_BACKLOG		16
#define OOB_CONNS_MAX		32	/* open OOB connections per service */
#define OOB_RATE		20.0	/* requests per second per service */
#define OOB_BURST		40

struct oob_endpoint {
	struct request_target	*rt;		/* the service's requests */
	struct linesrv		*srv;
	int			 port;		/* bound */
	int			 conf_port;	/* configured; 0 = dynamic */
	struct sockaddr_storage	 conf_addr;	/* the service's address */
	struct rl_bucket	 bucket;
};

static struct event_base	*obase;
static struct oob_limits	 oob_limits = { 5000, 8 };

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
	struct request_target *rt;
	const char	*addr;
	int		 port;
	struct session	*found;
};

static void
port_match_cb(struct session *s, void *arg)
{
	struct port_match	*m = arg;

	if (m->found == NULL && request_target_of(s) == m->rt &&
	    s->peer_port == m->port &&
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
	struct port_match	 m = { ep->rt, p->addr, r->port, NULL };
	struct session		*s;

	if (r->by_token) {
		s = session_by_token(r->token);
		return s != NULL && request_target_of(s) == ep->rt ? s : NULL;
	}
	session_foreach(port_match_cb, &m);
	return m.found;
}

/*
 * The owner of a client's TCP socket on this host, whose local end is
 * client and whose remote end is fd's local address: 0, or -1 with the
 * reason for the client in why.
 */
static int
client_uid(const struct sockaddr *client, int fd, const char *whose,
    uid_t *uid, char *why, size_t len)
{
	struct sockaddr_storage	srv;
	socklen_t		slen = sizeof(srv);

	memset(&srv, 0, sizeof(srv));
	if (fd == -1 || getsockname(fd, (struct sockaddr *)&srv, &slen) == -1)
		srv.ss_family = client->sa_family;	/* any address/port */
	switch (sockdiag_tcp_owner(client, (struct sockaddr *)&srv, uid)) {
	case SOCKDIAG_FOUND:
		return 0;
	case SOCKDIAG_NONE:
		snprintf(why, len, "%s is not a TCP socket on this host: "
		    "cancel by source port works only between local sockets "
		    "of one user; use the token", whose);
		break;
	case SOCKDIAG_MIXED:
		snprintf(why, len, "%s's owner is ambiguous; use the token",
		    whose);
		break;
	default:
		snprintf(why, len, "cannot tell who owns %s; use the token",
		    whose);
	}
	return -1;
}

/*
 * CANCEL <source-port>: every user of a host shares 127.0.0.1, and
 * source ports are public (/proc/net/tcp), so the address alone proves
 * nothing.  Accepted only when superd finds both clients' sockets here,
 * owned by one uid: the OOB client's and the request's.  Remote peers
 * have the token.  0, or -1 with the reason in why.
 */
static int
port_cancel_ok(struct linesrv_conn *c, const struct oob_endpoint *ep,
    const struct session *s, char *why, size_t len)
{
	const struct linesrv_peer	*p = linesrv_conn_peer(c);
	uid_t				 asker, owner;

	if (client_uid((const struct sockaddr *)&p->sa, linesrv_conn_fd(c),
	    "the OOB client's socket", &asker, why, len) == -1 ||
	    client_uid((const struct sockaddr *)&s->peer_sa, ep->rt->fd,
	    "the request's client socket", &owner, why, len) == -1)
		return -1;
	if (asker != owner) {
		snprintf(why, len, "the request's connection belongs to "
		    "another user");
		return -1;
	}
	return 0;
}

static int
endpoint_line(struct linesrv_conn *c, char *line, size_t n, void *arg)
{
	struct oob_endpoint		*ep = arg;
	const struct linesrv_peer	*p = linesrv_conn_peer(c);
	const struct service_conf	*sc = ep->rt->conf;
	struct oob_req			 r;
	struct session			*s;
	enum proto_err			 e;
	char				 err[256], who[128];

	if ((e = oob_parse(line, n, &r)) != PROTO_OK)
		return reply(c, "ERR %s %s", proto_errcode(e),
		    proto_strerror(e));
	if ((s = find_session(ep, p, &r)) == NULL) {
		if (r.by_token)
			return reply(c, "ERR %s no running request of %s has "
			    "that token", proto_code_name(PROTO_C_ENOENT),
			    sc->name);
		return reply(c, "ERR %s no running request of %s from %s "
		    "port %d", proto_code_name(PROTO_C_ENOENT), sc->name,
		    p->addr, r.port);
	}
	if (!r.by_token && port_cancel_ok(c, ep, s, err, sizeof(err)) == -1) {
		log_notice("service %s: oob: cancel of S%llu by source port "
		    "from %s port %d refused: %s", sc->name,
		    (unsigned long long)s->id, p->addr, p->port, err);
		return reply(c, "ERR %s %s", proto_code_name(PROTO_C_EPERM),
		    err);
	}
	snprintf(who, sizeof(who), "oob client %s port %d (by %s)", p->addr,
	    p->port, r.by_token ? "token" : "source port");
	/* It ended between the lookup and now: it is no longer running. */
	if (request_interrupt(s, SIGTERM, sc->kill_grace, who) == -1)
		return reply(c, "ERR %s session S%llu: %s",
		    proto_code_name(PROTO_C_ENOENT),
		    (unsigned long long)s->id, strerror(errno));
	return reply(c, "OK S%llu", (unsigned long long)s->id);
}

/* The service's access list, then the endpoint's request rate. */
static int
endpoint_admit(const struct linesrv_peer *p, void *arg)
{
	struct oob_endpoint	*ep = arg;

	if (!policy_acl_ok(ep->rt->conf, (const struct sockaddr *)&p->sa)) {
		if (policy_should_log(ep->rt->policy,
		    (const struct sockaddr *)&p->sa))
			log_notice("service %s: oob: refused %s: acl",
			    ep->rt->conf->name, p->addr);
		return 0;
	}
	return rl_take(&ep->bucket, OOB_RATE, OOB_BURST, now_sec()) ? 1 : -1;
}

static const struct linesrv_ops endpoint_ops = {
	.admit = endpoint_admit,
	.line = endpoint_line,
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
	/* The service's socket options are for its own socket. */
	memset(&tmp->sockopts, 0, sizeof(tmp->sockopts));
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
endpoint_open(struct request_target *rt)
{
	const struct service_conf	*sc = rt->conf;
	struct service_conf		 tmp;
	struct linesrv_limits		 lim;
	struct oob_endpoint		*ep;
	char				 err[256], addr[64], name[128];
	int				 fd;

	if ((ep = calloc(1, sizeof(*ep))) == NULL)
		return NULL;
	endpoint_conf(sc, &tmp);
	if ((fd = listen_open(&tmp, err, sizeof(err))) == -1) {
		log_warnx("service %s: oob-port: %s", sc->name, err);
		free(ep);
		return NULL;
	}
	addr_local(fd, addr, sizeof(addr), &ep->port);
	snprintf(name, sizeof(name), "service %s: oob", sc->name);
	endpoint_limits(sc, &lim);
	ep->rt = rt;
	ep->conf_port = sc->oob_port;
	memcpy(&ep->conf_addr, &sc->addr, sizeof(ep->conf_addr));
	rl_init(&ep->bucket, OOB_BURST, now_sec());
	if ((ep->srv = linesrv_new(obase, fd, OOB_PRIO, name, NULL, &lim,
	    &endpoint_ops, ep)) == NULL) {
		log_warnx("service %s: oob-port: out of memory", sc->name);
		free(ep);
		return NULL;
	}
	log_notice("service %s: oob endpoint on %s port %d%s", sc->name, addr,
	    ep->port, ep->conf_port == 0 ? " (dynamic)" : "");
	return ep;
}

void
oob_endpoint_close(struct oob_endpoint *ep)
{
	if (ep == NULL)
		return;
	linesrv_free(ep->srv);
	free(ep);
}

struct oob_endpoint *
oob_endpoint_sync(struct oob_endpoint *ep, struct request_target *rt)
{
	struct linesrv_limits	lim;

	if (ep != NULL && endpoint_matches(ep, rt->conf)) {
		ep->rt = rt;
		endpoint_limits(rt->conf, &lim);
		linesrv_set_limits(ep->srv, &lim);
		return ep;
	}
	oob_endpoint_close(ep);
	return rt->conf->oob_port >= 0 ? endpoint_open(rt) : NULL;
}

int
oob_endpoint_port(const struct oob_endpoint *ep)
{
	return ep != NULL ? ep->port : -1;
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
}
