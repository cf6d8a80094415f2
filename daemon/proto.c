/*
 * proto.c: the one tokenizer of superd's line protocols, the directory's
 * key=value layer on top of it, and the one table of error codes.
 *
 * It trusts nothing: every byte is checked before the line is split, and
 * a request that fails here changes no state anywhere.  Nothing is
 * allocated.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

static int	 byte_is_key(unsigned char);
static enum proto_err check_bytes(const char *, size_t, enum proto_sep);
static enum proto_err check_spaces(const char *, size_t);
static enum proto_err cut_words(char *, size_t, enum proto_sep,
		    struct proto_words *);
static enum proto_err check_cmd(const char *);
static enum proto_err check_arg(struct proto_req *, char *);

static const char *const codes[PROTO_C_NCODES] = {
	[PROTO_C_EBADREQ] = "EBADREQ",
	[PROTO_C_ETOOBIG] = "ETOOBIG",
	[PROTO_C_EBUSY] = "EBUSY",
	[PROTO_C_ENOENT] = "ENOENT",
	[PROTO_C_EPERM] = "EPERM",
	[PROTO_C_ETIMEDOUT] = "ETIMEDOUT",
	[PROTO_C_ECONFIG] = "ECONFIG",
	[PROTO_C_EEXIST] = "EEXIST",
	[PROTO_C_EQUOTA] = "EQUOTA",
};

static const struct {
	enum proto_code	 code;
	const char	*text;
} errs[PROTO_NERRS] = {
	[PROTO_OK] = { PROTO_C_EBADREQ, "no error" },
	[PROTO_ETOOBIG] = { PROTO_C_ETOOBIG,
	    "request line longer than 1024 bytes" },
	[PROTO_EEMPTY] = { PROTO_C_EBADREQ, "empty request" },
	[PROTO_ENUL] = { PROTO_C_EBADREQ, "NUL byte in request" },
	[PROTO_ECTRL] = { PROTO_C_EBADREQ,
	    "control or non-ASCII byte in request" },
	[PROTO_ECHAR] = { PROTO_C_EBADREQ,
	    "character outside [A-Za-z0-9._:/@%+=-] in request" },
	[PROTO_ELEADSP] = { PROTO_C_EBADREQ, "request starts with a space" },
	[PROTO_ETRAILSP] = { PROTO_C_EBADREQ, "request ends with a space" },
	[PROTO_EDOUBLESP] = { PROTO_C_EBADREQ, "two spaces between tokens" },
	[PROTO_ETOKENS] = { PROTO_C_EBADREQ, "more than 16 tokens" },
	[PROTO_ECMD] = { PROTO_C_EBADREQ,
	    "command is not a lower-case word" },
	[PROTO_ENOTKV] = { PROTO_C_EBADREQ, "argument is not key=value" },
	[PROTO_EEMPTYKEY] = { PROTO_C_EBADREQ, "argument with an empty key" },
	[PROTO_EBADKEY] = { PROTO_C_EBADREQ,
	    "key has a character outside [A-Za-z0-9._-]" },
	[PROTO_ELONGKEY] = { PROTO_C_EBADREQ, "key longer than 40 bytes" },
	[PROTO_EDUPKEY] = { PROTO_C_EBADREQ, "key given twice" },
	[PROTO_EOOB] = { PROTO_C_EBADREQ,
	    "want \"CANCEL <token>\" or \"CANCEL <source-port>\"" },
};

/* One byte of the token set [A-Za-z0-9._:/@%+=-]? */
int
proto_token_byte(unsigned char c)
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
	return proto_token_byte(c) && strchr(":/@%+=", c) == NULL;
}

/* The first bad byte decides the error; separators are checked later. */
static enum proto_err
check_bytes(const char *s, size_t len, enum proto_sep sep)
{
	size_t		 i;
	unsigned char	 c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == ' ' || (c == '\t' && sep == PROTO_SEP_BLANKS))
			continue;
		if (c == '\0')
			return PROTO_ENUL;
		if (c < 0x20 || c >= 0x7f)
			return PROTO_ECTRL;
		if (!proto_token_byte(c))
			return PROTO_ECHAR;
	}
	return PROTO_OK;
}

/* PROTO_SEP_ONE: exactly one space between words, none at either end. */
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

/* Cut the checked line s[0..len] at its separators, in place. */
static enum proto_err
cut_words(char *s, size_t len, enum proto_sep sep, struct proto_words *w)
{
	size_t	i = 0;

	s[len] = '\0';
	for (;;) {
		while (sep == PROTO_SEP_BLANKS && (s[i] == ' ' || s[i] == '\t'))
			s[i++] = '\0';
		if (i >= len)
			break;
		if (w->n == PROTO_MAX_WORDS)
			return PROTO_ETOKENS;
		w->v[w->n++] = s + i;
		while (i < len && s[i] != ' ' && s[i] != '\t')
			i++;
		if (i == len)
			break;
		s[i++] = '\0';
	}
	return w->n == 0 ? PROTO_EEMPTY : PROTO_OK;
}

/* Check and split one line into words (see proto.h). */
enum proto_err
proto_split(char *line, size_t len, enum proto_sep sep,
    struct proto_words *w)
{
	enum proto_err	e;

	w->n = 0;
	if (sep == PROTO_SEP_BLANKS && len > 0 && line[len - 1] == '\r')
		len--;
	if (len == 0)
		e = PROTO_EEMPTY;
	else if ((e = check_bytes(line, len, sep)) == PROTO_OK &&
	    (sep != PROTO_SEP_ONE || (e = check_spaces(line, len)) ==
	    PROTO_OK))
		e = cut_words(line, len, sep, w);
	if (e != PROTO_OK)
		w->n = 0;
	return e;
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

/* Cut one key=value word in place and append it to req->args. */
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

/* A directory request: the words, then the command and its key=values. */
enum proto_err
proto_parse(struct proto_req *req, const char *line, size_t len)
{
	struct proto_words	w;
	enum proto_err		e;
	size_t			i;

	req->cmd = NULL;
	req->nargs = 0;
	if (len > PROTO_LINE_MAX - 1)
		return PROTO_ETOOBIG;
	memcpy(req->buf, line, len);
	if ((e = proto_split(req->buf, len, PROTO_SEP_ONE, &w)) != PROTO_OK)
		return e;
	if ((e = check_cmd(w.v[0])) != PROTO_OK)
		return e;
	req->cmd = w.v[0];
	for (i = 1; i < w.n; i++)
		if ((e = check_arg(req, w.v[i])) != PROTO_OK) {
			req->cmd = NULL;
			req->nargs = 0;
			return e;
		}
	return PROTO_OK;
}

/* ETOOBIG for an oversized line, else EBADREQ. */
enum proto_code
proto_err_code(enum proto_err e)
{
	if ((unsigned)e >= PROTO_NERRS)
		return PROTO_C_EBADREQ;
	return errs[e].code;
}

const char *
proto_errcode(enum proto_err e)
{
	return codes[proto_err_code(e)];
}

/* The text that goes after the code in an ERR line. */
const char *
proto_strerror(enum proto_err e)
{
	if ((unsigned)e >= PROTO_NERRS)
		return "bad request";
	return errs[e].text;
}

/* A code's name; an unknown one is a bad request. */
const char *
proto_code_name(enum proto_code c)
{
	if ((unsigned)c >= PROTO_C_NCODES)
		return codes[PROTO_C_EBADREQ];
	return codes[c];
}

/*
 * The same words for the same refusal on every socket.  The line limit
 * counts the newline, as every man page does.
 */
const char *
proto_refusal(char *buf, size_t len, enum linesrv_why why,
    const struct linesrv_limits *lim)
{
	switch (why) {
	case LINESRV_TOOLONG:
		snprintf(buf, len, "ERR %s request line longer than %zu "
		    "bytes\n", codes[PROTO_C_ETOOBIG], lim->line_max);
		break;
	case LINESRV_DEADLINE:
		snprintf(buf, len, "ERR %s no whole request line within "
		    "%us\n", codes[PROTO_C_ETIMEDOUT], lim->line_ms / 1000);
		break;
	case LINESRV_IDLE:
		snprintf(buf, len, "ERR %s idle for %us\n",
		    codes[PROTO_C_ETIMEDOUT], lim->idle_ms / 1000);
		break;
	case LINESRV_BUSY_PEER:
		snprintf(buf, len, "ERR %s too many connections from this "
		    "user or address\n", codes[PROTO_C_EBUSY]);
		break;
	default:
		snprintf(buf, len, "ERR %s too many connections or requests, "
		    "try again later\n", codes[PROTO_C_EBUSY]);
	}
	return buf;
}

/* Can s go on the wire as one token (or one value)? */
int
proto_token_ok(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!proto_token_byte((unsigned char)*s))
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
