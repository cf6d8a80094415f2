/*
 * convert_inetd.c: read inetd.conf (OpenBSD/Debian, FreeBSD and NetBSD
 * flavours of the classic one-line format).
 *
 *   [addr:]service socket protocol[,opt] wait[.max] user[.group] server args
 *
 * Debian's update-inetd disables a line by prefixing "#<off># "; such
 * lines become services with disable = yes, so that enabling one later
 * is a one-word edit.  Other comment lines are comments.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"

#define OFF_MARK	"#<off>#"
#define NFIELDS		7

/* Where a line is, and the default address an "addr:" line set. */
struct inetd_ctx {
	const char	*file;
	int		 line;
	char		 defaddr[256];
	struct cv_doc	*doc;
};

/* One protocol column value and what it means for superd. */
struct inetd_proto {
	const char	*name;
	const char	*proto;
	const char	*address;	/* when no addr: prefix is given */
	int		 v6only;
};

static const struct inetd_proto protos[] = {
	{ "tcp", "tcp", "0.0.0.0", 0 },
	{ "udp", "udp", "0.0.0.0", 0 },
	{ "tcp4", "tcp", "0.0.0.0", 0 },
	{ "udp4", "udp", "0.0.0.0", 0 },
	{ "tcp6", "tcp", "::", 1 },
	{ "udp6", "udp", "::", 1 },
	{ "tcp46", "tcp", "*", 0 },
	{ "udp46", "udp", "*", 0 },
	{ "unix", "unix", NULL, 0 },
	{ NULL, NULL, NULL, 0 }
};

static int	 inetd_line(struct inetd_ctx *, char *);
static int	 inetd_hostline(struct inetd_ctx *, char *);
static void	 inetd_service(struct inetd_ctx *, char **, size_t, int);
static int	 inetd_proto(struct inetd_ctx *, struct cv_service *, char *,
		    const char *);
static void	 inetd_addr(struct inetd_ctx *, struct cv_service *,
		    const struct inetd_proto *, const char *);
static int	 inetd_name(struct inetd_ctx *, struct cv_service *, char *,
		    const char *);
static void	 inetd_socket(struct inetd_ctx *, struct cv_service *,
		    const char *);
static void	 inetd_wait(struct inetd_ctx *, struct cv_service *, char *);
static void	 inetd_wait_freebsd(struct inetd_ctx *, struct cv_service *,
		    char *);
static void	 inetd_user(struct inetd_ctx *, struct cv_service *, char *);
static int	 inetd_server(struct inetd_ctx *, struct cv_service *,
		    const char *, char *);
static char	*unix_name(const char *);
static int	 is_number(const char *);

static int
is_number(const char *s)
{
	size_t	 i;

	for (i = 0; isdigit((unsigned char)s[i]); i++)
		;
	return i > 0 && s[i] == '\0';
}

/* Translate every line of f into d. */
void
inetd_convert(const struct cv_file *f, struct cv_doc *d)
{
	struct inetd_ctx	 c;
	size_t			 i;

	memset(&c, 0, sizeof(c));
	c.file = f->path;
	c.doc = d;
	d->kind = "inetd.conf";
	for (i = 0; i < f->n; i++) {
		c.line = (int)i + 1;
		inetd_line(&c, f->line[i]);
	}
}

/* One line: comment, disabled entry, "addr:" default, or a service. */
static int
inetd_line(struct inetd_ctx *c, char *p)
{
	char	*w[NFIELDS];
	size_t	 n;
	int	 off = 0;

	p += strspn(p, " \t");
	if (strncmp(p, OFF_MARK, strlen(OFF_MARK)) == 0) {
		p += strlen(OFF_MARK);
		off = 1;
	} else if (*p == '#' || *p == '\0')
		return 0;
	n = split_words(p, w, NFIELDS);
	if (n == 1 && w[0][strlen(w[0]) - 1] == ':')
		return inetd_hostline(c, w[0]);
	if (n < 6) {
		cv_fail(NULL, c->file, c->line, "%zu fields where inetd.conf "
		    "needs at least 6: line not translated", n);
		return -1;
	}
	inetd_service(c, w, n, off);
	return 0;
}

/* OpenBSD/FreeBSD "addr:" alone: the default address from here on. */
static int
inetd_hostline(struct inetd_ctx *c, char *w)
{
	w[strlen(w) - 1] = '\0';
	if (strcmp(w, "*") == 0)
		w[0] = '\0';
	snprintf(c->defaddr, sizeof(c->defaddr), "%s", w);
	return 0;
}

static void
inetd_service(struct inetd_ctx *c, char **w, size_t n, int off)
{
	struct cv_service	*s;
	char			*host = NULL, *name = w[0], *colon;

	colon = strrchr(name, ':');
	if (colon != NULL && strcmp(w[2], "unix") != 0) {
		*colon = '\0';
		host = name;
		name = colon + 1;
	}
	s = svc_new(name, c->file, c->line);
	doc_add(c->doc, s);
	if (off)
		svc_set(s, K_DISABLE, "yes");
	if (inetd_proto(c, s, w[2], host) == -1 ||
	    inetd_name(c, s, name, w[2]) == -1)
		s->skip = 1;
	inetd_socket(c, s, w[1]);
	inetd_wait(c, s, w[3]);
	inetd_user(c, s, w[4]);
	if (inetd_server(c, s, w[5], n > 6 ? w[6] : NULL) == -1)
		s->skip = 1;
	else if (!s->skip && port_check(s, c->file, c->line) == -1)
		s->skip = 1;
}

/* The protocol column, with FreeBSD/NetBSD ",sndbuf=N" options. */
static int
inetd_proto(struct inetd_ctx *c, struct cv_service *s, char *col,
    const char *host)
{
	const struct inetd_proto	*p;
	char				*opt;

	if ((opt = strchr(col, ',')) != NULL) {
		*opt++ = '\0';
		cv_fail(s, c->file, c->line, "protocol option \"%s\": superd "
		    "has no socket buffer settings; dropped", opt);
	}
	if (strncmp(col, "rpc/", 4) == 0) {
		cv_fail(s, c->file, c->line, "\"%s\": superd does not "
		    "register RPC services with rpcbind", col);
		return -1;
	}
	for (p = protos; p->name != NULL; p++)
		if (strcmp(p->name, col) == 0)
			break;
	if (p->name == NULL) {
		cv_fail(s, c->file, c->line, "protocol \"%s\" is not "
		    "supported (tcp, udp, tcp6, udp6, tcp46, udp46, unix)",
		    col);
		return -1;
	}
	svc_set(s, K_PROTOCOL, p->proto);
	if (p->address != NULL)
		inetd_addr(c, s, p, host);
	return 0;
}

/* address (and v6only) from the protocol and an "addr:" prefix. */
static void
inetd_addr(struct inetd_ctx *c, struct cv_service *s,
    const struct inetd_proto *p, const char *host)
{
	char	 buf[256];

	if (host == NULL || host[0] == '\0')
		host = c->defaddr;
	if (strcmp(host, "*") == 0)
		host = "";
	snprintf(buf, sizeof(buf), "%s", host[0] == '[' ? host + 1 : host);
	buf[strcspn(buf, "]")] = '\0';
	svc_set(s, K_ADDRESS, buf[0] != '\0' ? buf : p->address);
	if (p->v6only)
		svc_set(s, K_V6ONLY, "yes");
}

/* The service column: a port name, a unix path, or unsupported forms. */
static int
inetd_name(struct inetd_ctx *c, struct cv_service *s, char *name,
    const char *proto)
{
	if (strncmp(name, "tcpmux/", 7) == 0 || strcmp(name, "tcpmux") == 0) {
		cv_fail(s, c->file, c->line, "\"%s\": superd has no TCPMUX "
		    "(RFC 1078) multiplexer", name);
		return -1;
	}
	if (strcmp(proto, "unix") == 0) {
		svc_set(s, K_ADDRESS, name);
		free(s->name);
		s->name = unix_name(name);
		return 0;
	}
	svc_set(s, K_PORT, name);
	return 0;
}

/* A section name for a unix socket: its file name without extension. */
static char *
unix_name(const char *path)
{
	char	*n = xstrdup(base_name(path)), *dot;

	if ((dot = strrchr(n, '.')) != NULL && dot != n)
		*dot = '\0';
	return n;
}

static void
inetd_socket(struct inetd_ctx *c, struct cv_service *s, const char *type)
{
	if (strcmp(type, "stream") == 0 || strcmp(type, "dgram") == 0) {
		svc_set(s, K_SOCKET, type);
		return;
	}
	cv_fail(s, c->file, c->line, "socket type \"%s\": superd supports "
	    "stream and dgram only", type);
	s->skip = 1;
}

/* "wait", "nowait", "nowait.N", "nowait:N" or FreeBSD "nowait/a/b/c". */
static void
inetd_wait(struct inetd_ctx *c, struct cv_service *s, char *col)
{
	char	*max, buf[64];

	if ((max = strchr(col, '/')) != NULL) {
		inetd_wait_freebsd(c, s, max);
		*max = '\0';
	} else if ((max = strpbrk(col, ".:")) != NULL) {
		*max++ = '\0';
		if (!is_number(max) || strcmp(max, "0") == 0)
			cv_fail(s, c->file, c->line, "rate \"%s\" is not a "
			    "positive number; no rate set", max);
		else {
			snprintf(buf, sizeof(buf), "%s/min", max);
			svc_set(s, K_RATE, buf);
			cv_note(s, c->file, c->line, "rate %s: superd refuses "
			    "connections over the rate instead of suspending "
			    "the service for ten minutes", buf);
		}
	}
	if (strcmp(col, "wait") == 0 || strcmp(col, "nowait") == 0)
		svc_set(s, K_WAIT, col[0] == 'w' ? "yes" : "no");
	else {
		cv_fail(s, c->file, c->line, "\"%s\" is neither wait nor "
		    "nowait", col);
		s->skip = 1;
	}
}

/* FreeBSD: /max-child/max-connections-per-ip-per-minute/max-child-per-ip */
static void
inetd_wait_freebsd(struct inetd_ctx *c, struct cv_service *s, char *p)
{
	char	*w[3] = { NULL, NULL, NULL }, *q = p + 1;
	int	 i;

	for (i = 0; i < 3 && q != NULL; i++) {
		w[i] = q;
		if ((q = strchr(q, '/')) != NULL)
			*q++ = '\0';
	}
	if (w[0] != NULL && is_number(w[0]))
		svc_set(s, K_INSTANCES, w[0]);
	if (w[1] != NULL && is_number(w[1]) && strcmp(w[1], "0") != 0)
		cv_fail(s, c->file, c->line, "%s connections per source per "
		    "minute: superd limits per source only by concurrency "
		    "(per-source)", w[1]);
	if (w[2] != NULL && is_number(w[2]))
		svc_set(s, K_PER_SOURCE, w[2]);
}

/* "user", "user.group", "user:group", with FreeBSD "/login-class". */
static void
inetd_user(struct inetd_ctx *c, struct cv_service *s, char *col)
{
	char	*sep;

	if ((sep = strchr(col, '/')) != NULL) {
		*sep++ = '\0';
		cv_fail(s, c->file, c->line, "login class \"%s\": superd "
		    "does not apply login classes", sep);
	}
	if ((sep = strpbrk(col, ".:")) != NULL) {
		*sep++ = '\0';
		svc_set(s, K_GROUP, sep);
	}
	svc_set(s, K_USER, col);
}

/*
 * The server column and its arguments; the first argument is argv[0].
 * A tcpd wrapper stays as it is: tcpd finds the real daemon from argv[0]
 * and keeps applying hosts.allow, exactly as under inetd.
 */
static int
inetd_server(struct inetd_ctx *c, struct cv_service *s, const char *server,
    char *args)
{
	char	*w[256];
	size_t	 n = 0, i;

	if (args != NULL)
		n = split_words(args, w, 256);
	if (strcmp(server, "internal") == 0) {
		/* A builtin runs inside superd: wait has no meaning. */
		svc_set(s, K_WAIT, NULL);
		svc_set(s, K_TYPE, "builtin");
		svc_set(s, K_SERVER, s->name);
		if (builtin_known(s->name))
			return 0;
		cv_fail(s, c->file, c->line, "internal service \"%s\" is not "
		    "built into superd (echo, discard, daytime, time, "
		    "chargen)", s->name);
		return -1;
	}
	if (server[0] != '/') {
		cv_fail(s, c->file, c->line, "server \"%s\" is not an "
		    "absolute path", server);
		return -1;
	}
	svc_set(s, K_TYPE, "exec");
	svc_set(s, K_SERVER, server);
	if (n > 0 && strcmp(w[0], base_name(server)) != 0)
		svc_set(s, K_ARGV0, w[0]);
	for (i = 1; i < n; i++)
		strlist_add(&s->list[L_ARGS], w[i]);
	return 0;
}
