/*
 * test_addr.c: daemon/addr.c, the peer address text every request and
 * every log line carries (IPv4 and the port are formatted by hand).
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
#include <string.h>

#include <cmocka.h>

#include "addr.h"

/* sockaddr_format of an inet address given as text. */
static void
format(const char *text, int port, char *host, size_t hostlen, int *gotport)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, text, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		sockaddr_format((struct sockaddr *)s4, sizeof(*s4), host,
		    hostlen, gotport);
		return;
	}
	assert_int_equal(inet_pton(AF_INET6, text, &s6->sin6_addr), 1);
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(port);
	sockaddr_format((struct sockaddr *)s6, sizeof(*s6), host, hostlen,
	    gotport);
}

static void
test_ipv4(void **state)
{
	char	host[64];
	int	port;

	(void)state;
	format("127.0.0.1", 7, host, sizeof(host), &port);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 7);
	format("0.0.0.0", 0, host, sizeof(host), &port);
	assert_string_equal(host, "0.0.0.0");
	assert_int_equal(port, 0);
	format("255.255.255.255", 65535, host, sizeof(host), &port);
	assert_string_equal(host, "255.255.255.255");
	assert_int_equal(port, 65535);
	format("10.200.3.40", 1, host, sizeof(host), &port);
	assert_string_equal(host, "10.200.3.40");
	/* Too small for any address: inet_ntop's refusal, never overrun. */
	memset(host, 'x', sizeof(host));
	format("192.168.100.200", 1, host, 8, &port);
	assert_true(memchr(host, '\0', 8) != NULL);
	assert_int_equal(host[8], 'x');
}

static void
test_ipv6(void **state)
{
	char	host[64];
	int	port;

	(void)state;
	format("::1", 22, host, sizeof(host), &port);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 22);
	/* v4-mapped: shown as the IPv4 peer it is. */
	format("::ffff:192.0.2.33", 80, host, sizeof(host), &port);
	assert_string_equal(host, "192.0.2.33");
	format("2001:db8::ff00:42:8329", 443, host, sizeof(host), &port);
	assert_string_equal(host, "2001:db8::ff00:42:8329");
}

static void
test_unix(void **state)
{
	struct sockaddr_un	 su;
	char			 host[64];
	int			 port;

	(void)state;
	memset(&su, 0, sizeof(su));
	su.sun_family = AF_UNIX;
	sockaddr_format((struct sockaddr *)&su, sizeof(sa_family_t), host,
	    sizeof(host), &port);
	assert_string_equal(host, "unix");
	assert_int_equal(port, -1);
	strcpy(su.sun_path, "/run/x.sock");
	sockaddr_format((struct sockaddr *)&su, sizeof(su), host,
	    sizeof(host), &port);
	assert_string_equal(host, "/run/x.sock");
}

static void
test_desc(void **state)
{
	char	buf[80];

	(void)state;
	assert_string_equal(addr_desc("127.0.0.1", 7, buf, sizeof(buf)),
	    "127.0.0.1:7");
	assert_string_equal(addr_desc("::1", 65535, buf, sizeof(buf)),
	    "[::1]:65535");
	assert_string_equal(addr_desc("1.2.3.4", 0, buf, sizeof(buf)),
	    "1.2.3.4:0");
	/* Short buffers are cut, never overrun. */
	memset(buf, 'x', sizeof(buf));
	addr_desc("192.168.100.200", 12345, buf, 10);
	assert_string_equal(buf, "192.168.1");
	assert_int_equal(buf[10], 'x');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_unix),
		cmocka_unit_test(test_desc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
