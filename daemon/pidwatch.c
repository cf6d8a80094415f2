/*
 * pidwatch.c: a process's exit through its pidfd.  See pidwatch.h.
 */
#include "config.h"

#include <sys/syscall.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include <event2/event.h>

#include "pidwatch.h"

struct pidwatch {
	int		 fd;
	struct event	*ev;
	pidwatch_fn	 fn;
	void		*arg;
};

static int
pidfd_open_compat(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

/* The pidfd is readable once the process has exited. */
static void
exit_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pidwatch	*w = arg;

	(void)fd;
	(void)what;
	w->fn(w->arg);
}

struct pidwatch *
pidwatch_new(struct event_base *base, pid_t pid, pidwatch_fn fn, void *arg)
{
	struct pidwatch	*w;
	int		 e;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->fn = fn;
	w->arg = arg;
	if ((w->fd = pidfd_open_compat(pid)) == -1) {
		e = errno;
		free(w);
		errno = e;
		return NULL;
	}
	/* One shot: fn frees the watch (and the request it watches). */
	if ((w->ev = event_new(base, w->fd, EV_READ, exit_cb, w)) == NULL ||
	    event_add(w->ev, NULL) == -1) {
		pidwatch_free(w);
		errno = ENOMEM;
		return NULL;
	}
	return w;
}

void
pidwatch_free(struct pidwatch *w)
{
	if (w == NULL)
		return;
	if (w->ev != NULL)
		event_free(w->ev);
	close(w->fd);
	free(w);
}
