/*
 * inetd_parse.c: split one inetd.conf line into its fields.
 *
 *   [host:]service socket protocol[,opts] wait[.max] user[.group] server [args]
 *
 * The flavours read are Debian's openbsd-inetd (with update-inetd's
 * "#<off>#" lines), OpenBSD, NetBSD and FreeBSD.  Only the syntax is
 * checked here; whether superd can run what a line asks for is for the
 * caller to decide, so an RPC or raw-socket line parses fine.
 */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "inetd_parse.h"
#include "rpcparse.h"

#define NFIELDS		6	/* service .. server; args follow */

struct proto_name {
	const char		*name;
	const char		*proto;
	enum inetd_family	 family;
};

/* Debian inetd(8): "tcp" and "udp" listen on IPv4 and IPv6. */
static const struct proto_name protos[] = {
	{ "tcp", "tcp", INETD_AF_BOTH },
	{ "udp", "udp", INETD_AF_BOTH },
	{ "tcp4", "tcp", INETD_AF_INET },
	{ "udp4", "udp", INETD_AF_INET },
	{ "tcp6", "tcp", INETD_AF_INET6 },
	{ "udp6", "udp", INETD_AF_INET6 },
	{ "tcp46", "tcp", INETD_AF_MAPPED },
	{ "udp46", "udp", INETD_AF_MAPPED },
	{ "unix", "unix", INETD_AF_UNIX },
	{ NULL, NULL, INETD_AF_BOTH }
};

static char	*next_word(char **);
static int	 get_uint(const char *, int *);
static int	 bad(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static int	 parse_proto(struct inetd_entry *, char *, char *, size_t);
static int	 parse_service(struct inetd_entry *, char *, char *, size_t);
static int	 parse_rpc(struct inetd_entry *, char *, size_t);
static int	 parse_wait(struct inetd_entry *, char *, char *, size_t);
static int	 parse_freebsd(struct inetd_entry *, char *, char *, size_t);
static int	 parse_user(struct inetd_entry *, char *, char *, size_t);
static int	 parse_args(struct inetd_entry *, char *, char *, size_t);

/* The next blank-separated word of *p, cut in place; NULL at the end. */
static char *
next_word(char **p)
{
	char	*w;

	*p += strspn(*p, " \t\r\n");
	if (**p == '\0')
		return NULL;
	w = *p;
	*p += strcspn(*p, " \t\r\n");
	if (**p != '\0')
		*(*p)++ = '\0';
	return w;
}

/* A decimal number without sign, up to INT_MAX; -1 if it is not one. */
static int
get_uint(const char *s, int *out)
{
	long long	 v = 0;
	size_t		 i;

	for (i = 0; isdigit((unsigned char)s[i]); i++) {
		v = v * 10 + (s[i] - '0');
		if (v > INT_MAX)
			return -1;
	}
	if (i == 0 || s[i] != '\0')
		return -1;
	*out = (int)v;
	return 0;
}

static int
bad(char *err, size_t len, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Parse line (cut in place) into e.  On INETD_LINE_ERROR, err says what
 * is wrong; on INETD_LINE_HOST, e->host is the new default ("*" for any).
 */
enum inetd_line
inetd_parse_line(char *line, struct inetd_entry *e, char *err, size_t len)
{
	char	*w[NFIELDS], *p = line;
	size_t	 n;

	memset(e, 0, sizeof(*e));
	e->max = e->fb_child = e->fb_cpm = e->fb_perip = -1;
	if (len > 0)
		err[0] = '\0';
	p += strspn(p, " \t");
	if (strncmp(p, INETD_OFF_MARK, strlen(INETD_OFF_MARK)) == 0) {
		e->disabled = 1;
		p += strlen(INETD_OFF_MARK);
	} else if (*p == '#')
		return INETD_LINE_NONE;
	for (n = 0; n < NFIELDS && (w[n] = next_word(&p)) != NULL; n++)
		;
	if (n == 0)
		return INETD_LINE_NONE;
	if (n == 1 && w[0][strlen(w[0]) - 1] == ':' && !e->disabled) {
		w[0][strlen(w[0]) - 1] = '\0';
		e->host = w[0];
		return INETD_LINE_HOST;
	}
	if (n < NFIELDS) {
		bad(err, len, "%zu fields where inetd.conf needs at least 6 "
		    "(service socket protocol wait user server)", n);
		return INETD_LINE_ERROR;
	}
	e->socktype = w[1];
	e->server = w[5];
	if (parse_proto(e, w[2], err, len) == -1 ||
	    parse_service(e, w[0], err, len) == -1 ||
	    parse_wait(e, w[3], err, len) == -1 ||
	    parse_user(e, w[4], err, len) == -1 ||
	    parse_args(e, p, err, len) == -1)
		return INETD_LINE_ERROR;
	return INETD_LINE_ENTRY;
}

/* "[rpc/]proto[,option...]". */
static int
parse_proto(struct inetd_entry *e, char *col, char *err, size_t len)
{
	const struct proto_name	*pn;
	char			*opt;

	if ((opt = strchr(col, ',')) != NULL) {
		*opt++ = '\0';
		e->proto_opts = opt;
	}
	if (strncmp(col, "rpc/", 4) == 0) {
		e->rpc = 1;
		col += 4;
	}
	for (pn = protos; pn->name != NULL; pn++)
		if (strcmp(pn->name, col) == 0)
			break;
	if (pn->name == NULL || (e->rpc && pn->family == INETD_AF_UNIX))
		return bad(err, len, "protocol \"%s%s\" is not one of tcp, "
		    "udp, tcp4, udp4, tcp6, udp6, tcp46, udp46, unix%s",
		    e->rpc ? "rpc/" : "", col, e->rpc ? " (rpc/ with tcp "
		    "or udp only)" : "");
	e->proto = pn->proto;
	e->proto_col = col;
	e->family = pn->family;
	return 0;
}

/* "[host:]name", "name/versions" for RPC, a path for unix sockets. */
static int
parse_service(struct inetd_entry *e, char *col, char *err, size_t len)
{
	char	*colon, *end;

	e->service = col;
	if (e->family == INETD_AF_UNIX)
		return 0;
	if ((colon = strrchr(col, ':')) != NULL) {
		*colon = '\0';
		e->service = colon + 1;
		e->host = col;
		if (col[0] == '[' && (end = strchr(col, ']')) != NULL &&
		    end[1] == '\0') {
			*end = '\0';
			e->host = col + 1;
		}
		if (e->host[0] == '\0')
			return bad(err, len, "empty address before ':'");
	}
	if (e->service[0] == '\0')
		return bad(err, len, "no service name");
	if (e->rpc)
		return parse_rpc(e, err, len);
	return 0;
}

/* "name/version" or "name/low-high" (rpcparse.c, as rpc-versions). */
static int
parse_rpc(struct inetd_entry *e, char *err, size_t len)
{
	char	*v, why[INETD_ERRLEN];

	if ((v = strchr(e->service, '/')) == NULL)
		return bad(err, len, "RPC service \"%s\" needs name/version",
		    e->service);
	*v++ = '\0';
	if (rpcparse_versions(v, &e->rpc_low, &e->rpc_high, why,
	    sizeof(why)) == -1)
		return bad(err, len, "RPC version of \"%s\": %s", e->service,
		    why);
	return 0;
}

/* "wait", "nowait", with ".max" or ":max", or FreeBSD "/C/R/S". */
static int
parse_wait(struct inetd_entry *e, char *col, char *err, size_t len)
{
	char	*max;

	if ((max = strchr(col, '/')) != NULL) {
		*max++ = '\0';
		if (parse_freebsd(e, max, err, len) == -1)
			return -1;
	} else if ((max = strpbrk(col, ".:")) != NULL) {
		*max++ = '\0';
		if (get_uint(max, &e->max) == -1)
			return bad(err, len, "\"%s\" after %s is not a "
			    "number of servers a minute", max, col);
	}
	if (strcmp(col, "wait") == 0)
		e->wait = 1;
	else if (strcmp(col, "nowait") != 0)
		return bad(err, len, "\"%s\" is neither wait nor nowait", col);
	return 0;
}

/* FreeBSD: max-child/max-connections-per-ip-per-minute/max-child-per-ip */
static int
parse_freebsd(struct inetd_entry *e, char *p, char *err, size_t len)
{
	int	*out[3] = { &e->fb_child, &e->fb_cpm, &e->fb_perip };
	char	*q;
	int	 i;

	for (i = 0; i < 3 && p != NULL; i++, p = q) {
		if ((q = strchr(p, '/')) != NULL)
			*q++ = '\0';
		if (get_uint(p, out[i]) == -1)
			return bad(err, len, "\"%s\" in the wait column is "
			    "not a number", p);
	}
	if (p != NULL)
		return bad(err, len, "more than three /N limits in the wait "
		    "column");
	return 0;
}

/* "user", "user:group", "user.group", with FreeBSD "/login-class". */
static int
parse_user(struct inetd_entry *e, char *col, char *err, size_t len)
{
	char	*sep;

	if ((sep = strchr(col, '/')) != NULL) {
		*sep++ = '\0';
		e->login_class = sep;
	}
	/* ':' first: "first.last:staff" is a user with a dot in it. */
	if ((sep = strchr(col, ':')) != NULL ||
	    (sep = strchr(col, '.')) != NULL) {
		*sep++ = '\0';
		e->group = sep;
		if (*sep == '\0')
			return bad(err, len, "empty group after user \"%s\"",
			    col);
	}
	if (*col == '\0')
		return bad(err, len, "empty user");
	e->user = col;
	return 0;
}

/* The words after the server path; the first is argv[0]. */
static int
parse_args(struct inetd_entry *e, char *p, char *err, size_t len)
{
	char	*w;

	while ((w = next_word(&p)) != NULL) {
		if (e->argc == INETD_MAXARGS)
			return bad(err, len, "more than %d server arguments",
			    INETD_MAXARGS);
		e->argv[e->argc++] = w;
	}
	e->argv[e->argc] = NULL;
	return 0;
}
