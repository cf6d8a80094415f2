/*
 * linesrv.c: listener, framing and limits of the line protocols.
 *
 * Time limits are ours, not the bufferevent's: a bufferevent read
 * timeout restarts at every byte, so a client that trickles a byte every
 * few seconds would hold its slot for ever.  One timer per connection
 * runs either the idle timeout (no line begun) or the line deadline
 * (counted from the first byte of the line).
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "addr.h"
#include "linesrv.h"
#include "sockpool.h"
#include "log.h"
#include "proto.h"
#include "sockperm.h"

#define ACCEPT_BURST	16
#define PAUSE_SEC	1	/* out of descriptors: listen again after */
#define WRITE_SEC	30	/* a reader that takes nothing this long */
#define BACKLOG		64

struct linesrv_conn {
	struct linesrv		*srv;
	struct bufferevent	*bev;
	struct event		*timer;
	struct linesrv_peer	 peer;
	void			*data;
	int			 closing;	/* replies queued, then close */
	int			 paused;	/* output over out_high */
	int			 in_line;	/* first byte of a line seen */
	int			 resume;	/* thawed: run its lines */
	TAILQ_ENTRY(linesrv_conn) entry;
};

struct linesrv {
	struct event_base	*base;
	int			 fd;
	int			 prio;
	struct event		*ev;
	struct event		*pause_ev;
	char			*name;
	char			*path;		/* UNIX socket file we made */
	struct linesrv_limits	 lim;
	const struct linesrv_ops *ops;
	void			*arg;
	TAILQ_HEAD(, linesrv_conn) conns;
	unsigned		 nconns;
	TAILQ_ENTRY(linesrv)	 entry;
};

/* Every server, for an upgrade to find them all (and again after it). */
static TAILQ_HEAD(, linesrv) servers = TAILQ_HEAD_INITIALIZER(servers);

static void	accept_cb(evutil_socket_t, short, void *);
static void	pause_cb(evutil_socket_t, short, void *);
static struct linesrv_conn *conn_accept(struct linesrv *, int,
		    struct sockaddr_storage *,
		    socklen_t);
static struct linesrv_conn *conn_new(struct linesrv *, int,
		    const struct linesrv_peer *);
static void	conn_free(struct linesrv_conn *);
static void	conn_process(struct linesrv_conn *);
static void	conn_arm(struct linesrv_conn *);
static void	read_cb(struct bufferevent *, void *);
static void	write_cb(struct bufferevent *, void *);
static void	event_cb(struct bufferevent *, short, void *);
static void	timer_cb(evutil_socket_t, short, void *);

struct linesrv *
linesrv_new(struct event_base *base, int fd, int prio, const char *name,
    const char *unlink_path, const struct linesrv_limits *lim,
    const struct linesrv_ops *ops, void *arg)
{
	struct linesrv	*srv;

	if ((srv = calloc(1, sizeof(*srv))) == NULL) {
		close(fd);
		return NULL;
	}
	srv->base = base;
	srv->fd = fd;
	srv->prio = prio;
	srv->lim = *lim;
	srv->ops = ops;
	srv->arg = arg;
	TAILQ_INIT(&srv->conns);
	TAILQ_INSERT_TAIL(&servers, srv, entry);
	if (unlink_path != NULL)
		srv->path = strdup(unlink_path);
	srv->name = strdup(name);
	srv->ev = event_new(base, fd, EV_READ | EV_PERSIST, accept_cb, srv);
	srv->pause_ev = evtimer_new(base, pause_cb, srv);
	if (srv->name == NULL || srv->ev == NULL || srv->pause_ev == NULL ||
	    (unlink_path != NULL && srv->path == NULL)) {
		linesrv_free(srv);
		return NULL;
	}
	event_priority_set(srv->ev, prio);
	event_priority_set(srv->pause_ev, prio);
	event_add(srv->ev, NULL);
	return srv;
}

void
linesrv_free(struct linesrv *srv)
{
	if (srv == NULL)
		return;
	while (!TAILQ_EMPTY(&srv->conns))
		conn_free(TAILQ_FIRST(&srv->conns));
	TAILQ_REMOVE(&servers, srv, entry);
	if (srv->ev != NULL)
		event_free(srv->ev);
	if (srv->pause_ev != NULL)
		event_free(srv->pause_ev);
	/* Never unlink what is no longer the socket we made. */
	if (srv->path != NULL)
		(void)sockperm_unlink(srv->fd, srv->path);
	close(srv->fd);
	free(srv->path);
	free(srv->name);
	free(srv);
}

void
linesrv_set_limits(struct linesrv *srv, const struct linesrv_limits *lim)
{
	srv->lim = *lim;
}

int
linesrv_port(const struct linesrv *srv)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof(ss);
	char			host[64];
	int			port = -1;

	if (getsockname(srv->fd, (struct sockaddr *)&ss, &len) == -1 ||
	    ss.ss_family == AF_UNIX)
		return -1;
	sockaddr_format((struct sockaddr *)&ss, len, host, sizeof(host), &port);
	return port;
}

unsigned
linesrv_nconns(const struct linesrv *srv)
{
	return srv->nconns;
}

const struct linesrv_peer *
linesrv_conn_peer(const struct linesrv_conn *c)
{
	return &c->peer;
}

void *
linesrv_conn_data(const struct linesrv_conn *c)
{
	return c->data;
}

void
linesrv_conn_set_data(struct linesrv_conn *c, void *data)
{
	c->data = data;
}

int
linesrv_conn_fd(const struct linesrv_conn *c)
{
	return bufferevent_getfd(c->bev);
}

struct evbuffer *
linesrv_conn_out(struct linesrv_conn *c)
{
	return bufferevent_get_output(c->bev);
}

int
linesrv_conn_take(struct linesrv_conn *c)
{
	struct evbuffer	*out = bufferevent_get_output(c->bev);
	int		 fd = bufferevent_getfd(c->bev);

	bufferevent_disable(c->bev, EV_READ | EV_WRITE);
	/* Without a socket the bufferevent closes nothing when freed. */
	bufferevent_setfd(c->bev, -1);
	evbuffer_drain(out, evbuffer_get_length(out));
	linesrv_conn_close(c);
	return fd;
}

void
linesrv_conn_close(struct linesrv_conn *c)
{
	struct evbuffer	*in = bufferevent_get_input(c->bev);

	c->closing = 1;
	bufferevent_disable(c->bev, EV_READ);
	evbuffer_drain(in, evbuffer_get_length(in));
}

/* ---- accepting ---- */

/* Out of descriptors: listen again a little later instead of spinning. */
static void
pause_cb(evutil_socket_t fd, short what, void *arg)
{
	struct linesrv	*srv = arg;

	(void)fd;
	(void)what;
	event_add(srv->ev, NULL);
}

static void
accept_pause(struct linesrv *srv, int err)
{
	struct timeval	tv = { PAUSE_SEC, 0 };

	log_warnx("%s: accept: %s; pausing for %ds", srv->name, strerror(err),
	    PAUSE_SEC);
	event_del(srv->ev);
	evtimer_add(srv->pause_ev, &tv);
}

/* Accept a burst (a flood cannot starve the loop). */
static void
accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct linesrv		*srv = arg;
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	int			 fd, i;

	(void)what;
	for (i = 0; i < ACCEPT_BURST; i++) {
		len = sizeof(ss);
		fd = accept4(lfd, (struct sockaddr *)&ss, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			conn_accept(srv, fd, &ss, len);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
			continue;
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM)
			accept_pause(srv, errno);
		else if (errno != EAGAIN)
			log_warn("%s: accept", srv->name);
		return;
	}
}

/* Fill in who the peer is; -1 if the socket cannot tell. */
static int
peer_identify(int fd, struct sockaddr_storage *ss, socklen_t len,
    struct linesrv_peer *p)
{
	struct ucred	uc;
	socklen_t	clen = sizeof(uc);

	memset(p, 0, sizeof(*p));
	p->port = -1;
	if (ss->ss_family == AF_UNIX) {
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &clen) == -1)
			return -1;
		p->local = 1;
		p->uid = uc.uid;
		p->gid = uc.gid;
		p->pid = uc.pid;
		snprintf(p->desc, sizeof(p->desc), "uid %lu pid %ld",
		    (unsigned long)uc.uid, (long)uc.pid);
		return 0;
	}
	memcpy(&p->sa, ss, len);
	p->salen = len;
	sockaddr_format((struct sockaddr *)ss, len, p->addr, sizeof(p->addr),
	    &p->port);
	snprintf(p->desc, sizeof(p->desc), strchr(p->addr, ':') ? "[%s]:%d" :
	    "%s:%d", p->addr, p->port);
	return 0;
}

static int
same_peer(const struct linesrv_peer *a, const struct linesrv_peer *b)
{
	if (a->local != b->local)
		return 0;
	return a->local ? a->uid == b->uid : strcmp(a->addr, b->addr) == 0;
}

/*
 * Is there room for this peer?  Everyone shares max_conns; one peer may
 * hold max_per_peer of them; root on a local socket may go root_reserve
 * further, so an admin always gets in.
 */
static enum linesrv_why
room_for(const struct linesrv *srv, const struct linesrv_peer *p)
{
	const struct linesrv_conn	*c;
	unsigned			 same = 0;
	int				 root = p->local && p->uid == 0;

	TAILQ_FOREACH(c, &srv->conns, entry)
		if (same_peer(&c->peer, p))
			same++;
	if (srv->nconns >= srv->lim.max_conns + (root ?
	    srv->lim.root_reserve : 0))
		return LINESRV_BUSY;
	if (!root && same >= srv->lim.max_per_peer)
		return LINESRV_BUSY_PEER;
	return (enum linesrv_why)-1;
}

/*
 * The reply for a connection the server ends by itself: the protocol's
 * own, or (NULL) the one every line protocol of superd gives.
 */
static void
write_refusal(struct linesrv *srv, struct evbuffer *out, enum linesrv_why why)
{
	char	buf[PROTO_ERRLINE_MAX];

	if (srv->ops->refuse != NULL)
		srv->ops->refuse(out, why, &srv->lim, srv->arg);
	else
		evbuffer_add_printf(out, "%s", proto_refusal(buf, sizeof(buf),
		    why, &srv->lim));
}

/* Turn a client away with one line; it must not block us. */
static void
refuse_now(struct linesrv *srv, int fd, enum linesrv_why why)
{
	struct evbuffer	*out;
	char		 buf[256];
	int		 n;

	if ((out = evbuffer_new()) != NULL) {
		write_refusal(srv, out, why);
		n = evbuffer_remove(out, buf, sizeof(buf));
		if (n > 0)
			(void)!send(fd, buf, (size_t)n,
			    MSG_DONTWAIT | MSG_NOSIGNAL);
		evbuffer_free(out);
	}
	close(fd);
}

static struct linesrv_conn *
conn_accept(struct linesrv *srv, int fd, struct sockaddr_storage *ss,
    socklen_t len)
{
	struct linesrv_conn	*c;
	struct linesrv_peer	 p;
	enum linesrv_why	 why;
	int			 r;

	if (peer_identify(fd, ss, len, &p) == -1) {
		log_warn("%s: peer credentials", srv->name);
		close(fd);
		return NULL;
	}
	if (srv->ops->admit != NULL && (r = srv->ops->admit(&p, srv->arg))
	    != 1) {
		if (r == -1)
			refuse_now(srv, fd, LINESRV_BUSY);
		else
			close(fd);
		return NULL;
	}
	if ((int)(why = room_for(srv, &p)) != -1) {
		log_notice("%s: %s refused: too many connections%s", srv->name,
		    p.desc, why == LINESRV_BUSY_PEER ? " from this peer" : "");
		refuse_now(srv, fd, why);
		return NULL;
	}
	if ((c = conn_new(srv, fd, &p)) == NULL)
		return NULL;
	conn_arm(c);
	return c;
}

/* A connection admitted (or thawed): NULL if it failed (fd closed). */
static struct linesrv_conn *
conn_new(struct linesrv *srv, int fd, const struct linesrv_peer *p)
{
	struct linesrv_conn	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->bev = bufferevent_socket_new(srv->base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL ||
	    (c->timer = evtimer_new(srv->base, timer_cb, c)) == NULL) {
		log_warnx("%s: out of memory for a connection", srv->name);
		if (c != NULL && c->bev != NULL)
			bufferevent_free(c->bev);
		else
			close(fd);
		free(c);
		return NULL;
	}
	c->srv = srv;
	c->peer = *p;
	TAILQ_INSERT_TAIL(&srv->conns, c, entry);
	srv->nconns++;
	event_priority_set(c->timer, srv->prio);
	bufferevent_priority_set(c->bev, srv->prio);
	bufferevent_setcb(c->bev, read_cb, write_cb, event_cb, c);
	/* Hold at most one line ahead; the rest waits in the kernel. */
	bufferevent_setwatermark(c->bev, EV_READ, 0, srv->lim.line_max + 1);
	/* A byte at a time: what follows the line is its new owner's. */
	if (srv->lim.exact)
		bufferevent_set_max_single_read(c->bev, 1);
	bufferevent_set_timeouts(c->bev, NULL,
	    &(struct timeval){ WRITE_SEC, 0 });
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	if (srv->ops->open != NULL && srv->ops->open(c, srv->arg) == -1) {
		conn_free(c);
		return NULL;
	}
	return c;
}

struct linesrv_conn *
linesrv_adopt(struct linesrv *srv, int fd)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof(ss);

	if (getpeername(fd, (struct sockaddr *)&ss, &len) == -1)
		len = 0;
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return conn_accept(srv, fd, &ss, len);
}

/* ---- connections ---- */

static void
conn_free(struct linesrv_conn *c)
{
	struct linesrv	*srv = c->srv;

	if (srv->ops->close != NULL)
		srv->ops->close(c, srv->arg);
	TAILQ_REMOVE(&srv->conns, c, entry);
	srv->nconns--;
	event_free(c->timer);
	bufferevent_free(c->bev);
	free(c);
}

/* The server ends the connection itself: say why, then close. */
static void
conn_end(struct linesrv_conn *c, enum linesrv_why why)
{
	struct linesrv	*srv = c->srv;

	write_refusal(srv, linesrv_conn_out(c), why);
	linesrv_conn_close(c);
	conn_arm(c);
}

/*
 * (Re)start the timer: the line deadline once a line has begun, else
 * the idle timeout; a closing connection gets the write time to finish.
 */
static void
conn_arm(struct linesrv_conn *c)
{
	unsigned	ms;
	struct timeval	tv;

	if (c->closing)
		ms = WRITE_SEC * 1000;
	else if (c->in_line)
		return;		/* the deadline runs from the line's start */
	else
		ms = c->srv->lim.idle_ms;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	evtimer_add(c->timer, &tv);
}

/* The first byte of a line: the deadline starts now. */
static void
conn_line_begun(struct linesrv_conn *c)
{
	unsigned	ms = c->srv->lim.line_ms;
	struct timeval	tv = { ms / 1000, (suseconds_t)(ms % 1000) * 1000 };

	c->in_line = 1;
	evtimer_add(c->timer, &tv);
}

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct linesrv_conn	*c = arg;

	(void)fd;
	(void)what;
	if (c->resume) {
		c->resume = 0;
		conn_process(c);
		return;
	}
	if (c->closing) {
		conn_free(c);
		return;
	}
	if (c->in_line) {
		log_info("%s: %s: no whole line within %ums, closing",
		    c->srv->name, c->peer.desc, c->srv->lim.line_ms);
		conn_end(c, LINESRV_DEADLINE);
		return;
	}
	if (c->srv->ops->keep_idle != NULL &&
	    c->srv->ops->keep_idle(c, c->srv->arg)) {
		conn_arm(c);
		return;
	}
	log_debug("%s: %s: idle, closing", c->srv->name, c->peer.desc);
	conn_end(c, LINESRV_IDLE);
}

/* Hand one line to the user; 0 to go on, -1 once closing. */
static int
conn_deliver(struct linesrv_conn *c, char *line, size_t len)
{
	struct linesrv	*srv = c->srv;

	line[len] = '\0';	/* a CR is the protocol's business */
	c->in_line = 0;
	if (srv->ops->line(c, line, len, srv->arg) == LINESRV_CLOSE)
		linesrv_conn_close(c);
	return c->closing ? -1 : 0;
}

/* Run every complete line queued, as long as replies have room. */
static void
conn_process(struct linesrv_conn *c)
{
	struct linesrv		*srv = c->srv;
	struct evbuffer		*in = bufferevent_get_input(c->bev);
	struct evbuffer_ptr	 eol;
	size_t			 eollen, len, max = srv->lim.line_max;
	char			*line;

	while (!c->closing) {
		if (evbuffer_get_length(linesrv_conn_out(c)) >=
		    srv->lim.out_high) {
			c->paused = 1;
			bufferevent_disable(c->bev, EV_READ);
			return;
		}
		eol = evbuffer_search_eol(in, NULL, &eollen, EVBUFFER_EOL_LF);
		len = eol.pos < 0 ? evbuffer_get_length(in) : (size_t)eol.pos;
		if (len + 1 > max) {
			log_notice("%s: %s: line longer than %zu bytes, "
			    "closing", srv->name, c->peer.desc, max);
			conn_end(c, LINESRV_TOOLONG);
			return;
		}
		if (eol.pos < 0)
			break;
		if ((line = malloc(len + 1)) == NULL) {
			conn_free(c);
			return;
		}
		evbuffer_remove(in, line, len);
		evbuffer_drain(in, eollen);
		conn_deliver(c, line, len);
		free(line);
	}
	if (c->closing) {
		conn_arm(c);
		if (evbuffer_get_length(linesrv_conn_out(c)) == 0)
			conn_free(c);
		return;
	}
	if (evbuffer_get_length(in) > 0 && !c->in_line)
		conn_line_begun(c);
	else if (evbuffer_get_length(in) == 0)
		conn_arm(c);
}

static void
read_cb(struct bufferevent *bev, void *arg)
{
	(void)bev;
	conn_process(arg);
}

/* Replies written below the mark: finish a close, or read again. */
static void
write_cb(struct bufferevent *bev, void *arg)
{
	struct linesrv_conn	*c = arg;
	struct linesrv		*srv = c->srv;

	if (evbuffer_get_length(bufferevent_get_output(bev)) > 0)
		return;
	if (c->closing) {
		conn_free(c);
		return;
	}
	if (c->paused) {
		c->paused = 0;
		bufferevent_enable(bev, EV_READ);
		conn_process(c);
		return;	/* drained again later, once these replies are out */
	}
	/* Last: the callback may free the whole server (control's drain). */
	if (srv->ops->drained != NULL)
		srv->ops->drained(c, srv->arg);
}

/*
 * EOF, error or a reader stuck for WRITE_SEC.  A half-close still gets
 * its replies, and what came before it, even without a newline, is the
 * last line.
 */
static void
event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct linesrv_conn	*c = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	size_t			 n = evbuffer_get_length(in);
	char			*line;

	if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_WRITING) &&
	    !c->closing) {
		if ((n > 0 || c->srv->lim.eof_line) &&
		    n < c->srv->lim.line_max &&
		    (line = malloc(n + 1)) != NULL) {
			evbuffer_remove(in, line, n);
			conn_deliver(c, line, n);
			free(line);
		}
		linesrv_conn_close(c);
		if (evbuffer_get_length(linesrv_conn_out(c)) > 0) {
			conn_arm(c);
			return;
		}
	}
	conn_free(c);
}

/* ---- upgrades ---- */

/* Which server: the address its listening socket is bound to. */
static void
server_key(const struct linesrv *srv, char *key, size_t len)
{
	char	addr[LINESRV_KEY_MAX];
	int	port;

	addr_local(srv->fd, addr, sizeof(addr), &port);
	if (port < 0)
		snprintf(key, len, "%s", addr);
	else
		addr_desc(addr, port, key, len);
}

void
linesrv_freeze_all(void (*cb)(const struct linesrv_frozen *, void *),
    void *arg)
{
	struct linesrv		*srv;
	struct linesrv_conn	*c;
	struct linesrv_frozen	 f;
	struct evbuffer		*in, *out;
	char			 state[LINESRV_STATE_MAX];

	TAILQ_FOREACH(srv, &servers, entry) {
		memset(&f, 0, sizeof(f));
		server_key(srv, f.key, sizeof(f.key));
		TAILQ_FOREACH(c, &srv->conns, entry) {
			/* Taken away (tcpmux): its new owner has it. */
			if ((f.fd = bufferevent_getfd(c->bev)) < 0)
				continue;
			in = bufferevent_get_input(c->bev);
			out = bufferevent_get_output(c->bev);
			f.closing = c->closing;
			f.inlen = evbuffer_get_length(in);
			f.in = evbuffer_pullup(in, -1);
			f.outlen = evbuffer_get_length(out);
			f.out = evbuffer_pullup(out, -1);
			state[0] = '\0';
			if (srv->ops->freeze != NULL)
				srv->ops->freeze(c, state, sizeof(state),
				    srv->arg);
			f.state = state;
			cb(&f, arg);
		}
	}
}

static struct linesrv *
server_at(const char *key)
{
	struct linesrv	*srv;
	char		 k[LINESRV_KEY_MAX];

	TAILQ_FOREACH(srv, &servers, entry) {
		server_key(srv, k, sizeof(k));
		if (strcmp(k, key) == 0)
			return srv;
	}
	return NULL;
}

/*
 * Bytes the previous binary read go back in front of what comes next.
 * The bufferevent keeps its input's end frozen (only its own reads add
 * there), so open it for this one add, as those reads do.
 */
static int
input_put_back(struct linesrv_conn *c, const void *in, size_t len)
{
	struct evbuffer	*buf = bufferevent_get_input(c->bev);
	int		 r;

	if (len == 0)
		return 0;
	evbuffer_unfreeze(buf, 0);
	r = evbuffer_add(buf, in, len);
	evbuffer_freeze(buf, 0);
	return r;
}

/*
 * The connection was admitted when it was accepted: no access list,
 * rate or cap is asked again (a connection that holds leases must not
 * be cut because the new configuration is stricter).  Its timers start
 * again: the deadline of a line begun and the idle time count from now.
 */
int
linesrv_thaw(const struct linesrv_frozen *f)
{
	struct linesrv		*srv;
	struct linesrv_conn	*c;
	struct linesrv_peer	 p;
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);
	struct timeval		 now = { 0, 0 };

	if ((srv = server_at(f->key)) == NULL)
		return -1;
	(void)fcntl(f->fd, F_SETFD, FD_CLOEXEC);
	(void)fcntl(f->fd, F_SETFL, fcntl(f->fd, F_GETFL) | O_NONBLOCK);
	if (getpeername(f->fd, (struct sockaddr *)&ss, &len) == -1 ||
	    peer_identify(f->fd, &ss, len, &p) == -1) {
		log_warn("%s: a connection handed over: its peer", srv->name);
		close(f->fd);
		return 1;
	}
	if ((c = conn_new(srv, f->fd, &p)) == NULL)
		return 1;
	if (input_put_back(c, f->in, f->inlen) == -1 || (f->outlen > 0 &&
	    evbuffer_add(linesrv_conn_out(c), f->out, f->outlen) == -1)) {
		log_warnx("%s: %s: out of memory for a connection handed "
		    "over", srv->name, p.desc);
		conn_free(c);
		return 1;
	}
	if (f->closing || (srv->ops->thaw != NULL &&
	    srv->ops->thaw(c, f->state, srv->arg) == -1))
		linesrv_conn_close(c);
	/* Its lines run from the loop, once everything is handed over. */
	c->resume = 1;
	evtimer_add(c->timer, &now);
	return 0;
}

/* ---- UNIX sockets ---- */

/* Create the socket's directory (0755) if it is missing. */
static int
unix_parent(const char *path, char *err, size_t errlen)
{
	char		 dir[PATH_MAX];
	char		*slash;
	struct stat	 st;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return 0;
	*slash = '\0';
	if (stat(dir, &st) == 0)
		return 0;
	if (errno != ENOENT || mkdir(dir, 0755) == -1) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	log_info("created %s", dir);
	return 0;
}

/*
 * Make way for our socket.  A socket file nobody answers on is left over
 * from a dead superd and is removed; a live one, or anything that is not
 * a socket, is left alone (never unlink what we did not make).
 */
static int
unix_stale(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	int			 fd, r;

	if (lstat(path, &st) == -1) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket", path);
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	r = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	if (r == 0 || errno == EAGAIN) {
		snprintf(err, errlen, "%s is in use (another superd?)", path);
		return -1;
	}
	if (unlink(path) == -1 && errno != ENOENT) {
		snprintf(err, errlen, "unlink stale %s: %s", path,
		    strerror(errno));
		return -1;
	}
	log_info("removed stale socket %s", path);
	return 0;
}

int
linesrv_set_perms(struct linesrv *srv, mode_t mode, gid_t gid, char *err,
    size_t errlen)
{
	if (srv->path == NULL) {
		snprintf(err, errlen, "%s: not a UNIX socket", srv->name);
		return -1;
	}
	return sockperm_apply(srv->fd, srv->path, (uid_t)-1, gid, mode, NULL,
	    err, errlen);
}

int
linesrv_bind_unix(const char *path, mode_t mode, gid_t gid, char *err,
    size_t errlen)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (path[0] != '/' || strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "socket path %s: not absolute or too "
		    "long", path);
		return -1;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	/* Handed over by an upgrade: bound and listening all along. */
	if ((fd = sockpool_take(SOCK_STREAM, (struct sockaddr *)&sun,
	    sizeof(sun))) >= 0)
		return fd;
	if (unix_parent(path, err, errlen) == -1 ||
	    unix_stale(path, err, errlen) == -1)
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	/* The mode comes with bind, and the group never by path. */
	if (sockperm_bind(fd, (struct sockaddr *)&sun, sizeof(sun), mode) == -1
	    || listen(fd, BACKLOG) == -1) {
		snprintf(err, errlen, "bind %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (gid != (gid_t)-1 && sockperm_apply(fd, path, (uid_t)-1, gid, mode,
	    NULL, err, errlen) == -1) {
		(void)sockperm_unlink(fd, path);
		close(fd);
		return -1;
	}
	return fd;
}
