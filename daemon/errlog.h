/*
 * errlog.h: messages that code reporting to a stream (conf.c writes its
 * errors to a FILE, for superd -t and for the control channel) wrote,
 * turned into log lines.
 */
#ifndef SUPERD_ERRLOG_H
#define SUPERD_ERRLOG_H

#include <stdio.h>

struct errlog {
	char	*buf;
	size_t	 len;
	FILE	*fp;
};

/* A stream to write messages to; NULL when out of memory (callers pass
 * NULL on, and conf.c then reports nothing). */
FILE	*errlog_open(struct errlog *);
/*
 * Close the stream and log each line it got as a warning; each(line,
 * arg), when not NULL, sees every line too.  Frees everything.
 */
void	 errlog_flush(struct errlog *, void (*each)(const char *, void *),
	    void *arg);

#endif
