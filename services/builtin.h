/*
 * builtin.h: in-process services (echo, discard, daytime, time, chargen).
 *
 * The core hands a builtin an accepted stream connection or one datagram;
 * builtins never see the daemon's tables.  Each builtin lives in its own
 * file under services/ and is listed once in builtin.c's table.
 */
#ifndef SUPERD_BUILTIN_H
#define SUPERD_BUILTIN_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct connpoll;
struct builtin;
struct builtin_conn;

/*
 * Largest reply a UDP builtin sends: a whole UDP datagram (echo answers
 * what it got, never more, so it adds no amplification).  Builtins whose
 * answer is bigger than the request keep their RFC's small bound
 * (chargen: CHARGEN_DGRAM_MAX).
 */
#define BUILTIN_DGRAM_MAX	65507
#define CHARGEN_DGRAM_MAX	512	/* RFC 864: 0 to 512 characters */

/* Called once, on the thread running the connpoll, when a stream connection ends. */
typedef void (*builtin_done_cb)(void *arg);

const struct builtin	*builtin_find(const char *name);
const char		*builtin_name(const struct builtin *);
/* Does the builtin speak SOCK_STREAM / SOCK_DGRAM? */
int			 builtin_supports(const struct builtin *, int socktype);
/* NULL-terminated list of builtin names (for messages and docs). */
const char * const	*builtin_names(void);

/*
 * Serve one accepted, non-blocking stream connection in cp, the poll set
 * of the loop that is to run it (connpoll_new on that loop's base); the
 * connection owns fd from now on and closes it.  done(arg) is called once
 * when it ends.  Returns NULL (fd closed, done not called) on failure.
 * done is never called from inside builtin_stream_start, only from the
 * loop, so the returned handle is valid until done runs.
 */
struct builtin_conn	*builtin_stream_start(const struct builtin *,
			    struct connpoll *cp, int fd,
			    builtin_done_cb done, void *arg);
/*
 * End a connection early (an operator's interrupt).  Safe from any thread:
 * it only shuts the socket down; the connection notices on its own loop,
 * closes and calls done as usual.
 */
void			 builtin_conn_abort(struct builtin_conn *);
/*
 * Where a stream connection stands, so that another loop (a worker's,
 * the main one, or the next binary's after an upgrade) carries it on:
 * the generator's position and what is queued but not sent yet.
 */
struct builtin_state {
	unsigned long long	 pos;
	const char		*pending;	/* NULL when len is 0 */
	size_t			 len;
};

/*
 * The connection's socket and, in st, where it stands (st->pending
 * points into the connection: valid until it is freed); -1 if it is
 * already over.  From the loop's thread only.
 */
int			 builtin_conn_state(const struct builtin_conn *,
			    struct builtin_state *st);
/*
 * Free a connection that moved on (see builtin_stream_resume): its
 * socket stays open and done is not called.  From the loop's thread.
 */
void			 builtin_conn_forget(struct builtin_conn *);
/*
 * Like builtin_stream_start for a connection that was served elsewhere
 * until now: no greeting; what st has queued is sent first, and a
 * generator goes on from st->pos.  st->pending is copied.
 */
struct builtin_conn	*builtin_stream_resume(const struct builtin *,
			    struct connpoll *cp, int fd,
			    const struct builtin_state *st,
			    builtin_done_cb done, void *arg);

/*
 * Answer one datagram: write at most max (<= BUILTIN_DGRAM_MAX) bytes to
 * reply and return the length; 0 means send nothing.  Pure: no I/O.
 */
size_t			 builtin_dgram_reply(const struct builtin *,
			    const void *req, size_t len, void *reply,
			    size_t max, time_t now);

/* Pure helpers, exposed for unit tests. */
/* RFC 867 line (local time, CRLF, no NUL); 0 if it does not fit in max. */
size_t	daytime_format(time_t now, char *buf, size_t max);
/* RFC 868 value in host order; callers send it with htonl(). */
uint32_t time_rfc868(time_t now);
/* Write the chargen stream from position pos: fills buf, returns bytes. */
size_t	chargen_fill(unsigned long long pos, char *buf, size_t max);

#endif
