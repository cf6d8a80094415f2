/*
 * avahi_poll.c: Avahi's event-loop interface (AvahiPoll) on libevent, so
 * the Avahi client runs on superd's own loop: no second thread, no
 * blocking call.
 */
#include "config.h"

#include <sys/time.h>
#include <stdlib.h>

#include <avahi-common/timeval.h>
#include <avahi-common/watch.h>
#include <event2/event.h>

#include "avahi_poll.h"

struct AvahiWatch {
	struct event		*ev;
	int			 fd;
	AvahiWatchEvent		 want;
	AvahiWatchEvent		 got;		/* of the current callback */
	AvahiWatchCallback	 cb;
	void			*arg;
	struct event_base	*base;
};

struct AvahiTimeout {
	struct event		*ev;
	AvahiTimeoutCallback	 cb;
	void			*arg;
};

static short
to_libevent(AvahiWatchEvent e)
{
	return (short)(((e & AVAHI_WATCH_IN) ? EV_READ : 0) |
	    ((e & AVAHI_WATCH_OUT) ? EV_WRITE : 0));
}

static void
watch_cb(evutil_socket_t fd, short what, void *arg)
{
	AvahiWatch	*w = arg;

	w->got = (AvahiWatchEvent)(((what & EV_READ) ? AVAHI_WATCH_IN : 0) |
	    ((what & EV_WRITE) ? AVAHI_WATCH_OUT : 0));
	w->cb(w, (int)fd, w->got, w->arg);	/* may free w */
}

/* (Re)arm the libevent event for the events Avahi wants now. */
static int
watch_arm(AvahiWatch *w)
{
	if (w->ev != NULL)
		event_free(w->ev);
	w->ev = NULL;
	if (to_libevent(w->want) == 0)
		return 0;
	w->ev = event_new(w->base, w->fd, to_libevent(w->want) | EV_PERSIST,
	    watch_cb, w);
	return w->ev == NULL ? -1 : event_add(w->ev, NULL);
}

static AvahiWatch *
watch_new(const AvahiPoll *api, int fd, AvahiWatchEvent events,
    AvahiWatchCallback cb, void *arg)
{
	AvahiWatch	*w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->base = api->userdata;
	w->fd = fd;
	w->want = events;
	w->cb = cb;
	w->arg = arg;
	if (watch_arm(w) == -1) {
		if (w->ev != NULL)
			event_free(w->ev);
		free(w);
		return NULL;
	}
	return w;
}

static void
watch_update(AvahiWatch *w, AvahiWatchEvent events)
{
	if (events == w->want)
		return;
	w->want = events;
	(void)watch_arm(w);
}

static AvahiWatchEvent
watch_get_events(AvahiWatch *w)
{
	return w->got;
}

static void
watch_free(AvahiWatch *w)
{
	if (w->ev != NULL)
		event_free(w->ev);
	free(w);
}

static void
timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	AvahiTimeout	*t = arg;

	(void)fd;
	(void)what;
	t->cb(t, t->arg);	/* may update or free t */
}

/* Avahi gives an absolute wall-clock time; NULL disables. */
static void
timeout_update(AvahiTimeout *t, const struct timeval *tv)
{
	struct timeval	rel = { 0, 0 };
	AvahiUsec	left;

	evtimer_del(t->ev);
	if (tv == NULL)
		return;
	if ((left = -avahi_age(tv)) > 0) {
		rel.tv_sec = (time_t)(left / 1000000);
		rel.tv_usec = (suseconds_t)(left % 1000000);
	}
	evtimer_add(t->ev, &rel);
}

static AvahiTimeout *
timeout_new(const AvahiPoll *api, const struct timeval *tv,
    AvahiTimeoutCallback cb, void *arg)
{
	AvahiTimeout	*t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->cb = cb;
	t->arg = arg;
	if ((t->ev = evtimer_new((struct event_base *)api->userdata,
	    timeout_cb, t)) == NULL) {
		free(t);
		return NULL;
	}
	timeout_update(t, tv);
	return t;
}

static void
timeout_free(AvahiTimeout *t)
{
	event_free(t->ev);
	free(t);
}

void
avahi_poll_event_init(AvahiPoll *api, struct event_base *base)
{
	api->userdata = base;
	api->watch_new = watch_new;
	api->watch_update = watch_update;
	api->watch_get_events = watch_get_events;
	api->watch_free = watch_free;
	api->timeout_new = timeout_new;
	api->timeout_update = timeout_update;
	api->timeout_free = timeout_free;
}
