/*
 * inetd_xlate.c: decide what every field of an inetd.conf line means for
 * superd (Debian openbsd-inetd, OpenBSD, FreeBSD and NetBSD flavours).
 *
 * The one translation: superd-convert prints its result as superd.conf,
 * superd's inetd-compat loads it.  A "#<off>#" line becomes a service
 * with disable = yes; what to do with it is the caller's choice.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "inetd_xlate.h"

struct xlate {
	const struct inetd_entry *e;
	struct inetd_svc	*s;
	inetd_say_fn		*say;
	void			*arg;
};

struct key_def {
	const char	*name;
	int		 quoted;
};

static const struct key_def keys[IX_NKEYS] = {
	[IX_TYPE] = { "type", 1 },
	[IX_SOCKET] = { "socket", 1 },
	[IX_PROTOCOL] = { "protocol", 1 },
	[IX_ADDRESS] = { "address", 1 },
	[IX_V6ONLY] = { "v6only", 0 },
	[IX_PORT] = { "port", 1 },
	[IX_RPC_PROGRAM] = { "rpc-program", 1 },
	[IX_RPC_VERSIONS] = { "rpc-versions", 1 },
	[IX_WAIT] = { "wait", 0 },
	[IX_USER] = { "user", 1 },
	[IX_GROUP] = { "group", 1 },
	[IX_SERVER] = { "server", 1 },
	[IX_ARGV0] = { "argv0", 1 },
	[IX_DISABLE] = { "disable", 0 },
	[IX_INSTANCES] = { "instances", 0 },
	[IX_PER_SOURCE] = { "per-source", 0 },
	[IX_RATE] = { "rate", 1 },
	[IX_TCPMUX] = { "tcpmux", 0 },
};

static void	 say(struct xlate *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static void	 xl_name(struct xlate *);
static int	 xl_kind(struct xlate *);
static void	 xl_rpc(struct xlate *);
static void	 xl_addr(struct xlate *, const char *);
static void	 xl_limits(struct xlate *);
static void	 xl_user(struct xlate *);
static int	 xl_server(struct xlate *);
static const char *base_name(const char *);

const char *
inetd_key_name(enum inetd_key k)
{
	return keys[k].name;
}

int
inetd_key_quoted(enum inetd_key k)
{
	return keys[k].quoted;
}

static void
say(struct xlate *x, int fail, const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (x->say != NULL)
		x->say(x->arg, fail, msg);
}

int
inetd_xlate(const struct inetd_entry *e, const char *defaddr,
    struct inetd_svc *s, inetd_say_fn *sayfn, void *arg)
{
	struct xlate	 x = { e, s, sayfn, arg };

	memset(s, 0, sizeof(*s));
	xl_name(&x);
	if (e->disabled)
		s->key[IX_DISABLE] = "yes";
	if (xl_kind(&x) == -1)
		s->skip = 1;
	/* A tcpmux/NAME service has no socket of its own. */
	if (s->key[IX_TCPMUX] == NULL)
		xl_addr(&x, defaddr != NULL ? defaddr : "");
	xl_limits(&x);
	xl_user(&x);
	if (xl_server(&x) == -1)
		s->skip = 1;
	return s->skip ? -1 : 0;
}

/*
 * The name: the service (for RPC the program's name, without the
 * versions: '/' is not allowed in superd's names), the socket's file
 * name without extension for unix.  alt is the name to fall back on when
 * a service's tcp4 and tcp6 lines differ.
 */
static void
xl_name(struct xlate *x)
{
	const struct inetd_entry *e = x->e;
	struct inetd_svc	*s = x->s;
	char			*dot;

	if (e->family == INETD_AF_UNIX) {
		snprintf(s->name, sizeof(s->name), "%s", base_name(e->service));
		if ((dot = strrchr(s->name, '.')) != NULL && dot != s->name)
			*dot = '\0';
	} else if (strncmp(e->service, "tcpmux/", 7) == 0)
		snprintf(s->name, sizeof(s->name), "%s", e->service +
		    (e->service[7] == '+' ? 8 : 7));
	else
		snprintf(s->name, sizeof(s->name), "%s", e->service);
	if (strcmp(e->proto_col, e->proto) != 0)
		snprintf(s->alt, sizeof(s->alt), "%.150s-%s", s->name,
		    e->proto_col);
}

/* "rpc/udp": rpcbind gets the port, so the line names no port. */
static void
xl_rpc(struct xlate *x)
{
	const struct inetd_entry *e = x->e;
	struct inetd_svc	*s = x->s;

	if (e->rpc_low == e->rpc_high)
		snprintf(s->rpc_versions, sizeof(s->rpc_versions), "%lu",
		    e->rpc_low);
	else
		snprintf(s->rpc_versions, sizeof(s->rpc_versions), "%lu-%lu",
		    e->rpc_low, e->rpc_high);
	s->key[IX_RPC_PROGRAM] = e->service;
	s->key[IX_RPC_VERSIONS] = s->rpc_versions;
}

/* Protocol, socket type, port: what superd cannot listen on at all. */
static int
xl_kind(struct xlate *x)
{
	const struct inetd_entry *e = x->e;
	struct inetd_svc	*s = x->s;
	int			 rc = 0;

	if (e->proto_opts != NULL)
		say(x, 1, "protocol option \"%s\": superd has no socket buffer "
		    "settings; dropped", e->proto_opts);
	s->key[IX_PROTOCOL] = e->proto;
	if (strcmp(e->socktype, "stream") == 0 ||
	    strcmp(e->socktype, "dgram") == 0)
		s->key[IX_SOCKET] = e->socktype;
	else {
		say(x, 1, "socket type \"%s\": superd supports stream and "
		    "dgram only", e->socktype);
		rc = -1;
	}
	if (e->rpc) {
		xl_rpc(x);
		return rc;
	}
	/* tcpmux/NAME: reached through the tcpmux port only (RFC 1078);
	 * with "+" inetd sends "+Go" itself. */
	if (strncmp(e->service, "tcpmux/", 7) == 0) {
		if (strcmp(e->proto, "tcp") != 0 || e->wait) {
			say(x, 1, "\"%s\": a TCPMUX service needs tcp and "
			    "nowait", e->service);
			return -1;
		}
		s->key[IX_TCPMUX] = e->service[7] == '+' ? "plus" : "yes";
		return rc;
	}
	if (e->family != INETD_AF_UNIX)
		s->key[IX_PORT] = e->service;
	return rc;
}

/*
 * address and v6only.  Debian's inetd(8): tcp/udp listen on IPv4 and
 * IPv6, tcp4 on IPv4 only, tcp6 on IPv6 only, tcp46 on one IPv6 socket
 * that takes IPv4 too; superd's "*" is that last one.
 */
static void
xl_addr(struct xlate *x, const char *defaddr)
{
	const struct inetd_entry *e = x->e;
	struct inetd_svc	*s = x->s;
	const char		*host = e->host;

	if (e->family == INETD_AF_UNIX) {
		s->key[IX_ADDRESS] = e->service;
		return;
	}
	if (host == NULL || host[0] == '\0')
		host = defaddr;
	if (strcmp(host, "*") == 0)
		host = "";
	if (host[0] != '\0')
		s->key[IX_ADDRESS] = host;
	else if (e->family == INETD_AF_INET)
		s->key[IX_ADDRESS] = "0.0.0.0";
	else if (e->family == INETD_AF_INET6)
		s->key[IX_ADDRESS] = "::";
	else
		s->key[IX_ADDRESS] = "*";
	if (e->family == INETD_AF_INET6 &&
	    strcmp(s->key[IX_ADDRESS], "::") == 0)
		s->key[IX_V6ONLY] = "yes";
}

/* ".max" servers a minute, FreeBSD "/child/cpm/perip". */
static void
xl_limits(struct xlate *x)
{
	const struct inetd_entry *e = x->e;
	struct inetd_svc	*s = x->s;

	if (e->max == 0)
		say(x, 1, "rate 0 is not a positive number; no rate set");
	else if (e->max > 0) {
		snprintf(s->rate, sizeof(s->rate), "%d/min", e->max);
		s->key[IX_RATE] = s->rate;
		say(x, 0, "rate %s: superd refuses connections over the rate "
		    "instead of suspending the service for ten minutes",
		    s->rate);
	}
	if (e->fb_child >= 0) {
		snprintf(s->instances, sizeof(s->instances), "%d",
		    e->fb_child);
		s->key[IX_INSTANCES] = s->instances;
	}
	if (e->fb_cpm > 0)
		say(x, 1, "%d connections per source per minute: superd "
		    "limits per source only by concurrency (per-source)",
		    e->fb_cpm);
	if (e->fb_perip >= 0) {
		snprintf(s->per_source, sizeof(s->per_source), "%d",
		    e->fb_perip);
		s->key[IX_PER_SOURCE] = s->per_source;
	}
}

static void
xl_user(struct xlate *x)
{
	const struct inetd_entry *e = x->e;
	struct inetd_svc	*s = x->s;

	if (e->login_class != NULL)
		say(x, 1, "login class \"%s\": superd does not apply login "
		    "classes", e->login_class);
	s->key[IX_USER] = e->user;
	s->key[IX_GROUP] = e->group;
	s->key[IX_WAIT] = e->wait ? "yes" : "no";
}

/*
 * The server column and its arguments; the first argument is argv[0].
 * A tcpd wrapper stays as it is: tcpd finds the real daemon from argv[0]
 * and keeps applying hosts.allow, exactly as under inetd.  Whether an
 * internal service is one of superd's builtins is for the caller to say.
 */
static int
xl_server(struct xlate *x)
{
	const struct inetd_entry *e = x->e;
	struct inetd_svc	*s = x->s;

	if (strcmp(e->server, "internal") == 0 && e->rpc) {
		say(x, 1, "internal RPC service \"%s\": superd has no RPC "
		    "builtins", e->service);
		return -1;
	}
	if (strcmp(e->server, "internal") == 0) {
		/* A builtin runs inside superd: wait has no meaning. */
		s->key[IX_WAIT] = NULL;
		s->key[IX_TYPE] = "builtin";
		s->key[IX_SERVER] = s->name;
		return 0;
	}
	if (e->server[0] != '/') {
		say(x, 1, "server \"%s\" is not an absolute path", e->server);
		return -1;
	}
	s->key[IX_TYPE] = e->rpc ? "rpc" : "exec";
	s->key[IX_SERVER] = e->server;
	if (e->argc > 0 && strcmp(e->argv[0], base_name(e->server)) != 0)
		s->key[IX_ARGV0] = e->argv[0];
	if (e->argc > 1) {
		s->args = e->argv + 1;
		s->nargs = e->argc - 1;
	}
	return 0;
}

static const char *
base_name(const char *path)
{
	const char	*s = strrchr(path, '/');

	return s != NULL && s[1] != '\0' ? s + 1 : path;
}
