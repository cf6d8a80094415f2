/*
 * test_sockopt.c: the socket option values (sizes, ip-tos, ranges,
 * names), which sockets each fits, the capabilities and congestion
 * controls a host allows (played through struct sockopt_host), and what
 * a reload can set in place on a real socket.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sockopt.h"

static char	err[256];

/* A host with the lists of this test, and the capabilities asked. */
static void
host(struct sockopt_host *h, int admin, int raw)
{
	memset(h, 0, sizeof(*h));
	h->net_admin = admin;
	h->net_raw = raw;
	snprintf(h->cc_available, sizeof(h->cc_available), "reno cubic bbr");
	snprintf(h->cc_allowed, sizeof(h->cc_allowed), "reno bbr");
	h->rmem_max = h->wmem_max = 212992;
}

static long
size(const char *s)
{
	long	v = -7;

	assert_int_equal(sockopt_parse_size(s, &v, err, sizeof(err)), 0);
	return v;
}

static void
test_size(void **state)
{
	long	v;

	(void)state;
	assert_int_equal(size("212992"), 212992);
	assert_int_equal(size("64K"), 65536);
	assert_int_equal(size("2M"), 2 * 1048576);
	assert_int_equal(size("1G"), 1073741824);
	assert_int_equal(size("100B"), 100);
	assert_int_equal(sockopt_parse_size("", &v, err, sizeof(err)), -1);
	assert_int_equal(sockopt_parse_size("K", &v, err, sizeof(err)), -1);
	assert_int_equal(sockopt_parse_size("12Q", &v, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "\"12Q\" is not a size"));
	assert_int_equal(sockopt_parse_size("12KB", &v, err, sizeof(err)), -1);
	assert_int_equal(sockopt_parse_size("-1", &v, err, sizeof(err)), -1);
	assert_int_equal(sockopt_parse_size(" 1", &v, err, sizeof(err)), -1);
	assert_int_equal(sockopt_parse_size("99999999999999999999", &v, err,
	    sizeof(err)), -1);
	assert_int_equal(sockopt_parse_size("9999999999999G", &v, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "too large"));
}

static void
test_tos(void **state)
{
	long	v;

	(void)state;
	assert_int_equal(sockopt_parse_tos("low-delay", &v, err,
	    sizeof(err)), 0);
	assert_int_equal(v, 0x10);
	assert_int_equal(sockopt_parse_tos("throughput", &v, err,
	    sizeof(err)), 0);
	assert_int_equal(v, 0x08);
	assert_int_equal(sockopt_parse_tos("reliability", &v, err,
	    sizeof(err)), 0);
	assert_int_equal(v, 0x04);
	assert_int_equal(sockopt_parse_tos("low-cost", &v, err,
	    sizeof(err)), 0);
	assert_int_equal(v, 0x02);
	assert_int_equal(sockopt_parse_tos("0x20", &v, err, sizeof(err)), 0);
	assert_int_equal(v, 0x20);
	assert_int_equal(sockopt_parse_tos("255", &v, err, sizeof(err)), 0);
	assert_int_equal(v, 255);
	assert_int_equal(sockopt_parse_tos("256", &v, err, sizeof(err)), -1);
	assert_int_equal(sockopt_parse_tos("fast", &v, err, sizeof(err)), -1);
	assert_int_equal(sockopt_parse_tos("", &v, err, sizeof(err)), -1);
	assert_int_equal(sockopt_parse_tos("-1", &v, err, sizeof(err)), -1);
}

static void
test_ranges(void **state)
{
	struct sockopts	so;

	(void)state;
	memset(&so, 0, sizeof(so));
	assert_int_equal(sockopt_set_num(&so, SOCKOPT_KEEPCNT, 0, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "keepalive-count 0 out of range (1-127)");
	assert_int_equal(so.set, 0);
	assert_int_equal(sockopt_set_num(&so, SOCKOPT_KEEPCNT, 127, err,
	    sizeof(err)), 0);
	assert_int_equal(sockopt_set_num(&so, SOCKOPT_KEEPCNT, 128, err,
	    sizeof(err)), -1);
	assert_int_equal(sockopt_set_num(&so, SOCKOPT_KEEPIDLE, 32768, err,
	    sizeof(err)), -1);
	assert_int_equal(sockopt_set_num(&so, SOCKOPT_MARK, 4294967295L, err,
	    sizeof(err)), 0);
	assert_int_equal(sockopt_set_num(&so, SOCKOPT_PRIORITY, -1, err,
	    sizeof(err)), -1);
	assert_int_equal(sockopt_set_num(&so, SOCKOPT_DEFER_ACCEPT, 3601, err,
	    sizeof(err)), -1);
	assert_int_equal(sockopt_set_str(&so, SOCKOPT_RCVBUF, "2G", err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "receive-buffer 2147483648 out of range"));
	assert_int_equal(sockopt_set_str(&so, SOCKOPT_RCVBUF, "1M", err,
	    sizeof(err)), 0);
	assert_int_equal(so.value[SOCKOPT_RCVBUF], 1048576);
	assert_int_equal(sockopt_set_str(&so, SOCKOPT_BINDTODEVICE, "eth0",
	    err, sizeof(err)), 0);
	assert_string_equal(so.device, "eth0");
	assert_int_equal(sockopt_set_str(&so, SOCKOPT_BINDTODEVICE,
	    "sixteen-chars-xx", err, sizeof(err)), -1);
	assert_int_equal(sockopt_set_str(&so, SOCKOPT_BINDTODEVICE, "a b",
	    err, sizeof(err)), -1);
	assert_int_equal(sockopt_set_str(&so, SOCKOPT_CONGESTION, "", err,
	    sizeof(err)), -1);
	assert_int_equal(sockopt_set_str(&so, SOCKOPT_CONGESTION, "bbr", err,
	    sizeof(err)), 0);
	assert_string_equal(so.congestion, "bbr");
	assert_string_equal(sockopt_key(SOCKOPT_PKTINFO), "pass-packet-info");
	assert_int_equal(sockopt_kind(SOCKOPT_NODELAY), SOCKOPT_BOOL);
}

/* sockopt_check of option id set to v on a family/socktype. */
static int
check(enum sockopt_id id, long v, int family, int socktype,
    const struct sockopt_host *h)
{
	struct sockopts	so;

	memset(&so, 0, sizeof(so));
	assert_int_equal(sockopt_set_num(&so, id, v, err, sizeof(err)), 0);
	return sockopt_check(&so, id, family, socktype, h, err, sizeof(err));
}

static void
test_fit(void **state)
{
	struct sockopt_host	h;

	(void)state;
	host(&h, 1, 1);
	assert_int_equal(check(SOCKOPT_DEFER_ACCEPT, 5, AF_INET, SOCK_DGRAM,
	    &h), -1);
	assert_string_equal(err, "defer-accept is for tcp services");
	assert_int_equal(check(SOCKOPT_DEFER_ACCEPT, 5, AF_INET6, SOCK_STREAM,
	    &h), 0);
	assert_int_equal(check(SOCKOPT_NODELAY, 1, AF_UNIX, SOCK_STREAM, &h),
	    -1);
	assert_int_equal(check(SOCKOPT_PASSCRED, 1, AF_INET, SOCK_STREAM, &h),
	    -1);
	assert_int_equal(check(SOCKOPT_PASSCRED, 1, AF_UNIX, SOCK_DGRAM, &h),
	    0);
	assert_int_equal(check(SOCKOPT_PKTINFO, 1, AF_INET, SOCK_DGRAM, &h),
	    0);
	assert_int_equal(check(SOCKOPT_PKTINFO, 1, AF_INET, SOCK_STREAM, &h),
	    -1);
	assert_int_equal(check(SOCKOPT_RCVBUF, 4096, AF_UNIX, SOCK_STREAM,
	    &h), 0);
	assert_int_equal(check(SOCKOPT_REUSEPORT, 1, AF_UNIX, SOCK_STREAM,
	    &h), -1);
	/* ECN bits: the kernel's on TCP, fine on UDP. */
	assert_int_equal(check(SOCKOPT_IPTOS, 0x11, AF_INET, SOCK_STREAM, &h),
	    -1);
	assert_int_equal(check(SOCKOPT_IPTOS, 0x11, AF_INET, SOCK_DGRAM, &h),
	    0);
}

static void
test_caps(void **state)
{
	struct sockopt_host	none, raw, admin;

	(void)state;
	host(&none, 0, 0);
	host(&raw, 0, 1);
	host(&admin, 1, 0);
	assert_int_equal(check(SOCKOPT_MARK, 42, AF_INET, SOCK_STREAM, &none),
	    -2);
	assert_string_equal(err, "mark 42 needs CAP_NET_ADMIN or CAP_NET_RAW, "
	    "which superd does not hold");
	assert_int_equal(check(SOCKOPT_MARK, 0, AF_INET, SOCK_STREAM, &none),
	    0);
	assert_int_equal(check(SOCKOPT_MARK, 42, AF_INET, SOCK_STREAM, &raw),
	    0);
	assert_int_equal(check(SOCKOPT_TRANSPARENT, 1, AF_INET, SOCK_STREAM,
	    &none), -2);
	assert_int_equal(check(SOCKOPT_TRANSPARENT, 1, AF_INET, SOCK_STREAM,
	    &admin), 0);
	assert_int_equal(check(SOCKOPT_PRIORITY, 6, AF_INET, SOCK_STREAM,
	    &none), 0);
	assert_int_equal(check(SOCKOPT_PRIORITY, 7, AF_INET, SOCK_STREAM,
	    &none), -2);
	assert_non_null(strstr(err, "priority above 6: 7 needs"));
	assert_int_equal(check(SOCKOPT_PRIORITY, 7, AF_INET, SOCK_STREAM,
	    &admin), 0);
}

/* tcp-congestion name against host h. */
static int
cc(const char *name, const struct sockopt_host *h)
{
	struct sockopts	so;

	memset(&so, 0, sizeof(so));
	assert_int_equal(sockopt_set_str(&so, SOCKOPT_CONGESTION, name, err,
	    sizeof(err)), 0);
	return sockopt_check(&so, SOCKOPT_CONGESTION, AF_INET, SOCK_STREAM, h,
	    err, sizeof(err));
}

static void
test_congestion(void **state)
{
	struct sockopt_host	h;

	(void)state;
	host(&h, 0, 0);
	assert_int_equal(cc("reno", &h), 0);
	assert_int_equal(cc("bbr", &h), 0);
	assert_int_equal(cc("bb", &h), -2);	/* a prefix is not a name */
	assert_int_equal(cc("vegas", &h), -2);
	assert_non_null(strstr(err, "\"vegas\" is not available here "
	    "(tcp_available_congestion_control: reno cubic bbr)"));
	assert_int_equal(cc("cubic", &h), -2);
	assert_non_null(strstr(err, "\"cubic\" needs CAP_NET_ADMIN"));
	host(&h, 1, 0);
	assert_int_equal(cc("cubic", &h), 0);
	h.cc_available[0] = h.cc_allowed[0] = '\0';	/* unreadable */
	assert_int_equal(cc("vegas", &h), 0);
}

static void
test_notice(void **state)
{
	struct sockopt_host	h;
	struct sockopts		so;
	char			msg[256];

	(void)state;
	host(&h, 0, 0);
	memset(&so, 0, sizeof(so));
	assert_int_equal(sockopt_set_num(&so, SOCKOPT_KEEPIDLE, 30, err,
	    sizeof(err)), 0);
	assert_int_equal(sockopt_notice(&so, SOCKOPT_KEEPIDLE, &h, msg,
	    sizeof(msg)), 1);
	assert_string_equal(msg, "keepalive-idle has no effect without "
	    "keepalive = yes");
	assert_int_equal(sockopt_set_num(&so, SOCKOPT_KEEPALIVE, 1, err,
	    sizeof(err)), 0);
	assert_int_equal(sockopt_notice(&so, SOCKOPT_KEEPIDLE, &h, msg,
	    sizeof(msg)), 0);
	assert_int_equal(sockopt_set_str(&so, SOCKOPT_RCVBUF, "1M", err,
	    sizeof(err)), 0);
	assert_int_equal(sockopt_notice(&so, SOCKOPT_RCVBUF, &h, msg,
	    sizeof(msg)), 1);
	assert_non_null(strstr(msg, "above net.core.rmem_max (212992)"));
	h.net_admin = 1;
	assert_int_equal(sockopt_notice(&so, SOCKOPT_RCVBUF, &h, msg,
	    sizeof(msg)), 0);
}

static int
getint(int fd, int level, int name)
{
	socklen_t	len = sizeof(int);
	int		v = -1;

	assert_int_equal(getsockopt(fd, level, name, &v, &len), 0);
	return v;
}

/* What a reload can set on a bound socket, and what needs a new one. */
static void
test_reapply(void **state)
{
	struct sockopts	a, b;
	int		fd;

	(void)state;
	memset(&a, 0, sizeof(a));
	assert_true((fd = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	assert_int_equal(sockopt_set_num(&a, SOCKOPT_KEEPALIVE, 1, err,
	    sizeof(err)), 0);
	assert_int_equal(sockopt_set_num(&a, SOCKOPT_KEEPIDLE, 50, err,
	    sizeof(err)), 0);
	assert_int_equal(sockopt_set_num(&a, SOCKOPT_PRIORITY, 3, err,
	    sizeof(err)), 0);
	assert_int_equal(sockopt_apply(fd, &a, err, sizeof(err)), 0);
	assert_int_equal(getint(fd, IPPROTO_TCP, TCP_KEEPIDLE), 50);
	b = a;
	assert_true(sockopt_equal(&a, &b));
	/* A new value, an option dropped that has a default: in place. */
	b.value[SOCKOPT_KEEPIDLE] = 60;
	b.set &= ~(1u << SOCKOPT_KEEPALIVE);
	assert_false(sockopt_equal(&a, &b));
	assert_int_equal(sockopt_reapply(fd, &a, &b, err, sizeof(err)), 0);
	assert_int_equal(getint(fd, IPPROTO_TCP, TCP_KEEPIDLE), 60);
	assert_int_equal(getint(fd, SOL_SOCKET, SO_KEEPALIVE), 0);
	/* ip-tos resets the priority: it is set again after. */
	a = b;
	assert_int_equal(sockopt_set_str(&b, SOCKOPT_IPTOS, "low-delay", err,
	    sizeof(err)), 0);
	assert_int_equal(sockopt_reapply(fd, &a, &b, err, sizeof(err)), 0);
	assert_int_equal(getint(fd, IPPROTO_IP, IP_TOS), 0x10);
	assert_int_equal(getint(fd, SOL_SOCKET, SO_PRIORITY), 3);
	/* Counts at bind, or no way back to the default: a new socket. */
	a = b;
	assert_int_equal(sockopt_set_num(&b, SOCKOPT_REUSEPORT, 1, err,
	    sizeof(err)), 0);
	assert_int_equal(sockopt_reapply(fd, &a, &b, err, sizeof(err)), 1);
	b = a;
	b.set &= ~(1u << SOCKOPT_KEEPIDLE);
	assert_int_equal(sockopt_reapply(fd, &a, &b, err, sizeof(err)), 1);
	close(fd);
}

/* A unix connection does not inherit its listener's buffers: set again. */
static void
test_accepted(void **state)
{
	struct sockopts	so;
	int		sv[2];

	(void)state;
	memset(&so, 0, sizeof(so));
	assert_int_equal(sockopt_set_str(&so, SOCKOPT_SNDBUF, "8K", err,
	    sizeof(err)), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(sockopt_apply_accepted(sv[0], AF_UNIX, &so, err,
	    sizeof(err)), 0);
	assert_int_equal(getint(sv[0], SOL_SOCKET, SO_SNDBUF), 16384);
	/* Inherited from a TCP listener: nothing to do. */
	assert_int_equal(sockopt_set_str(&so, SOCKOPT_SNDBUF, "4K", err,
	    sizeof(err)), 0);
	assert_int_equal(sockopt_apply_accepted(sv[0], AF_INET, &so, err,
	    sizeof(err)), 0);
	assert_int_equal(getint(sv[0], SOL_SOCKET, SO_SNDBUF), 16384);
	close(sv[0]);
	close(sv[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_tos),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_fit),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_congestion),
		cmocka_unit_test(test_notice),
		cmocka_unit_test(test_reapply),
		cmocka_unit_test(test_accepted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
