/*
 * test_conf_parse.c: daemon/conf_parse.c, the pure value parsers, with
 * every error path and boundary.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf.h"
#include "conf_parse.h"

static void	port_ok(const char *, const char *, int);
static void	port_bad(const char *, const char *, const char *);
static void	acl_ok(const char *, int, const char *, int);
static void	acl_bad(const char *, const char *);
static int	acl_match_str(const struct acl *, const char *);
static void	rate_bad(const char *, const char *);
static void	rlimit_ok(const char *, rlim_t);
static void	rlimit_bad(const char *);

/* s parses as port want. */
static void
port_ok(const char *s, const char *proto, int want)
{
	char	err[CONF_ERRLEN];
	int	port = -1;

	err[0] = '\0';
	assert_int_equal(parse_port(s, proto, &port, err), 0);
	assert_int_equal(port, want);
	assert_string_equal(err, "");
}

/* s is refused with the message want; the output is untouched. */
static void
port_bad(const char *s, const char *proto, const char *want)
{
	char	err[CONF_ERRLEN];
	int	port = 4242;

	assert_int_equal(parse_port(s, proto, &port, err), -1);
	assert_string_equal(err, want);
	assert_int_equal(port, 4242);
}

static void
test_port_numbers(void **state)
{
	port_ok("0", "tcp", 0);
	port_ok("1", "tcp", 1);
	port_ok("8080", "udp", 8080);
	port_ok("65535", "tcp", 65535);
	port_ok("00080", "tcp", 80);
	port_bad("65536", "tcp", "port 65536 out of range (0-65535)");
	port_bad("99999999999999999999999", "tcp",
	    "port 99999999999999999999999 out of range (0-65535)");
	port_bad("80x", "tcp", "port \"80x\" is not a number");
	port_bad("8 0", "tcp", "port \"8 0\" is not a number");
	port_bad("", "tcp", "port is empty");
	port_bad(NULL, "tcp", "port is empty");
}

static void
test_port_names(void **state)
{
	port_ok("echo", "tcp", 7);
	port_ok("echo", "udp", 7);
	port_ok("ssh", "tcp", 22);
	/* An alias (www for http) is a name too. */
	port_ok("www", "tcp", 80);
	port_ok("tftp", "udp", 69);
	port_bad("tftp", "tcp", "port \"tftp\" is not a number nor a tcp "
	    "service in /etc/services");
	port_bad("no-such-service", "udp", "port \"no-such-service\" is not "
	    "a number nor a udp service in /etc/services");
	port_bad("-1", "tcp", "port \"-1\" is not a number nor a tcp "
	    "service in /etc/services");
	port_bad(" 80", "tcp", "port \" 80\" is not a number nor a tcp "
	    "service in /etc/services");
}

static void
test_uint(void **state)
{
	char		err[CONF_ERRLEN];
	unsigned long	v = 7;

	assert_int_equal(parse_uint("0", 10, &v, err), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_uint("10", 10, &v, err), 0);
	assert_int_equal(v, 10);
	assert_int_equal(parse_uint("11", 10, &v, err), -1);
	assert_string_equal(err, "11 out of range (0-10)");
	assert_int_equal(v, 10);
	assert_int_equal(parse_uint("1x", 10, &v, err), -1);
	assert_string_equal(err, "\"1x\" is not a number");
	assert_int_equal(parse_uint("-1", 10, &v, err), -1);
	assert_string_equal(err, "\"-1\" is not a number");
	assert_int_equal(parse_uint("", 10, &v, err), -1);
	assert_string_equal(err, "\"\" is not a number");
	assert_int_equal(parse_uint(NULL, 10, &v, err), -1);
	assert_string_equal(err, "\"\" is not a number");
	assert_int_equal(parse_uint("99999999999999999999999", (unsigned long)-1,
	    &v, err), -1);
	assert_string_equal(err, "99999999999999999999999 out of range "
	    "(0-18446744073709551615)");
}

/* directory-listen: ADDR[:PORT], [V6][:PORT], bare V6; default port. */
static int
listen_port(const char *spec, char *addr, size_t alen, char *err)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	const void		*a;
	int			 port;

	if (parse_listen_spec(spec, 7111, &ss, &len, err) == -1)
		return -1;
	if (ss.ss_family == AF_INET) {
		a = &((struct sockaddr_in *)&ss)->sin_addr;
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	} else {
		a = &((struct sockaddr_in6 *)&ss)->sin6_addr;
		port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	inet_ntop(ss.ss_family, a, addr, (socklen_t)alen);
	return port;
}

static void
test_listen_spec(void **state)
{
	char	a[64], err[CONF_ERRLEN];

	(void)state;
	assert_int_equal(listen_port("127.0.0.1:8000", a, sizeof(a), err), 8000);
	assert_string_equal(a, "127.0.0.1");
	assert_int_equal(listen_port("127.0.0.1", a, sizeof(a), err), 7111);
	assert_int_equal(listen_port("[::1]:9", a, sizeof(a), err), 9);
	assert_string_equal(a, "::1");
	assert_int_equal(listen_port("[::1]", a, sizeof(a), err), 7111);
	assert_int_equal(listen_port("fe80::1", a, sizeof(a), err), 7111);
	assert_string_equal(a, "fe80::1");
	assert_int_equal(listen_port("127.0.0.1:99999", a, sizeof(a), err), -1);
	assert_string_equal(err, "port 99999 out of range (0-65535)");
	assert_int_equal(listen_port("[::1", a, sizeof(a), err), -1);
	assert_string_equal(err, "\"[::1\": no ] after the IPv6 address");
	assert_int_equal(listen_port("[::1]x", a, sizeof(a), err), -1);
	assert_string_equal(err, "\"[::1]x\": want [ADDRESS]:PORT");
	assert_int_equal(listen_port(":80", a, sizeof(a), err), -1);
	assert_string_equal(err, "\":80\": want ADDRESS[:PORT]");
}

static void
test_inet_any(void **state)
{
	struct service_conf	 sc;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)&sc.addr;
	char			 err[CONF_ERRLEN];

	memset(&sc, 0xa5, sizeof(sc));
	assert_int_equal(parse_inet_address("*", 7, 0, &sc, err), 0);
	assert_int_equal(sc.family, AF_INET6);
	assert_int_equal(sc.addrlen, sizeof(struct sockaddr_in6));
	assert_int_equal(s6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(s6->sin6_port), 7);
	assert_true(IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr));
	assert_int_equal(s6->sin6_scope_id, 0);
	assert_int_equal(s6->sin6_flowinfo, 0);
	assert_int_equal(sc.dualstack, 1);

	/* v6only: the wildcard is IPv6 only, no v4-mapped traffic. */
	assert_int_equal(parse_inet_address("*", 0, 1, &sc, err), 0);
	assert_int_equal(sc.family, AF_INET6);
	assert_int_equal(ntohs(s6->sin6_port), 0);
	assert_int_equal(sc.dualstack, 0);
}

static void
test_inet_v4(void **state)
{
	struct service_conf	 sc;
	struct sockaddr_in	*s4 = (struct sockaddr_in *)&sc.addr;
	char			 err[CONF_ERRLEN];

	memset(&sc, 0xa5, sizeof(sc));
	assert_int_equal(parse_inet_address("192.0.2.1", 65535, 0, &sc, err),
	    0);
	assert_int_equal(sc.family, AF_INET);
	assert_int_equal(sc.addrlen, sizeof(struct sockaddr_in));
	assert_int_equal(s4->sin_family, AF_INET);
	assert_int_equal(ntohs(s4->sin_port), 65535);
	assert_int_equal(ntohl(s4->sin_addr.s_addr), 0xc0000201);
	assert_int_equal(sc.dualstack, 0);
	/* The rest of the storage is zeroed, so endpoints memcmp equal. */
	assert_int_equal(s4->sin_zero[0], 0);
	assert_int_equal(((unsigned char *)&sc.addr)[sizeof(*s4)], 0);

	assert_int_equal(parse_inet_address("0.0.0.0", 1, 0, &sc, err), 0);
	assert_int_equal(sc.family, AF_INET);
	assert_int_equal(s4->sin_addr.s_addr, htonl(INADDR_ANY));
}

static void
test_inet_v6(void **state)
{
	struct service_conf	 sc;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)&sc.addr;
	char			 err[CONF_ERRLEN];

	memset(&sc, 0xa5, sizeof(sc));
	assert_int_equal(parse_inet_address("::1", 22, 0, &sc, err), 0);
	assert_int_equal(sc.family, AF_INET6);
	assert_int_equal(sc.addrlen, sizeof(struct sockaddr_in6));
	assert_true(IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr));
	assert_int_equal(ntohs(s6->sin6_port), 22);
	assert_int_equal(sc.dualstack, 0);

	memset(&sc, 0xa5, sizeof(sc));
	assert_int_equal(parse_inet_address("[::1]", 23, 0, &sc, err), 0);
	assert_int_equal(sc.family, AF_INET6);
	assert_true(IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr));
	assert_int_equal(ntohs(s6->sin6_port), 23);
	assert_int_equal(sc.dualstack, 0);

	assert_int_equal(parse_inet_address("[2001:db8::42]", 1, 1, &sc, err),
	    0);
	assert_int_equal(s6->sin6_addr.s6_addr[0], 0x20);
	assert_int_equal(s6->sin6_addr.s6_addr[15], 0x42);

	/* The [ ] form is for IPv6 only. */
	assert_int_equal(parse_inet_address("[192.0.2.1]", 1, 0, &sc, err),
	    -1);
	assert_string_equal(err, "address \"[192.0.2.1]\" is not an IPv6 "
	    "address");
	assert_int_equal(parse_inet_address("[]", 1, 0, &sc, err), -1);
	assert_string_equal(err, "address \"[]\" is not an IPv6 address");
	assert_int_equal(parse_inet_address("[::1", 1, 0, &sc, err), -1);
	assert_true(strncmp(err, "address \"[::1\": ", 16) == 0);
}

static void
test_inet_host(void **state)
{
	struct service_conf	 sc;
	struct sockaddr_in	*s4 = (struct sockaddr_in *)&sc.addr;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)&sc.addr;
	char			 err[CONF_ERRLEN];

	memset(&sc, 0xa5, sizeof(sc));
	assert_int_equal(parse_inet_address("localhost", 513, 0, &sc, err), 0);
	assert_int_equal(sc.dualstack, 0);
	if (sc.family == AF_INET) {
		assert_int_equal(sc.addrlen, sizeof(*s4));
		assert_int_equal(ntohl(s4->sin_addr.s_addr), INADDR_LOOPBACK);
		assert_int_equal(ntohs(s4->sin_port), 513);
	} else {
		assert_int_equal(sc.family, AF_INET6);
		assert_int_equal(sc.addrlen, sizeof(*s6));
		assert_true(IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr));
		assert_int_equal(ntohs(s6->sin6_port), 513);
	}
}

static void
test_inet_junk(void **state)
{
	struct service_conf	sc;
	char			err[CONF_ERRLEN];

	memset(&sc, 0, sizeof(sc));
	assert_int_equal(parse_inet_address("no-such-host.invalid", 1, 0,
	    &sc, err), -1);
	assert_true(strncmp(err, "address \"no-such-host.invalid\": ", 32) ==
	    0);
	assert_true(strlen(err) > 32);
	assert_int_equal(parse_inet_address("256.1.2.3.invalid", 1, 0, &sc,
	    err), -1);
	assert_true(strncmp(err, "address \"256.1.2.3.invalid\": ", 29) == 0);
	assert_int_equal(parse_inet_address("1:2:3:4:5:6:7:8:9", 1, 0, &sc,
	    err), -1);
	assert_true(strncmp(err, "address \"1:2:3:4:5:6:7:8:9\": ", 29) == 0);
}

static void
test_unix_path(void **state)
{
	struct service_conf	 sc;
	struct sockaddr_un	*sun = (struct sockaddr_un *)&sc.addr;
	char			 err[CONF_ERRLEN], path[sizeof(sun->sun_path) + 1];
	char			 want[CONF_ERRLEN + 200];

	memset(&sc, 0xa5, sizeof(sc));
	assert_int_equal(parse_unix_path("/run/x.sock", &sc, err), 0);
	assert_int_equal(sc.family, AF_UNIX);
	assert_int_equal(sc.addrlen, sizeof(struct sockaddr_un));
	assert_int_equal(sun->sun_family, AF_UNIX);
	assert_string_equal(sun->sun_path, "/run/x.sock");
	assert_int_equal(sun->sun_path[sizeof(sun->sun_path) - 1], 0);

	assert_int_equal(parse_unix_path("run/x.sock", &sc, err), -1);
	assert_string_equal(err, "address \"run/x.sock\": a unix socket needs "
	    "an absolute path");
	assert_int_equal(parse_unix_path("", &sc, err), -1);
	assert_string_equal(err, "address \"\": a unix socket needs an "
	    "absolute path");
	assert_int_equal(parse_unix_path(NULL, &sc, err), -1);
	assert_string_equal(err, "address \"\": a unix socket needs an "
	    "absolute path");

	/* The longest path that fits, with its NUL: 107 bytes on Linux. */
	memset(path, 'a', sizeof(path));
	path[0] = '/';
	path[sizeof(sun->sun_path) - 1] = '\0';
	assert_int_equal(parse_unix_path(path, &sc, err), 0);
	assert_string_equal(sun->sun_path, path);
	/* One more byte does not fit. */
	path[sizeof(sun->sun_path) - 1] = 'a';
	path[sizeof(sun->sun_path)] = '\0';
	memset(&sc, 0, sizeof(sc));
	assert_int_equal(parse_unix_path(path, &sc, err), -1);
	snprintf(want, sizeof(want), "address \"%s\": path longer than %zu "
	    "bytes", path, sizeof(sun->sun_path) - 1);
	assert_string_equal(err, want);
	assert_int_equal(sc.family, 0);
}

/* s parses as an entry of family, address a (text) and length len. */
static void
acl_ok(const char *s, int family, const char *a, int len)
{
	struct acl_entry	e;
	unsigned char		want[16];
	char			err[CONF_ERRLEN];

	memset(want, 0, sizeof(want));
	assert_int_equal(inet_pton(family, a, want), 1);
	assert_int_equal(parse_acl_entry(s, &e, err), 0);
	assert_int_equal(e.family, family);
	assert_int_equal(e.prefixlen, len);
	assert_memory_equal(e.addr, want, 16);
}

static void
acl_bad(const char *s, const char *want)
{
	struct acl_entry	e;
	char			err[CONF_ERRLEN];

	assert_int_equal(parse_acl_entry(s, &e, err), -1);
	assert_string_equal(err, want);
}

static void
test_acl_entry(void **state)
{
	acl_ok("10.0.0.0/8", AF_INET, "10.0.0.0", 8);
	acl_ok("192.0.2.7", AF_INET, "192.0.2.7", 32);
	acl_ok("0.0.0.0/0", AF_INET, "0.0.0.0", 0);
	acl_ok("192.0.2.7/32", AF_INET, "192.0.2.7", 32);
	acl_ok("::1", AF_INET6, "::1", 128);
	acl_ok("::/0", AF_INET6, "::", 0);
	acl_ok("2001:db8::/32", AF_INET6, "2001:db8::", 32);
	acl_ok("2001:db8::1/128", AF_INET6, "2001:db8::1", 128);
	acl_ok("10.0.0.0/08", AF_INET, "10.0.0.0", 8);

	acl_bad("10.0.0.0/33", "\"10.0.0.0/33\": prefix length must be 0-32");
	acl_bad("::/129", "\"::/129\": prefix length must be 0-128");
	acl_bad("10.0.0.0/", "\"10.0.0.0/\": prefix length must be 0-32");
	acl_bad("10.0.0.0/-1", "\"10.0.0.0/-1\": prefix length must be 0-32");
	acl_bad("10.0.0.0/8x", "\"10.0.0.0/8x\": prefix length must be 0-32");
	acl_bad("10.0.0.0/8/9", "\"10.0.0.0/8/9\": prefix length must be "
	    "0-32");
	acl_bad("10.0.0/8", "\"10.0.0/8\" is not an address, prefix or "
	    "host name");
	acl_bad("", "\"\" is not an address, prefix or host name");
	acl_bad("/8", "\"/8\" is not an address, prefix or host name");
	acl_bad("10.0.0", "\"10.0.0\" is not an address, prefix or host name");
	acl_bad("-x.example", "\"-x.example\" is not an address, prefix or "
	    "host name");
	acl_bad("a..b", "\"a..b\" is not an address, prefix or host name");
	/* Longer than any address with a prefix length. */
	acl_bad("0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000/1",
	    "\"0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000/1\" is "
	    "not an address, prefix or host name");
}

/* The old ADDR/NETMASK form, host names (1), and no ".domain". */
static void
test_acl_entry_forms(void **state)
{
	struct acl_entry	e;
	char			err[CONF_ERRLEN];

	acl_ok("10.1.0.0/255.255.0.0", AF_INET, "10.1.0.0", 16);
	acl_ok("192.0.2.7/255.255.255.255", AF_INET, "192.0.2.7", 32);
	acl_ok("0.0.0.0/0.0.0.0", AF_INET, "0.0.0.0", 0);
	acl_bad("10.0.0.0/255.0.255.0", "\"10.0.0.0/255.0.255.0\": netmask "
	    "255.0.255.0 is not contiguous (255.255.255.0 is /24)");
	acl_bad("10.0.0.0/255.255.0.x", "\"10.0.0.0/255.255.0.x\": netmask "
	    "255.255.0.x is not contiguous (255.255.255.0 is /24)");
	acl_bad("::/ffff::", "\"::/ffff::\": prefix length must be 0-128");
	assert_int_equal(parse_acl_entry("localhost", &e, err), 1);
	assert_int_equal(parse_acl_entry("www.example.org", &e, err), 1);
	assert_int_equal(parse_acl_entry("www.example.org.", &e, err), 1);
	assert_int_equal(parse_acl_entry("host-1.example", &e, err), 1);
	acl_bad(".example.org", "\".example.org\": a domain would need a "
	    "reverse DNS lookup of every client; write its addresses, "
	    "prefixes or host names");
	acl_bad("localhost/8", "\"localhost/8\" is not an address, prefix or "
	    "host name");
}

static void
test_load(void **state)
{
	double	v;
	char	err[CONF_ERRLEN];

	assert_int_equal(parse_load("2", &v, err), 0);
	assert_true(v == 2.0);
	assert_int_equal(parse_load("2.5", &v, err), 0);
	assert_true(v == 2.5);
	assert_int_equal(parse_load("0", &v, err), -1);
	assert_string_equal(err, "\"0\" is not a load average above 0 (such "
	    "as 2 or 2.5)");
	assert_int_equal(parse_load("-1", &v, err), -1);
	assert_int_equal(parse_load("2x", &v, err), -1);
	assert_int_equal(parse_load("nan", &v, err), -1);
	assert_int_equal(parse_load("", &v, err), -1);
}

/* acl_longest_match for a textual address. */
static int
acl_match_str(const struct acl *acl, const char *a)
{
	unsigned char	buf[16];
	int		family = strchr(a, ':') ? AF_INET6 : AF_INET;

	assert_int_equal(inet_pton(family, a, buf), 1);
	return acl_longest_match(acl, family, buf);
}

static void
test_acl_longest(void **state)
{
	static const char *const list[] = {
		"10.1.0.0/16", "10.0.0.0/8", "10.1.2.3/32", "192.168.0.0/23",
		"2001:db8::/32", "2001:db8:1::/48", "2001:db8::7/128", "::/0",
		"172.16.0.9/12", NULL
	};
	struct acl_entry	e[16];
	struct acl		acl = { e, 0 };
	char			err[CONF_ERRLEN];

	for (acl.n = 0; list[acl.n] != NULL; acl.n++)
		assert_int_equal(parse_acl_entry(list[acl.n], &e[acl.n], err),
		    0);

	/* Longest prefix wins, whatever the order of the list. */
	assert_int_equal(acl_match_str(&acl, "10.1.2.3"), 32);
	assert_int_equal(acl_match_str(&acl, "10.1.2.4"), 16);
	assert_int_equal(acl_match_str(&acl, "10.2.0.1"), 8);
	/* ::/0 is IPv6 only: it never matches an IPv4 address. */
	assert_int_equal(acl_match_str(&acl, "11.0.0.1"), -1);
	/* A prefix that does not end on a byte boundary. */
	assert_int_equal(acl_match_str(&acl, "192.168.1.255"), 23);
	assert_int_equal(acl_match_str(&acl, "192.168.2.0"), -1);
	/* Host bits set in the entry do not matter. */
	assert_int_equal(acl_match_str(&acl, "172.31.255.255"), 12);
	assert_int_equal(acl_match_str(&acl, "172.32.0.0"), -1);

	assert_int_equal(acl_match_str(&acl, "2001:db8::7"), 128);
	assert_int_equal(acl_match_str(&acl, "2001:db8::8"), 32);
	assert_int_equal(acl_match_str(&acl, "2001:db8:1::8"), 48);
	assert_int_equal(acl_match_str(&acl, "2001:db9::1"), 0);
	assert_int_equal(acl_match_str(&acl, "::1"), 0);
	/* A v4-mapped address is IPv6 here; the v4 entries do not apply. */
	assert_int_equal(acl_match_str(&acl, "::ffff:10.1.2.3"), 0);

	/* An empty list matches nothing. */
	acl.n = 0;
	assert_int_equal(acl_match_str(&acl, "10.1.2.3"), -1);

	/* 0.0.0.0/0 matches every IPv4 address and no IPv6 one. */
	assert_int_equal(parse_acl_entry("0.0.0.0/0", &e[0], err), 0);
	acl.n = 1;
	assert_int_equal(acl_match_str(&acl, "255.255.255.255"), 0);
	assert_int_equal(acl_match_str(&acl, "0.0.0.0"), 0);
	assert_int_equal(acl_match_str(&acl, "::"), -1);
}

static void
test_acl_entry_match(void **state)
{
	struct acl_entry	e;
	unsigned char		a[16];
	char			err[CONF_ERRLEN];

	assert_int_equal(parse_acl_entry("192.0.2.0/25", &e, err), 0);
	assert_int_equal(inet_pton(AF_INET, "192.0.2.127", a), 1);
	assert_true(acl_entry_match(&e, AF_INET, a));
	assert_int_equal(inet_pton(AF_INET, "192.0.2.128", a), 1);
	assert_false(acl_entry_match(&e, AF_INET, a));
	/* The same bytes in the other family never match. */
	memset(a, 0, sizeof(a));
	a[0] = 192;
	a[2] = 2;
	assert_false(acl_entry_match(&e, AF_INET6, a));

	assert_int_equal(parse_acl_entry("2001:db8::1/127", &e, err), 0);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::", a), 1);
	assert_true(acl_entry_match(&e, AF_INET6, a));
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::2", a), 1);
	assert_false(acl_entry_match(&e, AF_INET6, a));
}

/* s is refused as a rate with message want. */
static void
rate_bad(const char *s, const char *want)
{
	struct rate_conf	r = { 12.5, 7 };
	char			err[CONF_ERRLEN];

	assert_int_equal(parse_rate(s, &r, err), -1);
	assert_string_equal(err, want);
}

#define RATE_SYNTAX(s)	"rate \"" s "\": expected N/s or N/min (N > 0), " \
	"optionally followed by \"burst M\""

static void
test_rate(void **state)
{
	struct rate_conf	r;
	char			err[CONF_ERRLEN];

	memset(&r, 0, sizeof(r));
	assert_int_equal(parse_rate("100/s", &r, err), 0);
	assert_true(r.per_sec == 100.0);
	assert_int_equal(r.burst, 100);
	assert_int_equal(parse_rate("100/sec", &r, err), 0);
	assert_true(r.per_sec == 100.0);
	assert_int_equal(parse_rate("100/s burst 200", &r, err), 0);
	assert_true(r.per_sec == 100.0);
	assert_int_equal(r.burst, 200);
	assert_int_equal(parse_rate("100/s   burst 1", &r, err), 0);
	assert_int_equal(r.burst, 1);
	assert_int_equal(parse_rate("1/s burst 1000000", &r, err), 0);
	assert_int_equal(r.burst, 1000000);
	assert_int_equal(parse_rate("6/min", &r, err), 0);
	assert_true(r.per_sec > 0.0999 && r.per_sec < 0.1001);
	assert_int_equal(r.burst, 6);
	assert_int_equal(parse_rate("30/m", &r, err), 0);
	assert_true(r.per_sec == 0.5);
	/* The default burst is N, and at least 1. */
	assert_int_equal(parse_rate("1/min", &r, err), 0);
	assert_int_equal(r.burst, 1);
	assert_int_equal(parse_rate("1/s", &r, err), 0);
	assert_int_equal(r.burst, 1);
}

static void
test_rate_bad(void **state)
{
	rate_bad("0/s", RATE_SYNTAX("0/s"));
	rate_bad("0/min burst 5", RATE_SYNTAX("0/min burst 5"));
	rate_bad("", RATE_SYNTAX(""));
	rate_bad("100", RATE_SYNTAX("100"));
	rate_bad("100/", RATE_SYNTAX("100/"));
	rate_bad("/s", RATE_SYNTAX("/s"));
	rate_bad("x/s", RATE_SYNTAX("x/s"));
	rate_bad("100/S", RATE_SYNTAX("100/S"));
	rate_bad("100/h", "rate \"100/h\": unit must be /s or /min");
	rate_bad("100/hour", "rate \"100/hour\": unit must be /s or /min");
	rate_bad("100/seconds", "rate \"100/seconds\": unit must be /s or "
	    "/min");
	rate_bad("100/s burst", "rate: \"burst\" should be \"burst M\" "
	    "(1-1000000)");
	rate_bad("100/s burst 0", "rate: \"burst 0\" should be \"burst M\" "
	    "(1-1000000)");
	rate_bad("100/s burst 1000001", "rate: \"burst 1000001\" should be "
	    "\"burst M\" (1-1000000)");
	rate_bad("100/s burst -5", "rate: \"burst -5\" should be \"burst M\" "
	    "(1-1000000)");
	rate_bad("100/s burst 20x", "rate: \"burst 20x\" should be \"burst "
	    "M\" (1-1000000)");
	rate_bad("100/s burst 20 30", "rate: \"burst 20 30\" should be "
	    "\"burst M\" (1-1000000)");
	rate_bad("100/s junk", "rate: \"junk\" should be \"burst M\" "
	    "(1-1000000)");
}

/*
 * Regression (fixed; daemon/conf_parse.c parse_rate): sscanf("%lu") takes a minus sign,
 * so "-1/s" is read as ULONG_MAX per second with a burst of 4294967295:
 * a typo silently turns the limit off.  A negative rate must be refused
 * like 0 is.
 */
static void
test_rate_negative_regression(void **state)
{
	rate_bad("-1/s", RATE_SYNTAX("-1/s"));
	rate_bad("-100/min", RATE_SYNTAX("-100/min"));
}

static void
rlimit_ok(const char *s, rlim_t want)
{
	rlim_t	v = 0;
	char	err[CONF_ERRLEN];

	assert_int_equal(parse_rlimit(s, &v, err), 0);
	assert_true(v == want);
}

static void
rlimit_bad(const char *s)
{
	rlim_t	v = 42;
	char	err[CONF_ERRLEN], want[CONF_ERRLEN];

	assert_int_equal(parse_rlimit(s, &v, err), -1);
	if (*s >= '0' && *s <= '9')
		snprintf(want, sizeof(want), "\"%s\" is not a number (suffix "
		    "K, M or G)", s);
	else
		snprintf(want, sizeof(want), "\"%s\" is not a number or "
		    "\"unlimited\"", s);
	assert_string_equal(err, want);
	assert_true(v == 42);
}

static void
test_rlimit(void **state)
{
	rlimit_ok("0", 0);
	rlimit_ok("1024", 1024);
	rlimit_ok("10k", 10 * 1024);
	rlimit_ok("10K", 10 * 1024);
	rlimit_ok("3m", 3 * 1024 * 1024);
	rlimit_ok("3M", 3 * 1024 * 1024);
	rlimit_ok("2g", (rlim_t)2 << 30);
	rlimit_ok("2G", (rlim_t)2 << 30);
	rlimit_ok("unlimited", RLIM_INFINITY);
	rlimit_ok("infinity", RLIM_INFINITY);

	rlimit_bad("");
	rlimit_bad("junk");
	rlimit_bad("-1");
	rlimit_bad(" 1");
	rlimit_bad("Unlimited");
	rlimit_bad("10T");
	rlimit_bad("10KB");
	rlimit_bad("10 K");
	rlimit_bad("1.5G");
	rlimit_bad("99999999999999999999999");
}

/*
 * Regression (fixed; daemon/conf_parse.c parse_rlimit): the K/M/G shift is not checked
 * for overflow, so "17179869184G" (2^64 bytes) wraps to 0 and a huge
 * limit becomes the smallest one.  It must be refused like any number
 * too big for rlim_t.
 */
static void
test_rlimit_overflow_regression(void **state)
{
	rlimit_bad("17179869184G");
	rlimit_bad("18014398509481984K");
}

static void
test_octal(void **state)
{
	mode_t	m = 0;
	char	err[CONF_ERRLEN];

	assert_int_equal(parse_octal("0660", 07777, &m, err), 0);
	assert_int_equal(m, 0660);
	assert_int_equal(parse_octal("660", 07777, &m, err), 0);
	assert_int_equal(m, 0660);
	assert_int_equal(parse_octal("0", 0777, &m, err), 0);
	assert_int_equal(m, 0);
	assert_int_equal(parse_octal("0777", 0777, &m, err), 0);
	assert_int_equal(m, 0777);
	assert_int_equal(parse_octal("07777", 07777, &m, err), 0);
	assert_int_equal(m, 07777);

	m = 0123;
	assert_int_equal(parse_octal("01000", 0777, &m, err), -1);
	assert_string_equal(err, "\"01000\" is not an octal mode (0-777)");
	assert_int_equal(parse_octal("010000", 07777, &m, err), -1);
	assert_string_equal(err, "\"010000\" is not an octal mode (0-7777)");
	assert_int_equal(parse_octal("0668", 07777, &m, err), -1);
	assert_string_equal(err, "\"0668\" is not an octal mode (0-7777)");
	assert_int_equal(parse_octal("rw", 07777, &m, err), -1);
	assert_string_equal(err, "\"rw\" is not an octal mode (0-7777)");
	assert_int_equal(parse_octal("-1", 07777, &m, err), -1);
	assert_string_equal(err, "\"-1\" is not an octal mode (0-7777)");
	assert_int_equal(parse_octal("", 07777, &m, err), -1);
	assert_string_equal(err, "empty octal mode");
	assert_int_equal(m, 0123);
}

static void
test_prefixes(void **state)
{
	int	p4 = -1, p6 = -1;
	char	err[CONF_ERRLEN];

	assert_int_equal(parse_prefixes("32/64", &p4, &p6, err), 0);
	assert_int_equal(p4, 32);
	assert_int_equal(p6, 64);
	assert_int_equal(parse_prefixes("1/1", &p4, &p6, err), 0);
	assert_int_equal(p4, 1);
	assert_int_equal(p6, 1);
	assert_int_equal(parse_prefixes("24/128", &p4, &p6, err), 0);
	assert_int_equal(p4, 24);
	assert_int_equal(p6, 128);
	/* A single number sets the IPv4 length only. */
	p6 = 56;
	assert_int_equal(parse_prefixes("24", &p4, &p6, err), 0);
	assert_int_equal(p4, 24);
	assert_int_equal(p6, 56);
	assert_int_equal(parse_prefixes("32", &p4, &p6, err), 0);
	assert_int_equal(p4, 32);

	p4 = p6 = 9;
	assert_int_equal(parse_prefixes("0/64", &p4, &p6, err), -1);
	assert_string_equal(err, "\"0/64\": IPv4 prefix 1-32, IPv6 1-128");
	assert_int_equal(parse_prefixes("33/64", &p4, &p6, err), -1);
	assert_string_equal(err, "\"33/64\": IPv4 prefix 1-32, IPv6 1-128");
	assert_int_equal(parse_prefixes("32/0", &p4, &p6, err), -1);
	assert_string_equal(err, "\"32/0\": IPv4 prefix 1-32, IPv6 1-128");
	assert_int_equal(parse_prefixes("32/129", &p4, &p6, err), -1);
	assert_string_equal(err, "\"32/129\": IPv4 prefix 1-32, IPv6 1-128");
	assert_int_equal(parse_prefixes("-1/64", &p4, &p6, err), -1);
	assert_string_equal(err, "\"-1/64\": IPv4 prefix 1-32, IPv6 1-128");
	assert_int_equal(parse_prefixes("33", &p4, &p6, err), -1);
	assert_string_equal(err, "\"33\" should be \"V4LEN/V6LEN\", e.g. "
	    "\"32/64\"");
	assert_int_equal(parse_prefixes("0", &p4, &p6, err), -1);
	assert_string_equal(err, "\"0\" should be \"V4LEN/V6LEN\", e.g. "
	    "\"32/64\"");
	assert_int_equal(parse_prefixes("32/64x", &p4, &p6, err), -1);
	assert_string_equal(err, "\"32/64x\" should be \"V4LEN/V6LEN\", "
	    "e.g. \"32/64\"");
	assert_int_equal(parse_prefixes("", &p4, &p6, err), -1);
	assert_string_equal(err, "\"\" should be \"V4LEN/V6LEN\", e.g. "
	    "\"32/64\"");
	assert_int_equal(parse_prefixes("/64", &p4, &p6, err), -1);
	assert_int_equal(parse_prefixes("abc", &p4, &p6, err), -1);
	assert_int_equal(p4, 9);
	assert_int_equal(p6, 9);
}

#define SIGNAME_ERR(s)	"\"" s "\" is not a signal name (TERM, INT, HUP, " \
	"KILL, URG, USR1, ...)"
#define SIGNUM_ERR(s)	"\"" s "\" is not a signal number (1-64)"

static void
test_signal(void **state)
{
	static const struct {
		const char	*name;
		int		 sig;
	} ok[] = {
		{ "TERM", SIGTERM }, { "SIGTERM", SIGTERM }, { "15", SIGTERM },
		{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT },
		{ "KILL", SIGKILL }, { "SIGKILL", SIGKILL }, { "USR1", SIGUSR1 },
		{ "USR2", SIGUSR2 }, { "URG", SIGURG }, { "SIGURG", SIGURG },
		{ "ALRM", SIGALRM }, { "CONT", SIGCONT }, { "STOP", SIGSTOP },
		{ "1", 1 }, { "64", 64 },
	};
	size_t	i;
	int	sig;
	char	err[CONF_ERRLEN];

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		sig = -1;
		assert_int_equal(parse_signal(ok[i].name, &sig, err), 0);
		assert_int_equal(sig, ok[i].sig);
	}
	sig = -1;
	assert_int_equal(parse_signal("0", &sig, err), -1);
	assert_string_equal(err, SIGNUM_ERR("0"));
	assert_int_equal(parse_signal("65", &sig, err), -1);
	assert_string_equal(err, SIGNUM_ERR("65"));
	assert_int_equal(parse_signal("15x", &sig, err), -1);
	assert_string_equal(err, SIGNUM_ERR("15x"));
	assert_int_equal(parse_signal("BOGUS", &sig, err), -1);
	assert_string_equal(err, SIGNAME_ERR("BOGUS"));
	assert_int_equal(parse_signal("SIGBOGUS", &sig, err), -1);
	assert_string_equal(err, SIGNAME_ERR("SIGBOGUS"));
	assert_int_equal(parse_signal("SIG", &sig, err), -1);
	assert_string_equal(err, SIGNAME_ERR("SIG"));
	assert_int_equal(parse_signal("SIG15", &sig, err), -1);
	assert_string_equal(err, SIGNAME_ERR("SIG15"));
	assert_int_equal(parse_signal("", &sig, err), -1);
	assert_string_equal(err, SIGNAME_ERR(""));
	assert_int_equal(parse_signal("-15", &sig, err), -1);
	assert_string_equal(err, SIGNAME_ERR("-15"));
	assert_int_equal(sig, -1);
}

static void
test_service_name(void **state)
{
	assert_true(valid_service_name("echo"));
	assert_true(valid_service_name("a"));
	assert_true(valid_service_name("x-y-z"));
	assert_true(valid_service_name("http2"));
	assert_true(valid_service_name("abcdefghijklmno"));	/* 15 */

	assert_false(valid_service_name(""));
	assert_false(valid_service_name("abcdefghijklmnop"));	/* 16 */
	assert_false(valid_service_name("-echo"));
	assert_false(valid_service_name("echo-"));
	assert_false(valid_service_name("-"));
	assert_false(valid_service_name("Echo"));
	assert_false(valid_service_name("my_svc"));
	assert_false(valid_service_name("my.svc"));
	assert_false(valid_service_name("my svc"));
	assert_false(valid_service_name("caf\xc3\xa9"));
	assert_false(valid_service_name("a--b"));		/* RFC 6335 */
	assert_false(valid_service_name("1234"));		/* no letter */
	assert_true(valid_service_name("9p"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_port_numbers),
		cmocka_unit_test(test_port_names),
		cmocka_unit_test(test_uint),
		cmocka_unit_test(test_listen_spec),
		cmocka_unit_test(test_inet_any),
		cmocka_unit_test(test_inet_v4),
		cmocka_unit_test(test_inet_v6),
		cmocka_unit_test(test_inet_host),
		cmocka_unit_test(test_inet_junk),
		cmocka_unit_test(test_unix_path),
		cmocka_unit_test(test_acl_entry),
		cmocka_unit_test(test_acl_entry_forms),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_acl_longest),
		cmocka_unit_test(test_acl_entry_match),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_rate_bad),
		cmocka_unit_test(test_rate_negative_regression),
		cmocka_unit_test(test_rlimit),
		cmocka_unit_test(test_rlimit_overflow_regression),
		cmocka_unit_test(test_octal),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_signal),
		cmocka_unit_test(test_service_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
