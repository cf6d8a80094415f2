/*
 * test_oob_proto: the OOB endpoint's request line (daemon/oob_proto.c on
 * the shared tokenizer, daemon/proto.c).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "oob_proto.h"

/* Parse a copy of s (oob_parse cuts its line in place). */
static enum proto_err
parse(const char *s, size_t len, struct oob_req *r)
{
	char	buf[OOB_LINE_MAX * 2];

	assert_true(len < sizeof(buf));
	memcpy(buf, s, len);
	return oob_parse(buf, len, r);
}

static enum proto_err
parse_str(const char *s, struct oob_req *r)
{
	return parse(s, strlen(s), r);
}

static void
test_by_token(void **state)
{
	struct oob_req	r;

	(void)state;
	assert_int_equal(parse_str("CANCEL 0123456789abcdef0123456789ABCDEF",
	    &r), PROTO_OK);
	assert_true(r.by_token);
	assert_string_equal(r.token, "0123456789abcdef0123456789abcdef");
	assert_int_equal(parse_str("cancel  0123456789abcdef0123456789abcdef "
	    "\r", &r), PROTO_OK);
	assert_true(r.by_token);
}

/* Blanks separate the words, as on the control socket. */
static void
test_by_port(void **state)
{
	struct oob_req	r;

	(void)state;
	assert_int_equal(parse_str("CANCEL 40000", &r), PROTO_OK);
	assert_false(r.by_token);
	assert_int_equal(r.port, 40000);
	assert_int_equal(parse_str("Cancel 1\r", &r), PROTO_OK);
	assert_int_equal(r.port, 1);
	assert_int_equal(parse_str("CANCEL 65535", &r), PROTO_OK);
	assert_int_equal(r.port, 65535);
	assert_int_equal(parse_str(" CANCEL\t7 ", &r), PROTO_OK);
	assert_int_equal(r.port, 7);
}

/* Well-formed words that are not a request: the usage text. */
static void
test_bad(void **state)
{
	static const char *const bad[] = {
		"CANCEL", "CANCEL 0", "CANCEL 65536",
		"CANCEL 123456", "CANCEL -1", "CANCEL 12x", "CANCEL 00000",
		"CANCEL 0123456789abcdef0123456789abcde",	/* 31 */
		"CANCEL 0123456789abcdef0123456789abcdef0",	/* 33 */
		"CANCEL 0123456789abcdef0123456789abcdeg",
		"CANCEL 1 2", "STOP 1", "CANCELX 1",
	};
	struct oob_req	r;
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse_str(bad[i], &r), PROTO_EOOB);
		assert_false(r.by_token);
		assert_int_equal(r.port, 0);
	}
	assert_string_equal(proto_errcode(PROTO_EOOB), "EBADREQ");
	assert_string_equal(proto_strerror(PROTO_EOOB), "want \"CANCEL "
	    "<token>\" or \"CANCEL <source-port>\"");
}

/* What the tokenizer refuses keeps its own error and text. */
static void
test_bytes(void **state)
{
	struct oob_req	r;

	(void)state;
	assert_int_equal(parse_str("", &r), PROTO_EEMPTY);
	assert_int_equal(parse_str("\r", &r), PROTO_EEMPTY);
	assert_int_equal(parse_str(" \t ", &r), PROTO_EEMPTY);
	assert_int_equal(parse("CANCEL 1\0", 9, &r), PROTO_ENUL);
	assert_int_equal(parse_str("CANCEL 1;", &r), PROTO_ECHAR);
	assert_int_equal(parse_str("CANCEL \x01", &r), PROTO_ECTRL);
	assert_int_equal(parse_str("CANCEL 1\r\r", &r), PROTO_ECTRL);
	assert_int_equal(parse_str("GET / HTTP/1.0", &r), PROTO_EOOB);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_by_token),
		cmocka_unit_test(test_by_port),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
