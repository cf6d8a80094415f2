/*
 * urgent.c: TCP urgent data on handlers' connections, through a private
 * epoll set (EPOLLPRI | EPOLLRDHUP) that the loop polls as one fd.
 */
#include "config.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "urgent.h"

#define URGENT_EVENTS	16

struct urgent_watch {
	int		 fd;		/* our copy, -1 once stopped */
	urgent_fn	 fn;
	void		*arg;
};

static int		 epfd = -1;
static struct event	*ev;

/* The client stopped sending: no urgent data can follow. */
static void
watch_stop(struct urgent_watch *w)
{
	if (w->fd == -1)
		return;
	epoll_ctl(epfd, EPOLL_CTL_DEL, w->fd, NULL);
	close(w->fd);
	w->fd = -1;
}

static void
urgent_cb(evutil_socket_t fd, short what, void *arg)
{
	struct epoll_event	 evs[URGENT_EVENTS];
	struct urgent_watch	*w;
	char			 c;
	int			 i, n;

	(void)fd;
	(void)what;
	(void)arg;
	n = epoll_wait(epfd, evs, URGENT_EVENTS, 0);
	for (i = 0; i < n; i++) {
		w = evs[i].data.ptr;
		/*
		 * Telling the owner never frees the watch here (an exec
		 * handler's request ends at its SIGCHLD): w stays valid.
		 */
		if ((evs[i].events & EPOLLPRI) && w->fd != -1 &&
		    recv(w->fd, &c, 1, MSG_OOB | MSG_DONTWAIT) == 1)
			w->fn(w->arg);
		if (evs[i].events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
			watch_stop(w);
	}
}

int
urgent_init(struct event_base *base, int prio)
{
	if ((epfd = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		log_warn("urgent data: epoll_create1");
		return -1;
	}
	if ((ev = event_new(base, epfd, EV_READ | EV_PERSIST, urgent_cb,
	    NULL)) == NULL) {
		close(epfd);
		epfd = -1;
		return -1;
	}
	event_priority_set(ev, prio);
	event_add(ev, NULL);
	return 0;
}

void
urgent_shutdown(void)
{
	if (ev != NULL)
		event_free(ev);
	if (epfd != -1)
		close(epfd);
	ev = NULL;
	epfd = -1;
}

struct urgent_watch *
urgent_watch_new(int fd, urgent_fn fn, void *arg)
{
	struct epoll_event	 e = { .events = EPOLLPRI | EPOLLRDHUP };
	struct urgent_watch	*w;

	if (epfd == -1 || (w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	if ((w->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3)) == -1) {
		free(w);
		return NULL;
	}
	w->fn = fn;
	w->arg = arg;
	e.data.ptr = w;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, w->fd, &e) == -1) {
		close(w->fd);
		free(w);
		return NULL;
	}
	return w;
}

void
urgent_watch_free(struct urgent_watch *w)
{
	if (w == NULL)
		return;
	watch_stop(w);
	free(w);
}

int
urgent_watch_fd(const struct urgent_watch *w)
{
	return w != NULL ? w->fd : -1;
}
