/*
 * test_policy.c: daemon/policy.c on a fake struct service: the UDP
 * reflection guard, access lists (longest prefix wins), peer ids,
 * per-source limits and rates, the service rate, refusal logging.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"
#include "conf_parse.h"
#include "policy.h"
#include "service.h"
#include "session.h"
#include "srctable.h"

struct fake {
	struct policy		*p;
	struct service_conf	sc;
	struct acl_entry	allow[8];
	struct acl_entry	deny[8];
	uid_t			uids[4];
	gid_t			gids[4];
};

struct addr {
	struct sockaddr_storage	ss;
	socklen_t		len;
};

static int	fake_setup(void **);
static int	fake_teardown(void **);
static void	fake_acl(struct acl *, struct acl_entry *, const char *const *);
static void	fake_rate(struct rate_conf *, const char *);
static struct addr mkaddr(const char *, int);
static int	check(struct fake *, const char *, void **);
static int	udp_ok(const char *, int);
static int	own_port_7(const struct sockaddr *, socklen_t);


/* A service with no limits at all; tests fill conf, then init. */
static int
fake_setup(void **state)
{
	struct fake	*f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	f->sc.name = (char *)"t";
	f->sc.per_source_prefix4 = 32;
	f->sc.per_source_prefix6 = 64;
	*state = f;
	return 0;
}

static int
fake_teardown(void **state)
{
	struct fake	*f = *state;

	policy_free(f->p);
	policy_free(NULL);
	free(f);
	return 0;
}

/* Fill acl from a NULL-terminated list of prefixes. */
static void
fake_acl(struct acl *acl, struct acl_entry *e, const char *const *list)
{
	char	err[CONF_ERRLEN];

	acl->entries = e;
	for (acl->n = 0; list[acl->n] != NULL; acl->n++)
		assert_int_equal(parse_acl_entry(list[acl->n], &e[acl->n],
		    err), 0);
}

static void
fake_rate(struct rate_conf *r, const char *s)
{
	char	err[CONF_ERRLEN];

	assert_int_equal(parse_rate(s, r, err), 0);
}

/* "192.0.2.1", "2001:db8::1", "::ffff:192.0.2.1" or "/path", with port. */
static struct addr
mkaddr(const char *s, int port)
{
	struct addr		 a;
	struct sockaddr_in	*s4 = (struct sockaddr_in *)&a.ss;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)&a.ss;
	struct sockaddr_un	*su = (struct sockaddr_un *)&a.ss;

	memset(&a, 0, sizeof(a));
	if (s[0] == '/') {
		su->sun_family = AF_UNIX;
		strncpy(su->sun_path, s, sizeof(su->sun_path) - 1);
		a.len = sizeof(*su);
	} else if (strchr(s, ':') != NULL) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		assert_int_equal(inet_pton(AF_INET6, s, &s6->sin6_addr), 1);
		a.len = sizeof(*s6);
	} else {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		assert_int_equal(inet_pton(AF_INET, s, &s4->sin_addr), 1);
		a.len = sizeof(*s4);
	}
	return a;
}

/* (Re)load the policy state from f->sc, as a reload does. */
static void
policy_init(struct fake *f)
{
	if (f->p == NULL)
		f->p = policy_new(&f->sc);
	else
		assert_int_equal(policy_update(f->p, &f->sc), 0);
	assert_non_null(f->p);
}

/* policy_admit for a request from s (NULL: a unix peer, no address). */
static int
check(struct fake *f, const char *s, void **ticket)
{
	struct policy_ticket	t;
	struct policy_req	q;
	struct addr		a;
	int			r;

	memset(&q, 0, sizeof(q));
	if (s != NULL) {
		a = mkaddr(s, 40000);
		q.peer = (struct sockaddr *)&a.ss;
		q.peerlen = a.len;
	}
	r = policy_admit(f->p, &f->sc, &q, &t);
	if (r != -1)
		assert_null(t.source);
	if (ticket != NULL)
		*ticket = t.source;
	return r;
}

/* policy_admit for a unix peer with credentials pc. */
static int
pcheck(struct fake *f, const struct peer_cred *pc)
{
	struct policy_ticket	t;
	struct policy_req	q = { .cred = pc };

	return policy_admit(f->p, &f->sc, &q, &t);
}

static int
udp_ok(const char *s, int port)
{
	struct addr	a = mkaddr(s, port);

	return policy_udp_source_ok((struct sockaddr *)&a.ss, a.len);
}

static int
own_port_7(const struct sockaddr *sa, socklen_t len)
{
	const struct sockaddr_in	*s4 = (const void *)sa;

	assert_true(len > 0);
	return sa->sa_family == AF_INET && ntohs(s4->sin_port) == 7007;
}

static void
test_udp_source(void **state)
{
	struct sockaddr_storage	ss;

	/* Ordinary clients. */
	assert_true(udp_ok("192.0.2.1", 40000));
	assert_true(udp_ok("127.0.0.1", 1024));
	assert_true(udp_ok("223.255.255.254", 65535));
	assert_true(udp_ok("2001:db8::1", 40000));
	assert_true(udp_ok("::1", 5353));
	assert_true(udp_ok("::ffff:192.0.2.1", 40000));
	/* Privileged source ports: other small services. */
	assert_false(udp_ok("192.0.2.1", 1023));
	assert_false(udp_ok("192.0.2.1", 7));
	assert_false(udp_ok("192.0.2.1", 0));
	assert_false(udp_ok("2001:db8::1", 53));
	assert_false(udp_ok("::ffff:192.0.2.1", 19));
	/* Broadcast, multicast, reserved, unspecified. */
	assert_false(udp_ok("255.255.255.255", 40000));
	assert_false(udp_ok("224.0.0.1", 40000));
	assert_false(udp_ok("239.255.255.250", 40000));
	assert_false(udp_ok("240.0.0.1", 40000));
	assert_false(udp_ok("0.0.0.0", 40000));
	assert_false(udp_ok("0.1.2.3", 40000));
	assert_false(udp_ok("ff02::1", 40000));
	assert_false(udp_ok("ff05::1:3", 40000));
	assert_false(udp_ok("::", 40000));
	/* v4-mapped sources are judged as IPv4. */
	assert_false(udp_ok("::ffff:255.255.255.255", 40000));
	assert_false(udp_ok("::ffff:224.0.0.251", 40000));
	assert_false(udp_ok("::ffff:0.0.0.0", 40000));
	/* Unix peers have no port; other families are refused. */
	assert_true(udp_ok("/run/x.sock", 0));
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_APPLETALK;
	assert_false(policy_udp_source_ok((struct sockaddr *)&ss,
	    sizeof(ss)));

	/* superd's own endpoints, through the hook. */
	policy_set_own_port_check(own_port_7);
	assert_false(udp_ok("127.0.0.1", 7007));
	assert_true(udp_ok("127.0.0.1", 7008));
	policy_set_own_port_check(NULL);
	assert_true(udp_ok("127.0.0.1", 7007));
}

static void
test_no_limits(void **state)
{
	struct fake	*f = *state;
	void		*t;
	int		 i;

	policy_init(f);
	assert_non_null(f->p);
	for (i = 0; i < 1000; i++) {
		assert_int_equal(check(f, "192.0.2.1", &t), -1);
		assert_null(t);
	}
	assert_int_equal(check(f, "2001:db8::1", &t), -1);
	assert_int_equal(check(f, "/run/x.sock", &t), -1);
	assert_int_equal(check(f, NULL, &t), -1);
	assert_null(t);
}

static void
test_acl_longest_wins(void **state)
{
	static const char *const allow[] = { "10.0.0.0/8", "10.1.2.0/24",
	    "2001:db8::/32", NULL };
	static const char *const deny[] = { "10.1.0.0/16", "10.9.9.9",
	    "2001:db8:bad::/48", NULL };
	struct fake	*f = *state;

	fake_acl(&f->sc.only_from, f->allow, allow);
	fake_acl(&f->sc.no_access, f->deny, deny);
	policy_init(f);

	assert_int_equal(check(f, "10.2.3.4", NULL), -1);
	/* no-access /16 is longer than only-from /8 */
	assert_int_equal(check(f, "10.1.3.4", NULL), REFUSE_ACL);
	/* only-from /24 is longer than no-access /16 */
	assert_int_equal(check(f, "10.1.2.3", NULL), -1);
	assert_int_equal(check(f, "10.9.9.9", NULL), REFUSE_ACL);
	assert_int_equal(check(f, "10.9.9.8", NULL), -1);
	/* Not in only-from at all. */
	assert_int_equal(check(f, "192.0.2.1", NULL), REFUSE_ACL);
	assert_int_equal(check(f, "2001:db9::1", NULL), REFUSE_ACL);
	assert_int_equal(check(f, "2001:db8::1", NULL), -1);
	assert_int_equal(check(f, "2001:db8:bad::1", NULL), REFUSE_ACL);
	/* A v4-mapped peer of a dual-stack socket is an IPv4 peer. */
	assert_int_equal(check(f, "::ffff:10.1.2.3", NULL), -1);
	assert_int_equal(check(f, "::ffff:10.1.3.4", NULL), REFUSE_ACL);
	assert_int_equal(check(f, "::ffff:192.0.2.1", NULL), REFUSE_ACL);
	/* Address lists do not apply to unix peers. */
	assert_int_equal(check(f, "/run/x.sock", NULL), -1);
	assert_int_equal(check(f, NULL, NULL), -1);
}

static void
test_acl_tie_and_deny_only(void **state)
{
	static const char *const same[] = { "192.0.2.0/24", NULL };
	static const char *const all4[] = { "0.0.0.0/0", NULL };
	static const char *const all6[] = { "::/0", NULL };
	static const char *const host[] = { "192.0.2.7/32", NULL };
	static const char *const none[] = { NULL };
	struct fake	*f = *state;

	/* The same prefix in both lists: no-access wins. */
	fake_acl(&f->sc.only_from, f->allow, same);
	fake_acl(&f->sc.no_access, f->deny, same);
	policy_init(f);
	assert_int_equal(check(f, "192.0.2.1", NULL), REFUSE_ACL);

	/* no-access alone: everything else is allowed. */
	fake_acl(&f->sc.only_from, f->allow, none);
	fake_acl(&f->sc.no_access, f->deny, same);
	assert_int_equal(check(f, "192.0.2.1", NULL), REFUSE_ACL);
	assert_int_equal(check(f, "192.0.3.1", NULL), -1);
	assert_int_equal(check(f, "2001:db8::1", NULL), -1);

	/* no-access 0.0.0.0/0 with only-from one host: the /32 wins. */
	fake_acl(&f->sc.only_from, f->allow, host);
	fake_acl(&f->sc.no_access, f->deny, all4);
	assert_int_equal(check(f, "192.0.2.7", NULL), -1);
	assert_int_equal(check(f, "192.0.2.8", NULL), REFUSE_ACL);
	/* IPv6 is not in only-from: refused, whatever no-access says. */
	assert_int_equal(check(f, "2001:db8::1", NULL), REFUSE_ACL);

	/* only-from ::/0 lets no IPv4 peer in. */
	fake_acl(&f->sc.only_from, f->allow, all6);
	fake_acl(&f->sc.no_access, f->deny, none);
	assert_int_equal(check(f, "2001:db8::1", NULL), -1);
	assert_int_equal(check(f, "192.0.2.1", NULL), REFUSE_ACL);
	assert_int_equal(check(f, "::ffff:192.0.2.1", NULL), REFUSE_ACL);

	/* only-from 0.0.0.0/0: every IPv4 peer. */
	fake_acl(&f->sc.only_from, f->allow, all4);
	assert_int_equal(check(f, "203.0.113.9", NULL), -1);
	assert_int_equal(check(f, "::1", NULL), REFUSE_ACL);
}

static void
test_peer_ids(void **state)
{
	struct fake		*f = *state;
	struct peer_cred	 pc;

	policy_init(f);
	/* No lists: anyone, even without credentials. */
	assert_int_equal(pcheck(f, NULL), -1);

	f->uids[0] = 1000;
	f->gids[0] = 50;
	f->sc.allow_uids = f->uids;
	f->sc.n_allow_uids = 1;
	f->sc.allow_gids = f->gids;
	f->sc.n_allow_gids = 1;
	assert_int_equal(pcheck(f, NULL), REFUSE_ACL);
	pc.uid = -1;
	pc.gid = -1;
	pc.pid = 1;
	assert_int_equal(pcheck(f, &pc), REFUSE_ACL);
	pc.uid = 1000;
	pc.gid = 1000;
	assert_int_equal(pcheck(f, &pc), -1);
	pc.uid = 1001;
	assert_int_equal(pcheck(f, &pc), REFUSE_ACL);
	pc.gid = 50;
	assert_int_equal(pcheck(f, &pc), -1);
	/* root always may. */
	pc.uid = 0;
	pc.gid = 0;
	assert_int_equal(pcheck(f, &pc), -1);
}

static void
test_per_source(void **state)
{
	struct fake	*f = *state;
	struct policy_ticket s;
	void		*t1, *t2, *t3;

	f->sc.per_source = 2;
	policy_init(f);
	assert_int_equal(check(f, "192.0.2.1", &t1), -1);
	assert_non_null(t1);
	assert_int_equal(check(f, "192.0.2.1", &t2), -1);
	assert_ptr_equal(t2, t1);
	assert_int_equal(check(f, "192.0.2.1", NULL), REFUSE_PERSOURCE);
	assert_int_equal(check(f, "::ffff:192.0.2.1", NULL), REFUSE_PERSOURCE);
	/* Other sources have their own count. */
	assert_int_equal(check(f, "192.0.2.2", &t3), -1);
	assert_non_null(t3);
	assert_ptr_not_equal(t3, t1);
	/* Unix peers are not counted per source. */
	assert_int_equal(check(f, "/run/x.sock", &t3), -1);
	assert_null(t3);

	/* A session ending gives its slot back, once. */
	memset(&s, 0, sizeof(s));
	s.source = t1;
	policy_release(&s);
	assert_null(s.source);
	policy_release(&s);
	assert_int_equal(check(f, "192.0.2.1", &t1), -1);
	assert_int_equal(check(f, "192.0.2.1", NULL), REFUSE_PERSOURCE);
	s.source = t1;
	policy_release(&s);
	s.source = t2;
	policy_release(&s);
	assert_int_equal(check(f, "192.0.2.1", &t1), -1);
	assert_int_equal(check(f, "192.0.2.1", &t2), -1);
	assert_int_equal(check(f, "192.0.2.1", NULL), REFUSE_PERSOURCE);
}

static void
test_per_source_prefix(void **state)
{
	struct fake	*f = *state;

	f->sc.per_source = 1;
	f->sc.per_source_prefix4 = 24;
	policy_init(f);
	/* IPv6: one /64 is one source. */
	assert_int_equal(check(f, "2001:db8:0:1::1", NULL), -1);
	assert_int_equal(check(f, "2001:db8:0:1:ffff::2", NULL),
	    REFUSE_PERSOURCE);
	assert_int_equal(check(f, "2001:db8:0:2::1", NULL), -1);
	/* IPv4 with per-source-prefix 24. */
	assert_int_equal(check(f, "198.51.100.1", NULL), -1);
	assert_int_equal(check(f, "198.51.100.200", NULL), REFUSE_PERSOURCE);
	assert_int_equal(check(f, "198.51.101.1", NULL), -1);
}

static void
test_per_source_rate(void **state)
{
	struct fake	*f = *state;
	void		*t;

	/* 1/min burst 3: within the test, exactly three per source. */
	fake_rate(&f->sc.per_source_rate, "1/min burst 3");
	policy_init(f);
	assert_int_equal(check(f, "192.0.2.1", &t), -1);
	/* A rate alone takes no slot: there is nothing to release. */
	assert_null(t);
	assert_int_equal(check(f, "192.0.2.1", NULL), -1);
	assert_int_equal(check(f, "192.0.2.1", NULL), -1);
	assert_int_equal(check(f, "192.0.2.1", NULL), REFUSE_SOURCE_RATE);
	assert_int_equal(check(f, "192.0.2.1", NULL), REFUSE_SOURCE_RATE);
	assert_int_equal(check(f, "192.0.2.2", NULL), -1);
	assert_int_equal(check(f, "2001:db8::1", NULL), -1);
	assert_int_equal(check(f, "2001:db8::1", NULL), -1);
	assert_int_equal(check(f, "2001:db8::2", NULL), -1);
	assert_int_equal(check(f, "2001:db8::3", NULL), REFUSE_SOURCE_RATE);
	/* Unix peers have no source. */
	assert_int_equal(check(f, NULL, NULL), -1);
}

static void
test_service_rate(void **state)
{
	struct fake	*f = *state;
	struct policy_ticket s;
	void		*t1, *t2;

	fake_rate(&f->sc.rate, "1/min burst 3");
	f->sc.per_source = 1;
	policy_init(f);
	assert_int_equal(check(f, "192.0.2.1", &t1), -1);
	assert_int_equal(check(f, "192.0.2.2", &t2), -1);
	/* Per source is checked first. */
	assert_int_equal(check(f, "192.0.2.1", NULL), REFUSE_PERSOURCE);
	assert_int_equal(check(f, NULL, NULL), -1);
	/* The service bucket is shared by every source, unix ones too. */
	assert_int_equal(check(f, "192.0.2.3", NULL), REFUSE_RATE);
	assert_int_equal(check(f, NULL, NULL), REFUSE_RATE);
	/* A refusal by rate takes no per-source slot. */
	memset(&s, 0, sizeof(s));
	s.source = t1;
	policy_release(&s);
	assert_int_equal(((struct src_entry *)t1)->active, 0);
	assert_int_equal(check(f, "192.0.2.1", NULL), REFUSE_RATE);
	assert_int_equal(((struct src_entry *)t1)->active, 0);
	assert_int_equal(check(f, "192.0.2.3", NULL), REFUSE_RATE);
	s.source = t2;
	policy_release(&s);
}

/* getloadavg, wrapped (-Wl,--wrap=getloadavg): a fixed load, counted. */
static double	fake_load = 5.0;
static int	load_reads;

int	__wrap_getloadavg(double *, int);

int
__wrap_getloadavg(double *v, int n)
{
	load_reads++;
	if (n < 1)
		return -1;
	v[0] = fake_load;
	return 1;
}

/*
 * max-load: refused (its own reason) above the threshold, admitted at
 * or below it, and the load is not read per request.
 */
static void
test_max_load(void **state)
{
	struct fake	*f = *state;
	int		 i;

	policy_init(f);
	load_reads = 0;
	assert_int_equal(check(f, "192.0.2.1", NULL), -1);	/* off */
	assert_int_equal(load_reads, 0);
	f->sc.max_load = 2;
	assert_int_equal(check(f, "192.0.2.1", NULL), REFUSE_LOAD);
	assert_int_equal(check(f, NULL, NULL), REFUSE_LOAD);
	f->sc.max_load = 10;
	assert_int_equal(check(f, "192.0.2.1", NULL), -1);
	f->sc.max_load = 5;
	assert_int_equal(check(f, "192.0.2.1", NULL), -1);	/* not above */
	for (i = 0; i < 1000; i++)
		(void)check(f, "192.0.2.1", NULL);
	/* Once a second at most: a slow run may cross one second or two. */
	assert_in_range(load_reads, 1, 3);
	assert_string_equal(refuse_reason_name(REFUSE_LOAD), "load");
	f->sc.max_load = 0;
}

/* One log line per source per minute (request.c writes it). */
static void
test_log_refusal(void **state)
{
	struct fake	*f = *state;
	struct addr	 a = mkaddr("192.0.2.1", 4242);
	struct addr	 b = mkaddr("::ffff:192.0.2.2", 4242);

	f->sc.per_source = 1;
	policy_init(f);
	assert_true(policy_should_log(f->p, (struct sockaddr *)&a.ss));
	/* The same source again within a minute: counted, not logged. */
	assert_false(policy_should_log(f->p, (struct sockaddr *)&a.ss));
	assert_true(policy_should_log(f->p, (struct sockaddr *)&b.ss));
	assert_true(policy_should_log(f->p, NULL));
	assert_false(policy_should_log(f->p, NULL));
}

/*
 * Regression (fixed; daemon/policy.c policy_service_init, called by service.c
 * service_prepare on every reload): the per-source table is freed and
 * rebuilt although running sessions hold tickets into it.  The handlers
 * still running are forgotten, so after a reload a source gets
 * per-source more connections on top of those it has ...
 */
static void
test_reload_keeps_per_source_regression(void **state)
{
	struct fake	*f = *state;
	struct policy_ticket s;
	void		*t;

	f->sc.per_source = 1;
	policy_init(f);
	assert_int_equal(check(f, "192.0.2.1", &t), -1);
	policy_init(f);		/* SIGHUP, same config */
	assert_int_equal(check(f, "192.0.2.1", NULL), REFUSE_PERSOURCE);
	memset(&s, 0, sizeof(s));
	s.source = t;
	policy_release(&s);
	assert_int_equal(check(f, "192.0.2.1", NULL), -1);
}

/*
 * ... and (same bug) the session's ticket then points into freed memory:
 * policy_release decrements a freed src_entry (AddressSanitizer:
 * heap-use-after-free).  Last, since ASan ends the program there.
 */
static void
test_reload_release_regression(void **state)
{
	struct fake	*f = *state;
	struct policy_ticket s;
	void		*t;

	f->sc.per_source = 1;
	policy_init(f);
	assert_int_equal(check(f, "192.0.2.1", &t), -1);
	policy_init(f);
	memset(&s, 0, sizeof(s));
	s.source = t;
	policy_release(&s);
	assert_null(s.source);
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, fake_setup, fake_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp_source),
		T(test_no_limits),
		T(test_acl_longest_wins),
		T(test_acl_tie_and_deny_only),
		T(test_peer_ids),
		T(test_per_source),
		T(test_per_source_prefix),
		T(test_per_source_rate),
		T(test_service_rate),
		T(test_max_load),
		T(test_log_refusal),
		T(test_reload_keeps_per_source_regression),
		T(test_reload_release_regression),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
