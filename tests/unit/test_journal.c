/*
 * test_journal: daemon/journal.c against a datagram socket of our own in
 * journald's place.  An entry's bytes (the binary-safe form for a value
 * with a newline), a batch in one sendmmsg() of one datagram per entry, a
 * journal that stops reading (bounded wait, drops counted and reported
 * once per interval) and a journal that restarts.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>

#include "journal.h"

static char	dir[32];
static char	path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static int	rfd = -1;		/* journald's end */
static int	mmsg_calls;

int	__real_sendmmsg(int, struct mmsghdr *, unsigned int, int);
int	__wrap_sendmmsg(int, struct mmsghdr *, unsigned int, int);

/* Count the system calls that send entries. */
int
__wrap_sendmmsg(int fd, struct mmsghdr *m, unsigned int n, int flags)
{
	mmsg_calls++;
	return __real_sendmmsg(fd, m, n, flags);
}

static int
bind_journal(void)
{
	struct sockaddr_un	sun = { .sun_family = AF_UNIX };

	strcpy(sun.sun_path, path);
	unlink(path);
	if ((rfd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	return bind(rfd, (struct sockaddr *)&sun, sizeof(sun));
}

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_journal.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/socket", dir);
	if (bind_journal() == -1)
		return -1;
	return journal_open(path, "t");
}

static int
teardown(void **state)
{
	(void)state;
	journal_close();
	close(rfd);
	unlink(path);
	rmdir(dir);
	return 0;
}

/* The next datagram, waiting up to 1 s; its length, or -1. */
static ssize_t
next_entry(char *buf, size_t len)
{
	struct timeval	tv = { 1, 0 };

	setsockopt(rfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return recv(rfd, buf, len, 0);
}

/* Datagrams waiting now. */
static int
drain(void)
{
	char	buf[8192];
	int	n = 0;

	while (recv(rfd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		n++;
	return n;
}

/* Enough entries to fill journald's queue, or 0 if it is too deep. */
static int
overfill(void)
{
	FILE	*f = fopen("/proc/sys/net/unix/max_dgram_qlen", "r");
	int	 qlen = 512;

	if (f != NULL) {
		if (fscanf(f, "%d", &qlen) != 1)
			qlen = 512;
		fclose(f);
	}
	return qlen > 1000 ? 0 : qlen + 40;
}

static void
test_entry_bytes(void **state)
{
	static const char want[] = "MESSAGE\n\x09\0\0\0\0\0\0\0two\nlines\n"
	    "PRIORITY=5\nSYSLOG_IDENTIFIER=t\nSUPERD_SERVICE=svc\n"
	    "REMOTE_ADDR=10.0.0.1\nREMOTE_PORT=99\nHANDLER_PID=42\n"
	    "EXIT_STATUS=3\nDURATION_USEC=1500\n";
	struct log_fields	lf = { "svc", "10.0.0.1", 99, 42, 3, 1500 };
	char			buf[8192];
	ssize_t			n;

	(void)state;
	journal_send(LOG_NOTICE, &lf, "two\nlines");
	n = next_entry(buf, sizeof(buf));
	assert_int_equal(n, sizeof(want) - 1);
	assert_memory_equal(buf, want, sizeof(want) - 1);
	journal_send(LOG_INFO, NULL, "plain");
	n = next_entry(buf, sizeof(buf));
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "MESSAGE=plain\nPRIORITY=6\n"
	    "SYSLOG_IDENTIFIER=t\n");
}

/* A batch is one sendmmsg() and a datagram per entry, in order. */
static void
test_batch_one_call(void **state)
{
	char	buf[8192], want[32];
	ssize_t	n;
	int	i;

	(void)state;
	for (i = 0; i < 8; i++) {
		snprintf(want, sizeof(want), "line %d", i);
		journal_batch(LOG_INFO, NULL, want);
	}
	assert_int_equal(drain(), 0);	/* nothing before the flush */
	mmsg_calls = 0;
	journal_flush();
	assert_int_equal(mmsg_calls, 1);
	for (i = 0; i < 8; i++) {
		n = next_entry(buf, sizeof(buf));
		assert_true(n > 0);
		buf[n] = '\0';
		snprintf(want, sizeof(want), "MESSAGE=line %d\n", i);
		assert_true(strncmp(buf, want, strlen(want)) == 0);
		assert_null(strstr(buf + 1, "MESSAGE"));
	}
	assert_int_equal(drain(), 0);
}

/* Fill a journal that does not read: the flush returns; count what went. */
static int
stall(int n)
{
	char	msg[32];
	int	i;

	for (i = 0; i < n; i++) {
		snprintf(msg, sizeof(msg), "stalled %d", i);
		journal_batch(LOG_INFO, NULL, msg);
	}
	journal_flush();
	return drain();
}

/* The first entry to arrive with a message starting so; 1 if found. */
static int
find_entry(const char *prefix, char *buf, size_t len)
{
	ssize_t	n;

	while ((n = recv(rfd, buf, len - 1, MSG_DONTWAIT)) >= 0) {
		buf[n] = '\0';
		if (strncmp(buf, prefix, strlen(prefix)) == 0)
			return 1;
	}
	return 0;
}

static void
test_stalled_journal(void **state)
{
	char		buf[8192], want[128];
	int		n = overfill(), got;
	unsigned long	dropped;

	(void)state;
	if (n == 0)
		skip();
	got = stall(n);
	assert_true(got < n);
	dropped = journal_dropped();
	assert_int_equal(dropped, (unsigned long)(n - got));
	/* It reads again: the next flush says how many were lost. */
	journal_batch(LOG_INFO, NULL, "after");
	journal_flush();
	snprintf(want, sizeof(want), "MESSAGE=journal: %lu log entries "
	    "dropped", dropped);
	assert_true(find_entry("MESSAGE=after\n", buf, sizeof(buf)));
	assert_true(find_entry(want, buf, sizeof(buf)));
	assert_non_null(strstr(buf, "PRIORITY=4\n"));
	assert_int_equal(journal_dropped(), 0);
	/* Lost again at once: counted, not reported within the interval. */
	got = stall(n);
	journal_batch(LOG_INFO, NULL, "again");
	journal_flush();
	assert_true(find_entry("MESSAGE=again\n", buf, sizeof(buf)));
	assert_false(find_entry("MESSAGE=journal:", buf, sizeof(buf)));
	assert_int_equal(journal_dropped(), (unsigned long)(n - got));
}

/* journald restarted: a new socket at the same path. */
static void
test_journal_restarts(void **state)
{
	char	buf[8192];
	ssize_t	n;

	(void)state;
	close(rfd);
	assert_int_equal(bind_journal(), 0);
	journal_send(LOG_INFO, NULL, "to the new one");
	n = next_entry(buf, sizeof(buf));
	assert_true(n > 0);
	buf[n] = '\0';
	assert_true(strncmp(buf, "MESSAGE=to the new one\n", 23) == 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_entry_bytes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_batch_one_call, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stalled_journal, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_journal_restarts, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
