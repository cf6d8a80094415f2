/*
 * test_metrics.c: daemon/metrics.c's pure helpers (label escaping, the
 * histogram's buckets) and, read back, tools/ctl_prom.c (the parser
 * superdctl top uses and the quantile it shows).
 */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metrics.h"
#include "../../tools/ctl_prom.h"

static void
test_escape(void **state)
{
	char	out[64];

	(void)state;
	assert_int_equal(metrics_escape("echo", out, sizeof(out)), 4);
	assert_string_equal(out, "echo");
	assert_int_equal(metrics_escape("a\"b\\c\nd", out, sizeof(out)), 10);
	assert_string_equal(out, "a\\\"b\\\\c\\nd");
	/* Cut at a whole character, never inside an escape. */
	assert_int_equal(metrics_escape("ab\"", out, 4), 4);
	assert_string_equal(out, "ab");
}

static void
test_buckets(void **state)
{
	(void)state;
	assert_int_equal(metrics_bucket_of(0), 0);
	assert_int_equal(metrics_bucket_of(1000), 0);
	assert_int_equal(metrics_bucket_of(1001), 1);
	assert_int_equal(metrics_bucket_of(1000000), 8);
	assert_string_equal(metrics_bucket_le(8), "1");
	assert_int_equal(metrics_bucket_of(1800000000LL), 15);
	assert_int_equal(metrics_bucket_of(1800000001LL), 16);
	assert_string_equal(metrics_bucket_le(METRICS_NBUCKETS - 1), "+Inf");
}

/* What metrics_foreach_count gives: one service's durations, reloads. */
struct seen {
	uint64_t	dur[METRICS_NBUCKETS + 2];
	uint64_t	reloads[4];
	int		ndur, nrel;
};

static void
seen_cb(const char *name, const char *service, const char *proto,
    const uint64_t *v, size_t n, void *arg)
{
	struct seen	*s = arg;

	if (strcmp(name, "durations") == 0 && strcmp(service, "a b") == 0 &&
	    strcmp(proto, "tcp") == 0 && n == METRICS_NBUCKETS + 2) {
		memcpy(s->dur, v, sizeof(s->dur));
		s->ndur++;
	} else if (strcmp(name, "reloads") == 0 && n == 4) {
		memcpy(s->reloads, v, sizeof(s->reloads));
		s->nrel++;
	}
}

/* The counts an upgrade carries come back as they went (carry.c). */
static void
test_carry(void **state)
{
	uint64_t	dur[METRICS_NBUCKETS + 2], rel[4] = { 1, 5, 1, 1700 };
	struct seen	s;
	size_t		i;

	(void)state;
	for (i = 0; i < METRICS_NBUCKETS + 2; i++)
		dur[i] = i * 3 + 1;
	assert_int_equal(metrics_restore_count("durations", "a b", "tcp", dur,
	    METRICS_NBUCKETS + 2), 0);
	assert_int_equal(metrics_restore_count("reloads", "", "", rel, 4), 0);
	assert_int_equal(metrics_restore_count("bytes", "a b", "tcp", rel, 1),
	    -1);
	memset(&s, 0, sizeof(s));
	metrics_foreach_count(seen_cb, &s);
	assert_int_equal(s.ndur, 1);
	assert_memory_equal(s.dur, dur, sizeof(dur));
	assert_int_equal(s.nrel, 1);
	assert_memory_equal(s.reloads, rel, sizeof(rel));
	metrics_free();
}

static void
test_parse(void **state)
{
	struct prom_sample	s;
	char			line[] = "superd_requests_total{service=\"a\\\"b"
	    "\",proto=\"tcp\",result=\"accepted\"} 42";
	char			bare[] = "superd_uptime_seconds 7";
	char			comment[] = "# TYPE x counter";
	char			bad[] = "x{service=\"a} 1";
	char			bad2[] = "x{a=\"1\"}";

	(void)state;
	assert_int_equal(prom_parse(line, &s), 0);
	assert_string_equal(s.name, "superd_requests_total");
	assert_string_equal(prom_label(&s, "service"), "a\"b");
	assert_string_equal(prom_label(&s, "result"), "accepted");
	assert_null(prom_label(&s, "le"));
	assert_true(s.value == 42);
	assert_int_equal(prom_parse(bare, &s), 0);
	assert_int_equal(s.nlabels, 0);
	assert_true(s.value == 7);
	assert_int_equal(prom_parse(comment, &s), 1);
	assert_int_equal(prom_parse(bad, &s), -1);
	assert_int_equal(prom_parse(bad2, &s), -1);
}

static void
test_quantile(void **state)
{
	const double	le[] = { 0.01, 0.1, 1, INFINITY };
	const double	cum[] = { 50, 90, 100, 100 };
	const double	inf[] = { 0, 0, 0, 10 };
	const double	none[] = { 0, 0, 0, 0 };

	(void)state;
	/* Half of 100 is the 50th: the top of the first bucket. */
	assert_true(fabs(prom_quantile(0.5, le, cum, 4) - 0.01) < 1e-9);
	/* The 70th: halfway through (0.01, 0.1]. */
	assert_true(fabs(prom_quantile(0.7, le, cum, 4) - 0.055) < 1e-9);
	assert_true(fabs(prom_quantile(0.99, le, cum, 4) - 0.91) < 1e-9);
	/* All in +Inf: the highest finite bound. */
	assert_true(prom_quantile(0.5, le, inf, 4) == 1);
	assert_true(prom_quantile(0.5, le, none, 4) == -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_buckets),
		cmocka_unit_test(test_carry),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_quantile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
