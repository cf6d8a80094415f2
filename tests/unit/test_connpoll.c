/*
 * test_connpoll: the builtin connections' poll set, on real sockets and a
 * real event_base.
 */
#include "config.h"

#include <sys/socket.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>

#include "connpoll.h"

struct fixture {
	struct event_base	*base;
	struct connpoll		*cp;
};

/* What one registration saw. */
struct seen {
	int	 calls;
	int	 fd;
	short	 what;
};

static void	seen_cb(int, short, void *);
static void	turn(struct event_base *);
static void	pair(int sv[2]);
static void	task_count(void *);
static void	task_requeue(void *);

static int
setup(void **state)
{
	struct fixture	*f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_non_null(f->base = event_base_new());
	assert_non_null(f->cp = connpoll_new(f->base));
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	connpoll_free(f->cp);
	event_base_free(f->base);
	free(f);
	return 0;
}

static void
seen_cb(int fd, short what, void *arg)
{
	struct seen	*s = arg;

	s->calls++;
	s->fd = fd;
	s->what = what;
}

/*
 * One loop turn that does not wait.  EVLOOP_ONCE too: with NONBLOCK alone
 * libevent goes on while anything is active, and a level-triggered reader
 * that does not read stays active.
 */
static void
turn(struct event_base *base)
{
	event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
}

static void
pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0, sv), 0);
}

/* Events reach the callback as EV_READ / EV_WRITE, only those watched. */
static void
test_directions(void **state)
{
	struct fixture	*f = *state;
	struct seen	 s = { 0, -1, 0 };
	int		 sv[2];
	char		 c;

	pair(sv);
	assert_int_equal(connpoll_set(f->cp, sv[1], EV_READ, seen_cb, &s), 0);
	turn(f->base);
	assert_int_equal(s.calls, 0);		/* nothing to read yet */
	assert_int_equal(write(sv[0], "x", 1), 1);
	turn(f->base);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.fd, sv[1]);
	assert_int_equal(s.what, EV_READ);
	assert_int_equal(read(sv[1], &c, 1), 1);
	/* Now writing only: a fresh socket has room. */
	assert_int_equal(connpoll_set(f->cp, sv[1], EV_WRITE, seen_cb, &s), 0);
	s.calls = 0;
	turn(f->base);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.what, EV_WRITE);
	/* Watching nothing: no callback, though it is writable. */
	assert_int_equal(connpoll_set(f->cp, sv[1], 0, seen_cb, &s), 0);
	s.calls = 0;
	turn(f->base);
	assert_int_equal(s.calls, 0);
	/* The peer hangs up: a reader hears of it. */
	assert_int_equal(connpoll_set(f->cp, sv[1], EV_READ, seen_cb, &s), 0);
	close(sv[0]);
	turn(f->base);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.what, EV_READ);
	connpoll_closing(f->cp, sv[1]);
	close(sv[1]);
}

/*
 * A socket closed while another process holds its file keeps its kernel
 * registration; its events must not reach the connection that took the
 * number since.  dup() stands for the child's copy of the fd table.
 */
static void
test_late_events_of_a_held_file(void **state)
{
	struct fixture	*f = *state;
	struct seen	 old = { 0, -1, 0 }, new = { 0, -1, 0 };
	int		 a[2], b[2], held, num;

	pair(a);
	num = a[1];
	assert_int_equal(connpoll_set(f->cp, num, EV_READ, seen_cb, &old), 0);
	assert_true((held = dup(num)) >= 0);
	connpoll_closing(f->cp, num);
	close(num);
	pair(b);				/* takes the lowest free numbers */
	if (b[0] == num) {			/* make b[1] the reused one */
		assert_int_equal(dup2(b[0], 1000), 1000);
		close(b[0]);
		b[0] = 1000;
		assert_int_equal(dup2(b[1], num), num);
		close(b[1]);
		b[1] = num;
	}
	assert_int_equal(b[1], num);
	assert_int_equal(connpoll_set(f->cp, num, EV_READ, seen_cb, &new), 0);
	/* The old file becomes readable: its registration still fires. */
	assert_int_equal(write(a[0], "old", 3), 3);
	turn(f->base);
	turn(f->base);
	assert_int_equal(old.calls, 0);
	assert_int_equal(new.calls, 0);
	/* The new one's own data reaches it. */
	assert_int_equal(write(b[0], "new", 3), 3);
	turn(f->base);
	assert_int_equal(new.calls, 1);
	assert_int_equal(new.what, EV_READ);
	connpoll_closing(f->cp, num);
	close(num);
	close(held);
	close(a[0]);
	close(b[0]);
}

/* A dropped socket stays open and is no longer watched. */
static void
test_drop(void **state)
{
	struct fixture	*f = *state;
	struct seen	 s = { 0, -1, 0 };
	int		 sv[2];
	char		 buf[4];

	pair(sv);
	assert_int_equal(connpoll_set(f->cp, sv[1], EV_READ, seen_cb, &s), 0);
	connpoll_drop(f->cp, sv[1]);
	assert_int_equal(write(sv[0], "abc", 3), 3);
	turn(f->base);
	assert_int_equal(s.calls, 0);
	assert_int_equal(read(sv[1], buf, sizeof(buf)), 3);
	/* It can be watched again, as a new registration. */
	assert_int_equal(connpoll_set(f->cp, sv[1], EV_READ, seen_cb, &s), 0);
	assert_int_equal(write(sv[0], "d", 1), 1);
	turn(f->base);
	assert_int_equal(s.calls, 1);
	connpoll_closing(f->cp, sv[1]);
	close(sv[1]);
	close(sv[0]);
}

/* Bad descriptors are refused, not stored. */
static void
test_bad_fd(void **state)
{
	struct fixture	*f = *state;
	struct seen	 s = { 0, -1, 0 };

	assert_int_equal(connpoll_set(f->cp, -1, EV_READ, seen_cb, &s), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(connpoll_set(f->cp, 900, EV_READ, seen_cb, &s), -1);
	connpoll_closing(f->cp, 900);
	connpoll_closing(f->cp, -1);
}

static void
task_count(void *arg)
{
	(*(int *)arg)++;
}

struct requeue {
	struct connpoll		*cp;
	struct connpoll_task	 t;
	int			 runs;
};

/* Queues itself once more from inside its run. */
static void
task_requeue(void *arg)
{
	struct requeue	*r = arg;

	if (++r->runs == 1)
		connpoll_later(r->cp, &r->t, task_requeue, r);
}

/*
 * Tasks run from the loop, not at once.  One queued by a task runs after
 * the walk that ran it (libevent's same loop call, as the event is active
 * again), once, not inside that walk over and over.
 */
static void
test_later(void **state)
{
	struct fixture		*f = *state;
	struct connpoll_task	 t1, t2;
	struct requeue		 r = { f->cp, { { NULL, NULL }, NULL, NULL }, 0 };
	int			 n = 0;

	connpoll_later(f->cp, &t1, task_count, &n);
	connpoll_later(f->cp, &t2, task_count, &n);
	connpoll_later(f->cp, &r.t, task_requeue, &r);
	assert_int_equal(n, 0);
	assert_int_equal(r.runs, 0);
	turn(f->base);
	assert_int_equal(n, 2);
	assert_int_equal(r.runs, 2);
	turn(f->base);
	assert_int_equal(n, 2);
	assert_int_equal(r.runs, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_directions, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_late_events_of_a_held_file,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_drop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_fd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_later, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
