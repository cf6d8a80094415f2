/*
 * tcpmux_proto.h: the one line a tcpmux client sends (RFC 1078), pure
 * and unit-tested.
 *
 * The client connects to the tcpmux port and sends a service name, or
 * HELP, ended by CRLF (a bare LF is taken too); the name is matched
 * without regard to case.  The line is cut by proto_split() with the
 * rules every line protocol of superd uses (one CR allowed, no NUL, no
 * control bytes), so a bad line gets the same precise reason here.
 */
#ifndef SUPERD_TCPMUX_PROTO_H
#define SUPERD_TCPMUX_PROTO_H

#include <stddef.h>

#include "proto.h"

#define TCPMUX_LINE_MAX	128	/* bytes, CRLF included (names are <= 64) */

enum tcpmux_ask {
	TCPMUX_ASK_BAD,		/* *why says what is wrong */
	TCPMUX_ASK_HELP,	/* list the names */
	TCPMUX_ASK_NAME		/* *name is the service asked for */
};

/*
 * Parse one line (len bytes without its LF; it may hold NULs and is cut
 * in place: line[len] must be writable).
 */
enum tcpmux_ask	tcpmux_parse(char *line, size_t len, const char **name,
		    const char **why);

#endif
