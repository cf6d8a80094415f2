/*
 * export.h: publish directory endpoints beyond this host: DNS-SD over
 * mDNS with Avahi (one LAN), and an etcd cluster (many networks), as
 * directory-export says.
 *
 * What is published: configured services with "export = yes" that are
 * listening on TCP or UDP, and leases registered with export=yes (see
 * superd-directory(7)).  export.c reconciles that set once a second and
 * on every reload, and hands it to each publisher (export_pub.h), so a
 * lease that ends, a service removed or disabled leaves both directories
 * within a second.
 */
#ifndef SUPERD_EXPORT_H
#define SUPERD_EXPORT_H

struct event_base;
struct superd_conf;

/* Start, keep or stop publishing per conf (first load and reloads). */
void	export_configure(struct event_base *, const struct superd_conf *);
void	export_stop(void);

#endif
