/*
 * directory_server.c: the directory's sockets and connections.
 *
 * Both sockets run on the line server (linesrv.c), which bounds what a
 * misbehaving client could grow: connections per uid or address with a
 * reserve for root, a request line of PROTO_LINE_MAX bytes (an oversized
 * one gets ETOOBIG and the connection is closed, since we cannot tell
 * where the next request starts), a deadline for a whole line, and
 * replies (a slow reader's requests wait while DS_OUT_HIGH bytes are
 * unread).  An idle connection is closed after line-idle-timeout unless
 * it holds connection-bound leases: those are the registrant's lifeline.
 * Holding a lease does not exempt a connection from its peer's cap.
 *
 * The optional TCP listener is read-only (lookup and list), leaves out
 * uids, pids and UNIX sockets, and is rate-limited per source address.
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "addr.h"
#include "clock.h"
#include "compat.h"
#include "conf.h"
#include "directory.h"
#include "directory_cmd.h"
#include "directory_server.h"
#include "sockpool.h"
#include "linesrv.h"
#include "log.h"
#include "proto.h"
#include "ratelimit.h"
#include "service.h"
#include "srctable.h"

#define DS_PRIORITY		1	/* 0: signals, control; 2: data */
#define DS_BACKLOG		64
#define DS_NGROUPS		64
#define DS_OUT_HIGH		65536
#define DS_OUT_MAX		(4 * 1024 * 1024)

#define DS_REMOTE_MAX_CONNS	16
#define DS_REMOTE_PER_SOURCE	4
#define DS_REMOTE_RATE		10.0	/* requests per second per source */
#define DS_REMOTE_BURST		20
#define DS_REMOTE_IDLE_MS	10000
#define DS_REMOTE_SOURCES	1024

struct dlistener {
	struct linesrv		*srv;
	int			 remote;
	char			*what;		/* path or ADDR:PORT */
};

/* One connection's directory state (the line server owns the socket). */
struct dconn {
	struct linesrv_conn	*lc;
	uint64_t		 id;
	int			 remote;
	struct dir_cred		 cred;
	gid_t			 groups[DS_NGROUPS];
	struct src_entry	*src;		/* remote: per-source state */
	const char		*peer;		/* for log lines */
	TAILQ_ENTRY(dconn)	 entry;		/* local ones: leases bind */
};

static struct {
	struct event_base	*base;
	struct directory	*dir;
	struct dlistener	 local;
	struct dlistener	 remote;
	struct event		*expiry_ev;
	uint64_t		 next_conn;
	struct srctable		*sources;
	struct line_limits	 lim;
	TAILQ_HEAD(, dconn)	 conns;		/* the local connections */
} ds;


static void	 gone_cb(const struct dir_entry *, const char *, void *);
static void	 reload_gone_cb(const struct dir_entry *, const char *, void *);
static void	 expiry_arm(void);

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
	p.export_on = conf->directory_export != 0;
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
		ret = dir_set_policy(ds.dir, &p, reload_gone_cb, NULL) < 0 ?
		    -1 : 0;
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

/*
 * A lease the new configuration no longer allows: a registrant loses
 * its endpoint because of what the admin changed, so say so plainly
 * (and louder than an expiry).
 */
static void
reload_gone_cb(const struct dir_entry *e, const char *why, void *arg)
{
	(void)arg;
	log_notice("directory: reload: L%llu %s %s %s port %u of uid %lu "
	    "removed: %s", (unsigned long long)e->id, e->name,
	    dir_proto_name(e->proto), e->addr, e->port, (unsigned long)e->uid,
	    why);
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
	now = clock_mono_ms();
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
	dir_expire(ds.dir, clock_mono_ms(), gone_cb, NULL);
	expiry_arm();
}

/* Bind the local socket, mode 0666: any local user may use it. */
static int
unix_open(const char *path)
{
	char	err[512];
	int	fd;

	if ((fd = linesrv_bind_unix(path, 0666, (gid_t)-1, err, sizeof(err)))
	    == -1)
		log_warnx("directory: %s", err);
	return fd;
}

/* Bind the read-only TCP socket (directory-listen, parsed by conf.c). */
static int
tcp_open(const struct superd_conf *conf)
{
	const struct sockaddr	*sa = (const struct sockaddr *)&conf->dir_listen_addr;
	int			 fd, one = 1;

	if ((fd = sockpool_take(SOCK_STREAM, sa, conf->dir_listen_len)) >= 0)
		return fd;
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

/*
 * The limits of the line server: the configured ones (line-*), with the
 * remote side's own connection total and an idle timeout of at most
 * DS_REMOTE_IDLE_MS.
 */
static void
limits_for(int remote, struct linesrv_limits *lim)
{
	memset(lim, 0, sizeof(*lim));
	lim->line_max = PROTO_LINE_MAX;
	lim->line_ms = ds.lim.line_timeout * 1000;
	lim->idle_ms = ds.lim.idle_timeout * 1000;
	lim->max_conns = ds.lim.max_conns;
	lim->max_per_peer = ds.lim.max_per_peer;
	lim->root_reserve = remote ? 0 : ds.lim.root_reserve;
	lim->out_high = DS_OUT_HIGH;
	lim->out_max = DS_OUT_MAX;
	if (remote) {
		lim->max_conns = DS_REMOTE_MAX_CONNS;
		if (lim->max_per_peer > DS_REMOTE_PER_SOURCE)
			lim->max_per_peer = DS_REMOTE_PER_SOURCE;
		if (lim->idle_ms > DS_REMOTE_IDLE_MS)
			lim->idle_ms = DS_REMOTE_IDLE_MS;
	}
}

/* A remote peer: its source's token bucket (and a slot in the table). */
static int
remote_admit(const struct linesrv_peer *p, void *arg)
{
	const unsigned char	*a;
	struct src_entry	*s;
	int			 created, fam;

	(void)arg;
	if ((a = addr_bytes((const struct sockaddr *)&p->sa, &fam)) == NULL ||
	    (s = srctable_get(ds.sources, fam, a, &created)) == NULL)
		return -1;
	if (created)
		rl_init(&s->bucket, DS_REMOTE_BURST, clock_mono_ms() / 1e3);
	return rl_take(&s->bucket, DS_REMOTE_RATE, DS_REMOTE_BURST,
	    clock_mono_ms() / 1e3) ? 1 : -1;
}

static int
conn_open(struct linesrv_conn *lc, int remote)
{
	const struct linesrv_peer	*p = linesrv_conn_peer(lc);
	const unsigned char		*a;
	struct dconn			*c;
	socklen_t			 len;
	int				 created, fam;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	c->lc = lc;
	c->id = ++ds.next_conn;
	c->remote = remote;
	c->peer = p->desc;
	if (remote) {
		a = addr_bytes((const struct sockaddr *)&p->sa, &fam);
		c->src = a ? srctable_get(ds.sources, fam, a, &created) : NULL;
	} else {
		c->cred.uid = p->uid;
		c->cred.gid = p->gid;
		c->cred.pid = p->pid;
		c->cred.groups = c->groups;
		TAILQ_INSERT_TAIL(&ds.conns, c, entry);
#ifdef SO_PEERGROUPS
		len = sizeof(c->groups);
		if (getsockopt(linesrv_conn_fd(lc), SOL_SOCKET, SO_PEERGROUPS,
		    c->groups, &len) == 0)
			c->cred.ngroups = len / sizeof(gid_t);
#endif
	}
	(void)len;
	linesrv_conn_set_data(lc, c);
	log_debug("directory: connection %llu from %s",
	    (unsigned long long)c->id, c->peer);
	return 0;
}

static int
local_open_cb(struct linesrv_conn *lc, void *arg)
{
	(void)arg;
	return conn_open(lc, 0);
}

static int
remote_open_cb(struct linesrv_conn *lc, void *arg)
{
	(void)arg;
	return conn_open(lc, 1);
}

/* The connection goes: the leases bound to it go with it. */
static void
conn_close_cb(struct linesrv_conn *lc, void *arg)
{
	struct dconn	*c = linesrv_conn_data(lc);

	(void)arg;
	if (c == NULL)
		return;
	if (!c->remote) {
		TAILQ_REMOVE(&ds.conns, c, entry);
		if (ds.dir != NULL)
			dir_remove_conn(ds.dir, c->id, gone_cb, NULL);
	}
	log_debug("directory: connection %llu (%s) closed",
	    (unsigned long long)c->id, c->peer);
	free(c);
}

/* One request line: run it. */
static int
conn_line_cb(struct linesrv_conn *lc, char *line, size_t len, void *arg)
{
	struct dconn		*c = linesrv_conn_data(lc);
	struct evbuffer		*out = linesrv_conn_out(lc);
	struct dircmd_ctx	 ctx;
	int			 r;

	(void)arg;
	memset(&ctx, 0, sizeof(ctx));
	ctx.dir = ds.dir;
	ctx.cred = c->remote ? NULL : &c->cred;
	ctx.conn = c->remote ? 0 : c->id;
	ctx.now_ms = clock_mono_ms();
	if (c->remote && c->src != NULL && !rl_take(&c->src->bucket,
	    DS_REMOTE_RATE, DS_REMOTE_BURST, ctx.now_ms / 1e3)) {
		dircmd_err(out, proto_code_name(PROTO_C_EBUSY),
		    "rate limit, try again later");
		return LINESRV_KEEP;
	}
	/* Lookups never see a lease past its time, timer or not. */
	dir_expire(ds.dir, ctx.now_ms, gone_cb, NULL);
	r = dircmd_line(&ctx, line, len, out);
	if (r & DIRCMD_CHANGED)
		expiry_arm();
	return (r & DIRCMD_CLOSE) ? LINESRV_CLOSE : LINESRV_KEEP;
}

/*
 * Idle: a connection that holds connection-bound leases is the
 * registrant's lifeline and stays (asked again at the next timeout, so a
 * lease removed meanwhile is noticed).  It still counts against its
 * peer's cap.
 */
static int
conn_keep_idle_cb(struct linesrv_conn *lc, void *arg)
{
	struct dconn	*c = linesrv_conn_data(lc);

	(void)arg;
	return !c->remote && dir_count_conn(ds.dir, c->id) > 0;
}

/*
 * An upgrade: the connection's id, which its connection-bound leases
 * name, and the credentials the ownership checks use (a remote one has
 * none; its rate bucket starts full again in the next binary).
 */
static void
conn_freeze_cb(struct linesrv_conn *lc, char *buf, size_t len, void *arg)
{
	struct dconn	*c = linesrv_conn_data(lc);
	size_t		 i, n;

	(void)arg;
	n = (size_t)snprintf(buf, len, "id=%" PRIu64, c->id);
	if (c->remote || n >= len)
		return;
	n += (size_t)snprintf(buf + n, len - n, " uid=%lu gid=%lu pid=%ld "
	    "groups=", (unsigned long)c->cred.uid, (unsigned long)c->cred.gid,
	    (long)c->cred.pid);
	for (i = 0; i < c->cred.ngroups && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%lu", i ? "," : "",
		    (unsigned long)c->groups[i]);
}

/* "a,b,c" into c's supplementary groups; -1 if malformed. */
static int
groups_parse(struct dconn *c, const char *s)
{
	char	*end;

	c->cred.ngroups = 0;
	while (*s != '\0' && c->cred.ngroups < DS_NGROUPS) {
		errno = 0;
		c->groups[c->cred.ngroups++] = (gid_t)strtoul(s, &end, 10);
		if (errno != 0 || end == s || (*end != ',' && *end != '\0'))
			return -1;
		s = *end == ',' ? end + 1 : end;
	}
	return *s == '\0' ? 0 : -1;
}

/* " uid=U gid=G pid=P groups=A,B" into c's credentials; -1 if malformed. */
static int
cred_parse(struct dconn *c, const char *s)
{
	unsigned long	uid, gid;
	long		pid;
	int		n = -1;

	if (sscanf(s, " uid=%lu gid=%lu pid=%ld groups=%n", &uid, &gid, &pid,
	    &n) != 3 || n < 0 || groups_parse(c, s + n) == -1)
		return -1;
	c->cred.uid = (uid_t)uid;
	c->cred.gid = (gid_t)gid;
	c->cred.pid = (pid_t)pid;
	return 0;
}

/* The next binary takes the connection back as the last one left it. */
static int
conn_thaw_cb(struct linesrv_conn *lc, const char *state, void *arg)
{
	struct dconn		*c = linesrv_conn_data(lc);
	unsigned long long	 id;
	int			 n = -1;

	(void)arg;
	if (sscanf(state, "id=%llu%n", &id, &n) != 1 || id == 0 || n < 0 ||
	    (!c->remote && cred_parse(c, state + n) == -1)) {
		log_warnx("directory: connection from %s handed over without "
		    "its state (\"%s\"); closed", c->peer, state);
		dircmd_err(linesrv_conn_out(lc), proto_code_name(PROTO_C_EBUSY),
		    "superd was upgraded and lost this connection's state, "
		    "connect again");
		return -1;
	}
	c->id = id;
	/* Ids of this binary's connections follow the handed-over ones. */
	if (ds.next_conn < id)
		ds.next_conn = id;
	log_debug("directory: connection %llu from %s handed over", id,
	    c->peer);
	return 0;
}

static const struct linesrv_ops local_ops = {
	.open = local_open_cb,
	.line = conn_line_cb,
	.keep_idle = conn_keep_idle_cb,
	.close = conn_close_cb,
	.freeze = conn_freeze_cb,
	.thaw = conn_thaw_cb,
};

static const struct linesrv_ops remote_ops = {
	.admit = remote_admit,
	.open = remote_open_cb,
	.line = conn_line_cb,
	.close = conn_close_cb,
	.freeze = conn_freeze_cb,
	.thaw = conn_thaw_cb,
};

static void
listener_close(struct dlistener *l)
{
	linesrv_free(l->srv);
	free(l->what);
	memset(l, 0, sizeof(*l));
}

/* Serve a bound socket. */
static int
listener_start(struct dlistener *l, int fd, int remote, const char *what)
{
	struct linesrv_limits	lim;

	limits_for(remote, &lim);
	l->remote = remote;
	l->srv = linesrv_new(ds.base, fd, DS_PRIORITY, remote ?
	    "directory (remote)" : "directory", remote ? NULL : what, &lim,
	    remote ? &remote_ops : &local_ops, NULL);
	l->what = strdup(what);
	if (l->srv == NULL || l->what == NULL) {
		log_warnx("directory: out of memory");
		listener_close(l);
		return -1;
	}
	log_info("directory: listening on %s%s", what,
	    remote ? " (read-only)" : "");
	return 0;
}

/* Replace a listener if its address changed (new socket first). */
static int
reopen(struct dlistener *l, const char *what, int remote,
    const struct superd_conf *conf)
{
	struct linesrv_limits	lim;
	int			fd = -1;

	if (what != NULL && what[0] == '\0')
		what = NULL;
	if ((what == NULL && l->what == NULL) ||
	    (what != NULL && l->what != NULL && strcmp(what, l->what) == 0)) {
		if (l->srv != NULL) {
			limits_for(remote, &lim);
			linesrv_set_limits(l->srv, &lim);
		}
		return 0;
	}
	if (what != NULL && (fd = remote ? tcp_open(conf) : unix_open(what))
	    == -1)
		return -1;
	if (l->what != NULL)
		log_info("directory: no longer listening on %s", l->what);
	listener_close(l);
	if (fd == -1)
		return 0;
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

uint64_t
directory_next_lease_id(void)
{
	return ds.dir != NULL ? dir_next_id(ds.dir) : 0;
}

void
directory_skip_lease_ids(uint64_t next)
{
	if (ds.dir != NULL)
		dir_skip_to(ds.dir, next);
}

/* Is conn a local connection open now? */
static int
conn_is_open(uint64_t id)
{
	struct dconn	*c;

	TAILQ_FOREACH(c, &ds.conns, entry)
		if (c->id == id)
			return 1;
	return 0;
}

int
directory_restore_lease(const struct dir_reg *r, const struct dir_cred *c)
{
	enum dir_err	err;
	uint64_t	id;
	unsigned	ttl;

	if (ds.dir == NULL)
		return DIR_ENOMEM;
	/* Bound to a connection not handed over: it ended with it. */
	if (r->conn != 0 && !conn_is_open(r->conn))
		return DIR_ENOCONN;
	if ((err = dir_register(ds.dir, r, c, clock_mono_ms(), &id, &ttl)) == DIR_OK)
		expiry_arm();
	return err;
}

/* Open the sockets and start serving. */
int
directory_start(struct event_base *base, const struct superd_conf *conf)
{
	if (ds.base != NULL)
		directory_stop();
	memset(&ds, 0, sizeof(ds));
	TAILQ_INIT(&ds.conns);
	ds.base = base;
	ds.lim = conf->line;
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
	ds.lim = conf->line;
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
	listener_close(&ds.local);
	listener_close(&ds.remote);
	if (ds.expiry_ev != NULL)
		event_free(ds.expiry_ev);
	dir_free(ds.dir);
	srctable_free(ds.sources);
	memset(&ds, 0, sizeof(ds));
}
