/*
 * net.c: find a service on the network: in etcd when it is set
 * (net_etcd.c), else on the local network with DNS-SD over mDNS
 * (superd's directory-export publishes to both), through avahi-client.
 * Built without Avahi and no etcd set, superd_net_lookup fails with
 * ENOTSUP.
 *
 * Browsing has no natural end: Avahi says ALL_FOR_NOW after about a
 * second; wait_ms bounds the whole lookup either way.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_AVAHI
#include <avahi-client/client.h>
#include <avahi-client/lookup.h>
#include <avahi-common/error.h>
#include <avahi-common/malloc.h>
#include <avahi-common/simple-watch.h>
#include <avahi-common/timeval.h>
#endif

#include "superd.h"
#include "client_priv.h"

#ifdef HAVE_AVAHI
struct net_lookup {
	AvahiSimplePoll		*poll;
	AvahiClient		*client;
	const char		*name, *proto;
	struct superd_eplist	*out;
	int			 pending;	/* resolvers not answered yet */
	int			 all_for_now;
	int			 err;
};

static int
add_tag(struct superd_endpoint *ep, const char *k, size_t klen,
    const char *v)
{
	struct superd_tag	*t;

	if ((t = reallocarray(ep->tags, ep->ntags + 1, sizeof(*t))) == NULL)
		return -1;
	ep->tags = t;
	t = &ep->tags[ep->ntags];
	if ((t->key = strndup(k, klen)) == NULL ||
	    (t->value = strdup(v)) == NULL) {
		free(t->key);
		return -1;
	}
	ep->ntags++;
	return 0;
}

/* TXT "k=v" strings: prio and weight, source, the rest as tags. */
static void
take_txt(struct superd_endpoint *ep, AvahiStringList *txt)
{
	char	*k, *v;
	size_t	 n;

	for (; txt != NULL; txt = avahi_string_list_get_next(txt)) {
		if (avahi_string_list_get_pair(txt, &k, &v, &n) < 0)
			continue;
		if (v == NULL)
			;
		else if (strcmp(k, "prio") == 0)
			ep->prio = (unsigned)strtoul(v, NULL, 10);
		else if (strcmp(k, "weight") == 0)
			ep->weight = (unsigned)strtoul(v, NULL, 10);
		else if (strcmp(k, "source") != 0)
			(void)add_tag(ep, k, strlen(k), v);
		avahi_free(k);
		avahi_free(v);
	}
}

static int
already(const struct superd_eplist *l, const struct superd_endpoint *ep)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->ep[i].addr, ep->addr) == 0 &&
		    l->ep[i].port == ep->port)
			return 1;
	return 0;
}

static void
maybe_done(struct net_lookup *nl)
{
	if (nl->all_for_now && nl->pending == 0)
		avahi_simple_poll_quit(nl->poll);
}

static void
resolve_cb(AvahiServiceResolver *r, AvahiIfIndex iface, AvahiProtocol proto,
    AvahiResolverEvent event, const char *name, const char *type,
    const char *domain, const char *host, const AvahiAddress *a,
    uint16_t port, AvahiStringList *txt, AvahiLookupResultFlags flags,
    void *arg)
{
	struct net_lookup	*nl = arg;
	struct superd_endpoint	 ep;

	(void)iface; (void)proto; (void)type; (void)domain; (void)flags;
	if (event == AVAHI_RESOLVER_FOUND) {
		memset(&ep, 0, sizeof(ep));
		snprintf(ep.name, sizeof(ep.name), "%s", nl->name);
		snprintf(ep.proto, sizeof(ep.proto), "%s", nl->proto);
		avahi_address_snprint(ep.addr, sizeof(ep.addr), a);
		ep.port = port;
		snprintf(ep.source, sizeof(ep.source), "network");
		snprintf(ep.state, sizeof(ep.state), "live");
		ep.uid = ep.pid = ep.expires = -1;
		ep.weight = 1;
		take_txt(&ep, txt);
		(void)add_tag(&ep, "instance", 8, name);
		(void)add_tag(&ep, "host", 4, host);
		/* The same endpoint seen on two interfaces counts once. */
		if (already(nl->out, &ep) || sdc_eplist_push(nl->out, &ep) == -1)
			superd_endpoint_clear(&ep);
	}
	avahi_service_resolver_free(r);
	nl->pending--;
	maybe_done(nl);
}

static void
browse_cb(AvahiServiceBrowser *b, AvahiIfIndex iface, AvahiProtocol proto,
    AvahiBrowserEvent event, const char *name, const char *type,
    const char *domain, AvahiLookupResultFlags flags, void *arg)
{
	struct net_lookup	*nl = arg;

	(void)b; (void)flags;
	switch (event) {
	case AVAHI_BROWSER_NEW:
		if (avahi_service_resolver_new(nl->client, iface, proto, name,
		    type, domain, AVAHI_PROTO_UNSPEC, 0, resolve_cb, nl) !=
		    NULL)
			nl->pending++;
		break;
	case AVAHI_BROWSER_ALL_FOR_NOW:
		nl->all_for_now = 1;
		maybe_done(nl);
		break;
	case AVAHI_BROWSER_FAILURE:
		nl->err = EIO;
		avahi_simple_poll_quit(nl->poll);
		break;
	default:
		break;
	}
}

static void
timeout_cb(AvahiTimeout *t, void *arg)
{
	struct net_lookup	*nl = arg;

	(void)t;
	avahi_simple_poll_quit(nl->poll);
}

static int
avahi_lookup(const char *name, const char *proto, int wait_ms,
    struct superd_eplist *out)
{
	struct net_lookup	 nl = { .name = name, .out = out };
	const AvahiPoll		*api;
	struct timeval		 tv;
	char			 type[SUPERD_NAME_MAX + 16];
	size_t			 n0 = out->n;
	int			 err;

	nl.proto = proto != NULL ? proto : "tcp";
	if (name == NULL || !sdc_token_ok(name) ||
	    (strcmp(nl.proto, "tcp") != 0 && strcmp(nl.proto, "udp") != 0)) {
		errno = EINVAL;
		return -1;
	}
	snprintf(type, sizeof(type), "_%s._%s", name, nl.proto);
	if ((nl.poll = avahi_simple_poll_new()) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	api = avahi_simple_poll_get(nl.poll);
	if ((nl.client = avahi_client_new(api, 0, NULL, NULL, &err)) ==
	    NULL) {
		avahi_simple_poll_free(nl.poll);
		errno = ECONNREFUSED;	/* no avahi-daemon */
		return -1;
	}
	if (avahi_service_browser_new(nl.client, AVAHI_IF_UNSPEC,
	    AVAHI_PROTO_UNSPEC, type, NULL, 0, browse_cb, &nl) == NULL)
		nl.err = EIO;
	else {
		api->timeout_new(api, avahi_elapse_time(&tv,
		    (unsigned)(wait_ms > 0 ? wait_ms : 2000), 0), timeout_cb,
		    &nl);
		avahi_simple_poll_loop(nl.poll);
	}
	avahi_client_free(nl.client);
	avahi_simple_poll_free(nl.poll);
	if (nl.err != 0) {
		errno = nl.err;
		return -1;
	}
	if (out->n == n0) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}
#else
static int
avahi_lookup(const char *name, const char *proto, int wait_ms,
    struct superd_eplist *out)
{
	(void)name; (void)proto; (void)wait_ms; (void)out;
	errno = ENOTSUP;
	return -1;
}
#endif

/* etcd when it is set (net_etcd.c), else DNS-SD. */
int
superd_net_lookup(const char *name, const char *proto, int wait_ms,
    struct superd_eplist *out)
{
	size_t	n0;

	if (proto == NULL)
		proto = "tcp";
	if (name == NULL || (strcmp(proto, "tcp") != 0 &&
	    strcmp(proto, "udp") != 0)) {
		errno = EINVAL;
		return -1;
	}
	if (sdc_etcd_configured())
		return sdc_etcd_lookup(name, proto, wait_ms, out);
	n0 = out->n;
	if (avahi_lookup(name, proto, wait_ms, out) == -1)
		return -1;
	superd_order(out->ep + n0, out->n - n0);
	return 0;
}
