/*
 * connpoll.h: one epoll set for many short stream connections, seen by
 * a libevent base as a single readable descriptor.
 *
 * libevent takes a socket out of its epoll set (EPOLL_CTL_DEL) before
 * the socket is closed: one system call per connection that a bare
 * server does not make, since closing a socket's last reference removes
 * its registration anyway.  A builtin connection's socket is registered
 * here instead, and forgotten without a call when it closes.
 *
 * The kernel keeps a closed socket's registration while another process
 * still holds the file (a child between fork and exec has a copy of the
 * descriptor table), so its late events could name a descriptor number
 * that a new connection has taken since.  Each registration carries the
 * number and a generation; an event whose generation is not the number's
 * current one is dropped.  Level-triggered, so such a registration is
 * reported on every turn until that child lets the file go (at exec).
 */
#ifndef CONNPOLL_H
#define CONNPOLL_H

#include <sys/queue.h>

struct event_base;
struct connpoll;

/* what: EV_READ and/or EV_WRITE, as libevent's callbacks get them. */
typedef void (*connpoll_cb)(int fd, short what, void *arg);

/* Work that must wait for the loop (see connpoll_later); caller-owned. */
struct connpoll_task {
	TAILQ_ENTRY(connpoll_task)	 entry;
	void				(*fn)(void *);
	void				*arg;
};

/*
 * A poll set on base, run at the base's lowest priority (with the
 * listeners: libevent runs one priority a turn, and connections above
 * the listeners would keep new ones waiting in the accept queue).
 * NULL on failure (errno set).
 */
struct connpoll	*connpoll_new(struct event_base *base);
/* Free the set; every socket must have been closed or dropped first. */
void		 connpoll_free(struct connpoll *);
/*
 * Watch fd for what (EV_READ | EV_WRITE; 0 stops watching but keeps the
 * number's generation), calling cb(fd, what, arg) from the loop while
 * it holds.  0, or -1 with errno set.
 */
int		 connpoll_set(struct connpoll *, int fd, short what,
		    connpoll_cb cb, void *arg);
/* fd is about to be closed: forget it, without a system call. */
void		 connpoll_closing(struct connpoll *, int fd);
/* fd stays open and moves elsewhere: take it out of the set. */
void		 connpoll_drop(struct connpoll *, int fd);
/* Run fn(arg) from the loop, soon; t must live until then. */
void		 connpoll_later(struct connpoll *, struct connpoll_task *t,
		    void (*fn)(void *), void *arg);

#endif
