/*
 * export_avahi.c: the DNS-SD publisher, through avahi-client on superd's
 * loop.  See export.h and export_pub.h.
 *
 * One Avahi entry group per published endpoint.  Each sync compares
 * what should be published (from export.c) with what is, and adds,
 * updates or withdraws groups.  The client is made with AVAHI_CLIENT_NO_FAIL: if
 * avahi-daemon is not there yet, or restarts, superd keeps serving and
 * publishes everything again once the daemon is back.
 */
#include "config.h"

#include <sys/queue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <avahi-client/client.h>
#include <avahi-client/publish.h>
#include <avahi-common/alternative.h>
#include <avahi-common/error.h>
#include <avahi-common/malloc.h>
#include <avahi-common/strlst.h>
#include <event2/event.h>

#include "avahi_poll.h"
#include "compat.h"
#include "conf.h"
#include "conf_parse.h"
#include "directory.h"
#include "directory_server.h"
#include "export_pub.h"
#include "log.h"

#define RETRY_SEC	5	/* no D-Bus: try the client again */
#define KEY_MAX		EXPORT_KEY_MAX
#define TXT_MAX		(DIR_MAX_TAGS + 4)

/* One endpoint that should be, or is, published. */
struct pub {
	char			 key[KEY_MAX];	/* what it is, for matching */
	char			 name[DIR_NAME_MAX + 1];
	char			 type[32];	/* "_name._tcp" */
	int			 port;
	char			*txt[TXT_MAX];	/* "k=v" */
	size_t			 ntxt;
	char			*instance;	/* "NAME on HOST", or renamed */
	AvahiEntryGroup		*group;		/* NULL: not (yet) published */
	int			 seen;		/* wanted in this sync */
	TAILQ_ENTRY(pub)	 entry;
};
TAILQ_HEAD(pubs, pub);

static struct {
	struct event_base	*base;
	AvahiPoll		 api;
	AvahiClient		*client;
	int			 running;	/* client state S_RUNNING */
	struct event		*reconnect_ev;
	struct pubs		 pubs;
	int			 on;
	int			 start_failed;	/* said so already */
} ex = { .pubs = TAILQ_HEAD_INITIALIZER(ex.pubs) };

static void	client_start(void);

static void
pub_txt_free(struct pub *p)
{
	size_t	i;

	for (i = 0; i < p->ntxt; i++)
		free(p->txt[i]);
	p->ntxt = 0;
}

static void
pub_withdraw(struct pub *p)
{
	if (p->group != NULL)
		avahi_entry_group_free(p->group);
	p->group = NULL;
}

static void
pub_free(struct pub *p)
{
	pub_withdraw(p);
	TAILQ_REMOVE(&ex.pubs, p, entry);
	pub_txt_free(p);
	avahi_free(p->instance);
	free(p);
}

static void	pub_publish(struct pub *);

static void
group_cb(AvahiEntryGroup *g, AvahiEntryGroupState state, void *arg)
{
	struct pub	*p = arg;
	char		*alt;

	if (p->group != NULL && p->group != g)
		return;
	switch (state) {
	case AVAHI_ENTRY_GROUP_ESTABLISHED:
		log_info("export: published \"%s\" (%s port %d)", p->instance,
		    p->type, p->port);
		break;
	case AVAHI_ENTRY_GROUP_COLLISION:
		/* Another host has this instance name: take the next one. */
		alt = avahi_alternative_service_name(p->instance);
		log_notice("export: \"%s\" is taken on the network; renamed "
		    "\"%s\"", p->instance, alt);
		avahi_free(p->instance);
		p->instance = alt;
		pub_withdraw(p);
		pub_publish(p);
		break;
	case AVAHI_ENTRY_GROUP_FAILURE:
		log_warnx("export: %s: %s", p->instance,
		    avahi_strerror(avahi_client_errno(ex.client)));
		break;
	default:
		break;
	}
}

/* Add p's group to Avahi (the client must be running). */
static void
pub_publish(struct pub *p)
{
	AvahiStringList	*txt = NULL;
	size_t		 i;
	int		 err;

	if (!ex.running || p->group != NULL)
		return;
	if (p->instance == NULL)
		p->instance = avahi_strdup_printf("%s on %s", p->name,
		    avahi_client_get_host_name(ex.client));
	for (i = p->ntxt; i > 0; i--)
		txt = avahi_string_list_add(txt, p->txt[i - 1]);
	if ((p->group = avahi_entry_group_new(ex.client, group_cb, p)) ==
	    NULL) {
		log_warnx("export: %s: %s", p->name,
		    avahi_strerror(avahi_client_errno(ex.client)));
		avahi_string_list_free(txt);
		return;
	}
	err = avahi_entry_group_add_service_strlst(p->group, AVAHI_IF_UNSPEC,
	    AVAHI_PROTO_UNSPEC, 0, p->instance, p->type, NULL, NULL,
	    (uint16_t)p->port, txt);
	if (err == AVAHI_ERR_COLLISION) {
		avahi_string_list_free(txt);
		group_cb(p->group, AVAHI_ENTRY_GROUP_COLLISION, p);
		return;
	}
	if (err < 0 || (err = avahi_entry_group_commit(p->group)) < 0) {
		log_warnx("export: %s: %s", p->instance, avahi_strerror(err));
		pub_withdraw(p);
	}
	avahi_string_list_free(txt);
}

/* ---- what should be published ---- */

static struct pub *
pub_find(const char *key)
{
	struct pub	*p;

	TAILQ_FOREACH(p, &ex.pubs, entry)
		if (strcmp(p->key, key) == 0)
			return p;
	return NULL;
}

static int
txt_same(const struct pub *p, char *const *txt, size_t n)
{
	size_t	i;

	if (p->ntxt != n)
		return 0;
	for (i = 0; i < n; i++)
		if (strcmp(p->txt[i], txt[i]) != 0)
			return 0;
	return 1;
}

/* This endpoint should be published: note it, publish or update it. */
static void
want(const char *key, const char *name, const char *proto, int port,
    char *const *txt, size_t ntxt)
{
	struct pub	*p = pub_find(key);
	size_t		 i;

	if (p != NULL && p->port == port && txt_same(p, txt, ntxt)) {
		p->seen = 1;
		return;
	}
	if (p == NULL) {
		if ((p = calloc(1, sizeof(*p))) == NULL)
			return;
		snprintf(p->key, sizeof(p->key), "%s", key);
		snprintf(p->name, sizeof(p->name), "%s", name);
		snprintf(p->type, sizeof(p->type), "_%s._%s", name, proto);
		TAILQ_INSERT_TAIL(&ex.pubs, p, entry);
	}
	pub_withdraw(p);
	pub_txt_free(p);
	for (i = 0; i < ntxt && i < TXT_MAX; i++)
		if ((p->txt[i] = strdup(txt[i])) != NULL)
			p->ntxt++;
	p->port = port;
	p->seen = 1;
	pub_publish(p);
}

/* The TXT strings of ep ("k=v"), as published before etcd came. */
static size_t
ep_txt(const struct export_ep *ep, char *txt[TXT_MAX], char buf[3][64])
{
	size_t	n = 0;

	snprintf(buf[0], 64, "source=%s", ep->source);
	txt[n++] = buf[0];
	if (strcmp(ep->source, "registered") != 0)
		return n;
	snprintf(buf[1], 64, "prio=%u", ep->prio);
	snprintf(buf[2], 64, "weight=%u", ep->weight);
	txt[n++] = buf[1];
	txt[n++] = buf[2];
	for (size_t i = 0; i < ep->ntags && n < TXT_MAX; i++)
		txt[n++] = (char *)ep->tags[i];
	return n;
}

/* Make what is published match what should be. */
static void
avahi_sync(const struct export_ep *ep, size_t n)
{
	struct pub	*p, *next;
	char		*txt[TXT_MAX], buf[3][64];
	size_t		 i, ntxt;

	TAILQ_FOREACH(p, &ex.pubs, entry)
		p->seen = 0;
	for (i = 0; i < n; i++) {
		ntxt = ep_txt(&ep[i], txt, buf);
		want(ep[i].key, ep[i].name, ep[i].proto, ep[i].port, txt, ntxt);
	}
	TAILQ_FOREACH_SAFE(p, &ex.pubs, entry, next)
		if (!p->seen) {
			log_info("export: withdrew \"%s\" (%s)",
			    p->instance ? p->instance : p->name, p->type);
			pub_free(p);
		}
}

/* ---- the client ---- */

static void
groups_forget(void)
{
	struct pub	*p;

	/* The daemon went away: its groups went with it. */
	TAILQ_FOREACH(p, &ex.pubs, entry)
		p->group = NULL;
}

static void
client_cb(AvahiClient *c, AvahiClientState state, void *arg)
{
	struct pub	*p;

	(void)arg;
	ex.client = c;	/* the first call comes before avahi_client_new returns */
	switch (state) {
	case AVAHI_CLIENT_S_RUNNING:
		if (!ex.running)
			log_notice("export: avahi-daemon is running; "
			    "publishing as %s", avahi_client_get_host_name(c));
		ex.running = 1;
		TAILQ_FOREACH(p, &ex.pubs, entry)
			pub_publish(p);
		break;
	case AVAHI_CLIENT_S_COLLISION:
	case AVAHI_CLIENT_S_REGISTERING:
		/* The host name changes: publish again once it is settled. */
		ex.running = 0;
		TAILQ_FOREACH(p, &ex.pubs, entry) {
			pub_withdraw(p);
			avahi_free(p->instance);
			p->instance = NULL;
		}
		break;
	case AVAHI_CLIENT_CONNECTING:
		if (ex.running)
			log_warnx("export: waiting for avahi-daemon");
		ex.running = 0;
		groups_forget();
		break;
	case AVAHI_CLIENT_FAILURE:
		log_warnx("export: avahi client: %s; reconnecting",
		    avahi_strerror(avahi_client_errno(c)));
		ex.running = 0;
		groups_forget();
		/* Not from inside the client's own callback. */
		event_active(ex.reconnect_ev, EV_TIMEOUT, 1);
		break;
	}
}

static void
reconnect_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	if (ex.client != NULL)
		avahi_client_free(ex.client);
	ex.client = NULL;
	client_start();
}

/*
 * NO_FAIL covers an absent avahi-daemon, not an absent D-Bus: then try
 * again every RETRY_SEC, saying so once.
 */
static void
client_start(void)
{
	struct timeval	tv = { RETRY_SEC, 0 };
	int		err;

	ex.client = avahi_client_new(&ex.api, AVAHI_CLIENT_NO_FAIL, client_cb,
	    NULL, &err);
	if (ex.client != NULL) {
		ex.start_failed = 0;
		return;
	}
	if (!ex.start_failed)
		log_warnx("export: avahi client: %s; retrying every %ds",
		    avahi_strerror(err), RETRY_SEC);
	ex.start_failed = 1;
	evtimer_add(ex.reconnect_ev, &tv);
}

static void
avahi_configure(struct event_base *base, const struct superd_conf *conf)
{
	(void)conf;
	if (ex.on)
		return;
	ex.base = base;
	avahi_poll_event_init(&ex.api, base);
	ex.reconnect_ev = evtimer_new(base, reconnect_cb, NULL);
	ex.on = 1;
	client_start();
}

static void
avahi_stop(void)
{
	struct pub	*p;

	if (!ex.on)
		return;
	while ((p = TAILQ_FIRST(&ex.pubs)) != NULL)
		pub_free(p);
	if (ex.client != NULL)
		avahi_client_free(ex.client);
	ex.client = NULL;
	ex.running = 0;
	event_free(ex.reconnect_ev);
	ex.on = 0;
}

const struct export_pub export_avahi = {
	.name = "avahi",
	.kind = DIR_EXPORT_AVAHI,
	.configure = avahi_configure,
	.sync = avahi_sync,
	.stop = avahi_stop,
};
