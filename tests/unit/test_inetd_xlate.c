/*
 * test_inetd_xlate.c: daemon/inetd_xlate.c, the translation of a parsed
 * inetd.conf line that superd-convert and superd's inetd-compat share:
 * addresses per family, builtins, limits, arguments, names and what is
 * refused.
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
#include "inetd_xlate.h"

static char			 buf[512];
static struct inetd_entry	 e;
static struct inetd_svc		 s;
static char			 said[2048];
static int			 fails, notes;

static void	 say(void *, int, const char *);
static int	 xlate(const char *, const char *);
static void	 test_exec(void **);
static void	 test_families(void **);
static void	 test_internal(void **);
static void	 test_limits(void **);
static void	 test_unix(void **);
static void	 test_rpc(void **);
static void	 test_refused(void **);
static void	 test_keys(void **);

/* Collect what the translation says. */
static void
say(void *arg, int fail, const char *msg)
{
	(void)arg;
	if (fail)
		fails++;
	else
		notes++;
	snprintf(said + strlen(said), sizeof(said) - strlen(said), "%s\n",
	    msg);
}

/* Parse a copy of line and translate it. */
static int
xlate(const char *line, const char *defaddr)
{
	char	 err[INETD_ERRLEN];

	snprintf(buf, sizeof(buf), "%s", line);
	said[0] = '\0';
	fails = notes = 0;
	assert_int_equal(inetd_parse_line(buf, &e, err, sizeof(err)),
	    INETD_LINE_ENTRY);
	return inetd_xlate(&e, defaddr, &s, say, NULL);
}

/* A Debian tcpd line: exec, "*", argv0 kept apart from the args. */
static void
test_exec(void **state)
{
	(void)state;
	assert_int_equal(xlate("finger stream tcp nowait nobody.nogroup "
	    "/usr/sbin/tcpd /usr/sbin/in.fingerd -w", ""), 0);
	assert_string_equal(s.name, "finger");
	assert_string_equal(s.alt, "");
	assert_string_equal(s.key[IX_TYPE], "exec");
	assert_string_equal(s.key[IX_SOCKET], "stream");
	assert_string_equal(s.key[IX_PROTOCOL], "tcp");
	assert_string_equal(s.key[IX_ADDRESS], "*");
	assert_null(s.key[IX_V6ONLY]);
	assert_string_equal(s.key[IX_PORT], "finger");
	assert_string_equal(s.key[IX_WAIT], "no");
	assert_string_equal(s.key[IX_USER], "nobody");
	assert_string_equal(s.key[IX_GROUP], "nogroup");
	assert_string_equal(s.key[IX_SERVER], "/usr/sbin/tcpd");
	assert_string_equal(s.key[IX_ARGV0], "/usr/sbin/in.fingerd");
	assert_int_equal(s.nargs, 1);
	assert_string_equal(s.args[0], "-w");
	assert_null(s.key[IX_DISABLE]);
	assert_int_equal(fails + notes, 0);
	/* argv[0] equal to the program's base name is not repeated. */
	assert_int_equal(xlate("x stream tcp wait r /bin/cat cat", ""), 0);
	assert_null(s.key[IX_ARGV0]);
	assert_string_equal(s.key[IX_WAIT], "yes");
	assert_int_equal(s.nargs, 0);
}

/* Debian's inetd(8) families, host prefixes and "addr:" defaults. */
static void
test_families(void **state)
{
	(void)state;
	assert_int_equal(xlate("git stream tcp4 nowait r /x x", ""), 0);
	assert_string_equal(s.key[IX_ADDRESS], "0.0.0.0");
	assert_string_equal(s.alt, "git-tcp4");
	assert_int_equal(xlate("git stream tcp6 nowait r /x x", ""), 0);
	assert_string_equal(s.key[IX_ADDRESS], "::");
	assert_string_equal(s.key[IX_V6ONLY], "yes");
	assert_string_equal(s.alt, "git-tcp6");
	assert_int_equal(xlate("git stream tcp46 nowait r /x x", ""), 0);
	assert_string_equal(s.key[IX_ADDRESS], "*");
	assert_null(s.key[IX_V6ONLY]);
	assert_int_equal(xlate("[::1]:git stream tcp6 nowait r /x x", ""), 0);
	assert_string_equal(s.key[IX_ADDRESS], "::1");
	assert_null(s.key[IX_V6ONLY]);
	assert_int_equal(xlate("git stream tcp nowait r /x x", "127.0.0.1"),
	    0);
	assert_string_equal(s.key[IX_ADDRESS], "127.0.0.1");
	assert_int_equal(xlate("*:git stream tcp nowait r /x x", "10.0.0.1"),
	    0);
	assert_string_equal(s.key[IX_ADDRESS], "*");
}

/*
 * tcpmux/NAME and tcpmux/+NAME: tcpmux = yes / plus under NAME, with no
 * port or address of their own; "tcpmux ... internal" is the builtin.
 */
static void
test_tcpmux(void **state)
{
	(void)state;
	assert_int_equal(xlate("tcpmux/+scan stream tcp nowait r /x x", ""), 0);
	assert_string_equal(s.name, "scan");
	assert_string_equal(s.key[IX_TCPMUX], "plus");
	assert_null(s.key[IX_PORT]);
	assert_null(s.key[IX_ADDRESS]);
	assert_int_equal(xlate("tcpmux/who stream tcp6 nowait r /x x", ""), 0);
	assert_string_equal(s.name, "who");
	assert_string_equal(s.key[IX_TCPMUX], "yes");
	assert_int_equal(xlate("tcpmux stream tcp nowait root internal", ""),
	    0);
	assert_string_equal(s.key[IX_TYPE], "builtin");
	assert_string_equal(s.key[IX_SERVER], "tcpmux");
	assert_string_equal(s.key[IX_PORT], "tcpmux");
	assert_null(s.key[IX_TCPMUX]);
}

/* "internal": a builtin of the same name, and no wait key. */
static void
test_internal(void **state)
{
	(void)state;
	assert_int_equal(xlate("echo dgram udp wait root internal", ""), 0);
	assert_string_equal(s.key[IX_TYPE], "builtin");
	assert_string_equal(s.key[IX_SERVER], "echo");
	assert_string_equal(s.key[IX_SOCKET], "dgram");
	assert_string_equal(s.key[IX_PROTOCOL], "udp");
	assert_null(s.key[IX_WAIT]);
	/* Which builtins exist is the caller's to say. */
	assert_int_equal(xlate("auth stream tcp nowait root internal", ""), 0);
	assert_string_equal(s.key[IX_SERVER], "auth");
}

/* nowait.N is a rate (with a note), FreeBSD's /C/R/S limits. */
static void
test_limits(void **state)
{
	(void)state;
	assert_int_equal(xlate("t stream tcp nowait.40 r /x x", ""), 0);
	assert_string_equal(s.key[IX_RATE], "40/min");
	assert_int_equal(notes, 1);
	assert_int_equal(fails, 0);
	assert_non_null(strstr(said, "rate 40/min"));
	assert_int_equal(xlate("t stream tcp nowait.0 r /x x", ""), 0);
	assert_null(s.key[IX_RATE]);
	assert_int_equal(fails, 1);
	assert_int_equal(xlate("t stream tcp nowait/5/10/2 r /x x", ""), 0);
	assert_string_equal(s.key[IX_INSTANCES], "5");
	assert_string_equal(s.key[IX_PER_SOURCE], "2");
	assert_int_equal(fails, 1);
	assert_non_null(strstr(said, "10 connections per source"));
	/* Dropped, but served: the line still runs. */
	assert_int_equal(xlate("t stream tcp,sndbuf=1 nowait r/staff /x x",
	    ""), 0);
	assert_int_equal(fails, 2);
	assert_int_equal(s.skip, 0);
}

/* A unix socket: named after its file, the path is the address. */
static void
test_unix(void **state)
{
	(void)state;
	assert_int_equal(xlate("/run/x/sshd.sock stream unix nowait root "
	    "/usr/sbin/sshd sshd -i", ""), 0);
	assert_string_equal(s.name, "sshd");
	assert_string_equal(s.key[IX_ADDRESS], "/run/x/sshd.sock");
	assert_string_equal(s.key[IX_PROTOCOL], "unix");
	assert_null(s.key[IX_PORT]);
}

/*
 * rstatd's Debian postinst line: type = rpc named after the program,
 * its versions, no port (rpcbind has it), tcpd kept as the server.
 */
static void
test_rpc(void **state)
{
	(void)state;
	assert_int_equal(xlate("rstatd/1-5\tdgram\trpc/udp\twait\tnobody\t"
	    "/usr/sbin/tcpd\t/usr/sbin/rpc.rstatd", ""), 0);
	assert_string_equal(s.name, "rstatd");
	assert_string_equal(s.key[IX_TYPE], "rpc");
	assert_string_equal(s.key[IX_RPC_PROGRAM], "rstatd");
	assert_string_equal(s.key[IX_RPC_VERSIONS], "1-5");
	assert_null(s.key[IX_PORT]);
	assert_string_equal(s.key[IX_SOCKET], "dgram");
	assert_string_equal(s.key[IX_PROTOCOL], "udp");
	assert_string_equal(s.key[IX_ADDRESS], "*");
	assert_string_equal(s.key[IX_WAIT], "yes");
	assert_string_equal(s.key[IX_USER], "nobody");
	assert_string_equal(s.key[IX_SERVER], "/usr/sbin/tcpd");
	assert_string_equal(s.key[IX_ARGV0], "/usr/sbin/rpc.rstatd");
	assert_int_equal(fails + notes, 0);
	/* One version, on tcp6 only: the name falls back as for tcp6. */
	assert_int_equal(xlate("rusersd/3 stream rpc/tcp6 nowait root "
	    "/usr/sbin/rpc.rusersd rpc.rusersd", ""), 0);
	assert_string_equal(s.key[IX_RPC_VERSIONS], "3");
	assert_string_equal(s.key[IX_PROTOCOL], "tcp");
	assert_string_equal(s.key[IX_ADDRESS], "::");
	assert_string_equal(s.alt, "rusersd-tcp6");
	assert_string_equal(inetd_key_name(IX_RPC_PROGRAM), "rpc-program");
	assert_int_equal(inetd_key_quoted(IX_RPC_VERSIONS), 1);
}

/* What superd cannot serve: -1, skip, and a message saying why. */
static void
test_refused(void **state)
{
	static const struct {
		const char	*line;
		const char	*why;
	} t[] = {
		{ "rstatd/1 dgram rpc/udp wait root internal", "RPC builtins" },
		{ "tcpmux/+scan dgram udp nowait root /x x", "TCPMUX" },
		{ "tcpmux/scan stream tcp wait root /x x", "TCPMUX" },
		{ "x raw tcp nowait root /x x", "stream and dgram only" },
		{ "x stream tcp nowait root bin/x x", "not an absolute path" },
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(xlate(t[i].line, ""), -1);
		assert_int_equal(s.skip, 1);
		if (strstr(said, t[i].why) == NULL)
			fail_msg("\"%s\": \"%s\" lacks \"%s\"", t[i].line,
			    said, t[i].why);
	}
	assert_int_equal(xlate("#<off># x stream tcp nowait root /x x", ""), 0);
	assert_string_equal(s.key[IX_DISABLE], "yes");
}

/* Every key has its superd.conf name; booleans and numbers are bare. */
static void
test_keys(void **state)
{
	int	 k;

	(void)state;
	for (k = 0; k < IX_NKEYS; k++)
		assert_non_null(inetd_key_name(k));
	assert_string_equal(inetd_key_name(IX_PER_SOURCE), "per-source");
	assert_int_equal(inetd_key_quoted(IX_WAIT), 0);
	assert_int_equal(inetd_key_quoted(IX_INSTANCES), 0);
	assert_int_equal(inetd_key_quoted(IX_SERVER), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec),
		cmocka_unit_test(test_families),
		cmocka_unit_test(test_internal),
		cmocka_unit_test(test_tcpmux),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_unix),
		cmocka_unit_test(test_rpc),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
