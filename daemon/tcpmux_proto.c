/*
 * tcpmux_proto.c: a tcpmux request line (see tcpmux_proto.h).
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "proto.h"
#include "tcpmux_proto.h"

enum tcpmux_ask
tcpmux_parse(char *line, size_t len, const char **name, const char **why)
{
	struct proto_words	w;
	enum proto_err		e;

	*name = NULL;
	*why = NULL;
	if ((e = proto_split(line, len, PROTO_SEP_BLANKS, &w)) != PROTO_OK) {
		*why = proto_strerror(e);
		return TCPMUX_ASK_BAD;
	}
	if (w.n != 1) {
		*why = "one service name per line";
		return TCPMUX_ASK_BAD;
	}
	if (strcasecmp(w.v[0], "HELP") == 0)
		return TCPMUX_ASK_HELP;
	*name = w.v[0];
	return TCPMUX_ASK_NAME;
}
