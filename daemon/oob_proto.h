/*
 * oob_proto.h: the request line of the OOB endpoint (pure, unit-tested).
 *
 * A client that wants its running request stopped connects to the
 * service's oob-port and sends one line:
 *
 *	CANCEL <token>		the SUPERD_SESSION token its handler gave it
 *	CANCEL <port>		its own source port on the data connection
 *
 * and gets "OK S<id>" or "ERR <code> <reason>".  See superd-directory(7).
 */
#ifndef SUPERD_OOB_PROTO_H
#define SUPERD_OOB_PROTO_H

#include <stddef.h>

#define OOB_LINE_MAX	128	/* bytes, newline included */
#define OOB_TOKEN_LEN	32	/* hex digits of a SUPERD_SESSION token */

struct oob_req {
	int	by_token;		/* else by source port */
	char	token[OOB_TOKEN_LEN + 1];
	int	port;
};

/*
 * Parse one line (without its newline; a trailing CR is allowed).
 * 0, or -1 with the reason for the client in err.
 */
int	oob_parse(const char *line, struct oob_req *, char *err, size_t errlen);

#endif
