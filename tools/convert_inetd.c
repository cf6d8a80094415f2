/*
 * convert_inetd.c: translate inetd.conf (Debian openbsd-inetd, OpenBSD,
 * FreeBSD and NetBSD flavours) to superd services.
 *
 * daemon/inetd_parse.c splits each line; this file decides what every
 * field means for superd.  Debian's update-inetd disables a line by
 * prefixing "#<off># "; such lines become services with disable = yes,
 * so that enabling one later is a one-word edit.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "inetd_parse.h"

/* Where a line is, and the default address an "addr:" line set. */
struct inetd_ctx {
	const char	*file;
	int		 line;
	char		 defaddr[256];
	struct cv_doc	*doc;
};

static void	 inetd_line(struct inetd_ctx *, char *);
static char	*inetd_name(const struct inetd_entry *);
static void	 inetd_service(struct inetd_ctx *, struct inetd_entry *);
static int	 inetd_kind(struct inetd_ctx *, struct cv_service *,
		    const struct inetd_entry *);
static void	 inetd_addr(struct inetd_ctx *, struct cv_service *,
		    const struct inetd_entry *);
static void	 inetd_limits(struct inetd_ctx *, struct cv_service *,
		    const struct inetd_entry *);
static void	 inetd_user(struct inetd_ctx *, struct cv_service *,
		    const struct inetd_entry *);
static int	 inetd_server(struct inetd_ctx *, struct cv_service *,
		    const struct inetd_entry *);
static char	*unix_name(const char *);

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

/* One line: comment, "addr:" default, a service, or an error. */
static void
inetd_line(struct inetd_ctx *c, char *text)
{
	struct inetd_entry	 e;
	char			 err[INETD_ERRLEN];

	switch (inetd_parse_line(text, &e, err, sizeof(err))) {
	case INETD_LINE_NONE:
		break;
	case INETD_LINE_HOST:
		/* OpenBSD/FreeBSD "addr:" alone; "*:" resets it. */
		snprintf(c->defaddr, sizeof(c->defaddr), "%s",
		    strcmp(e.host, "*") == 0 ? "" : e.host);
		break;
	case INETD_LINE_ERROR:
		cv_fail(NULL, c->file, c->line, "%s%s: line not translated",
		    e.disabled ? "disabled entry: " : "", err);
		break;
	case INETD_LINE_ENTRY:
		inetd_service(c, &e);
		break;
	}
}

/* The section name: the service, "name/versions" for RPC, unix file. */
static char *
inetd_name(const struct inetd_entry *e)
{
	char	 buf[300];

	if (e->family == INETD_AF_UNIX)
		return unix_name(e->service);
	if (!e->rpc)
		return xstrdup(e->service);
	if (e->rpc_low == e->rpc_high)
		snprintf(buf, sizeof(buf), "%s/%d", e->service, e->rpc_low);
	else
		snprintf(buf, sizeof(buf), "%s/%d-%d", e->service, e->rpc_low,
		    e->rpc_high);
	return xstrdup(buf);
}

static void
inetd_service(struct inetd_ctx *c, struct inetd_entry *e)
{
	struct cv_service	*s;
	char			*name, alt[300];

	name = inetd_name(e);
	s = svc_new(name, c->file, c->line);
	free(name);
	doc_add(c->doc, s);
	/* The name to fall back on when tcp4 and tcp6 lines differ. */
	if (strcmp(e->proto_col, e->proto) != 0) {
		snprintf(alt, sizeof(alt), "%s-%s", s->name, e->proto_col);
		s->alt = xstrdup(alt);
	}
	if (e->disabled)
		svc_set(s, K_DISABLE, "yes");
	if (inetd_kind(c, s, e) == -1)
		s->skip = 1;
	inetd_addr(c, s, e);
	inetd_limits(c, s, e);
	inetd_user(c, s, e);
	if (inetd_server(c, s, e) == -1)
		s->skip = 1;
	else if (!s->skip && port_check(s, c->file, c->line) == -1)
		s->skip = 1;
}

/* Protocol, socket type, port: what superd cannot listen on at all. */
static int
inetd_kind(struct inetd_ctx *c, struct cv_service *s,
    const struct inetd_entry *e)
{
	int	 rc = 0;

	if (e->proto_opts != NULL)
		cv_fail(s, c->file, c->line, "protocol option \"%s\": superd "
		    "has no socket buffer settings; dropped", e->proto_opts);
	svc_set(s, K_PROTOCOL, e->proto);
	if (strcmp(e->socktype, "stream") == 0 ||
	    strcmp(e->socktype, "dgram") == 0)
		svc_set(s, K_SOCKET, e->socktype);
	else {
		cv_fail(s, c->file, c->line, "socket type \"%s\": superd "
		    "supports stream and dgram only", e->socktype);
		rc = -1;
	}
	if (e->rpc) {
		cv_fail(s, c->file, c->line, "\"rpc/%s\": superd does not "
		    "register RPC services with rpcbind", e->proto_col);
		return -1;
	}
	if (strncmp(e->service, "tcpmux/", 7) == 0 ||
	    strcmp(e->service, "tcpmux") == 0) {
		cv_fail(s, c->file, c->line, "\"%s\": superd has no TCPMUX "
		    "(RFC 1078) multiplexer", e->service);
		return -1;
	}
	if (e->family != INETD_AF_UNIX)
		svc_set(s, K_PORT, e->service);
	return rc;
}

/*
 * address and v6only.  Debian's inetd(8): tcp/udp listen on IPv4 and
 * IPv6, tcp4 on IPv4 only, tcp6 on IPv6 only, tcp46 on one IPv6 socket
 * that takes IPv4 too; superd's "*" is that last one.
 */
static void
inetd_addr(struct inetd_ctx *c, struct cv_service *s,
    const struct inetd_entry *e)
{
	const char	*host = e->host;

	if (e->family == INETD_AF_UNIX) {
		svc_set(s, K_ADDRESS, e->service);
		return;
	}
	if (host == NULL || host[0] == '\0')
		host = c->defaddr;
	if (strcmp(host, "*") == 0)
		host = "";
	if (host[0] != '\0')
		svc_set(s, K_ADDRESS, host);
	else if (e->family == INETD_AF_INET)
		svc_set(s, K_ADDRESS, "0.0.0.0");
	else if (e->family == INETD_AF_INET6)
		svc_set(s, K_ADDRESS, "::");
	else
		svc_set(s, K_ADDRESS, "*");
	if (e->family == INETD_AF_INET6 && strcmp(s->key[K_ADDRESS], "::") == 0)
		svc_set(s, K_V6ONLY, "yes");
}

/* ".max" servers a minute, FreeBSD "/child/cpm/perip". */
static void
inetd_limits(struct inetd_ctx *c, struct cv_service *s,
    const struct inetd_entry *e)
{
	char	 buf[64];

	if (e->max == 0)
		cv_fail(s, c->file, c->line, "rate 0 is not a positive "
		    "number; no rate set");
	else if (e->max > 0) {
		snprintf(buf, sizeof(buf), "%d/min", e->max);
		svc_set(s, K_RATE, buf);
		cv_note(s, c->file, c->line, "rate %s: superd refuses "
		    "connections over the rate instead of suspending the "
		    "service for ten minutes", buf);
	}
	if (e->fb_child >= 0) {
		snprintf(buf, sizeof(buf), "%d", e->fb_child);
		svc_set(s, K_INSTANCES, buf);
	}
	if (e->fb_cpm > 0)
		cv_fail(s, c->file, c->line, "%d connections per source per "
		    "minute: superd limits per source only by concurrency "
		    "(per-source)", e->fb_cpm);
	if (e->fb_perip >= 0) {
		snprintf(buf, sizeof(buf), "%d", e->fb_perip);
		svc_set(s, K_PER_SOURCE, buf);
	}
}

static void
inetd_user(struct inetd_ctx *c, struct cv_service *s,
    const struct inetd_entry *e)
{
	if (e->login_class != NULL)
		cv_fail(s, c->file, c->line, "login class \"%s\": superd "
		    "does not apply login classes", e->login_class);
	svc_set(s, K_USER, e->user);
	svc_set(s, K_GROUP, e->group);
	svc_set(s, K_WAIT, e->wait ? "yes" : "no");
}

/*
 * The server column and its arguments; the first argument is argv[0].
 * A tcpd wrapper stays as it is: tcpd finds the real daemon from argv[0]
 * and keeps applying hosts.allow, exactly as under inetd.
 */
static int
inetd_server(struct inetd_ctx *c, struct cv_service *s,
    const struct inetd_entry *e)
{
	size_t	 i;

	if (strcmp(e->server, "internal") == 0) {
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
	if (e->server[0] != '/') {
		cv_fail(s, c->file, c->line, "server \"%s\" is not an "
		    "absolute path", e->server);
		return -1;
	}
	svc_set(s, K_TYPE, "exec");
	svc_set(s, K_SERVER, e->server);
	if (e->argc > 0 && strcmp(e->argv[0], base_name(e->server)) != 0)
		svc_set(s, K_ARGV0, e->argv[0]);
	for (i = 1; i < e->argc; i++)
		strlist_add(&s->list[L_ARGS], e->argv[i]);
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
