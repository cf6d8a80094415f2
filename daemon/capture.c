/*
 * capture.c: a handler's stderr, line by line, into the log.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "capture.h"
#include "log.h"

#define LINE_MAX_LOG	1024	/* longer lines are logged in pieces */

struct capture {
	int		 fd;
	struct event	*ev;
	char		*name;
	pid_t		 pid;
	size_t		 len;
	char		 buf[LINE_MAX_LOG];
};

/* Log complete (or, at the end, partial) lines. */
static void
capture_flush(struct capture *c, int all_of_it)
{
	char	*nl, *start = c->buf;
	size_t	 left = c->len, len;

	while (left > 0 && ((nl = memchr(start, '\n', left)) != NULL ||
	    all_of_it || left == sizeof(c->buf))) {
		len = nl ? (size_t)(nl - start) : left;
		log_warnx("service %s[%ld]: %.*s", c->name, (long)c->pid,
		    (int)len, start);
		len += nl ? 1 : 0;
		start += len;
		left -= len;
	}
	memmove(c->buf, start, left);
	c->len = left;
}

/* One read; 0 at EOF or on an error that ends the pipe. */
static int
capture_read(struct capture *c)
{
	ssize_t	n;

	n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
	if (n > 0) {
		c->len += (size_t)n;
		capture_flush(c, 0);
		return 1;
	}
	return n == -1 && (errno == EAGAIN || errno == EINTR) ? -1 : 0;
}

static void
capture_cb(evutil_socket_t fd, short what, void *arg)
{
	struct capture	*c = arg;

	(void)fd;
	(void)what;
	if (capture_read(c) == 0)
		event_del(c->ev);
}

struct capture *
capture_new(struct event_base *base, int fd, const char *name, pid_t pid)
{
	struct capture	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->name = strdup(name)) == NULL ||
	    (c->ev = event_new(base, fd, EV_READ | EV_PERSIST, capture_cb, c))
	    == NULL) {
		if (c != NULL)
			free(c->name);
		free(c);
		close(fd);
		return NULL;
	}
	/* Non-blocking, so the drain at the end cannot hang. */
	(void)fcntl(fd, F_SETFL, O_NONBLOCK);
	c->fd = fd;
	c->pid = pid;
	event_add(c->ev, NULL);
	return c;
}

/*
 * The handler's exit can reach us before its last write does, so read
 * what is still there first.  Bounded: a grandchild holding the pipe
 * open must not keep us here.
 */
void
capture_free(struct capture *c)
{
	int	i;

	if (c == NULL)
		return;
	for (i = 0; i < 16 && capture_read(c) == 1; i++)
		;
	capture_flush(c, 1);
	event_free(c->ev);
	close(c->fd);
	free(c->name);
	free(c);
}

int
capture_fd(const struct capture *c)
{
	return c != NULL ? c->fd : -1;
}
