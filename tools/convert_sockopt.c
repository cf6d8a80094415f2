/*
 * convert_sockopt.c: socket options.  systemd .socket keys (KeepAlive=,
 * NoDelay=, ReusePort=, ...) become superd's keys of the same meaning,
 * booleans and time spans in superd's spelling; and an option is kept
 * only on a listener it fits (systemd sets NoDelay= on every listener of
 * the unit and ignores it where it means nothing; superd refuses it).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "convert.h"

#define FIT_TCP		0x1
#define FIT_UDP		0x2
#define FIT_UNIX	0x4
#define FIT_INET	(FIT_TCP | FIT_UDP)
#define FIT_ANY		(FIT_INET | FIT_UNIX)

enum sd_kind {
	SD_BOOL,	/* yes/no/true/1/on... -> yes or no */
	SD_SPAN,	/* "90", "2min", "1h 30min" -> seconds */
	SD_AS_IS	/* a number, a size, a name: superd reads it alike */
};

static const struct sockopt_map {
	const char	*sd;
	enum cv_key	 key;
	enum sd_kind	 kind;
	unsigned	 fits;
	const char	*what;		/* the sockets it fits */
} map[] = {
	{ "KeepAlive", K_KEEPALIVE, SD_BOOL, FIT_TCP, "tcp" },
	{ "KeepAliveTimeSec", K_KEEPALIVE_IDLE, SD_SPAN, FIT_TCP, "tcp" },
	{ "KeepAliveIntervalSec", K_KEEPALIVE_INTERVAL, SD_SPAN, FIT_TCP,
	    "tcp" },
	{ "KeepAliveProbes", K_KEEPALIVE_COUNT, SD_AS_IS, FIT_TCP, "tcp" },
	{ "NoDelay", K_NODELAY, SD_BOOL, FIT_TCP, "tcp" },
	{ "ReusePort", K_REUSE_PORT, SD_BOOL, FIT_INET, "tcp and udp" },
	{ "FreeBind", K_FREEBIND, SD_BOOL, FIT_INET, "tcp and udp" },
	{ "Transparent", K_TRANSPARENT, SD_BOOL, FIT_INET, "tcp and udp" },
	{ "DeferAcceptSec", K_DEFER_ACCEPT, SD_SPAN, FIT_TCP, "tcp" },
	{ "Mark", K_MARK, SD_AS_IS, FIT_INET, "tcp and udp" },
	{ "BindToDevice", K_BIND_TO_DEVICE, SD_AS_IS, FIT_INET,
	    "tcp and udp" },
	{ "IPTOS", K_IP_TOS, SD_AS_IS, FIT_INET, "tcp and udp" },
	{ "Priority", K_PRIORITY, SD_AS_IS, FIT_INET, "tcp and udp" },
	{ "TCPCongestion", K_TCP_CONGESTION, SD_AS_IS, FIT_TCP, "tcp" },
	{ "ReceiveBuffer", K_RECEIVE_BUFFER, SD_AS_IS, FIT_ANY, "any" },
	{ "SendBuffer", K_SEND_BUFFER, SD_AS_IS, FIT_ANY, "any" },
	{ "PassCredentials", K_PASS_CREDENTIALS, SD_BOOL, FIT_UNIX, "unix" },
	{ "PassPacketInfo", K_PASS_PACKET_INFO, SD_BOOL, FIT_UDP, "udp" },
};

#define NMAP	(sizeof(map) / sizeof(map[0]))

/* systemd's booleans. */
static int
sd_bool(const char *v)
{
	static const char *const yes[] = { "1", "yes", "y", "true", "t",
	    "on", NULL };
	static const char *const no[] = { "0", "no", "n", "false", "f",
	    "off", NULL };
	size_t	i;

	for (i = 0; yes[i] != NULL; i++)
		if (strcasecmp(v, yes[i]) == 0)
			return 1;
	for (i = 0; no[i] != NULL; i++)
		if (strcasecmp(v, no[i]) == 0)
			return 0;
	return -1;
}

/* Microseconds in a unit of a systemd time span ("" is seconds). */
static unsigned long long
span_unit(const char *u, size_t n)
{
	static const struct { const char *name; unsigned long long us; }
	    units[] = {
		{ "us", 1 }, { "usec", 1 }, { "ms", 1000 }, { "msec", 1000 },
		{ "", 1000000 }, { "s", 1000000 }, { "sec", 1000000 },
		{ "second", 1000000 }, { "seconds", 1000000 },
		{ "m", 60000000 }, { "min", 60000000 },
		{ "minute", 60000000 }, { "minutes", 60000000 },
		{ "h", 3600000000ULL }, { "hr", 3600000000ULL },
		{ "hour", 3600000000ULL }, { "hours", 3600000000ULL },
		{ "d", 86400000000ULL }, { "day", 86400000000ULL },
		{ "days", 86400000000ULL }, { "w", 604800000000ULL },
		{ "week", 604800000000ULL }, { "weeks", 604800000000ULL },
	};
	size_t	i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strlen(units[i].name) == n &&
		    strncmp(u, units[i].name, n) == 0)
			return units[i].us;
	return 0;
}

/* "1h 30min", "90", "500ms" -> whole seconds, rounded up; -1 if not one. */
static long long
sd_span(const char *v)
{
	unsigned long long	 total = 0, n, us;
	const char		*p = v, *u;
	char			*end;

	while (*(p += strspn(p, " \t")) != '\0') {
		if (!isdigit((unsigned char)*p))
			return -1;
		errno = 0;
		n = strtoull(p, &end, 10);
		if (errno != 0)
			return -1;
		p = end + strspn(end, " \t");
		for (u = p; isalpha((unsigned char)*p); p++)
			;
		if ((us = span_unit(u, (size_t)(p - u))) == 0 ||
		    n > 100000000000ULL / (us / 1000 + 1))
			return -1;
		total += n * us;
	}
	if (p == v)
		return -1;
	return (long long)((total + 999999) / 1000000);
}

int
sockopt_from_systemd(const char *name, const char *val, const char **key,
    char *why, size_t whylen)
{
	static char	 out[NMAP][32];
	size_t		 i;
	long long	 secs;
	int		 b;

	for (i = 0; i < NMAP; i++)
		if (strcmp(map[i].sd, name) == 0)
			break;
	if (i == NMAP)
		return 0;
	switch (map[i].kind) {
	case SD_BOOL:
		if ((b = sd_bool(val)) == -1) {
			snprintf(why, whylen, "%s=%s: not a boolean", name, val);
			return -1;
		}
		key[map[i].key] = b ? "yes" : "no";
		break;
	case SD_SPAN:
		if ((secs = sd_span(val)) < 0) {
			snprintf(why, whylen, "%s=%s: not a time span superd "
			    "reads (\"90\", \"2min\", \"1h 30min\")", name, val);
			return -1;
		}
		/* One buffer per key: the values live as long as the run. */
		snprintf(out[i], sizeof(out[i]), "%lld", secs);
		key[map[i].key] = out[i];
		break;
	case SD_AS_IS:
		key[map[i].key] = val[0] != '\0' ? val : NULL;
		break;
	}
	return 1;
}

/* The kind of listener s is: FIT_TCP, FIT_UDP or FIT_UNIX. */
static unsigned
listener_fit(const struct cv_service *s)
{
	const char	*proto = s->key[K_PROTOCOL], *sock = s->key[K_SOCKET];

	if (proto != NULL && strcmp(proto, "unix") == 0)
		return FIT_UNIX;
	if ((proto != NULL && strcmp(proto, "udp") == 0) ||
	    (sock != NULL && strcmp(sock, "dgram") == 0))
		return FIT_UDP;
	return FIT_TCP;
}

void
sockopt_fit(struct cv_service *s, const char *file, int line)
{
	unsigned	fit = listener_fit(s);
	char		left[512];
	size_t		i, n = 0;

	left[0] = '\0';
	for (i = 0; i < NMAP; i++) {
		if (s->key[map[i].key] == NULL || (map[i].fits & fit))
			continue;
		if (n < sizeof(left))
			n += (size_t)snprintf(left + n, sizeof(left) - n,
			    "%s%s (%s)", n ? ", " : "",
			    out_key_name(map[i].key), map[i].what);
		svc_set(s, map[i].key, NULL);
	}
	if (left[0] != '\0')
		cv_note(s, file, line, "left out of this %s listener, where "
		    "they mean nothing: %s", fit == FIT_UNIX ? "unix" :
		    fit == FIT_UDP ? "udp" : "tcp", left);
}
