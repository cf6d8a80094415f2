/*
 * convert_xcore.c: what an xinetd service is and where it listens.
 *
 * type, id, flags, socket_type, protocol, wait, port, rpc_number,
 * rpc_version, bind, v6only, server and server_args only make sense
 * together, so they are read
 * here as a whole instead of one attribute at a time.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "convert_xinetd.h"
#include "rpcparse.h"

#define T_INTERNAL	0x01
#define T_UNLISTED	0x02
#define T_UNSUPP	0x04	/* a type xinetd does not have */
#define T_RPC		0x08
#define T_TCPMUX	0x10
#define T_TCPMUXPLUS	0x20

#define F_IPV4		0x01
#define F_IPV6		0x02
#define F_NAMEINARGS	0x04
#define F_NOLIBWRAP	0x08

struct xflag {
	const char	*name;
	unsigned	 bit;
	int		 fail;		/* not carried over: exit status 1 */
	const char	*why;
	int		 key;		/* a superd key set to yes, or -1 */
};

static const struct xflag xflags[] = {
	{ "IPv4", F_IPV4, 0, NULL, -1 },
	{ "IPv6", F_IPV6, 0, NULL, -1 },
	{ "NAMEINARGS", F_NAMEINARGS, 0, NULL, -1 },
	{ "NOLIBWRAP", F_NOLIBWRAP, 0, NULL, -1 },
	{ "REUSE", 0, 0, "superd always sets SO_REUSEADDR (the default): no "
	    "key needed", -1 },
	{ "KEEPALIVE", 0, 0, NULL, K_KEEPALIVE },
	{ "NODELAY", 0, 0, NULL, K_NODELAY },
	{ "INTERCEPT", 0, 1, "superd does not intercept handler traffic", -1 },
	{ "SENSOR", 0, 1, "superd has no sensor (ban on connect) mode", -1 },
	{ "IDONLY", 0, 1, "superd does not query identd", -1 },
	{ "NORETRY", 0, 1, "superd has no fork retry setting", -1 },
	{ "LABELED", 0, 1, "superd has no SELinux labeled networking", -1 },
	{ NULL, 0, 0, NULL, -1 }
};

static const struct xop *get(const struct xblock *, const char *);
static const char *one(const struct xblock *, const char *);
static unsigned	 x_types(struct cv_service *, const struct xblock *);
static unsigned	 x_flags(struct cv_service *, const struct xblock *);
static unsigned	 x_flag(struct cv_service *, const struct xop *,
		    const char *);
static int	 x_socket(struct cv_service *, const struct xblock *);
static void	 x_wait(struct cv_service *, const struct xblock *);
static int	 x_port(struct cv_service *, const struct xblock *,
		    unsigned);
static int	 x_rpc(struct cv_service *, const struct xblock *);
static void	 x_not_rpc(struct cv_service *, const struct xblock *);
static void	 x_address(struct cv_service *, const struct xblock *,
		    unsigned);
static int	 x_internal(struct cv_service *, const struct xblock *);
static int	 x_server(struct cv_service *, const struct xblock *,
		    unsigned);
static int	 x_tcpmux(struct cv_service *, const struct xblock *,
		    unsigned);
static int	 x_redirect(struct cv_service *, const struct xblock *);

static const struct xop *
get(const struct xblock *m, const char *name)
{
	return xblock_find(m, name);
}

/* The first value of an attribute, or NULL. */
static const char *
one(const struct xblock *m, const char *name)
{
	const struct xop	*o = xblock_find(m, name);

	return o != NULL && o->v.n > 0 ? o->v.v[0] : NULL;
}

void
xcore_translate(struct cv_service *s, const struct xblock *m)
{
	unsigned	 types, flags;

	types = x_types(s, m);
	flags = x_flags(s, m);
	if (!(types & T_RPC))
		x_not_rpc(s, m);
	if ((types & T_UNSUPP) || x_socket(s, m) == -1 ||
	    x_tcpmux(s, m, types) == -1 ||
	    (!(types & (T_TCPMUX | T_TCPMUXPLUS)) && x_port(s, m, types) == -1)) {
		s->skip = 1;
		return;
	}
	x_wait(s, m);
	if (!(types & (T_TCPMUX | T_TCPMUXPLUS)))
		x_address(s, m, flags);
	/* Checked by xattr's libwrap handler, which may come before. */
	if (flags & F_NOLIBWRAP)
		svc_set(s, K_LIBWRAP, "no");
	sockopt_fit(s, s->file, s->line);
	if (get(m, "redirect") != NULL) {
		if (x_redirect(s, m) == -1)
			s->skip = 1;
	} else if (types & T_INTERNAL) {
		if (x_internal(s, m) == -1)
			s->skip = 1;
	} else if (x_server(s, m, flags) == -1)
		s->skip = 1;
	else if (types & T_RPC)
		svc_set(s, K_TYPE, "rpc");
}

static unsigned
x_types(struct cv_service *s, const struct xblock *m)
{
	const struct xop	*o = get(m, "type");
	unsigned		 t = 0;
	size_t			 i;

	for (i = 0; o != NULL && i < o->v.n; i++) {
		if (strcmp(o->v.v[i], "INTERNAL") == 0)
			t |= T_INTERNAL;
		else if (strcmp(o->v.v[i], "UNLISTED") == 0)
			t |= T_UNLISTED;
		else if (strcmp(o->v.v[i], "RPC") == 0)
			t |= T_RPC;
		else if (strcmp(o->v.v[i], "TCPMUX") == 0)
			t |= T_TCPMUX;
		else if (strcmp(o->v.v[i], "TCPMUXPLUS") == 0)
			t |= T_TCPMUXPLUS;
		else {
			cv_fail(s, o->file, o->line, "type %s: not an xinetd "
			    "type (INTERNAL, UNLISTED, RPC, TCPMUX, TCPMUXPLUS)",
			    o->v.v[i]);
			t |= T_UNSUPP;
		}
	}
	return t;
}

static unsigned
x_flags(struct cv_service *s, const struct xblock *m)
{
	const struct xop	*o = get(m, "flags");
	unsigned		 f = 0;
	size_t			 i;

	for (i = 0; o != NULL && i < o->v.n; i++)
		f |= x_flag(s, o, o->v.v[i]);
	return f;
}

static unsigned
x_flag(struct cv_service *s, const struct xop *o, const char *name)
{
	const struct xflag	*x;

	for (x = xflags; x->name != NULL; x++)
		if (strcasecmp(x->name, name) == 0)
			break;
	if (x->name == NULL)
		cv_fail(s, o->file, o->line, "unknown flag %s", name);
	else if (x->fail)
		cv_fail(s, o->file, o->line, "flag %s: %s", x->name, x->why);
	else if (x->why != NULL)
		cv_note(s, o->file, o->line, "flag %s: %s", x->name, x->why);
	if (x->name != NULL && x->key >= 0)
		svc_set(s, (enum cv_key)x->key, "yes");
	return x->name != NULL ? x->bit : 0;
}

/* socket_type, and protocol (from the socket type when not given). */
static int
x_socket(struct cv_service *s, const struct xblock *m)
{
	const char	*st = one(m, "socket_type"), *pr = one(m, "protocol");

	if (st == NULL || (strcmp(st, "stream") && strcmp(st, "dgram"))) {
		cv_fail(s, s->file, s->line, "socket_type %s: superd needs "
		    "stream or dgram", st != NULL ? st : "missing");
		return -1;
	}
	if (pr == NULL)
		pr = st[0] == 's' ? "tcp" : "udp";
	if (strcmp(pr, "tcp") && strcmp(pr, "udp")) {
		cv_fail(s, s->file, s->line, "protocol %s: superd supports "
		    "tcp and udp (and unix sockets)", pr);
		return -1;
	}
	svc_set(s, K_SOCKET, st);
	svc_set(s, K_PROTOCOL, pr);
	return 0;
}

static void
x_wait(struct cv_service *s, const struct xblock *m)
{
	const char	*w = one(m, "wait");

	if (w != NULL && (strcmp(w, "yes") == 0 || strcmp(w, "no") == 0)) {
		svc_set(s, K_WAIT, w);
		return;
	}
	cv_fail(s, s->file, s->line, "wait %s: xinetd needs yes or no; "
	    "superd's default applies", w != NULL ? w : "missing");
}

/*
 * type = TCPMUX / TCPMUXPLUS: tcpmux = yes / plus.  xinetd reaches such
 * a service through its tcpmux port only, so it gets no port of its own
 * (xinetd ignores one given).
 */
static int
x_tcpmux(struct cv_service *s, const struct xblock *m, unsigned types)
{
	const struct xop	*o = get(m, "port");

	if (!(types & (T_TCPMUX | T_TCPMUXPLUS)))
		return 0;
	if (strcmp(s->key[K_PROTOCOL], "tcp") != 0) {
		cv_fail(s, s->file, s->line, "type TCPMUX needs protocol tcp");
		return -1;
	}
	svc_set(s, K_TCPMUX, (types & T_TCPMUXPLUS) ? "plus" : "yes");
	if (o != NULL)
		cv_note(s, o->file, o->line, "port %s left out: a TCPMUX "
		    "service is reached through the tcpmux port only",
		    o->v.n > 0 ? o->v.v[0] : "");
	return 0;
}

/* redirect = HOST PORT: superd forwards the connection itself. */
static int
x_redirect(struct cv_service *s, const struct xblock *m)
{
	const struct xop	*o = get(m, "redirect");
	char			 buf[512];

	if (o->v.n != 2 || strcmp(s->key[K_PROTOCOL], "tcp") != 0) {
		cv_fail(s, o->file, o->line, "redirect needs \"HOST PORT\" "
		    "on a tcp service");
		return -1;
	}
	if (get(m, "server") != NULL)
		cv_note(s, o->file, o->line, "server left out: xinetd runs "
		    "none for a redirect");
	snprintf(buf, sizeof(buf), "%s %s", o->v.v[0], o->v.v[1]);
	svc_set(s, K_TYPE, NULL);
	svc_set(s, K_WAIT, NULL);
	svc_set(s, K_REDIRECT, buf);
	return 0;
}

/* port: given, or the service name looked up in /etc/services. */
static int
x_port(struct cv_service *s, const struct xblock *m, unsigned types)
{
	const char	*p = one(m, "port");

	if (types & T_RPC)
		return x_rpc(s, m);
	if (p == NULL && (types & T_UNLISTED)) {
		cv_fail(s, s->file, s->line, "type UNLISTED without port");
		return -1;
	}
	svc_set(s, K_PORT, p != NULL ? p : s->name);
	return 0;
}

/*
 * type = RPC: rpcbind gives the port.  xinetd takes the program number
 * from rpc_number, else the service's name from /etc/rpc; rpc_version is
 * required.  The name is kept as it is: superd looks it up when it loads.
 */
static int
x_rpc(struct cv_service *s, const struct xblock *m)
{
	const char		*num = one(m, "rpc_number");
	const struct xop	*vers = get(m, "rpc_version"), *p = get(m, "port");
	unsigned long		 lo, hi;
	char			 err[128];

	if (vers == NULL || vers->v.n == 0) {
		cv_fail(s, s->file, s->line, "type RPC without rpc_version");
		return -1;
	}
	if (rpcparse_versions(vers->v.v[0], &lo, &hi, err, sizeof(err)) ==
	    -1) {
		cv_fail(s, vers->file, vers->line, "rpc_version %s", err);
		return -1;
	}
	if (p != NULL && p->v.n > 0)
		cv_note(s, p->file, p->line, "port %s: an RPC service gets a "
		    "dynamic port registered with rpcbind; dropped", p->v.v[0]);
	svc_set(s, K_RPC_PROGRAM, num != NULL ? num : s->name);
	svc_set(s, K_RPC_VERSIONS, vers->v.v[0]);
	return 0;
}

/* rpc_number or rpc_version without type = RPC: xinetd ignores them. */
static void
x_not_rpc(struct cv_service *s, const struct xblock *m)
{
	static const char *const keys[] = { "rpc_number", "rpc_version" };
	const struct xop	*o;
	size_t			 i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if ((o = get(m, keys[i])) != NULL)
			cv_note(s, o->file, o->line, "%s without type = RPC: "
			    "ignored, as xinetd does", keys[i]);
}

/*
 * bind/interface, else the address family.  Debian 12's xinetd
 * (2.3.15.3) listens on one IPv6 socket that takes IPv4 too unless flags
 * has IPv4, or v6only = yes: superd's "*" is that socket.
 */
static void
x_address(struct cv_service *s, const struct xblock *m, unsigned flags)
{
	const char	*bind = one(m, "bind"), *v6only = one(m, "v6only");
	int		 only = v6only != NULL && strcmp(v6only, "yes") == 0;

	if (bind == NULL)
		bind = one(m, "interface");
	if (bind != NULL)
		svc_set(s, K_ADDRESS, bind);
	else if ((flags & F_IPV4) && !(flags & F_IPV6))
		svc_set(s, K_ADDRESS, "0.0.0.0");
	else
		svc_set(s, K_ADDRESS, only ? "::" : "*");
	if (only && strchr(s->key[K_ADDRESS], ':') != NULL)
		svc_set(s, K_V6ONLY, "yes");
}

/* type = INTERNAL: the builtin is named by id ("echo-stream") or name. */
static int
x_internal(struct cv_service *s, const struct xblock *m)
{
	const char	*id = one(m, "id");
	char		*name, *dash;

	name = xstrdup(id != NULL ? id : s->name);
	if ((dash = strrchr(name, '-')) != NULL &&
	    (strcmp(dash, "-stream") == 0 || strcmp(dash, "-dgram") == 0))
		*dash = '\0';
	/* A builtin runs inside superd: wait has no meaning. */
	svc_set(s, K_WAIT, NULL);
	svc_set(s, K_TYPE, "builtin");
	svc_set(s, K_SERVER, name);
	if (!builtin_known(name)) {
		cv_fail(s, s->file, s->line, "internal service \"%s\" is not "
		    "built into superd (echo, discard, daytime, time, "
		    "chargen, tcpmux)", name);
		free(name);
		return -1;
	}
	free(name);
	return 0;
}

/* server and server_args; NAMEINARGS puts argv[0] first in the args. */
static int
x_server(struct cv_service *s, const struct xblock *m, unsigned flags)
{
	const char		*server = one(m, "server");
	const struct xop	*a = get(m, "server_args");
	size_t			 i = 0;

	if (server == NULL || server[0] != '/') {
		cv_fail(s, s->file, s->line, "server %s: superd needs an "
		    "absolute path", server != NULL ? server : "missing");
		return -1;
	}
	svc_set(s, K_TYPE, "exec");
	svc_set(s, K_SERVER, server);
	if ((flags & F_NAMEINARGS) && a != NULL && a->v.n > 0) {
		if (strcmp(a->v.v[0], base_name(server)) != 0)
			svc_set(s, K_ARGV0, a->v.v[0]);
		i = 1;
	}
	for (; a != NULL && i < a->v.n; i++)
		strlist_add(&s->list[L_ARGS], a->v.v[i]);
	return 0;
}
