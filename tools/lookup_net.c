/*
 * lookup_net.c: superd-lookup --net NAME: browse DNS-SD (mDNS) for
 * _NAME._tcp (or _udp) with avahi-client, resolve every instance, and
 * print where each one is.  Bounded by --wait: mDNS has no "that is all"
 * beyond Avahi's ALL_FOR_NOW, which comes after about a second.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_AVAHI
#include <avahi-client/client.h>
#include <avahi-client/lookup.h>
#include <avahi-common/domain.h>
#include <avahi-common/error.h>
#include <avahi-common/malloc.h>
#include <avahi-common/simple-watch.h>
#include <avahi-common/timeval.h>
#endif

#include "lookup.h"

#ifdef HAVE_AVAHI
#define NET_MAX		64	/* endpoints printed at most */

struct found {
	char		 instance[AVAHI_LABEL_MAX];
	char		 host[AVAHI_DOMAIN_NAME_MAX];
	char		 addr[AVAHI_ADDRESS_STR_MAX];
	unsigned	 port;
	char		 txt[512];
};

static struct {
	AvahiSimplePoll	*poll;
	AvahiClient	*client;
	const char	*proto;
	struct found	 f[NET_MAX];
	size_t		 n;
	int		 pending;	/* resolvers not answered yet */
	int		 all_for_now;
	int		 failed;
} net;

/* JSON string body: escape what JSON needs. */
static void
json_str(FILE *fp, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(fp, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(fp, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, fp);
	}
}

static void
print_found(int json)
{
	size_t	i;

	if (!json) {
		for (i = 0; i < net.n; i++)
			printf(strchr(net.f[i].addr, ':') ? "[%s]:%u/%s\n" :
			    "%s:%u/%s\n", net.f[i].addr, net.f[i].port,
			    net.proto);
		return;
	}
	printf("{\"v\":1,\"entries\":[");
	for (i = 0; i < net.n; i++) {
		printf("%s{\"instance\":\"", i ? "," : "");
		json_str(stdout, net.f[i].instance);
		printf("\",\"host\":\"");
		json_str(stdout, net.f[i].host);
		printf("\",\"addr\":\"%s\",\"port\":%u,\"proto\":\"%s\","
		    "\"txt\":\"", net.f[i].addr, net.f[i].port, net.proto);
		json_str(stdout, net.f[i].txt);
		printf("\"}");
	}
	printf("]}\n");
}

static void
maybe_done(void)
{
	if (net.all_for_now && net.pending == 0)
		avahi_simple_poll_quit(net.poll);
}

static void
resolve_cb(AvahiServiceResolver *r, AvahiIfIndex iface, AvahiProtocol proto,
    AvahiResolverEvent event, const char *name, const char *type,
    const char *domain, const char *host, const AvahiAddress *a,
    uint16_t port, AvahiStringList *txt, AvahiLookupResultFlags flags,
    void *arg)
{
	struct found	*f;
	char		*t;
	size_t		 i;

	(void)iface; (void)proto; (void)type; (void)domain; (void)flags;
	(void)arg;
	if (event == AVAHI_RESOLVER_FOUND && net.n < NET_MAX) {
		f = &net.f[net.n];
		memset(f, 0, sizeof(*f));
		snprintf(f->instance, sizeof(f->instance), "%s", name);
		snprintf(f->host, sizeof(f->host), "%s", host);
		avahi_address_snprint(f->addr, sizeof(f->addr), a);
		f->port = port;
		t = avahi_string_list_to_string(txt);
		snprintf(f->txt, sizeof(f->txt), "%s", t ? t : "");
		avahi_free(t);
		/* The same endpoint seen on two interfaces counts once. */
		for (i = 0; i < net.n; i++)
			if (strcmp(net.f[i].addr, f->addr) == 0 &&
			    net.f[i].port == f->port)
				break;
		if (i == net.n)
			net.n++;
	}
	avahi_service_resolver_free(r);
	net.pending--;
	maybe_done();
}

static void
browse_cb(AvahiServiceBrowser *b, AvahiIfIndex iface, AvahiProtocol proto,
    AvahiBrowserEvent event, const char *name, const char *type,
    const char *domain, AvahiLookupResultFlags flags, void *arg)
{
	(void)b; (void)flags; (void)arg;
	switch (event) {
	case AVAHI_BROWSER_NEW:
		if (avahi_service_resolver_new(net.client, iface, proto, name,
		    type, domain, AVAHI_PROTO_UNSPEC, 0, resolve_cb, NULL) !=
		    NULL)
			net.pending++;
		break;
	case AVAHI_BROWSER_ALL_FOR_NOW:
		net.all_for_now = 1;
		maybe_done();
		break;
	case AVAHI_BROWSER_FAILURE:
		fprintf(stderr, "superd-lookup: browsing: %s\n",
		    avahi_strerror(avahi_client_errno(net.client)));
		net.failed = 1;
		avahi_simple_poll_quit(net.poll);
		break;
	default:
		break;
	}
}

static void
timeout_cb(AvahiTimeout *t, void *arg)
{
	(void)t;
	(void)arg;
	avahi_simple_poll_quit(net.poll);
}

int
net_main(const char *name, const char *proto, int json, unsigned timeout_ms)
{
	const AvahiPoll	*api;
	struct timeval	 tv;
	char		 type[64];
	int		 err;

	net.proto = proto;
	snprintf(type, sizeof(type), "_%s._%s", name, proto);
	if ((net.poll = avahi_simple_poll_new()) == NULL) {
		fprintf(stderr, "superd-lookup: out of memory\n");
		return EXIT_ERROR;
	}
	api = avahi_simple_poll_get(net.poll);
	if ((net.client = avahi_client_new(api, 0, NULL, NULL, &err)) ==
	    NULL) {
		fprintf(stderr, "superd-lookup: --net: %s (is avahi-daemon "
		    "running?)\n", avahi_strerror(err));
		avahi_simple_poll_free(net.poll);
		return EXIT_ERROR;
	}
	if (avahi_service_browser_new(net.client, AVAHI_IF_UNSPEC,
	    AVAHI_PROTO_UNSPEC, type, NULL, 0, browse_cb, NULL) == NULL) {
		fprintf(stderr, "superd-lookup: --net %s: %s\n", type,
		    avahi_strerror(avahi_client_errno(net.client)));
		net.failed = 1;
	} else {
		api->timeout_new(api, avahi_elapse_time(&tv, timeout_ms, 0),
		    timeout_cb, NULL);
		avahi_simple_poll_loop(net.poll);
	}
	avahi_client_free(net.client);
	avahi_simple_poll_free(net.poll);
	if (net.failed)
		return EXIT_ERROR;
	if (net.n == 0 && !json) {
		fprintf(stderr, "superd-lookup: %s: not found on the network\n",
		    type);
		return EXIT_NOTFOUND;
	}
	print_found(json);
	return net.n > 0 ? EXIT_FOUND : EXIT_NOTFOUND;
}
#else
int
net_main(const char *name, const char *proto, int json, unsigned timeout_ms)
{
	(void)name;
	(void)proto;
	(void)json;
	(void)timeout_ms;
	fprintf(stderr, "superd-lookup: --net: this superd-lookup was built "
	    "without Avahi\n");
	return EXIT_ERROR;
}
#endif
