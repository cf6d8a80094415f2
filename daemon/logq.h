/*
 * logq.h: log lines written off the event loop.
 *
 * At the default level superd logs every request, and a syslog() or
 * sd_journal_send() per line is a system call (a round trip to the log
 * daemon's socket) on the path of every connection.  Once started, the
 * queue takes lines from any thread and a writer thread hands them to
 * the sink in batches: urgent lines (notice and above) at once, the rest
 * within LOGQ_FLUSH_MS.  A full queue drops lines and says how many.
 */
#ifndef SUPERD_LOGQ_H
#define SUPERD_LOGQ_H

#include "log.h"

#define LOGQ_FLUSH_MS	100

/* Where the writer thread hands each line (log.c's sink). */
typedef void	(*logq_sink_fn)(int pri, const struct log_fields *,
		    const char *msg);

/* Start the writer thread; 0, or -1 (lines then go out directly). */
int	logq_start(logq_sink_fn);
/* Write what is queued and stop the thread (safe if not started). */
void	logq_stop(void);
/* Queue one line; 0, or -1 when the queue is not running. */
int	logq_put(int pri, const struct log_fields *, const char *msg);

#endif
