/*
 * test_srctable.c: daemon/srctable.c, per-source entries keyed by prefix
 * in a table that never grows past its capacity.
 */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "srctable.h"

static struct src_entry *get(struct srctable *, const char *, int *);
static void	v4_addr(unsigned char *, unsigned);
static void	v6_addr(unsigned char *, unsigned);

/* The entry for a textual address ("1.2.3.4" or "2001:db8::1"). */
static struct src_entry *
get(struct srctable *t, const char *a, int *created)
{
	unsigned char	buf[16];
	int		family = strchr(a, ':') ? AF_INET6 : AF_INET;

	memset(buf, 0, sizeof(buf));
	assert_int_equal(inet_pton(family, a, buf), 1);
	return srctable_get(t, family, buf, created);
}

/* The i-th IPv4 address of 10.0.0.0/8. */
static void
v4_addr(unsigned char *a, unsigned i)
{
	a[0] = 10;
	a[1] = (unsigned char)(i >> 16);
	a[2] = (unsigned char)(i >> 8);
	a[3] = (unsigned char)i;
}

/* An address in the i-th /64 of 2001:db8::/32, with random-ish low bits. */
static void
v6_addr(unsigned char *a, unsigned i)
{
	memset(a, 0, 16);
	a[0] = 0x20;
	a[1] = 0x01;
	a[2] = 0x0d;
	a[3] = 0xb8;
	a[4] = (unsigned char)(i >> 24);
	a[5] = (unsigned char)(i >> 16);
	a[6] = (unsigned char)(i >> 8);
	a[7] = (unsigned char)i;
	a[8] = (unsigned char)(i * 37);
	a[15] = (unsigned char)(i * 101 + 1);
}

static void
test_created(void **state)
{
	struct srctable		*t = srctable_new(16, 32, 64);
	struct src_entry	*e, *f;
	int			 created = -1;

	assert_non_null(t);
	assert_int_equal(srctable_size(t), 0);
	e = get(t, "192.0.2.1", &created);
	assert_non_null(e);
	assert_int_equal(created, 1);
	assert_int_equal(e->family, AF_INET);
	assert_int_equal(e->active, 0);
	assert_int_equal(srctable_size(t), 1);
	e->active = 3;
	f = get(t, "192.0.2.1", &created);
	assert_ptr_equal(f, e);
	assert_int_equal(created, 0);
	assert_int_equal(f->active, 3);
	assert_int_equal(srctable_size(t), 1);

	/* Same leading bytes in the other family: another entry. */
	f = get(t, "c000:201::", &created);
	assert_non_null(f);
	assert_ptr_not_equal(f, e);
	assert_int_equal(created, 1);
	assert_int_equal(f->family, AF_INET6);
	assert_int_equal(srctable_size(t), 2);
	srctable_free(t);
	srctable_free(NULL);
}

static void
test_group_v4(void **state)
{
	struct srctable		*t = srctable_new(16, 32, 64);
	struct src_entry	*e;
	int			 created;

	/* /32: every address is its own source. */
	e = get(t, "192.0.2.1", &created);
	assert_int_equal(created, 1);
	assert_ptr_not_equal(get(t, "192.0.2.2", &created), e);
	assert_int_equal(created, 1);
	assert_ptr_equal(get(t, "192.0.2.1", &created), e);
	assert_int_equal(created, 0);
	srctable_free(t);

	/* /24: one source per network; the key is the masked address. */
	t = srctable_new(16, 24, 64);
	e = get(t, "192.0.2.1", &created);
	assert_int_equal(created, 1);
	assert_int_equal(e->key[0], 192);
	assert_int_equal(e->key[2], 2);
	assert_int_equal(e->key[3], 0);
	assert_ptr_equal(get(t, "192.0.2.255", &created), e);
	assert_int_equal(created, 0);
	assert_ptr_equal(get(t, "192.0.2.0", &created), e);
	assert_ptr_not_equal(get(t, "192.0.3.1", &created), e);
	assert_int_equal(created, 1);
	assert_int_equal(srctable_size(t), 2);
	srctable_free(t);

	/* A length off the byte boundary: /20. */
	t = srctable_new(16, 20, 64);
	e = get(t, "10.0.16.1", &created);
	assert_ptr_equal(get(t, "10.0.31.255", &created), e);
	assert_int_equal(created, 0);
	assert_ptr_not_equal(get(t, "10.0.32.0", &created), e);
	assert_ptr_not_equal(get(t, "10.0.15.255", &created), e);
	assert_int_equal(srctable_size(t), 3);
	srctable_free(t);
}

static void
test_group_v6(void **state)
{
	struct srctable		*t = srctable_new(16, 32, 64);
	struct src_entry	*e;
	unsigned char		 zero[8];
	int			 created;

	memset(zero, 0, sizeof(zero));
	/* /64: the low 64 bits do not make a new source. */
	e = get(t, "2001:db8:1:2::1", &created);
	assert_int_equal(created, 1);
	assert_memory_equal(e->key + 8, zero, 8);
	assert_ptr_equal(get(t, "2001:db8:1:2:ffff:ffff:ffff:ffff", &created),
	    e);
	assert_int_equal(created, 0);
	assert_ptr_equal(get(t, "2001:db8:1:2:dead:beef::", &created), e);
	assert_ptr_not_equal(get(t, "2001:db8:1:3::1", &created), e);
	assert_int_equal(created, 1);
	assert_int_equal(srctable_size(t), 2);
	srctable_free(t);

	/* /128: every address counts. */
	t = srctable_new(16, 32, 128);
	e = get(t, "2001:db8::1", &created);
	assert_ptr_not_equal(get(t, "2001:db8::2", &created), e);
	assert_ptr_equal(get(t, "2001:db8::1", &created), e);
	srctable_free(t);

	/* /56 */
	t = srctable_new(16, 32, 56);
	e = get(t, "2001:db8:0:100::1", &created);
	assert_ptr_equal(get(t, "2001:db8:0:1ff::1", &created), e);
	assert_ptr_not_equal(get(t, "2001:db8:0:200::1", &created), e);
	srctable_free(t);
}

static void
test_lru_idle_only(void **state)
{
	struct srctable		*t = srctable_new(3, 32, 64);
	struct src_entry	*a, *b, *c;
	int			 created;

	a = get(t, "192.0.2.1", &created);
	b = get(t, "192.0.2.2", &created);
	c = get(t, "192.0.2.3", &created);
	assert_non_null(c);
	assert_int_equal(srctable_size(t), 3);
	/* a is the oldest but busy: b, the oldest idle one, goes. */
	a->active = 1;
	assert_non_null(get(t, "192.0.2.4", &created));
	assert_int_equal(created, 1);
	assert_int_equal(srctable_size(t), 3);
	assert_ptr_equal(get(t, "192.0.2.1", &created), a);
	assert_int_equal(created, 0);
	assert_int_equal(a->active, 1);
	assert_ptr_equal(get(t, "192.0.2.3", &created), c);
	assert_int_equal(created, 0);
	/* Using an entry makes it the newest: now .4 is the oldest idle. */
	assert_non_null(get(t, "192.0.2.5", &created));
	assert_int_equal(created, 1);
	assert_ptr_equal(get(t, "192.0.2.3", &created), c);
	assert_int_equal(created, 0);
	/* .2 was evicted: it comes back as a new entry (in place of .5). */
	b = get(t, "192.0.2.2", &created);
	assert_non_null(b);
	assert_int_equal(created, 1);
	assert_int_equal(b->active, 0);
	assert_int_equal(srctable_size(t), 3);
	srctable_free(t);
}

static void
test_full_of_active(void **state)
{
	struct srctable		*t = srctable_new(4, 32, 64);
	struct src_entry	*e[4];
	unsigned char		 a[16];
	int			 i, created;

	for (i = 0; i < 4; i++) {
		v4_addr(a, (unsigned)i);
		e[i] = srctable_get(t, AF_INET, a, &created);
		assert_non_null(e[i]);
		e[i]->active = 1;
	}
	v4_addr(a, 99);
	created = -1;
	assert_null(srctable_get(t, AF_INET, a, &created));
	assert_int_equal(created, 0);
	v6_addr(a, 99);
	assert_null(srctable_get(t, AF_INET6, a, &created));
	assert_int_equal(srctable_size(t), 4);
	/* Known sources are still found. */
	v4_addr(a, 2);
	assert_ptr_equal(srctable_get(t, AF_INET, a, &created), e[2]);
	assert_int_equal(created, 0);
	/* One goes idle: its slot is reused. */
	e[1]->active = 0;
	v4_addr(a, 99);
	e[1] = srctable_get(t, AF_INET, a, &created);
	assert_non_null(e[1]);
	assert_int_equal(created, 1);
	assert_int_equal(e[1]->active, 0);
	assert_int_equal(srctable_size(t), 4);
	e[1]->active = 1;
	v4_addr(a, 1);
	assert_null(srctable_get(t, AF_INET, a, &created));
	srctable_free(t);

	/* A table of capacity 0 holds nothing. */
	t = srctable_new(0, 32, 64);
	assert_non_null(t);
	assert_null(srctable_get(t, AF_INET, a, &created));
	assert_int_equal(srctable_size(t), 0);
	srctable_free(t);
}

#define NSOURCES	100000
#define CAPACITY	1000
#define NBUSY		50

static void
test_capacity_flood(void **state)
{
	struct srctable		*t = srctable_new(CAPACITY, 32, 64);
	struct src_entry	*e, *busy[NBUSY];
	unsigned char		 a[16];
	unsigned		 i;
	int			 created, family;

	memset(busy, 0, sizeof(busy));
	for (i = 0; i < NSOURCES; i++) {
		family = i % 2 ? AF_INET6 : AF_INET;
		if (family == AF_INET)
			v4_addr(a, i);
		else
			v6_addr(a, i);
		e = srctable_get(t, family, a, &created);
		assert_non_null(e);
		assert_int_equal(created, 1);
		assert_true(srctable_size(t) <= CAPACITY);
		/* Some sources stay busy for a while, as real ones do. */
		if (i % 7 == 0) {
			if (busy[i % NBUSY] != NULL)
				busy[i % NBUSY]->active--;
			busy[i % NBUSY] = e;
			e->active++;
		}
	}
	assert_int_equal(srctable_size(t), CAPACITY);
	/* The last CAPACITY sources are exactly what the table holds. */
	for (i = NSOURCES - CAPACITY; i < NSOURCES; i++) {
		family = i % 2 ? AF_INET6 : AF_INET;
		if (family == AF_INET)
			v4_addr(a, i);
		else
			v6_addr(a, i);
		/* Other low bits, same /64. */
		a[15] ^= 0x5a;
		e = srctable_get(t, family, a, &created);
		assert_non_null(e);
		assert_int_equal(created, 0);
	}
	assert_int_equal(srctable_size(t), CAPACITY);
	srctable_free(t);
}

/*
 * Regression (fixed; daemon/srctable.c evict_one): only the 64 oldest entries are
 * looked at, so when they are all busy srctable_get returns NULL although
 * the table holds idle entries; srctable.h promises NULL only "when the
 * table is full of active entries".  In policy.c that refuses every new
 * source (REFUSE_PERSOURCE) once 65 long-lived sessions are the oldest.
 */
/*
 * An empty table holds a few buckets, not one per entry of its capacity
 * (64 KiB for 8192 sources, per service); they grow with the entries,
 * and every entry is found again after each growth.
 */
static void
test_buckets_grow(void **state)
{
	struct srctable		*t = srctable_new(8192, 32, 64);
	struct src_entry	*e;
	unsigned char		 a[16];
	unsigned		 i;
	int			 created;

	(void)state;
	assert_non_null(t);
	assert_int_equal(srctable_nbuckets(t), SRCTABLE_MIN_BUCKETS);
	for (i = 0; i < 5000; i++) {
		v4_addr(a, i);
		e = srctable_get(t, AF_INET, a, &created);
		assert_non_null(e);
		assert_int_equal(created, 1);
		e->active = i;	/* a mark to find it by */
	}
	assert_true(srctable_nbuckets(t) >= 4096);
	assert_true(srctable_nbuckets(t) <= 8192);
	for (i = 0; i < 5000; i++) {
		v4_addr(a, i);
		e = srctable_get(t, AF_INET, a, &created);
		assert_int_equal(created, 0);
		assert_int_equal(e->active, i);
	}
	assert_int_equal(srctable_size(t), 5000);
	srctable_free(t);
}

static void
test_evict_past_busy_regression(void **state)
{
	struct srctable		*t = srctable_new(200, 32, 64);
	struct src_entry	*e;
	unsigned char		 a[16];
	unsigned		 i;
	int			 created;

	for (i = 0; i < 200; i++) {
		v4_addr(a, i);
		e = srctable_get(t, AF_INET, a, &created);
		assert_non_null(e);
		if (i < 100)
			e->active = 1;
	}
	v4_addr(a, 1000);
	e = srctable_get(t, AF_INET, a, &created);
	assert_non_null(e);
	assert_int_equal(created, 1);
	assert_int_equal(srctable_size(t), 200);
	/* The oldest idle entry (number 100) made room; busy ones stay. */
	v4_addr(a, 0);
	e = srctable_get(t, AF_INET, a, &created);
	assert_non_null(e);
	assert_int_equal(created, 0);
	assert_int_equal(e->active, 1);
	srctable_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_created),
		cmocka_unit_test(test_group_v4),
		cmocka_unit_test(test_group_v6),
		cmocka_unit_test(test_lru_idle_only),
		cmocka_unit_test(test_full_of_active),
		cmocka_unit_test(test_capacity_flood),
		cmocka_unit_test(test_evict_past_busy_regression),
		cmocka_unit_test(test_buckets_grow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
