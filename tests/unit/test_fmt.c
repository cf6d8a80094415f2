/*
 * test_fmt.c: daemon/fmt.c gives what snprintf gives, for the
 * conversions it does itself and for those it hands back, whole or cut
 * to any buffer size.
 */
#include "config.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fmt.h"

/*
 * The same arguments through snprintf and fmt_print, at every buffer
 * size from 1 to 80: the same text, cut the same way, never past size.
 */
#define SAME(...) do {							\
	char	want[128], got[96];					\
	size_t	sz, got_n;						\
	snprintf(want, sizeof(want), __VA_ARGS__);			\
	for (sz = 1; sz <= 80; sz++) {					\
		memset(got, 'x', sizeof(got));				\
		got_n = fmt_print(got, sz, __VA_ARGS__);		\
		assert_int_equal(got_n, strlen(got));			\
		assert_true(got_n < sz);				\
		assert_int_equal(strncmp(got, want, got_n), 0);	\
		assert_int_equal(got_n, strlen(want) < sz ?		\
		    strlen(want) : sz - 1);				\
		assert_int_equal(got[sz], 'x');				\
	}								\
} while (0)

static void
test_request_lines(void **state)
{
	(void)state;
	SAME("service %s: session S%llu from %s: builtin %s", "daytime",
	    12345ULL, "127.0.0.1:40000", "daytime");
	SAME("service %s: session S%llu pid %ld (peer %s) %s after "
	    "%lld.%03llds%s%s%s%s", "echo", 1ULL, 4242L, "[::1]:5",
	    "exited with status 0", 3LL, 7LL, "", "", "", "");
	SAME("%d %i %u %x %c %%", -5, INT_MIN, UINT_MAX, 0xbeefU, 'q');
	SAME("%ld %lu %lld %llu %zu %lx", LONG_MIN, ULONG_MAX, LLONG_MIN,
	    ULLONG_MAX, (size_t)77, 0xabcUL);
	SAME("%hd %hu", (short)-3, (unsigned short)65535);
}

static void
test_widths(void **state)
{
	(void)state;
	SAME("[%5d] [%-5d] [%05d] [%05d] [%-5d]", 42, 42, 42, -42, -42);
	SAME("[%03lld] [%3s] [%-3s] [%8s] [%c] [%3c]", 5LL, "ab", "ab",
	    "toolongstring", 'z', 'y');
	SAME("[%0d] [%1d] [%12llu]", 0, 0, 0ULL);
	SAME("%s", "");
}

static void
test_handed_over(void **state)
{
	int	three = 3;

	(void)state;
	/* Precision, floats, pointers: the C library's. */
	SAME("a %.*s b %d", 2, "xyz", 9);
	SAME("%5.2f|%s", 3.14159, "pi");
	SAME("%p %d", (void *)&three, three);
	SAME("%+d % d %#x", 5, 6, 255U);
	SAME("%99d", 1);
}

static void
test_null_string(void **state)
{
	char	buf[32];

	(void)state;
	assert_int_equal(fmt_print(buf, sizeof(buf), "<%s>", (char *)NULL),
	    8);
	assert_string_equal(buf, "<(null)>");
}

/* fmt_pack_str: NUL-ended, cut to max bytes in all, NULL as "". */
static void
test_pack_str(void **state)
{
	char	buf[16];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(fmt_pack_str(buf, "echo", 16), 5);
	assert_string_equal(buf, "echo");
	assert_int_equal(fmt_pack_str(buf, "0123456789", 4), 4);
	assert_string_equal(buf, "012");
	assert_int_equal(fmt_pack_str(buf, NULL, 16), 1);
	assert_string_equal(buf, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_lines),
		cmocka_unit_test(test_widths),
		cmocka_unit_test(test_handed_over),
		cmocka_unit_test(test_null_string),
		cmocka_unit_test(test_pack_str),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
