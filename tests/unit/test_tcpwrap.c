/*
 * test_tcpwrap.c: daemon/tcpwrap.c against Debian's libwrap, with
 * hosts.allow and hosts.deny in a temporary directory.
 *
 * The program defines getaddrinfo, getnameinfo and the gethostby*
 * family; the dynamic linker binds libwrap's calls to these, so a name
 * lookup made by libwrap is counted here (and fails at once) instead of
 * asking a name server.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <dlfcn.h>
#include <netdb.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tcpwrap.h"

#ifdef HAVE_LIBWRAP
#include <tcpd.h>

/* The allow and deny tables the tests write, and a spare path. */
struct fixture {
	char	dir[64];
	char	allow[96];
	char	deny[96];
	char	mark[96];
};

/* Static: libwrap keeps pointers to the table paths between calls. */
static struct fixture	fixture;
static int		lookups;	/* name lookups libwrap attempted */

static void	tables(struct fixture *, const char *, const char *);
static void	sa4(struct sockaddr_storage *, const char *, int);
static void	sa6(struct sockaddr_storage *, const char *, int);
static int	allows(const char *, const char *);
static int	allows_at(const char *, const char *, const char *, int);

/* Numeric conversions go to libc; anything else would ask DNS. */
int
getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res)
{
	int	(*real)(const char *, const char *, const struct addrinfo *,
		    struct addrinfo **);

	if (hints == NULL || !(hints->ai_flags & AI_NUMERICHOST)) {
		lookups++;
		return EAI_NONAME;
	}
	*(void **)&real = dlsym(RTLD_NEXT, "getaddrinfo");
	return real(node, service, hints, res);
}

int
getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host,
    socklen_t hostlen, char *serv, socklen_t servlen, int flags)
{
	int	(*real)(const struct sockaddr *, socklen_t, char *, socklen_t,
		    char *, socklen_t, int);

	if (host != NULL && !(flags & NI_NUMERICHOST)) {
		lookups++;
		return EAI_NONAME;
	}
	*(void **)&real = dlsym(RTLD_NEXT, "getnameinfo");
	return real(sa, salen, host, hostlen, serv, servlen, flags);
}

struct hostent *
gethostbyname(const char *name)
{
	lookups++;
	return NULL;
}

struct hostent *
gethostbyaddr(const void *addr, socklen_t len, int type)
{
	lookups++;
	return NULL;
}

static int
setup(void **state)
{
	struct fixture	*fx = &fixture;

	memset(fx, 0, sizeof(*fx));
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_tcpwrap.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->allow, sizeof(fx->allow), "%.40s/hosts.allow", fx->dir);
	snprintf(fx->deny, sizeof(fx->deny), "%.40s/hosts.deny", fx->dir);
	snprintf(fx->mark, sizeof(fx->mark), "%.40s/mark", fx->dir);
	hosts_allow_table = fx->allow;
	hosts_deny_table = fx->deny;
	lookups = 0;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*fx = *state;

	unlink(fx->allow);
	unlink(fx->deny);
	unlink(fx->mark);
	rmdir(fx->dir);
	return 0;
}

/* Write both tables; NULL leaves a table absent. */
static void
tables(struct fixture *fx, const char *allow, const char *deny)
{
	const char	*path[2] = { fx->allow, fx->deny };
	const char	*text[2] = { allow, deny };
	FILE		*fp;
	int		 i;

	for (i = 0; i < 2; i++) {
		unlink(path[i]);
		if (text[i] == NULL)
			continue;
		assert_non_null(fp = fopen(path[i], "w"));
		fputs(text[i], fp);
		assert_int_equal(fclose(fp), 0);
	}
}

static void
sa4(struct sockaddr_storage *ss, const char *addr, int port)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	assert_int_equal(inet_pton(AF_INET, addr, &sin->sin_addr), 1);
}

static void
sa6(struct sockaddr_storage *ss, const char *addr, int port)
{
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	assert_int_equal(inet_pton(AF_INET6, addr, &sin6->sin6_addr), 1);
}

/* tcpwrap_allows for daemon and a client at addr, with no local end. */
static int
allows(const char *daemon, const char *addr)
{
	struct sockaddr_storage	ss;

	if (strchr(addr, ':') != NULL)
		sa6(&ss, addr, 40000);
	else
		sa4(&ss, addr, 40000);
	return tcpwrap_allows(daemon, (struct sockaddr *)&ss, sizeof(ss),
	    NULL, 0);
}

/* The same, for a client that reached local address laddr, port. */
static int
allows_at(const char *daemon, const char *addr, const char *laddr, int port)
{
	struct sockaddr_storage	c, s;

	sa4(&c, addr, 40000);
	sa4(&s, laddr, port);
	return tcpwrap_allows(daemon, (struct sockaddr *)&c,
	    sizeof(struct sockaddr_in), (struct sockaddr *)&s,
	    sizeof(struct sockaddr_in));
}

static void
test_available(void **state)
{
	assert_int_equal(tcpwrap_available(), 1);
}

/* No tables: hosts_access(5) grants everything. */
static void
test_no_tables(void **state)
{
	tables(*state, NULL, NULL);
	assert_int_equal(allows("in.fingerd", "192.0.2.1"), 1);
	assert_int_equal(allows("in.fingerd", "2001:db8::1"), 1);
}

static void
test_allow(void **state)
{
	tables(*state, "in.fingerd: 192.0.2.1\n", "ALL: ALL\n");
	assert_int_equal(allows("in.fingerd", "192.0.2.1"), 1);
	assert_int_equal(allows("in.fingerd", "192.0.2.2"), 0);
	/* The rule names another daemon. */
	assert_int_equal(allows("in.talkd", "192.0.2.1"), 0);
}

static void
test_deny(void **state)
{
	tables(*state, "", "in.fingerd: 192.0.2.0/24, 198.51.100.\n");
	assert_int_equal(allows("in.fingerd", "192.0.2.77"), 0);
	assert_int_equal(allows("in.fingerd", "198.51.100.3"), 0);
	assert_int_equal(allows("in.fingerd", "203.0.113.1"), 1);
	assert_int_equal(allows("in.talkd", "192.0.2.77"), 1);
}

/* The MOSTLY CLOSED policy, and EXCEPT in the deny table. */
static void
test_all_deny_with_exception(void **state)
{
	tables(*state, "ALL: 192.0.2.0/255.255.255.0\n", "ALL: ALL\n");
	assert_int_equal(allows("in.fingerd", "192.0.2.9"), 1);
	assert_int_equal(allows("in.fingerd", "192.0.3.9"), 0);
	assert_int_equal(allows("in.fingerd", "2001:db8::9"), 0);

	tables(*state, NULL, "ALL: ALL EXCEPT 192.0.2.7\n");
	assert_int_equal(allows("in.fingerd", "192.0.2.7"), 1);
	assert_int_equal(allows("in.fingerd", "192.0.2.8"), 0);
}

static void
test_ipv6(void **state)
{
	tables(*state, "ALL: [2001:db8:1::]/48\n",
	    "ALL: [2001:db8::]/32, 192.0.2.1\n");
	assert_int_equal(allows("in.fingerd", "2001:db8::5"), 0);
	assert_int_equal(allows("in.fingerd", "2001:db8:1::5"), 1);
	assert_int_equal(allows("in.fingerd", "2001:db9::5"), 1);
	/* A v4 client on a dual-stack socket meets the IPv4 rules. */
	assert_int_equal(allows("in.fingerd", "::ffff:192.0.2.1"), 0);
	assert_int_equal(allows("in.fingerd", "::ffff:192.0.2.2"), 1);
}

/*
 * Name rules: nothing is looked up, and they match as for a client
 * without a name.  LOCAL must not admit IPv6 clients (their numeric
 * form holds no dot).
 */
static void
test_no_lookup(void **state)
{
	tables(*state, "ALL: LOCAL, KNOWN, .example.org\n", "ALL: ALL\n");
	assert_int_equal(allows("in.fingerd", "2001:db8::1"), 0);
	assert_int_equal(allows("in.fingerd", "192.0.2.1"), 0);

	tables(*state, NULL, "ALL: .example.com, host.example.net, "
	    "PARANOID, KNOWN\n");
	assert_int_equal(allows("in.fingerd", "192.0.2.1"), 1);
	assert_int_equal(allows("in.fingerd", "2001:db8::1"), 1);

	tables(*state, NULL, "ALL: UNKNOWN\n");
	assert_int_equal(allows("in.fingerd", "192.0.2.1"), 0);
	assert_int_equal(lookups, 0);
}

/* The counter does see libwrap's lookups when it is given a socket. */
static void
test_lookup_detector(void **state)
{
	struct request_info	req;
	struct sockaddr_storage	ss;

	tables(*state, NULL, "ALL: .example.com\n");
	sa4(&ss, "192.0.2.1", 40000);
	request_init(&req, RQ_DAEMON, "in.fingerd", RQ_CLIENT_SIN, &ss,
	    RQ_USER, STRING_UNKNOWN, 0);
	sock_methods(&req);
	assert_int_equal(hosts_access(&req), 1);
	assert_true(lookups > 0);
}

/* The daemon name: a path's last component, a port, daemon@address. */
static void
test_daemon(void **state)
{
	tables(*state, NULL, "in.fingerd: ALL\n");
	assert_int_equal(allows("/usr/sbin/in.fingerd", "192.0.2.1"), 0);
	assert_int_equal(allows("/usr/sbin/in.talkd", "192.0.2.1"), 1);

	tables(*state, NULL, "79: ALL\n");
	assert_int_equal(allows_at("fingerd", "192.0.2.1", "127.0.0.1", 79),
	    0);
	assert_int_equal(allows_at("fingerd", "192.0.2.1", "127.0.0.1", 80),
	    1);

	tables(*state, NULL, "in.fingerd@127.0.0.2: ALL\n");
	assert_int_equal(allows_at("in.fingerd", "192.0.2.1", "127.0.0.2",
	    79), 0);
	assert_int_equal(allows_at("in.fingerd", "192.0.2.1", "127.0.0.1",
	    79), 1);
}

/* hosts_options(5): allow and deny decide; the rest does not act here. */
static void
test_options(void **state)
{
	struct fixture	*fx = *state;
	char		 rule[256];
	mode_t		 mask;

	tables(fx, "ALL: 192.0.2.1: deny\n", "ALL: 192.0.2.2: allow\n");
	assert_int_equal(allows("in.fingerd", "192.0.2.1"), 0);
	assert_int_equal(allows("in.fingerd", "192.0.2.2"), 1);

	/* twist would replace the handler: refused. */
	tables(fx, "ALL: ALL: twist /bin/echo go away\n", NULL);
	assert_int_equal(allows("in.fingerd", "192.0.2.1"), 0);

	/* Nothing runs, also right after a twist. */
	snprintf(rule, sizeof(rule), "ALL: ALL: spawn /usr/bin/touch %s\n",
	    fx->mark);
	tables(fx, rule, NULL);
	assert_int_equal(allows("in.fingerd", "192.0.2.1"), 1);
	snprintf(rule, sizeof(rule), "ALL: ALL: aclexec /usr/bin/touch %s\n",
	    fx->mark);
	tables(fx, rule, NULL);
	allows("in.fingerd", "192.0.2.1");
	assert_int_equal(access(fx->mark, F_OK), -1);

	/* umask and setenv would change superd itself. */
	mask = umask(022);
	tables(fx, "ALL: ALL: umask 077\n", NULL);
	assert_int_equal(allows("in.fingerd", "192.0.2.1"), 1);
	assert_int_equal(umask(mask), 022);
	tables(fx, "ALL: ALL: setenv TCPWRAP_TEST %a\n", NULL);
	assert_int_equal(allows("in.fingerd", "192.0.2.1"), 1);
	assert_null(getenv("TCPWRAP_TEST"));
	assert_int_equal(setenv("TCPWRAP_TEST", "before", 1), 0);
	assert_int_equal(allows("in.fingerd", "192.0.2.1"), 1);
	assert_string_equal(getenv("TCPWRAP_TEST"), "before");
	unsetenv("TCPWRAP_TEST");
}

/* A deny table that cannot be read refuses everyone. */
static void
test_unreadable_deny(void **state)
{
	struct fixture	*fx = *state;
	char		 bad[128];

	tables(fx, NULL, "");
	snprintf(bad, sizeof(bad), "%.80s/hosts.deny", fx->deny);
	hosts_deny_table = bad;		/* ENOTDIR, not ENOENT */
	assert_int_equal(allows("in.fingerd", "192.0.2.1"), 0);
}

static void
test_bad_input(void **state)
{
	struct sockaddr_storage	ss;

	tables(*state, NULL, NULL);
	sa4(&ss, "192.0.2.1", 1);
	assert_int_equal(tcpwrap_allows(NULL, (struct sockaddr *)&ss,
	    sizeof(ss), NULL, 0), 0);
	assert_int_equal(tcpwrap_allows("in.fingerd", (struct sockaddr *)&ss,
	    sizeof(struct sockaddr_in) - 1, NULL, 0), 0);
	ss.ss_family = AF_UNIX;
	assert_int_equal(tcpwrap_allows("in.fingerd", (struct sockaddr *)&ss,
	    sizeof(ss), NULL, 0), 0);
	assert_int_equal(tcpwrap_allows("in.fingerd", NULL, 0, NULL, 0), 0);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_available),
		T(test_no_tables),
		T(test_allow),
		T(test_deny),
		T(test_all_deny_with_exception),
		T(test_ipv6),
		T(test_no_lookup),
		T(test_lookup_detector),
		T(test_daemon),
		T(test_options),
		T(test_unreadable_deny),
		T(test_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

#else /* !HAVE_LIBWRAP */

/* Without libwrap nothing is admitted through this module. */
static void
test_unavailable(void **state)
{
	struct sockaddr_in	sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	assert_int_equal(tcpwrap_available(), 0);
	assert_int_equal(tcpwrap_allows("in.fingerd", (struct sockaddr *)&sin,
	    sizeof(sin), NULL, 0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unavailable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif /* HAVE_LIBWRAP */
