/*
 * oob_proto.h: the request line of the OOB endpoint (pure, unit-tested).
 *
 * A client that wants its running request stopped connects to the
 * service's oob-port and sends one line:
 *
 *	CANCEL <token>		the SUPERD_SESSION token its handler gave it
 *	CANCEL <port>		its own source port on the data connection
 *
 * and gets "OK S<id>" or "ERR <code> <reason>".  The line is cut into
 * words by proto_split() with blanks as separators, like the control
 * socket's; the command is any case.  See superd-directory(7).
 */
#ifndef SUPERD_OOB_PROTO_H
#define SUPERD_OOB_PROTO_H

#include <stddef.h>

#include "proto.h"

#define OOB_LINE_MAX	128	/* bytes, newline included */
#define OOB_TOKEN_LEN	32	/* hex digits of a SUPERD_SESSION token */

struct oob_req {
	int	by_token;		/* else by source port */
	char	token[OOB_TOKEN_LEN + 1];
	int	port;
};

/*
 * Parse one line (len bytes without its newline; it may hold NULs and
 * is cut in place: line[len] must be writable).  PROTO_OK, or the error
 * whose code and text go to the client.
 */
enum proto_err	oob_parse(char *line, size_t len, struct oob_req *);

#endif
