/*
 * test_directory.c: the lease table (expiry, renewal, ownership, limits,
 * replicas, paging, protected names, directory-allow, connection-bound
 * leases) and how fast 10 000 leases are.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "directory.h"

#define ALICE	1000
#define BOB	1001

static struct dir_policy pol;

static int	 fake_config_name(const char *, void *);
static struct dir_cred cred(uid_t);
static struct dir_reg reg(const char *, const char *, unsigned, unsigned);
static uint64_t	 add(struct directory *, uid_t, const char *, unsigned,
		    unsigned, enum dir_err);
static int	 setup(void **);
static int	 teardown(void **);
static void	 gone_count(const struct dir_entry *, const char *, void *);
static double	 now_sec(void);
static int	 cmp_double(const void *, const void *);
static void	 test_expiry(void **);
static void	 test_renew(void **);
static void	 test_unregister(void **);
static void	 test_ownership(void **);
static void	 test_squat_expires(void **);
static void	 test_reserve_wins(void **);
static void	 test_group_reload(void **);
static void	 test_root_owns(void **);
static void	 test_duplicate(void **);
static void	 test_limits(void **);
static void	 test_replicas(void **);
static void	 test_paging(void **);
static void	 test_config_names(void **);
static void	 test_allow(void **);
static void	 test_policy_purge(void **);
static void	 test_conn_bound(void **);
static void	 test_validation(void **);
static void	 test_errors(void **);
static void	 test_scale(void **);

/* "echo" and "daytime" are configured services. */
static int
fake_config_name(const char *name, void *arg)
{
	(void)arg;
	return strcmp(name, "echo") == 0 || strcmp(name, "daytime") == 0;
}

/* A peer with uid, gid = uid, pid = uid + 1. */
static struct dir_cred
cred(uid_t uid)
{
	struct dir_cred	c = { .uid = uid, .gid = uid, .pid = (pid_t)uid + 1 };

	return c;
}

/* A tcp registration on 127.0.0.1. */
static struct dir_reg
reg(const char *name, const char *addr, unsigned port, unsigned ttl)
{
	struct dir_reg	r;

	memset(&r, 0, sizeof(r));
	r.name = name;
	r.proto = DIR_PROTO_TCP;
	r.addr = addr;
	r.port = port;
	r.ttl = ttl;
	r.weight = 1;
	r.conn = 7;
	return r;
}

/* Register name:port as uid at time 0 and expect err; the id or 0. */
static uint64_t
add(struct directory *d, uid_t uid, const char *name, unsigned port,
    unsigned ttl, enum dir_err err)
{
	struct dir_reg	r = reg(name, "127.0.0.1", port, ttl);
	struct dir_cred	c = cred(uid);
	uint64_t	id = 0;
	unsigned	granted;

	assert_int_equal(dir_register(d, &r, &c, 0, &id, &granted), err);
	return err == DIR_OK ? id : 0;
}

static int
setup(void **state)
{
	memset(&pol, 0, sizeof(pol));
	pol.ttl_min = 5;
	pol.ttl_max = 60;
	pol.max_entries = 100;
	pol.max_per_uid = 4;
	pol.config_name = fake_config_name;
	*state = dir_new(&pol);
	return *state == NULL;
}

static int
teardown(void **state)
{
	dir_free(*state);
	return 0;
}

/* Count the entries a removal reports. */
static void
gone_count(const struct dir_entry *e, const char *why, void *arg)
{
	(void)e;
	(void)why;
	(*(int *)arg)++;
}

/*
 * An upgrade restores a lease with its id and expiry; new leases then
 * get ids after it, so no id is ever given twice.
 */
static void
test_restore(void **state)
{
	struct directory	*d = *state;
	struct dir_reg		 r = reg("kept", "127.0.0.1", 1000, 30);
	struct dir_cred		 c = cred(1000);
	const struct dir_entry	*e;
	uint64_t		 id;
	unsigned		 ttl;
	int			 n = 0;

	r.id = 77;
	r.expires_ms = 12345;
	assert_int_equal(dir_register(d, &r, &c, 0, &id, &ttl), DIR_OK);
	assert_int_equal(id, 77);
	assert_int_equal(ttl, 30);
	assert_non_null(e = dir_find(d, 77));
	assert_int_equal(e->expires_ms, 12345);
	assert_int_equal(add(d, 1000, "next", 1001, 30, DIR_OK), 78);
	assert_int_equal(dir_expire(d, 12344, gone_count, &n), 0);
	assert_int_equal(dir_expire(d, 12345, gone_count, &n), 1);
	assert_null(dir_find(d, 77));
}

/* TTLs are clamped; entries leave exactly at their expiry. */
static void
test_expiry(void **state)
{
	struct directory	*d = *state;
	struct dir_reg		 r = reg("myapp", "127.0.0.1", 1000, 1);
	struct dir_cred		 c = cred(ALICE);
	uint64_t		 a, b;
	unsigned		 ttl;
	int			 gone = 0;

	assert_int_equal(dir_register(d, &r, &c, 1000, &a, &ttl), DIR_OK);
	assert_int_equal(ttl, 5);			/* ttl_min */
	r.port = 1001;
	r.ttl = 3600;
	assert_int_equal(dir_register(d, &r, &c, 1000, &b, &ttl), DIR_OK);
	assert_int_equal(ttl, 60);			/* ttl_max */
	assert_int_equal(dir_next_expiry(d), 6000);
	assert_int_equal(dir_expire(d, 5999, gone_count, &gone), 0);
	assert_int_equal(dir_expire(d, 6000, gone_count, &gone), 1);
	assert_int_equal(gone, 1);
	assert_null(dir_find(d, a));
	assert_non_null(dir_find(d, b));
	assert_int_equal(dir_next_expiry(d), 61000);
	assert_int_equal(dir_expire(d, 100000, NULL, NULL), 1);
	assert_int_equal(dir_count(d), 0);
	assert_int_equal(dir_next_expiry(d), 0);
	assert_null(dir_first(d, "myapp"));
}

/* Renewal pushes expiry forward; only the owner or root may renew. */
static void
test_renew(void **state)
{
	struct directory	*d = *state;
	struct dir_cred		 alice = cred(ALICE), bob = cred(BOB),
				 root = cred(0);
	uint64_t		 id = add(d, ALICE, "myapp", 1000, 10,
				    DIR_OK);
	unsigned		 ttl;

	assert_int_equal(dir_renew(d, id, &bob, 5000, &ttl), DIR_ENOTOWNER);
	assert_int_equal(dir_renew(d, id, &alice, 5000, &ttl), DIR_OK);
	assert_int_equal(ttl, 10);
	assert_int_equal(dir_next_expiry(d), 15000);
	assert_int_equal(dir_renew(d, id, &root, 9000, &ttl), DIR_OK);
	assert_int_equal(dir_expire(d, 15000, NULL, NULL), 0);
	assert_int_equal(dir_expire(d, 19000, NULL, NULL), 1);
	assert_int_equal(dir_renew(d, id, &alice, 19000, &ttl), DIR_ENOID);
	assert_int_equal(dir_renew(d, 999, &alice, 0, &ttl), DIR_ENOID);
}

/* Unregister: owner or root; ids are never reused. */
static void
test_unregister(void **state)
{
	struct directory	*d = *state;
	struct dir_cred		 alice = cred(ALICE), bob = cred(BOB),
				 root = cred(0);
	uint64_t		 a = add(d, ALICE, "myapp", 1000, 10, DIR_OK);
	uint64_t		 b = add(d, ALICE, "myapp", 1001, 10, DIR_OK);

	assert_int_equal(dir_unregister(d, a, &bob), DIR_ENOTOWNER);
	assert_int_equal(dir_unregister(d, a, &alice), DIR_OK);
	assert_int_equal(dir_unregister(d, a, &alice), DIR_ENOID);
	assert_int_equal(dir_unregister(d, b, &root), DIR_OK);
	assert_int_equal(dir_count(d), 0);
	assert_true(add(d, ALICE, "myapp", 1000, 10, DIR_OK) > b);
}

/*
 * A name belongs to whoever holds a live lease under it; root may add
 * to it, and then holds it too; it frees up with the last lease.
 */
static void
test_ownership(void **state)
{
	struct directory	*d = *state;
	struct dir_cred		 alice = cred(ALICE);
	uint64_t		 a;

	a = add(d, ALICE, "myapp", 1000, 10, DIR_OK);
	add(d, BOB, "myapp", 2000, 10, DIR_EOWNED);
	add(d, 0, "myapp", 3000, 10, DIR_OK);
	/* Bob cannot take Alice's endpoint either. */
	add(d, BOB, "myapp", 1000, 10, DIR_EOWNED);
	/* Root holds the name too: Alice may no longer add to it. */
	add(d, ALICE, "myapp", 1001, 10, DIR_EOWNED);
	assert_int_equal(dir_unregister(d, a, &alice), DIR_OK);
	/* Alice's lease is gone, so is her claim: the name is root's. */
	add(d, BOB, "myapp", 2000, 10, DIR_EOWNED);
	add(d, ALICE, "myapp", 2000, 10, DIR_EOWNED);
	/* A name nobody holds is free again. */
	add(d, BOB, "other", 2000, 10, DIR_OK);
	add(d, ALICE, "other", 2001, 10, DIR_EOWNED);
}

/*
 * The squatter of issue 3: a user's short lease before root's; once it
 * ends (expired but not yet swept, or swept), the name is root's alone.
 */
static void
test_squat_expires(void **state)
{
	struct directory	*d = *state;
	struct dir_reg		 r = reg("webapp", "127.0.0.1", 9000, 5);
	struct dir_cred		 c = cred(ALICE);
	const struct dir_entry	*e;
	uint64_t		 id;
	unsigned		 ttl;

	add(d, ALICE, "webapp", 8000, 5, DIR_OK);		/* until 5 s */
	add(d, 0, "webapp", 8001, 60, DIR_OK);
	/* Root's endpoint is offered first. */
	e = dir_first(d, "webapp");
	assert_int_equal(e->uid, 0);
	assert_int_equal(dir_next_replica(e)->uid, ALICE);
	/* At 6 s Alice's lease is over, even before the sweep. */
	assert_int_equal(dir_register(d, &r, &c, 6000, &id, &ttl), DIR_EOWNED);
	c = cred(BOB);
	assert_int_equal(dir_register(d, &r, &c, 6000, &id, &ttl), DIR_EOWNED);
	assert_int_equal(dir_expire(d, 6000, NULL, NULL), 1);
	c = cred(ALICE);
	assert_int_equal(dir_register(d, &r, &c, 6000, &id, &ttl), DIR_EOWNED);
	/* While both hold it, root's endpoints still come first. */
	add(d, 0, "shared", 1, 60, DIR_OK);
	assert_int_equal(dir_first(d, "shared")->uid, 0);
}

/* A reservation wins over a squatter's lease when the config changes. */
static void
test_reserve_wins(void **state)
{
	struct directory	*d = *state;
	struct dir_reserve	 res = { .name = "webapp", .uid = BOB };
	int			 gone = 0;

	add(d, ALICE, "webapp", 8000, 60, DIR_OK);
	pol.reserve = &res;
	pol.nreserve = 1;
	assert_int_equal(dir_set_policy(d, &pol, gone_count, &gone), 1);
	assert_int_equal(gone, 1);
	add(d, BOB, "webapp", 8001, 60, DIR_OK);
	add(d, ALICE, "webapp", 8000, 60, DIR_ERESERVED);
}

/*
 * Issue 4: a group member's lease under a name reserved for the group
 * survives a reload with the same config (groups as registered), and
 * goes when the reservation moves to another group.
 */
static void
test_group_reload(void **state)
{
	struct directory	*d = *state;
	struct dir_reserve	 res = { .name = "build", .by_group = 1,
				    .gid = 600 };
	struct dir_reg		 r = reg("build", "127.0.0.1", 4000, 60);
	struct dir_cred		 alice = cred(ALICE);
	gid_t			 groups[2] = { 10, 600 };
	uint64_t		 id;
	unsigned		 ttl;
	int			 gone = 0;

	pol.reserve = &res;
	pol.nreserve = 1;
	assert_int_equal(dir_set_policy(d, &pol, NULL, NULL), 0);
	alice.groups = groups;
	alice.ngroups = 2;
	assert_int_equal(dir_register(d, &r, &alice, 0, &id, &ttl), DIR_OK);
	/* The caller's array is not ours to keep. */
	groups[1] = 11;
	assert_int_equal(dir_set_policy(d, &pol, gone_count, &gone), 0);
	assert_int_equal(gone, 0);
	assert_non_null(dir_find(d, id));
	res.gid = 601;
	assert_int_equal(dir_set_policy(d, &pol, gone_count, &gone), 1);
	assert_int_equal(gone, 1);
	assert_null(dir_find(d, id));
}

/* Root first: nobody else may use the name. */
static void
test_root_owns(void **state)
{
	struct directory	*d = *state;

	add(d, 0, "sshd", 22, 10, DIR_OK);
	add(d, ALICE, "sshd", 2222, 10, DIR_EOWNED);
}

/* Same endpoint: replaced for the same uid, refused for another. */
static void
test_duplicate(void **state)
{
	struct directory	*d = *state;
	struct dir_reg		 r = reg("shared", "127.0.0.1", 1000, 10);
	struct dir_cred		 alice = cred(ALICE), bob = cred(BOB);
	struct dir_reserve	 res = { .name = "shared", .by_group = 1,
				    .gid = 500 };
	gid_t			 g = 500;
	uint64_t		 a, a2, b;
	unsigned		 ttl;

	pol.reserve = &res;
	pol.nreserve = 1;
	assert_int_equal(dir_set_policy(d, &pol, NULL, NULL), 0);
	alice.groups = bob.groups = &g;
	alice.ngroups = bob.ngroups = 1;
	assert_int_equal(dir_register(d, &r, &alice, 0, &a, &ttl), DIR_OK);
	assert_int_equal(dir_register(d, &r, &alice, 0, &a2, &ttl), DIR_OK);
	assert_null(dir_find(d, a));
	assert_int_equal(dir_count(d), 1);
	assert_int_equal(dir_count_uid(d, ALICE), 1);
	assert_int_equal(dir_register(d, &r, &bob, 0, &b, &ttl), DIR_EDUP);
	r.port = 1001;
	assert_int_equal(dir_register(d, &r, &bob, 0, &b, &ttl), DIR_OK);
	assert_int_equal(dir_count(d), 2);
}

/* Per-uid and total limits; root is exempt from the per-uid one. */
static void
test_limits(void **state)
{
	struct directory	*d = *state;
	char			 name[16];
	int			 i;

	for (i = 0; i < 4; i++)
		add(d, ALICE, "a", 1000 + i, 10, DIR_OK);
	add(d, ALICE, "a", 2000, 10, DIR_EUIDQUOTA);
	add(d, ALICE, "b", 2000, 0, DIR_EUIDQUOTA);
	/* Replacing an endpoint is not a new entry. */
	add(d, ALICE, "a", 1000, 20, DIR_OK);
	assert_int_equal(dir_count_uid(d, ALICE), 4);
	for (i = 0; i < 96; i++) {
		snprintf(name, sizeof(name), "r%d", i);
		add(d, 0, name, 1000, 10, DIR_OK);
	}
	assert_int_equal(dir_count(d), 100);
	add(d, 0, "full", 1000, 10, DIR_EFULL);
	add(d, BOB, "full", 1000, 10, DIR_EFULL);
	/* Expiry makes room. */
	assert_int_equal(dir_expire(d, 10000, NULL, NULL), 99);
	add(d, BOB, "full", 1000, 10, DIR_OK);
}

/*
 * Several endpoints under one name come back root's first, then in
 * registration order.
 */
static void
test_replicas(void **state)
{
	struct directory	*d = *state;
	const struct dir_entry	*e;
	uint64_t		 a, b, c, r2;

	a = add(d, ALICE, "web", 8080, 10, DIR_OK);
	b = add(d, ALICE, "web", 8081, 0, DIR_OK);
	c = add(d, 0, "web", 8082, 10, DIR_OK);
	r2 = add(d, 0, "web", 8083, 10, DIR_OK);
	e = dir_first(d, "web");
	assert_int_equal(e->id, c);
	assert_int_equal(e->uid, 0);
	e = dir_next_replica(e);
	assert_int_equal(e->id, r2);
	/* A cursor past a root lease that left resumes among root's. */
	assert_int_equal(dir_seek_rank(d, "web", 0, c)->id, r2);
	assert_int_equal(dir_seek_rank(d, "web", 0, r2)->id, a);
	assert_int_equal(dir_seek_rank(d, "web", 1, a)->id, b);
	e = dir_next_replica(e);
	assert_int_equal(e->id, a);
	assert_int_equal(e->uid, ALICE);
	assert_int_equal(e->pid, ALICE + 1);
	e = dir_next_replica(e);
	assert_int_equal(e->id, b);
	assert_int_equal(e->expires_ms, 0);
	assert_int_equal(e->ttl, 0);
	assert_null(dir_next_replica(e));
	assert_null(dir_first(d, "we"));
	assert_null(dir_first(d, "webb"));
}

/* Walks in (name, id) order and resumes from any point. */
static void
test_paging(void **state)
{
	struct directory	*d = *state;
	const struct dir_entry	*e;
	const char		*names[] = { "m", "b", "z", "a", "m" };
	const char		*order[] = { "a", "b", "m", "m", "z" };
	uint64_t		 ids[5];
	int			 i;

	for (i = 0; i < 5; i++)
		ids[i] = add(d, 0, names[i], 1000 + i, 10, DIR_OK);
	for (i = 0, e = dir_seek(d, "", 0); e != NULL; e = dir_next(d, e), i++)
		assert_string_equal(e->name, order[i]);
	assert_int_equal(i, 5);
	e = dir_seek(d, "m", ids[0]);
	assert_int_equal(e->id, ids[4]);
	e = dir_seek(d, "m", ids[4]);
	assert_string_equal(e->name, "z");
	e = dir_seek(d, "c", 0);		/* a name that is not there */
	assert_string_equal(e->name, "m");
	assert_null(dir_seek(d, "z", ids[2]));
	assert_null(dir_seek(d, "zz", 0));
	/* Removing the entry a cursor names does not lose the place. */
	assert_int_equal(dir_unregister(d, ids[0], &(struct dir_cred){
	    .uid = 0 }), DIR_OK);
	e = dir_seek(d, "m", ids[0]);
	assert_int_equal(e->id, ids[4]);
}

/* Configured services' names are nobody's, not even root's. */
static void
test_config_names(void **state)
{
	struct directory	*d = *state;

	add(d, ALICE, "echo", 7, 10, DIR_ECONFIG);
	add(d, 0, "echo", 7, 10, DIR_ECONFIG);
	add(d, 0, "daytime", 13, 0, DIR_ECONFIG);
	add(d, 0, "echo2", 7, 10, DIR_OK);
}

/* directory-allow reserves a name for a user or a group (and root). */
static void
test_allow(void **state)
{
	struct directory	*d = *state;
	struct dir_reserve	 res[2] = {
		{ .name = "pgsql", .uid = BOB },
		{ .name = "build", .by_group = 1, .gid = 600 },
	};
	struct dir_reg		 r = reg("build", "127.0.0.1", 4000, 10);
	struct dir_cred		 alice = cred(ALICE);
	gid_t			 groups[2] = { 10, 600 };
	uint64_t		 id;
	unsigned		 ttl;

	pol.reserve = res;
	pol.nreserve = 2;
	assert_int_equal(dir_set_policy(d, &pol, NULL, NULL), 0);
	add(d, ALICE, "pgsql", 5432, 10, DIR_ERESERVED);
	add(d, BOB, "pgsql", 5432, 10, DIR_OK);
	add(d, 0, "pgsql", 5433, 10, DIR_OK);
	add(d, ALICE, "build", 4000, 10, DIR_ERESERVED);
	alice.groups = groups;
	alice.ngroups = 2;
	assert_int_equal(dir_register(d, &r, &alice, 0, &id, &ttl), DIR_OK);
	/* Primary group counts too; first-come does not apply. */
	r.port = 4001;
	alice = cred(BOB);
	alice.gid = 600;
	assert_int_equal(dir_register(d, &r, &alice, 0, &id, &ttl), DIR_OK);
}

/* A reload that protects a name drops the leases under it. */
static void
test_policy_purge(void **state)
{
	struct directory	*d = *state;
	struct dir_reserve	 res = { .name = "mine", .uid = BOB };
	int			 gone = 0;

	add(d, ALICE, "mine", 1, 10, DIR_OK);
	add(d, BOB, "other", 1, 10, DIR_OK);
	add(d, 0, "mine", 2, 10, DIR_OK);
	pol.reserve = &res;
	pol.nreserve = 1;
	pol.max_per_uid = 1;
	assert_int_equal(dir_set_policy(d, &pol, gone_count, &gone), 1);
	assert_int_equal(gone, 1);
	assert_int_equal(dir_count(d), 2);
	assert_int_equal(dir_first(d, "mine")->uid, 0);
	/* Our copy of the reservations outlives the caller's. */
	memset(&res, 0, sizeof(res));
	add(d, ALICE, "mine", 3, 10, DIR_ERESERVED);
}

/* Connection-bound leases go with their connection, TTL ones stay. */
static void
test_conn_bound(void **state)
{
	struct directory	*d = *state;
	struct dir_reg		 r = reg("svc", "127.0.0.1", 1000, 0);
	struct dir_cred		 c = cred(ALICE);
	uint64_t		 a, b, x;
	unsigned		 ttl;
	int			 gone = 0;

	r.conn = 11;
	assert_int_equal(dir_register(d, &r, &c, 0, &a, &ttl), DIR_OK);
	assert_int_equal(ttl, 0);
	r.port = 1001;
	r.conn = 12;
	assert_int_equal(dir_register(d, &r, &c, 0, &b, &ttl), DIR_OK);
	r.port = 1002;
	r.conn = 11;
	r.ttl = 30;
	assert_int_equal(dir_register(d, &r, &c, 0, &x, &ttl), DIR_OK);
	assert_int_equal(dir_renew(d, a, &c, 0, &ttl), DIR_OK);
	assert_int_equal(ttl, 0);
	assert_int_equal(dir_expire(d, UINT64_C(1) << 40, NULL, NULL), 1);
	assert_int_equal(dir_remove_conn(d, 11, gone_count, &gone), 1);
	assert_int_equal(gone, 1);
	assert_null(dir_find(d, a));
	assert_non_null(dir_find(d, b));
	assert_int_equal(dir_remove_conn(d, 0, NULL, NULL), 0);
	assert_int_equal(dir_remove_conn(d, 12, NULL, NULL), 1);
	r.ttl = 0;
	r.conn = 0;
	assert_int_equal(dir_register(d, &r, &c, 0, &a, &ttl), DIR_ENOCONN);
}

/* Every malformed registration is refused with its own error. */
static void
test_validation(void **state)
{
	struct directory	*d = *state;
	struct dir_reg		 r;
	struct dir_cred		 c = cred(0);
	const char		*tags[9] = { "a=1", "b=2", "c=3", "d=4", "e=5",
				    "f=6", "g=7", "h=8", "i=9" };
	char			 longv[300];
	uint64_t		 id;
	unsigned		 ttl;
	size_t			 i;
	static const char	*badnames[] = { "", "-a", "a-", "A",
				    "abcdefghijklmnop", "a_b", "a.b" };

	for (i = 0; i < sizeof(badnames) / sizeof(badnames[0]); i++) {
		r = reg(badnames[i], "127.0.0.1", 1, 10);
		assert_int_equal(dir_register(d, &r, &c, 0, &id, &ttl),
		    DIR_EBADNAME);
	}
	r = reg("abcdefghijklmno", "127.0.0.1", 1, 10);
	assert_int_equal(dir_register(d, &r, &c, 0, &id, &ttl), DIR_OK);
	r = reg("x", "localhost", 1, 10);
	assert_int_equal(dir_register(d, &r, &c, 0, &id, &ttl), DIR_EBADIP);
	r = reg("x", "fe80::1%eth0", 1, 10);
	assert_int_equal(dir_register(d, &r, &c, 0, &id, &ttl), DIR_OK);
	r = reg("x", "fe80::1%", 2, 10);
	assert_int_equal(dir_register(d, &r, &c, 0, &id, &ttl), DIR_EBADIP);
	r = reg("x", "127.0.0.1", 0, 10);
	assert_int_equal(dir_register(d, &r, &c, 0, &id, &ttl), DIR_EBADPORT);
	r = reg("x", "127.0.0.1", 65536, 10);
	assert_int_equal(dir_register(d, &r, &c, 0, &id, &ttl), DIR_EBADPORT);
	r = reg("u", "/run/u.sock", 0, 10);
	r.proto = DIR_PROTO_UNIX;
	assert_int_equal(dir_register(d, &r, &c, 0, &id, &ttl), DIR_OK);
	r.port = 1;
	assert_int_equal(dir_register(d, &r, &c, 0, &id, &ttl), DIR_EBADPORT);
	r.port = 0;
	r.addr = "run/u.sock";
	assert_int_equal(dir_register(d, &r, &c, 0, &id, &ttl), DIR_EBADPATH);
	memset(longv, 'p', sizeof(longv));
	longv[0] = '/';
	longv[DIR_ADDR_MAX] = '\0';
	r.addr = longv;
	assert_int_equal(dir_register(d, &r, &c, 0, &id, &ttl), DIR_EBADPATH);
	longv[DIR_ADDR_MAX - 1] = '\0';
	r = reg("u", longv, 0, 10);
	r.proto = DIR_PROTO_UNIX;
	assert_int_equal(dir_register(d, &r, &c, 0, &id, &ttl), DIR_OK);
	r = reg("at", "@abstract", 0, 10);
	r.proto = DIR_PROTO_UNIX;
	assert_int_equal(dir_register(d, &r, &c, 0, &id, &ttl), DIR_OK);

	/* Tags: 8 at most, key syntax, value length. */
	r = reg("t", "127.0.0.1", 1, 10);
	memcpy(r.tags, tags, sizeof(tags));
	r.ntags = 9;
	assert_int_equal(dir_register(d, &r, &c, 0, &id, &ttl), DIR_ETAGS);
	r.ntags = 8;
	assert_int_equal(dir_register(d, &r, &c, 0, &id, &ttl), DIR_OK);
	assert_string_equal(dir_find(d, id)->tags[7], "h=8");
	r.port = 2;
	r.ntags = 1;
	r.tags[0] = "=x";
	assert_int_equal(dir_register(d, &r, &c, 0, &id, &ttl), DIR_EBADTAG);
	r.tags[0] = "a.b=x";
	assert_int_equal(dir_register(d, &r, &c, 0, &id, &ttl), DIR_EBADTAG);
	r.tags[0] = "abcdefghijklmnopqrstuvwxyz0123456=x";
	assert_int_equal(dir_register(d, &r, &c, 0, &id, &ttl), DIR_EBADTAG);
	memset(longv, 'v', sizeof(longv));
	memcpy(longv, "k=", 2);
	longv[2 + DIR_TAG_VALUE_MAX + 1] = '\0';
	r.tags[0] = longv;
	assert_int_equal(dir_register(d, &r, &c, 0, &id, &ttl), DIR_ETAGLONG);
	longv[2 + DIR_TAG_VALUE_MAX] = '\0';
	assert_int_equal(dir_register(d, &r, &c, 0, &id, &ttl), DIR_OK);
	r.tags[0] = "k=";
	r.port = 3;
	assert_int_equal(dir_register(d, &r, &c, 0, &id, &ttl), DIR_OK);
}

/* Codes are the protocol's; texts differ; names and protos map. */
static void
test_errors(void **state)
{
	enum dir_proto	p;
	int		i, j;

	(void)state;
	for (i = 1; i < DIR_NERRS; i++) {
		assert_non_null(strstr(" EBADREQ EPERM EEXIST ENOENT EQUOTA "
		    "EBUSY ", dir_errcode(i)));
		for (j = 1; j < i; j++)
			assert_string_not_equal(dir_strerror(i),
			    dir_strerror(j));
	}
	assert_int_equal(dir_proto_parse("udp", &p), 0);
	assert_int_equal(p, DIR_PROTO_UDP);
	assert_string_equal(dir_proto_name(p), "udp");
	assert_int_equal(dir_proto_parse("sctp", &p), -1);
	assert_true(dir_name_ok("a"));
	assert_true(dir_name_ok("x-1"));
}

/* Monotonic seconds. */
static double
now_sec(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* 10 000 leases under 10 000 names: register, lookup, renew, expire. */
static void
test_scale(void **state)
{
	struct directory	*d;
	struct dir_reg		 r;
	struct dir_cred		 c = cred(0);
	uint64_t		*ids;
	double			*lat, t0, t, treg, tlook, texp;
	char			 name[16];
	unsigned		 ttl;
	size_t			 i, n = 10000;

	(void)state;
	pol.max_entries = 20000;
	pol.ttl_max = 100000;
	assert_non_null(d = dir_new(&pol));
	assert_non_null(ids = calloc(n, sizeof(*ids)));
	assert_non_null(lat = calloc(n, sizeof(*lat)));
	t0 = now_sec();
	for (i = 0; i < n; i++) {
		/* Names in a scattered order exercise the sorted index. */
		snprintf(name, sizeof(name), "s%zu", (i * 7919) % n);
		r = reg(name, "127.0.0.1", 1 + i % 60000, 10 + i % 1000);
		t = now_sec();
		assert_int_equal(dir_register(d, &r, &c, 0, &ids[i], &ttl),
		    DIR_OK);
		lat[i] = now_sec() - t;
	}
	treg = now_sec() - t0;
	qsort(lat, n, sizeof(*lat), cmp_double);
	printf("  10000 registers: %.1f ms total, p99 %.1f us, max %.1f us\n",
	    treg * 1e3, lat[n * 99 / 100] * 1e6, lat[n - 1] * 1e6);
	t0 = now_sec();
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "s%zu", i);
		t = now_sec();
		assert_non_null(dir_first(d, name));
		assert_non_null(dir_find(d, ids[i]));
		assert_int_equal(dir_renew(d, ids[i], &c, 0, &ttl), DIR_OK);
		lat[i] = now_sec() - t;
	}
	tlook = now_sec() - t0;
	qsort(lat, n, sizeof(*lat), cmp_double);
	printf("  10000 lookups+find+renew: %.1f ms total, p99 %.1f us\n",
	    tlook * 1e3, lat[n * 99 / 100] * 1e6);
	t0 = now_sec();
	/* TTLs are 10 + i % 1000 s: 991 of every 1000 are <= 1000 s. */
	assert_int_equal(dir_expire(d, 1000 * 1000, NULL, NULL), 9910);
	assert_int_equal(dir_expire(d, UINT64_MAX, NULL, NULL), 90);
	texp = now_sec() - t0;
	printf("  10000 expiries: %.1f ms total\n", texp * 1e3);
	assert_int_equal(dir_count(d), 0);
	/* Generous bounds: a loaded CI machine, ASan. */
	assert_true(treg < 2.0 && tlook < 2.0 && texp < 2.0);
	free(ids);
	free(lat);
	dir_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore, setup, teardown),
		cmocka_unit_test_setup_teardown(test_renew, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unregister, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_squat_expires, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reserve_wins, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_group_reload, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_ownership, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_root_owns, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_duplicate, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replicas, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_paging, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_names, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_allow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_policy_purge, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_conn_bound, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_validation, setup,
		    teardown),
		cmocka_unit_test(test_errors),
		cmocka_unit_test_setup_teardown(test_scale, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
