/*
 * test_ratelimit.c: daemon/ratelimit.c token buckets (time is passed in).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ratelimit.h"

/* How many tokens can be taken at now, at most max. */
static int	drain(struct rl_bucket *, double, unsigned, double, int);

static int
drain(struct rl_bucket *b, double per_sec, unsigned burst, double now,
    int max)
{
	int	n = 0;

	while (n < max && rl_take(b, per_sec, burst, now))
		n++;
	return n;
}

static void
test_burst(void **state)
{
	struct rl_bucket	b;

	rl_init(&b, 5, 1000.0);
	assert_true(b.tokens == 5.0);
	assert_true(b.last == 1000.0);
	/* A new bucket is full: exactly burst requests pass at once. */
	assert_int_equal(drain(&b, 1.0, 5, 1000.0, 100), 5);
	assert_int_equal(rl_take(&b, 1.0, 5, 1000.0), 0);
	assert_int_equal(rl_take(&b, 1.0, 5, 1000.0), 0);

	rl_init(&b, 1, 0.0);
	assert_int_equal(rl_take(&b, 100.0, 1, 0.0), 1);
	assert_int_equal(rl_take(&b, 100.0, 1, 0.0), 0);

	/* A zero burst never admits anything. */
	rl_init(&b, 0, 0.0);
	assert_int_equal(rl_take(&b, 100.0, 0, 0.0), 0);
	assert_int_equal(rl_take(&b, 100.0, 0, 10.0), 0);
}

static void
test_refill(void **state)
{
	struct rl_bucket	b;

	rl_init(&b, 10, 0.0);
	assert_int_equal(drain(&b, 2.0, 10, 0.0, 100), 10);
	/* 2/s: 0.25 s gives half a token, not enough. */
	assert_int_equal(rl_take(&b, 2.0, 10, 0.25), 0);
	/* The half token is kept: another 0.25 s completes it. */
	assert_int_equal(rl_take(&b, 2.0, 10, 0.5), 1);
	assert_int_equal(rl_take(&b, 2.0, 10, 0.5), 0);
	/* 3 s later: 6 tokens. */
	assert_int_equal(drain(&b, 2.0, 10, 3.5, 100), 6);

	/* 6/min: one request every 10 s once the burst is gone. */
	rl_init(&b, 6, 100.0);
	assert_int_equal(drain(&b, 0.1, 6, 100.0, 100), 6);
	assert_int_equal(rl_take(&b, 0.1, 6, 105.0), 0);
	assert_int_equal(rl_take(&b, 0.1, 6, 109.0), 0);
	assert_int_equal(rl_take(&b, 0.1, 6, 110.5), 1);
	assert_int_equal(rl_take(&b, 0.1, 6, 110.5), 0);
}

static void
test_cap(void **state)
{
	struct rl_bucket	b;

	rl_init(&b, 3, 0.0);
	assert_int_equal(drain(&b, 1.0, 3, 0.0, 100), 3);
	/* A long idle time refills to burst, never beyond. */
	assert_int_equal(drain(&b, 1.0, 3, 1e6, 100), 3);
	assert_true(b.tokens >= 0.0 && b.tokens < 1.0);
	/* A full bucket stays full however long it waits. */
	rl_init(&b, 3, 0.0);
	assert_int_equal(rl_take(&b, 1000.0, 3, 1e9), 1);
	assert_true(b.tokens <= 3.0);
	assert_int_equal(drain(&b, 1000.0, 3, 1e9, 100), 2);
	/* A smaller burst than at init caps what is left. */
	rl_init(&b, 100, 0.0);
	assert_int_equal(drain(&b, 1.0, 4, 1.0, 1000), 4);
}

static void
test_time_backwards(void **state)
{
	struct rl_bucket	b;

	rl_init(&b, 2, 100.0);
	assert_int_equal(drain(&b, 1.0, 2, 100.0, 100), 2);
	/* Going back never creates tokens (nor takes any away). */
	assert_int_equal(rl_take(&b, 1.0, 2, 50.0), 0);
	assert_true(b.tokens >= 0.0 && b.tokens < 1.0);
	assert_int_equal(rl_take(&b, 1.0, 2, -1e9), 0);
	assert_true(b.tokens >= 0.0 && b.tokens < 1.0);
	/*
	 * The bucket follows the clock it is given: it is not frozen until
	 * time catches up with the old reading, it refills from the new one.
	 */
	assert_int_equal(rl_take(&b, 1.0, 2, -1e9 + 1.0), 1);
	assert_int_equal(rl_take(&b, 1.0, 2, -1e9 + 1.0), 0);
	/* Tokens left before the step survive it. */
	rl_init(&b, 5, 10.0);
	assert_int_equal(rl_take(&b, 1.0, 5, 10.0), 1);
	assert_int_equal(drain(&b, 1.0, 5, 5.0, 100), 4);
	assert_true(b.tokens >= 0.0 && b.tokens <= 5.0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst),
		cmocka_unit_test(test_refill),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_time_backwards),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
