/*
 * test_reqline: the text of the per-request log lines (daemon/reqline.c),
 * each kind and each way a request ends.  test_logq checks the same text
 * made on the log writer thread.
 */
#include "config.h"

#include <sys/wait.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "log.h"
#include "reqline.h"
#include "request.h"

static const char *
text(const struct log_fields *lf, const struct reqline *rl)
{
	static char	buf[2048];

	reqline_format(lf, rl, buf, sizeof(buf));
	return buf;
}

static void
test_start_lines(void **state)
{
	struct log_fields	v4 = { "echo", "127.0.0.1", 40000, 0, -1, -1 };
	struct log_fields	v6 = { "fingerd", "::1", 513, 4242, -1, -1 };
	struct log_fields	ux = { "ctl", "uid=1000", -1, 0, -1, -1 };

	(void)state;
	assert_string_equal(text(&v4, &(struct reqline){ REQLINE_BUILTIN, 7,
	    0, "echo", NULL }),
	    "service echo: session S7 from 127.0.0.1:40000: builtin echo");
	assert_string_equal(text(&v6, &(struct reqline){ REQLINE_SPAWNED,
	    18446744073709551615ULL, 0, NULL, NULL }),
	    "service fingerd: session S18446744073709551615 from [::1]:513: "
	    "pid 4242");
	assert_string_equal(text(&ux, &(struct reqline){ REQLINE_REDIRECT, 3,
	    0, "10.0.0.2:80", NULL }),
	    "service ctl: session S3 from uid=1000: redirect to 10.0.0.2:80");
}

static void
test_end_lines(void **state)
{
	struct log_fields	lf = { "cat", "192.0.2.1", 9, 77, 0, 1234567 };

	(void)state;
	assert_string_equal(text(&lf, &(struct reqline){ REQLINE_ENDED, 5,
	    0, "", "" }), "service cat: session S5 pid 77 (peer "
	    "192.0.2.1:9) exited with status 0 after 1.234s");
	lf.duration_usec = 5000;
	assert_string_equal(text(&lf, &(struct reqline){ REQLINE_ENDED, 5,
	    3 << 8, NULL, NULL }), "service cat: session S5 pid 77 (peer "
	    "192.0.2.1:9) exited with status 3 after 0.005s");
	assert_string_equal(text(&lf, &(struct reqline){ REQLINE_ENDED, 5,
	    SIGPIPE, "", " (cpu 1ms)" }), "service cat: session S5 pid 77 "
	    "(peer 192.0.2.1:9) killed by signal 13 (Broken pipe) after "
	    "0.005s (cpu 1ms)");
	assert_string_equal(text(&lf, &(struct reqline){ REQLINE_ENDED, 5,
	    SIGSEGV | 0x80, "uid 0", "" }), "service cat: session S5 pid 77 "
	    "(peer 192.0.2.1:9) killed by signal 11 (Segmentation fault), "
	    "core dumped after 0.005s (interrupted by uid 0)");
	lf.pid = 0;
	assert_string_equal(text(&lf, &(struct reqline){ REQLINE_ENDED, 6,
	    -1, "", "" }), "service cat: session S6 pid 0 (peer "
	    "192.0.2.1:9) closed after 0.005s");
	assert_string_equal(text(&lf, &(struct reqline){ REQLINE_ENDED, 6,
	    REQUEST_STATUS_UNKNOWN, "", "" }), "service cat: session S6 pid 0 "
	    "(peer 192.0.2.1:9) exited (adopted: its status went to its new "
	    "parent) after 0.005s");
}

/* A line longer than the buffer is cut, and still NUL-ended. */
static void
test_cut_to_buffer(void **state)
{
	struct log_fields	lf = { "echo", "127.0.0.1", 1, 0, -1, -1 };
	char			buf[24];
	size_t			n;

	(void)state;
	n = reqline_format(&lf, &(struct reqline){ REQLINE_BUILTIN, 1, 0,
	    "echo", NULL }, buf, sizeof(buf));
	assert_int_equal(n, sizeof(buf) - 1);
	assert_string_equal(buf, "service echo: session S");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start_lines),
		cmocka_unit_test(test_end_lines),
		cmocka_unit_test(test_cut_to_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
