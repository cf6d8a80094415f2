/*
 * connpoll.c: a private epoll set for builtin stream connections, polled
 * by the base as one descriptor (see connpoll.h for why).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/epoll.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "connpoll.h"

#define CONNPOLL_BATCH	64	/* events taken a turn; the rest wait a turn */

struct connpoll_slot {
	connpoll_cb	 cb;
	void		*arg;
	uint32_t	 gen;		/* of the registration, if any */
	short		 what;		/* registered: EV_READ | EV_WRITE */
};

struct connpoll {
	int				 epfd;
	struct event			*ev;	/* epfd readable */
	struct event			*later_ev;
	TAILQ_HEAD(, connpoll_task)	 later;
	struct connpoll_slot		*slots;	/* by descriptor number */
	int				 nslots;
	uint32_t			 gen;
};

static void	connpoll_ready_cb(evutil_socket_t, short, void *);
static void	connpoll_later_cb(evutil_socket_t, short, void *);
static int	slot_reserve(struct connpoll *, int);
static short	slot_events(short, uint32_t);
static void	slot_deliver(struct connpoll *, const struct epoll_event *);

struct connpoll *
connpoll_new(struct event_base *base)
{
	struct connpoll	*cp;
	int		 lowest = event_base_get_npriorities(base) - 1;

	if ((cp = calloc(1, sizeof(*cp))) == NULL)
		return NULL;
	TAILQ_INIT(&cp->later);
	/* epoll_create1's errno (EMFILE, ...) is the one to report. */
	if ((cp->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		free(cp);
		return NULL;
	}
	if ((cp->ev = event_new(base, cp->epfd, EV_READ | EV_PERSIST,
	    connpoll_ready_cb, cp)) == NULL ||
	    (cp->later_ev = event_new(base, -1, 0, connpoll_later_cb,
	    cp)) == NULL ||
	    event_priority_set(cp->ev, lowest) == -1 ||
	    event_priority_set(cp->later_ev, lowest) == -1 ||
	    event_add(cp->ev, NULL) == -1) {
		connpoll_free(cp);
		errno = ENOMEM;
		return NULL;
	}
	return cp;
}

void
connpoll_free(struct connpoll *cp)
{
	if (cp == NULL)
		return;
	if (cp->ev != NULL)
		event_free(cp->ev);
	if (cp->later_ev != NULL)
		event_free(cp->later_ev);
	if (cp->epfd != -1)
		close(cp->epfd);
	free(cp->slots);
	free(cp);
}

/* Make room for descriptor fd in the table; -1 with errno set. */
static int
slot_reserve(struct connpoll *cp, int fd)
{
	struct connpoll_slot	*s;
	int			 n = cp->nslots > 0 ? cp->nslots : 64;

	if (fd < 0) {
		errno = EBADF;
		return -1;
	}
	if (fd < cp->nslots)
		return 0;
	while (n <= fd)
		n *= 2;
	if ((s = reallocarray(cp->slots, n, sizeof(*s))) == NULL)
		return -1;
	memset(s + cp->nslots, 0, (size_t)(n - cp->nslots) * sizeof(*s));
	cp->slots = s;
	cp->nslots = n;
	return 0;
}

int
connpoll_set(struct connpoll *cp, int fd, short what, connpoll_cb cb,
    void *arg)
{
	struct connpoll_slot	*s;
	struct epoll_event	 ev;
	int			 op;

	if (slot_reserve(cp, fd) == -1)
		return -1;
	s = &cp->slots[fd];
	what &= EV_READ | EV_WRITE;
	s->cb = cb;
	s->arg = arg;
	if (what == s->what)
		return 0;
	memset(&ev, 0, sizeof(ev));
	if (what == 0)
		op = EPOLL_CTL_DEL;
	else if (s->what == 0) {
		op = EPOLL_CTL_ADD;
		s->gen = ++cp->gen;
	} else
		op = EPOLL_CTL_MOD;
	ev.events = ((what & EV_READ) ? EPOLLIN : 0) |
	    ((what & EV_WRITE) ? EPOLLOUT : 0);
	ev.data.u64 = (uint64_t)s->gen << 32 | (uint32_t)fd;
	if (epoll_ctl(cp->epfd, op, fd, &ev) == -1)
		return -1;
	s->what = what;
	return 0;
}

void
connpoll_closing(struct connpoll *cp, int fd)
{
	if (fd >= 0 && fd < cp->nslots)
		memset(&cp->slots[fd], 0, sizeof(cp->slots[fd]));
}

void
connpoll_drop(struct connpoll *cp, int fd)
{
	if (fd >= 0 && fd < cp->nslots && cp->slots[fd].what != 0)
		(void)epoll_ctl(cp->epfd, EPOLL_CTL_DEL, fd, NULL);
	connpoll_closing(cp, fd);
}

void
connpoll_later(struct connpoll *cp, struct connpoll_task *t,
    void (*fn)(void *), void *arg)
{
	t->fn = fn;
	t->arg = arg;
	TAILQ_INSERT_TAIL(&cp->later, t, entry);
	event_active(cp->later_ev, 0, 1);
}

/* What of registered events the kernel's bits wake, as libevent maps them. */
static short
slot_events(short registered, uint32_t bits)
{
	short	 what = 0;

	if (bits & (EPOLLIN | EPOLLHUP | EPOLLERR))
		what |= EV_READ;
	if (bits & (EPOLLOUT | EPOLLHUP | EPOLLERR))
		what |= EV_WRITE;
	return what & registered;
}

/* One event to its connection, unless it is a closed socket's late news. */
static void
slot_deliver(struct connpoll *cp, const struct epoll_event *e)
{
	int			 fd = (int)(uint32_t)e->data.u64;
	uint32_t		 gen = (uint32_t)(e->data.u64 >> 32);
	struct connpoll_slot	*s;
	short			 what;

	if (fd >= cp->nslots)
		return;
	s = &cp->slots[fd];
	if (s->what == 0 || s->gen != gen ||
	    (what = slot_events(s->what, e->events)) == 0)
		return;
	s->cb(fd, what, s->arg);
}

/*
 * The set has news.  A callback may close its own socket or another's:
 * each event is checked against the table when its turn comes.
 */
static void
connpoll_ready_cb(evutil_socket_t fd, short what, void *arg)
{
	struct connpoll		*cp = arg;
	struct epoll_event	 evs[CONNPOLL_BATCH];
	int			 i, n;

	(void)fd;
	(void)what;
	n = epoll_wait(cp->epfd, evs, CONNPOLL_BATCH, 0);
	for (i = 0; i < n; i++)
		slot_deliver(cp, &evs[i]);
}

/* Run the tasks queued so far; those they queue run after this walk. */
static void
connpoll_later_cb(evutil_socket_t fd, short what, void *arg)
{
	struct connpoll		*cp = arg;
	struct connpoll_task	*t;
	TAILQ_HEAD(, connpoll_task) now = TAILQ_HEAD_INITIALIZER(now);

	(void)fd;
	(void)what;
	TAILQ_CONCAT(&now, &cp->later, entry);
	while ((t = TAILQ_FIRST(&now)) != NULL) {
		TAILQ_REMOVE(&now, t, entry);
		t->fn(t->arg);
	}
}
