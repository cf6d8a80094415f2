/*
 * test_logq: the log writer thread (daemon/logq.c) with the stderr sink
 * pointed at a pipe: lines come out in order, a lone info line within
 * the flush interval, and a queue that cannot drain drops lines and says
 * how many instead of blocking the caller (a blocking logq would hang
 * here: 5000 lines do not fit in a pipe and 1024 slots).  Urgent lines
 * in a stream are batched: one wake-up of the writer per LOGQ_URGENT_MS,
 * not one per line (a client can make every request log a notice).  A
 * deferred line's text is made on the writer, from a copy of its facts:
 * the request lines (reqline.c) come out as the loop logged them, and
 * not at all at a level that leaves them out.
 */
#include "config.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"
#include "logq.h"
#include "reqline.h"

static int	rd = -1, saved_stderr = -1;

static long long
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* stderr into a pipe we read; the sink is stderr (foreground). */
static int
setup(void **state)
{
	int	p[2];

	(void)state;
	signal(SIGPIPE, SIG_IGN);	/* teardown closes the reader first */
	if (pipe(p) == -1)
		return -1;
	fflush(stderr);
	saved_stderr = dup(2);
	dup2(p[1], 2);
	close(p[1]);
	rd = p[0];
	log_init(1, LOG_DEBUG, "t");
	return logq_start(log_sink_batch, log_sink_flush);
}

static int
teardown(void **state)
{
	(void)state;
	close(rd);		/* a blocked writer gets EPIPE and can finish */
	logq_stop();
	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	return 0;
}

/* Read what arrives within ms into buf (NUL-terminated); bytes read. */
static size_t
collect(char *buf, size_t len, int ms)
{
	struct pollfd	pfd = { .fd = rd, .events = POLLIN };
	size_t		got = 0;
	ssize_t		n;
	long long	end = now_ms() + ms;

	while (got < len - 1 && now_ms() < end) {
		if (poll(&pfd, 1, (int)(end - now_ms())) <= 0)
			break;
		if ((n = read(rd, buf + got, len - 1 - got)) <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	return got;
}

static void
test_order_and_urgency(void **state)
{
	static char	buf[8192];
	char		*a, *b, *c;

	(void)state;
	log_info("first");
	log_info("second");
	log_notice("urgent");
	collect(buf, sizeof(buf), 1000);
	a = strstr(buf, "first");
	b = strstr(buf, "second");
	c = strstr(buf, "urgent");
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	assert_true(a < b && b < c);
	/* An info line alone goes out within the flush interval. */
	log_info("lazy");
	collect(buf, sizeof(buf), LOGQ_FLUSH_MS * 3);
	assert_non_null(strstr(buf, "lazy"));
}

static _Atomic int	made_on_loop = -1;
static pthread_t	loop_thread;

/* A deferred line's maker: which thread ran it, and the text. */
static void
make_line(const struct log_fields *lf, const void *data, size_t len,
    char *buf, size_t size)
{
	(void)lf;
	atomic_store(&made_on_loop, pthread_equal(pthread_self(),
	    loop_thread));
	snprintf(buf, size, "deferred %.*s", (int)len, (const char *)data);
}

/* logq_put copies the facts; the writer thread makes the text. */
static void
test_deferred_made_by_writer(void **state)
{
	static char	buf[8192];
	char		facts[] = "abc";

	(void)state;
	loop_thread = pthread_self();
	assert_int_equal(logq_put(LOG_INFO, NULL, make_line, facts, 3), 0);
	facts[0] = 'x';
	collect(buf, sizeof(buf), 1000);
	assert_non_null(strstr(buf, "deferred abc\n"));
	assert_int_equal(atomic_load(&made_on_loop), 0);
}

/* Request lines (reqline.c): made on the writer from copied facts. */
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
	collect(buf, sizeof(buf), 300);
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
	collect(buf, sizeof(buf), 300);
	log_setlevel(LOG_DEBUG);
	assert_non_null(strstr(buf, "marker"));
	assert_null(strstr(buf, "session S1"));
}

static void
test_full_queue_drops(void **state)
{
	static char	buf[1 << 20];
	int		i, fl;

	(void)state;
	/* Nobody reads the pipe: the writer blocks once it is full. */
	for (i = 0; i < 5000; i++)
		log_info("line %04d %0200d", i, 0);
	fl = fcntl(rd, F_GETFL);
	fcntl(rd, F_SETFL, fl | O_NONBLOCK);
	collect(buf, sizeof(buf), 1500);
	assert_non_null(strstr(buf, "line 0000"));
	assert_non_null(strstr(buf, "log queue full: "));
	assert_non_null(strstr(buf, " lines dropped"));
	fcntl(rd, F_SETFL, fl);
}

static atomic_int	sunk, flushes;

static void
count_sink(int pri, const struct log_fields *lf, const char *msg)
{
	(void)pri;
	(void)lf;
	(void)msg;
	atomic_fetch_add(&sunk, 1);
}

static void
count_flush(void)
{
	atomic_fetch_add(&flushes, 1);
}

static int
setup_counting(void **state)
{
	(void)state;
	atomic_store(&sunk, 0);
	atomic_store(&flushes, 0);
	return logq_start(count_sink, count_flush);
}

static int
teardown_counting(void **state)
{
	(void)state;
	logq_stop();
	return 0;
}

static void
put(int pri, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	assert_int_equal(logq_vput(pri, NULL, fmt, ap), 0);
	va_end(ap);
}

/*
 * 200 notices 200 us apart: every one used to wake the writer, which
 * wrote each alone (about 200 flushes); batched over LOGQ_URGENT_MS
 * there is at most one flush per window of the time they took, however
 * slow the machine made the loop.
 */
static void
test_urgent_lines_batched(void **state)
{
	struct timespec	gap = { 0, 200000 };
	long long	t0, elapsed;
	int		i, bound;

	(void)state;
	t0 = now_ms();
	for (i = 0; i < 200; i++) {
		put(LOG_NOTICE, "request %d ended abnormally", i);
		nanosleep(&gap, NULL);
	}
	elapsed = now_ms() - t0;
	/* The last batch waits out its window: up to a second for it. */
	for (i = 0; i < 5000 && atomic_load(&sunk) < 200; i++)
		nanosleep(&gap, NULL);
	/* Everything reached the sink. */
	assert_int_equal(atomic_load(&sunk), 200);
	bound = (int)(elapsed / LOGQ_URGENT_MS) + 5;
	print_message("200 notices in %lld ms: %d flushes (at most %d)\n",
	    elapsed, atomic_load(&flushes), bound);
	assert_true(atomic_load(&flushes) <= bound);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_order_and_urgency, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_deferred_made_by_writer,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_through_the_writer, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_level_leaves_it_out, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_full_queue_drops, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_urgent_lines_batched,
		    setup_counting, teardown_counting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
