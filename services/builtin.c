/*
 * builtin.c: the table of builtins and the stream machinery they share.
 *
 * A stream connection is one fixed buffer and a registration in the
 * loop's connpoll (closing the socket is all it takes to leave it).  It
 * is a hot path, so it reads at once on start (the request has often
 * arrived with the handshake), stops reading while a reply is only
 * partly sent (memory stays one buffer per connection) and watches only
 * the directions it needs.  An endless
 * output (chargen) is sent straight from the builtin's own bytes, one
 * send each time the socket has room, as a bare server would: what the
 * socket does not take is not sent yet, so nothing is queued for it.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "builtin.h"
#include "connpoll.h"
#include "builtin_priv.h"

#define BI_STREAM	0x01
#define BI_DGRAM	0x02

#define CONN_BUFSZ	4096
#define CONN_ROUNDS	16	/* reads per wakeup: be fair */
#define CONN_PIECE	16384	/* most of an endless output sent at once */

#define CONN_STARTING	0x01	/* inside builtin_stream_start */
#define CONN_DEAD	0x02	/* ended while starting; a task frees it */

struct builtin {
	const char			*name;
	int				 socktypes;
	const struct builtin_ops	*ops;
};

struct builtin_conn {
	const struct builtin_ops	*ops;
	struct connpoll			*cp;
	struct connpoll_task		 end;	/* the deferred end of a start */
	builtin_done_cb			 done;
	void				*arg;
	unsigned long long		 pos;	/* endless output sent so far */
	/*
	 * What the socket did not take yet, or NULL: data is read into and
	 * made in a buffer on the stack and sent at once, so only a
	 * connection whose peer is slow to read holds memory for it; an
	 * idle connection costs this struct and its connpoll slot.
	 */
	char				*buf;
	size_t				 off;	/* sent so far of buf */
	size_t				 len;	/* bytes queued in buf */
	int				 fd;
	short				 what;	/* watched: EV_READ, EV_WRITE */
	short				 flags;
};

/* The one registration table. */
static const struct builtin builtins[] = {
	{ "echo",	BI_STREAM | BI_DGRAM,	&echo_ops },
	{ "discard",	BI_STREAM | BI_DGRAM,	&discard_ops },
	{ "daytime",	BI_STREAM | BI_DGRAM,	&daytime_ops },
	{ "time",	BI_STREAM | BI_DGRAM,	&time_ops },
	{ "chargen",	BI_STREAM | BI_DGRAM,	&chargen_ops },
};
#define NBUILTINS	(sizeof(builtins) / sizeof(builtins[0]))

/* Same order as builtins[]; test_find checks every name resolves. */
static const char *const builtin_namelist[NBUILTINS + 1] = {
	"echo", "discard", "daytime", "time", "chargen", NULL
};

static int	conn_wants_read(const struct builtin_conn *);
static int	conn_update(struct builtin_conn *);
static void	conn_free(struct builtin_conn *);
static int	conn_end(struct builtin_conn *);
static int	conn_send(struct builtin_conn *);
static int	conn_queue(struct builtin_conn *, const char *, size_t);
static int	conn_recv(struct builtin_conn *, char *, size_t, size_t *);
static int	conn_read(struct builtin_conn *);
static int	conn_produce(struct builtin_conn *);
static int	conn_generate(struct builtin_conn *);
static int	conn_kick(struct builtin_conn *);
static void	conn_io_cb(int, short, void *);
static void	conn_stream_cb(int, short, void *);
static void	conn_dead_task(void *);
static void	conn_closing(struct builtin_conn *);
static struct builtin_conn *conn_new(const struct builtin *,
		    struct connpoll *, int, builtin_done_cb, void *);
static struct builtin_conn *conn_open(const struct builtin *,
		    struct connpoll *, int, builtin_done_cb, void *);

/* Look a builtin up by its configuration name. */
const struct builtin *
builtin_find(const char *name)
{
	size_t	 i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < NBUILTINS; i++)
		if (strcmp(builtins[i].name, name) == 0)
			return &builtins[i];
	return NULL;
}

/* The name a builtin is configured by. */
const char *
builtin_name(const struct builtin *bi)
{
	return bi == NULL ? NULL : bi->name;
}

/* Does bi speak socktype (SOCK_STREAM or SOCK_DGRAM)? */
int
builtin_supports(const struct builtin *bi, int socktype)
{
	if (bi == NULL)
		return 0;
	if (socktype == SOCK_STREAM)
		return (bi->socktypes & BI_STREAM) != 0;
	if (socktype == SOCK_DGRAM)
		return (bi->socktypes & BI_DGRAM) != 0;
	return 0;
}

/* Every builtin's name, NULL-terminated. */
const char * const *
builtin_names(void)
{
	return builtin_namelist;
}

/* One datagram's answer, bounded by max and BUILTIN_DGRAM_MAX. */
size_t
builtin_dgram_reply(const struct builtin *bi, const void *req, size_t len,
    void *reply, size_t max, time_t now)
{
	if (!builtin_supports(bi, SOCK_DGRAM) || reply == NULL)
		return 0;
	if (req == NULL)
		len = 0;
	if (max > BUILTIN_DGRAM_MAX)
		max = BUILTIN_DGRAM_MAX;
	return bi->ops->dgram(req, len, reply, max, now);
}

/* Serve fd in cp; see builtin.h.  done is never called from here. */
struct builtin_conn *
builtin_stream_start(const struct builtin *bi, struct connpoll *cp,
    int fd, builtin_done_cb done, void *arg)
{
	struct builtin_conn	*c;

	if ((c = conn_open(bi, cp, fd, done, arg)) == NULL)
		return NULL;
	if (conn_kick(c) == 0)
		c->flags &= ~CONN_STARTING;
	return c;
}

/* Only a shutdown, which is thread-safe; the conn's loop sees EOF/EPIPE. */
void
builtin_conn_abort(struct builtin_conn *c)
{
	if (c != NULL && c->fd != -1)
		shutdown(c->fd, SHUT_RDWR);
}

int
builtin_conn_state(const struct builtin_conn *c, struct builtin_state *st)
{
	st->pos = c->pos;
	st->pending = c->buf != NULL ? c->buf + c->off : NULL;
	st->len = c->buf != NULL ? c->len - c->off : 0;
	return (c->flags & CONN_DEAD) ? -1 : c->fd;
}

void
builtin_conn_forget(struct builtin_conn *c)
{
	if (c->fd != -1)
		connpoll_drop(c->cp, c->fd);
	free(c->buf);
	free(c);
}

struct builtin_conn *
builtin_stream_resume(const struct builtin *bi, struct connpoll *cp,
    int fd, const struct builtin_state *st, builtin_done_cb done, void *arg)
{
	struct builtin_conn	*c;

	if ((c = conn_open(bi, cp, fd, done, arg)) == NULL)
		return NULL;
	c->pos = st->pos;
	if (st->len > 0) {
		if ((c->buf = malloc(st->len)) == NULL) {
			c->done = NULL;
			conn_free(c);
			return NULL;
		}
		memcpy(c->buf, st->pending, st->len);
		c->len = st->len;
	}
	/* A one-shot answer with nothing left to send is over. */
	if (st->len == 0 && (c->ops->flags & BI_ONCE))
		(void)conn_end(c);
	else if (conn_update(c) == 0)
		c->flags &= ~CONN_STARTING;
	return c;
}

/* A new connection on fd, inside its start; NULL with fd closed. */
static struct builtin_conn *
conn_open(const struct builtin *bi, struct connpoll *cp, int fd,
    builtin_done_cb done, void *arg)
{
	struct builtin_conn	*c;

	if (!builtin_supports(bi, SOCK_STREAM) || cp == NULL ||
	    (c = conn_new(bi, cp, fd, done, arg)) == NULL) {
		if (fd != -1)
			close(fd);
		return NULL;
	}
	c->flags |= CONN_STARTING;
	return c;
}

/* Allocate a connection; nothing is watched yet. */
static struct builtin_conn *
conn_new(const struct builtin *bi, struct connpoll *cp, int fd,
    builtin_done_cb done, void *arg)
{
	struct builtin_conn	*c;

	if ((c = malloc(sizeof(*c))) == NULL)
		return NULL;
	c->buf = NULL;
	c->ops = bi->ops;
	c->cp = cp;
	c->done = done;
	c->arg = arg;
	c->pos = 0;
	c->off = c->len = 0;
	c->fd = fd;
	c->what = 0;
	c->flags = 0;
	return c;
}

/* The socket is about to close: it leaves the poll set with it. */
static void
conn_closing(struct builtin_conn *c)
{
	connpoll_closing(c->cp, c->fd);
	c->what = 0;
}

/* First moves: send the greeting, or take what may already have arrived. */
static int
conn_kick(struct builtin_conn *c)
{
	char	out[CONN_BUFSZ];

	if (c->ops->greet != NULL &&
	    conn_queue(c, out, c->ops->greet(out, sizeof(out), time(NULL))) ==
	    -1)
		return -1;
	/*
	 * A fresh socket has room: an endless output starts now (a
	 * connection that only wants its first bytes is served in this
	 * turn); anything else reads what may have come.
	 */
	if (c->ops->stream != NULL ? conn_generate(c) == -1 :
	    conn_read(c) == -1)
		return -1;
	return conn_update(c);
}

/* Echo reads only with an empty buffer: that is the backpressure. */
static int
conn_wants_read(const struct builtin_conn *c)
{
	if (!(c->ops->flags & BI_READS))
		return 0;
	return c->ops->input == NULL || c->off == c->len;
}

/*
 * Watch what the connection waits for: an endless output always both
 * directions (it drops what the peer sends and notices its EOF), others
 * reading or sending what is queued.  -1 if the connection ended.
 */
static int
conn_update(struct builtin_conn *c)
{
	short	 what;

	if (c->ops->stream != NULL) {
		what = EV_READ | EV_WRITE;
		if (c->what != what && connpoll_set(c->cp, c->fd, what,
		    conn_stream_cb, c) == -1)
			return conn_end(c);
	} else {
		what = (conn_wants_read(c) ? EV_READ : 0) |
		    (c->off < c->len ? EV_WRITE : 0);
		if (c->what != what && connpoll_set(c->cp, c->fd, what,
		    conn_io_cb, c) == -1)
			return conn_end(c);
	}
	c->what = what;
	return 0;
}

/* Close, free, then tell the owner; nothing of c survives. */
static void
conn_free(struct builtin_conn *c)
{
	builtin_done_cb	 done = c->done;
	void		*arg = c->arg;

	if (c->fd != -1) {
		conn_closing(c);
		close(c->fd);
	}
	free(c->buf);
	free(c);
	if (done != NULL)
		done(arg);
}

/*
 * The connection is over.  While still inside builtin_stream_start the
 * caller has no handle yet, so the teardown and done() go to the loop;
 * the socket closes now all the same: a daytime client waits for that
 * EOF, and it must not wait for the rest of the accept loop.
 */
static int
conn_end(struct builtin_conn *c)
{
	if (!(c->flags & CONN_STARTING)) {
		conn_free(c);
		return -1;
	}
	conn_closing(c);
	close(c->fd);
	c->fd = -1;
	c->flags = CONN_STARTING | CONN_DEAD;
	connpoll_later(c->cp, &c->end, conn_dead_task, c);
	return -1;
}

/*
 * Send n bytes (nothing may be queued); keep what the socket does not
 * take, which stops reading or producing until it drains.  0, or -1 if
 * the connection ended.
 */
static int
conn_queue(struct builtin_conn *c, const char *data, size_t n)
{
	size_t	 done = 0;
	ssize_t	 w;

	while (done < n) {
		w = send(c->fd, data + done, n - done, MSG_NOSIGNAL);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (w == -1)
			return conn_end(c);
		done += (size_t)w;
	}
	if (done == n)
		return (c->ops->flags & BI_ONCE) ? conn_end(c) : 0;
	if ((c->buf = malloc(n - done)) == NULL)
		return conn_end(c);
	memcpy(c->buf, data + done, n - done);
	c->off = 0;
	c->len = n - done;
	return 0;
}

/* Send what is queued; 0 when drained or the socket is full, -1 if ended. */
static int
conn_send(struct builtin_conn *c)
{
	ssize_t	 n;

	while (c->off < c->len) {
		n = send(c->fd, c->buf + c->off, c->len - c->off,
		    MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n == -1)
			return conn_end(c);
		c->off += n;
	}
	if (c->buf == NULL)
		return 0;		/* nothing was queued */
	free(c->buf);
	c->buf = NULL;
	c->off = c->len = 0;
	if (c->ops->flags & BI_ONCE)
		return conn_end(c);
	return 0;
}

/* One recv: 1 with *got bytes, 0 if nothing is there, -1 if ended. */
static int
conn_recv(struct builtin_conn *c, char *buf, size_t size, size_t *got)
{
	ssize_t	 n;

	do
		n = recv(c->fd, buf, size, 0);
	while (n == -1 && errno == EINTR);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n <= 0)
		return conn_end(c);
	*got = n;
	return 1;
}

/* Read and answer while allowed; a short read means we drained it. */
static int
conn_read(struct builtin_conn *c)
{
	char	 scratch[CONN_BUFSZ];
	size_t	 got = 0;
	int	 i, r;

	for (i = 0; i < CONN_ROUNDS && conn_wants_read(c); i++) {
		if ((r = conn_recv(c, scratch, CONN_BUFSZ, &got)) <= 0)
			return r;
		if (c->ops->input != NULL && conn_queue(c, scratch,
		    c->ops->input(scratch, got)) == -1)
			return -1;
		if (got < CONN_BUFSZ)
			break;
	}
	return 0;
}

/*
 * One send of an endless output from where the connection stands; 0
 * (sent, or the socket is full), or -1 if the connection ended.
 */
static int
conn_generate(struct builtin_conn *c)
{
	size_t		 len = CONN_PIECE;
	const char	*p = c->ops->stream(c->pos, &len);
	ssize_t		 n;

	do
		n = send(c->fd, p, len, MSG_NOSIGNAL);
	while (n == -1 && errno == EINTR);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n == -1)
		return conn_end(c);
	c->pos += (size_t)n;
	return 0;
}

/*
 * Drain the queue, then one more piece of an endless output: one send a
 * wake-up keeps a stream from holding the loop while its socket takes
 * more (level-triggered, the next turn comes back to it at once).
 */
static int
conn_produce(struct builtin_conn *c)
{
	if (conn_send(c) == -1)
		return -1;
	if (c->off == c->len && c->ops->stream != NULL)
		return conn_generate(c);
	return 0;
}

/* A connection that ended inside its start is freed from the loop. */
static void
conn_dead_task(void *arg)
{
	conn_free(arg);
}

/*
 * Readable (or EOF, or aborted) and/or writable.  Draining the queue
 * reopens reading: read now, not next turn.
 */
static void
conn_io_cb(int fd, short what, void *arg)
{
	struct builtin_conn	*c = arg;
	int			 was = conn_wants_read(c);

	(void)fd;
	if ((what & EV_WRITE) && conn_produce(c) == -1)
		return;
	if (((what & EV_READ) || (!was && conn_wants_read(c))) &&
	    conn_read(c) == -1)
		return;
	conn_update(c);
}

/* An endless output's one registration: drop what came, then send more. */
static void
conn_stream_cb(int fd, short what, void *arg)
{
	struct builtin_conn	*c = arg;

	(void)fd;
	if ((what & EV_READ) && conn_read(c) == -1)
		return;
	if (what & EV_WRITE)
		(void)conn_produce(c);
}
