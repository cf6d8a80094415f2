/*
 * test_sockdiag.c: the socket owner lookup behind CANCEL <source-port>:
 * /proc/net/tcp lines, matching (both ends, connected states only,
 * v4-mapped addresses), and a live loopback connection found through
 * netlink and through /proc.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sockdiag.h"

static void	 test_parse_proc(void **);
static void	 test_match(void **);
static void	 test_live(void **);
static struct sockaddr_in sin4(const char *, int);

static struct sockaddr_in
sin4(const char *a, int port)
{
	struct sockaddr_in	s;

	memset(&s, 0, sizeof(s));
	s.sin_family = AF_INET;
	s.sin_port = htons((uint16_t)port);
	assert_int_equal(inet_pton(AF_INET, a, &s.sin_addr), 1);
	return s;
}

/* Lines as the kernel prints them; the header and junk are refused. */
static void
test_parse_proc(void **state)
{
	struct sockdiag_sock	s;
	struct in_addr		a;
	struct in6_addr		a6;

	(void)state;
	assert_int_equal(sockdiag_parse_proc("   3: 0100007F:9C40 "
	    "0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000 "
	    "0 12345 1 0000000000000000 20 4 30 10 -1", AF_INET, &s), 0);
	inet_pton(AF_INET, "127.0.0.1", &a);
	assert_memory_equal(s.src, &a, 4);
	assert_memory_equal(s.dst, &a, 4);
	assert_int_equal(s.sport, 40000);
	assert_int_equal(s.dport, 8080);
	assert_int_equal(s.state, TCP_ESTABLISHED);
	assert_int_equal(s.uid, 1000);
	assert_int_equal(sockdiag_parse_proc("   0: "
	    "00000000000000000000000001000000:0016 "
	    "00000000000000000000000000000000:0000 0A 00000000:00000000 "
	    "00:00000000 00000000     0        0 42 1 0 100 0 0 10 0",
	    AF_INET6, &s), 0);
	inet_pton(AF_INET6, "::1", &a6);
	assert_memory_equal(s.src, &a6, 16);
	assert_int_equal(s.sport, 22);
	assert_int_equal(s.state, TCP_LISTEN);
	assert_int_equal(sockdiag_parse_proc("  sl  local_address rem_address "
	    "  st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
	    AF_INET, &s), -1);
	assert_int_equal(sockdiag_parse_proc("   0: 0100007F:9C40 "
	    "0100007F:1F90 01", AF_INET, &s), -1);
	/* A v6 line read as v4 (wrong width) is refused. */
	assert_int_equal(sockdiag_parse_proc("   0: "
	    "00000000000000000000000001000000:0016 "
	    "00000000000000000000000000000000:0000 0A 0:0 0:0 0 0 0 1",
	    AF_INET, &s), -1);
}

/* Both ends must match; only connected states count; mapped == v4. */
static void
test_match(void **state)
{
	struct sockaddr_in	cli = sin4("127.0.0.1", 40000);
	struct sockaddr_in	srv = sin4("127.0.0.1", 8080);
	struct sockaddr_in	any = sin4("0.0.0.0", 8080);
	struct sockaddr_in6	srv6;
	struct sockdiag_key	k;
	struct sockdiag_sock	s;

	(void)state;
	assert_int_equal(sockdiag_key(&k, (struct sockaddr *)&cli,
	    (struct sockaddr *)&srv), 0);
	memset(&s, 0, sizeof(s));
	s.family = AF_INET;
	memcpy(s.src, &cli.sin_addr, 4);
	memcpy(s.dst, &srv.sin_addr, 4);
	s.sport = 40000;
	s.dport = 8080;
	s.state = TCP_ESTABLISHED;
	assert_true(sockdiag_match(&k, &s));
	s.state = TCP_TIME_WAIT;	/* reports uid 0, whoever it was */
	assert_false(sockdiag_match(&k, &s));
	s.state = TCP_LISTEN;
	assert_false(sockdiag_match(&k, &s));
	s.state = TCP_CLOSE_WAIT;
	assert_true(sockdiag_match(&k, &s));
	s.dport = 8081;
	assert_false(sockdiag_match(&k, &s));
	s.dport = 8080;
	s.sport = 40001;
	assert_false(sockdiag_match(&k, &s));
	s.sport = 40000;
	s.src[3] = 2;			/* 127.0.0.2 */
	assert_false(sockdiag_match(&k, &s));
	/* A dual-stack socket lists v4-mapped addresses. */
	memset(&s.src, 0, 16);
	memset(&s.dst, 0, 16);
	s.family = AF_INET6;
	s.src[10] = s.src[11] = s.dst[10] = s.dst[11] = 0xff;
	memcpy(s.src + 12, &cli.sin_addr, 4);
	memcpy(s.dst + 12, &srv.sin_addr, 4);
	assert_true(sockdiag_match(&k, &s));
	/* A wildcard remote address matches any; its port still counts. */
	assert_int_equal(sockdiag_key(&k, (struct sockaddr *)&cli,
	    (struct sockaddr *)&any), 0);
	s.dst[15] = 9;
	assert_true(sockdiag_match(&k, &s));
	s.dport = 1;
	assert_false(sockdiag_match(&k, &s));
	/* A v4 client of a v6 wildcard service. */
	memset(&srv6, 0, sizeof(srv6));
	srv6.sin6_family = AF_INET6;
	srv6.sin6_port = htons(8080);
	assert_int_equal(sockdiag_key(&k, (struct sockaddr *)&cli,
	    (struct sockaddr *)&srv6), 0);
	s.dport = 8080;
	assert_true(sockdiag_match(&k, &s));
}

/* A real loopback connection: its client end is ours, both ways. */
static void
test_live(void **state)
{
	struct sockaddr_in	srv = sin4("127.0.0.1", 0), cli;
	socklen_t		len = sizeof(srv);
	uid_t			uid = (uid_t)-2;
	int			l, c, a, way;

	(void)state;
	assert_true((l = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	assert_int_equal(bind(l, (struct sockaddr *)&srv, sizeof(srv)), 0);
	assert_int_equal(listen(l, 1), 0);
	assert_int_equal(getsockname(l, (struct sockaddr *)&srv, &len), 0);
	assert_true((c = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	assert_int_equal(connect(c, (struct sockaddr *)&srv, sizeof(srv)), 0);
	assert_true((a = accept(l, NULL, NULL)) >= 0);
	len = sizeof(cli);
	assert_int_equal(getsockname(c, (struct sockaddr *)&cli, &len), 0);
	for (way = 0; way < 2; way++) {
		sockdiag_test_no_netlink(way);
		assert_int_equal(sockdiag_tcp_owner((struct sockaddr *)&cli,
		    (struct sockaddr *)&srv, &uid), SOCKDIAG_FOUND);
		assert_int_equal(uid, getuid());
		/* The server's end is not a client socket with that end. */
		assert_int_equal(sockdiag_tcp_owner((struct sockaddr *)&srv,
		    (struct sockaddr *)&srv, &uid), SOCKDIAG_NONE);
	}
	sockdiag_test_no_netlink(0);
	close(a);
	close(c);
	close(l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_proc),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_live),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
