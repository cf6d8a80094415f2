/*
 * proto.c: the request-line tokenizer of the directory and control
 * sockets.
 *
 * It trusts nothing: the length is checked before anything is copied,
 * every byte is checked before the line is split, and a request that
 * fails here changes no state anywhere.  Nothing is allocated.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "proto.h"

static int	 byte_is_token(unsigned char);
static int	 byte_is_key(unsigned char);
static enum proto_err check_bytes(const char *, size_t);
static enum proto_err check_spaces(const char *, size_t);
static enum proto_err split(struct proto_req *);
static enum proto_err check_cmd(const char *);
static enum proto_err check_arg(struct proto_req *, char *);

static const struct {
	const char	*code;
	const char	*text;
} errs[PROTO_NERRS] = {
	[PROTO_OK] = { "OK", "no error" },
	[PROTO_ETOOBIG] = { "ETOOBIG", "request line longer than 1024 bytes" },
	[PROTO_EEMPTY] = { "EBADREQ", "empty request" },
	[PROTO_ENUL] = { "EBADREQ", "NUL byte in request" },
	[PROTO_ECTRL] = { "EBADREQ",
	    "control or non-ASCII byte in request" },
	[PROTO_ECHAR] = { "EBADREQ",
	    "character outside [A-Za-z0-9._:/@%+=-] in request" },
	[PROTO_ELEADSP] = { "EBADREQ", "request starts with a space" },
	[PROTO_ETRAILSP] = { "EBADREQ", "request ends with a space" },
	[PROTO_EDOUBLESP] = { "EBADREQ", "two spaces between tokens" },
	[PROTO_ETOKENS] = { "EBADREQ", "more than 16 tokens" },
	[PROTO_ECMD] = { "EBADREQ", "command is not a lower-case word" },
	[PROTO_ENOTKV] = { "EBADREQ", "argument is not key=value" },
	[PROTO_EEMPTYKEY] = { "EBADREQ", "argument with an empty key" },
	[PROTO_EBADKEY] = { "EBADREQ",
	    "key has a character outside [A-Za-z0-9._-]" },
	[PROTO_ELONGKEY] = { "EBADREQ", "key longer than 40 bytes" },
	[PROTO_EDUPKEY] = { "EBADREQ", "key given twice" },
};

/* One byte of the token set [A-Za-z0-9._:/@%+=-]? */
static int
byte_is_token(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("._:/@%+=-", c) != NULL;
}

/* One byte a key may hold: [A-Za-z0-9._-]. */
static int
byte_is_key(unsigned char c)
{
	return byte_is_token(c) && strchr(":/@%+=", c) == NULL;
}

/* The first bad byte decides the error; spaces are checked later. */
static enum proto_err
check_bytes(const char *s, size_t len)
{
	size_t		 i;
	unsigned char	 c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == ' ')
			continue;
		if (c == '\0')
			return PROTO_ENUL;
		if (c < 0x20 || c >= 0x7f)
			return PROTO_ECTRL;
		if (!byte_is_token(c))
			return PROTO_ECHAR;
	}
	return PROTO_OK;
}

/* Exactly one space between tokens, none at either end. */
static enum proto_err
check_spaces(const char *s, size_t len)
{
	size_t	i;

	if (s[0] == ' ')
		return PROTO_ELEADSP;
	if (s[len - 1] == ' ')
		return PROTO_ETRAILSP;
	for (i = 1; i < len; i++)
		if (s[i] == ' ' && s[i - 1] == ' ')
			return PROTO_EDOUBLESP;
	return PROTO_OK;
}

/* The command: a lower-case word of letters (and '-'). */
static enum proto_err
check_cmd(const char *s)
{
	if (*s < 'a' || *s > 'z')
		return PROTO_ECMD;
	for (; *s != '\0'; s++)
		if ((*s < 'a' || *s > 'z') && *s != '-')
			return PROTO_ECMD;
	return PROTO_OK;
}

/* Cut one key=value token in place and append it to req->args. */
static enum proto_err
check_arg(struct proto_req *req, char *tok)
{
	char	*eq;
	size_t	 i;

	if ((eq = strchr(tok, '=')) == NULL)
		return PROTO_ENOTKV;
	if (eq == tok)
		return PROTO_EEMPTYKEY;
	*eq = '\0';
	for (i = 0; tok[i] != '\0'; i++)
		if (!byte_is_key((unsigned char)tok[i]))
			return PROTO_EBADKEY;
	if (i > PROTO_KEY_MAX)
		return PROTO_ELONGKEY;
	if (proto_get(req, tok) != NULL)
		return PROTO_EDUPKEY;
	req->args[req->nargs].key = tok;
	req->args[req->nargs].val = eq + 1;
	req->nargs++;
	return PROTO_OK;
}

/* Split req->buf at its spaces into the command and its arguments. */
static enum proto_err
split(struct proto_req *req)
{
	char		*p = req->buf, *sp;
	size_t		 ntok = 0;
	enum proto_err	 e;

	for (;;) {
		if (++ntok > PROTO_MAX_TOKENS)
			return PROTO_ETOKENS;
		if ((sp = strchr(p, ' ')) != NULL)
			*sp = '\0';
		if (ntok == 1) {
			if ((e = check_cmd(p)) != PROTO_OK)
				return e;
			req->cmd = p;
		} else if ((e = check_arg(req, p)) != PROTO_OK)
			return e;
		if (sp == NULL)
			return PROTO_OK;
		p = sp + 1;
	}
}

/* Check and split one request line (see proto.h). */
enum proto_err
proto_parse(struct proto_req *req, const char *line, size_t len)
{
	enum proto_err	e;

	req->cmd = NULL;
	req->nargs = 0;
	if (len > PROTO_LINE_MAX - 1)
		return PROTO_ETOOBIG;
	if (len == 0)
		return PROTO_EEMPTY;
	if ((e = check_bytes(line, len)) != PROTO_OK ||
	    (e = check_spaces(line, len)) != PROTO_OK)
		return e;
	memcpy(req->buf, line, len);
	req->buf[len] = '\0';
	if ((e = split(req)) != PROTO_OK) {
		req->cmd = NULL;
		req->nargs = 0;
	}
	return e;
}

/* "ETOOBIG" for an oversized line, else "EBADREQ". */
const char *
proto_errcode(enum proto_err e)
{
	if ((unsigned)e >= PROTO_NERRS)
		return "EBADREQ";
	return errs[e].code;
}

/* The text that goes after the code in an ERR line. */
const char *
proto_strerror(enum proto_err e)
{
	if ((unsigned)e >= PROTO_NERRS)
		return "bad request";
	return errs[e].text;
}

/* Can s go on the wire as one token (or one value)? */
int
proto_token_ok(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!byte_is_token((unsigned char)*s))
			return 0;
	return 1;
}

/* Linear search: at most 15 arguments. */
const char *
proto_get(const struct proto_req *req, const char *key)
{
	size_t	i;

	for (i = 0; i < req->nargs; i++)
		if (strcmp(req->args[i].key, key) == 0)
			return req->args[i].val;
	return NULL;
}

/* Strict decimal: digits only, no sign, no overflow. */
int
proto_get_uint(const struct proto_req *req, const char *key,
    unsigned long max, unsigned long *out)
{
	const char	*v, *p;
	unsigned long	 n = 0, d;

	if ((v = proto_get(req, key)) == NULL)
		return 1;
	if (*v == '\0' || strlen(v) > 20)
		return -1;
	for (p = v; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		d = (unsigned long)(*p - '0');
		if (d > max || n > (max - d) / 10)
			return -1;
		n = n * 10 + d;
	}
	*out = n;
	return 0;
}

/* Commands refuse keys they do not know rather than ignore typos. */
const char *
proto_unknown_key(const struct proto_req *req, const char * const *allowed,
    const char *prefix)
{
	size_t	i, j;
	int	known;

	for (i = 0; i < req->nargs; i++) {
		known = prefix != NULL && strncmp(req->args[i].key, prefix,
		    strlen(prefix)) == 0;
		for (j = 0; !known && allowed[j] != NULL; j++)
			known = strcmp(req->args[i].key, allowed[j]) == 0;
		if (!known)
			return req->args[i].key;
	}
	return NULL;
}
