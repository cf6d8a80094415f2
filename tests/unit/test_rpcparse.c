/*
 * test_rpcparse.c: daemon/rpcparse.c, the RPC program and version
 * values of rpc-program / rpc-versions and of inetd.conf's "name/1-5".
 */
#include "config.h"

#include <netdb.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rpcparse.h"

static char	 err[160];

static void	 test_versions(void **);
static void	 test_versions_bad(void **);
static void	 test_program(void **);
static void	 test_program_name(void **);

/* "N" and "LOW-HIGH", up to the 32-bit limit. */
static void
test_versions(void **state)
{
	unsigned long	 lo, hi;

	(void)state;
	assert_int_equal(rpcparse_versions("1-5", &lo, &hi, err,
	    sizeof(err)), 0);
	assert_true(lo == 1 && hi == 5);
	assert_int_equal(rpcparse_versions("3", &lo, &hi, err, sizeof(err)),
	    0);
	assert_true(lo == 3 && hi == 3);
	assert_int_equal(rpcparse_versions("0-63", &lo, &hi, err,
	    sizeof(err)), 0);
	assert_true(lo == 0 && hi == 63);
	assert_int_equal(rpcparse_versions("4294967295", &lo, &hi, err,
	    sizeof(err)), 0);
	assert_true(lo == 4294967295UL && hi == lo);
}

/* Each malformed range is refused with a reason naming it. */
static void
test_versions_bad(void **state)
{
	static const struct {
		const char	*in;
		const char	*why;
	} t[] = {
		{ "", "not a version" },
		{ "-", "not a version" },
		{ "1-", "not a version" },
		{ "-5", "not a version" },
		{ "1-2-3", "not a version" },
		{ " 1", "not a version" },
		{ "+1", "not a version" },
		{ "1.5", "not a version" },
		{ "4294967296", "not a version" },
		{ "99999999999999999999999", "not a version" },
		{ "5-1", "ends before it starts" },
		{ "0-64", "more than 64 versions" },
	};
	unsigned long	 lo, hi;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		err[0] = '\0';
		if (rpcparse_versions(t[i].in, &lo, &hi, err,
		    sizeof(err)) != -1)
			fail_msg("\"%s\" accepted", t[i].in);
		if (strstr(err, t[i].why) == NULL)
			fail_msg("\"%s\": \"%s\" lacks \"%s\"", t[i].in, err,
			    t[i].why);
	}
}

/* Numbers: 1 .. 2^32-1; 0 and anything else are refused. */
static void
test_program(void **state)
{
	unsigned long	 prog;

	(void)state;
	assert_int_equal(rpcparse_program("100001", &prog, err, sizeof(err)),
	    0);
	assert_true(prog == 100001);
	assert_int_equal(rpcparse_program("4294967295", &prog, err,
	    sizeof(err)), 0);
	assert_true(prog == 4294967295UL);
	assert_int_equal(rpcparse_program("0", &prog, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a program number"));
	assert_int_equal(rpcparse_program("4294967296", &prog, err,
	    sizeof(err)), -1);
	assert_int_equal(rpcparse_program("12x", &prog, err, sizeof(err)), -1);
	assert_int_equal(rpcparse_program("no-such-rpc-program", &prog, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "/etc/rpc"));
}

/* A name from /etc/rpc (netbase) is its number, as getrpcbyname says. */
static void
test_program_name(void **state)
{
	struct rpcent	*r;
	unsigned long	 prog;

	(void)state;
	if ((r = getrpcbyname("rstatd")) == NULL)
		skip();		/* no /etc/rpc here (Debian: netbase) */
	assert_int_equal(rpcparse_program("rstatd", &prog, err, sizeof(err)),
	    0);
	assert_true(prog == (unsigned long)r->r_number);
	assert_true(prog == 100001);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_versions_bad),
		cmocka_unit_test(test_program),
		cmocka_unit_test(test_program_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
