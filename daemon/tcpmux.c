/*
 * tcpmux.c: the tcpmux port and its table of names (see tcpmux.h).
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "addr.h"
#include "conf.h"
#include "linesrv.h"
#include "listen.h"
#include "log.h"
#include "policy.h"
#include "request.h"
#include "tcpmux.h"
#include "tcpmux_proto.h"

#define TCPMUX_PRIO		2	/* as the services' data */
#define TCPMUX_CONNS_MAX	64	/* clients still naming a service */
#define TCPMUX_OUT_MAX		(64 * 1024)	/* a HELP list fits */
#define TCPMUX_RETRY_SEC	10		/* a failed bind, again */

struct tcpmux {
	struct request_target	*rt;
	int			 registered;	/* in names */
	TAILQ_ENTRY(tcpmux)	 entry;
	struct linesrv		*srv;		/* the tcpmux port */
	int			 port;		/* ... bound */
	struct sockaddr_storage	 conf_addr;	/* ... as configured */
	struct event		*retry;		/* ... after a failed bind */
	int			 failed;	/* ... said once */
};

static struct event_base	*tbase;
static tcpmux_busy_fn		 busy_fn;
static TAILQ_HEAD(, tcpmux)	 names = TAILQ_HEAD_INITIALIZER(names);
static unsigned			 line_ms = 10000, per_peer = 8;

void
tcpmux_init(struct event_base *base, tcpmux_busy_fn fn)
{
	tbase = base;
	busy_fn = fn;
}

void
tcpmux_set_limits(unsigned ms, unsigned max_per_peer)
{
	line_ms = ms;
	per_peer = max_per_peer;
}

/* ---- a client's line ---- */

/* One "-reason" line; the connection closes once it is written. */
static int
refuse(struct linesrv_conn *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
refuse(struct linesrv_conn *c, const char *fmt, ...)
{
	va_list	ap;

	evbuffer_add(linesrv_conn_out(c), "-", 1);
	va_start(ap, fmt);
	evbuffer_add_vprintf(linesrv_conn_out(c), fmt, ap);
	va_end(ap);
	evbuffer_add(linesrv_conn_out(c), "\r\n", 2);
	return LINESRV_CLOSE;
}

/* The registered service called name (any case), or NULL. */
static struct tcpmux *
find(const char *name)
{
	struct tcpmux	*t;

	TAILQ_FOREACH(t, &names, entry)
		if (strcasecmp(t->rt->conf->name, name) == 0)
			return t;
	return NULL;
}

/* HELP: every name, one per line, then the connection closes. */
static int
help(struct linesrv_conn *c)
{
	struct tcpmux	*t;

	TAILQ_FOREACH(t, &names, entry)
		evbuffer_add_printf(linesrv_conn_out(c), "%s\r\n",
		    t->rt->conf->name);
	return LINESRV_CLOSE;
}

/*
 * Hand the connection to the named service: the socket leaves the line
 * server and takes the service's own admission, as if its listener had
 * accepted it.
 */
static int
hand_on(struct linesrv_conn *c, struct tcpmux *t)
{
	const struct linesrv_peer	*p = linesrv_conn_peer(c);
	struct sockaddr_storage		 sa = p->sa;
	socklen_t			 salen = p->salen;
	struct request_via		 via;
	int				 fd, fl;

	via.admitted = t->rt->conf->tcpmux == TCPMUX_PLUS ? "+Go\r\n" : NULL;
	via.refused = "-access denied\r\n";
	log_debug("tcpmux: %s asks for %s", p->desc, t->rt->conf->name);
	fd = linesrv_conn_take(c);
	/* A handler process gets a blocking socket, as from its listener. */
	if (!request_on_loop(t->rt) && (fl = fcntl(fd, F_GETFL)) != -1)
		(void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	request_connection_via(t->rt, fd, (struct sockaddr *)&sa, salen, &via);
	return LINESRV_CLOSE;
}

/* One name line: the HELP list, a "-" line, or the connection handed on. */
static int
mux_line(struct linesrv_conn *c, char *line, size_t n, void *arg)
{
	struct tcpmux			*lt = arg, *t;
	const struct linesrv_peer	*p = linesrv_conn_peer(c);
	const char			*name, *why;

	switch (tcpmux_parse(line, n, &name, &why)) {
	case TCPMUX_ASK_HELP:
		return help(c);
	case TCPMUX_ASK_BAD:
		return refuse(c, "%s", why);
	default:
		break;
	}
	if ((t = find(name)) == NULL) {
		/* Rate-limited per source, as refusals are. */
		if (policy_should_log(lt->rt->policy,
		    (const struct sockaddr *)&p->sa))
			log_info("tcpmux: %s asked for %s: no such tcpmux "
			    "service", p->desc, name);
		return refuse(c, "no tcpmux service %s here", name);
	}
	if ((why = busy_fn(t->rt)) != NULL)
		return refuse(c, "%s: %s", t->rt->conf->name, why);
	return hand_on(c, t);
}

/* The tcpmux port's own access list (only-from, no-access). */
static int
mux_admit(const struct linesrv_peer *p, void *arg)
{
	struct tcpmux	*t = arg;

	if (policy_acl_ok(t->rt->conf, (const struct sockaddr *)&p->sa))
		return 1;
	if (policy_should_log(t->rt->policy, (const struct sockaddr *)&p->sa))
		log_notice("service %s: refused %s: acl", t->rt->conf->name,
		    p->addr);
	return 0;
}

/* The line server ends a connection: say why the tcpmux way. */
static void
mux_refuse(struct evbuffer *out, enum linesrv_why why,
    const struct linesrv_limits *lim, void *arg)
{
	(void)arg;
	switch (why) {
	case LINESRV_TOOLONG:
		evbuffer_add_printf(out, "-name line longer than %zu bytes\r\n",
		    lim->line_max);
		break;
	case LINESRV_DEADLINE:
	case LINESRV_IDLE:
		evbuffer_add_printf(out, "-no name line within %ums\r\n",
		    lim->line_ms);
		break;
	default:
		evbuffer_add_printf(out, "-too many connections\r\n");
	}
}

static const struct linesrv_ops mux_ops = {
	.admit = mux_admit,
	.line = mux_line,
	.refuse = mux_refuse,
};

/* ---- the tcpmux port ---- */

static void
mux_limits(struct linesrv_limits *lim)
{
	memset(lim, 0, sizeof(*lim));
	lim->line_max = TCPMUX_LINE_MAX;
	lim->line_ms = lim->idle_ms = line_ms;
	lim->max_conns = TCPMUX_CONNS_MAX;
	lim->max_per_peer = per_peer;
	lim->out_high = lim->out_max = TCPMUX_OUT_MAX;
	lim->exact = 1;		/* the handler reads what follows the name */
}

static void
port_close(struct tcpmux *t)
{
	if (t->retry != NULL)
		evtimer_del(t->retry);
	t->failed = 0;
	linesrv_free(t->srv);
	t->srv = NULL;
	t->port = -1;
}

static void	port_open(struct tcpmux *);

static void
retry_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	port_open(arg);
}

/* The port could not be bound (in use, no privilege): try again later. */
static void
port_retry(struct tcpmux *t, const char *err)
{
	struct timeval	tv = { TCPMUX_RETRY_SEC, 0 };

	if (!t->failed)
		log_warnx("service %s: %s (retrying every %ds)",
		    t->rt->conf->name, err, TCPMUX_RETRY_SEC);
	t->failed = 1;
	if (t->retry == NULL &&
	    (t->retry = evtimer_new(tbase, retry_cb, t)) == NULL)
		return;
	evtimer_add(t->retry, &tv);
}

static void
port_open(struct tcpmux *t)
{
	const struct service_conf	*sc = t->rt->conf;
	struct linesrv_limits		 lim;
	char				 err[256], addr[64], name[96];
	int				 fd;

	if ((fd = listen_open(sc, err, sizeof(err))) == -1) {
		port_retry(t, err);
		return;
	}
	t->failed = 0;
	addr_local(fd, addr, sizeof(addr), &t->port);
	snprintf(name, sizeof(name), "service %s", sc->name);
	mux_limits(&lim);
	if ((t->srv = linesrv_new(tbase, fd, TCPMUX_PRIO, name, NULL, &lim,
	    &mux_ops, t)) == NULL) {
		log_warnx("service %s: out of memory", sc->name);
		t->port = -1;
		return;
	}
	t->conf_addr = sc->addr;
	log_notice("service %s: tcpmux port on %s port %d", sc->name, addr,
	    t->port);
}

/* Open, keep (same address, new limits) or close the tcpmux port. */
static void
port_sync(struct tcpmux *t)
{
	const struct service_conf	*sc = t->rt->conf;
	struct linesrv_limits		 lim;

	if (!sc->tcpmux_server || sc->disable) {
		port_close(t);
		return;
	}
	if (t->srv != NULL && memcmp(&t->conf_addr, &sc->addr,
	    sizeof(sc->addr)) == 0) {
		mux_limits(&lim);
		linesrv_set_limits(t->srv, &lim);
		return;
	}
	port_close(t);
	port_open(t);
}

struct tcpmux *
tcpmux_sync(struct tcpmux *t, struct request_target *rt)
{
	const struct service_conf	*sc = rt->conf;

	if (t == NULL && sc->tcpmux == TCPMUX_NO && !sc->tcpmux_server)
		return NULL;
	if (t == NULL) {
		if ((t = calloc(1, sizeof(*t))) == NULL) {
			log_warnx("service %s: tcpmux: out of memory",
			    sc->name);
			return NULL;
		}
		t->port = -1;
	}
	t->rt = rt;
	if (sc->tcpmux != TCPMUX_NO && !t->registered)
		TAILQ_INSERT_TAIL(&names, t, entry);
	else if (sc->tcpmux == TCPMUX_NO && t->registered)
		TAILQ_REMOVE(&names, t, entry);
	t->registered = sc->tcpmux != TCPMUX_NO;
	port_sync(t);
	if (!t->registered && t->srv == NULL && !t->failed) {
		tcpmux_forget(t);
		return NULL;
	}
	return t;
}

void
tcpmux_forget(struct tcpmux *t)
{
	if (t == NULL)
		return;
	if (t->registered)
		TAILQ_REMOVE(&names, t, entry);
	port_close(t);
	if (t->retry != NULL)
		event_free(t->retry);
	free(t);
}

int
tcpmux_port(const struct tcpmux *t)
{
	return t != NULL ? t->port : -1;
}
