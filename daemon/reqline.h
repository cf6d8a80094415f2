/*
 * reqline.h: the log lines of a request's start and end.
 *
 * At the default level these are the lines superd logs for every
 * request, two a connection.  The event loop only records their facts
 * (a few numbers and short strings, copied into the log queue); the log
 * writer thread makes the text (log.h's log_request_deferred), so the
 * loop formats nothing, and formats nothing at all when the level
 * leaves the line out.  superd(8), "Logging", says what the lines hold.
 */
#ifndef SUPERD_REQLINE_H
#define SUPERD_REQLINE_H

#include <stddef.h>

#include "log.h"

enum reqline_kind {
	REQLINE_SPAWNED,	/* a handler process started (pid in fields) */
	REQLINE_BUILTIN,	/* a builtin took the connection: what */
	REQLINE_REDIRECT,	/* forwarded: what is the target */
	REQLINE_ENDED		/* the request ended: status, what, acct */
};

struct reqline {
	enum reqline_kind	 kind;
	unsigned long long	 session;	/* its S number */
	int			 status;	/* ENDED: a wait status, -1 a
						   connection closed, or
						   REQUEST_STATUS_UNKNOWN */
	const char		*what;		/* BUILTIN: the builtin;
						   REDIRECT: the target;
						   ENDED: who interrupted it
						   ("" or NULL: nobody) */
	const char		*acct;		/* ENDED: appended as is */
};

/*
 * Log the line at pri, with lf's fields (service, peer, pid; the
 * duration for ENDED).  Strings are copied; nothing is formatted here.
 */
void	reqline_log(int pri, const struct log_fields *,
	    const struct reqline *);
/* The line's text into buf (size > 0 bytes, NUL-ended); its length. */
size_t	reqline_format(const struct log_fields *, const struct reqline *,
	    char *buf, size_t size);
/* A wait status in words: "exited with status 1", "closed", ... */
void	reqline_status(int status, char *buf, size_t size);

#endif
