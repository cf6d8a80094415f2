/*
 * test_tcpmux: the pure parts of tcpmux and redirect: a client's name
 * line (daemon/tcpmux_proto.c on daemon/proto.c), the names a service may
 * have on the tcpmux port, and redirect = "HOST PORT"
 * (daemon/conf_parse.c).
 */
#include "config.h"

#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "conf_parse.h"
#include "tcpmux_proto.h"

/* Parse a copy of s (len bytes; tcpmux_parse cuts it in place). */
static enum tcpmux_ask
ask(const char *s, size_t len, char *name, const char **why)
{
	char		 buf[TCPMUX_LINE_MAX * 2];
	const char	*n;
	enum tcpmux_ask	 a;

	assert_true(len < sizeof(buf));
	memcpy(buf, s, len);
	a = tcpmux_parse(buf, len, &n, why);
	name[0] = '\0';
	if (n != NULL)
		snprintf(name, 80, "%s", n);
	return a;
}

static void
test_names(void **state)
{
	const char	*why;
	char		 name[80];

	(void)state;
	assert_int_equal(ask("echo\r", 5, name, &why), TCPMUX_ASK_NAME);
	assert_string_equal(name, "echo");
	/* A bare LF (the line server cut it): no CR at all. */
	assert_int_equal(ask("Who-Am.I", 8, name, &why), TCPMUX_ASK_NAME);
	assert_string_equal(name, "Who-Am.I");
	assert_int_equal(ask("help\r", 5, name, &why), TCPMUX_ASK_HELP);
	assert_int_equal(ask("HeLp", 4, name, &why), TCPMUX_ASK_HELP);
	/* Blanks around the name are typed by people. */
	assert_int_equal(ask("  echo \r", 8, name, &why), TCPMUX_ASK_NAME);
	assert_string_equal(name, "echo");
}

static void
test_bad_lines(void **state)
{
	const char	*why;
	char		 name[80];

	(void)state;
	assert_int_equal(ask("ec\0ho\r", 6, name, &why), TCPMUX_ASK_BAD);
	assert_string_equal(why, "NUL byte in request");
	assert_int_equal(ask("\r", 1, name, &why), TCPMUX_ASK_BAD);
	assert_int_equal(ask("", 0, name, &why), TCPMUX_ASK_BAD);
	assert_int_equal(ask("echo daytime\r", 13, name, &why),
	    TCPMUX_ASK_BAD);
	assert_string_equal(why, "one service name per line");
	assert_int_equal(ask("ec\033ho", 5, name, &why), TCPMUX_ASK_BAD);
	assert_int_equal(ask("\xc3\xa9t\xc3\xa9", 6, name, &why),
	    TCPMUX_ASK_BAD);
	assert_int_equal(ask("a b\r\r", 5, name, &why), TCPMUX_ASK_BAD);
}

static void
test_tcpmux_names(void **state)
{
	char	err[CONF_ERRLEN];

	(void)state;
	assert_int_equal(parse_tcpmux_name("whoami", err), 0);
	assert_int_equal(parse_tcpmux_name("rsync.v2-beta+x", err), 0);
	assert_int_equal(parse_tcpmux_name("help", err), -1);
	assert_non_null(strstr(err, "HELP"));
	assert_int_equal(parse_tcpmux_name("HELP", err), -1);
	assert_int_equal(parse_tcpmux_name("my_svc", err), -1);
	assert_int_equal(parse_tcpmux_name("a:b", err), -1);
	assert_int_equal(parse_tcpmux_name("", err), -1);
	assert_int_equal(parse_tcpmux_name("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", err), -1);
}

static void
test_redirect_spec(void **state)
{
	char	host[64], err[CONF_ERRLEN];
	int	port;

	(void)state;
	assert_int_equal(parse_redirect("10.0.0.2 8080", host, sizeof(host),
	    &port, err), 0);
	assert_string_equal(host, "10.0.0.2");
	assert_int_equal(port, 8080);
	assert_int_equal(parse_redirect("  backend.lan\t22 ", host,
	    sizeof(host), &port, err), 0);
	assert_string_equal(host, "backend.lan");
	assert_int_equal(port, 22);
	assert_int_equal(parse_redirect("[::1] 7", host, sizeof(host), &port,
	    err), 0);
	assert_string_equal(host, "::1");
	assert_int_equal(parse_redirect("10.0.0.2", host, sizeof(host), &port,
	    err), -1);
	assert_non_null(strstr(err, "HOST PORT"));
	assert_int_equal(parse_redirect("a 1 2", host, sizeof(host), &port,
	    err), -1);
	assert_int_equal(parse_redirect("a 70000", host, sizeof(host), &port,
	    err), -1);
	assert_int_equal(parse_redirect("a 0", host, sizeof(host), &port,
	    err), -1);
	assert_int_equal(parse_redirect("", host, sizeof(host), &port, err),
	    -1);
	assert_int_equal(parse_redirect("averyveryverylongname 1", host, 8,
	    &port, err), -1);
}

static void
test_numeric_host(void **state)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t		 len;

	(void)state;
	assert_int_equal(parse_numeric_host("127.0.0.1", 25, &ss, &len), 1);
	assert_int_equal(sin->sin_family, AF_INET);
	assert_int_equal(ntohs(sin->sin_port), 25);
	assert_int_equal(len, sizeof(*sin));
	assert_int_equal(parse_numeric_host("::1", 26, &ss, &len), 1);
	assert_int_equal(sin6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(sin6->sin6_port), 26);
	assert_int_equal(parse_numeric_host("localhost", 1, &ss, &len), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_tcpmux_names),
		cmocka_unit_test(test_redirect_spec),
		cmocka_unit_test(test_numeric_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
