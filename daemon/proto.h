/*
 * proto.h: the one tokenizer and the one set of error codes of superd's
 * three line protocols: the control socket (superdctl(8)), the endpoint
 * directory and the OOB endpoint (superd-directory(7)).
 *
 * proto_split() cuts a request line into words with one set of rules:
 * at most PROTO_MAX_WORDS words, each made of [A-Za-z0-9._:/@%+=-]; a
 * NUL, a control or a non-ASCII byte is refused with its own error.  The
 * protocols differ only in how words are separated (enum proto_sep).
 *
 * On top of it, proto_parse() is the directory's request: the first word
 * is the command (a lower-case word), every other one is key=value with
 * a unique key.  Anything else is refused with its own error, so a client
 * always learns exactly what was wrong.
 */
#ifndef SUPERD_PROTO_H
#define SUPERD_PROTO_H

#include <stddef.h>

#include "linesrv.h"

#define PROTO_LINE_MAX		1024	/* directory line, "\n" included */
#define PROTO_MAX_WORDS		16	/* command included */
#define PROTO_MAX_TOKENS	PROTO_MAX_WORDS
#define PROTO_KEY_MAX		40	/* longest key ("tag." + 32 + slack) */
#define PROTO_ERRLINE_MAX	160	/* an "ERR CODE text\n" line of ours */

/*
 * Every wire code an ERR line can carry, in the three protocols.  Those
 * of the directory's lease table (EEXIST, EQUOTA) are listed so that the
 * set is closed.
 */
enum proto_code {
	PROTO_C_EBADREQ,	/* malformed request (was EINVAL on OOB) */
	PROTO_C_ETOOBIG,	/* line too long (was E2BIG on OOB) */
	PROTO_C_EBUSY,		/* over a cap or a rate; out of memory */
	PROTO_C_ENOENT,		/* no such service, session, lease, name */
	PROTO_C_EPERM,		/* not allowed to */
	PROTO_C_ETIMEDOUT,	/* no (whole) request line in time */
	PROTO_C_ECONFIG,	/* control: reload refused the new config */
	PROTO_C_EEXIST,		/* directory: endpoint registered already */
	PROTO_C_EQUOTA,		/* directory: entry limits */
	PROTO_C_NCODES
};

/* Every error of the tokenizer and its layers; each has its own text. */
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
	PROTO_ETOKENS,		/* more than PROTO_MAX_WORDS */
	PROTO_ECMD,		/* command is not a lower-case word */
	PROTO_ENOTKV,		/* argument without '=' */
	PROTO_EEMPTYKEY,	/* argument "=value" */
	PROTO_EBADKEY,		/* key with a byte outside [A-Za-z0-9._-] */
	PROTO_ELONGKEY,		/* key longer than PROTO_KEY_MAX */
	PROTO_EDUPKEY,		/* the same key twice */
	PROTO_EOOB,		/* OOB: not CANCEL <token> or <port> */
	PROTO_NERRS
};

/*
 * How words are separated, the one rule the protocols do not share:
 * the directory is strict, so that a client learns about a stray space;
 * the control socket and the OOB endpoint are typed by people.
 */
enum proto_sep {
	PROTO_SEP_ONE,		/* exactly one space; none at either end */
	PROTO_SEP_BLANKS	/* runs of spaces and tabs, ends ignored, */
				/* and one CR before the newline */
};

/* A line cut into words; each points into the line. */
struct proto_words {
	char		*v[PROTO_MAX_WORDS];
	size_t		 n;
};

struct proto_kv {
	const char	*key;
	const char	*val;		/* may be "" */
};

/* A parsed directory request; every pointer points into buf. */
struct proto_req {
	char		 buf[PROTO_LINE_MAX];
	const char	*cmd;
	struct proto_kv	 args[PROTO_MAX_WORDS - 1];
	size_t		 nargs;
};

/*
 * Split line (len bytes, without its "\n"; it may hold NULs) in place
 * into w; line must have room for len + 1 bytes (line[len] is
 * overwritten with a NUL).  Returns PROTO_OK or the first error found
 * (w->n is 0 then).
 */
enum proto_err	 proto_split(char *line, size_t len, enum proto_sep,
		    struct proto_words *w);
/*
 * Parse a directory request line (len bytes, without the "\n"; it may
 * hold NULs) into req.  Returns PROTO_OK or the first error found.
 */
enum proto_err	 proto_parse(struct proto_req *, const char *line, size_t len);

/* The wire code of an error: PROTO_C_ETOOBIG or PROTO_C_EBADREQ. */
enum proto_code	 proto_err_code(enum proto_err);
/* Its name: "ETOOBIG" or "EBADREQ". */
const char	*proto_errcode(enum proto_err);
/* A one-line human text, different for every error. */
const char	*proto_strerror(enum proto_err);
/* The name of a wire code ("ENOENT"). */
const char	*proto_code_name(enum proto_code);
/*
 * The "ERR CODE text\n" line for a connection the line server ends by
 * itself, into buf; the same for the three protocols.  Returns buf.
 */
const char	*proto_refusal(char *buf, size_t len, enum linesrv_why,
		    const struct linesrv_limits *);

/* Is c one byte of the token set [A-Za-z0-9._:/@%+=-]? */
int		 proto_token_byte(unsigned char c);
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
