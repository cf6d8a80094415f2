/*
 * export.c: what should be published, worked out once for every
 * publisher.  See export.h and export_pub.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "conf.h"
#include "conf_parse.h"
#include "directory.h"
#include "directory_server.h"
#include "export.h"
#include "export_pub.h"
#include "log.h"
#include "service.h"

#define SYNC_SEC	1

static const struct export_pub *const pubs[] = {
#ifdef HAVE_AVAHI
	&export_avahi,
#endif
	&export_etcd,
};
#define NPUBS	(sizeof(pubs) / sizeof(pubs[0]))

/* The wanted set of one sync. */
struct want {
	struct export_ep	*ep;
	size_t			 n, cap;
};

static struct {
	struct event	*sync_ev;
	unsigned	 kinds;		/* DIR_EXPORT_* running */
} ex;

/* A new entry at the end of w, zeroed, or NULL. */
static struct export_ep *
want_add(struct want *w)
{
	struct export_ep	*ep;

	if (w->n == w->cap) {
		if ((ep = reallocarray(w->ep, w->cap ? w->cap * 2 : 16,
		    sizeof(*ep))) == NULL)
			return NULL;
		w->ep = ep;
		w->cap = w->cap ? w->cap * 2 : 16;
	}
	ep = &w->ep[w->n++];
	memset(ep, 0, sizeof(*ep));
	return ep;
}

static void
want_service(const struct service_info *i, void *arg)
{
	struct export_ep	*ep;

	if (!i->export || strcmp(i->state, "listening") != 0 ||
	    (strcmp(i->proto, "tcp") != 0 && strcmp(i->proto, "udp") != 0) ||
	    i->port <= 0 || !valid_service_name(i->name) ||
	    (ep = want_add(arg)) == NULL)
		return;
	snprintf(ep->key, sizeof(ep->key), "s/%s/%s/%d", i->name, i->proto,
	    i->port);
	snprintf(ep->name, sizeof(ep->name), "%s", i->name);
	ep->proto = strcmp(i->proto, "tcp") == 0 ? "tcp" : "udp";
	snprintf(ep->addr, sizeof(ep->addr), "%s", i->address ? i->address :
	    "*");
	ep->port = i->port;
	ep->source = i->dynamic ? "dynamic" : "static";
	ep->weight = 1;
}

static void
want_lease(const struct dir_entry *e, void *arg)
{
	struct export_ep	*ep;

	if (!e->export || e->proto == DIR_PROTO_UNIX ||
	    (ep = want_add(arg)) == NULL)
		return;
	snprintf(ep->key, sizeof(ep->key), "l/%llu",
	    (unsigned long long)e->id);
	snprintf(ep->name, sizeof(ep->name), "%s", e->name);
	ep->proto = dir_proto_name(e->proto);
	snprintf(ep->addr, sizeof(ep->addr), "%s", e->addr);
	ep->port = (int)e->port;
	ep->source = "registered";
	ep->prio = e->prio;
	ep->weight = e->weight;
	for (size_t i = 0; i < e->ntags && i < DIR_MAX_TAGS; i++)
		ep->tags[ep->ntags++] = e->tags[i];
}

/* Work out the wanted set and hand it to every running publisher. */
static void
sync_now(void)
{
	struct want	w = { 0 };
	size_t		i;

	service_foreach_info(want_service, &w);
	directory_foreach_lease(want_lease, &w);
	for (i = 0; i < NPUBS; i++)
		if (ex.kinds & pubs[i]->kind)
			pubs[i]->sync(w.ep, w.n);
	free(w.ep);
}

static void
sync_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	sync_now();
}

void
export_configure(struct event_base *base, const struct superd_conf *conf)
{
	struct timeval	tv = { SYNC_SEC, 0 };
	size_t		i;

	for (i = 0; i < NPUBS; i++) {
		if (conf->directory_export & pubs[i]->kind)
			pubs[i]->configure(base, conf);
		else if (ex.kinds & pubs[i]->kind)
			pubs[i]->stop();
	}
	ex.kinds = conf->directory_export;
	if (ex.kinds == 0) {
		export_stop();
		return;
	}
	if (ex.sync_ev == NULL) {
		ex.sync_ev = event_new(base, -1, EV_PERSIST, sync_cb, NULL);
		event_add(ex.sync_ev, &tv);
	}
	sync_now();
}

void
export_stop(void)
{
	for (size_t i = 0; i < NPUBS; i++)
		if (ex.kinds & pubs[i]->kind)
			pubs[i]->stop();
	ex.kinds = 0;
	if (ex.sync_ev != NULL)
		event_free(ex.sync_ev);
	ex.sync_ev = NULL;
}
