/*
 * redirect.c: the in-process TCP forwarder (see redirect.h).
 */
#include "config.h"

#include <sys/socket.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "redirect.h"

#define REDIRECT_IO_MAX		(64 * 1024)	/* bytes per read or write */

/* One end of the forwarder: what it sent us goes to its peer. */
struct side {
	struct redirect		*r;
	struct side		*peer;
	struct bufferevent	*bev;
	int			 eof;		/* it sent EOF */
	int			 shut;		/* we sent it EOF (SHUT_WR) */
	int			 held;		/* not read: its peer is full */
	uint64_t		 bytes;		/* forwarded from it */
};

struct redirect {
	struct side		 client;
	struct side		 backend;
	struct event		*end_ev;	/* ends it from the loop */
	int			 connected;
	int			 ending;
	redirect_done_fn	 done;
	void			*arg;
	char			 why[128];
};

static void	read_cb(struct bufferevent *, void *);
static void	write_cb(struct bufferevent *, void *);
static void	event_cb(struct bufferevent *, short, void *);

/* Free everything, then tell the owner. */
static void
end_cb(evutil_socket_t fd, short what, void *arg)
{
	struct redirect		*r = arg;
	struct redirect_counts	 n;
	redirect_done_fn	 done = r->done;
	void			*darg = r->arg;
	char			 why[sizeof(r->why)];

	(void)fd;
	(void)what;
	n.from_client = r->client.bytes;
	n.from_backend = r->backend.bytes;
	memcpy(why, r->why, sizeof(why));
	bufferevent_free(r->client.bev);
	bufferevent_free(r->backend.bev);
	event_free(r->end_ev);
	free(r);
	done(darg, &n, why);
}

/* End from the loop, so no callback frees what its caller still uses. */
static void
finish(struct redirect *r, const char *why)
{
	if (r->ending)
		return;
	r->ending = 1;
	snprintf(r->why, sizeof(r->why), "%s", why);
	bufferevent_disable(r->client.bev, EV_READ | EV_WRITE);
	bufferevent_disable(r->backend.bev, EV_READ | EV_WRITE);
	event_active(r->end_ev, EV_TIMEOUT, 1);
}

/* Both directions closed: done. */
static void
check_done(struct redirect *r)
{
	if (r->client.eof && r->backend.eof && r->client.shut &&
	    r->backend.shut)
		finish(r, "");
}

/* s sent EOF and all of it is written: pass the EOF on. */
static void
pass_eof(struct side *s)
{
	struct side	*p = s->peer;

	if (!s->eof || p->shut ||
	    evbuffer_get_length(bufferevent_get_output(p->bev)) > 0)
		return;
	p->shut = 1;
	if (shutdown(bufferevent_getfd(p->bev), SHUT_WR) == -1 &&
	    errno != ENOTCONN) {
		finish(s->r, strerror(errno));
		return;
	}
	check_done(s->r);
}

/* Move what s sent to its peer; stop reading s while the peer is full. */
static void
forward(struct side *s)
{
	struct evbuffer	*in = bufferevent_get_input(s->bev);
	struct evbuffer	*out = bufferevent_get_output(s->peer->bev);

	s->bytes += evbuffer_get_length(in);
	evbuffer_add_buffer(out, in);
	if (evbuffer_get_length(out) >= REDIRECT_BUF_MAX && !s->held) {
		s->held = 1;
		bufferevent_disable(s->bev, EV_READ);
	}
}

static void
read_cb(struct bufferevent *bev, void *arg)
{
	(void)bev;
	forward(arg);
}

/* s took enough of what its peer sent: read the peer again. */
static void
write_cb(struct bufferevent *bev, void *arg)
{
	struct side	*s = arg, *p = s->peer;

	(void)bev;
	if (p->held && !p->eof) {
		p->held = 0;
		bufferevent_enable(p->bev, EV_READ);
	}
	pass_eof(p);
}

/* The backend answered: start reading both. */
static void
connected(struct redirect *r)
{
	r->connected = 1;
	bufferevent_set_timeouts(r->backend.bev, NULL, NULL);
	bufferevent_enable(r->client.bev, EV_READ | EV_WRITE);
	bufferevent_enable(r->backend.bev, EV_READ | EV_WRITE);
}

static void
event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct side	*s = arg;
	struct redirect	*r = s->r;
	char		 why[128];
	int		 err = EVUTIL_SOCKET_ERROR();

	(void)bev;
	if (what & BEV_EVENT_CONNECTED) {
		connected(r);
		return;
	}
	if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_WRITING)) {
		forward(s);
		s->eof = 1;
		pass_eof(s);
		return;
	}
	if (!r->connected)
		snprintf(why, sizeof(why), "cannot connect to the backend: %s",
		    what & BEV_EVENT_TIMEOUT ? "timed out" : strerror(err));
	else
		snprintf(why, sizeof(why), "%s: %s", s == &r->client ?
		    "client" : "backend", what & BEV_EVENT_TIMEOUT ?
		    "timed out" : what & BEV_EVENT_EOF ? "closed" :
		    strerror(err));
	finish(r, why);
}

static void
side_init(struct redirect *r, struct side *s, struct side *peer,
    struct bufferevent *bev)
{
	s->r = r;
	s->peer = peer;
	s->bev = bev;
	bufferevent_setcb(bev, read_cb, write_cb, event_cb, s);
	/* Reads stop at the cap; the writer wakes its peer at half. */
	bufferevent_setwatermark(bev, EV_READ, 0, REDIRECT_BUF_MAX);
	bufferevent_setwatermark(bev, EV_WRITE, REDIRECT_BUF_MAX / 2, 0);
	/* libevent's 16 KiB a call would be most of the cost of bulk data. */
	bufferevent_set_max_single_read(bev, REDIRECT_IO_MAX);
	bufferevent_set_max_single_write(bev, REDIRECT_IO_MAX);
}

struct redirect *
redirect_start(struct event_base *base, int fd, const struct sockaddr *to,
    socklen_t tolen, redirect_done_fn done, void *arg, char *err,
    size_t errlen)
{
	struct redirect		*r;
	struct bufferevent	*c = NULL, *b = NULL;
	struct timeval		 tv = { REDIRECT_CONNECT_SEC, 0 };

	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->end_ev = event_new(base, -1, 0, end_cb, r)) == NULL ||
	    (c = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE)) ==
	    NULL ||
	    (b = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE)) ==
	    NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	r->done = done;
	r->arg = arg;
	side_init(r, &r->client, &r->backend, c);
	side_init(r, &r->backend, &r->client, b);
	bufferevent_disable(c, EV_READ);
	bufferevent_set_timeouts(b, NULL, &tv);
	if (bufferevent_socket_connect(b, (struct sockaddr *)to,
	    (int)tolen) == -1) {
		snprintf(err, errlen, "cannot connect to the backend: %s",
		    strerror(errno));
		goto fail;
	}
	return r;
fail:
	if (b != NULL)
		bufferevent_free(b);
	if (c != NULL)
		bufferevent_free(c);
	else
		close(fd);
	if (r != NULL && r->end_ev != NULL)
		event_free(r->end_ev);
	free(r);
	return NULL;
}

void
redirect_abort(struct redirect *r, const char *why)
{
	if (r != NULL)
		finish(r, why);
}
