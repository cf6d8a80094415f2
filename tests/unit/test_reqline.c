/*
 * test_reqline: the text of the per-request log lines (daemon/reqline.c),
 * each kind and each way a request ends, and the same text when the log
 * writer thread makes it from the facts the loop queued: strings are
 * copied when the line is logged, and a level that leaves the line out
 * gets nothing.
 */
#include "config.h"

#include <sys/wait.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"
#include "logq.h"
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

/* ---- through the log writer: stderr into a pipe we read ---- */

static int	rd = -1, saved_stderr = -1;

static int
setup(void **state)
{
	int	p[2];

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	if (pipe(p) == -1)
		return -1;
	fflush(stderr);
	saved_stderr = dup(2);
	dup2(p[1], 2);
	close(p[1]);
	rd = p[0];
	log_init(1, LOG_INFO, "t");
	return logq_start(log_sink_batch, log_sink_flush);
}

static int
teardown(void **state)
{
	(void)state;
	logq_stop();
	close(rd);
	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	return 0;
}

/* What arrives within ms, NUL-ended, into buf. */
static void
collect(char *buf, size_t len, int ms)
{
	struct pollfd	pfd = { .fd = rd, .events = POLLIN };
	size_t		got = 0;
	ssize_t		n;

	while (got < len - 1 && poll(&pfd, 1, ms) > 0) {
		if ((n = read(rd, buf + got, len - 1 - got)) <= 0)
			break;
		got += (size_t)n;
		ms = 50;	/* the rest of the batch */
	}
	buf[got] = '\0';
}

static void
test_through_the_writer(void **state)
{
	static char		buf[8192];
	char			service[] = "daytime", who[] = "admin";
	char			peer[] = "203.0.113.9";
	struct log_fields	lf = { service, peer, 13, 0, -1, -1 };
	struct log_fields	end = { service, peer, 13, 0, -1, 2000 };

	(void)state;
	reqline_log(LOG_INFO, &lf, &(struct reqline){ REQLINE_BUILTIN, 41, 0,
	    "daytime", NULL });
	reqline_log(LOG_NOTICE, &end, &(struct reqline){ REQLINE_ENDED, 41,
	    -1, who, "" });
	/* Copied when logged: what the caller does next is not seen. */
	memset(service, 'x', sizeof(service) - 1);
	memset(peer, 'x', sizeof(peer) - 1);
	memset(who, 'x', sizeof(who) - 1);
	collect(buf, sizeof(buf), 1000);
	assert_non_null(strstr(buf, "service daytime: session S41 from "
	    "203.0.113.9:13: builtin daytime\n"));
	assert_non_null(strstr(buf, "service daytime: session S41 pid 0 "
	    "(peer 203.0.113.9:13) closed after 0.002s (interrupted by "
	    "admin)\n"));
	assert_null(strstr(buf, "xxx"));
}

/* At log-level notice an info line costs nothing and says nothing. */
static void
test_level_leaves_it_out(void **state)
{
	static char		buf[8192];
	struct log_fields	lf = { "echo", "127.0.0.1", 1, 0, -1, -1 };

	(void)state;
	log_setlevel(LOG_NOTICE);
	reqline_log(LOG_INFO, &lf, &(struct reqline){ REQLINE_BUILTIN, 1, 0,
	    "echo", NULL });
	log_notice("marker");
	collect(buf, sizeof(buf), 1000);
	log_setlevel(LOG_INFO);
	assert_non_null(strstr(buf, "marker"));
	assert_null(strstr(buf, "session S1"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start_lines),
		cmocka_unit_test(test_end_lines),
		cmocka_unit_test(test_cut_to_buffer),
		cmocka_unit_test_setup_teardown(test_through_the_writer, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_level_leaves_it_out, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
