/*
 * policy.c: access lists, peer ids, rates, per-source limits.
 */
#include "config.h"

#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "conf.h"
#include "conf_parse.h"
#include "log.h"
#include "policy.h"
#include "ratelimit.h"
#include "srctable.h"
#include "tcpwrap.h"

#define SRC_CAPACITY	8192
#define LOG_WINDOW	60.0
#define LOAD_MAX_AGE	1.0	/* s a load average reading is used for */

struct policy {
	struct rl_bucket	 rate;
	struct srctable		*sources;
	int			 use_sources;	/* the config asks for it */
	double			 last_logged;	/* when no source table */
};

static const char *const reason_names[REFUSE_NREASONS] = {
	"acl", "instances", "max-children", "per-source", "rate",
	"per-source-rate", "reflection", "spawn-failed", "libwrap", "load"
};

const char *
refuse_reason_name(enum refuse_reason r)
{
	return r < REFUSE_NREASONS ? reason_names[r] : "?";
}

static policy_own_port_fn	own_port;

void
policy_set_own_port_check(policy_own_port_fn fn)
{
	own_port = fn;
}

static double
now_sec(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

struct policy *
policy_new(const struct service_conf *sc)
{
	struct policy	*p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	if (policy_update(p, sc) == -1) {
		free(p);
		return NULL;
	}
	return p;
}

int
policy_reserve(struct policy *p, const struct service_conf *sc)
{
	int	use = sc->per_source > 0 || sc->per_source_rate.per_sec > 0;

	if (use && p->sources == NULL && (p->sources = srctable_new(
	    SRC_CAPACITY, sc->per_source_prefix4, sc->per_source_prefix6))
	    == NULL)
		return -1;
	return 0;
}

int
policy_update(struct policy *p, const struct service_conf *sc)
{
	int	use = sc->per_source > 0 || sc->per_source_rate.per_sec > 0;

	if (policy_reserve(p, sc) == -1)
		return -1;
	if (p->sources != NULL)
		srctable_set_prefixes(p->sources, sc->per_source_prefix4,
		    sc->per_source_prefix6);
	rl_init(&p->rate, sc->rate.burst, now_sec());
	p->use_sources = use;
	return 0;
}

size_t
policy_sources(const struct policy *p)
{
	return p != NULL && p->sources != NULL ? srctable_size(p->sources) : 0;
}

void
policy_free(struct policy *p)
{
	if (p == NULL)
		return;
	srctable_free(p->sources);
	free(p);
}

/* only-from / no-access: the longest matching prefix wins. */
static int
acl_allows(const struct service_conf *sc, const struct sockaddr *sa)
{
	const unsigned char	*a;
	int			 family, allow, deny;

	if (sc->only_from.n == 0 && sc->no_access.n == 0)
		return 1;
	if ((a = addr_bytes(sa, &family)) == NULL)
		return 1;
	allow = sc->only_from.n ? acl_longest_match(&sc->only_from, family,
	    a) : 0;
	deny = acl_longest_match(&sc->no_access, family, a);
	if (deny >= 0 && deny >= allow)
		return 0;
	return sc->only_from.n == 0 || allow >= 0;
}

int
policy_acl_ok(const struct service_conf *sc, const struct sockaddr *sa)
{
	return acl_allows(sc, sa);
}

/* allow-uids / allow-groups for unix peers. */
static int
peer_allowed(const struct service_conf *sc, const struct peer_cred *pc)
{
	size_t	i;

	if (sc->n_allow_uids == 0 && sc->n_allow_gids == 0)
		return 1;
	if (pc == NULL || pc->uid < 0)
		return 0;
	if (pc->uid == 0)
		return 1;
	for (i = 0; i < sc->n_allow_uids; i++)
		if ((long)sc->allow_uids[i] == pc->uid)
			return 1;
	for (i = 0; i < sc->n_allow_gids; i++)
		if ((long)sc->allow_gids[i] == pc->gid)
			return 1;
	return 0;
}

/* Per-source concurrency and rate; *entry set on admit. */
static int
source_check(struct policy *p, const struct service_conf *sc,
    const struct sockaddr *sa, double now, struct src_entry **entry)
{
	const unsigned char	*a;
	struct src_entry	*e;
	int			 family, created;

	*entry = NULL;
	if (!p->use_sources || (a = addr_bytes(sa, &family)) == NULL)
		return -1;
	if ((e = srctable_get(p->sources, family, a, &created)) == NULL)
		return sc->per_source ? REFUSE_PERSOURCE : -1;
	if (created)
		rl_init(&e->bucket, sc->per_source_rate.burst, now);
	if (sc->per_source > 0 && e->active >= sc->per_source)
		return REFUSE_PERSOURCE;
	if (sc->per_source_rate.per_sec > 0 && !rl_take(&e->bucket,
	    sc->per_source_rate.per_sec, sc->per_source_rate.burst, now))
		return REFUSE_SOURCE_RATE;
	*entry = e;
	return -1;
}

/* Reflection guard for datagrams (privileged ports as configured). */
static int
datagram_ok(const struct service_conf *sc, const struct sockaddr *sa,
    socklen_t len)
{
	const struct sockaddr_in6	*s6 = (const void *)sa;
	const struct sockaddr_in	*s4 = (const void *)sa;
	int				 port;

	if (sa == NULL || len == 0 || sa->sa_family == AF_UNIX)
		return 1;
	port = ntohs(sa->sa_family == AF_INET ? s4->sin_port : s6->sin6_port);
	if (port < 1024 && port > 0 && sc->udp_low_ports &&
	    sc->type == SVC_EXEC) {
		struct sockaddr_storage	ss;

		/* Judge the rest of the address as if from a high port. */
		memcpy(&ss, sa, len);
		if (sa->sa_family == AF_INET)
			((struct sockaddr_in *)&ss)->sin_port = htons(1024);
		else
			((struct sockaddr_in6 *)&ss)->sin6_port = htons(1024);
		return policy_udp_source_ok((struct sockaddr *)&ss, len);
	}
	return policy_udp_source_ok(sa, len);
}

/*
 * hosts.allow / hosts.deny, after the access lists (it reads two files).
 * The daemon name is what tcpd would see: the handler's argv[0], or the
 * service's name for a builtin.
 */
static int
libwrap_allows(const struct service_conf *sc, const struct policy_req *q)
{
	const char	*name = sc->name, *slash;

	if (!sc->libwrap || q->peer == NULL || q->peerlen == 0)
		return 1;
	if (sc->type == SVC_EXEC && sc->argv != NULL && sc->argv[0] != NULL)
		name = (slash = strrchr(sc->argv[0], '/')) ? slash + 1 :
		    sc->argv[0];
	return tcpwrap_allows(name, q->peer, q->peerlen, q->local,
	    q->locallen);
}

/*
 * The 1-minute load average, read at most once a second for all
 * services: the kernel updates it every 5 s, and a connection burst must
 * not become a burst of reads of /proc/loadavg.  -1 when unknown.
 */
static double
load_average(double now)
{
	static double	load = -1, read_at;
	double		v;

	if (read_at != 0 && now - read_at < LOAD_MAX_AGE)
		return load;
	read_at = now;
	load = getloadavg(&v, 1) == 1 ? v : -1;
	return load;
}

/* max-load: refuse while the load is above it (an unknown load admits). */
static int
load_allows(const struct service_conf *sc, double now)
{
	double	load;

	if (sc->max_load <= 0)
		return 1;
	load = load_average(now);
	return load < 0 || load <= sc->max_load;
}

int
policy_admit(struct policy *p, const struct service_conf *sc,
    const struct policy_req *q, struct policy_ticket *t)
{
	const struct sockaddr	*sa = q->peerlen > 0 ? q->peer : NULL;
	struct src_entry	*e = NULL;
	double			 now = 0;
	int			 r;

	memset(t, 0, sizeof(*t));
	if (q->datagram && !datagram_ok(sc, sa, q->peerlen))
		return REFUSE_REFLECT;
	if (sa != NULL && !acl_allows(sc, sa))
		return REFUSE_ACL;
	if (!peer_allowed(sc, q->cred))
		return REFUSE_ACL;
	if (!libwrap_allows(sc, q))
		return REFUSE_LIBWRAP;
	if (sc->rate.per_sec > 0 || p->use_sources || sc->max_load > 0)
		now = now_sec();
	if (!load_allows(sc, now))
		return REFUSE_LOAD;
	if (sa != NULL && (r = source_check(p, sc, sa, now, &e)) != -1)
		return r;
	if (sc->rate.per_sec > 0 && !rl_take(&p->rate, sc->rate.per_sec,
	    sc->rate.burst, now))
		return REFUSE_RATE;
	if (e != NULL && sc->per_source > 0) {
		e->active++;
		t->source = e;
	}
	return -1;
}

int
policy_adopt(struct policy *p, const struct service_conf *sc,
    const struct sockaddr *sa, struct policy_ticket *t)
{
	const unsigned char	*a;
	struct src_entry	*e;
	int			 family, created;

	memset(t, 0, sizeof(*t));
	if (!p->use_sources || sc->per_source == 0 ||
	    (a = addr_bytes(sa, &family)) == NULL ||
	    (e = srctable_get(p->sources, family, a, &created)) == NULL)
		return -1;
	if (created)
		rl_init(&e->bucket, sc->per_source_rate.burst, now_sec());
	e->active++;
	t->source = e;
	return 0;
}

void
policy_release(struct policy_ticket *t)
{
	if (t->source != NULL && t->source->active > 0)
		t->source->active--;
	t->source = NULL;
}

/*
 * Never answer (or hand to a handler) a datagram that could be spoofed
 * to bounce traffic: privileged source ports (other small services),
 * broadcast, multicast, unspecified, and superd's own UDP endpoints.
 */
int
policy_udp_source_ok(const struct sockaddr *sa, socklen_t len)
{
	const struct sockaddr_in6	*s6 = (const void *)sa;
	const struct sockaddr_in	*s4 = (const void *)sa;
	const unsigned char		*a;
	int				 family, port;

	if ((a = addr_bytes(sa, &family)) == NULL)
		return sa->sa_family == AF_UNIX;
	port = ntohs(sa->sa_family == AF_INET ? s4->sin_port : s6->sin6_port);
	if (port < 1024)
		return 0;
	if (family == AF_INET) {
		if (a[0] == 0 || a[0] >= 224 || (a[0] == 255 && a[3] == 255))
			return 0;
	} else if (a[0] == 0xff || IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr))
		return 0;
	if (own_port != NULL && own_port(sa, len))
		return 0;
	return 1;
}

int
policy_should_log(struct policy *p, const struct sockaddr *sa)
{
	const unsigned char	*a;
	struct src_entry	*e;
	double			 now = now_sec();
	double			*last = &p->last_logged;
	int			 family, created;

	if (sa != NULL && p->use_sources &&
	    (a = addr_bytes(sa, &family)) != NULL &&
	    (e = srctable_get(p->sources, family, a, &created)) != NULL)
		last = &e->last_logged;
	if (*last != 0 && now - *last < LOG_WINDOW)
		return 0;
	*last = now;
	return 1;
}
