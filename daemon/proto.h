/*
 * proto.h: the request-line tokenizer shared by the directory and control
 * sockets.
 *
 * A request is one line of at most PROTO_LINE_MAX bytes ("\n" included):
 * tokens separated by exactly one space, each made of [A-Za-z0-9._:/@%+=-];
 * the first token is the command (a lower-case word), every other one is
 * key=value with a unique key.  Anything else is refused with its own
 * error, so a client always learns exactly what was wrong.
 */
#ifndef SUPERD_PROTO_H
#define SUPERD_PROTO_H

#include <stddef.h>

#define PROTO_LINE_MAX		1024	/* request line, "\n" included */
#define PROTO_MAX_TOKENS	16	/* command included */
#define PROTO_KEY_MAX		40	/* longest key ("tag." + 32 + slack) */

/* Everything the tokenizer can refuse; each has its own text. */
enum proto_err {
	PROTO_OK = 0,
	PROTO_ETOOBIG,		/* line longer than PROTO_LINE_MAX */
	PROTO_EEMPTY,		/* nothing before the newline */
	PROTO_ENUL,		/* a NUL byte */
	PROTO_ECTRL,		/* a control or non-ASCII byte */
	PROTO_ECHAR,		/* a printable byte outside the token set */
	PROTO_ELEADSP,		/* line starts with a space */
	PROTO_ETRAILSP,		/* line ends with a space */
	PROTO_EDOUBLESP,	/* two spaces in a row */
	PROTO_ETOKENS,		/* more than PROTO_MAX_TOKENS */
	PROTO_ECMD,		/* command is not a lower-case word */
	PROTO_ENOTKV,		/* argument without '=' */
	PROTO_EEMPTYKEY,	/* argument "=value" */
	PROTO_EBADKEY,		/* key with a byte outside [A-Za-z0-9._-] */
	PROTO_ELONGKEY,		/* key longer than PROTO_KEY_MAX */
	PROTO_EDUPKEY,		/* the same key twice */
	PROTO_NERRS
};

struct proto_kv {
	const char	*key;
	const char	*val;		/* may be "" */
};

/* A parsed request; every pointer points into buf. */
struct proto_req {
	char		 buf[PROTO_LINE_MAX];
	const char	*cmd;
	struct proto_kv	 args[PROTO_MAX_TOKENS - 1];
	size_t		 nargs;
};

/*
 * Parse line (len bytes, without the "\n"; it may hold NULs) into req.
 * Returns PROTO_OK or the first error found.
 */
enum proto_err	 proto_parse(struct proto_req *, const char *line, size_t len);
/* The wire code of an error: "ETOOBIG" or "EBADREQ". */
const char	*proto_errcode(enum proto_err);
/* A one-line human text, different for every error. */
const char	*proto_strerror(enum proto_err);

/* Is every byte of s (non-empty) in the token set? */
int		 proto_token_ok(const char *s);
/* The value of key, or NULL if the request has no such key. */
const char	*proto_get(const struct proto_req *, const char *key);
/*
 * The value of key as a decimal number in [0, max]: 0 and *out set,
 * 1 when the key is absent (*out untouched), -1 when it is not a number
 * or out of range.
 */
int		 proto_get_uint(const struct proto_req *, const char *key,
		    unsigned long max, unsigned long *out);
/*
 * The first key of req that is neither in allowed (NULL-terminated) nor
 * starts with prefix (NULL: no prefix allowed); NULL when all are known.
 */
const char	*proto_unknown_key(const struct proto_req *,
		    const char * const *allowed, const char *prefix);

#endif
