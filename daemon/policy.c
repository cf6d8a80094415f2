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

#include "conf.h"
#include "conf_parse.h"
#include "addr.h"
#include "log.h"
#include "policy.h"
#include "ratelimit.h"
#include "service.h"
#include "session.h"
#include "srctable.h"

#define SRC_CAPACITY	8192
#define LOG_WINDOW	60.0

struct policy_state {
	struct rl_bucket	 rate;
	struct srctable		*sources;
	int			 use_sources;	/* the config asks for it */
	double			 last_logged;	/* when no source table */
};

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

/*
 * (Re)load a service's policy state.  The per-source table survives a
 * reload: running sessions hold tickets into it, and their counts must
 * still be released there.  New prefix lengths apply to new lookups.
 */
void
policy_service_init(struct service *svc)
{
	struct service_conf	*sc = svc->conf;
	struct policy_state	*ps = svc->policy;

	if (ps == NULL && (ps = calloc(1, sizeof(*ps))) == NULL)
		fatal("calloc");
	rl_init(&ps->rate, sc->rate.burst, now_sec());
	ps->use_sources = sc->per_source > 0 || sc->per_source_rate.per_sec > 0;
	if (ps->sources != NULL)
		srctable_set_prefixes(ps->sources, sc->per_source_prefix4,
		    sc->per_source_prefix6);
	else if (ps->use_sources && (ps->sources = srctable_new(SRC_CAPACITY,
	    sc->per_source_prefix4, sc->per_source_prefix6)) == NULL)
		fatal("srctable_new");
	svc->policy = ps;
}

size_t
policy_sources(const struct service *svc)
{
	const struct policy_state	*ps = svc->policy;

	return ps != NULL && ps->sources != NULL ?
	    srctable_size(ps->sources) : 0;
}

void
policy_service_free(struct service *svc)
{
	struct policy_state	*ps = svc->policy;

	if (ps == NULL)
		return;
	srctable_free(ps->sources);
	free(ps);
	svc->policy = NULL;
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
policy_acl_ok(const struct service *svc, const struct sockaddr *sa)
{
	return acl_allows(svc->conf, sa);
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
source_check(struct service *svc, const struct sockaddr *sa, double now,
    struct src_entry **entry)
{
	struct service_conf	*sc = svc->conf;
	struct policy_state	*ps = svc->policy;
	const unsigned char	*a;
	struct src_entry	*e;
	int			 family, created;

	*entry = NULL;
	if (!ps->use_sources || (a = addr_bytes(sa, &family)) == NULL)
		return -1;
	if ((e = srctable_get(ps->sources, family, a, &created)) == NULL)
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

int
policy_check(struct service *svc, const struct sockaddr *sa, socklen_t len,
    const struct peer_cred *pc, void **ticket)
{
	struct service_conf	*sc = svc->conf;
	struct policy_state	*ps = svc->policy;
	struct src_entry	*e = NULL;
	double			 now = 0;
	int			 r;

	*ticket = NULL;
	if (sa != NULL && len > 0 && !acl_allows(sc, sa))
		return REFUSE_ACL;
	if (!peer_allowed(sc, pc))
		return REFUSE_ACL;
	if (sc->rate.per_sec > 0 || ps->use_sources)
		now = now_sec();
	if (sa != NULL && len > 0 && (r = source_check(svc, sa, now, &e)) != -1)
		return r;
	if (sc->rate.per_sec > 0 && !rl_take(&ps->rate, sc->rate.per_sec,
	    sc->rate.burst, now))
		return REFUSE_RATE;
	if (e != NULL && sc->per_source > 0) {
		e->active++;
		*ticket = e;
	}
	return -1;
}

void
policy_release(struct session *s)
{
	struct src_entry	*e = s->policy;

	if (e != NULL && e->active > 0)
		e->active--;
	s->policy = NULL;
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

void
policy_log_refusal(struct service *svc, const struct sockaddr *sa,
    socklen_t len, int reason)
{
	struct policy_state	*ps = svc->policy;
	const unsigned char	*a;
	struct src_entry	*e = NULL;
	char			 host[64];
	double			 now = now_sec();
	double			*last = &ps->last_logged;
	int			 family, port, created;

	if (sa != NULL && ps->use_sources &&
	    (a = addr_bytes(sa, &family)) != NULL &&
	    (e = srctable_get(ps->sources, family, a, &created)) != NULL)
		last = &e->last_logged;
	if (*last != 0 && now - *last < LOG_WINDOW)
		return;
	*last = now;
	if (sa != NULL && len > 0)
		sockaddr_format(sa, len, host, sizeof(host), &port);
	else
		snprintf(host, sizeof(host), "local peer");
	log_notice("service %s: refused %s: %s (further refusals of this "
	    "source are counted, not logged, for %.0fs)", svc->conf->name,
	    host, refuse_reason_name(reason), LOG_WINDOW);
}
