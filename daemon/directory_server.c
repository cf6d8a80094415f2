/*
 * directory_server.c: the directory's sockets and connections.
 *
 * Everything a misbehaving client could grow is bounded here: at most
 * DS_MAX_CONNS local connections (DS_MAX_CONNS_UID per non-root uid), a
 * request line of PROTO_LINE_MAX bytes (an oversized one gets ETOOBIG and
 * the connection is closed, since we cannot tell where the next request
 * starts), input capped by a read watermark, and output capped too:
 * while a slow reader has DS_OUT_HIGH bytes unread, we stop reading its
 * requests, so it cannot make us queue replies without end.  An idle
 * connection is closed after 60 s, unless it holds connection-bound
 * leases: those are the registrant's lifeline, and it has nothing to say
 * until it wants to change them.
 *
 * The optional TCP listener is read-only (lookup and list), leaves out
 * uids, pids and UNIX sockets, and is rate-limited per source address.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "compat.h"
#include "conf.h"
#include "directory.h"
#include "directory_cmd.h"
#include "directory_server.h"
#include "log.h"
#include "proto.h"
#include "ratelimit.h"
#include "service.h"
#include "srctable.h"

#define DS_PRIORITY		1	/* 0: signals, control; 2: data */
#define DS_MAX_CONNS		32
#define DS_MAX_CONNS_UID	16	/* one user cannot take every slot */
#define DS_IDLE_MS		60000
#define DS_CLOSE_MS		5000	/* to deliver a last reply */
#define DS_BACKLOG		64
#define DS_ACCEPT_BATCH		16
#define DS_NGROUPS		64
#define DS_IN_HIGH		(2 * PROTO_LINE_MAX)
#define DS_OUT_HIGH		65536
#define DS_OUT_LOW		16384

#define DS_REMOTE_MAX_CONNS	16
#define DS_REMOTE_PER_SOURCE	4
#define DS_REMOTE_RATE		10.0	/* requests per second per source */
#define DS_REMOTE_BURST		20
#define DS_REMOTE_IDLE_MS	10000
#define DS_REMOTE_SOURCES	1024

struct dlistener {
	int			 fd;
	struct event		*ev;
	struct event		*pause_ev;	/* EMFILE back-off */
	int			 remote;
	char			*what;		/* path or ADDR:PORT */
	dev_t			 dev;		/* of the socket file we made */
	ino_t			 ino;
};

struct dconn {
	TAILQ_ENTRY(dconn)	 entry;
	struct bufferevent	*bev;
	uint64_t		 id;
	int			 remote;
	struct dir_cred		 cred;
	gid_t			 groups[DS_NGROUPS];
	struct src_entry	*src;		/* remote: per-source state */
	char			 peer[64];	/* for log lines */
	int			 closing;	/* flushing a last reply */
	int			 paused;	/* output over DS_OUT_HIGH */
};

static struct {
	struct event_base	*base;
	struct directory	*dir;
	struct dlistener	 local;
	struct dlistener	 remote;
	struct event		*expiry_ev;
	TAILQ_HEAD(, dconn)	 conns;
	unsigned		 nlocal;
	unsigned		 nremote;
	uint64_t		 next_conn;
	struct srctable		*sources;
} ds;

static unsigned	idle_ms = DS_IDLE_MS;

static uint64_t	 now_ms(void);
static int	 is_config_name(const char *, void *);
static int	 policy_apply(const struct superd_conf *);
static void	 gone_cb(const struct dir_entry *, const char *, void *);
static void	 expiry_arm(void);
static void	 expiry_cb(evutil_socket_t, short, void *);
static int	 unix_parent(const char *);
static int	 unix_stale(const char *);
static int	 unix_open(const char *, struct stat *);
static int	 tcp_open(const struct superd_conf *);
static int	 listener_start(struct dlistener *, int, int, const char *);
static void	 listener_close(struct dlistener *);
static void	 listener_pause_cb(evutil_socket_t, short, void *);
static void	 accept_cb(evutil_socket_t, short, void *);
static void	 refuse(int, const char *);
static struct dconn *conn_local(int);
static struct dconn *conn_remote(int, const struct sockaddr_storage *);
static struct dconn *conn_new(int, int);
static void	 conn_timeouts(struct dconn *);
static void	 conn_free(struct dconn *);
static void	 conn_close_soon(struct dconn *);
static void	 conn_process(struct dconn *);
static int	 conn_line(struct dconn *, const char *, size_t);
static void	 conn_read_cb(struct bufferevent *, void *);
static void	 conn_write_cb(struct bufferevent *, void *);
static void	 conn_event_cb(struct bufferevent *, short, void *);
static int	 reopen(struct dlistener *, const char *, int,
		    const struct superd_conf *);

/* Leases run on the monotonic clock: a clock step must not expire them. */
static uint64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Configured services own their names (the table asks us). */
static int
is_config_name(const char *name, void *arg)
{
	struct service_info	i;

	(void)arg;
	return service_get_info(name, NULL, &i) == 0;
}

/* Give the table the limits and reservations of conf. */
static int
policy_apply(const struct superd_conf *conf)
{
	struct dir_policy	 p;
	struct dir_reserve	*r = NULL;
	size_t			 i, n = 0;
	int			 ret;

	memset(&p, 0, sizeof(p));
	p.ttl_min = conf->dir_ttl_min;
	p.ttl_max = conf->dir_ttl_max;
	p.max_entries = conf->dir_max_entries;
	p.max_per_uid = conf->dir_max_per_uid;
	p.config_name = is_config_name;
	p.export_on = conf->directory_export != DIR_EXPORT_NONE;
	if (conf->n_dir_allow > 0 &&
	    (r = calloc(conf->n_dir_allow, sizeof(*r))) == NULL) {
		log_warn("directory: reservations");
		return -1;
	}
	for (i = 0; i < conf->n_dir_allow; i++) {
		if (!dir_name_ok(conf->dir_allow[i].name)) {
			log_warnx("directory: directory-allow %s: not a "
			    "service name, ignored", conf->dir_allow[i].name);
			continue;
		}
		snprintf(r[n].name, sizeof(r[n].name), "%s",
		    conf->dir_allow[i].name);
		r[n].by_group = conf->dir_allow[i].by_group;
		r[n].uid = conf->dir_allow[i].uid;
		r[n].gid = conf->dir_allow[i].gid;
		n++;
	}
	p.reserve = r;
	p.nreserve = n;
	if (ds.dir == NULL) {
		ret = (ds.dir = dir_new(&p)) == NULL ? -1 : 0;
	} else
		ret = dir_set_policy(ds.dir, &p, gone_cb, NULL) < 0 ? -1 : 0;
	free(r);
	if (ret == -1)
		log_warnx("directory: out of memory applying the limits");
	return ret;
}

/* Log a lease that left without being asked to. */
static void
gone_cb(const struct dir_entry *e, const char *why, void *arg)
{
	(void)arg;
	log_info("directory: L%llu %s %s %s port %u of uid %lu removed: %s",
	    (unsigned long long)e->id, e->name, dir_proto_name(e->proto),
	    e->addr, e->port, (unsigned long)e->uid, why);
}

/* Wake up when the earliest lease expires (one timer for all). */
static void
expiry_arm(void)
{
	uint64_t	next, now;
	struct timeval	tv;

	if (ds.expiry_ev == NULL)
		return;
	if ((next = dir_next_expiry(ds.dir)) == 0) {
		evtimer_del(ds.expiry_ev);
		return;
	}
	now = now_ms();
	next = next > now ? next - now : 0;
	tv.tv_sec = (time_t)(next / 1000);
	tv.tv_usec = (suseconds_t)(next % 1000) * 1000;
	evtimer_add(ds.expiry_ev, &tv);
}

/* Timer: drop what expired, then wait for the next. */
static void
expiry_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	dir_expire(ds.dir, now_ms(), gone_cb, NULL);
	expiry_arm();
}

/* Create the socket's directory (0755) if it is missing. */
static int
unix_parent(const char *path)
{
	char		 dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char		*slash;
	struct stat	 st;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return 0;
	*slash = '\0';
	if (stat(dir, &st) == 0)
		return 0;
	if (errno != ENOENT || mkdir(dir, 0755) == -1) {
		log_warn("directory: %s", dir);
		return -1;
	}
	log_info("directory: created %s", dir);
	return 0;
}

/*
 * Make way for our socket.  A socket file nobody answers on is left over
 * from a dead superd and is removed; a live one, or anything that is not
 * a socket, is left alone (never unlink what we did not make).
 */
static int
unix_stale(const char *path)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	int			 fd, r;

	if (lstat(path, &st) == -1)
		return errno == ENOENT ? 0 : (log_warn("directory: %s", path),
		    -1);
	if (!S_ISSOCK(st.st_mode)) {
		log_warnx("directory: %s exists and is not a socket", path);
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		log_warn("directory: socket");
		return -1;
	}
	r = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	if (r == 0 || errno == EAGAIN) {
		log_warnx("directory: %s is in use by another process", path);
		return -1;
	}
	if (unlink(path) == -1 && errno != ENOENT) {
		log_warn("directory: unlink %s", path);
		return -1;
	}
	log_info("directory: removed stale socket %s", path);
	return 0;
}

/* Bind the local socket, mode 0666: any local user may use it. */
static int
unix_open(const char *path, struct stat *st)
{
	struct sockaddr_un	 sun;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (path[0] != '/' || strlen(path) >= sizeof(sun.sun_path)) {
		log_warnx("directory: socket path %s: not absolute or too long",
		    path);
		return -1;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (unix_parent(path) == -1 || unix_stale(path) == -1)
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		log_warn("directory: socket");
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    chmod(path, 0666) == -1 || listen(fd, DS_BACKLOG) == -1 ||
	    stat(path, st) == -1) {
		log_warn("directory: %s", path);
		close(fd);
		return -1;
	}
	return fd;
}

/* Bind the read-only TCP socket (directory-listen, parsed by conf.c). */
static int
tcp_open(const struct superd_conf *conf)
{
	const struct sockaddr	*sa = (const struct sockaddr *)&conf->dir_listen_addr;
	int			 fd, one = 1;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) == -1 || bind(fd, sa, conf->dir_listen_len) == -1 ||
	    listen(fd, DS_BACKLOG) == -1) {
		log_warn("directory: directory-listen %s",
		    conf->directory_listen);
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

/* Poll a bound socket for connections. */
static int
listener_start(struct dlistener *l, int fd, int remote, const char *what)
{
	l->fd = fd;
	l->remote = remote;
	l->ev = event_new(ds.base, fd, EV_READ | EV_PERSIST, accept_cb, l);
	l->pause_ev = evtimer_new(ds.base, listener_pause_cb, l);
	l->what = strdup(what);
	if (l->ev == NULL || l->pause_ev == NULL || l->what == NULL) {
		log_warnx("directory: out of memory");
		listener_close(l);
		return -1;
	}
	event_priority_set(l->ev, DS_PRIORITY);
	event_priority_set(l->pause_ev, DS_PRIORITY);
	event_add(l->ev, NULL);
	log_info("directory: listening on %s%s", what,
	    remote ? " (read-only)" : "");
	return 0;
}

/* Stop listening; remove the socket file if it is still the one we made. */
static void
listener_close(struct dlistener *l)
{
	struct stat	st;

	if (l->ev != NULL)
		event_free(l->ev);
	if (l->pause_ev != NULL)
		event_free(l->pause_ev);
	if (l->fd >= 0)
		close(l->fd);
	if (!l->remote && l->what != NULL && lstat(l->what, &st) == 0 &&
	    st.st_dev == l->dev && st.st_ino == l->ino)
		unlink(l->what);
	free(l->what);
	memset(l, 0, sizeof(*l));
	l->fd = -1;
}

/* Out of descriptors: listen again a second later. */
static void
listener_pause_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dlistener	*l = arg;

	(void)fd;
	(void)what;
	event_add(l->ev, NULL);
}

/* Turn a client away with one line; it must not block us. */
static void
refuse(int fd, const char *text)
{
	char	line[128];
	int	n;

	n = snprintf(line, sizeof(line), "ERR EBUSY %s\n", text);
	(void)send(fd, line, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL);
	close(fd);
}

/* Accept a batch of connections (a flood cannot starve the loop). */
static void
accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct dlistener	*l = arg;
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	struct timeval		 tv = { 1, 0 };
	int			 fd, i;

	(void)what;
	for (i = 0; i < DS_ACCEPT_BATCH; i++) {
		len = sizeof(ss);
		fd = accept4(lfd, (struct sockaddr *)&ss, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				log_warn("directory: accept on %s", l->what);
				event_del(l->ev);
				evtimer_add(l->pause_ev, &tv);
			} else if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED)
				log_warn("directory: accept on %s", l->what);
			return;
		}
		if (l->remote)
			conn_remote(fd, &ss);
		else
			conn_local(fd);
	}
}

/* A local peer: who it is (SO_PEERCRED), and whether there is room. */
static struct dconn *
conn_local(int fd)
{
	struct ucred	 uc;
	socklen_t	 len = sizeof(uc);
	struct dconn	*c;
	unsigned	 same = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) == -1) {
		log_warn("directory: SO_PEERCRED");
		close(fd);
		return NULL;
	}
	TAILQ_FOREACH(c, &ds.conns, entry)
		if (!c->remote && c->cred.uid == uc.uid)
			same++;
	if (ds.nlocal >= DS_MAX_CONNS ||
	    (uc.uid != 0 && same >= DS_MAX_CONNS_UID)) {
		log_notice("directory: uid %lu pid %ld refused: too many "
		    "connections", (unsigned long)uc.uid, (long)uc.pid);
		refuse(fd, ds.nlocal >= DS_MAX_CONNS ? "too many connections" :
		    "too many connections from this user");
		return NULL;
	}
	if ((c = conn_new(fd, 0)) == NULL)
		return NULL;
	c->cred.uid = uc.uid;
	c->cred.gid = uc.gid;
	c->cred.pid = uc.pid;
	c->cred.groups = c->groups;
#ifdef SO_PEERGROUPS
	len = sizeof(c->groups);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, c->groups, &len) == 0)
		c->cred.ngroups = len / sizeof(gid_t);
#endif
	snprintf(c->peer, sizeof(c->peer), "uid %lu pid %ld",
	    (unsigned long)uc.uid, (long)uc.pid);
	ds.nlocal++;
	log_debug("directory: connection %llu from %s",
	    (unsigned long long)c->id, c->peer);
	return c;
}

/* A remote peer: its source's connection count and token bucket. */
static struct dconn *
conn_remote(int fd, const struct sockaddr_storage *ss)
{
	const unsigned char	*a;
	struct src_entry	*s;
	struct dconn		*c;
	int			 created, fam = ss->ss_family;

	a = fam == AF_INET6 ?
	    ((const struct sockaddr_in6 *)ss)->sin6_addr.s6_addr :
	    (const unsigned char *)&((const struct sockaddr_in *)ss)->sin_addr;
	if ((s = srctable_get(ds.sources, fam, a, &created)) == NULL) {
		refuse(fd, "too many sources");
		return NULL;
	}
	if (created)
		rl_init(&s->bucket, DS_REMOTE_BURST, now_ms() / 1e3);
	if (ds.nremote >= DS_REMOTE_MAX_CONNS ||
	    s->active >= DS_REMOTE_PER_SOURCE ||
	    !rl_take(&s->bucket, DS_REMOTE_RATE, DS_REMOTE_BURST,
	    now_ms() / 1e3)) {
		refuse(fd, "rate limit or too many connections");
		return NULL;
	}
	if ((c = conn_new(fd, 1)) == NULL)
		return NULL;
	c->src = s;
	s->active++;
	ds.nremote++;
	if (getnameinfo((const struct sockaddr *)ss, fam == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in), c->peer,
	    sizeof(c->peer), NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(c->peer, sizeof(c->peer), "?");
	return c;
}

/* Wrap fd in a bufferevent with our limits. */
static struct dconn *
conn_new(int fd, int remote)
{
	struct dconn	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->bev = bufferevent_socket_new(ds.base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		log_warnx("directory: out of memory for a connection");
		free(c);
		close(fd);
		return NULL;
	}
	c->id = ++ds.next_conn;
	c->remote = remote;
	bufferevent_priority_set(c->bev, DS_PRIORITY);
	bufferevent_setcb(c->bev, conn_read_cb, conn_write_cb, conn_event_cb, c);
	bufferevent_setwatermark(c->bev, EV_READ, 0, DS_IN_HIGH);
	bufferevent_setwatermark(c->bev, EV_WRITE, DS_OUT_LOW, 0);
	conn_timeouts(c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	TAILQ_INSERT_TAIL(&ds.conns, c, entry);
	return c;
}

/* Idle (read) and stuck-reader (write) timeouts; see conn_event_cb. */
static void
conn_timeouts(struct dconn *c)
{
	unsigned	ms = c->closing ? DS_CLOSE_MS : idle_ms;
	struct timeval	tv;

	if (c->remote && !c->closing && ms > DS_REMOTE_IDLE_MS)
		ms = DS_REMOTE_IDLE_MS;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	bufferevent_set_timeouts(c->bev, &tv, &tv);
}

/* Close now: the leases bound to this connection go with it. */
static void
conn_free(struct dconn *c)
{
	if (!c->remote) {
		dir_remove_conn(ds.dir, c->id, gone_cb, NULL);
		ds.nlocal--;
	} else {
		c->src->active--;
		ds.nremote--;
	}
	log_debug("directory: connection %llu (%s) closed",
	    (unsigned long long)c->id, c->peer);
	TAILQ_REMOVE(&ds.conns, c, entry);
	bufferevent_free(c->bev);
	free(c);
}

/* Send what is queued, then close; read nothing more. */
static void
conn_close_soon(struct dconn *c)
{
	struct evbuffer	*in = bufferevent_get_input(c->bev);

	c->closing = 1;
	bufferevent_disable(c->bev, EV_READ);
	evbuffer_drain(in, evbuffer_get_length(in));
	if (!c->remote)
		dir_remove_conn(ds.dir, c->id, gone_cb, NULL);
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0) {
		conn_free(c);
		return;
	}
	bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
	conn_timeouts(c);
}

/* One request line: run it; 1 if the connection must close. */
static int
conn_line(struct dconn *c, const char *line, size_t len)
{
	struct evbuffer		*out = bufferevent_get_output(c->bev);
	struct dircmd_ctx	 ctx;
	int			 r;

	memset(&ctx, 0, sizeof(ctx));
	ctx.dir = ds.dir;
	ctx.cred = c->remote ? NULL : &c->cred;
	ctx.conn = c->remote ? 0 : c->id;
	ctx.now_ms = now_ms();
	if (c->remote && !rl_take(&c->src->bucket, DS_REMOTE_RATE,
	    DS_REMOTE_BURST, ctx.now_ms / 1e3)) {
		dircmd_err(out, "EBUSY", "rate limit, try again later");
		return 0;
	}
	/* Lookups never see a lease past its time, timer or not. */
	dir_expire(ds.dir, ctx.now_ms, gone_cb, NULL);
	r = dircmd_line(&ctx, line, len, out);
	if (r & DIRCMD_CHANGED)
		expiry_arm();
	return r & DIRCMD_CLOSE;
}

/* Run every complete request queued, as long as output has room. */
static void
conn_process(struct dconn *c)
{
	struct evbuffer		*in = bufferevent_get_input(c->bev);
	struct evbuffer		*out = bufferevent_get_output(c->bev);
	struct evbuffer_ptr	 eol;
	char			 line[PROTO_LINE_MAX];
	size_t			 len, eollen;

	while (!c->closing) {
		if (evbuffer_get_length(out) >= DS_OUT_HIGH) {
			c->paused = 1;
			bufferevent_disable(c->bev, EV_READ);
			return;
		}
		eol = evbuffer_search_eol(in, NULL, &eollen, EVBUFFER_EOL_LF);
		if (eol.pos < 0 && evbuffer_get_length(in) < PROTO_LINE_MAX)
			return;		/* wait for the rest of the line */
		len = eol.pos < 0 ? PROTO_LINE_MAX : (size_t)eol.pos;
		if (len + 1 > PROTO_LINE_MAX) {
			log_notice("directory: %s: request too long, closing",
			    c->peer);
			dircmd_err(out, "ETOOBIG", proto_strerror(PROTO_ETOOBIG));
			conn_close_soon(c);
			return;
		}
		evbuffer_remove(in, line, len + 1);
		if (conn_line(c, line, len)) {
			conn_close_soon(c);
			return;
		}
	}
}

/* Data in. */
static void
conn_read_cb(struct bufferevent *bev, void *arg)
{
	(void)bev;
	conn_process(arg);
}

/* Output drained below its low mark: finish closing, or read again. */
static void
conn_write_cb(struct bufferevent *bev, void *arg)
{
	struct dconn	*c = arg;

	if (c->closing) {
		if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
			conn_free(c);
		return;
	}
	if (c->paused) {
		c->paused = 0;
		bufferevent_enable(bev, EV_READ);
		conn_process(c);
	}
}

/*
 * EOF, error or timeout.  An idle connection that holds connection-bound
 * leases is the registrant's lifeline: it is kept (asked again at the
 * next timeout, so a lease removed meanwhile is noticed).
 */
static void
conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct dconn	*c = arg;

	if ((what & BEV_EVENT_TIMEOUT) && (what & BEV_EVENT_READING) &&
	    !c->closing && !c->remote && dir_count_conn(ds.dir, c->id) > 0) {
		bufferevent_enable(bev, EV_READ);
		return;
	}
	if (what & BEV_EVENT_TIMEOUT)
		log_debug("directory: %s: %s timeout", c->peer,
		    c->closing ? "close" : "idle");
	if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_WRITING) &&
	    !c->closing &&
	    evbuffer_get_length(bufferevent_get_output(bev)) > 0) {
		/* Half-closed: the client still gets its replies. */
		conn_close_soon(c);
		return;
	}
	conn_free(c);
}

/* Replace a listener if its address changed (new socket first). */
static int
reopen(struct dlistener *l, const char *what, int remote,
    const struct superd_conf *conf)
{
	struct stat	st;
	int		fd = -1;

	if (what != NULL && what[0] == '\0')
		what = NULL;
	if ((what == NULL && l->what == NULL) ||
	    (what != NULL && l->what != NULL && strcmp(what, l->what) == 0))
		return 0;
	memset(&st, 0, sizeof(st));
	if (what != NULL && (fd = remote ? tcp_open(conf) :
	    unix_open(what, &st)) == -1)
		return -1;
	if (l->what != NULL)
		log_info("directory: no longer listening on %s", l->what);
	listener_close(l);
	if (fd == -1)
		return 0;
	l->dev = st.st_dev;
	l->ino = st.st_ino;
	return listener_start(l, fd, remote, what);
}

/* Every lease, in (name, id) order (export.c publishes some). */
void
directory_foreach_lease(void (*cb)(const struct dir_entry *, void *),
    void *arg)
{
	const struct dir_entry	*e;

	if (ds.dir == NULL)
		return;
	for (e = dir_seek(ds.dir, "", 0); e != NULL; e = dir_next(ds.dir, e))
		cb(e, arg);
}

/* Open the sockets and start serving. */
int
directory_start(struct event_base *base, const struct superd_conf *conf)
{
	if (ds.base != NULL)
		directory_stop();
	memset(&ds, 0, sizeof(ds));
	ds.local.fd = ds.remote.fd = -1;
	ds.base = base;
	TAILQ_INIT(&ds.conns);
	if ((ds.sources = srctable_new(DS_REMOTE_SOURCES, 32, 64)) == NULL ||
	    (ds.expiry_ev = evtimer_new(base, expiry_cb, NULL)) == NULL ||
	    policy_apply(conf) == -1) {
		log_warnx("directory: cannot start: out of memory");
		directory_stop();
		return -1;
	}
	event_priority_set(ds.expiry_ev, DS_PRIORITY);
	if (conf->directory_socket == NULL || conf->directory_socket[0] == '\0')
		log_info("directory: no directory-socket, local directory off");
	if (reopen(&ds.local, conf->directory_socket, 0, conf) == -1 ||
	    reopen(&ds.remote, conf->directory_listen, 1, conf) == -1) {
		log_warnx("directory: cannot start");
		directory_stop();
		return -1;
	}
	return 0;
}

/* New limits, reservations and addresses after a reload. */
void
directory_reconfigure(const struct superd_conf *conf)
{
	if (ds.base == NULL)
		return;
	if (policy_apply(conf) == -1)
		log_warnx("directory: keeping the old limits");
	if (reopen(&ds.local, conf->directory_socket, 0, conf) == -1)
		log_warnx("directory: still listening on %s",
		    ds.local.what ? ds.local.what : "nothing");
	if (reopen(&ds.remote, conf->directory_listen, 1, conf) == -1)
		log_warnx("directory: remote lookups still on %s",
		    ds.remote.what ? ds.remote.what : "nothing");
	expiry_arm();
}

/* Close every connection and socket; forget every lease. */
void
directory_stop(void)
{
	if (ds.base == NULL)
		return;
	while (!TAILQ_EMPTY(&ds.conns))
		conn_free(TAILQ_FIRST(&ds.conns));
	listener_close(&ds.local);
	listener_close(&ds.remote);
	if (ds.expiry_ev != NULL)
		event_free(ds.expiry_ev);
	dir_free(ds.dir);
	srctable_free(ds.sources);
	memset(&ds, 0, sizeof(ds));
}

/* Tests shorten the idle timeout rather than wait a minute. */
void
directory_test_idle_ms(unsigned ms)
{
	idle_ms = ms;
}
