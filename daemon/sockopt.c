/*
 * sockopt.c: socket options of services (see sockopt.h), one table.
 *
 * Which options an accepted connection gets from its listener was read
 * back on Linux 6.x (tests/integration/sockopts.sh does it on every run).
 * TCP: keepalive and its three timers, nodelay, mark, ip-tos, the
 * buffers, tcp-congestion, transparent and the device are inherited;
 * priority is not (the child starts at 0).  Unix: pass-credentials is
 * inherited, the buffers are not (the connection is a new socket).  What
 * is not inherited is set again on each accepted socket.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockopt.h"

/* Which sockets an option fits. */
#define FIT_TCP		0x1	/* inet stream */
#define FIT_UDP		0x2	/* inet datagram */
#define FIT_UNIX	0x4	/* unix, either type */
#define FIT_INET	(FIT_TCP | FIT_UDP)
#define FIT_ANY		(FIT_INET | FIT_UNIX)

/* How it behaves on a bound socket. */
#define BIND_TIME	0x1	/* counts at bind: a change re-binds */
#define RESETTABLE	0x2	/* unset = the kernel default (0 or "") */
#define ACCEPTED	0x4	/* not inherited: set on accepted sockets */
#define DUAL_V4		0x8	/* v6 socket open to v4: set the v4 one too */
#define ACCEPTED_UNIX	0x10	/* ... on accepted unix sockets only */

/* Capabilities the kernel asks for. */
enum need {
	NEED_NONE,
	NEED_ADMIN_OR_RAW,	/* CAP_NET_ADMIN or CAP_NET_RAW */
	NEED_ABOVE_6		/* the same, for values above 6 (priority) */
};

struct sockopt_def {
	const char		*key;
	enum sockopt_kind	 kind;
	int			 level, name;	/* AF_INET, AF_UNIX */
	int			 level6, name6;	/* AF_INET6 */
	int64_t			 min, max;
	unsigned		 fits;
	const char		*fits_what;	/* for "KEY is for ..." */
	unsigned		 flags;
	enum need		 need;
};

#define TCP_ONLY	FIT_TCP, "tcp services"
#define INET		FIT_INET, "tcp and udp services"

static const struct sockopt_def defs[SOCKOPT_N] = {
	[SOCKOPT_KEEPALIVE] = { "keepalive", SOCKOPT_BOOL,
	    SOL_SOCKET, SO_KEEPALIVE, SOL_SOCKET, SO_KEEPALIVE, 0, 1,
	    TCP_ONLY, RESETTABLE, NEED_NONE },
	/* Kernel limits: MAX_TCP_KEEPIDLE, MAX_TCP_KEEPINTVL, MAX_TCP_KEEPCNT. */
	[SOCKOPT_KEEPIDLE] = { "keepalive-idle", SOCKOPT_INT,
	    IPPROTO_TCP, TCP_KEEPIDLE, IPPROTO_TCP, TCP_KEEPIDLE, 1, 32767,
	    TCP_ONLY, 0, NEED_NONE },
	[SOCKOPT_KEEPINTVL] = { "keepalive-interval", SOCKOPT_INT,
	    IPPROTO_TCP, TCP_KEEPINTVL, IPPROTO_TCP, TCP_KEEPINTVL, 1, 32767,
	    TCP_ONLY, 0, NEED_NONE },
	[SOCKOPT_KEEPCNT] = { "keepalive-count", SOCKOPT_INT,
	    IPPROTO_TCP, TCP_KEEPCNT, IPPROTO_TCP, TCP_KEEPCNT, 1, 127,
	    TCP_ONLY, 0, NEED_NONE },
	[SOCKOPT_NODELAY] = { "nodelay", SOCKOPT_BOOL,
	    IPPROTO_TCP, TCP_NODELAY, IPPROTO_TCP, TCP_NODELAY, 0, 1,
	    TCP_ONLY, RESETTABLE, NEED_NONE },
	[SOCKOPT_REUSEPORT] = { "reuse-port", SOCKOPT_BOOL,
	    SOL_SOCKET, SO_REUSEPORT, SOL_SOCKET, SO_REUSEPORT, 0, 1,
	    INET, BIND_TIME, NEED_NONE },
	/* IP_FREEBIND and IP_TRANSPARENT set the same flag on v6 sockets. */
	[SOCKOPT_FREEBIND] = { "freebind", SOCKOPT_BOOL,
	    IPPROTO_IP, IP_FREEBIND, IPPROTO_IP, IP_FREEBIND, 0, 1,
	    INET, BIND_TIME, NEED_NONE },
	[SOCKOPT_TRANSPARENT] = { "transparent", SOCKOPT_BOOL,
	    IPPROTO_IP, IP_TRANSPARENT, IPPROTO_IP, IP_TRANSPARENT, 0, 1,
	    INET, BIND_TIME, NEED_ADMIN_OR_RAW },
	[SOCKOPT_DEFER_ACCEPT] = { "defer-accept", SOCKOPT_INT,
	    IPPROTO_TCP, TCP_DEFER_ACCEPT, IPPROTO_TCP, TCP_DEFER_ACCEPT,
	    0, 3600, TCP_ONLY, RESETTABLE, NEED_NONE },
	[SOCKOPT_MARK] = { "mark", SOCKOPT_INT,
	    SOL_SOCKET, SO_MARK, SOL_SOCKET, SO_MARK, 0, 4294967295LL,
	    INET, RESETTABLE, NEED_ADMIN_OR_RAW },
	/*
	 * A first device needs no capability since Linux 5.7, a change of
	 * device does (CAP_NET_RAW): a change re-binds instead.
	 */
	[SOCKOPT_BINDTODEVICE] = { "bind-to-device", SOCKOPT_STR,
	    SOL_SOCKET, SO_BINDTODEVICE, SOL_SOCKET, SO_BINDTODEVICE, 0, 0,
	    INET, BIND_TIME, NEED_NONE },
	[SOCKOPT_IPTOS] = { "ip-tos", SOCKOPT_STR,
	    IPPROTO_IP, IP_TOS, IPPROTO_IPV6, IPV6_TCLASS, 0, 255,
	    INET, RESETTABLE | DUAL_V4, NEED_NONE },
	[SOCKOPT_PRIORITY] = { "priority", SOCKOPT_INT,
	    SOL_SOCKET, SO_PRIORITY, SOL_SOCKET, SO_PRIORITY, 0, INT_MAX,
	    INET, RESETTABLE | ACCEPTED, NEED_ABOVE_6 },
	[SOCKOPT_CONGESTION] = { "tcp-congestion", SOCKOPT_STR,
	    IPPROTO_TCP, TCP_CONGESTION, IPPROTO_TCP, TCP_CONGESTION, 0, 0,
	    TCP_ONLY, 0, NEED_NONE },
	/* The kernel doubles the value and keeps it below INT_MAX. */
	[SOCKOPT_RCVBUF] = { "receive-buffer", SOCKOPT_STR,
	    SOL_SOCKET, SO_RCVBUF, SOL_SOCKET, SO_RCVBUF, 1, INT_MAX / 2,
	    FIT_ANY, "every service", ACCEPTED_UNIX, NEED_NONE },
	[SOCKOPT_SNDBUF] = { "send-buffer", SOCKOPT_STR,
	    SOL_SOCKET, SO_SNDBUF, SOL_SOCKET, SO_SNDBUF, 1, INT_MAX / 2,
	    FIT_ANY, "every service", ACCEPTED_UNIX, NEED_NONE },
	/* Linux 6.x refuses SO_PASSCRED on anything but unix and netlink. */
	[SOCKOPT_PASSCRED] = { "pass-credentials", SOCKOPT_BOOL,
	    SOL_SOCKET, SO_PASSCRED, SOL_SOCKET, SO_PASSCRED, 0, 1,
	    FIT_UNIX, "unix sockets", RESETTABLE, NEED_NONE },
	[SOCKOPT_PKTINFO] = { "pass-packet-info", SOCKOPT_BOOL,
	    IPPROTO_IP, IP_PKTINFO, IPPROTO_IPV6, IPV6_RECVPKTINFO, 0, 1,
	    FIT_UDP, "udp services (it comes with each datagram)",
	    RESETTABLE | DUAL_V4, NEED_NONE },
};

#define ISSET(so, id)	(((so)->set >> (id)) & 1)

const char *
sockopt_key(enum sockopt_id id)
{
	return defs[id].key;
}

enum sockopt_kind
sockopt_kind(enum sockopt_id id)
{
	return defs[id].kind;
}

int
sockopt_set_num(struct sockopts *so, enum sockopt_id id, long v, char *err,
    size_t errlen)
{
	const struct sockopt_def	*d = &defs[id];

	if (v < d->min || v > d->max) {
		snprintf(err, errlen, "%s %ld out of range (%lld-%lld)", d->key,
		    v, (long long)d->min, (long long)d->max);
		return -1;
	}
	so->value[id] = v;
	so->set |= 1u << id;
	return 0;
}

int
sockopt_parse_size(const char *s, long *v, char *err, size_t errlen)
{
	unsigned long long	 n;
	char			*end;
	int			 shift = 0;

	errno = 0;
	n = isdigit((unsigned char)s[0]) ? strtoull(s, &end, 10) : 0;
	if (!isdigit((unsigned char)s[0]) || errno != 0)
		goto bad;
	if (*end == 'K')
		shift = 10;
	else if (*end == 'M')
		shift = 20;
	else if (*end == 'G')
		shift = 30;
	else if (*end != 'B' && *end != '\0')
		goto bad;
	if (*end != '\0' && end[1] != '\0')
		goto bad;
	if (n > (unsigned long long)LONG_MAX >> shift) {
		snprintf(err, errlen, "\"%s\" is too large", s);
		return -1;
	}
	*v = (long)(n << shift);
	return 0;
bad:
	snprintf(err, errlen, "\"%s\" is not a size (a number of bytes, "
	    "with K, M or G for 1024, 1024^2, 1024^3)", s);
	return -1;
}

int
sockopt_parse_tos(const char *s, long *v, char *err, size_t errlen)
{
	static const struct { const char *name; long tos; } names[] = {
		{ "low-delay", IPTOS_LOWDELAY },
		{ "throughput", IPTOS_THROUGHPUT },
		{ "reliability", IPTOS_RELIABILITY },
		{ "low-cost", IPTOS_MINCOST },
	};
	unsigned long	 n;
	char		*end;
	size_t		 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i].name) == 0) {
			*v = names[i].tos;
			return 0;
		}
	errno = 0;
	n = strtoul(s, &end, 0);
	if (!isdigit((unsigned char)s[0]) || *end != '\0' || errno != 0 ||
	    n > 255) {
		snprintf(err, errlen, "\"%s\" is not low-delay, throughput, "
		    "reliability, low-cost or a number 0-255", s);
		return -1;
	}
	*v = (long)n;
	return 0;
}

/* A device or algorithm name: short, no blanks or slashes. */
static int
set_name(char *dst, const char *key, const char *s, char *err, size_t errlen)
{
	size_t	i, n = strlen(s);

	for (i = 0; i < n; i++)
		if (!isgraph((unsigned char)s[i]) || s[i] == '/')
			break;
	if (n == 0 || n >= SOCKOPT_NAMELEN || i < n) {
		snprintf(err, errlen, "%s \"%s\" is not a name (1-%d "
		    "characters, no blanks or '/')", key, s,
		    SOCKOPT_NAMELEN - 1);
		return -1;
	}
	memcpy(dst, s, n + 1);
	return 0;
}

int
sockopt_set_str(struct sockopts *so, enum sockopt_id id, const char *s,
    char *err, size_t errlen)
{
	char	why[160];
	long	v;

	switch (id) {
	case SOCKOPT_BINDTODEVICE:
		if (set_name(so->device, defs[id].key, s, err, errlen) == -1)
			return -1;
		break;
	case SOCKOPT_CONGESTION:
		if (set_name(so->congestion, defs[id].key, s, err, errlen) ==
		    -1)
			return -1;
		break;
	case SOCKOPT_IPTOS:
	case SOCKOPT_RCVBUF:
	case SOCKOPT_SNDBUF:
		if ((id == SOCKOPT_IPTOS ? sockopt_parse_tos(s, &v, why,
		    sizeof(why)) : sockopt_parse_size(s, &v, why,
		    sizeof(why))) == -1) {
			snprintf(err, errlen, "%s %s", defs[id].key, why);
			return -1;
		}
		return sockopt_set_num(so, id, v, err, errlen);
	default:
		snprintf(err, errlen, "%s takes no text", defs[id].key);
		return -1;
	}
	so->set |= 1u << id;
	return 0;
}

/* Is word one of the blank-separated words of list? */
static int
in_list(const char *list, const char *word)
{
	size_t	n = strlen(word);
	const char *p = list;

	while (*(p += strspn(p, " \t\n")) != '\0') {
		if (strncmp(p, word, n) == 0 && strchr(" \t\n", p[n]) != NULL)
			return 1;
		p += strcspn(p, " \t\n");
	}
	return 0;
}

/* tcp-congestion: loaded here, and allowed to superd. */
static int
check_congestion(const struct sockopts *so, const struct sockopt_host *h,
    char *err, size_t errlen)
{
	if (h->cc_available[0] != '\0' && !in_list(h->cc_available,
	    so->congestion)) {
		snprintf(err, errlen, "tcp-congestion \"%s\" is not available "
		    "here (tcp_available_congestion_control: %s)",
		    so->congestion, h->cc_available);
		return -2;
	}
	if (h->cc_allowed[0] != '\0' && !h->net_admin &&
	    !in_list(h->cc_allowed, so->congestion)) {
		snprintf(err, errlen, "tcp-congestion \"%s\" needs "
		    "CAP_NET_ADMIN, which superd does not hold (without it: "
		    "tcp_allowed_congestion_control: %s)", so->congestion,
		    h->cc_allowed);
		return -2;
	}
	return 0;
}

/* The capability the option with this value needs and superd lacks. */
static int
check_need(const struct sockopts *so, enum sockopt_id id,
    const struct sockopt_host *h, char *err, size_t errlen)
{
	const struct sockopt_def	*d = &defs[id];
	long				 v = so->value[id];

	if (d->need == NEED_NONE || h->net_admin || h->net_raw ||
	    (d->need == NEED_ABOVE_6 && v <= 6) ||
	    (d->kind != SOCKOPT_STR && v == 0))
		return 0;
	snprintf(err, errlen, "%s %s%ld needs CAP_NET_ADMIN or CAP_NET_RAW, "
	    "which superd does not hold", d->key, d->need == NEED_ABOVE_6 ?
	    "above 6: " : "", v);
	return -2;
}

int
sockopt_check(const struct sockopts *so, enum sockopt_id id, int family,
    int socktype, const struct sockopt_host *h, char *err, size_t errlen)
{
	const struct sockopt_def	*d = &defs[id];
	unsigned			 fit = family == AF_UNIX ? FIT_UNIX :
					    socktype == SOCK_STREAM ? FIT_TCP :
					    FIT_UDP;

	if (!ISSET(so, id))
		return 0;
	if (!(d->fits & fit)) {
		snprintf(err, errlen, "%s is for %s", d->key, d->fits_what);
		return -1;
	}
	/* TCP keeps the two ECN bits of the TOS byte to itself. */
	if (id == SOCKOPT_IPTOS && fit == FIT_TCP && (so->value[id] & 3)) {
		snprintf(err, errlen, "ip-tos 0x%02lx: on tcp the kernel owns "
		    "the two low (ECN) bits; use a value with them clear",
		    so->value[id]);
		return -1;
	}
	if (id == SOCKOPT_CONGESTION)
		return check_congestion(so, h, err, errlen);
	return check_need(so, id, h, err, errlen);
}

int
sockopt_notice(const struct sockopts *so, enum sockopt_id id,
    const struct sockopt_host *h, char *msg, size_t msglen)
{
	long	max = id == SOCKOPT_RCVBUF ? h->rmem_max : h->wmem_max;

	if (!ISSET(so, id))
		return 0;
	if ((id == SOCKOPT_KEEPIDLE || id == SOCKOPT_KEEPINTVL ||
	    id == SOCKOPT_KEEPCNT) && !(ISSET(so, SOCKOPT_KEEPALIVE) &&
	    so->value[SOCKOPT_KEEPALIVE])) {
		snprintf(msg, msglen, "%s has no effect without keepalive = "
		    "yes", defs[id].key);
		return 1;
	}
	if ((id == SOCKOPT_RCVBUF || id == SOCKOPT_SNDBUF) && !h->net_admin &&
	    max > 0 && so->value[id] > max) {
		snprintf(msg, msglen, "%s %ld is above net.core.%s (%ld) and "
		    "superd lacks CAP_NET_ADMIN: the kernel caps it", defs[id].key,
		    so->value[id], id == SOCKOPT_RCVBUF ? "rmem_max" :
		    "wmem_max", max);
		return 1;
	}
	return 0;
}

/* The first line of a /proc file into buf ("" if it cannot be read). */
static void
read_proc(const char *path, char *buf, size_t len)
{
	FILE	*fp;

	buf[0] = '\0';
	if ((fp = fopen(path, "re")) == NULL)
		return;
	if (fgets(buf, (int)len, fp) == NULL)
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(fp);
}

void
sockopt_host_current(struct sockopt_host *h, uint64_t caps)
{
	char	num[32];

	memset(h, 0, sizeof(*h));
	h->net_admin = (caps >> 12) & 1;	/* CAP_NET_ADMIN */
	h->net_raw = (caps >> 13) & 1;		/* CAP_NET_RAW */
	read_proc("/proc/sys/net/ipv4/tcp_available_congestion_control",
	    h->cc_available, sizeof(h->cc_available));
	read_proc("/proc/sys/net/ipv4/tcp_allowed_congestion_control",
	    h->cc_allowed, sizeof(h->cc_allowed));
	read_proc("/proc/sys/net/core/rmem_max", num, sizeof(num));
	h->rmem_max = num[0] ? atol(num) : -1;
	read_proc("/proc/sys/net/core/wmem_max", num, sizeof(num));
	h->wmem_max = num[0] ? atol(num) : -1;
}

/* Option id the same in a and b (set alike, same value)? */
static int
same(const struct sockopts *a, const struct sockopts *b, enum sockopt_id id)
{
	if (ISSET(a, id) != ISSET(b, id))
		return 0;
	if (!ISSET(a, id))
		return 1;
	if (id == SOCKOPT_BINDTODEVICE)
		return strcmp(a->device, b->device) == 0;
	if (id == SOCKOPT_CONGESTION)
		return strcmp(a->congestion, b->congestion) == 0;
	return a->value[id] == b->value[id];
}

int
sockopt_equal(const struct sockopts *a, const struct sockopts *b)
{
	int	id;

	for (id = 0; id < SOCKOPT_N; id++)
		if (!same(a, b, (enum sockopt_id)id))
			return 0;
	return 1;
}

/* The socket's family, and whether a v6 one also takes v4. */
static int
sock_family(int fd, int *dual)
{
	int		fam = AF_UNSPEC, v6only = 1;
	socklen_t	len = sizeof(fam);

	*dual = 0;
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &fam, &len) == -1)
		return AF_UNSPEC;
	len = sizeof(v6only);
	if (fam == AF_INET6 && getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY,
	    &v6only, &len) == 0)
		*dual = !v6only;
	return fam;
}

/* setsockopt of one option: so's value, or the default when so is NULL. */
static int
set_one(int fd, int fam, int dual, const struct sockopts *so,
    enum sockopt_id id, char *err, size_t errlen)
{
	const struct sockopt_def	*d = &defs[id];
	const void			*p;
	socklen_t			 len = sizeof(int);
	int				 v = so ? (int)(uint32_t)so->value[id] : 0;
	int				 level = d->level, name = d->name;

	p = &v;
	if (id == SOCKOPT_BINDTODEVICE || id == SOCKOPT_CONGESTION) {
		p = so == NULL ? "" : id == SOCKOPT_BINDTODEVICE ?
		    so->device : so->congestion;
		len = (socklen_t)strlen(p);
	}
	if (fam == AF_INET6) {
		level = d->level6;
		name = d->name6;
	}
	/* Past the cap when superd may: as systemd's ReceiveBuffer=. */
	if ((id == SOCKOPT_RCVBUF || id == SOCKOPT_SNDBUF) &&
	    setsockopt(fd, SOL_SOCKET, id == SOCKOPT_RCVBUF ? SO_RCVBUFFORCE :
	    SO_SNDBUFFORCE, p, len) == 0)
		return 0;
	if (setsockopt(fd, level, name, p, len) == -1 ||
	    (fam == AF_INET6 && dual && (d->flags & DUAL_V4) &&
	    setsockopt(fd, d->level, d->name, p, len) == -1)) {
		snprintf(err, errlen, "%s: %s", d->key, strerror(errno));
		return -1;
	}
	return 0;
}

int
sockopt_apply(int fd, const struct sockopts *so, char *err, size_t errlen)
{
	int	id, dual, fam;

	if (so->set == 0)
		return 0;
	fam = sock_family(fd, &dual);
	for (id = 0; id < SOCKOPT_N; id++)
		if (ISSET(so, id) && set_one(fd, fam, dual, so,
		    (enum sockopt_id)id, err, errlen) == -1)
			return -1;
	return 0;
}

/* Must id be set again on a socket of family fam that was accepted? */
static int
for_accepted(const struct sockopts *so, enum sockopt_id id, int fam)
{
	return ISSET(so, id) && ((defs[id].flags & ACCEPTED) ||
	    ((defs[id].flags & ACCEPTED_UNIX) && fam == AF_UNIX));
}

/*
 * family is the listener's (AF_UNIX or not is all that matters: what is
 * set here has one level and name for v4 and v6), so that a connection
 * costs no getsockopt.
 */
int
sockopt_apply_accepted(int fd, int family, const struct sockopts *so,
    char *err, size_t errlen)
{
	int	id;

	for (id = 0; id < SOCKOPT_N; id++)
		if (for_accepted(so, (enum sockopt_id)id, family) &&
		    set_one(fd, family, 0, so, (enum sockopt_id)id, err,
		    errlen) == -1)
			return -1;
	return 0;
}

int
sockopt_reapply(int fd, const struct sockopts *old, const struct sockopts *new,
    char *err, size_t errlen)
{
	int	id, dual, fam, tos_changed;

	for (id = 0; id < SOCKOPT_N; id++) {
		if (same(old, new, (enum sockopt_id)id))
			continue;
		if ((defs[id].flags & BIND_TIME) ||
		    (!ISSET(new, id) && !(defs[id].flags & RESETTABLE)))
			return 1;
	}
	fam = sock_family(fd, &dual);
	tos_changed = !same(old, new, SOCKOPT_IPTOS);
	for (id = 0; id < SOCKOPT_N; id++) {
		/* IP_TOS sets the priority too: set it again after. */
		if (same(old, new, (enum sockopt_id)id) &&
		    !(id == SOCKOPT_PRIORITY && tos_changed && ISSET(new, id)))
			continue;
		if (set_one(fd, fam, dual, ISSET(new, id) ? new : NULL,
		    (enum sockopt_id)id, err, errlen) == -1)
			return -1;
	}
	return 0;
}
