/*
 * export_pub.h: between export.c, which works out once a second what
 * should be published, and the publishers that make it so: Avahi
 * (export_avahi.c, DNS-SD on the LAN) and etcd (export_etcd.c, a
 * cluster-wide directory under one lease).
 *
 * A publisher gets the whole wanted set on every sync and compares it
 * with what it has published; it keeps nothing export.c hands it past
 * the call.
 */
#ifndef SUPERD_EXPORT_PUB_H
#define SUPERD_EXPORT_PUB_H

#include <stddef.h>

#include "directory.h"

struct event_base;
struct superd_conf;

#define EXPORT_KEY_MAX	48

/* One endpoint that should be published. */
struct export_ep {
	char		 key[EXPORT_KEY_MAX];	/* "s/NAME/PROTO/PORT", "l/ID" */
	char		 name[DIR_NAME_MAX + 1];
	const char	*proto;			/* "tcp", "udp" */
	char		 addr[DIR_ADDR_MAX];	/* bound: "*", "0.0.0.0", "::", IP */
	int		 port;
	const char	*source;		/* static, dynamic, registered */
	unsigned	 prio;
	unsigned	 weight;
	const char	*tags[DIR_MAX_TAGS];	/* "K=V" */
	size_t		 ntags;
};

struct export_pub {
	const char	*name;
	unsigned	 kind;		/* its DIR_EXPORT_* bit */
	/* Start, or take a new conf while running. */
	void		(*configure)(struct event_base *,
			    const struct superd_conf *);
	/* Make what is published match ep[0..n). */
	void		(*sync)(const struct export_ep *, size_t n);
	void		(*stop)(void);
};

#ifdef HAVE_AVAHI
extern const struct export_pub export_avahi;
#endif
extern const struct export_pub export_etcd;

#endif
