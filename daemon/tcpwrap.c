/*
 * tcpwrap.c: hosts_access(5) through libwrap, without blocking the loop.
 *
 * Debian's inetds hand libwrap the connection (request_init with RQ_FILE,
 * then fromhost), and libwrap then resolves the client's address to a
 * name and back again whenever a rule needs a name.  They can afford to:
 * xinetd and openbsd-inetd check in the forked child.  superd checks on
 * its event loop, before any handler exists, so a slow name server would
 * stall every service.  Here libwrap gets the client's numeric address
 * and the name "unknown" (STRING_UNKNOWN), the value tcpd itself uses
 * when the address has no name, and no socket, so it has nothing to look
 * up.  Address rules (10.0.0.1, 10.0.0., 10.0.0.0/8, [2001:db8::]/32,
 * IPv4-mapped peers against IPv4 rules) work as under tcpd; name rules
 * match as for a client without a name: .example.com, KNOWN, LOCAL and
 * PARANOID never match, UNKNOWN always does.
 *
 * Why not the numeric address as the name, as hosts_ctl(d, a, a, u)
 * allows: "2001:db8::1" holds no dot, so LOCAL would match every IPv6
 * client, and the MOSTLY CLOSED example of hosts_access(5) ("ALL: LOCAL"
 * allowed, "ALL: ALL" denied) would let in the whole IPv6 Internet.
 * "unknown" errs towards refusing.
 *
 * libwrap runs in superd itself, so options of hosts_options(5) must not
 * act: dry_run (tcpdmatch's verification mode) keeps spawn, twist, user,
 * group, nice, keepalive, linger and aclexec from running.  A rule that
 * would twist clears dry_run; its client is refused, as superd cannot
 * run the command in the handler's place.  umask and setenv act even in
 * that mode, so both are put back after the check.  The user name is
 * given ("unknown") so that an rfc931 option never queries the client.
 * Netgroup patterns (@group) still ask NSS, which can be slow: use
 * addresses.
 *
 * libwrap is loaded (lib/dynlib.h) when a service first asks for it, not
 * linked: it pulls in libnsl, libtirpc and the Kerberos libraries, whose
 * relocated data was some 150 KiB of every superd's private memory.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpwrap.h"

#ifdef HAVE_LIBWRAP
#include <tcpd.h>

#include "dynlib.h"

extern char	**environ;

/* What tcpwrap_allows uses of libwrap: functions, and dry_run. */
#define WRAP_SYMS(X)	X(request_init) X(request_set) X(hosts_access) X(dry_run)

static struct {
	WRAP_SYMS(DYNLIB_POINTER)
} wrap;

/* A peer or local end, as libwrap wants it. */
struct tcpwrap_end {
	struct sockaddr_storage	 ss;
	char			 addr[INET6_ADDRSTRLEN];
};

static int	 tcpwrap_end(struct tcpwrap_end *, const struct sockaddr *,
		    socklen_t);
static const char *tcpwrap_basename(const char *);
static int	 tcpwrap_check(struct request_info *);
static char	**tcpwrap_env_save(void);
static int	 tcpwrap_env_has(char **, const char *);
static int	 tcpwrap_env_same(char **);
static void	 tcpwrap_env_restore(char **);

int
tcpwrap_available(void)
{
	return 1;
}

/* Each of WRAP_SYMS into wrap. */
DYNLIB_BINDER(tcpwrap_bind, wrap, WRAP_SYMS)

static struct dynlib	lib = DYNLIB_INITIALIZER(LIBWRAP_SONAME, tcpwrap_bind);

int
tcpwrap_load(char *err, size_t len)
{
	return dynlib_load(&lib, err, len);
}

int
tcpwrap_allows(const char *daemon, const struct sockaddr *peer,
    socklen_t len, const struct sockaddr *local, socklen_t llen)
{
	struct request_info	req;
	struct tcpwrap_end	c, s;

	char			err[256];

	if (daemon == NULL || tcpwrap_end(&c, peer, len) == -1 ||
	    tcpwrap_load(err, sizeof(err)) == -1)
		return 0;
	/* RQ_FILE -1: a "banners" option, which ignores dry_run, writes
	 * nowhere. */
	wrap.request_init(&req, RQ_FILE, -1, RQ_DAEMON, tcpwrap_basename(daemon),
	    RQ_USER, STRING_UNKNOWN, RQ_CLIENT_NAME, STRING_UNKNOWN,
	    RQ_CLIENT_ADDR, c.addr, RQ_CLIENT_SIN, &c.ss, 0);
	/* The local end serves daemon@host and port-number daemon lists. */
	if (local != NULL && tcpwrap_end(&s, local, llen) == 0)
		wrap.request_set(&req, RQ_SERVER_NAME, STRING_UNKNOWN,
		    RQ_SERVER_ADDR, s.addr, RQ_SERVER_SIN, &s.ss, 0);
	return tcpwrap_check(&req);
}

/* Copy an AF_INET or AF_INET6 address and print it: 0, or -1. */
static int
tcpwrap_end(struct tcpwrap_end *e, const struct sockaddr *sa, socklen_t len)
{
	const void	*a;

	memset(e, 0, sizeof(*e));
	if (sa == NULL)
		return -1;
	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in))
		len = sizeof(struct sockaddr_in);
	else if (sa->sa_family == AF_INET6 &&
	    len >= sizeof(struct sockaddr_in6))
		len = sizeof(struct sockaddr_in6);
	else
		return -1;
	memcpy(&e->ss, sa, len);
	if (sa->sa_family == AF_INET)
		a = &((struct sockaddr_in *)&e->ss)->sin_addr;
	else
		a = &((struct sockaddr_in6 *)&e->ss)->sin6_addr;
	if (inet_ntop(sa->sa_family, a, e->addr, sizeof(e->addr)) == NULL)
		return -1;
	return 0;
}

/* tcpd(8): only the last component of a path names the daemon. */
static const char *
tcpwrap_basename(const char *path)
{
	const char	*p;

	if ((p = strrchr(path, '/')) != NULL && p[1] != '\0')
		return p + 1;
	return path;
}

/* hosts_access in verification mode, undoing what that mode lets act. */
static int
tcpwrap_check(struct request_info *req)
{
	char	**env;
	mode_t	  mask;
	int	  ok;

	if ((env = tcpwrap_env_save()) == NULL)
		return 0;
	/* Restrictive while libwrap runs, in case another thread creates a
	 * file meanwhile. */
	mask = umask(077);
	*wrap.dry_run = 1;
	ok = wrap.hosts_access(req);
	if (*wrap.dry_run == 0) {
		/* twist: the client was to get a command, not the service. */
		ok = 0;
		*wrap.dry_run = 1;
	}
	umask(mask);
	tcpwrap_env_restore(env);
	return ok ? 1 : 0;
}

/* A copy of the environment's pointer array, or NULL. */
static char **
tcpwrap_env_save(void)
{
	char	**copy;
	size_t	  n;

	for (n = 0; environ != NULL && environ[n] != NULL; n++)
		;
	if ((copy = calloc(n + 1, sizeof(*copy))) == NULL)
		return NULL;
	if (n > 0)
		memcpy(copy, environ, n * sizeof(*copy));
	return copy;
}

/* Whether the NULL-terminated array v holds the pointer s. */
static int
tcpwrap_env_has(char **v, const char *s)
{
	for (; v != NULL && *v != NULL; v++)
		if (*v == s)
			return 1;
	return 0;
}

/* Whether environ still is the saved array, pointer for pointer. */
static int
tcpwrap_env_same(char **saved)
{
	size_t	i;

	if (environ == NULL)
		return saved[0] == NULL;
	for (i = 0; saved[i] != NULL; i++)
		if (environ[i] != saved[i])
			return 0;
	return environ[i] == NULL;
}

/*
 * Undo a setenv option.  glibc never frees the strings in environ, so
 * the saved pointers are still valid and putenv can put them back.
 */
static void
tcpwrap_env_restore(char **saved)
{
	char	  name[256];
	size_t	  i, n;

	if (tcpwrap_env_same(saved)) {
		free(saved);
		return;
	}
	for (i = 0; environ != NULL && environ[i] != NULL; i++) {
		if (tcpwrap_env_has(saved, environ[i]))
			continue;
		n = strcspn(environ[i], "=");
		if (n == 0 || n >= sizeof(name))
			continue;
		memcpy(name, environ[i], n);
		name[n] = '\0';
		if (unsetenv(name) == 0)
			i = (size_t)-1;	/* the array moved up: start again */
	}
	for (i = 0; saved[i] != NULL; i++)
		if (!tcpwrap_env_has(environ, saved[i]))
			putenv(saved[i]);
	free(saved);
}

#else /* !HAVE_LIBWRAP */

int
tcpwrap_available(void)
{
	return 0;
}

int
tcpwrap_load(char *err, size_t len)
{
	snprintf(err, len, "superd was built without libwrap");
	return -1;
}

/* Not built with libwrap: the configuration should have refused the
 * service, so refuse rather than admit unchecked. */
int
tcpwrap_allows(const char *daemon, const struct sockaddr *peer,
    socklen_t len, const struct sockaddr *local, socklen_t llen)
{
	return 0;
}

#endif /* HAVE_LIBWRAP */
