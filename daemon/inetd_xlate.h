/*
 * inetd_xlate.h: what one parsed inetd.conf line means for superd.
 *
 * inetd_parse.c splits a line into fields; inetd_xlate() turns those
 * fields into superd.conf keys and values.  Both superd-convert (which
 * prints them as superd.conf) and superd itself (inetd-compat, which
 * loads them) use it, so an inetd.conf line means the same thing to both.
 *
 * Pure: no allocation, no globals, no printing.  Values point into the
 * entry or into the inetd_svc, so both stay alive while they are used.
 * What cannot be carried over is said through a callback.
 */
#ifndef SUPERD_INETD_XLATE_H
#define SUPERD_INETD_XLATE_H

#include <stddef.h>

#include "inetd_parse.h"

#define INETD_NAMELEN	300

/* The superd.conf keys an inetd.conf line sets, in the order printed. */
enum inetd_key {
	IX_TYPE,
	IX_SOCKET,
	IX_PROTOCOL,
	IX_ADDRESS,
	IX_V6ONLY,
	IX_PORT,
	IX_RPC_PROGRAM,
	IX_RPC_VERSIONS,
	IX_WAIT,
	IX_USER,
	IX_GROUP,
	IX_SERVER,
	IX_ARGV0,
	IX_DISABLE,
	IX_INSTANCES,
	IX_PER_SOURCE,
	IX_RATE,
	IX_TCPMUX,
	IX_NKEYS
};

struct inetd_svc {
	char		 name[INETD_NAMELEN];	/* the service's name */
	char		 alt[INETD_NAMELEN];	/* if name is taken; "" none */
	const char	*key[IX_NKEYS];		/* NULL: not set */
	char *const	*args;			/* server args after argv[0] */
	size_t		 nargs;
	int		 skip;			/* superd cannot serve it */
	char		 rate[32];		/* storage for the numbers */
	char		 instances[16];
	char		 per_source[16];
	char		 rpc_versions[32];
};

/*
 * A message about the line: fail != 0 when something is not carried
 * over (the service may still run, unless skip is set in the end),
 * 0 when it is carried over with a shift in meaning.
 */
typedef void	 inetd_say_fn(void *, int fail, const char *msg);

/*
 * Translate e; defaddr is the address an "addr:" line set ("" none).
 * Returns 0, or -1 (and s->skip set) when superd cannot serve the line.
 */
int		 inetd_xlate(const struct inetd_entry *e, const char *defaddr,
		    struct inetd_svc *s, inetd_say_fn *say, void *arg);
/* The superd.conf name of a key, and whether its value is a string. */
const char	*inetd_key_name(enum inetd_key);
int		 inetd_key_quoted(enum inetd_key);

#endif
