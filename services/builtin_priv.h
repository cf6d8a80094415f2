/*
 * builtin_priv.h: what each services/<name>.c hands to builtin.c's table.
 *
 * A builtin is described by a few hooks; builtin.c owns the sockets,
 * events and buffers, so a builtin file never does I/O itself.
 */
#ifndef SUPERD_BUILTIN_PRIV_H
#define SUPERD_BUILTIN_PRIV_H

#include "builtin.h"

#define BI_READS	0x01	/* watch the peer: its bytes or at least its EOF */
#define BI_ONCE		0x02	/* close once the greeting has been sent */

struct builtin_ops {
	int	 flags;
	/* Output sent as soon as a stream connection starts (or NULL). */
	size_t	(*greet)(char *buf, size_t max, time_t now);
	/* len bytes just read into buf: how many to send back (NULL: drop). */
	size_t	(*input)(char *buf, size_t len);
	/*
	 * An endless output (or NULL): *len bytes of it from position pos,
	 * fewer if *len asks more than one piece holds.  The bytes live as
	 * long as the process, so a connection keeps only its position.
	 */
	const char *(*stream)(unsigned long long pos, size_t *len);
	/* Answer one datagram; max is already at most BUILTIN_DGRAM_MAX. */
	size_t	(*dgram)(const void *req, size_t len, char *reply, size_t max,
		    time_t now);
};

extern const struct builtin_ops	echo_ops;
extern const struct builtin_ops	discard_ops;
extern const struct builtin_ops	daytime_ops;
extern const struct builtin_ops	time_ops;
extern const struct builtin_ops	chargen_ops;

#endif
