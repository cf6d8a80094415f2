/*
 * test_logring: the lock-free log ring (daemon/logring.c).  Records come
 * out in order and intact across many wrap-arounds of the buffer; a full
 * ring refuses (and counts) instead of blocking or overwriting, and takes
 * records again once the consumer frees room; and a producer and a
 * consumer thread racing over a small ring lose nothing that was not
 * counted as dropped.
 */
#include "config.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "logring.h"

#define CAP	32768		/* twice the smallest ring allowed */

static _Alignas(8) unsigned char	buf[CAP];

/* Write record i: its length varies with i, its bytes name i. */
static size_t
fill(unsigned char *p, unsigned i)
{
	size_t	len = 16 + (i * 37) % 1500;

	memset(p, (int)(i & 0xff), len);
	memcpy(p, &i, sizeof(i));
	return len;
}

static void
check(const unsigned char *p, size_t len, unsigned i)
{
	unsigned	got;

	memcpy(&got, p, sizeof(got));
	assert_int_equal(got, i);
	assert_int_equal(len, 16 + (i * 37) % 1500);
	assert_int_equal(p[len - 1], i & 0xff);
}

static void
test_init_rejects(void **state)
{
	struct logring	r;

	(void)state;
	assert_int_equal(logring_init(&r, buf, 1000), -1);	/* not 2^n */
	assert_int_equal(logring_init(&r, buf, 1024), -1);	/* too small */
	assert_int_equal(logring_init(&r, buf, CAP), 0);
}

static void
test_wraparound_in_order(void **state)
{
	struct logring	 r;
	const void	*rec;
	unsigned char	*p;
	size_t		 len;
	unsigned	 i, out = 0;

	(void)state;
	assert_int_equal(logring_init(&r, buf, CAP), 0);
	assert_null(logring_peek(&r, &len));
	/* 2000 records of up to 1.5 KB: the 32 KiB buffer wraps ~50 times. */
	for (i = 0; i < 2000; i++) {
		p = logring_reserve(&r, LOGRING_MAX_REC);
		assert_non_null(p);
		logring_commit(&r, fill(p, i));
		/* Keep two or three records in flight across the end. */
		if (i % 3 == 2)
			continue;
		while (out + 2 < i && (rec = logring_peek(&r, &len)) != NULL) {
			check(rec, len, out++);
			logring_release(&r);
		}
	}
	while ((rec = logring_peek(&r, &len)) != NULL) {
		check(rec, len, out++);
		logring_release(&r);
	}
	assert_int_equal(out, 2000);
	assert_int_equal(logring_take_dropped(&r), 0);
	assert_int_equal(logring_used(&r), 0);
}

static void
test_full_drops_and_counts(void **state)
{
	struct logring	 r;
	const void	*rec;
	unsigned char	*p;
	size_t		 len;
	unsigned	 i, kept = 0, out = 0;

	(void)state;
	assert_int_equal(logring_init(&r, buf, CAP), 0);
	/* No consumer: the ring fills, then every reserve fails at once. */
	for (i = 0; i < 100; i++) {
		if ((p = logring_reserve(&r, 1000)) == NULL)
			continue;
		memset(p, 0, 1000);
		memcpy(p, &i, sizeof(i));
		logring_commit(&r, 1000);
		kept++;
	}
	assert_true(kept > 10 && kept < 100);
	assert_int_equal(logring_take_dropped(&r), 100 - kept);
	assert_int_equal(logring_take_dropped(&r), 0);	/* zeroed */
	/* What was kept is intact and in order: the first ones. */
	rec = logring_peek(&r, &len);
	assert_non_null(rec);
	assert_int_equal(len, 1000);
	memcpy(&i, rec, sizeof(i));
	assert_int_equal(i, 0);
	logring_release(&r);
	out++;
	/* Freed room is usable again. */
	p = logring_reserve(&r, 500);
	assert_non_null(p);
	logring_commit(&r, 500);
	while ((rec = logring_peek(&r, &len)) != NULL) {
		logring_release(&r);
		out++;
	}
	assert_int_equal(out, kept + 1);
	/* A record larger than the limit is refused, not truncated. */
	assert_null(logring_reserve(&r, LOGRING_MAX_REC + 1));
	assert_int_equal(logring_take_dropped(&r), 1);
}

#define RACE_N	200000

static void *
producer(void *arg)
{
	struct logring	*r = arg;
	unsigned char	*p;
	unsigned	 i;

	for (i = 0; i < RACE_N; i++)
		if ((p = logring_reserve(r, 1600)) != NULL)
			logring_commit(r, fill(p, i));
	return NULL;
}

static void
test_threads_race(void **state)
{
	struct logring	 r;
	pthread_t	 t;
	const void	*rec;
	size_t		 len;
	unsigned	 got = 0, last = 0, i;
	int		 joined = 0;

	(void)state;
	assert_int_equal(logring_init(&r, buf, CAP), 0);
	assert_int_equal(pthread_create(&t, NULL, producer, &r), 0);
	for (;;) {
		/* Read until the producer has finished and the ring is dry. */
		if ((rec = logring_peek(&r, &len)) == NULL) {
			if (joined)
				break;
			joined = pthread_tryjoin_np(t, NULL) == 0;
			continue;
		}
		memcpy(&i, rec, sizeof(i));
		assert_true(got == 0 || i > last);	/* in order */
		check(rec, len, i);			/* intact */
		last = i;
		got++;
		logring_release(&r);
	}
	assert_int_equal(got + logring_take_dropped(&r), RACE_N);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_rejects),
		cmocka_unit_test(test_wraparound_in_order),
		cmocka_unit_test(test_full_drops_and_counts),
		cmocka_unit_test(test_threads_race),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
