/*
 * logq.h: log lines written off the event loop.
 *
 * At the default level superd logs every request, and a syslog() or a
 * journal datagram per line is a system call (a round trip to the log
 * daemon's socket) on the path of every connection.  Once started, lines
 * from the thread that started the queue (the event loop) are formatted
 * straight into a preallocated lock-free ring (logring.h) and a writer
 * thread hands them to the sink, then flushes the sink once per wake-up
 * (the stderr sink makes that one write(), the journal one sendmmsg()).
 * The per-request lines are not even formatted on the loop: logq_put
 * queues their facts and the writer makes the text (reqline.h).
 * Urgent lines (notice and above) wake the writer at once, but at most
 * once every LOGQ_URGENT_MS: those that come sooner go out together at
 * the end of that time (a client can make every request end with a
 * notice); a ring half full wakes the writer at once; the rest go out
 * within LOGQ_FLUSH_MS.  An idle writer sleeps until a line comes.  A full
 * ring drops lines and says how many.  Other threads (workers, lookups)
 * log rarely: their lines go to the sink directly.
 */
#ifndef SUPERD_LOGQ_H
#define SUPERD_LOGQ_H

#include <stdarg.h>

#include "log.h"

#define LOGQ_FLUSH_MS	100
#define LOGQ_URGENT_MS	20
#define LOGQ_RING	(64 * 1024)	/* bytes: some 300 request lines */

/* Where the writer thread hands each line (log.c's sink). */
typedef void	(*logq_sink_fn)(int pri, const struct log_fields *,
		    const char *msg);
/* Called once after each batch (may be NULL). */
typedef void	(*logq_flush_fn)(void);

/* Start the writer thread; 0, or -1 (lines then go out directly). */
int	logq_start(logq_sink_fn, logq_flush_fn);
/* Write what is queued and stop the thread (safe if not started). */
void	logq_stop(void);
/*
 * Format and queue one line (or drop it, counted, when the ring is full):
 * 0.  -1 when the queue is not running or this is not the thread that
 * started it: then ap is untouched and the caller writes the line itself.
 */
int	logq_vput(int pri, const struct log_fields *, const char *fmt,
	    va_list ap);
/*
 * Queue a copy of data (len bytes) for fn to make the line on the
 * writer thread: 0 (or dropped, counted).  -1 as logq_vput, or when
 * the record would not fit: then the caller makes the line itself.
 */
int	logq_put(int pri, const struct log_fields *, log_format_fn fn,
	    const void *data, size_t len);

#endif
