/*
 * oob_proto.c: the OOB endpoint's request, on the shared tokenizer.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "oob_proto.h"

/* A session token: OOB_TOKEN_LEN hex digits, kept in lower case. */
static int
take_token(const char *s, struct oob_req *r)
{
	size_t	i;

	if (strlen(s) != OOB_TOKEN_LEN)
		return -1;
	for (i = 0; i < OOB_TOKEN_LEN; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return -1;
		r->token[i] = (char)tolower((unsigned char)s[i]);
	}
	r->token[i] = '\0';
	r->by_token = 1;
	return 0;
}

/* A source port: 1 to 65535, decimal digits only. */
static int
take_port(const char *s, struct oob_req *r)
{
	size_t	n = strlen(s);

	if (n == 0 || n > 5 || strspn(s, "0123456789") != n)
		return -1;
	r->port = atoi(s);
	return r->port >= 1 && r->port <= 65535 ? 0 : -1;
}

/* CANCEL <token> | CANCEL <port>. */
enum proto_err
oob_parse(char *line, size_t len, struct oob_req *r)
{
	struct proto_words	w;
	enum proto_err		e;

	memset(r, 0, sizeof(*r));
	if ((e = proto_split(line, len, PROTO_SEP_BLANKS, &w)) != PROTO_OK)
		return e;
	if (w.n != 2 || strcasecmp(w.v[0], "cancel") != 0)
		return PROTO_EOOB;
	if (take_token(w.v[1], r) == 0)
		return PROTO_OK;
	memset(r, 0, sizeof(*r));
	if (take_port(w.v[1], r) == 0)
		return PROTO_OK;
	memset(r, 0, sizeof(*r));
	return PROTO_EOOB;
}
