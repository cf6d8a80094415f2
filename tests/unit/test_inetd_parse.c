/*
 * test_inetd_parse.c: daemon/inetd_parse.c, one inetd.conf line at a
 * time: every field, the Debian "#<off>#" mark, RPC and FreeBSD forms,
 * and the errors.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "inetd_parse.h"

static char		 buf[512];
static char		 err[INETD_ERRLEN];

static enum inetd_line	 parse(const char *, struct inetd_entry *);
static void		 test_plain(void **);
static void		 test_off(void **);
static void		 test_comments(void **);
static void		 test_families(void **);
static void		 test_rpc(void **);
static void		 test_max(void **);
static void		 test_user_group(void **);
static void		 test_host(void **);
static void		 test_unix(void **);
static void		 test_freebsd(void **);
static void		 test_bad(void **);

/* Parse a copy of s: the parser cuts its line in place. */
static enum inetd_line
parse(const char *s, struct inetd_entry *e)
{
	snprintf(buf, sizeof(buf), "%s", s);
	return inetd_parse_line(buf, e, err, sizeof(err));
}

/* A Debian line: every field where it belongs, argv[0] kept. */
static void
test_plain(void **state)
{
	struct inetd_entry	 e;

	(void)state;
	assert_int_equal(parse("finger\tstream\ttcp\tnowait\tnobody\t"
	    "/usr/sbin/tcpd\t/usr/sbin/in.fingerd -w\n", &e),
	    INETD_LINE_ENTRY);
	assert_int_equal(e.disabled, 0);
	assert_null(e.host);
	assert_string_equal(e.service, "finger");
	assert_string_equal(e.socktype, "stream");
	assert_string_equal(e.proto, "tcp");
	assert_string_equal(e.proto_col, "tcp");
	assert_int_equal(e.family, INETD_AF_BOTH);
	assert_int_equal(e.wait, 0);
	assert_int_equal(e.max, -1);
	assert_string_equal(e.user, "nobody");
	assert_null(e.group);
	assert_string_equal(e.server, "/usr/sbin/tcpd");
	assert_int_equal(e.argc, 2);
	assert_string_equal(e.argv[0], "/usr/sbin/in.fingerd");
	assert_string_equal(e.argv[1], "-w");
	assert_null(e.argv[2]);
	assert_int_equal(parse("echo dgram udp wait root internal", &e),
	    INETD_LINE_ENTRY);
	assert_string_equal(e.server, "internal");
	assert_int_equal(e.argc, 0);
	assert_int_equal(e.wait, 1);
}

/* update-inetd's mark, with or without a blank after it. */
static void
test_off(void **state)
{
	struct inetd_entry	 e;

	(void)state;
	assert_int_equal(parse("#<off># ftp\tstream\ttcp\tnowait\troot "
	    "/usr/sbin/tcpd /usr/sbin/proftpd", &e), INETD_LINE_ENTRY);
	assert_int_equal(e.disabled, 1);
	assert_string_equal(e.service, "ftp");
	assert_string_equal(e.argv[0], "/usr/sbin/proftpd");
	assert_int_equal(parse("#<off>#uucp\t\tstream\ttcp\tnowait\troot\t"
	    "/usr/sbin/tcpd\t/usr/sbin/in.uucpd", &e), INETD_LINE_ENTRY);
	assert_int_equal(e.disabled, 1);
	assert_string_equal(e.service, "uucp");
	/* A broken disabled line is an error that says it was disabled. */
	assert_int_equal(parse("#<off># ftp stream", &e), INETD_LINE_ERROR);
	assert_int_equal(e.disabled, 1);
}

static void
test_comments(void **state)
{
	struct inetd_entry	 e;

	(void)state;
	assert_int_equal(parse("", &e), INETD_LINE_NONE);
	assert_int_equal(parse("  \t\r\n", &e), INETD_LINE_NONE);
	assert_int_equal(parse("#:STANDARD: These are standard services.",
	    &e), INETD_LINE_NONE);
	assert_int_equal(parse("#discard stream tcp nowait root internal",
	    &e), INETD_LINE_NONE);
	assert_int_equal(parse("   # indented", &e), INETD_LINE_NONE);
	/* "## entry", as ftpd-ssl writes it, is a plain comment too. */
	assert_int_equal(parse("## ftp stream tcp nowait root /x", &e),
	    INETD_LINE_NONE);
}

/* Debian inetd(8): tcp is both families, tcp4/tcp6 one, tcp46 mapped. */
static void
test_families(void **state)
{
	static const struct {
		const char		*col;
		const char		*proto;
		enum inetd_family	 fam;
	} t[] = {
		{ "tcp", "tcp", INETD_AF_BOTH },
		{ "udp", "udp", INETD_AF_BOTH },
		{ "tcp4", "tcp", INETD_AF_INET },
		{ "udp4", "udp", INETD_AF_INET },
		{ "tcp6", "tcp", INETD_AF_INET6 },
		{ "udp6", "udp", INETD_AF_INET6 },
		{ "tcp46", "tcp", INETD_AF_MAPPED },
		{ "udp46", "udp", INETD_AF_MAPPED },
	};
	struct inetd_entry	 e;
	char			 line[128];
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(line, sizeof(line), "git stream %s nowait nobody "
		    "/usr/bin/git git daemon --inetd", t[i].col);
		assert_int_equal(parse(line, &e), INETD_LINE_ENTRY);
		assert_string_equal(e.proto, t[i].proto);
		assert_string_equal(e.proto_col, t[i].col);
		assert_int_equal(e.family, t[i].fam);
	}
	assert_int_equal(parse("x stream tcp,sndbuf=64k,rcvbuf=8k nowait r "
	    "/x", &e), INETD_LINE_ENTRY);
	assert_string_equal(e.proto, "tcp");
	assert_string_equal(e.proto_opts, "sndbuf=64k,rcvbuf=8k");
}

/* "name/low-high rpc/udp" and "name/version rpc/tcp". */
static void
test_rpc(void **state)
{
	struct inetd_entry	 e;

	(void)state;
	assert_int_equal(parse("rstatd/1-5\tdgram\trpc/udp\twait\tnobody\t"
	    "/usr/sbin/tcpd\t/usr/sbin/rpc.rstatd", &e), INETD_LINE_ENTRY);
	assert_int_equal(e.rpc, 1);
	assert_string_equal(e.service, "rstatd");
	assert_int_equal(e.rpc_low, 1);
	assert_int_equal(e.rpc_high, 5);
	assert_string_equal(e.proto, "udp");
	assert_int_equal(parse("rusersd/3 stream rpc/tcp nowait root /x", &e),
	    INETD_LINE_ENTRY);
	assert_int_equal(e.rpc_low, 3);
	assert_int_equal(e.rpc_high, 3);
	assert_int_equal(parse("rstatd dgram rpc/udp wait root /x", &e),
	    INETD_LINE_ERROR);
	assert_non_null(strstr(err, "name/version"));
	assert_int_equal(parse("rstatd/5-1 dgram rpc/udp wait root /x", &e),
	    INETD_LINE_ERROR);
	assert_int_equal(parse("rstatd/a dgram rpc/udp wait root /x", &e),
	    INETD_LINE_ERROR);
	assert_int_equal(parse("s/1 stream rpc/unix nowait root /x", &e),
	    INETD_LINE_ERROR);
	/* The versions go through rpcparse.c, as rpc-versions does. */
	assert_int_equal(parse("x/1-100 dgram rpc/udp wait root /x", &e),
	    INETD_LINE_ERROR);
	assert_non_null(strstr(err, "more than 64 versions"));
	assert_int_equal(parse("x/4294967296 dgram rpc/udp wait root /x", &e),
	    INETD_LINE_ERROR);
	assert_int_equal(parse("x/1- dgram rpc/udp wait root /x", &e),
	    INETD_LINE_ERROR);
	assert_int_equal(parse("x/4294967295 dgram rpc/udp wait root /x", &e),
	    INETD_LINE_ENTRY);
	assert_true(e.rpc_low == 4294967295UL && e.rpc_high == e.rpc_low);
}

/* "nowait.400": servers a minute; ":N" is the same. */
static void
test_max(void **state)
{
	struct inetd_entry	 e;

	(void)state;
	assert_int_equal(parse("swat stream tcp nowait.400 root /usr/sbin/swat "
	    "swat", &e), INETD_LINE_ENTRY);
	assert_int_equal(e.wait, 0);
	assert_int_equal(e.max, 400);
	assert_int_equal(parse("talk dgram udp wait:200 nobody /x", &e),
	    INETD_LINE_ENTRY);
	assert_int_equal(e.wait, 1);
	assert_int_equal(e.max, 200);
	assert_int_equal(parse("a stream tcp nowait.x root /x", &e),
	    INETD_LINE_ERROR);
	assert_non_null(strstr(err, "\"x\""));
	assert_int_equal(parse("a stream tcp nowait.99999999999 root /x", &e),
	    INETD_LINE_ERROR);
	assert_int_equal(parse("a stream tcp nowait. root /x", &e),
	    INETD_LINE_ERROR);
}

/* "user.group", "user:group"; ':' wins so a user may have a dot. */
static void
test_user_group(void **state)
{
	struct inetd_entry	 e;

	(void)state;
	assert_int_equal(parse("talk dgram udp wait nobody.tty /x", &e),
	    INETD_LINE_ENTRY);
	assert_string_equal(e.user, "nobody");
	assert_string_equal(e.group, "tty");
	assert_int_equal(parse("f stream tcp nowait nobody:nogroup /x", &e),
	    INETD_LINE_ENTRY);
	assert_string_equal(e.user, "nobody");
	assert_string_equal(e.group, "nogroup");
	assert_int_equal(parse("f stream tcp nowait first.last:staff /x", &e),
	    INETD_LINE_ENTRY);
	assert_string_equal(e.user, "first.last");
	assert_string_equal(e.group, "staff");
	assert_int_equal(parse("f stream tcp nowait nobody. /x", &e),
	    INETD_LINE_ERROR);
	assert_int_equal(parse("f stream tcp nowait :tty /x", &e),
	    INETD_LINE_ERROR);
}

/* "host:service", "[v6]:service", and "addr:" alone. */
static void
test_host(void **state)
{
	struct inetd_entry	 e;

	(void)state;
	assert_int_equal(parse("127.0.0.1:rsync stream tcp nowait root /x",
	    &e), INETD_LINE_ENTRY);
	assert_string_equal(e.host, "127.0.0.1");
	assert_string_equal(e.service, "rsync");
	assert_int_equal(parse("[::1]:rsync stream tcp6 nowait root /x", &e),
	    INETD_LINE_ENTRY);
	assert_string_equal(e.host, "::1");
	assert_string_equal(e.service, "rsync");
	assert_int_equal(parse("192.0.2.1:", &e), INETD_LINE_HOST);
	assert_string_equal(e.host, "192.0.2.1");
	assert_int_equal(parse("*:", &e), INETD_LINE_HOST);
	assert_string_equal(e.host, "*");
	assert_int_equal(parse(":ftp stream tcp nowait root /x", &e),
	    INETD_LINE_ERROR);
}

/* A unix socket path is taken whole, colons and all. */
static void
test_unix(void **state)
{
	struct inetd_entry	 e;

	(void)state;
	assert_int_equal(parse("/run/a:b.sock stream unix nowait root "
	    "/usr/sbin/sshd sshd -i", &e), INETD_LINE_ENTRY);
	assert_null(e.host);
	assert_string_equal(e.service, "/run/a:b.sock");
	assert_int_equal(e.family, INETD_AF_UNIX);
	assert_string_equal(e.proto, "unix");
}

/* FreeBSD "nowait/child/cpm/perip" and "user/class". */
static void
test_freebsd(void **state)
{
	struct inetd_entry	 e;

	(void)state;
	assert_int_equal(parse("ftp stream tcp nowait/10/20/3 root/daemon "
	    "/usr/libexec/ftpd ftpd -l", &e), INETD_LINE_ENTRY);
	assert_int_equal(e.fb_child, 10);
	assert_int_equal(e.fb_cpm, 20);
	assert_int_equal(e.fb_perip, 3);
	assert_string_equal(e.user, "root");
	assert_string_equal(e.login_class, "daemon");
	assert_int_equal(parse("ftp stream tcp nowait/5 root /x", &e),
	    INETD_LINE_ENTRY);
	assert_int_equal(e.fb_child, 5);
	assert_int_equal(e.fb_cpm, -1);
	assert_int_equal(parse("ftp stream tcp nowait/1/2/3/4 root /x", &e),
	    INETD_LINE_ERROR);
	assert_int_equal(parse("ftp stream tcp nowait/a root /x", &e),
	    INETD_LINE_ERROR);
}

/* Each bad line is an error with a text naming the problem. */
static void
test_bad(void **state)
{
	static const struct {
		const char	*line;
		const char	*why;
	} t[] = {
		{ "ftp stream tcp nowait root", "5 fields" },
		{ "ftp", "1 fields" },
		{ "ftp stream sctp nowait root /x", "\"sctp\"" },
		{ "ftp stream tcp sometimes root /x", "neither wait nor" },
		{ "ftp stream tcp nowait.0x root /x", "\"0x\"" },
	};
	struct inetd_entry	 e;
	char			 line[512];
	size_t			 i, n;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(parse(t[i].line, &e), INETD_LINE_ERROR);
		if (strstr(err, t[i].why) == NULL)
			fail_msg("\"%s\": \"%s\" lacks \"%s\"", t[i].line,
			    err, t[i].why);
	}
	/* INETD_MAXARGS arguments fit, one more does not. */
	n = (size_t)snprintf(line, sizeof(line), "a stream tcp nowait r /x");
	for (i = 0; i < INETD_MAXARGS; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, " a");
	assert_int_equal(parse(line, &e), INETD_LINE_ENTRY);
	assert_int_equal(e.argc, INETD_MAXARGS);
	snprintf(line + n, sizeof(line) - n, " b");
	assert_int_equal(parse(line, &e), INETD_LINE_ERROR);
	/* An error text is cut to the buffer, never overrun. */
	snprintf(buf, sizeof(buf), "x stream %0100d nowait r /x", 1);
	assert_int_equal(inetd_parse_line(buf, &e, err, 8), INETD_LINE_ERROR);
	assert_int_equal(strlen(err), 7);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_off),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_families),
		cmocka_unit_test(test_rpc),
		cmocka_unit_test(test_max),
		cmocka_unit_test(test_user_group),
		cmocka_unit_test(test_host),
		cmocka_unit_test(test_unix),
		cmocka_unit_test(test_freebsd),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
