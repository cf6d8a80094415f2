/*
 * handover.c: the request table across crashes and upgrades.  See
 * handover.h.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "builtin.h"
#include "carry.h"
#include "cgroup.h"
#include "clock.h"
#include "conf.h"
#include "directory.h"
#include "directory_server.h"
#include "handover.h"
#include "handover_bytes.h"
#include "handover_conns.h"
#include "log.h"
#include "logq.h"
#include "request.h"
#include "rundir.h"
#include "service.h"
#include "session.h"
#include "sockpool.h"
#include "statefile.h"
#include "upcheck.h"

#define DRAIN_MAX_MS		1000	/* for workers to give theirs back */
#define DRAIN_TICK_MS		5

static struct {
	struct event_base	*base;
	char			**argv;
	const char		*conf_path;
	char			 path[PATH_MAX];
	struct event		*timer;
	struct statefile	 prev;		/* read at start */
	int			 own;		/* prev is an upgrade's */
	unsigned long long	 pstart;	/* ours */
	uint64_t		 id_mark;	/* next_id the file records */
	struct {				/* an upgrade waiting */
		char		*binary;
		int		 ctl_fd;	/* a dup of the asker's */
		struct event	*tick;
		struct timespec	 since;
		int		 paused;	/* accepting stopped */
	}			 up;
} ho = { .up = { .ctl_fd = -1 } };

static void	write_cb(evutil_socket_t, short, void *);

void
handover_init(struct event_base *base, char **argv, const char *conf_path)
{
	ho.base = base;
	ho.argv = argv;
	ho.conf_path = conf_path;
	ho.timer = evtimer_new(base, write_cb, NULL);
	ho.pstart = proc_start_time(getpid());
	statefile_init(&ho.prev);
}

void
handover_configure(const struct superd_conf *conf)
{
	char	dir[PATH_MAX], *slash;

	if (conf->control_socket != NULL && *conf->control_socket != '\0') {
		snprintf(dir, sizeof(dir), "%s", conf->control_socket);
		if ((slash = strrchr(dir, '/')) != NULL)
			*slash = '\0';
		else
			snprintf(dir, sizeof(dir), ".");
	} else if (rundir_path(dir, sizeof(dir)) == -1)
		return;
	if ((size_t)snprintf(ho.path, sizeof(ho.path), "%s/%s", dir,
	    STATEFILE_NAME) >= sizeof(ho.path))
		ho.path[0] = '\0';
}

/* ---- writing ---- */

static long long
wall_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct collect {
	struct statefile	*sf;
	int			 upgrade;
	int			 failed;
};

static void
collect_req(struct session *s, void *arg)
{
	struct collect	*c = arg;
	struct state_req q;

	/* A builtin connection dies with superd: only an upgrade keeps it. */
	if (!c->upgrade && s->pid <= 0)
		return;
	request_export(s, &q, c->upgrade);
	if (statefile_add_req(c->sf, &q) == -1)
		c->failed = 1;
}

/* Where a builtin connection on the loop stands (upgrade only). */
static void
collect_bconn(struct session *s, void *arg)
{
	struct collect		*c = arg;
	struct builtin_state	 st;
	struct state_bconn	 b;

	if (request_builtin_state(s, &st) == -1)
		return;
	b.id = s->id;
	b.pos = st.pos;
	b.len = st.len;
	if (hobytes_put(st.pending, st.len, &b.at) == -1 ||
	    statefile_add_bconn(c->sf, &b) == -1)
		c->failed = 1;
}

static void
collect_listener(const char *name, const char *proto, int fd, void *arg)
{
	struct collect	*c = arg;

	if (fcntl(fd, F_SETFD, 0) == -1 ||
	    statefile_add_listen(c->sf, name, proto, fd) == -1)
		c->failed = 1;
}

/* A lease, kept as state (a connection-bound one with its connection). */
static void
collect_lease(const struct dir_entry *e, void *arg)
{
	struct collect		*c = arg;
	struct state_lease	 l;
	size_t			 i;

	memset(&l, 0, sizeof(l));
	l.id = e->id;
	snprintf(l.name, sizeof(l.name), "%s", e->name);
	snprintf(l.proto, sizeof(l.proto), "%s", dir_proto_name(e->proto));
	snprintf(l.addr, sizeof(l.addr), "%s", e->addr);
	l.port = e->port;
	l.prio = e->prio;
	l.weight = e->weight;
	l.ttl = e->ttl;
	l.expires_ms = e->expires_ms;
	l.uid = (long)e->uid;
	l.gid = (long)e->gid;
	l.pid = (long)e->pid;
	l.export = e->export;
	for (i = 0; i < e->ntags && i < STATE_TAGS; i++)
		snprintf(l.tags[i], sizeof(l.tags[i]), "%s", e->tags[i]);
	l.ntags = i;
	l.conn = e->conn;
	for (i = 0; i < e->ngroups && i < STATE_GROUPS; i++)
		l.groups[i] = (long)e->groups[i];
	l.ngroups = i;
	if (statefile_add_lease(c->sf, &l) == -1)
		c->failed = 1;
}

/* Is fd one of the services' sockets, listed already? */
static int
listed(const struct statefile *sf, int fd)
{
	size_t	i;

	for (i = 0; i < sf->nls; i++)
		if (sf->ls[i].fd == fd)
			return 1;
	return 0;
}

/*
 * Every other listening socket (control, directory, OOB, metrics): the
 * new binary finds them in its sockpool by address instead of binding.
 */
static void
collect_socks(struct statefile *sf)
{
	DIR		*d;
	struct dirent	*e;
	socklen_t	 len;
	int		 fd, on;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		fd = atoi(e->d_name);
		len = sizeof(on);
		if (fd <= 2 || fd == dirfd(d) || listed(sf, fd) ||
		    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == -1 ||
		    !on || sf->nsocks == sizeof(sf->socks) / sizeof(sf->socks[0]))
			continue;
		if (fcntl(fd, F_SETFD, 0) == 0)
			sf->socks[sf->nsocks++] = fd;
	}
	closedir(d);
}

static void
collect_handoff(const struct state_handoff *h, void *arg)
{
	struct collect	*c = arg;

	if (statefile_add_handoff(c->sf, h) == -1)
		c->failed = 1;
}

/* The table now into the state file; 0, or -1 with err. */
static int
write_now(int upgrade, int ctl_fd, char *err, size_t errlen)
{
	struct statefile	sf;
	struct collect		c = { &sf, upgrade, 0 };
	int			r;

	if (ho.path[0] == '\0') {
		snprintf(err, errlen, "no place for the state file");
		return -1;
	}
	statefile_init(&sf);
	sf.pid = getpid();
	sf.pstart = ho.pstart;
	sf.written = wall_ms();
	/* An upgrade goes on exactly; a crash skips to the mark. */
	sf.next_id = session_next_id() + (upgrade ? 0 : HANDOVER_ID_AHEAD);
	sf.upgrade = upgrade;
	session_foreach(collect_req, &c);
	if (upgrade) {
		session_foreach(collect_bconn, &c);
		service_foreach_listener(collect_listener, &c);
		if (ctl_fd >= 0 && fcntl(ctl_fd, F_SETFD, 0) == 0)
			sf.control_fd = ctl_fd;
		directory_foreach_lease(collect_lease, &c);
		sf.dir_next = directory_next_lease_id();
		service_foreach_handoff(collect_handoff, &c);
		collect_socks(&sf);
		if (handover_conns_collect(&sf, ctl_fd) == -1)
			c.failed = 1;
		sf.connbuf_fd = hobytes_fd();
		if (carry_export(&sf) == -1)
			c.failed = 1;
	}
	if (c.failed) {
		snprintf(err, errlen, "out of memory");
		r = -1;
	} else if ((r = statefile_write(ho.path, &sf, err, errlen)) == 0)
		ho.id_mark = sf.next_id;
	statefile_clear(&sf);
	return r;
}

/* Coalesced writes; a failure is logged once until a write succeeds. */
static void
write_cb(evutil_socket_t fd, short what, void *arg)
{
	static int	failing;
	char		err[512];

	(void)fd;
	(void)what;
	(void)arg;
	if (write_now(0, -1, err, sizeof(err)) == 0) {
		if (failing)
			log_notice("state file %s: written again", ho.path);
		failing = 0;
	} else if (!failing++)
		log_warnx("state file: %s (crash recovery will not see the "
		    "requests until it can be written)", err);
}

void
handover_changed(int recorded)
{
	struct timeval	tv = { 0, HANDOVER_WRITE_MS * 1000 };

	if (!recorded && session_next_id() < ho.id_mark)
		return;
	if (ho.timer != NULL && !evtimer_pending(ho.timer, NULL))
		evtimer_add(ho.timer, &tv);
}

void
handover_exit(void)
{
	char	err[512];

	if (ho.timer != NULL) {
		event_free(ho.timer);
		ho.timer = NULL;
	}
	if (ho.path[0] == '\0')
		return;
	/* on-exit = keep: the next superd re-adopts them. */
	if (sessions_count() > 0) {
		if (write_now(0, -1, err, sizeof(err)) == -1)
			log_warnx("state file: %s", err);
	} else
		unlink(ho.path);
}

/* ---- reading, at start ---- */

/*
 * Is the process recorded still the same one (pid reuse), and running?
 * A handler orphaned by the crash that exited is a zombie until its new
 * parent reaps it, with the same start time: it is not running.
 */
static int
same_process(pid_t pid, unsigned long long pstart)
{
	return pid > 0 && pstart != 0 && proc_start_time(pid) == pstart &&
	    !proc_exited(pid);
}

/*
 * Is the request still running: its handler, or (cgroup-per-request)
 * a process left in its cgroup?  An empty cgroup of a request that
 * ended meanwhile is removed here, as its superd would have.
 */
static int
still_running(const struct state_req *q)
{
	if (same_process(q->pid, q->pstart))
		return 1;
	return q->cgroup[0] != '\0' && cgroup_request_orphan(q->cgroup);
}

/* After a crash: keep the records of handlers still alive, no fds. */
static void
keep_alive(struct statefile *sf)
{
	size_t	i, n = 0;

	for (i = 0; i < sf->nreqs; i++) {
		sf->reqs[i].fd = -1;
		sf->reqs[i].ufd = -1;
		if (sf->reqs[i].kind != STATE_BUILTIN &&
		    still_running(&sf->reqs[i]))
			sf->reqs[n++] = sf->reqs[i];
		else
			log_debug("state file: session S%llu (pid %ld) is "
			    "gone", (unsigned long long)sf->reqs[i].id,
			    (long)sf->reqs[i].pid);
	}
	sf->nreqs = n;
	sf->nls = 0;		/* its descriptors died with it */
	sf->nleases = 0;	/* clients register again */
	sf->nsocks = 0;
	sf->nhos = 0;
	sf->nconns = 0;
	sf->connbuf_fd = -1;
	sf->control_fd = -1;
}

/* Is the service's own socket among those an upgrade hands over? */
static int
socket_handed_over(const struct service_conf *sc)
{
	size_t	i;

	for (i = 0; i < ho.prev.nls; i++)
		if (strcmp(ho.prev.ls[i].service, sc->name) == 0 &&
		    strcmp(ho.prev.ls[i].proto, conf_proto_name(sc->proto)) == 0)
			return 1;
	return 0;
}

/*
 * A wait handler from before holds sc's socket, which superd does not
 * have: after a crash, or after an upgrade of a superd that was itself
 * waiting for such a handler (no socket handed over).  at: where the
 * handler's socket is bound, as recorded.
 */
static int
held_cb(const struct service_conf *sc, struct state_bound *at)
{
	size_t	i;

	if (ho.own && socket_handed_over(sc))
		return 0;
	for (i = 0; i < ho.prev.nreqs; i++)
		if (ho.prev.reqs[i].kind == STATE_WAIT &&
		    strcmp(ho.prev.reqs[i].service, sc->name) == 0 &&
		    strcmp(ho.prev.reqs[i].proto,
		    conf_proto_name(sc->proto)) == 0) {
			*at = ho.prev.reqs[i].bound;
			return 1;
		}
	return 0;
}

/*
 * Is fd still a socket for sc: its type, UNIX or not, and its port unless
 * dynamic (the family may differ: "*" falls back to IPv4 without IPv6)?
 */
static int
fd_fits(int fd, const struct service_conf *sc)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof(int), alen = sizeof(ss);
	int			type, port;

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == -1 ||
	    type != sc->socktype ||
	    getsockname(fd, (struct sockaddr *)&ss, &alen) == -1 ||
	    (ss.ss_family == AF_UNIX) != (sc->family == AF_UNIX))
		return 0;
	if (ss.ss_family == AF_UNIX)
		return strncmp(((struct sockaddr_un *)&ss)->sun_path,
		    ((const struct sockaddr_un *)&sc->addr)->sun_path,
		    sizeof(((struct sockaddr_un *)&ss)->sun_path)) == 0;
	if (sc->port == 0)
		return 1;
	port = ntohs(ss.ss_family == AF_INET ?
	    ((struct sockaddr_in *)&ss)->sin_port :
	    ((struct sockaddr_in6 *)&ss)->sin6_port);
	return port == sc->port;
}

/*
 * The socket handed over for sc: its own by name, else (a service renamed
 * in the configuration) one bound to its fixed address, as a reload lets
 * a renamed service take its predecessor's socket.
 */
static int
take_fd_cb(const struct service_conf *sc)
{
	struct state_listen	*l;
	size_t			 i, pass;
	int			 fd;

	for (pass = 0; pass < 2; pass++)
	for (i = 0; i < ho.prev.nls; i++) {
		l = &ho.prev.ls[i];
		if (l->fd < 0 ||
		    strcmp(l->proto, conf_proto_name(sc->proto)) != 0 ||
		    (pass == 0 && strcmp(l->service, sc->name) != 0) ||
		    (pass == 1 && (sc->port == 0 || sc->wait)) ||
		    !fd_fits(l->fd, sc))
			continue;
		fd = l->fd;
		l->fd = -1;
		(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
		(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		log_debug("service %s: socket fd %d handed over", sc->name, fd);
		return fd;
	}
	return -1;
}

/* The previous superd is still running: its table is not ours. */
static int
writer_alive(const struct statefile *sf)
{
	return sf->pid != getpid() && same_process(sf->pid, sf->pstart);
}

void
handover_prepare(const char *from_upgrade)
{
	static const struct service_startup crash = { held_cb, NULL };
	static const struct service_startup upgrade = { held_cb, take_fd_cb };
	const char	*path = from_upgrade ? from_upgrade : ho.path;
	char		 err[512];
	size_t		 i;
	int		 r;

	if (path[0] == '\0' || (r = statefile_read(path, &ho.prev, err,
	    sizeof(err))) == 1)
		return;
	if (r == -1) {
		log_warnx("state file: %s; no handler re-adopted", err);
		return;
	}
	ho.own = from_upgrade != NULL && ho.prev.upgrade &&
	    ho.prev.pid == getpid();
	if (!ho.own && writer_alive(&ho.prev)) {
		log_warnx("state file %s belongs to superd pid %ld, still "
		    "running; not re-adopting its handlers", path,
		    (long)ho.prev.pid);
		statefile_clear(&ho.prev);
		return;
	}
	if (!ho.own)
		keep_alive(&ho.prev);
	else
		for (i = 0; i < ho.prev.nsocks; i++)
			sockpool_add(ho.prev.socks[i]);
	if (ho.prev.nreqs > 0 && !ho.own)
		log_notice("state file %s: %zu handler%s of superd pid %ld "
		    "still running; re-adopting", path, ho.prev.nreqs,
		    ho.prev.nreqs == 1 ? "" : "s", (long)ho.prev.pid);
	services_set_startup(ho.own ? &upgrade : &crash);
}

/* Put the directory's TTL leases back, with their ids and expiry. */
static size_t
restore_leases(void)
{
	struct state_lease	*l;
	struct dir_reg		 r;
	struct dir_cred		 c;
	gid_t			 groups[STATE_GROUPS];
	size_t			 i, k, n = 0;
	int			 err;

	/* Ids of leases that ended (or are not restored) are not reused. */
	directory_skip_lease_ids(ho.prev.dir_next);
	for (i = 0; i < ho.prev.nleases; i++) {
		l = &ho.prev.leases[i];
		memset(&r, 0, sizeof(r));
		memset(&c, 0, sizeof(c));
		if (dir_proto_parse(l->proto, &r.proto) == -1)
			continue;
		r.name = l->name;
		r.addr = l->addr;
		r.port = l->port;
		r.ttl = l->ttl;
		r.prio = l->prio;
		r.weight = l->weight;
		for (k = 0; k < l->ntags; k++)
			r.tags[k] = l->tags[k];
		r.ntags = l->ntags;
		r.export = l->export;
		r.id = l->id;
		r.expires_ms = l->expires_ms;
		r.conn = l->conn;
		c.uid = (uid_t)l->uid;
		c.gid = (gid_t)l->gid;
		c.pid = (pid_t)l->pid;
		for (k = 0; k < l->ngroups; k++)
			groups[k] = (gid_t)l->groups[k];
		c.groups = groups;
		c.ngroups = l->ngroups;
		if ((err = directory_restore_lease(&r, &c)) == DIR_OK)
			n++;
		else
			log_warnx("directory: lease L%llu (%s) not taken over: "
			    "%s", (unsigned long long)l->id, l->name,
			    dir_strerror(err));
	}
	return n;
}

/*
 * Where the previous binary left builtin connection q, or NULL; the
 * bytes queued for it are read into *buf (the caller frees it).
 */
static const struct builtin_state *
builtin_state_of(const struct state_req *q, struct builtin_state *st,
    char **buf)
{
	const struct state_bconn	*b;

	*buf = NULL;
	if (q->kind != STATE_BUILTIN ||
	    (b = statefile_bconn(&ho.prev, q->id)) == NULL)
		return NULL;
	if ((*buf = hobytes_get(ho.prev.connbuf_fd, b->at, b->len)) == NULL) {
		log_warnx("session S%llu: the bytes queued for it were not "
		    "handed over", (unsigned long long)q->id);
		return NULL;
	}
	st->pos = b->pos;
	st->pending = *buf;
	st->len = b->len;
	return st;
}

int
handover_adopt(void)
{
	struct state_req	*q;
	struct builtin_state	 st;
	char			 err[256], *bytes;
	size_t			 i, n = 0;
	int			 rc;
	long long		 elapsed;
	int			 ctl_fd = ho.prev.control_fd;

	/* Before an adopted request's end is counted on top of them. */
	if (ho.own)
		carry_import(&ho.prev);
	/* Ids of sessions that ended meanwhile are not given again. */
	session_skip_to(ho.prev.next_id);
	/* The file is as old as its last write: ages grow, timeouts shrink. */
	if ((elapsed = wall_ms() - ho.prev.written) < 0)
		elapsed = 0;
	for (i = 0; i < ho.prev.nreqs; i++) {
		q = &ho.prev.reqs[i];
		q->age_ms += elapsed;
		if (q->timeout_ms > 0)
			q->timeout_ms = q->timeout_ms > elapsed ?
			    q->timeout_ms - elapsed : 1;
		rc = service_adopt(q, builtin_state_of(q, &st, &bytes), ho.own,
		    err, sizeof(err));
		free(bytes);
		if (rc == 0)
			n++;
		else
			log_warnx("session S%llu (service %s, pid %ld): not "
			    "taken over: %s", (unsigned long long)q->id,
			    q->service, (long)q->pid, err);
	}

	/* Before the leases: a connection-bound one needs its connection. */
	if (ho.own)
		handover_conns_restore(&ho.prev);
	if (ho.prev.connbuf_fd >= 0)
		close(ho.prev.connbuf_fd);
	ho.prev.connbuf_fd = -1;
	if (ho.own)
		log_notice("upgrade: %zu of %zu requests, %zu sockets and %zu "
		    "of %zu directory leases taken over", n, ho.prev.nreqs,
		    ho.prev.nls, restore_leases(), ho.prev.nleases);
	for (i = 0; i < ho.prev.nhos; i++)
		if (service_restore_handoff(&ho.prev.hos[i]) == -1)
			log_warnx("service %s: a datagram handed to session "
			    "S%llu may start a second handler",
			    ho.prev.hos[i].service,
			    (unsigned long long)ho.prev.hos[i].id);
	for (i = 0; i < ho.prev.nls; i++)
		if (ho.prev.ls[i].fd >= 0) {
			log_notice("service %s/%s: the socket handed over is "
			    "not the new configuration's; closed",
			    ho.prev.ls[i].service, ho.prev.ls[i].proto);
			close(ho.prev.ls[i].fd);
		}
	sockpool_close_rest();
	services_release_held();
	statefile_clear(&ho.prev);
	return ctl_fd;
}

/* ---- upgrade ---- */

/* The binary running now, as its path names it (replaced or not). */
static int
self_binary(char *buf, size_t len)
{
	static const char	deleted[] = " (deleted)";
	ssize_t			n;
	size_t			dl = sizeof(deleted) - 1;

	if ((n = readlink("/proc/self/exe", buf, len - 1)) <= 0)
		return -1;
	buf[n] = '\0';
	if ((size_t)n > dl && strcmp(buf + n - dl, deleted) == 0)
		buf[n - dl] = '\0';
	return 0;
}

/* Back to close-on-exec for every descriptor (a failed execve). */
static void
recloexec(void)
{
	DIR		*d;
	struct dirent	*e;
	int		 fd;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return;
	while ((e = readdir(d)) != NULL)
		if ((fd = atoi(e->d_name)) > 2 && fd != dirfd(d))
			(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	closedir(d);
}

/* Write the table and become binary; returns only on failure. */
static int
exec_now(const char *binary, int ctl_fd, char *err, size_t errlen)
{
	int	e;

	if (write_now(1, ctl_fd, err, errlen) == -1) {
		hobytes_cancel();
		recloexec();
		return -1;
	}
	log_notice("upgrade: executing %s (%u sessions; pid %ld stays)",
	    binary, sessions_count(), (long)getpid());
	logq_stop();
	setenv(HANDOVER_ENV, ho.path, 1);
	execv(binary, ho.argv);
	e = errno;
	unsetenv(HANDOVER_ENV);
	hobytes_cancel();
	recloexec();
	if (logq_start(log_sink_batch, log_sink_flush) == -1)
		log_warnx("log writer thread: not restarted");
	snprintf(err, errlen, "execv %s: %s", binary, strerror(e));
	return -1;
}

/* An upgrade under way failed: accept again, and tell whoever asked. */
static void
upgrade_abandon(const char *why)
{
	char	line[1200];
	int	n;

	log_warnx("upgrade refused: %s", why);
	if (ho.up.paused)
		services_resume_accepting();
	ho.up.paused = 0;
	if (ho.up.ctl_fd >= 0) {
		n = snprintf(line, sizeof(line), "ERR ECONFIG upgrade refused: "
		    "%s\n", why);
		(void)!send(ho.up.ctl_fd, line, (size_t)n, MSG_NOSIGNAL |
		    MSG_DONTWAIT);
		close(ho.up.ctl_fd);
	}
	free(ho.up.binary);
	ho.up.binary = NULL;
	ho.up.ctl_fd = -1;
}

/* While accepting is paused: go once the workers gave back (or late). */
static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct timeval	tv = { 0, DRAIN_TICK_MS * 1000 };
	char		err[1024];
	unsigned	n = requests_pinned();

	(void)fd;
	(void)what;
	(void)arg;
	if (n > 0 && clock_ms_since(&ho.up.since) < DRAIN_MAX_MS) {
		evtimer_add(ho.up.tick, &tv);
		return;
	}
	if (n > 0)
		log_warnx("upgrade: %u builtin connection%s still on worker "
		    "threads after %d ms; they end with this binary", n,
		    n == 1 ? "" : "s", DRAIN_MAX_MS);
	(void)exec_now(ho.up.binary, ho.up.ctl_fd, err, sizeof(err));
	upgrade_abandon(err);
}

/*
 * execve ends the worker threads, so their builtin connections come
 * back to the main loop first (each with its queued bytes and stream
 * position; handed over from there): stop accepting (the kernel queues
 * new connections) and wait for them, DRAIN_MAX_MS at most.
 */
static void
upgrade_wait(void)
{
	struct timeval	tv = { 0, DRAIN_TICK_MS * 1000 };

	if (ho.up.tick == NULL && (ho.up.tick = evtimer_new(ho.base, tick_cb,
	    NULL)) == NULL) {
		upgrade_abandon("out of memory");
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &ho.up.since);
	services_stop_accepting();
	ho.up.paused = 1;
	requests_recall_workers();
	log_notice("upgrade: %u builtin connections to bring back from worker "
	    "threads first (at most %d ms); accepting paused",
	    requests_pinned(), DRAIN_MAX_MS);
	evtimer_add(ho.up.tick, &tv);
}

/* upcheck.c's verdict on the new binary: go on, or refuse. */
static void
checked_cb(int ok, const char *why, void *arg)
{
	char	err[1024];

	(void)arg;
	if (!ok) {
		upgrade_abandon(why);
		return;
	}
	if (requests_pinned() > 0) {
		upgrade_wait();
		return;
	}
	(void)exec_now(ho.up.binary, ho.up.ctl_fd, err, sizeof(err));
	upgrade_abandon(err);
}

int
handover_upgrade(const char *binary, int ctl_fd, char *err, size_t errlen)
{
	char	self[PATH_MAX];

	if (ho.up.binary != NULL) {
		snprintf(err, errlen, "an upgrade to %s is under way (%s)",
		    ho.up.binary, upcheck_running() ? "checking the new binary" :
		    "waiting for builtin connections to finish");
		return -1;
	}
	if (binary == NULL && self_binary(self, sizeof(self)) == -1) {
		snprintf(err, errlen, "cannot find my own binary: %s",
		    strerror(errno));
		return -1;
	}
	if (binary == NULL)
		binary = self;
	if (access(binary, X_OK) == -1) {
		snprintf(err, errlen, "%s: %s", binary, strerror(errno));
		return -1;
	}
	if ((ho.up.binary = strdup(binary)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* The checks run while superd serves; the verdict comes later. */
	if (upcheck_start(ho.base, binary, ho.conf_path, checked_cb, NULL, err,
	    errlen) == -1) {
		free(ho.up.binary);
		ho.up.binary = NULL;
		return -1;
	}
	ho.up.ctl_fd = ctl_fd >= 0 ? fcntl(ctl_fd, F_DUPFD_CLOEXEC, 3) : -1;
	log_notice("upgrade: checking %s (serving meanwhile)", binary);
	return 0;
}

void
handover_upgrade_cancel(const char *why)
{
	if (ho.up.binary == NULL)
		return;
	upcheck_cancel();
	if (ho.up.tick != NULL)
		evtimer_del(ho.up.tick);
	upgrade_abandon(why);
}
