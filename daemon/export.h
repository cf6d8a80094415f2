/*
 * export.h: publish directory endpoints on the local network as DNS-SD
 * services over mDNS (Avahi), so clients on other hosts can find them.
 *
 * What is published: configured services with "export = yes" that are
 * listening on TCP or UDP, and leases registered with export=yes (see
 * superd-directory(7)).  Each is instance "NAME on HOST" of type
 * _NAME._tcp or _NAME._udp, with TXT records for its attributes (never
 * the owner's uid).  export.c reconciles what is published with what
 * should be once a second, so a lease that ends, a service removed or
 * disabled leaves DNS-SD within a second; when superd stops, Avahi
 * withdraws everything.  Built without Avahi, export_none.c stands in.
 */
#ifndef SUPERD_EXPORT_H
#define SUPERD_EXPORT_H

struct event_base;
struct superd_conf;

/* Start, keep or stop publishing per conf (first load and reloads). */
void	export_configure(struct event_base *, const struct superd_conf *);
void	export_stop(void);
/* Was superd built with a DNS-SD publisher? */
int	export_available(void);

#endif
