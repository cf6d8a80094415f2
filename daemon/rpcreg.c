/*
 * rpcreg.c: keep type = rpc services registered with rpcbind (libtirpc).
 *
 * Why rpcb_set and not pmap_set: pmap_set speaks portmapper version 2,
 * which knows IPv4 only; rpcb_set takes a netconfig, so a dual-stack
 * socket is registered as "udp" and "udp6" (rpcinfo -p still lists the
 * IPv4 entries, rpcbind answers version 2 queries from the same table).
 * libtirpc reaches rpcbind over its local socket, which is also what
 * lets rpcbind accept the registration as root's.
 *
 * One thread does every call (see rpcreg.h); the loop's side only edits
 * the list under the lock.  An entry is the loop's until rpcreg_remove
 * sets gone; from then on it is the thread's, which unsets and frees it.
 *
 * libtirpc is loaded (lib/dynlib.h) before that thread starts, for the
 * first type = rpc service, not linked: it pulls in the Kerberos
 * libraries, whose relocated data was some 150 KiB of every superd's
 * private memory.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/queue.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rpc/rpc.h>
#include <rpc/rpcb_clnt.h>
#include <rpc/rpcb_prot.h>

#include "dynlib.h"
#include "log.h"
#include "rpcparse.h"
#include "rpcreg.h"

/* What this file calls in libtirpc. */
#define TIRPC_FUNCS(X)							\
	X(getnetconfigent) X(freenetconfigent) X(rpcb_set) X(rpcb_unset)	\
	X(rpcb_getmaps) X(clnt_spcreateerror) X(xdr_free)		\
	X(xdr_rpcblist_ptr)

static struct {
	TIRPC_FUNCS(DYNLIB_POINTER)
} rpc;

#define RPCREG_NMAP	2	/* IPv4 and IPv6 */

/* One transport of a registration: "udp" at 0.0.0.0 port P. */
struct rpcmap {
	char			 netid[8];
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	int			 port;
};

struct rpcreg {
	TAILQ_ENTRY(rpcreg)	 entry;
	char			 name[72];
	unsigned long		 prog, vlo, vhi;
	struct rpcmap		 map[RPCREG_NMAP];
	int			 nmap;
	int			 gone;		/* loop: forget it */
	int			 dirty;		/* (re)register */
	int			 registered;	/* rpcbind has it */
	int			 warned;	/* last failure logged */
};
TAILQ_HEAD(rpcreg_list, rpcreg);

static struct {
	pthread_mutex_t		 lock;
	pthread_cond_t		 wake;		/* list changed, or stop */
	pthread_cond_t		 done;		/* thread finished */
	pthread_t		 thread;
	int			 running;
	int			 stopping;
	int			 finished;
	struct rpcreg_list	 list;
} rr = {
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
	PTHREAD_COND_INITIALIZER, 0, 0, 0, 0,
	TAILQ_HEAD_INITIALIZER(rr.list)
};

static void	*rpcreg_main(void *);
static int	 map_from_fd(struct rpcreg *, int);
static int	 map_from_addr(struct rpcreg *, const struct sockaddr *,
		    socklen_t, int, int);
static void	 map_add(struct rpcreg *, const char *,
		    const struct sockaddr *, socklen_t, int);
static int	 rpcb_apply(const struct rpcreg *, int,
		    unsigned char [][RPC_VERS_SPAN]);
static void	 claimed_by_others(const struct rpcreg *,
		    unsigned char [][RPC_VERS_SPAN]);
static void	 process_one(struct rpcreg *);
static int	 map_listed(const struct rpcreg *, const struct rpcmap *,
		    rpcblist *);
static void	 check_all(void);
static rpcblist	*rpcbind_list(void);
static int	 all_listed(const struct rpcreg *);
static int	 uaddr_port(const char *);

int
rpcreg_available(void)
{
	return 1;
}

/* Each of TIRPC_FUNCS into rpc. */
DYNLIB_BINDER(rpc_bind, rpc, TIRPC_FUNCS)

static struct dynlib	lib = DYNLIB_INITIALIZER(TIRPC_SONAME, rpc_bind);

int
rpcreg_init(void)
{
	pthread_condattr_t	 ca;
	char			 err[256];
	int			 e;

	if (rr.running)
		return 0;
	if (dynlib_load(&lib, err, sizeof(err)) == -1) {
		log_warnx("rpcbind registration: %s", err);
		errno = ENOENT;
		return -1;
	}
	/* The periodic check waits on CLOCK_MONOTONIC: date changes
	 * must not stretch or skip it. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_destroy(&rr.wake);
	pthread_cond_init(&rr.wake, &ca);
	pthread_condattr_destroy(&ca);
	if ((e = pthread_create(&rr.thread, NULL, rpcreg_main, NULL)) != 0) {
		errno = e;
		return -1;
	}
	rr.running = 1;
	return 0;
}

/* A new entry for name's prog vlo..vhi, its maps still to fill. */
static struct rpcreg *
entry_new(const char *name, unsigned long prog, unsigned long vlo,
    unsigned long vhi)
{
	struct rpcreg	*r;

	if (rpcreg_init() == -1) {
		log_warn("service %s: rpcbind registration thread", name);
		return NULL;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		log_warn("service %s: rpcbind registration", name);
		return NULL;
	}
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->prog = prog;
	r->vlo = vlo;
	r->vhi = vhi;
	return r;
}

/* Hand r to the thread to register. */
static struct rpcreg *
entry_queue(struct rpcreg *r)
{
	r->dirty = 1;
	pthread_mutex_lock(&rr.lock);
	TAILQ_INSERT_TAIL(&rr.list, r, entry);
	pthread_cond_signal(&rr.wake);
	pthread_mutex_unlock(&rr.lock);
	return r;
}

struct rpcreg *
rpcreg_add(const char *name, unsigned long prog, unsigned long vlo,
    unsigned long vhi, int fd)
{
	struct rpcreg	*r;

	if ((r = entry_new(name, prog, vlo, vhi)) == NULL)
		return NULL;
	if (map_from_fd(r, fd) == -1) {
		log_warn("service %s: rpcbind registration: socket address",
		    name);
		free(r);
		return NULL;
	}
	return entry_queue(r);
}

struct rpcreg *
rpcreg_add_addr(const char *name, unsigned long prog, unsigned long vlo,
    unsigned long vhi, const struct sockaddr *sa, socklen_t len, int type,
    int v6only)
{
	struct rpcreg	*r;

	if ((r = entry_new(name, prog, vlo, vhi)) == NULL)
		return NULL;
	if (map_from_addr(r, sa, len, type, v6only) == -1) {
		log_warnx("service %s: rpcbind registration: not an inet "
		    "address", name);
		free(r);
		return NULL;
	}
	return entry_queue(r);
}

int
rpcreg_registered(struct rpcreg *r)
{
	int	 yes;

	if (r == NULL)
		return 0;
	pthread_mutex_lock(&rr.lock);
	yes = r->registered && !r->dirty;
	pthread_mutex_unlock(&rr.lock);
	return yes;
}

void
rpcreg_remove(struct rpcreg *r)
{
	if (r == NULL)
		return;
	pthread_mutex_lock(&rr.lock);
	r->gone = 1;
	pthread_cond_signal(&rr.wake);
	pthread_mutex_unlock(&rr.lock);
}

void
rpcreg_stop(void)
{
	struct rpcreg	*r;
	struct timespec	 until;
	int		 left = 0;

	if (!rr.running)
		return;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += RPCREG_STOP_MS / 1000;
	until.tv_nsec += (RPCREG_STOP_MS % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&rr.lock);
	TAILQ_FOREACH(r, &rr.list, entry)
		r->gone = 1;
	rr.stopping = 1;
	pthread_cond_signal(&rr.wake);
	while (!rr.finished)
		if (pthread_cond_timedwait(&rr.done, &rr.lock, &until) ==
		    ETIMEDOUT)
			break;
	if (!rr.finished)
		TAILQ_FOREACH(r, &rr.list, entry)
			left++;
	pthread_mutex_unlock(&rr.lock);
	if (rr.finished)
		pthread_join(rr.thread, NULL);
	else
		log_warnx("rpcbind did not answer within %d ms: %d RPC "
		    "service(s) may stay registered", RPCREG_STOP_MS, left);
	rr.running = 0;
}

/* ---- the socket's address, as rpcbind wants it ---- */

/*
 * What a client may reach: an IPv4 socket is "udp"/"tcp"; an IPv6 one
 * is "udp6"/"tcp6", and also "udp"/"tcp" at 0.0.0.0 when it takes IPv4
 * too (the "*" dual-stack socket).
 */
static int
map_from_fd(struct rpcreg *r, int fd)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss), ilen = sizeof(int);
	int			 type, v6only = 1;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1 ||
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &ilen) == -1)
		return -1;
	ilen = sizeof(v6only);
	if (ss.ss_family == AF_INET6 &&
	    getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &ilen) == -1)
		v6only = 1;
	return map_from_addr(r, (struct sockaddr *)&ss, len, type, v6only);
}

/* The maps of a socket of type bound to sa (see map_from_fd). */
static int
map_from_addr(struct rpcreg *r, const struct sockaddr *sa, socklen_t len,
    int type, int v6only)
{
	const struct sockaddr_in6	*s6 = (const struct sockaddr_in6 *)sa;
	struct sockaddr_in		 any4;

	if (sa->sa_family == AF_INET) {
		map_add(r, type == SOCK_DGRAM ? "udp" : "tcp", sa, len,
		    ntohs(((const struct sockaddr_in *)sa)->sin_port));
		return 0;
	}
	if (sa->sa_family != AF_INET6) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	map_add(r, type == SOCK_DGRAM ? "udp6" : "tcp6", sa, len,
	    ntohs(s6->sin6_port));
	if (IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr) && !v6only) {
		memset(&any4, 0, sizeof(any4));
		any4.sin_family = AF_INET;
		any4.sin_port = s6->sin6_port;
		map_add(r, type == SOCK_DGRAM ? "udp" : "tcp",
		    (struct sockaddr *)&any4, sizeof(any4), ntohs(any4.sin_port));
	}
	return 0;
}

static void
map_add(struct rpcreg *r, const char *netid, const struct sockaddr *sa,
    socklen_t len, int port)
{
	struct rpcmap	*m = &r->map[r->nmap++];

	snprintf(m->netid, sizeof(m->netid), "%s", netid);
	memcpy(&m->ss, sa, len);
	m->len = len;
	m->port = port;
}

/* ---- the thread ---- */

/*
 * Set (set = 1) or unset every version of r at rpcbind, but none that
 * skip[map][version] marks (another live entry claims it).  Unset first
 * either way: rpcbind refuses a set over an address already there.
 * Returns 0 when every set call succeeded.
 */
static int
rpcb_apply(const struct rpcreg *r, int set,
    unsigned char skip[][RPC_VERS_SPAN])
{
	struct netconfig	*nc;
	struct netbuf		 nb;
	unsigned long		 v;
	int			 i, rc = 0;

	for (i = 0; i < r->nmap; i++) {
		if ((nc = rpc.getnetconfigent(r->map[i].netid)) == NULL) {
			rc = -1;
			continue;
		}
		nb.len = nb.maxlen = r->map[i].len;
		nb.buf = (void *)&r->map[i].ss;
		for (v = r->vlo; v <= r->vhi; v++) {
			if (skip != NULL && skip[i][v - r->vlo])
				continue;
			(void)rpc.rpcb_unset(r->prog, v, nc);
			if (set && !rpc.rpcb_set(r->prog, v, nc, &nb))
				rc = -1;
		}
		rpc.freenetconfigent(nc);
	}
	return rc;
}

/*
 * A reload that moves a service adds the new entry before the old one
 * is processed as gone: the old one must not unset what the new one
 * has set since.  Called with the lock held.
 */
static void
claimed_by_others(const struct rpcreg *r, unsigned char skip[][RPC_VERS_SPAN])
{
	const struct rpcreg	*o;
	unsigned long		 v;
	int			 i, j;

	memset(skip, 0, RPCREG_NMAP * RPC_VERS_SPAN);
	TAILQ_FOREACH(o, &rr.list, entry) {
		if (o == r || o->gone || o->prog != r->prog)
			continue;
		for (i = 0; i < r->nmap; i++)
			for (j = 0; j < o->nmap; j++)
				if (strcmp(r->map[i].netid,
				    o->map[j].netid) == 0)
					for (v = r->vlo; v <= r->vhi; v++)
						skip[i][v - r->vlo] |=
						    v >= o->vlo && v <= o->vhi;
	}
}

/* Do what r is marked for; called and returns with the lock held. */
static void
process_one(struct rpcreg *r)
{
	struct rpcreg	 copy = *r;
	unsigned char	 skip[RPCREG_NMAP][RPC_VERS_SPAN];
	int		 rc;

	if (r->gone) {
		claimed_by_others(r, skip);
		TAILQ_REMOVE(&rr.list, r, entry);
		pthread_mutex_unlock(&rr.lock);
		if (copy.registered) {
			(void)rpcb_apply(&copy, 0, skip);
			log_info("service %s: RPC program %lu unregistered",
			    copy.name, copy.prog);
		}
		free(r);
		pthread_mutex_lock(&rr.lock);
		return;
	}
	r->dirty = 0;
	pthread_mutex_unlock(&rr.lock);
	if (!copy.registered && all_listed(&copy)) {
		rc = 0;
		log_info("service %s: RPC program %lu versions %lu-%lu "
		    "registered with rpcbind (port %d) already; kept",
		    copy.name, copy.prog, copy.vlo, copy.vhi, copy.map[0].port);
	} else if ((rc = rpcb_apply(&copy, 1, NULL)) == 0)
		log_info("service %s: RPC program %lu versions %lu-%lu "
		    "registered with rpcbind (port %d)", copy.name, copy.prog,
		    copy.vlo, copy.vhi, copy.map[0].port);
	else if (!copy.warned)
		log_warnx("service %s: rpcbind registration of program %lu "
		    "failed (%s); trying again every %ds", copy.name,
		    copy.prog, rpc.clnt_spcreateerror("rpcb_set"),
		    RPCREG_CHECK_SEC);
	pthread_mutex_lock(&rr.lock);
	r->registered = rc == 0;
	r->warned = rc != 0;
}

/* The port of a universal address "h.h.h.h.p1.p2" / "::1.p1.p2", or -1. */
static int
uaddr_port(const char *u)
{
	const char	*p2, *p1;
	char		*end;
	long		 hi, lo;

	if ((p2 = strrchr(u, '.')) == NULL || p2 == u)
		return -1;
	for (p1 = p2 - 1; p1 > u && *p1 != '.'; p1--)
		;
	if (*p1 != '.')
		return -1;
	hi = strtol(p1 + 1, &end, 10);
	if (end != p2 || hi < 0 || hi > 255)
		return -1;
	lo = strtol(p2 + 1, &end, 10);
	if (*end != '\0' || lo < 0 || lo > 255)
		return -1;
	return (int)(hi * 256 + lo);
}

/* Does rpcbind's list hold every version of m for r? */
static int
map_listed(const struct rpcreg *r, const struct rpcmap *m, rpcblist *list)
{
	rpcblist	*l;
	unsigned long	 v;

	for (v = r->vlo; v <= r->vhi; v++) {
		for (l = list; l != NULL; l = l->rpcb_next)
			if (l->rpcb_map.r_prog == r->prog &&
			    l->rpcb_map.r_vers == v &&
			    strcmp(l->rpcb_map.r_netid, m->netid) == 0 &&
			    uaddr_port(l->rpcb_map.r_addr) == m->port)
				break;
		if (l == NULL)
			return 0;
	}
	return 1;
}

/* rpcbind's whole list (what rpcinfo -p reads), or NULL; call unlocked. */
static rpcblist *
rpcbind_list(void)
{
	struct netconfig	*nc;
	rpcblist		*list = NULL;

	if ((nc = rpc.getnetconfigent("tcp")) != NULL) {
		list = rpc.rpcb_getmaps(nc, "localhost");
		rpc.freenetconfigent(nc);
	}
	return list;
}

/*
 * Does rpcbind list every map of r already (a socket handed over by an
 * upgrade: its registration outlived the execve)?  Then it stays as it
 * is: unset and set again would leave clients a moment without it.
 * Called unlocked, with a copy.
 */
static int
all_listed(const struct rpcreg *r)
{
	rpcblist	*list = rpcbind_list();
	int		 i, all;

	if (list == NULL)
		return 0;
	for (i = 0; i < r->nmap; i++)
		if (!map_listed(r, &r->map[i], list))
			break;
	all = i == r->nmap;
	rpc.xdr_free((xdrproc_t)rpc.xdr_rpcblist_ptr, (char *)&list);
	return all;
}

/*
 * One rpcb_getmaps call (what rpcinfo -p reads); every live entry that
 * is not all there is marked dirty.  Called and returns with the lock.
 */
static void
check_all(void)
{
	rpcblist		*list;
	struct rpcreg		*r;
	int			 i, ok;

	if (TAILQ_EMPTY(&rr.list))
		return;
	pthread_mutex_unlock(&rr.lock);
	list = rpcbind_list();
	ok = list != NULL;	/* it lists itself at least */
	pthread_mutex_lock(&rr.lock);
	TAILQ_FOREACH(r, &rr.list, entry) {
		if (r->gone || r->dirty)
			continue;
		for (i = 0; ok && r->registered && i < r->nmap; i++)
			if (!map_listed(r, &r->map[i], list))
				break;
		if (ok && r->registered && i == r->nmap)
			continue;
		if (r->registered)
			log_notice("service %s: rpcbind lost RPC program %lu "
			    "(restarted?): registering it again", r->name,
			    r->prog);
		r->dirty = 1;
	}
	if (list != NULL)
		rpc.xdr_free((xdrproc_t)rpc.xdr_rpcblist_ptr, (char *)&list);
}

static void *
rpcreg_main(void *arg)
{
	struct rpcreg	*r;
	struct timespec	 next, now;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &next);
	next.tv_sec += RPCREG_CHECK_SEC;
	pthread_mutex_lock(&rr.lock);
	for (;;) {
		TAILQ_FOREACH(r, &rr.list, entry)
			if (r->gone || r->dirty)
				break;
		if (r != NULL) {
			process_one(r);
			continue;
		}
		if (rr.stopping)
			break;
		if (pthread_cond_timedwait(&rr.wake, &rr.lock, &next) !=
		    ETIMEDOUT)
			continue;
		check_all();
		clock_gettime(CLOCK_MONOTONIC, &now);
		next = now;
		next.tv_sec += RPCREG_CHECK_SEC;
	}
	rr.finished = 1;
	pthread_cond_signal(&rr.done);
	pthread_mutex_unlock(&rr.lock);
	return NULL;
}
