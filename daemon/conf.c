/*
 * conf.c: read superd.conf with libconfuse into plain structs.
 *
 * The only file that includes <confuse.h>.  Parsing collects every error
 * (never just the first) as "file:line: service "name": key ...", and a
 * config is either wholly valid or not used at all.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <confuse.h>

#include "builtin.h"
#include "cgroup.h"
#include "clock.h"
#include "conf.h"
#include "conf_parse.h"
#include "capcheck.h"
#include "sockopt.h"
#include "sockperm.h"
#include "tcpwrap.h"
#include "log.h"
#include "resolve.h"
#include "rpcparse.h"
#include "rundir.h"
#include "sandbox.h"
#include "svcindex.h"

/* Where each key was written, so late checks can name the line. */
struct keyline {
	cfg_t		*sec;
	const char	*key;
	int		 line;
};

/*
 * Thousands of services usually run as one user: looking it up (and its
 * groups) once per load instead of once per service saves the passwd and
 * group files being read for each.  No allocation: too long, not cached.
 */
struct id_cache {
	int		 user_ok;
	char		 user[64], pw_name[64];
	uid_t		 uid;
	gid_t		 gid;
	int		 groups_ok;	/* for pw_name and gid */
	gid_t		 groups_gid;
	int		 ngroups;
	gid_t		 groups[64];
	int		 self_ok;	/* our own user name */
	char		 self[64];
};

struct parse_ctx {
	const char	*conf_cgroup_root;	/* resolved, for the services */
	FILE		*errs;
	int		 nerrors;
	int		 nomem;		/* allocations failed, not yet said */
	struct keyline	*lines;
	size_t		 nlines, maxlines;
	/* only-from / no-access host names looked up so far this load. */
	struct resolve_result *names;
	size_t		 nnames;
	unsigned	 resolve_ms;	/* spent on lookups this load */
	/* The services kept so far, by name and by endpoint (or NULL). */
	struct svcindex	*by_name, *by_endpoint;
	struct id_cache	 id;		/* the last user looked up */
	struct sockopt_host host;	/* for socket options, read once */
	int		 host_read;
};

/* The parse in progress; libconfuse callbacks take no user pointer. */
static struct parse_ctx	*cur;

static void	cfg_track_globals(cfg_t *);
static void	strv_free(char **);
static void	conf_inetd_compat(struct superd_conf *, cfg_t *);
static void	conf_metrics(struct superd_conf *, cfg_t *);
static void	acl_resolve(char **, size_t);
static const struct resolve_result *name_cached(const char *);

/* One service being built: its section and the defaults section. */
struct svc_ctx {
	cfg_t			*sec;
	cfg_t			*dflt;
	const char		*file;
	struct service_conf	*sc;
};

/*
 * Resource control and sandbox keys (cgroup.c, sandbox.c): exec services
 * only; RESCTL_KEYS lets the check name any one a builtin sets.
 */
#define RESCTL_KEYS(X)							\
	X(BOOL,	"cgroup-per-request")					\
	X(STR,	"memory-max")						\
	X(STR,	"memory-high")						\
	X(STR,	"pids-max")						\
	X(INT,	"cpu-weight")						\
	X(STR,	"cpu-max")						\
	X(INT,	"io-weight")						\
	X(BOOL,	"private-tmp")						\
	X(BOOL,	"private-network")					\
	X(STR,	"protect-system")					\
	X(BOOL,	"protect-home")						\
	X(LIST,	"read-only-paths")					\
	X(LIST,	"inaccessible-paths")					\
	X(STR,	"capabilities")						\
	X(STR,	"ambient-capabilities")					\
	X(STR,	"system-call-filter")

/*
 * Socket options (sockopt.c has how each is set): the same names as
 * sockopt.c's table, which svc_sockopts walks.
 */
#define SOCKOPT_KEYS(X)							\
	X(BOOL,	"keepalive")						\
	X(INT,	"keepalive-idle")					\
	X(INT,	"keepalive-interval")					\
	X(INT,	"keepalive-count")					\
	X(BOOL,	"nodelay")						\
	X(BOOL,	"reuse-port")						\
	X(BOOL,	"freebind")						\
	X(BOOL,	"transparent")						\
	X(INT,	"defer-accept")						\
	X(INT,	"mark")							\
	X(STR,	"bind-to-device")					\
	X(STR,	"ip-tos")						\
	X(INT,	"priority")						\
	X(STR,	"tcp-congestion")					\
	X(STR,	"receive-buffer")					\
	X(STR,	"send-buffer")						\
	X(BOOL,	"pass-credentials")					\
	X(BOOL,	"pass-packet-info")

/*
 * The keys, each spelled once.  The libconfuse options and the key lists
 * are generated from these two tables, so a new key is one line here (and
 * its entry in superd.conf(5): tests/integration/man.sh reads the tables).
 *
 * SERVICE_KEYS: a service or defaults section.  X(TYPE, "key") with TYPE
 * STR, BOOL, INT or LIST (of strings).  No libconfuse defaults: a key the
 * section leaves out falls back to the defaults section, then to the
 * svc_* code, so every option is CFGF_NODEFAULT.
 */
#define SERVICE_KEYS(X)							\
	X(STR,	"name")							\
	X(STR,	"type")							\
	X(STR,	"socket")						\
	X(STR,	"protocol")						\
	X(STR,	"address")						\
	X(STR,	"port")							\
	X(STR,	"rpc-program")						\
	X(STR,	"rpc-versions")						\
	X(BOOL,	"wait")							\
	X(STR,	"user")							\
	X(STR,	"group")						\
	X(STR,	"server")						\
	X(STR,	"argv0")						\
	X(LIST,	"args")							\
	X(LIST,	"env")							\
	X(BOOL,	"env-inherit")						\
	X(LIST,	"env-pass")						\
	X(BOOL,	"disable")						\
	X(INT,	"instances")						\
	X(INT,	"backlog")						\
	X(BOOL,	"v6only")						\
	X(STR,	"socket-mode")						\
	X(STR,	"socket-owner")						\
	X(STR,	"socket-group")						\
	X(STR,	"stderr")						\
	X(INT,	"threads")						\
	X(LIST,	"only-from")						\
	X(LIST,	"no-access")						\
	X(LIST,	"allow-uids")						\
	X(LIST,	"allow-groups")						\
	X(INT,	"per-source")						\
	X(STR,	"per-source-prefix")					\
	X(STR,	"rate")							\
	X(STR,	"per-source-rate")					\
	X(STR,	"max-load")						\
	X(STR,	"banner")						\
	X(STR,	"banner-success")					\
	X(STR,	"banner-fail")						\
	X(STR,	"chroot")						\
	X(STR,	"umask")						\
	X(INT,	"nice")							\
	X(STR,	"rlimit-cpu")						\
	X(STR,	"rlimit-as")						\
	X(STR,	"rlimit-nofile")					\
	X(STR,	"rlimit-nproc")						\
	X(STR,	"rlimit-fsize")						\
	X(STR,	"rlimit-core")						\
	X(BOOL,	"no-new-privileges")					\
	X(INT,	"timeout")						\
	X(INT,	"kill-grace")						\
	X(INT,	"oob-port")						\
	X(STR,	"urgent")						\
	X(STR,	"urgent-signal")					\
	X(STR,	"pass-fds")						\
	X(STR,	"udp-low-ports")					\
	X(BOOL,	"libwrap")						\
	X(STR,	"tcpmux")						\
	X(STR,	"redirect")						\
	X(BOOL,	"socket-path-check")					\
	RESCTL_KEYS(X)							\
	SOCKOPT_KEYS(X)							\
	X(BOOL,	"export")

/*
 * GLOBAL_KEYS: the top level of the main file.  X(TYPE, "key", ARG, IN):
 * ARG is the default (for SEC: the section flags, for FUNC: the
 * function); IN is MAIN, or DROPIN for what an include-dir file may
 * hold as well.
 */
#define GLOBAL_KEYS(X)							\
	X(FUNC,	"include",		cfg_include,	DROPIN)		\
	X(STR,	"include-dir",		NULL,		MAIN)		\
	X(STR,	"log-level",		"info",		MAIN)		\
	X(INT,	"max-children",		1024,		MAIN)		\
	X(STR,	"on-exit",		"keep",		MAIN)		\
	X(INT,	"shutdown-grace",	10,		MAIN)		\
	X(STR,	"pidfile",		NULL,		MAIN)		\
	X(STR,	"control-socket",	NULL,		MAIN)		\
	X(STR,	"control-group",	NULL,		MAIN)		\
	X(STR,	"directory-socket",	NULL,		MAIN)		\
	X(INT,	"directory-ttl-min",	1,		MAIN)		\
	X(INT,	"directory-ttl-max",	86400,		MAIN)		\
	X(INT,	"directory-max-entries", 4096,		MAIN)		\
	X(INT,	"directory-max-per-uid", 64,		MAIN)		\
	X(STR,	"directory-listen",	NULL,		MAIN)		\
	X(LIST,	"directory-export",	NULL,		MAIN)		\
	X(LIST,	"etcd-endpoints",	NULL,		MAIN)		\
	X(STR,	"etcd-prefix",		ETCD_PREFIX_DEFAULT, MAIN)	\
	X(INT,	"etcd-ttl",		10,		MAIN)		\
	X(STR,	"etcd-ca",		NULL,		MAIN)		\
	X(STR,	"etcd-cert",		NULL,		MAIN)		\
	X(STR,	"etcd-key",		NULL,		MAIN)		\
	X(STR,	"etcd-user",		NULL,		MAIN)		\
	X(STR,	"etcd-password-file",	NULL,		MAIN)		\
	X(STR,	"host-name",		NULL,		MAIN)		\
	X(LIST,	"advertise-address",	NULL,		MAIN)		\
	X(LIST,	"directory-allow",	NULL,		MAIN)		\
	X(INT,	"line-timeout",		10,		MAIN)		\
	X(INT,	"oob-line-timeout",	5,		MAIN)		\
	X(INT,	"line-idle-timeout",	60,		MAIN)		\
	X(INT,	"line-max-conns",	64,		MAIN)		\
	X(INT,	"line-max-per-peer",	8,		MAIN)		\
	X(INT,	"line-root-reserve",	4,		MAIN)		\
	X(STR,	"inetd-compat",		NULL,		MAIN)		\
	X(STR,	"cgroup-root",		NULL,		MAIN)		\
	X(STR,	"metrics-listen",	NULL,		MAIN)		\
	X(LIST,	"metrics-allow",	NULL,		MAIN)		\
	X(SEC,	"defaults",		CFGF_NONE,	MAIN)		\
	X(SEC,	"service",						\
	    CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES,	DROPIN)

/* From SERVICE_KEYS: libconfuse options and the names (to track lines). */
#define SVC_OPT_STR(k)		CFG_STR(k, NULL, CFGF_NODEFAULT)
#define SVC_OPT_BOOL(k)		CFG_BOOL(k, cfg_false, CFGF_NODEFAULT)
#define SVC_OPT_INT(k)		CFG_INT(k, 0, CFGF_NODEFAULT)
#define SVC_OPT_LIST(k)		CFG_STR_LIST(k, NULL, CFGF_NODEFAULT)
#define SVC_OPT(t, k)		SVC_OPT_##t(k),
#define SVC_NAME(t, k)		k,

static cfg_opt_t service_opts[] = { SERVICE_KEYS(SVC_OPT) CFG_END() };
static const char *const service_keys[] = { SERVICE_KEYS(SVC_NAME) NULL };
static const char *const resctl_keys[] = { RESCTL_KEYS(SVC_NAME) NULL };

/* From GLOBAL_KEYS: the main file's options, a drop-in's, the values. */
#define GLOBAL_OPT_FUNC(k, a)	CFG_FUNC(k, a)
#define GLOBAL_OPT_STR(k, a)	CFG_STR(k, a, CFGF_NONE)
#define GLOBAL_OPT_INT(k, a)	CFG_INT(k, a, CFGF_NONE)
#define GLOBAL_OPT_LIST(k, a)	CFG_STR_LIST(k, a, CFGF_NONE)
#define GLOBAL_OPT_SEC(k, a)	CFG_SEC(k, service_opts, a)
#define GLOBAL_OPT(t, k, a, in)	GLOBAL_OPT_##t(k, a),
#define IN_DROPIN(opt)		opt,
#define IN_MAIN(opt)
#define DROPIN_OPT(t, k, a, in)	IN_##in(GLOBAL_OPT_##t(k, a))
#define VALUE_FUNC(k)
#define VALUE_SEC(k)
#define VALUE_STR(k)		k,
#define VALUE_INT(k)		k,
#define VALUE_LIST(k)		k,
#define GLOBAL_VALUE(t, k, a, in) VALUE_##t(k)

static cfg_opt_t main_opts[] = { GLOBAL_KEYS(GLOBAL_OPT) CFG_END() };
static cfg_opt_t dropin_opts[] = { GLOBAL_KEYS(DROPIN_OPT) CFG_END() };
/* The global keys that hold a value (not include, not sections). */
static const char *const global_values[] = { GLOBAL_KEYS(GLOBAL_VALUE) NULL };


/* Write one message: "file:line: service "name": message". */
static void
conf_say(const char *file, int line, const char *svc, const char *msg)
{
	if (cur->errs == NULL)
		return;
	if (line > 0)
		fprintf(cur->errs, "%s:%d: ", file ? file : "?", line);
	else
		fprintf(cur->errs, "%s: ", file ? file : "?");
	if (svc != NULL)
		fprintf(cur->errs, "service \"%s\": ", svc);
	fprintf(cur->errs, "%s\n", msg);
}

/* Report one error: the config will not be used. */
static void LOG_ATTR(4, 5)
conf_error(const char *file, int line, const char *svc, const char *fmt, ...)
{
	char	msg[1024];
	va_list	ap;

	cur->nerrors++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	conf_say(file, line, svc, msg);
}

/*
 * Allocation failures.  conf_load runs again on every reload, so running
 * out of memory must refuse the new config, never end the daemon: the
 * x*() helpers count the failure here and return NULL, their callers
 * carry on with what they have, and nomem_report() turns the count into
 * one "out of memory" error where the failure happened.
 */
static void
nomem(void)
{
	cur->nomem++;
}

static void
nomem_report(const char *file, int line, const char *svc)
{
	if (cur->nomem == 0)
		return;
	cur->nomem = 0;
	conf_error(file, line, svc, "out of memory");
}

static void *
xcalloc(size_t n, size_t size)
{
	void	*p;

	if ((p = calloc(n, size)) == NULL)
		nomem();
	return p;
}

/* strdup; NULL stays NULL. */
static char *
xstrdup(const char *s)
{
	char	*p;

	if (s == NULL)
		return NULL;
	if ((p = strdup(s)) == NULL)
		nomem();
	return p;
}

/* libconfuse's own errors: syntax, unknown keys, bad numbers. */
static void
confuse_errfunc(cfg_t *cfg, const char *fmt, va_list ap)
{
	char	msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (cfg != NULL && cfg->title != NULL)
		conf_error(cfg->filename, cfg->line, cfg->title, "%s", msg);
	else
		conf_error(cfg ? cfg->filename : NULL, cfg ? cfg->line : 0,
		    NULL, "%s", msg);
}

/* Validate callback on every service key: remember its line. */
static int
record_line(cfg_t *cfg, cfg_opt_t *opt)
{
	struct keyline	*kl;

	if (cur->nlines == cur->maxlines) {
		size_t n = cur->maxlines ? cur->maxlines * 2 : 64;
		kl = reallocarray(cur->lines, n, sizeof(*kl));
		if (kl == NULL) {
			conf_error(cfg->filename, cfg->line, cfg->title,
			    "out of memory");
			return 0;
		}
		cur->lines = kl;
		cur->maxlines = n;
	}
	kl = &cur->lines[cur->nlines++];
	kl->sec = cfg;
	kl->key = opt->name;
	kl->line = cfg->line;
	return 0;
}

/* Line of key in section sec, or 0. */
static int
key_line(cfg_t *sec, const char *key)
{
	size_t	i;

	for (i = cur->nlines; i > 0; i--)
		if (cur->lines[i - 1].sec == sec &&
		    strcmp(cur->lines[i - 1].key, key) == 0)
			return cur->lines[i - 1].line;
	return 0;
}

/* The section (service, else defaults) that sets key, or NULL. */
static cfg_t *
key_sec(const struct svc_ctx *s, const char *key)
{
	if (cfg_size(s->sec, key) > 0)
		return s->sec;
	if (s->dflt != NULL && cfg_size(s->dflt, key) > 0)
		return s->dflt;
	return NULL;
}

/* Say msg about key of the service being built, where key is written. */
static void
svc_say(const struct svc_ctx *s, const char *key, const char *msg)
{
	cfg_t	*sec = key ? key_sec(s, key) : NULL;
	int	 line = sec ? key_line(sec, key) : 0;

	if (line == 0)
		line = s->sec->line;
	/* The defaults section is made before any file: it has no name. */
	conf_say(sec && sec->filename ? sec->filename : s->file, line,
	    s->sc->name, msg);
}

/* Report an error about key of the service being built. */
static void LOG_ATTR(3, 4)
svc_error(const struct svc_ctx *s, const char *key, const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	cur->nerrors++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	svc_say(s, key, msg);
}

/* A notice about key: said with the errors, but the config stays good. */
static void LOG_ATTR(3, 4)
svc_notice(const struct svc_ctx *s, const char *key, const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	svc_say(s, key, msg);
}

static const char *
kstr(const struct svc_ctx *s, const char *key)
{
	cfg_t	*sec = key_sec(s, key);

	return sec ? cfg_getstr(sec, key) : NULL;
}

static int
kbool(const struct svc_ctx *s, const char *key, int dflt)
{
	cfg_t	*sec = key_sec(s, key);

	return sec ? cfg_getbool(sec, key) == cfg_true : dflt;
}

static long
kint(const struct svc_ctx *s, const char *key, long dflt)
{
	cfg_t	*sec = key_sec(s, key);

	return sec ? cfg_getint(sec, key) : dflt;
}

/* An integer key in [min, max]. */
static long
kint_range(const struct svc_ctx *s, const char *key, long dflt, long min,
    long max)
{
	long	v = kint(s, key, dflt);

	if (v < min || v > max) {
		svc_error(s, key, "%s %ld out of range (%ld-%ld)", key, v,
		    min, max);
		return dflt;
	}
	return v;
}

/*
 * Copy a list key into a NULL-terminated vector, first (when not NULL)
 * in front.  NULL when out of memory: a vector is whole or not at all.
 */
static char **
klist(const struct svc_ctx *s, const char *key, const char *first,
    size_t *np)
{
	cfg_t	*sec = key_sec(s, key);
	size_t	 i, skip = first != NULL, n = sec ? cfg_size(sec, key) : 0;
	char	**v;

	if (np != NULL)
		*np = 0;
	if ((v = xcalloc(n + skip + 1, sizeof(*v))) == NULL)
		return NULL;
	if (first != NULL && (v[0] = xstrdup(first)) == NULL) {
		free(v);
		return NULL;
	}
	for (i = 0; i < n; i++)
		if ((v[skip + i] = xstrdup(cfg_getnstr(sec, key,
		    (unsigned)i))) == NULL) {
			strv_free(v);
			return NULL;
		}
	if (np != NULL)
		*np = n;
	return v;
}

static const char *
enum_value(const struct svc_ctx *s, const char *key, const char *dflt,
    const char *const *allowed)
{
	const char	*v = kstr(s, key);
	char		 list[128];
	size_t		 i;

	if (v == NULL)
		return dflt;
	for (i = 0; allowed[i] != NULL; i++)
		if (strcmp(v, allowed[i]) == 0)
			return allowed[i];
	list[0] = '\0';
	for (i = 0; allowed[i] != NULL; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
		    "%s%s", i ? ", " : "", allowed[i]);
	svc_error(s, key, "%s \"%s\" is not one of: %s", key, v, list);
	return dflt;
}

/*
 * tcpmux = no | yes | plus: the service may be asked for by name on the
 * tcpmux port (tcpmux.c).  Only a TCP connection superd accepts can be
 * handed on, and its name must be one a client can type.
 */
static void
svc_tcpmux(struct svc_ctx *s)
{
	static const char *const modes[] = { "no", "yes", "plus", NULL };
	struct service_conf	*sc = s->sc;
	const char		*v = enum_value(s, "tcpmux", "no", modes);
	char			 err[CONF_ERRLEN];

	sc->tcpmux = strcmp(v, "plus") == 0 ? TCPMUX_PLUS :
	    strcmp(v, "yes") == 0 ? TCPMUX_YES : TCPMUX_NO;
	if (sc->tcpmux == TCPMUX_NO)
		return;
	if (sc->proto != PROTO_TCP || sc->wait)
		svc_error(s, "tcpmux", "tcpmux = %s needs a tcp service with "
		    "wait = no (the connection is handed to it)", v);
	else if (parse_tcpmux_name(sc->name, err) == -1)
		svc_error(s, "tcpmux", "tcpmux = %s: the name %s", v, err);
}

/* type, protocol, socket and wait, with the inetd-style defaults. */
static void
svc_kind(struct svc_ctx *s)
{
	static const char *const types[] = { "exec", "builtin", "rpc", NULL };
	static const char *const protos[] = { "tcp", "udp", "unix", NULL };
	static const char *const socks[] = { "stream", "dgram", NULL };
	struct service_conf	*sc = s->sc;
	const char		*p, *k;
	const char		*t = enum_value(s, "type", "exec", types);

	sc->type = strcmp(t, "builtin") ? SVC_EXEC : SVC_BUILTIN;
	sc->rpc = strcmp(t, "rpc") == 0;
	k = enum_value(s, "socket", NULL, socks);
	p = enum_value(s, "protocol", k && strcmp(k, "dgram") == 0 ?
	    "udp" : "tcp", protos);
	sc->proto = strcmp(p, "tcp") == 0 ? PROTO_TCP :
	    strcmp(p, "udp") == 0 ? PROTO_UDP : PROTO_UNIX;
	if (k == NULL)
		k = sc->proto == PROTO_UDP ? "dgram" : "stream";
	sc->socktype = strcmp(k, "dgram") == 0 ? SOCK_DGRAM : SOCK_STREAM;
	if ((sc->proto == PROTO_TCP && sc->socktype != SOCK_STREAM) ||
	    (sc->proto == PROTO_UDP && sc->socktype != SOCK_DGRAM))
		svc_error(s, "socket", "socket = %s does not go with "
		    "protocol = %s", k, p);
	sc->wait = kbool(s, "wait", sc->socktype == SOCK_DGRAM &&
	    sc->type == SVC_EXEC);
	sc->disable = kbool(s, "disable", 0);
	svc_tcpmux(s);
}

/*
 * type = rpc: rpc-program (number or /etc/rpc name) and rpc-versions,
 * on tcp or udp.  Without libtirpc superd cannot talk to rpcbind, and a
 * service nobody can find is refused rather than started.
 */
static void
svc_rpc(struct svc_ctx *s)
{
	struct service_conf	*sc = s->sc;
	const char		*prog = kstr(s, "rpc-program");
	const char		*vers = kstr(s, "rpc-versions");
	char			 err[CONF_ERRLEN];

	if (!sc->rpc) {
		if (prog != NULL || vers != NULL)
			svc_error(s, prog != NULL ? "rpc-program" :
			    "rpc-versions", "%s is only for type = rpc",
			    prog != NULL ? "rpc-program" : "rpc-versions");
		return;
	}
#ifndef HAVE_TIRPC
	svc_error(s, "type", "type = rpc: superd was built without libtirpc "
	    "(configure --with-tirpc) and cannot register with rpcbind");
#endif
	if (sc->proto == PROTO_UNIX)
		svc_error(s, "protocol", "an rpc service is on tcp or udp");
	if (prog == NULL)
		svc_error(s, NULL, "rpc-program: missing (a number or a name "
		    "from /etc/rpc)");
	else if (rpcparse_program(prog, &sc->rpc_prog, err, sizeof(err)) == -1)
		svc_error(s, "rpc-program", "rpc-program %s", err);
	if (vers == NULL)
		svc_error(s, NULL, "rpc-versions: missing (N or LOW-HIGH)");
	else if (rpcparse_versions(vers, &sc->rpc_vlo, &sc->rpc_vhi, err,
	    sizeof(err)) == -1)
		svc_error(s, "rpc-versions", "rpc-versions %s", err);
}

/* address and port, resolved once. */
static void
svc_endpoint(struct svc_ctx *s)
{
	struct service_conf	*sc = s->sc;
	const char		*addr = kstr(s, "address");
	const char		*port = kstr(s, "port");
	char			 err[CONF_ERRLEN];

	sc->v6only = kbool(s, "v6only", 0);
	if (sc->proto == PROTO_UNIX) {
		if (addr == NULL)
			svc_error(s, NULL, "address: a unix service needs "
			    "address = \"/path/to/socket\"");
		else if (parse_unix_path(addr, sc, err) == -1)
			svc_error(s, "address", "%s", err);
		if (port != NULL)
			svc_error(s, "port", "port makes no sense for a unix "
			    "socket");
		sc->address = xstrdup(addr);
		sc->port = -1;
		return;
	}
	if ((sc->address = xstrdup(addr ? addr : "*")) == NULL)
		return;
	if (port == NULL && sc->rpc)
		port = "0";	/* rpcbind tells clients where it is */
	if (port == NULL && sc->tcpmux != TCPMUX_NO) {
		/* Reached through tcpmux only: no socket of its own. */
		sc->no_listener = 1;
		sc->port = -1;
		if (addr != NULL)
			svc_error(s, "address", "address without port: a "
			    "tcpmux service without a port has no socket of "
			    "its own");
		return;
	}
	if (port == NULL) {
		svc_error(s, NULL, "port: missing (a number, a name from "
		    "/etc/services, or 0 for a dynamic port)");
		return;
	}
	if (parse_port(port, conf_proto_name(sc->proto), &sc->port, err) == -1)
		svc_error(s, "port", "%s", err);
	else if (parse_inet_address(sc->address, sc->port, sc->v6only, sc,
	    err) == -1)
		svc_error(s, "address", "%s", err);
}

/* A user name or number to a passwd entry (resolved at load). */
static struct passwd *
lookup_user(const char *name)
{
	struct passwd	*pw;
	char		*end;
	unsigned long	 n;

	if ((pw = getpwnam(name)) != NULL)
		return pw;
	n = strtoul(name, &end, 10);
	if (*name != '\0' && *end == '\0')
		return getpwuid((uid_t)n);
	return NULL;
}

static int
lookup_group(const char *name, gid_t *gid)
{
	struct group	*gr;
	char		*end;
	unsigned long	 n;

	if ((gr = getgrnam(name)) != NULL) {
		*gid = gr->gr_gid;
		return 0;
	}
	n = strtoul(name, &end, 10);
	if (*name == '\0' || *end != '\0')
		return -1;
	*gid = (gid_t)n;
	return 0;
}

/* Supplementary groups of the user, as initgroups(3) would set them. */
static void
svc_groups(struct service_conf *sc, const char *user)
{
	struct id_cache	*c = &cur->id;
	int		 n = 32;

	if (c->groups_ok && c->groups_gid == sc->gid &&
	    strcmp(c->pw_name, user) == 0) {
		free(sc->groups);
		sc->ngroups = 0;
		if ((sc->groups = xcalloc((size_t)c->ngroups + 1,
		    sizeof(gid_t))) == NULL)
			return;
		memcpy(sc->groups, c->groups, (size_t)c->ngroups *
		    sizeof(gid_t));
		sc->ngroups = c->ngroups;
		return;
	}
	for (;;) {
		free(sc->groups);
		if ((sc->groups = xcalloc((size_t)n, sizeof(gid_t))) == NULL) {
			sc->ngroups = 0;
			return;
		}
		sc->ngroups = n;
		if (getgrouplist(user, sc->gid, sc->groups, &sc->ngroups) != -1)
			break;
		if (sc->ngroups <= n)
			n *= 2;
		else
			n = sc->ngroups;
	}
	c->groups_ok = sc->ngroups <= 64 && strlen(user) < sizeof(c->pw_name) &&
	    strcmp(c->pw_name, user) == 0;
	if (c->groups_ok) {
		c->groups_gid = sc->gid;
		c->ngroups = sc->ngroups;
		memcpy(c->groups, sc->groups, (size_t)sc->ngroups *
		    sizeof(gid_t));
	}
}

/* Our own user name (the default user), looked up once per load. */
static const char *
self_name(uid_t uid)
{
	struct id_cache	*c = &cur->id;
	struct passwd	*pw;

	if (c->self_ok)
		return c->self;
	if ((pw = getpwuid(uid)) == NULL)
		return NULL;
	if (strlen(pw->pw_name) < sizeof(c->self)) {
		snprintf(c->self, sizeof(c->self), "%s", pw->pw_name);
		c->self_ok = 1;
		return c->self;
	}
	return pw->pw_name;
}

/* uid, gid and passwd name of user (cached); 0, or -1 if none. */
static int
user_ids(const char *user, uid_t *uid, gid_t *gid, const char **pw_name)
{
	struct id_cache	*c = &cur->id;
	struct passwd	*pw;

	if (c->user_ok && strcmp(c->user, user) == 0) {
		*uid = c->uid;
		*gid = c->gid;
		*pw_name = c->pw_name;
		return 0;
	}
	if ((pw = lookup_user(user)) == NULL)
		return -1;
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	*pw_name = pw->pw_name;
	c->user_ok = 0;
	c->groups_ok = 0;
	if (strlen(user) >= sizeof(c->user) ||
	    strlen(pw->pw_name) >= sizeof(c->pw_name))
		return 0;
	snprintf(c->user, sizeof(c->user), "%s", user);
	snprintf(c->pw_name, sizeof(c->pw_name), "%s", pw->pw_name);
	c->uid = pw->pw_uid;
	c->gid = pw->pw_gid;
	c->user_ok = 1;
	*pw_name = c->pw_name;
	return 0;
}

/* user and group: who the handler runs as. */
static void
svc_identity(struct svc_ctx *s)
{
	struct service_conf	*sc = s->sc;
	const char		*user = kstr(s, "user");
	const char		*group = kstr(s, "group");
	uid_t			 uid;
	gid_t			 gid;
	const char		*pw_name;

	sc->uid = geteuid();
	sc->gid = getegid();
	sc->switch_user = geteuid() == 0;
	if (user == NULL)
		user = self_name(sc->uid);
	if (user == NULL)
		return;
	sc->user = xstrdup(user);
	if (user_ids(user, &uid, &gid, &pw_name) == -1) {
		svc_error(s, "user", "user \"%s\" does not exist", user);
		return;
	}
	if (!sc->switch_user && uid != sc->uid)
		svc_error(s, "user", "superd runs as uid %u and cannot switch "
		    "to user \"%s\"", (unsigned)sc->uid, user);
	sc->uid = uid;
	sc->gid = gid;
	if (group != NULL) {
		sc->group = xstrdup(group);
		if (lookup_group(group, &sc->gid) == -1)
			svc_error(s, "group", "group \"%s\" does not exist",
			    group);
		else if (!sc->switch_user && sc->gid != getegid())
			svc_error(s, "group", "superd runs as gid %u and "
			    "cannot switch to group \"%s\"",
			    (unsigned)getegid(), group);
	}
	if (sc->switch_user)
		svc_groups(sc, pw_name);
}

/*
 * The server must be executable where the handler will look for it:
 * inside the chroot when there is one (checked as superd, which may see
 * more than the handler's user will).
 */
static void
svc_server_runnable(struct svc_ctx *s, const char *server, const char *root)
{
	char	path[PATH_MAX];

	if (root != NULL && root[0] == '/') {
		if ((size_t)snprintf(path, sizeof(path), "%s%s",
		    strcmp(root, "/") == 0 ? "" : root, server) >= sizeof(path)) {
			svc_error(s, "server", "server %s: path too long inside "
			    "chroot %s", server, root);
			return;
		}
		if (access(path, X_OK) == -1)
			svc_error(s, "server", "server %s: %s inside chroot "
			    "%s (%s)", server, strerror(errno), root, path);
		return;
	}
	if (access(server, X_OK) == -1)
		svc_error(s, "server", "server %s: %s", server,
		    strerror(errno));
}

/*
 * A builtin runs inside superd: nothing waits.  xinetd wants wait = yes
 * on its datagram builtins (and Debian ships them so), so there the key
 * is accepted and ignored, with a notice; on a stream builtin wait = yes
 * is refused.
 */
static void
svc_builtin_wait(struct svc_ctx *s)
{
	struct service_conf	*sc = s->sc;

	if (sc->socktype == SOCK_DGRAM) {
		if (key_sec(s, "wait") == s->sec)
			svc_notice(s, "wait", "wait = %s is ignored: a datagram "
			    "builtin answers each datagram inside superd",
			    sc->wait ? "yes" : "no");
		sc->wait = 0;
	} else if (sc->wait)
		svc_error(s, "wait", "wait = yes makes no sense for a "
		    "builtin (it runs inside superd)");
}

/*
 * env-pass = {NAME ...}: these variables of superd's own environment
 * (xinetd's passenv).  Not LISTEN_* or NOTIFY_SOCKET: they describe
 * superd's own sockets, and pass-fds = systemd sets LISTEN_* itself.
 */
static void
svc_env_pass(struct svc_ctx *s)
{
	struct service_conf	*sc = s->sc;
	const char		*v;
	size_t			 i, n;

	if ((sc->env_pass = klist(s, "env-pass", NULL, &n)) == NULL)
		return;
	for (i = 0; i < n; i++) {
		v = sc->env_pass[i];
		if (v[0] == '\0' || strchr(v, '=') != NULL)
			svc_error(s, "env-pass", "env-pass \"%s\" is not a "
			    "variable name (NAME, without '=')", v);
		else if (strncmp(v, "LISTEN_", 7) == 0 ||
		    strcmp(v, "NOTIFY_SOCKET") == 0)
			svc_error(s, "env-pass", "env-pass \"%s\": superd's "
			    "own %s is not passed on", v, v);
	}
	if (n == 0) {
		strv_free(sc->env_pass);
		sc->env_pass = NULL;
	}
}

/*
 * type = builtin, server = tcpmux: the tcpmux port itself (RFC 1078),
 * where a client names the service it wants.
 */
static void
svc_tcpmux_server(struct svc_ctx *s)
{
	struct service_conf	*sc = s->sc;

	sc->tcpmux_server = 1;
	if (sc->proto != PROTO_TCP || sc->wait)
		svc_error(s, "server", "the tcpmux builtin needs a tcp service "
		    "with wait = no");
	if (sc->tcpmux != TCPMUX_NO)
		svc_error(s, "tcpmux", "the tcpmux port cannot be reached "
		    "through itself");
	if (sc->no_listener)
		svc_error(s, NULL, "port: missing (tcpmux is port 1)");
}

/* The backend of a redirect: a numeric address, or a name looked up. */
static void
svc_redirect_addr(struct svc_ctx *s, const char *host, int port)
{
	struct service_conf		*sc = s->sc;
	const struct resolve_result	*r;
	struct acl_entry		 e;
	char				*v[1] = { (char *)host }, err[CONF_ERRLEN];
	struct sockaddr_in		*sin = (struct sockaddr_in *)
					    &sc->redirect_addr;
	struct sockaddr_in6		*sin6 = (struct sockaddr_in6 *)
					    &sc->redirect_addr;

	if (parse_numeric_host(host, port, &sc->redirect_addr,
	    &sc->redirect_len) == 1)
		return;
	if (parse_acl_entry(host, &e, err) != 1) {
		svc_error(s, "redirect", "redirect: \"%s\" is not a host", host);
		return;
	}
	acl_resolve(v, 1);
	if ((r = name_cached(host)) == NULL)	/* out of memory, counted */
		return;
	if (r->n == 0) {
		svc_error(s, "redirect", "redirect: host name \"%s\" did not "
		    "resolve (%s)", host, r->why);
		return;
	}
	/* The first address, as a name server's order gives it. */
	e = r->addrs[0];
	memset(&sc->redirect_addr, 0, sizeof(sc->redirect_addr));
	if (e.family == AF_INET) {
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, e.addr, 4);
		sin->sin_port = htons((uint16_t)port);
		sc->redirect_len = sizeof(*sin);
	} else {
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, e.addr, 16);
		sin6->sin6_port = htons((uint16_t)port);
		sc->redirect_len = sizeof(*sin6);
	}
}

/*
 * redirect = "HOST PORT": superd itself forwards each connection to the
 * backend (redirect.c); there is no handler, so no server.
 */
static void
svc_redirect(struct svc_ctx *s, const char *server)
{
	struct service_conf	*sc = s->sc;
	const char		*v = kstr(s, "redirect");
	char			 host[256], err[CONF_ERRLEN];
	int			 port;

	sc->redirect = xstrdup(v);
	if (server != NULL)
		svc_error(s, "server", "server and redirect exclude each other "
		    "(a redirect has no handler)");
	if (sc->type != SVC_EXEC || sc->proto != PROTO_TCP || sc->wait) {
		svc_error(s, "redirect", "redirect needs a tcp service with "
		    "wait = no (and no type = builtin)");
		return;
	}
	if (parse_redirect(v, host, sizeof(host), &port, err) == -1)
		svc_error(s, "redirect", "redirect %s", err);
	else
		svc_redirect_addr(s, host, port);
}

/* server, argv0, args and env. */
static void
svc_program(struct svc_ctx *s)
{
	struct service_conf	*sc = s->sc;
	const char		*server = kstr(s, "server");
	const char		*argv0 = kstr(s, "argv0");
	const struct builtin	*b;
	size_t			 i;

	if (kstr(s, "redirect") != NULL) {
		svc_redirect(s, server);
		return;
	}
	if (server == NULL) {
		svc_error(s, NULL, "server: missing (%s)", sc->type ==
		    SVC_EXEC ? "the program to run, an absolute path" :
		    "the builtin's name");
		return;
	}
	sc->server = xstrdup(server);
	sc->env = klist(s, "env", NULL, NULL);
	for (i = 0; sc->env != NULL && sc->env[i] != NULL; i++)
		if (strchr(sc->env[i], '=') == NULL || sc->env[i][0] == '=')
			svc_error(s, "env", "env \"%s\" is not NAME=VALUE",
			    sc->env[i]);
	sc->env_inherit = kbool(s, "env-inherit", 0);
	svc_env_pass(s);
	if (sc->type == SVC_BUILTIN && strcmp(server, "tcpmux") == 0) {
		svc_tcpmux_server(s);
		return;
	}
	if (sc->type == SVC_BUILTIN) {
		if ((b = builtin_find(server)) == NULL)
			svc_error(s, "server", "server \"%s\" is not a builtin "
			    "(echo, discard, daytime, time, chargen, tcpmux)",
			    server);
		else if (!builtin_supports(b, sc->socktype))
			svc_error(s, "server", "builtin %s does not support "
			    "%s sockets", server, sc->socktype == SOCK_STREAM ?
			    "stream" : "dgram");
		svc_builtin_wait(s);
		return;
	}
	if (server[0] != '/')
		svc_error(s, "server", "server \"%s\" must be an absolute path",
		    server);
	else
		svc_server_runnable(s, server, kstr(s, "chroot"));
	sc->argv = klist(s, "args", argv0 ? argv0 : strrchr(server, '/') ?
	    strrchr(server, '/') + 1 : server, NULL);
}

/*
 * Like sshd's StrictModes: a UNIX socket whose directories another user
 * could write to can be swapped or pre-empted by that user, so it is
 * refused unless the admin says socket-path-check = no.  A directory
 * that does not exist yet is for bind to report.
 */
static void
svc_socket_path(struct svc_ctx *s)
{
	const struct service_conf	*sc = s->sc;
	const char			*path;
	char				 dir[PATH_MAX], err[CONF_ERRLEN];
	char				*slash;
	struct stat			 st;

	if (sc->family != AF_UNIX || sc->disable ||
	    !kbool(s, "socket-path-check", 1))
		return;
	path = ((const struct sockaddr_un *)&sc->addr)->sun_path;
	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir)
		*slash = '\0';
	if (stat(dir, &st) == -1)
		return;
	/* The socket belongs to socket-owner, else to superd itself. */
	if (sockperm_check_path(path, sc->sock_uid != (uid_t)-1 ? sc->sock_uid :
	    geteuid(), err, sizeof(err)) == -1)
		svc_error(s, "address", "%s (socket-path-check = no allows it)",
		    err);
}

/* socket-mode / -owner / -group for unix sockets. */
static void
svc_unix_perms(struct svc_ctx *s)
{
	struct service_conf	*sc = s->sc;
	const char		*v;
	struct passwd		*pw;
	char			 err[CONF_ERRLEN];

	sc->sock_mode = 0666;
	sc->sock_uid = (uid_t)-1;
	sc->sock_gid = (gid_t)-1;
	if ((v = kstr(s, "socket-mode")) != NULL &&
	    parse_octal(v, 07777, &sc->sock_mode, err) == -1)
		svc_error(s, "socket-mode", "socket-mode: %s", err);
	if ((v = kstr(s, "socket-owner")) != NULL) {
		if ((pw = lookup_user(v)) == NULL)
			svc_error(s, "socket-owner", "socket-owner \"%s\" "
			    "does not exist", v);
		else
			sc->sock_uid = pw->pw_uid;
	}
	if ((v = kstr(s, "socket-group")) != NULL &&
	    lookup_group(v, &sc->sock_gid) == -1)
		svc_error(s, "socket-group", "socket-group \"%s\" does not "
		    "exist", v);
	svc_socket_path(s);
}

/* instances, backlog, threads, stderr. */
static void
svc_limits(struct svc_ctx *s)
{
	static const char *const stderrs[] = { "socket", "log", NULL };
	struct service_conf	*sc = s->sc;

	sc->instances = (unsigned)kint_range(s, "instances", 0, 0, 1000000);
	sc->backlog = (int)kint_range(s, "backlog", 1024, 1, 65535);
	sc->threads = (unsigned)kint_range(s, "threads", 0, 0, 64);
	if (sc->threads > 0 && sc->tcpmux_server)
		svc_error(s, "threads", "threads is not for the tcpmux port");
	else if (sc->threads > 0 && (sc->type != SVC_BUILTIN ||
	    sc->socktype != SOCK_STREAM))
		svc_error(s, "threads", "threads is for stream builtins only");
	sc->stderr_mode = strcmp(enum_value(s, "stderr", "socket", stderrs),
	    "log") == 0 ? STDERR_LOG : STDERR_SOCKET;
	if (sc->stderr_mode == STDERR_LOG && sc->type != SVC_EXEC)
		svc_error(s, "stderr", "stderr = log is for exec services");
}

/* The cached lookup of a host name this load, or NULL. */
static const struct resolve_result *
name_cached(const char *name)
{
	size_t	i;

	for (i = 0; i < cur->nnames; i++)
		if (strcmp(cur->names[i].name, name) == 0)
			return &cur->names[i];
	return NULL;
}

/*
 * Look up the host names of list v[0..n) not looked up yet this load,
 * all at once.  The whole load spends at most RESOLVE_BUDGET_MS waiting
 * for name servers; past that each batch still gets RESOLVE_MIN_MS, so
 * names in /etc/hosts keep working.
 */
static void
acl_resolve(char **v, size_t n)
{
	struct resolve_result	*r;
	struct acl_entry	 e;
	char			 err[CONF_ERRLEN];
	unsigned long long	 t0;
	unsigned		 wait;
	size_t			 i, k = 0;

	if (n == 0)		/* realloc to 0 would free the cache */
		return;
	if ((r = reallocarray(cur->names, cur->nnames + n, sizeof(*r))) ==
	    NULL) {
		nomem();
		return;
	}
	cur->names = r;
	r += cur->nnames;
	for (i = 0; i < n; i++) {
		if (parse_acl_entry(v[i], &e, err) != 1 ||
		    name_cached(v[i]) != NULL)
			continue;
		memset(&r[k], 0, sizeof(r[k]));
		if ((r[k].name = xstrdup(v[i])) == NULL)
			return;		/* r[0..k) still to look up: none */
		cur->nnames++;
		k++;
	}
	if (k == 0)
		return;
	wait = cur->resolve_ms >= RESOLVE_BUDGET_MS ? RESOLVE_MIN_MS :
	    RESOLVE_BUDGET_MS - cur->resolve_ms;
	if (wait > RESOLVE_TIMEOUT_MS)
		wait = RESOLVE_TIMEOUT_MS;
	t0 = clock_mono_ms();
	if (resolve_names(r, k, wait) == -1)
		nomem();
	cur->resolve_ms += (unsigned)(clock_mono_ms() - t0);
}

/* Append e to acl; 0, or -1 when out of memory (counted). */
static int
acl_push(struct acl *acl, const struct acl_entry *e)
{
	struct acl_entry	*v;

	if ((v = reallocarray(acl->entries, acl->n + 1, sizeof(*v))) == NULL) {
		nomem();
		return -1;
	}
	acl->entries = v;
	acl->entries[acl->n++] = *e;
	return 0;
}

/*
 * The addresses of host name name, or a warning: a name that does not
 * resolve matches no client (until a reload resolves it); the
 * configuration stays good.
 */
static void
acl_push_name(struct svc_ctx *s, const char *key, struct acl *acl,
    const char *name)
{
	const struct resolve_result	*r = name_cached(name);
	size_t				 i;

	if (r == NULL)			/* out of memory, counted */
		return;
	if (r->n == 0)
		svc_notice(s, key, "warning: %s: host name \"%s\" did not "
		    "resolve (%s); it matches no client until a reload "
		    "resolves it", key, name, r->why);
	for (i = 0; i < r->n; i++)
		if (acl_push(acl, &r->addrs[i]) == -1)
			return;
}

static int
acl_entry_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct acl_entry));
}

/*
 * only-from / no-access lists into an acl.  Host names are resolved
 * here, at load, never per connection.  A list whose names all failed
 * keeps one entry that matches nothing: an only-from must not fall
 * open because its one name did not resolve.  Sorted, so that a name
 * server's changing order is not a change of configuration.
 */
static void
svc_acl(struct svc_ctx *s, const char *key, struct acl *acl)
{
	struct acl_entry	 e;
	char			**v, err[CONF_ERRLEN];
	size_t			  i, n;
	int			  rc;

	if ((v = klist(s, key, NULL, &n)) == NULL)
		return;
	acl_resolve(v, n);
	for (i = 0; i < n; i++) {
		if ((rc = parse_acl_entry(v[i], &e, err)) == -1)
			svc_error(s, key, "%s: %s", key, err);
		else if (rc == 1)
			acl_push_name(s, key, acl, v[i]);
		else if (acl_push(acl, &e) == -1)
			break;
	}
	memset(&e, 0, sizeof(e));	/* AF_UNSPEC: matches nothing */
	if (n > 0 && acl->n == 0)
		(void)acl_push(acl, &e);
	if (acl->n > 1)
		qsort(acl->entries, acl->n, sizeof(*acl->entries),
		    acl_entry_cmp);
	strv_free(v);
}

static void
svc_allow_uids(struct svc_ctx *s)
{
	struct service_conf	*sc = s->sc;
	struct passwd		*pw;
	char			**v;
	size_t			 i, n;

	if ((v = klist(s, "allow-uids", NULL, &n)) == NULL)
		return;
	if (n > 0 && (sc->allow_uids = xcalloc(n, sizeof(uid_t))) == NULL)
		n = 0;
	for (i = 0; i < n; i++) {
		if ((pw = lookup_user(v[i])) == NULL)
			svc_error(s, "allow-uids", "allow-uids: user \"%s\" "
			    "does not exist", v[i]);
		else
			sc->allow_uids[sc->n_allow_uids++] = pw->pw_uid;
	}
	strv_free(v);
}

static void
svc_allow_gids(struct svc_ctx *s)
{
	struct service_conf	*sc = s->sc;
	char			**v;
	size_t			 i, n;

	if ((v = klist(s, "allow-groups", NULL, &n)) == NULL)
		return;
	if (n > 0 && (sc->allow_gids = xcalloc(n, sizeof(gid_t))) == NULL)
		n = 0;
	for (i = 0; i < n; i++) {
		if (lookup_group(v[i], &sc->allow_gids[sc->n_allow_gids]) == -1)
			svc_error(s, "allow-groups", "allow-groups: group "
			    "\"%s\" does not exist", v[i]);
		else
			sc->n_allow_gids++;
	}
	strv_free(v);
}

/* allow-uids / allow-groups for unix sockets (SO_PEERCRED). */
static void
svc_peer_ids(struct svc_ctx *s)
{
	struct service_conf	*sc = s->sc;

	svc_allow_uids(s);
	svc_allow_gids(s);
	if ((sc->n_allow_uids || sc->n_allow_gids) && sc->proto != PROTO_UNIX)
		svc_error(s, NULL, "allow-uids/allow-groups are for unix "
		    "sockets; use only-from for tcp and udp");
	else if ((sc->n_allow_uids || sc->n_allow_gids) &&
	    (sc->socktype != SOCK_STREAM || sc->wait))
		svc_error(s, NULL, "allow-uids/allow-groups need a unix stream "
		    "socket with wait = no: superd learns the peer's "
		    "credentials (SO_PEERCRED) only on connections it accepts");
}

/*
 * In wait mode on a stream socket the handler accepts the connections,
 * so per-connection checks would silently do nothing: refuse them
 * rather than let an admin believe a service is protected.
 */
static void
svc_wait_stream_limits(struct svc_ctx *s)
{
	static const char *const keys[] = { "only-from", "no-access",
	    "per-source", "per-source-rate", "banner", "banner-success",
	    "banner-fail", NULL };
	const struct service_conf	*sc = s->sc;
	size_t				 i;

	if (!sc->wait || sc->socktype != SOCK_STREAM)
		return;
	/* Only the service's own keys: the defaults section is for all. */
	for (i = 0; keys[i] != NULL; i++)
		if (cfg_size(s->sec, keys[i]) > 0)
			svc_error(s, keys[i], "%s cannot apply with wait = yes "
			    "on a stream socket: the handler accepts the "
			    "connections itself (use its own access control)",
			    keys[i]);
}

/* Read a banner file whole, now (see struct banner). */
static void
svc_banner(struct svc_ctx *s, const char *key, struct banner *b)
{
	struct stat	 st;
	ssize_t		 r;
	int		 fd;

	if ((b->path = xstrdup(kstr(s, key))) == NULL)
		return;
	/* O_NONBLOCK: a FIFO must not hang the load; it is refused below. */
	if ((fd = open(b->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		svc_error(s, key, "%s %s: %s", key, b->path, strerror(errno));
		return;
	}
	if (fstat(fd, &st) == -1 || S_ISDIR(st.st_mode) ||
	    S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))
		svc_error(s, key, "%s %s: not a file", key, b->path);
	else if ((b->data = xcalloc(1, BANNER_MAX)) != NULL) {
		while (b->len < BANNER_MAX && (r = read(fd, b->data + b->len,
		    BANNER_MAX - b->len)) > 0)
			b->len += (size_t)r;
		if (S_ISREG(st.st_mode) && st.st_size > BANNER_MAX)
			svc_notice(s, key, "%s %s: only its first %d bytes are "
			    "sent", key, b->path, BANNER_MAX);
	}
	close(fd);
}

/*
 * banner (to every client), banner-success (admitted), banner-fail
 * (refused): stream services that accept their connections only.  On a
 * datagram service one in the section is an error; from the defaults
 * section it is left out.
 */
static void
svc_banners(struct svc_ctx *s)
{
	static const char *const keys[] = { "banner", "banner-success",
	    "banner-fail" };
	struct service_conf	*sc = s->sc;
	struct banner		*b[] = { &sc->banner, &sc->banner_success,
				    &sc->banner_fail };
	size_t			 i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (key_sec(s, keys[i]) == NULL)
			continue;
		if (sc->socktype == SOCK_STREAM && !sc->wait)
			svc_banner(s, keys[i], b[i]);
		else if (sc->socktype != SOCK_STREAM &&
		    cfg_size(s->sec, keys[i]) > 0)
			svc_error(s, keys[i], "%s is for stream services (a "
			    "datagram has no connection to send it on)",
			    keys[i]);
	}
}

/* Access control and rate limits. */
static void
svc_protection(struct svc_ctx *s)
{
	struct service_conf	*sc = s->sc;
	const char		*v;
	char			 err[CONF_ERRLEN];

	svc_acl(s, "only-from", &sc->only_from);
	svc_acl(s, "no-access", &sc->no_access);
	svc_peer_ids(s);
	svc_wait_stream_limits(s);
	sc->per_source = (unsigned)kint_range(s, "per-source", 0, 0, 1000000);
	sc->per_source_prefix4 = 32;
	sc->per_source_prefix6 = 64;
	if ((v = kstr(s, "per-source-prefix")) != NULL &&
	    parse_prefixes(v, &sc->per_source_prefix4,
	    &sc->per_source_prefix6, err) == -1)
		svc_error(s, "per-source-prefix", "per-source-prefix %s", err);
	if ((v = kstr(s, "rate")) != NULL &&
	    parse_rate(v, &sc->rate, err) == -1)
		svc_error(s, "rate", "%s", err);
	if ((v = kstr(s, "per-source-rate")) != NULL &&
	    parse_rate(v, &sc->per_source_rate, err) == -1)
		svc_error(s, "per-source-rate", "per-source-%s", err);
	if ((v = kstr(s, "max-load")) != NULL &&
	    parse_load(v, &sc->max_load, err) == -1)
		svc_error(s, "max-load", "max-load %s", err);
	svc_banners(s);
}

static const struct {
	const char	*key;
	int		 resource;
} rlimit_keys[SUPERD_NRLIMITS] = {
	{ "rlimit-cpu", RLIMIT_CPU }, { "rlimit-as", RLIMIT_AS },
	{ "rlimit-nofile", RLIMIT_NOFILE }, { "rlimit-nproc", RLIMIT_NPROC },
	{ "rlimit-fsize", RLIMIT_FSIZE }, { "rlimit-core", RLIMIT_CORE },
};

/* chroot, umask, nice, rlimits, no-new-privileges, timeout. */
static void
svc_isolation(struct svc_ctx *s)
{
	struct service_conf	*sc = s->sc;
	const char		*v;
	char			 err[CONF_ERRLEN];
	rlim_t			 lim;
	int			 i;

	sc->chroot = xstrdup(kstr(s, "chroot"));
	if (sc->chroot != NULL && sc->chroot[0] != '/')
		svc_error(s, "chroot", "chroot \"%s\" must be an absolute path",
		    sc->chroot);
	if ((v = kstr(s, "umask")) != NULL) {
		sc->set_umask = 1;
		if (parse_octal(v, 0777, &sc->umask, err) == -1)
			svc_error(s, "umask", "umask: %s", err);
	}
	if (key_sec(s, "nice") != NULL) {
		sc->set_nice = 1;
		sc->nice = (int)kint_range(s, "nice", 0, -20, 19);
	}
	for (i = 0; i < SUPERD_NRLIMITS; i++) {
		sc->rlimits[i].resource = rlimit_keys[i].resource;
		if ((v = kstr(s, rlimit_keys[i].key)) == NULL)
			continue;
		if (parse_rlimit(v, &lim, err) == -1)
			svc_error(s, rlimit_keys[i].key, "%s: %s",
			    rlimit_keys[i].key, err);
		sc->rlimits[i].set = 1;
		sc->rlimits[i].rl.rlim_cur = sc->rlimits[i].rl.rlim_max = lim;
	}
	sc->no_new_privs = kbool(s, "no-new-privileges", 0);
	sc->timeout = (unsigned)kint_range(s, "timeout", 0, 0, 86400 * 365);
	sc->kill_grace = (unsigned)kint_range(s, "kill-grace", 5, 0, 3600);
	if (sc->type == SVC_BUILTIN && (sc->chroot || sc->set_umask ||
	    sc->set_nice || sc->no_new_privs))
		svc_error(s, NULL, "chroot, umask, nice and no-new-privileges "
		    "apply to exec services only");
}

/*
 * oob-port, urgent and urgent-signal: how a client may interrupt its own
 * request (see oob.c).
 */
/*
 * udp-low-ports: datagrams from ports below 1024 are refused by default,
 * since a spoofed one from another small service (echo, chargen) would
 * start a reply loop; an exec service that must answer them (BOOTP from
 * port 68, NTP peers on 123) says allow.  Builtins always refuse.
 */
static void
svc_low_ports(struct svc_ctx *s)
{
	static const char *const modes[] = { "refuse", "allow", NULL };
	struct service_conf	*sc = s->sc;
	/*
	 * RPC clients run by root send from a reserved port (libtirpc's
	 * bindresvport), and an RPC server answers nothing but a well-formed
	 * call, which no echo or chargen reply is: no loop to guard against.
	 */
	const char		*v = enum_value(s, "udp-low-ports", sc->rpc ?
				    "allow" : "refuse", modes);

	sc->udp_low_ports = strcmp(v, "allow") == 0;
	if (sc->udp_low_ports && (sc->socktype != SOCK_DGRAM ||
	    sc->type != SVC_EXEC || sc->family == AF_UNIX) &&
	    key_sec(s, "udp-low-ports") == s->sec)
		svc_error(s, "udp-low-ports", "udp-low-ports = allow needs a "
		    "UDP exec service (builtins always refuse low ports)");
}

/*
 * libwrap: hosts.allow / hosts.deny where a client address is known.  A
 * unix socket or a wait-mode stream socket has none: an error in the
 * section, ignored from defaults (Debian's package sets it there).
 */
static void
svc_libwrap(struct svc_ctx *s)
{
	struct service_conf	*sc = s->sc;
	cfg_t			*sec = key_sec(s, "libwrap");
	char			 err[256];

	if (sec == NULL || !cfg_getbool(sec, "libwrap"))
		return;
	if (!tcpwrap_available()) {
		svc_error(s, "libwrap", "libwrap = yes, but superd was built "
		    "without libwrap (Debian: libwrap0-dev)");
		return;
	}
	if (sc->family == AF_UNIX || (sc->wait &&
	    sc->socktype == SOCK_STREAM)) {
		if (sec == s->sec)
			svc_error(s, "libwrap", "libwrap needs a client address: "
			    "not on a unix socket or a wait-mode stream "
			    "service");
		return;
	}
	if (tcpwrap_load(err, sizeof(err)) == -1) {
		svc_error(s, "libwrap", "libwrap = yes: %s", err);
		return;
	}
	sc->libwrap = 1;
}

static void
svc_out_of_band(struct svc_ctx *s)
{
	static const char *const urgents[] = { "ignore", "interrupt", "pass",
	    NULL };
	struct service_conf	*sc = s->sc;
	const char		*v;
	char			 err[CONF_ERRLEN];

	sc->oob_port = key_sec(s, "oob-port") == NULL ? -1 :
	    (int)kint_range(s, "oob-port", 0, 0, 65535);
	if (sc->oob_port >= 0 && (sc->no_listener || sc->tcpmux_server))
		svc_error(s, "oob-port", "oob-port needs a service with a "
		    "socket of its own (not reached through tcpmux only, not "
		    "the tcpmux port)");
	else if (sc->oob_port >= 0 && sc->family == AF_UNIX)
		svc_error(s, "oob-port", "oob-port needs an IPv4 or IPv6 "
		    "service (a unix socket's peers are local: they can ask "
		    "superdctl interrupt)");
	if (sc->oob_port > 0 && sc->oob_port == sc->port &&
	    sc->proto == PROTO_TCP)
		svc_error(s, "oob-port", "oob-port %d is the service's own "
		    "port", sc->oob_port);
	v = enum_value(s, "urgent", "ignore", urgents);
	sc->urgent = strcmp(v, "interrupt") == 0 ? URGENT_INTERRUPT :
	    strcmp(v, "pass") == 0 ? URGENT_PASS : URGENT_IGNORE;
	if (sc->urgent != URGENT_IGNORE && (sc->proto != PROTO_TCP ||
	    sc->wait || sc->type != SVC_EXEC))
		svc_error(s, "urgent", "urgent = %s needs a TCP exec service "
		    "with wait = no (urgent data travels on a connection "
		    "superd accepted)", v);
	sc->urgent_signal = SIGINT;
	if ((v = kstr(s, "urgent-signal")) != NULL &&
	    parse_signal(v, &sc->urgent_signal, err) == -1)
		svc_error(s, "urgent-signal", "urgent-signal %s", err);
	svc_low_ports(s);
	svc_libwrap(s);
}

/* pass-fds: the inetd contract (fds 0, 1) or systemd's (fd 3). */
static void
svc_pass_fds(struct svc_ctx *s)
{
	static const char *const modes[] = { "inetd", "systemd", NULL };
	struct service_conf	*sc = s->sc;
	const char		*v = enum_value(s, "pass-fds", "inetd", modes);

	sc->pass_fds = strcmp(v, "systemd") == 0 ? PASSFDS_SYSTEMD :
	    PASSFDS_INETD;
	if (sc->pass_fds == PASSFDS_SYSTEMD && sc->type != SVC_EXEC)
		svc_error(s, "pass-fds", "pass-fds = systemd is for exec "
		    "services");
	if (sc->pass_fds == PASSFDS_SYSTEMD && !sc->wait &&
	    sc->socktype == SOCK_DGRAM)
		svc_error(s, "pass-fds", "pass-fds = systemd needs wait = yes "
		    "on a datagram socket (systemd passes no datagram "
		    "connections either)");
}

/*
 * export = yes: publish the service with DNS-SD.  Its name becomes the
 * DNS-SD service type (_NAME._tcp), so it must be an RFC 6335 name.
 */
static void
svc_export(struct svc_ctx *s)
{
	struct service_conf	*sc = s->sc;

	sc->export = kbool(s, "export", 0);
	if (!sc->export)
		return;
	if (sc->family == AF_UNIX)
		svc_error(s, "export", "export = yes needs a tcp or udp "
		    "service (a unix socket is of no use elsewhere)");
	else if (!valid_service_name(sc->name))
		svc_error(s, "export", "export = yes needs a service name of "
		    "1-15 characters of [a-z0-9-], not starting or ending with "
		    "'-' and without \"--\" (RFC 6335), to be the DNS-SD "
		    "type _%s._%s", sc->name, conf_proto_name(sc->proto));
}

/*
 * The socket options (sockopt.c), each key as its kind is written.  One
 * that does not fit the socket is an error in the service's own section
 * and left out when it comes from the defaults section; one that needs a
 * capability superd lacks is an error either way.
 */
static void
svc_sockopt(struct svc_ctx *s, enum sockopt_id id)
{
	struct service_conf	*sc = s->sc;
	const char		*key = sockopt_key(id);
	char			 err[CONF_ERRLEN];
	int			 rc;

	if (sockopt_kind(id) == SOCKOPT_STR)
		rc = sockopt_set_str(&sc->sockopts, id, kstr(s, key), err,
		    sizeof(err));
	else
		rc = sockopt_set_num(&sc->sockopts, id, sockopt_kind(id) ==
		    SOCKOPT_BOOL ? kbool(s, key, 0) : kint(s, key, 0), err,
		    sizeof(err));
	if (rc == -1) {
		svc_error(s, key, "%s", err);
		return;
	}
	if ((rc = sockopt_check(&sc->sockopts, id, sc->family, sc->socktype,
	    &cur->host, err, sizeof(err))) != 0) {
		if (rc == -2 || key_sec(s, key) == s->sec)
			svc_error(s, key, "%s", err);
		sc->sockopts.set &= ~(1u << id);
	}
}

static void
svc_sockopts(struct svc_ctx *s)
{
	char	msg[CONF_ERRLEN];
	int	id;

	if (!cur->host_read) {
		sockopt_host_current(&cur->host, capcheck_effective());
		cur->host_read = 1;
	}
	for (id = 0; id < SOCKOPT_N; id++)
		if (key_sec(s, sockopt_key((enum sockopt_id)id)) != NULL)
			svc_sockopt(s, (enum sockopt_id)id);
	for (id = 0; id < SOCKOPT_N; id++)
		if (sockopt_notice(&s->sc->sockopts, (enum sockopt_id)id,
		    &cur->host, msg, sizeof(msg)))
			svc_notice(s, sockopt_key((enum sockopt_id)id),
			    "warning: %s", msg);
}

/*
 * ---- Resource control and sandbox (cgroup.c, sandbox.c) ----
 * One block: the global cgroup-root and the service keys of
 * RESCTL_KEYS.  Whatever this kernel or superd's privileges cannot
 * honour is an error here, with its file and line, never at the first
 * connection.
 */

/* cgroup-root: where services' cgroups go (none: today's behaviour). */
static void
conf_cgroup_root(struct superd_conf *conf, cfg_t *cfg)
{
	char	err[CONF_ERRLEN];

	if (cgroup_resolve_root(cfg_getstr(cfg, "cgroup-root"),
	    &conf->cgroup_root, conf->cgroup_why, sizeof(conf->cgroup_why),
	    err, sizeof(err)) == -1)
		conf_error(cfg->filename, key_line(cfg, "cgroup-root"), NULL,
		    "%s", err);
	cur->conf_cgroup_root = conf->cgroup_root;
}

/* A byte or count limit: a number with K, M, G, or "max"; -1 unset. */
static int64_t
resctl_limit(struct svc_ctx *s, const char *key)
{
	const char	*v = kstr(s, key);
	char		 err[CONF_ERRLEN];
	rlim_t		 lim;

	if (v == NULL)
		return -1;
	if (strcmp(v, "max") == 0 || strcmp(v, "infinity") == 0)
		return INT64_MAX;
	if (parse_rlimit(v, &lim, err) == -1 || lim > INT64_MAX) {
		svc_error(s, key, "%s: \"%s\" is not a number (suffix K, M or "
		    "G) or \"max\"", key, v);
		return -1;
	}
	return (int64_t)lim;
}

/* cpu-max = "50%" or "QUOTA PERIOD" (microseconds), as cpu.max has it. */
static void
resctl_cpu_max(struct svc_ctx *s, struct cgroup_conf *cc)
{
	const char	*v = kstr(s, "cpu-max");
	unsigned long	 quota, period = 100000;
	char		*end;

	if (v == NULL)
		return;
	quota = strtoul(v, &end, 10);
	if (end != v && strcmp(end, "%") == 0 && quota > 0)
		quota = quota * period / 100;
	else if (end == v || quota == 0 || (*end != '\0' && (*end != ' ' ||
	    (period = strtoul(end + 1, &end, 10)) < 1000 || *end != '\0'))) {
		svc_error(s, "cpu-max", "cpu-max \"%s\" should be a percentage "
		    "(\"50%%\") or \"QUOTA PERIOD\" in microseconds", v);
		return;
	}
	snprintf(cc->cpu_max, sizeof(cc->cpu_max), "%lu %lu", quota, period);
}

/* The cgroup keys into sc->cg, checked against this host. */
static void
svc_cgroup(struct svc_ctx *s, const char *root)
{
	struct cgroup_conf	*cc = &s->sc->cg;
	const char		*key = NULL;
	char			 err[CONF_ERRLEN];

	cc->per_request = kbool(s, "cgroup-per-request", 0);
	cc->memory_max = resctl_limit(s, "memory-max");
	cc->memory_high = resctl_limit(s, "memory-high");
	cc->pids_max = resctl_limit(s, "pids-max");
	cc->cpu_weight = (unsigned)kint_range(s, "cpu-weight", 0, 0, 10000);
	cc->io_weight = (unsigned)kint_range(s, "io-weight", 0, 0, 10000);
	if (key_sec(s, "cpu-weight") != NULL && cc->cpu_weight == 0)
		svc_error(s, "cpu-weight", "cpu-weight 0 out of range "
		    "(1-10000)");
	if (key_sec(s, "io-weight") != NULL && cc->io_weight == 0)
		svc_error(s, "io-weight", "io-weight 0 out of range (1-10000)");
	resctl_cpu_max(s, cc);
	cc->root = xstrdup(root);
	if (cgroup_check(cc, &key, err, sizeof(err)) == -1)
		svc_error(s, key, "%s", err);
}

/* A list of absolute paths (read-only-paths, inaccessible-paths). */
static char **
resctl_paths(struct svc_ctx *s, const char *key)
{
	size_t	 i, n = 0;
	char	**v = klist(s, key, 0, &n);

	if (v == NULL)		/* out of memory, counted */
		return NULL;
	/* {"none"}: an empty list cannot override the defaults section. */
	if (n == 1 && strcmp(v[0], "none") == 0)
		n = 0;
	for (i = 0; i < n; i++)
		if (v[i][0] != '/')
			svc_error(s, key, "%s: \"%s\" must be an absolute path",
			    key, v[i]);
	if (n > 0)
		return v;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
	return NULL;
}

/* capabilities / ambient-capabilities into a mask. */
static int
resctl_caps(struct svc_ctx *s, const char *key, uint64_t *mask)
{
	const char	*v = kstr(s, key);
	char		 err[CONF_ERRLEN];

	if (v == NULL || strcmp(v, "all") == 0)
		return 0;	/* "all": a section overrides the defaults */
	if (sandbox_parse_caps(v, mask, err, sizeof(err)) == -1)
		svc_error(s, key, "%s: %s", key, err);
	return 1;
}

/* The sandbox keys into sc->sandbox, checked against this host. */
static void
svc_sandbox(struct svc_ctx *s)
{
	static const char *const ps[] = { "no", "full", "strict", NULL };
	struct sandbox_conf	*sb = &s->sc->sandbox;
	const char		*v, *key = NULL;
	char			 err[CONF_ERRLEN];

	sb->private_tmp = kbool(s, "private-tmp", 0);
	sb->private_network = kbool(s, "private-network", 0);
	sb->protect_home = kbool(s, "protect-home", 0);
	v = enum_value(s, "protect-system", "no", ps);
	sb->protect_system = strcmp(v, "full") == 0 ? PROTECT_SYSTEM_FULL :
	    strcmp(v, "strict") == 0 ? PROTECT_SYSTEM_STRICT :
	    PROTECT_SYSTEM_NO;
	sb->read_only = resctl_paths(s, "read-only-paths");
	sb->inaccessible = resctl_paths(s, "inaccessible-paths");
	sb->set_bounding = resctl_caps(s, "capabilities", &sb->bounding);
	sb->set_ambient = resctl_caps(s, "ambient-capabilities",
	    &sb->ambient);
	/* "" overrides a filter from the defaults section. */
	if ((v = kstr(s, "system-call-filter")) != NULL && v[strspn(v,
	    " \t")] != '\0') {
		sb->syscall_filter = xstrdup(v);
		if (sandbox_filter_build(v, &sb->filter, err,
		    sizeof(err)) == -1)
			svc_error(s, "system-call-filter", "system-call-filter: "
			    "%s", err);
	}
	if (sandbox_check(sb, &key, err, sizeof(err)) == -1)
		svc_error(s, key, "%s", err);
}

/* Every resctl key; builtins run inside superd and take none. */
static void
svc_resctl(struct svc_ctx *s, const char *root)
{
	size_t	i;

	if (s->sc->type == SVC_BUILTIN) {
		for (i = 0; resctl_keys[i] != NULL; i++)
			if (cfg_size(s->sec, resctl_keys[i]) > 0)
				svc_error(s, resctl_keys[i], "%s applies to "
				    "exec services only (a builtin runs inside "
				    "superd)", resctl_keys[i]);
		return;
	}
	svc_cgroup(s, root);
	svc_sandbox(s);
}

/* ---- end of the resource control and sandbox block ---- */

/* Build one service_conf from its section; NULL after errors. */
static struct service_conf *
service_build(cfg_t *sec, cfg_t *dflt)
{
	struct svc_ctx	 s;
	int		 before = cur->nerrors;

	memset(&s, 0, sizeof(s));
	s.sec = sec;
	s.dflt = dflt;
	s.file = sec->filename;
	if ((s.sc = xcalloc(1, sizeof(*s.sc))) == NULL) {
		nomem_report(sec->filename, sec->line, cfg_title(sec));
		return NULL;
	}
	s.sc->name = xstrdup(cfg_size(sec, "name") ? cfg_getstr(sec, "name") :
	    cfg_title(sec));
	s.sc->file = xstrdup(sec->filename);
	s.sc->line = sec->line;
	if (s.sc->name == NULL || s.sc->file == NULL) {
		nomem_report(sec->filename, sec->line, cfg_title(sec));
		service_conf_free(s.sc);
		return NULL;
	}
	if (strlen(s.sc->name) == 0 || strlen(s.sc->name) > 64 ||
	    strpbrk(s.sc->name, " \t/=\n") != NULL)
		svc_error(&s, NULL, "name: must be 1-64 characters without "
		    "spaces, '/' or '='");
	svc_kind(&s);
	svc_rpc(&s);
	svc_endpoint(&s);
	svc_unix_perms(&s);
	svc_identity(&s);
	svc_program(&s);
	svc_limits(&s);
	svc_protection(&s);
	svc_isolation(&s);
	svc_out_of_band(&s);
	svc_pass_fds(&s);
	svc_export(&s);
	svc_sockopts(&s);
	svc_resctl(&s, cur->conf_cgroup_root);
	nomem_report(s.file, sec->line, s.sc->name);
	if (cur->nerrors == before)
		return s.sc;
	service_conf_free(s.sc);
	return NULL;
}

/* Hook record_line on every key of sec ("service" or "defaults"). */
static void
cfg_track_lines(cfg_t *cfg, const char *sec)
{
	char	path[64];
	size_t	i;

	for (i = 0; service_keys[i] != NULL; i++) {
		snprintf(path, sizeof(path), "%s|%s", sec, service_keys[i]);
		cfg_set_validate_func(cfg, path, record_line);
	}
}

/* A cfg_t for opts with the line tracking hooked; NULL if out of memory. */
static cfg_t *
cfg_new(cfg_opt_t *opts, int has_defaults)
{
	cfg_t	*cfg;

	if ((cfg = cfg_init(opts, CFGF_NONE)) == NULL) {
		nomem();
		return NULL;
	}
	cfg_set_error_function(cfg, confuse_errfunc);
	cfg_track_lines(cfg, "service");
	if (has_defaults) {
		cfg_track_lines(cfg, "defaults");
		cfg_track_globals(cfg);
	}
	return cfg;
}

/* Parse one file; NULL if it could not be read or parsed. */
static cfg_t *
parse_file(const char *path, cfg_opt_t *opts, int has_defaults)
{
	cfg_t	*cfg;
	char	*copy;
	int	 rc;

	if ((cfg = cfg_new(opts, has_defaults)) == NULL) {
		nomem_report(path, 0, NULL);
		return NULL;
	}
	/*
	 * Includes resolve beside the file; libconfuse then looks the file
	 * itself up in that search path, so it gets the base name.
	 */
	if ((copy = xstrdup(path)) == NULL ||
	    cfg_add_searchpath(cfg, dirname(copy)) != CFG_SUCCESS) {
		free(copy);
		cfg_free(cfg);
		nomem();
		nomem_report(path, 0, NULL);
		return NULL;
	}
	free(copy);
	if ((copy = xstrdup(path)) == NULL)
		rc = CFG_PARSE_ERROR;
	else
		rc = cfg_parse(cfg, basename(copy));
	free(copy);
	nomem_report(path, 0, NULL);
	if (rc == CFG_FILE_ERROR)
		conf_error(path, 0, NULL, "cannot read: %s", strerror(errno));
	if (rc != CFG_SUCCESS) {
		cfg_free(cfg);
		return NULL;
	}
	return cfg;
}

static uint64_t
name_hash(const char *name, enum svc_proto proto)
{
	return svcindex_hash(svcindex_hash(SVCINDEX_SEED, name,
	    strlen(name)), &proto, sizeof(proto));
}

static uint64_t
endpoint_hash(const struct service_conf *sc)
{
	uint64_t	h = SVCINDEX_SEED;

	h = svcindex_hash(h, &sc->proto, sizeof(sc->proto));
	h = svcindex_hash(h, &sc->socktype, sizeof(sc->socktype));
	h = svcindex_hash(h, &sc->family, sizeof(sc->family));
	return svcindex_hash(h, &sc->addr, sc->addrlen);
}

static int
name_eq(const void *item, const void *key)
{
	const struct service_conf	*a = item, *b = key;

	return a->proto == b->proto && strcmp(a->name, b->name) == 0;
}

static int
endpoint_eq(const void *item, const void *key)
{
	const struct service_conf	*a = item;

	/* A tcpmux-only service binds nothing. */
	return !a->disable && !a->no_listener &&
	    service_conf_same_endpoint(a, key);
}

static const struct service_conf *
find_service(const struct superd_conf *conf, const struct service_conf *n)
{
	const struct service_conf	*sc;

	if (cur->by_name != NULL)
		return svcindex_find(cur->by_name, name_hash(n->name, n->proto),
		    name_eq, n);
	TAILQ_FOREACH(sc, &conf->services, entry)
		if (name_eq(sc, n))
			return sc;
	return NULL;
}

/*
 * Two enabled services on the same fixed endpoint cannot both bind.  A
 * disabled one binds nothing, so it clashes with none (a converted config
 * may keep disable = yes copies of a service on its port).
 */
static const struct service_conf *
find_endpoint(const struct superd_conf *conf, const struct service_conf *n)
{
	const struct service_conf	*sc;

	/* A tcpmux-only service binds nothing either. */
	if (n->port == 0 || n->disable || n->no_listener)
		return NULL;
	if (cur->by_endpoint != NULL)
		return svcindex_find(cur->by_endpoint, endpoint_hash(n),
		    endpoint_eq, n);
	TAILQ_FOREACH(sc, &conf->services, entry)
		if (endpoint_eq(sc, n))
			return sc;
	return NULL;
}

/* Another tcpmux service whose name differs from n's only in case. */
static const struct service_conf *
find_tcpmux_name(const struct superd_conf *conf, const struct service_conf *n)
{
	const struct service_conf	*sc;

	if (n->tcpmux == TCPMUX_NO)
		return NULL;
	TAILQ_FOREACH(sc, &conf->services, entry)
		if (sc->tcpmux != TCPMUX_NO &&
		    strcasecmp(sc->name, n->name) == 0)
			return sc;
	return NULL;
}

/* Index a kept service (out of memory: said, and the lists are walked). */
static void
index_service(struct service_conf *sc)
{
	if (cur->by_name != NULL && svcindex_add(cur->by_name,
	    name_hash(sc->name, sc->proto), sc) == -1) {
		svcindex_free(cur->by_name);
		cur->by_name = NULL;
		nomem();
	}
	if (sc->disable || sc->no_listener || cur->by_endpoint == NULL)
		return;
	if (svcindex_add(cur->by_endpoint, endpoint_hash(sc), sc) == -1) {
		svcindex_free(cur->by_endpoint);
		cur->by_endpoint = NULL;
		nomem();
	}
}

/*
 * rpcbind keeps one address per program, version and transport: two
 * enabled services claiming the same would take it from each other.
 */
static const struct service_conf *
find_rpc(const struct superd_conf *conf, const struct service_conf *n)
{
	const struct service_conf	*sc;

	if (!n->rpc || n->disable)	/* no walk for the (many) others */
		return NULL;
	TAILQ_FOREACH(sc, &conf->services, entry)
		if (service_conf_rpc_overlap(sc, n))
			return sc;
	return NULL;
}

/* Build every service of cfg and append it to conf. */
static void
add_services(struct superd_conf *conf, cfg_t *cfg, cfg_t *dflt)
{
	struct service_conf		*sc;
	const struct service_conf	*old;
	unsigned			 i;

	for (i = 0; i < cfg_size(cfg, "service"); i++) {
		if ((sc = service_build(cfg_getnsec(cfg, "service", i), dflt))
		    == NULL)
			continue;
		if ((old = find_service(conf, sc)) != NULL)
			conf_error(sc->file, sc->line, sc->name, "a %s service "
			    "with this name is already defined at %s:%d",
			    conf_proto_name(sc->proto), old->file, old->line);
		else if ((old = find_endpoint(conf, sc)) != NULL)
			conf_error(sc->file, sc->line, sc->name, "address: "
			    "%s port %d/%s is already used by service \"%s\" "
			    "(%s:%d)", sc->address, sc->port,
			    conf_proto_name(sc->proto), old->name, old->file,
			    old->line);
		else if ((old = find_tcpmux_name(conf, sc)) != NULL)
			conf_error(sc->file, sc->line, sc->name, "tcpmux: "
			    "clients could not tell it from service \"%s\" "
			    "(%s:%d): tcpmux names are matched without regard "
			    "to case", old->name, old->file, old->line);
		else if ((old = find_rpc(conf, sc)) != NULL)
			conf_error(sc->file, sc->line, sc->name, "rpc-program: "
			    "program %lu versions %lu-%lu/%s overlap those of "
			    "service \"%s\" (%s:%d)", sc->rpc_prog, sc->rpc_vlo,
			    sc->rpc_vhi, conf_proto_name(sc->proto), old->name,
			    old->file, old->line);
		else {
			TAILQ_INSERT_TAIL(&conf->services, sc, entry);
			conf->nservices++;
			index_service(sc);
			nomem_report(sc->file, sc->line, sc->name);
			continue;
		}
		service_conf_free(sc);
	}
}

/* Read every *.conf of the include directory, in name order. */
static void
add_include_dir(struct superd_conf *conf, cfg_t *dflt)
{
	glob_t	 g;
	char	 pat[PATH_MAX];
	cfg_t	*cfg;
	size_t	 i, n;
	int	 rc;

	if (conf->include_dir == NULL)		/* out of memory, said */
		return;
	/* Every name, so that the ones skipped can be told (not dirs/). */
	snprintf(pat, sizeof(pat), "%s/*", conf->include_dir);
	if ((rc = glob(pat, GLOB_MARK, NULL, &g)) != 0) {
		/* Not "no files": a reload must not drop them silently. */
		if (rc == GLOB_NOSPACE)
			conf_error(conf->include_dir, 0, NULL, "out of memory");
		return;
	}
	for (i = 0; i < g.gl_pathc; i++) {
		n = strlen(g.gl_pathv[i]);
		if (n < 5 || strcmp(g.gl_pathv[i] + n - 5, ".conf") != 0) {
			if (g.gl_pathv[i][n - 1] != '/')
				log_notice("%s: skipped: only *.conf files in "
				    "%s are read", g.gl_pathv[i],
				    conf->include_dir);
			continue;
		}
		if ((cfg = parse_file(g.gl_pathv[i], dropin_opts, 0)) == NULL)
			continue;
		add_services(conf, cfg, dflt);
		cfg_free(cfg);
	}
	globfree(&g);
}

/* Default include dir: superd.d beside the main file. */
static char *
default_include_dir(const char *path)
{
	char	*copy, *res;

	if ((copy = xstrdup(path)) == NULL)
		return NULL;
	if (asprintf(&res, "%s/superd.d", dirname(copy)) == -1) {
		nomem();
		res = NULL;
	}
	free(copy);
	return res;
}

/*
 * The control and directory sockets follow the services' socket path
 * rule: no directory on the way that another user could write (a missing
 * one is created by superd, 0755, and is for the bind to report).
 */
static void
side_socket_check(cfg_t *cfg, const char *key, const char *path)
{
	char		dir[PATH_MAX], err[CONF_ERRLEN], *slash;
	struct stat	st;

	/* The default, in the runtime directory, has rundir.c's checks. */
	if (path == NULL || path[0] != '/' || cfg_getstr(cfg, key) == NULL)
		return;
	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir)
		*slash = '\0';
	if (stat(dir, &st) == -1)
		return;
	if (sockperm_check_path(path, geteuid(), err, sizeof(err)) == -1)
		conf_error(cfg->filename, key_line(cfg, key), NULL, "%s %s",
		    key, err);
}

/* A socket in the runtime directory (rundir.h) when key is unset. */
static char *
conf_rundir_socket(cfg_t *cfg, const char *name)
{
	char	*path;

	if ((path = rundir_socket(name)) == NULL) {
		nomem();
		nomem_report(cfg->filename, 0, NULL);
	}
	return path;
}

/* A global integer key in [min, max]. */
static unsigned
gint(cfg_t *cfg, const char *key, long min, long max)
{
	long	v = cfg_getint(cfg, key);

	if (v < min || v > max) {
		conf_error(cfg->filename, key_line(cfg, key), NULL,
		    "%s %ld out of range (%ld-%ld)", key, v, min, max);
		return (unsigned)min;
	}
	return (unsigned)v;
}

/* directory-allow = {"NAME=user", "NAME=@group"} */
static void
conf_dir_allow(struct superd_conf *conf, cfg_t *cfg)
{
	unsigned	 i, n = cfg_size(cfg, "directory-allow");
	struct passwd	*pw = NULL;
	struct dir_allow *da;
	char		*v, *eq;

	if (n > 0 && (conf->dir_allow = xcalloc(n, sizeof(*da))) == NULL)
		n = 0;
	for (i = 0; i < n; i++) {
		v = cfg_getnstr(cfg, "directory-allow", i);
		da = &conf->dir_allow[conf->n_dir_allow];
		if ((eq = strchr(v, '=')) == NULL || eq == v || eq[1] == '\0') {
			conf_error(cfg->filename, key_line(cfg,
			    "directory-allow"), NULL, "directory-allow \"%s\" "
			    "should be NAME=USER or NAME=@GROUP", v);
			continue;
		}
		if ((da->name = strndup(v, (size_t)(eq - v))) == NULL) {
			nomem();
			continue;
		}
		da->by_group = eq[1] == '@';
		if (da->by_group ? lookup_group(eq + 2, &da->gid) == -1 :
		    (pw = lookup_user(eq + 1)) == NULL) {
			conf_error(cfg->filename, key_line(cfg,
			    "directory-allow"), NULL, "directory-allow: no "
			    "such %s \"%s\"", da->by_group ? "group" : "user",
			    eq + 1 + da->by_group);
			free(da->name);
			continue;
		}
		if (!da->by_group)
			da->uid = pw->pw_uid;
		conf->n_dir_allow++;
	}
	nomem_report(cfg->filename, key_line(cfg, "directory-allow"), NULL);
}

/* A global string key, copied; NULL if unset (or out of memory, said). */
static char *
gstr(cfg_t *cfg, const char *key)
{
	char	*v = xstrdup(cfg_getstr(cfg, key));

	nomem_report(cfg->filename, key_line(cfg, key), NULL);
	return v;
}

/* A global list key as a NULL-ended array of copies, NULL if empty. */
static char **
glist(cfg_t *cfg, const char *key)
{
	unsigned	  i, n = cfg_size(cfg, key);
	char		**v;

	if (n == 0 || (v = xcalloc(n + 1, sizeof(*v))) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		v[i] = xstrdup(cfg_getnstr(cfg, key, i));
	return v;
}

static void	strv_free(char **);

/* "http[s]://HOST[:PORT]" with nothing after (etcd-endpoints). */
static int
url_ok(const char *v)
{
	const char	*h, *slash;

	if (strncmp(v, "http://", 7) == 0)
		h = v + 7;
	else if (strncmp(v, "https://", 8) == 0)
		h = v + 8;
	else
		return 0;
	if (*h == '\0' || *h == '/' || *h == ':')
		return 0;
	slash = strchr(h, '/');
	return slash == NULL || slash[1] == '\0';
}

/* An IPv4 or IPv6 address, no name. */
static int
ip_literal(const char *v)
{
	struct in6_addr	a;

	return inet_pton(AF_INET, v, &a) == 1 || inet_pton(AF_INET6, v, &a) == 1;
}

/* directory-export = { none | avahi | etcd ... } */
static void
conf_export_kinds(struct superd_conf *conf, cfg_t *cfg)
{
	unsigned	 i, n = cfg_size(cfg, "directory-export");
	const char	*v;
	int		 line = key_line(cfg, "directory-export");

	for (i = 0; i < n; i++) {
		v = cfg_getnstr(cfg, "directory-export", i);
		if (strcmp(v, "avahi") == 0) {
#ifdef HAVE_AVAHI
			conf->directory_export |= DIR_EXPORT_AVAHI;
#else
			conf_error(cfg->filename, line, NULL,
			    "directory-export = avahi, but this superd was "
			    "built without Avahi (configure --with-avahi)");
#endif
		} else if (strcmp(v, "etcd") == 0)
			conf->directory_export |= DIR_EXPORT_ETCD;
		else if (strcmp(v, "none") != 0 || n > 1)
			conf_error(cfg->filename, line, NULL, "directory-export "
			    "\"%s\" is not one of: none, avahi, etcd%s", v,
			    strcmp(v, "none") == 0 ? " (none stands alone)" :
			    "");
	}
}

/* A file key (etcd-ca, ...) that superd must be able to read, or NULL. */
static char *
gfile(cfg_t *cfg, const char *key)
{
	char	*v = gstr(cfg, key);

	if (v != NULL && access(v, R_OK) == -1)
		conf_error(cfg->filename, key_line(cfg, key), NULL,
		    "%s %s: %s", key, v, strerror(errno));
	return v;
}

/* etcd-ca, etcd-cert, etcd-key: TLS to https etcd-endpoints. */
static void
conf_etcd_tls(struct superd_conf *conf, cfg_t *cfg)
{
	size_t	i;
	int	https = 0;

	for (i = 0; conf->etcd_endpoints && conf->etcd_endpoints[i]; i++)
		if (strncmp(conf->etcd_endpoints[i], "https://", 8) == 0 &&
		    url_ok(conf->etcd_endpoints[i]))
			https = 1;
#ifndef HAVE_OPENSSL
	if (https)
		conf_error(cfg->filename, key_line(cfg, "etcd-endpoints"),
		    NULL, "https etcd-endpoints need TLS support, and this "
		    "superd was built without it (configure --with-openssl)");
#endif
	conf->etcd_ca = gfile(cfg, "etcd-ca");
	conf->etcd_cert = gfile(cfg, "etcd-cert");
	conf->etcd_key = gfile(cfg, "etcd-key");
	if ((conf->etcd_cert == NULL) != (conf->etcd_key == NULL))
		conf_error(cfg->filename, key_line(cfg, conf->etcd_cert ?
		    "etcd-cert" : "etcd-key"), NULL, "etcd-cert and etcd-key "
		    "go together (the client certificate and its key)");
	if (!https && (conf->etcd_ca || conf->etcd_cert || conf->etcd_key))
		conf_error(cfg->filename, key_line(cfg, conf->etcd_ca ?
		    "etcd-ca" : conf->etcd_cert ? "etcd-cert" : "etcd-key"),
		    NULL, "etcd-ca, etcd-cert and etcd-key are for https "
		    "etcd-endpoints, and none is https");
}

/*
 * etcd-user and etcd-password-file: the password lives in a file of its
 * own that only superd's user may read, never in superd.conf (often
 * world-readable, copied around, shown by superd -t).
 */
static void
conf_etcd_auth(struct superd_conf *conf, cfg_t *cfg)
{
	char		 buf[256];
	struct stat	 st;
	FILE		*f;
	const char	*file;
	int		 line = key_line(cfg, "etcd-password-file");
	size_t		 n;

	conf->etcd_user = gstr(cfg, "etcd-user");
	file = cfg_getstr(cfg, "etcd-password-file");
	if ((conf->etcd_user == NULL) != (file == NULL)) {
		conf_error(cfg->filename, key_line(cfg, file ? "etcd-password-file"
		    : "etcd-user"), NULL, "etcd-user and etcd-password-file go "
		    "together");
		return;
	}
	if (file == NULL)
		return;
	if ((f = fopen(file, "r")) == NULL || fstat(fileno(f), &st) == -1) {
		conf_error(cfg->filename, line, NULL, "etcd-password-file %s: "
		    "%s", file, strerror(errno));
		if (f != NULL)
			fclose(f);
		return;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (st.st_mode & (S_IRWXG | S_IRWXO))
		conf_error(cfg->filename, line, NULL, "etcd-password-file %s "
		    "is readable by others (mode %04o); chmod 600 it", file,
		    (unsigned)(st.st_mode & 07777));
	else if (buf[0] == '\0')
		conf_error(cfg->filename, line, NULL, "etcd-password-file %s "
		    "is empty", file);
	else
		conf->etcd_password = xstrdup(buf);
	explicit_bzero(buf, sizeof(buf));
}

/* The etcd keys, the host name and the addresses to advertise. */
static void
conf_export(struct superd_conf *conf, cfg_t *cfg)
{
	char	 host[256];
	size_t	 i;

	conf_export_kinds(conf, cfg);
	conf->etcd_endpoints = glist(cfg, "etcd-endpoints");
	for (i = 0; conf->etcd_endpoints && conf->etcd_endpoints[i]; i++)
		if (!url_ok(conf->etcd_endpoints[i]))
			conf_error(cfg->filename, key_line(cfg,
			    "etcd-endpoints"), NULL, "etcd-endpoints \"%s\" "
			    "is not http[s]://HOST[:PORT]",
			    conf->etcd_endpoints[i]);
	conf_etcd_tls(conf, cfg);
	conf_etcd_auth(conf, cfg);
	if ((conf->directory_export & DIR_EXPORT_ETCD) &&
	    conf->etcd_endpoints == NULL)
		conf_error(cfg->filename, key_line(cfg, "directory-export"),
		    NULL, "directory-export = etcd needs etcd-endpoints");
	conf->etcd_prefix = gstr(cfg, "etcd-prefix");
	if (conf->etcd_prefix != NULL && (conf->etcd_prefix[0] != '/' ||
	    conf->etcd_prefix[strlen(conf->etcd_prefix) - 1] != '/'))
		conf_error(cfg->filename, key_line(cfg, "etcd-prefix"), NULL,
		    "etcd-prefix \"%s\" should start and end with /",
		    conf->etcd_prefix);
	conf->etcd_ttl = gint(cfg, "etcd-ttl", 2, 3600);
	conf->host_name = gstr(cfg, "host-name");
	if (conf->host_name == NULL && gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		conf->host_name = xstrdup(host);
	}
	if (conf->host_name == NULL || conf->host_name[0] == '\0' ||
	    strchr(conf->host_name, '/') != NULL)
		conf_error(cfg->filename, key_line(cfg, "host-name"), NULL,
		    "host-name \"%s\" should be a name without /",
		    conf->host_name ? conf->host_name : "");
	conf->advertise = glist(cfg, "advertise-address");
	for (i = 0; conf->advertise && conf->advertise[i]; i++)
		if (!ip_literal(conf->advertise[i]))
			conf_error(cfg->filename, key_line(cfg,
			    "advertise-address"), NULL, "advertise-address "
			    "\"%s\" is not an IP address", conf->advertise[i]);
}

/* Global keys into conf. */
static void
conf_globals(struct superd_conf *conf, cfg_t *cfg)
{
	const char	*v;
	char		 err[CONF_ERRLEN];

	v = cfg_getstr(cfg, "log-level");
	if ((conf->log_level = log_level_from_name(v)) < 0) {
		conf_error(cfg->filename, key_line(cfg, "log-level"), NULL, "log-level \"%s\" is not "
		    "one of: err, warning, notice, info, debug", v);
		conf->log_level = LOG_INFO;
	}
	conf->max_children = gint(cfg, "max-children", 0, 1000000);
	v = cfg_getstr(cfg, "on-exit");
	if (strcmp(v, "keep") != 0 && strcmp(v, "terminate") != 0)
		conf_error(cfg->filename, key_line(cfg, "on-exit"), NULL, "on-exit \"%s\" is not "
		    "one of: keep, terminate", v);
	conf->keep_handlers = strcmp(v, "terminate") != 0;
	conf->shutdown_grace = gint(cfg, "shutdown-grace", 0, 3600);
	conf->pidfile = gstr(cfg, "pidfile");
	/* Unset: in the runtime directory (rundir.h). */
	conf->control_socket = cfg_getstr(cfg, "control-socket") != NULL ?
	    gstr(cfg, "control-socket") : conf_rundir_socket(cfg,
	    RUNDIR_CONTROL);
	conf->control_group = gstr(cfg, "control-group");
	conf->control_gid = (gid_t)-1;
	if (conf->control_group != NULL &&
	    lookup_group(conf->control_group, &conf->control_gid) == -1)
		conf_error(cfg->filename, key_line(cfg, "control-group"), NULL,
		    "control-group \"%s\" "
		    "does not exist", conf->control_group);
	conf->directory_socket = cfg_getstr(cfg, "directory-socket") != NULL ?
	    gstr(cfg, "directory-socket") : conf_rundir_socket(cfg,
	    RUNDIR_DIRECTORY);
	side_socket_check(cfg, "control-socket", conf->control_socket);
	side_socket_check(cfg, "directory-socket", conf->directory_socket);
	conf->dir_ttl_min = gint(cfg, "directory-ttl-min", 1, 86400 * 7);
	conf->dir_ttl_max = gint(cfg, "directory-ttl-max", 1, 86400 * 7);
	if (conf->dir_ttl_max < conf->dir_ttl_min)
		conf_error(cfg->filename, key_line(cfg, "directory-ttl-max"), NULL,
		    "directory-ttl-max is "
		    "below directory-ttl-min");
	conf->dir_max_entries = gint(cfg, "directory-max-entries", 1, 1000000);
	conf->dir_max_per_uid = gint(cfg, "directory-max-per-uid", 1, 1000000);
	conf->directory_listen = gstr(cfg, "directory-listen");
	if (conf->directory_listen != NULL && conf->directory_listen[0] &&
	    parse_listen_spec(conf->directory_listen, SUPERD_DIRECTORY_PORT,
	    &conf->dir_listen_addr, &conf->dir_listen_len, err) == -1)
		conf_error(cfg->filename, key_line(cfg, "directory-listen"),
		    NULL, "directory-listen %s", err);
	conf_dir_allow(conf, cfg);
	conf->line.line_timeout = gint(cfg, "line-timeout", 1, 3600);
	conf->line.oob_line_timeout = gint(cfg, "oob-line-timeout", 1, 3600);
	conf->line.idle_timeout = gint(cfg, "line-idle-timeout", 1, 86400);
	conf->line.max_conns = gint(cfg, "line-max-conns", 1, 100000);
	conf->line.max_per_peer = gint(cfg, "line-max-per-peer", 1, 100000);
	conf->line.root_reserve = gint(cfg, "line-root-reserve", 0, 100000);
	conf_export(conf, cfg);
	conf_inetd_compat(conf, cfg);
	conf_metrics(conf, cfg);
}

/* The port of an inet address. */
static int
sockaddr_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

/*
 * metrics-listen = "ADDR:PORT" (a port is needed: Prometheus is told
 * where to scrape) and metrics-allow = { prefixes }.
 */
static void
conf_metrics(struct superd_conf *conf, cfg_t *cfg)
{
	unsigned	 i, n = cfg_size(cfg, "metrics-allow");
	struct acl	*acl = &conf->metrics_allow;
	char		 err[CONF_ERRLEN];
	const char	*v = cfg_getstr(cfg, "metrics-listen");
	int		 line = key_line(cfg, "metrics-listen");

	if (v != NULL && v[0] != '\0') {
		conf->metrics_listen = gstr(cfg, "metrics-listen");
		if (parse_listen_spec(v, 0, &conf->metrics_addr,
		    &conf->metrics_len, err) == -1)
			conf_error(cfg->filename, line, NULL,
			    "metrics-listen %s", err);
		else if (sockaddr_port(&conf->metrics_addr) == 0)
			conf_error(cfg->filename, line, NULL, "metrics-listen "
			    "\"%s\": want ADDRESS:PORT (a port other than 0)",
			    v);
	}
	if (n > 0 && (acl->entries = xcalloc(n, sizeof(*acl->entries))) ==
	    NULL)
		n = 0;
	for (i = 0; i < n; i++) {
		v = cfg_getnstr(cfg, "metrics-allow", i);
		if (parse_acl_entry(v, &acl->entries[acl->n], err) == -1)
			conf_error(cfg->filename, key_line(cfg,
			    "metrics-allow"), NULL, "metrics-allow: %s", err);
		else
			acl->n++;
	}
	nomem_report(cfg->filename, key_line(cfg, "metrics-allow"), NULL);
}

/*
 * inetd-compat = "/etc/inetd.conf": only the path is kept here; the
 * lines are read by inetd_compat.c, after this parse, one by one.
 */
static void
conf_inetd_compat(struct superd_conf *conf, cfg_t *cfg)
{
	const char	*v = cfg_getstr(cfg, "inetd-compat");

	if (v == NULL || v[0] == '\0')
		return;
	if (v[0] != '/')
		conf_error(cfg->filename, key_line(cfg, "inetd-compat"), NULL,
		    "inetd-compat \"%s\" is not an absolute path", v);
	conf->inetd_compat = xstrdup(v);
}

/* Track the global keys' lines too (for range errors). */
static void
cfg_track_globals(cfg_t *cfg)
{
	size_t	i;

	for (i = 0; global_values[i] != NULL; i++)
		cfg_set_validate_func(cfg, global_values[i], record_line);
}

static struct superd_conf *
conf_new(const char *path)
{
	struct superd_conf	*conf;

	if ((conf = xcalloc(1, sizeof(*conf))) == NULL)
		return NULL;
	TAILQ_INIT(&conf->services);
	if ((conf->path = xstrdup(path)) == NULL) {
		free(conf);
		return NULL;
	}
	return conf;
}

/* Parse cfg (already read) into a new conf, or NULL after errors. */
static struct superd_conf *
conf_from_cfg(const char *path, cfg_t *cfg)
{
	struct superd_conf	*conf;
	cfg_t			*dflt = cfg_getsec(cfg, "defaults");
	const char		*dir = cfg_getstr(cfg, "include-dir");

	if ((conf = conf_new(path)) == NULL) {
		nomem_report(path, 0, NULL);
		return NULL;
	}
	conf_globals(conf, cfg);
	conf_cgroup_root(conf, cfg);
	conf->include_dir = dir ? xstrdup(dir) : default_include_dir(path);
	nomem_report(cfg->filename, dir ? key_line(cfg, "include-dir") : 0,
	    NULL);
	add_services(conf, cfg, dflt);
	add_include_dir(conf, dflt);
	if (cur->nerrors == 0)
		return conf;
	conf_free(conf);
	return NULL;
}

/*
 * Parse text under the name given (cfg_parse_buf would call it "[buf]"
 * in every message).
 */
static int
conf_parse_text(cfg_t *cfg, const char *name, const char *text)
{
	FILE	*fp;
	int	 rc;

	free(cfg->filename);
	if ((cfg->filename = xstrdup(name)) == NULL)
		return CFG_PARSE_ERROR;
	if ((fp = fmemopen((void *)text, strlen(text), "r")) == NULL) {
		nomem();
		return CFG_PARSE_ERROR;
	}
	rc = cfg_parse_fp(cfg, fp);
	fclose(fp);
	return rc;
}

/* Set up a parse context, parse a file or a buffer, build the conf. */
static struct superd_conf *
conf_run(const char *path, const char *text, FILE *errs)
{
	struct parse_ctx	 ctx;
	struct superd_conf	*conf = NULL;
	cfg_t			*cfg;
	size_t			 i;

	memset(&ctx, 0, sizeof(ctx));
	ctx.errs = errs;
	cur = &ctx;
	if ((ctx.by_name = svcindex_new()) == NULL ||
	    (ctx.by_endpoint = svcindex_new()) == NULL)
		nomem();
	if (text == NULL)
		cfg = parse_file(path, main_opts, 1);
	else {
		if ((cfg = cfg_new(main_opts, 1)) != NULL &&
		    conf_parse_text(cfg, path, text) != CFG_SUCCESS) {
			cfg_free(cfg);
			cfg = NULL;
		}
	}
	if (cfg != NULL) {
		conf = conf_from_cfg(path, cfg);
		cfg_free(cfg);
	}
	nomem_report(path, 0, NULL);
	free(ctx.lines);
	svcindex_free(ctx.by_name);
	svcindex_free(ctx.by_endpoint);
	for (i = 0; i < ctx.nnames; i++)
		free((char *)ctx.names[i].name);
	resolve_results_free(ctx.names, ctx.nnames);
	free(ctx.names);
	cur = NULL;
	return conf;
}

struct superd_conf *
conf_load(const char *path, FILE *errs)
{
	return conf_run(path, NULL, errs);
}

struct superd_conf *
conf_load_buf(const char *name, const char *text, FILE *errs)
{
	return conf_run(name, text, errs);
}

static void
strv_free(char **v)
{
	size_t	i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

static void
banner_free(struct banner *b)
{
	free(b->path);
	free(b->data);
}

void
service_conf_free(struct service_conf *sc)
{
	if (sc == NULL)
		return;
	free(sc->name);
	free(sc->file);
	free(sc->address);
	free(sc->user);
	free(sc->group);
	free(sc->groups);
	free(sc->server);
	free(sc->redirect);
	strv_free(sc->argv);
	strv_free(sc->env);
	free(sc->only_from.entries);
	free(sc->no_access.entries);
	free(sc->allow_uids);
	free(sc->allow_gids);
	strv_free(sc->env_pass);
	banner_free(&sc->banner);
	banner_free(&sc->banner_success);
	banner_free(&sc->banner_fail);
	free(sc->chroot);
	free(sc->cg.root);
	sandbox_conf_free(&sc->sandbox);
	free(sc);
}

void
conf_free(struct superd_conf *conf)
{
	struct service_conf	*sc;
	size_t			 i;

	if (conf == NULL)
		return;
	while ((sc = TAILQ_FIRST(&conf->services)) != NULL) {
		TAILQ_REMOVE(&conf->services, sc, entry);
		service_conf_free(sc);
	}
	for (i = 0; i < conf->n_dir_allow; i++)
		free(conf->dir_allow[i].name);
	free(conf->dir_allow);
	free(conf->path);
	free(conf->include_dir);
	free(conf->pidfile);
	free(conf->control_socket);
	free(conf->control_group);
	free(conf->directory_socket);
	free(conf->directory_listen);
	free(conf->inetd_compat);
	free(conf->cgroup_root);
	free(conf->metrics_listen);
	free(conf->metrics_allow.entries);
	strv_free(conf->etcd_endpoints);
	free(conf->etcd_prefix);
	free(conf->etcd_ca);
	free(conf->etcd_cert);
	free(conf->etcd_key);
	free(conf->etcd_user);
	if (conf->etcd_password != NULL)
		explicit_bzero(conf->etcd_password,
		    strlen(conf->etcd_password));
	free(conf->etcd_password);
	free(conf->host_name);
	strv_free(conf->advertise);
	free(conf);
}

int
service_conf_same_endpoint(const struct service_conf *a,
    const struct service_conf *b)
{
	return a->proto == b->proto && a->socktype == b->socktype &&
	    a->family == b->family && a->dualstack == b->dualstack &&
	    a->v6only == b->v6only && a->addrlen == b->addrlen &&
	    memcmp(&a->addr, &b->addr, a->addrlen) == 0;
}

static int
strv_equal(char **a, char **b)
{
	size_t	i;

	if (a == NULL || b == NULL)
		return a == b;
	for (i = 0; a[i] != NULL && b[i] != NULL; i++)
		if (strcmp(a[i], b[i]) != 0)
			return 0;
	return a[i] == b[i];
}

static int
str_equal(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static int
acl_equal(const struct acl *a, const struct acl *b)
{
	return a->n == b->n && (a->n == 0 ||
	    memcmp(a->entries, b->entries, a->n * sizeof(*a->entries)) == 0);
}

static int
rate_equal(const struct rate_conf *a, const struct rate_conf *b)
{
	return a->per_sec == b->per_sec && a->burst == b->burst;
}

/* Same file and same contents (a reload reads banners again). */
static int
banner_equal(const struct banner *a, const struct banner *b)
{
	return str_equal(a->path, b->path) && a->len == b->len &&
	    (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

/* Access lists and limits. */
static int
protection_equal(const struct service_conf *a, const struct service_conf *b)
{
	return acl_equal(&a->only_from, &b->only_from) &&
	    acl_equal(&a->no_access, &b->no_access) &&
	    a->n_allow_uids == b->n_allow_uids &&
	    a->n_allow_gids == b->n_allow_gids &&
	    a->per_source == b->per_source &&
	    a->per_source_prefix4 == b->per_source_prefix4 &&
	    a->per_source_prefix6 == b->per_source_prefix6 &&
	    rate_equal(&a->rate, &b->rate) &&
	    rate_equal(&a->per_source_rate, &b->per_source_rate) &&
	    a->max_load == b->max_load &&
	    banner_equal(&a->banner, &b->banner) &&
	    banner_equal(&a->banner_success, &b->banner_success) &&
	    banner_equal(&a->banner_fail, &b->banner_fail);
}

/* How the handler process is set up. */
static int
isolation_equal(const struct service_conf *a, const struct service_conf *b)
{
	return a->stderr_mode == b->stderr_mode &&
	    a->env_inherit == b->env_inherit &&
	    strv_equal(a->env_pass, b->env_pass) &&
	    str_equal(a->chroot, b->chroot) &&
	    a->set_umask == b->set_umask && a->umask == b->umask &&
	    a->set_nice == b->set_nice && a->nice == b->nice &&
	    memcmp(a->rlimits, b->rlimits, sizeof(a->rlimits)) == 0 &&
	    a->no_new_privs == b->no_new_privs && a->timeout == b->timeout &&
	    a->kill_grace == b->kill_grace && a->oob_port == b->oob_port &&
	    a->urgent == b->urgent && a->urgent_signal == b->urgent_signal &&
	    a->pass_fds == b->pass_fds && a->export == b->export &&
	    a->tcpmux == b->tcpmux && a->tcpmux_server == b->tcpmux_server &&
	    a->redirect_len == b->redirect_len &&
	    memcmp(&a->redirect_addr, &b->redirect_addr,
	    sizeof(a->redirect_addr)) == 0 &&
	    sockopt_equal(&a->sockopts, &b->sockopts);
}

int
service_conf_rpc_overlap(const struct service_conf *a,
    const struct service_conf *b)
{
	return a->rpc && b->rpc && !a->disable && !b->disable &&
	    a->proto == b->proto && a->rpc_prog == b->rpc_prog &&
	    a->rpc_vlo <= b->rpc_vhi && b->rpc_vlo <= a->rpc_vhi;
}

int
service_conf_rpc_equal(const struct service_conf *a, const struct service_conf *b)
{
	return a->rpc == b->rpc && (!a->rpc || (a->rpc_prog == b->rpc_prog &&
	    a->rpc_vlo == b->rpc_vlo && a->rpc_vhi == b->rpc_vhi));
}

int
service_conf_equal(const struct service_conf *a, const struct service_conf *b)
{
	return str_equal(a->name, b->name) &&
	    service_conf_same_endpoint(a, b) && a->port == b->port &&
	    a->type == b->type && a->wait == b->wait &&
	    service_conf_rpc_equal(a, b) &&
	    a->disable == b->disable && str_equal(a->server, b->server) &&
	    strv_equal(a->argv, b->argv) && strv_equal(a->env, b->env) &&
	    a->uid == b->uid && a->gid == b->gid &&
	    a->instances == b->instances && a->threads == b->threads &&
	    protection_equal(a, b) && isolation_equal(a, b) &&
	    cgroup_conf_equal(&a->cg, &b->cg) &&
	    sandbox_conf_equal(&a->sandbox, &b->sandbox);
}
