/*
 * test_oob_proto: the OOB endpoint's request line (daemon/oob_proto.c).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "oob_proto.h"

static char	err[128];

static void
test_by_token(void **state)
{
	struct oob_req	r;

	(void)state;
	assert_int_equal(oob_parse("CANCEL 0123456789abcdef0123456789ABCDEF",
	    &r, err, sizeof(err)), 0);
	assert_true(r.by_token);
	assert_string_equal(r.token, "0123456789abcdef0123456789abcdef");
	assert_int_equal(oob_parse("cancel  0123456789abcdef0123456789abcdef "
	    "\r", &r, err, sizeof(err)), 0);
	assert_true(r.by_token);
}

static void
test_by_port(void **state)
{
	struct oob_req	r;

	(void)state;
	assert_int_equal(oob_parse("CANCEL 40000", &r, err, sizeof(err)), 0);
	assert_false(r.by_token);
	assert_int_equal(r.port, 40000);
	assert_int_equal(oob_parse("Cancel 1\r", &r, err, sizeof(err)), 0);
	assert_int_equal(r.port, 1);
	assert_int_equal(oob_parse("CANCEL 65535", &r, err, sizeof(err)), 0);
	assert_int_equal(r.port, 65535);
}

static void
test_bad(void **state)
{
	static const char *const bad[] = {
		"", "\r", "CANCEL", "CANCEL ", "CANCEL 0", "CANCEL 65536",
		"CANCEL 123456", "CANCEL -1", "CANCEL 12x",
		"CANCEL 0123456789abcdef0123456789abcde",	/* 31 */
		"CANCEL 0123456789abcdef0123456789abcdef0",	/* 33 */
		"CANCEL 0123456789abcdef0123456789abcdeg",
		"CANCEL 1 2", "STOP 1", "CANCEL\t1", "CANCELX 1",
	};
	struct oob_req	r;
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(oob_parse(bad[i], &r, err, sizeof(err)), -1);
		assert_string_equal(err, "EINVAL want \"CANCEL <token>\" or "
		    "\"CANCEL <source-port>\"");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_by_token),
		cmocka_unit_test(test_by_port),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
