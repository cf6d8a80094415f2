/*
 * test_proto.c: the one tokenizer of the line protocols, both separator
 * rules, the directory's key=value layer, every error and its
 * boundaries, and the one table of codes.
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
static void		 test_split_one(void **);
static void		 test_split_blanks(void **);
static void		 test_codes(void **);
static void		 test_refusal(void **);

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

/* Split a copy of s; the words, joined by '|', into out. */
static enum proto_err
split(const char *s, size_t len, enum proto_sep sep, char *out, size_t n)
{
	char			buf[256];
	struct proto_words	w;
	enum proto_err		e;
	size_t			i, off = 0;

	assert_true(len < sizeof(buf));
	memcpy(buf, s, len);
	memset(buf + len, 'Z', sizeof(buf) - len);
	e = proto_split(buf, len, sep, &w);
	out[0] = '\0';
	for (i = 0; i < w.n; i++)
		off += (size_t)snprintf(out + off, n - off, "%s%s",
		    i ? "|" : "", w.v[i]);
	if (e != PROTO_OK)
		assert_int_equal(w.n, 0);
	return e;
}

#define SPLIT(s, sep, out)	split((s), strlen(s), (sep), (out), sizeof(out))

/* The directory's rule: exactly one space, CR and tab are control bytes. */
static void
test_split_one(void **state)
{
	char	out[256];

	(void)state;
	assert_int_equal(SPLIT("a b=1 c", PROTO_SEP_ONE, out), PROTO_OK);
	assert_string_equal(out, "a|b=1|c");
	assert_int_equal(SPLIT("a", PROTO_SEP_ONE, out), PROTO_OK);
	assert_string_equal(out, "a");
	assert_int_equal(SPLIT("a  b", PROTO_SEP_ONE, out), PROTO_EDOUBLESP);
	assert_int_equal(SPLIT(" a", PROTO_SEP_ONE, out), PROTO_ELEADSP);
	assert_int_equal(SPLIT("a ", PROTO_SEP_ONE, out), PROTO_ETRAILSP);
	assert_int_equal(SPLIT("a\tb", PROTO_SEP_ONE, out), PROTO_ECTRL);
	assert_int_equal(SPLIT("a\r", PROTO_SEP_ONE, out), PROTO_ECTRL);
	assert_int_equal(SPLIT("", PROTO_SEP_ONE, out), PROTO_EEMPTY);
	/* A bad byte is named before a bad space. */
	assert_int_equal(SPLIT(" a;", PROTO_SEP_ONE, out), PROTO_ECHAR);
	/* The command is not checked here: that is the directory's layer. */
	assert_int_equal(SPLIT("GET /x", PROTO_SEP_ONE, out), PROTO_OK);
}

/* The control socket's and the OOB endpoint's rule: runs of blanks. */
static void
test_split_blanks(void **state)
{
	char	out[256];
	char	line[64];
	size_t	i;

	(void)state;
	assert_int_equal(SPLIT("  interrupt\tS42  KILL grace=3 \r",
	    PROTO_SEP_BLANKS, out), PROTO_OK);
	assert_string_equal(out, "interrupt|S42|KILL|grace=3");
	assert_int_equal(SPLIT("status\r", PROTO_SEP_BLANKS, out), PROTO_OK);
	assert_string_equal(out, "status");
	assert_int_equal(SPLIT(" \t \r", PROTO_SEP_BLANKS, out), PROTO_EEMPTY);
	assert_int_equal(SPLIT("\r", PROTO_SEP_BLANKS, out), PROTO_EEMPTY);
	assert_int_equal(SPLIT("a\r\r", PROTO_SEP_BLANKS, out), PROTO_ECTRL);
	assert_int_equal(SPLIT("a\rb", PROTO_SEP_BLANKS, out), PROTO_ECTRL);
	assert_int_equal(SPLIT("a,b", PROTO_SEP_BLANKS, out), PROTO_ECHAR);
	assert_int_equal(SPLIT("status \x01", PROTO_SEP_BLANKS, out),
	    PROTO_ECTRL);
	assert_int_equal(split("a\0b", 3, PROTO_SEP_BLANKS, out, sizeof(out)),
	    PROTO_ENUL);
	/* 16 words pass, 17 do not, wherever the blanks are. */
	for (i = 0; i < 16; i++)
		memcpy(line + i * 3, "\tw ", 3);
	line[48] = '\0';
	assert_int_equal(SPLIT(line, PROTO_SEP_BLANKS, out), PROTO_OK);
	memcpy(line + 48, " w", 3);
	assert_int_equal(SPLIT(line, PROTO_SEP_BLANKS, out), PROTO_ETOKENS);
}

/* Every code has its name; the errors map onto the documented ones. */
static void
test_codes(void **state)
{
	(void)state;
	assert_string_equal(proto_code_name(PROTO_C_EBADREQ), "EBADREQ");
	assert_string_equal(proto_code_name(PROTO_C_ETOOBIG), "ETOOBIG");
	assert_string_equal(proto_code_name(PROTO_C_EBUSY), "EBUSY");
	assert_string_equal(proto_code_name(PROTO_C_ENOENT), "ENOENT");
	assert_string_equal(proto_code_name(PROTO_C_EPERM), "EPERM");
	assert_string_equal(proto_code_name(PROTO_C_ETIMEDOUT), "ETIMEDOUT");
	assert_string_equal(proto_code_name(PROTO_C_ECONFIG), "ECONFIG");
	assert_string_equal(proto_code_name(PROTO_C_NCODES + 1), "EBADREQ");
	assert_int_equal(proto_err_code(PROTO_ETOOBIG), PROTO_C_ETOOBIG);
	assert_int_equal(proto_err_code(PROTO_EOOB), PROTO_C_EBADREQ);
	assert_int_equal(proto_err_code(PROTO_NERRS), PROTO_C_EBADREQ);
}

/* The line server's refusals read the same on every socket. */
static void
test_refusal(void **state)
{
	struct linesrv_limits	lim;
	char			buf[PROTO_ERRLINE_MAX];

	(void)state;
	memset(&lim, 0, sizeof(lim));
	lim.line_max = PROTO_LINE_MAX;
	lim.line_ms = 5000;
	lim.idle_ms = 60000;
	assert_string_equal(proto_refusal(buf, sizeof(buf), LINESRV_TOOLONG,
	    &lim), "ERR ETOOBIG request line longer than 1024 bytes\n");
	/* The directory's tokenizer says the same about its own limit. */
	assert_int_equal(strncmp(buf + 12, proto_strerror(PROTO_ETOOBIG),
	    strlen(proto_strerror(PROTO_ETOOBIG))), 0);
	assert_string_equal(proto_refusal(buf, sizeof(buf), LINESRV_DEADLINE,
	    &lim), "ERR ETIMEDOUT no whole request line within 5s\n");
	assert_string_equal(proto_refusal(buf, sizeof(buf), LINESRV_IDLE,
	    &lim), "ERR ETIMEDOUT idle for 60s\n");
	assert_string_equal(proto_refusal(buf, sizeof(buf), LINESRV_BUSY,
	    &lim), "ERR EBUSY too many connections or requests, try again "
	    "later\n");
	assert_string_equal(proto_refusal(buf, sizeof(buf),
	    LINESRV_BUSY_PEER, &lim), "ERR EBUSY too many connections from "
	    "this user or address\n");
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
		cmocka_unit_test(test_split_one),
		cmocka_unit_test(test_split_blanks),
		cmocka_unit_test(test_codes),
		cmocka_unit_test(test_refusal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
