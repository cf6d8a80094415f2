/*
 * avahi_poll.h: an AvahiPoll (Avahi's event-loop interface) that runs on
 * a libevent base.
 */
#ifndef SUPERD_AVAHI_POLL_H
#define SUPERD_AVAHI_POLL_H

#include <avahi-common/watch.h>

struct event_base;

/* Fill api so Avahi's watches and timeouts are events on base. */
void	avahi_poll_event_init(AvahiPoll *api, struct event_base *base);

#endif
