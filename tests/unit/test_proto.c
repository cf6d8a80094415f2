/*
 * test_proto.c: the request-line tokenizer, every error and its
 * boundaries.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto.h"

static enum proto_err	 parse(struct proto_req *, const char *);
static void		 test_ok(void **);
static void		 test_lengths(void **);
static void		 test_bytes(void **);
static void		 test_spaces(void **);
static void		 test_tokens(void **);
static void		 test_cmd(void **);
static void		 test_args(void **);
static void		 test_errors_distinct(void **);
static void		 test_get_uint(void **);
static void		 test_unknown_key(void **);
static void		 test_token_ok(void **);

/* Parse a C string. */
static enum proto_err
parse(struct proto_req *req, const char *s)
{
	return proto_parse(req, s, strlen(s));
}

/* A well-formed request splits into command and key=value pairs. */
static void
test_ok(void **state)
{
	struct proto_req	req;

	(void)state;
	assert_int_equal(parse(&req, "hello"), PROTO_OK);
	assert_string_equal(req.cmd, "hello");
	assert_int_equal(req.nargs, 0);
	assert_int_equal(parse(&req, "register name=my-app proto=tcp "
	    "addr=::1 port=41000 tag.url=http://x/%20+y@z tag.e="), PROTO_OK);
	assert_string_equal(req.cmd, "register");
	assert_int_equal(req.nargs, 6);
	assert_string_equal(proto_get(&req, "addr"), "::1");
	assert_string_equal(proto_get(&req, "tag.url"), "http://x/%20+y@z");
	assert_string_equal(proto_get(&req, "tag.e"), "");
	assert_null(proto_get(&req, "ttl"));
	/* A value may hold '=': only the first one splits. */
	assert_int_equal(parse(&req, "x k=a=b"), PROTO_OK);
	assert_string_equal(proto_get(&req, "k"), "a=b");
}

/* 1023 bytes + "\n" is the longest line; 0 bytes is empty. */
static void
test_lengths(void **state)
{
	struct proto_req	 req;
	char			 line[2048];

	(void)state;
	memset(line, 'a', sizeof(line));
	line[0] = 'x';
	line[1] = ' ';
	line[2] = 'k';
	line[3] = '=';
	assert_int_equal(proto_parse(&req, line, PROTO_LINE_MAX - 1),
	    PROTO_OK);
	assert_int_equal(strlen(proto_get(&req, "k")), PROTO_LINE_MAX - 5);
	assert_int_equal(proto_parse(&req, line, PROTO_LINE_MAX), PROTO_ETOOBIG);
	assert_int_equal(proto_parse(&req, line, sizeof(line)), PROTO_ETOOBIG);
	assert_string_equal(proto_errcode(PROTO_ETOOBIG), "ETOOBIG");
	assert_int_equal(proto_parse(&req, "", 0), PROTO_EEMPTY);
	assert_string_equal(proto_errcode(PROTO_EEMPTY), "EBADREQ");
}

/* NUL, control, non-ASCII and punctuation outside the set. */
static void
test_bytes(void **state)
{
	struct proto_req	req;
	const char		*bad = "!\"#$&'()*,;<>?[\\]^`{|}~";

	(void)state;
	assert_int_equal(proto_parse(&req, "hel\0lo", 6), PROTO_ENUL);
	assert_int_equal(parse(&req, "hello\r"), PROTO_ECTRL);
	assert_int_equal(parse(&req, "hello\tv=1"), PROTO_ECTRL);
	assert_int_equal(parse(&req, "hello v=\x7f"), PROTO_ECTRL);
	assert_int_equal(parse(&req, "hello v=\xc3\xa9"), PROTO_ECTRL);
	for (; *bad != '\0'; bad++) {
		char	line[16];

		snprintf(line, sizeof(line), "x k=%c", *bad);
		assert_int_equal(parse(&req, line), PROTO_ECHAR);
	}
	/* The whole token set passes. */
	assert_int_equal(parse(&req, "x k=azAZ09._:/@%+=-"), PROTO_OK);
}

/* Exactly one space between tokens. */
static void
test_spaces(void **state)
{
	struct proto_req	req;

	(void)state;
	assert_int_equal(parse(&req, " hello"), PROTO_ELEADSP);
	assert_int_equal(parse(&req, " "), PROTO_ELEADSP);
	assert_int_equal(parse(&req, "hello "), PROTO_ETRAILSP);
	assert_int_equal(parse(&req, "hello  v=1"), PROTO_EDOUBLESP);
}

/* 16 tokens pass, 17 do not. */
static void
test_tokens(void **state)
{
	struct proto_req	req;
	char			line[256];
	size_t			i, off;

	(void)state;
	off = (size_t)snprintf(line, sizeof(line), "x");
	for (i = 0; i < 15; i++)
		off += (size_t)snprintf(line + off, sizeof(line) - off,
		    " k%zu=v", i);
	assert_int_equal(parse(&req, line), PROTO_OK);
	assert_int_equal(req.nargs, 15);
	snprintf(line + off, sizeof(line) - off, " k15=v");
	assert_int_equal(parse(&req, line), PROTO_ETOKENS);
	assert_null(req.cmd);
	assert_int_equal(req.nargs, 0);
}

/* The command is a lower-case word. */
static void
test_cmd(void **state)
{
	struct proto_req	req;

	(void)state;
	assert_int_equal(parse(&req, "Hello"), PROTO_ECMD);
	assert_int_equal(parse(&req, "v=1"), PROTO_ECMD);
	assert_int_equal(parse(&req, "-x"), PROTO_ECMD);
	assert_int_equal(parse(&req, "he.llo"), PROTO_ECMD);
	assert_int_equal(parse(&req, "hello2"), PROTO_ECMD);
	assert_int_equal(parse(&req, "get-all"), PROTO_OK);
}

/* Arguments: key=value, key syntax and length, no duplicates. */
static void
test_args(void **state)
{
	struct proto_req	req;
	char			line[128];

	(void)state;
	assert_int_equal(parse(&req, "x name"), PROTO_ENOTKV);
	assert_int_equal(parse(&req, "x =v"), PROTO_EEMPTYKEY);
	assert_int_equal(parse(&req, "x k:y=v"), PROTO_EBADKEY);
	assert_int_equal(parse(&req, "x k/y=v"), PROTO_EBADKEY);
	assert_int_equal(parse(&req, "x a=1 a=2"), PROTO_EDUPKEY);
	snprintf(line, sizeof(line), "x %.*s=v", PROTO_KEY_MAX,
	    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk");
	assert_int_equal(parse(&req, line), PROTO_OK);
	snprintf(line, sizeof(line), "x %.*s=v", PROTO_KEY_MAX + 1,
	    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk");
	assert_int_equal(parse(&req, line), PROTO_ELONGKEY);
}

/* Every error has its own text, and a code the protocol knows. */
static void
test_errors_distinct(void **state)
{
	int	i, j;

	(void)state;
	for (i = 1; i < PROTO_NERRS; i++) {
		assert_true(strcmp(proto_errcode(i), "EBADREQ") == 0 ||
		    strcmp(proto_errcode(i), "ETOOBIG") == 0);
		assert_null(strchr(proto_strerror(i), '\n'));
		for (j = 1; j < i; j++)
			assert_string_not_equal(proto_strerror(i),
			    proto_strerror(j));
	}
	assert_string_equal(proto_errcode(PROTO_NERRS + 3), "EBADREQ");
	assert_non_null(proto_strerror(PROTO_NERRS + 3));
}

/* Numbers: digits only, bounded, absent is not an error. */
static void
test_get_uint(void **state)
{
	struct proto_req	req;
	unsigned long		v = 7;

	(void)state;
	assert_int_equal(parse(&req, "x a=65535 b=65536 c=-1 d= e=1x "
	    "f=99999999999999999999999 g=0 h=5 i=9"), PROTO_OK);
	assert_int_equal(proto_get_uint(&req, "a", 65535, &v), 0);
	assert_int_equal(v, 65535);
	assert_int_equal(proto_get_uint(&req, "b", 65535, &v), -1);
	assert_int_equal(proto_get_uint(&req, "c", 65535, &v), -1);
	assert_int_equal(proto_get_uint(&req, "d", 65535, &v), -1);
	assert_int_equal(proto_get_uint(&req, "e", 65535, &v), -1);
	assert_int_equal(proto_get_uint(&req, "f", 65535, &v), -1);
	assert_int_equal(proto_get_uint(&req, "g", 65535, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(proto_get_uint(&req, "h", 5, &v), 0);
	assert_int_equal(proto_get_uint(&req, "i", 5, &v), -1);
	v = 42;
	assert_int_equal(proto_get_uint(&req, "zz", 5, &v), 1);
	assert_int_equal(v, 42);
}

/* Unknown keys are named; a prefix admits a family of keys. */
static void
test_unknown_key(void **state)
{
	static const char * const keys[] = { "name", "proto", NULL };
	struct proto_req	req;

	(void)state;
	assert_int_equal(parse(&req, "x name=a tag.v=1 proto=tcp"), PROTO_OK);
	assert_null(proto_unknown_key(&req, keys, "tag."));
	assert_string_equal(proto_unknown_key(&req, keys, NULL), "tag.v");
	assert_int_equal(parse(&req, "x nam=a"), PROTO_OK);
	assert_string_equal(proto_unknown_key(&req, keys, "tag."), "nam");
}

/* proto_token_ok() is the reply side's check. */
static void
test_token_ok(void **state)
{
	(void)state;
	assert_true(proto_token_ok("/run/x.sock"));
	assert_false(proto_token_ok(""));
	assert_false(proto_token_ok(NULL));
	assert_false(proto_token_ok("a b"));
	assert_false(proto_token_ok("a\n"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_spaces),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_cmd),
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_errors_distinct),
		cmocka_unit_test(test_get_uint),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_token_ok),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
