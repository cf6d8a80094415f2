/*
 * conf_parse.c: value parsers for the configuration (no libconfuse).
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "conf_parse.h"

#define ERR(...)	(snprintf(err, CONF_ERRLEN, __VA_ARGS__), -1)

/* Parse a decimal number with nothing after it. */
int
parse_uint(const char *s, unsigned long max, unsigned long *v, char *err)
{
	char		*end;
	unsigned long	 n;

	if (s == NULL || !isdigit((unsigned char)*s))
		return ERR("\"%s\" is not a number", s ? s : "");
	errno = 0;
	n = strtoul(s, &end, 10);
	if (*end != '\0')
		return ERR("\"%s\" is not a number", s);
	if (errno == ERANGE || n > max)
		return ERR("%s out of range (0-%lu)", s, max);
	*v = n;
	return 0;
}

/* A number, or a name from /etc/services for proto. */
int
parse_port(const char *s, const char *proto, int *port, char *err)
{
	struct servent	*se;
	unsigned long	 n;
	char		*end;

	if (s == NULL || *s == '\0')
		return ERR("port is empty");
	if (isdigit((unsigned char)*s)) {
		errno = 0;
		n = strtoul(s, &end, 10);
		if (*end != '\0')
			return ERR("port \"%s\" is not a number", s);
		if (errno == ERANGE || n > 65535)
			return ERR("port %s out of range (0-65535)", s);
		*port = (int)n;
		return 0;
	}
	if ((se = getservbyname(s, proto)) == NULL)
		return ERR("port \"%s\" is not a number nor a %s service "
		    "in /etc/services", s, proto);
	*port = ntohs((uint16_t)se->s_port);
	return 0;
}

int
parse_redirect(const char *s, char *host, size_t hostlen, int *port,
    char *err)
{
	const char	*h, *p;
	char		 pbuf[64];
	size_t		 n, m;

	h = s + strspn(s, " \t");
	n = strcspn(h, " \t");
	p = h + n + strspn(h + n, " \t");
	m = strcspn(p, " \t");
	if (n == 0 || m == 0 || p[m + strspn(p + m, " \t")] != '\0' ||
	    m >= sizeof(pbuf))
		return ERR("\"%s\" is not \"HOST PORT\"", s);
	memcpy(pbuf, p, m);
	pbuf[m] = '\0';
	if (h[0] == '[' && n > 2 && h[n - 1] == ']') {
		h++;
		n -= 2;
	}
	if (n >= hostlen)
		return ERR("host name too long");
	memcpy(host, h, n);
	host[n] = '\0';
	if (parse_port(pbuf, "tcp", port, err) == -1)
		return -1;
	if (*port == 0)
		return ERR("port 0: the backend needs a real port");
	return 0;
}

int
parse_numeric_host(const char *host, int port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		*len = sizeof(*sin);
		return 1;
	}
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*sin6);
		return 1;
	}
	return 0;
}

int
parse_tcpmux_name(const char *s, char *err)
{
	size_t	n = strlen(s);

	if (n == 0 || n > 64 || s[strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.+-")] != '\0')
		return ERR("\"%s\" cannot be a tcpmux name (1-64 characters "
		    "of A-Z a-z 0-9 . + -)", s);
	if (strcasecmp(s, "HELP") == 0)
		return ERR("\"%s\" is tcpmux's own HELP command", s);
	return 0;
}

/* Store a v6 address with port into sc. */
static void
set_in6(struct service_conf *sc, const struct in6_addr *a, int port)
{
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&sc->addr;

	memset(&sc->addr, 0, sizeof(sc->addr));
	sin6->sin6_family = AF_INET6;
	sin6->sin6_addr = *a;
	sin6->sin6_port = htons((uint16_t)port);
	sc->family = AF_INET6;
	sc->addrlen = sizeof(*sin6);
}

/* Store a v4 address with port into sc. */
static void
set_in4(struct service_conf *sc, const struct in_addr *a, int port)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)&sc->addr;

	memset(&sc->addr, 0, sizeof(sc->addr));
	sin->sin_family = AF_INET;
	sin->sin_addr = *a;
	sin->sin_port = htons((uint16_t)port);
	sc->family = AF_INET;
	sc->addrlen = sizeof(*sin);
}

/* Resolve a host name once, at load time (never per connection). */
static int
resolve_host(const char *s, int port, struct service_conf *sc, char *err)
{
	struct addrinfo	 hints, *res;
	int		 rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(s, NULL, &hints, &res)) != 0)
		return ERR("address \"%s\": %s", s, gai_strerror(rc));
	if (res->ai_family == AF_INET)
		set_in4(sc, &((struct sockaddr_in *)res->ai_addr)->sin_addr,
		    port);
	else
		set_in6(sc, &((struct sockaddr_in6 *)res->ai_addr)->sin6_addr,
		    port);
	freeaddrinfo(res);
	return 0;
}

int
parse_inet_address(const char *s, int port, int v6only,
    struct service_conf *sc, char *err)
{
	char		buf[INET6_ADDRSTRLEN + 2];
	struct in_addr	a4;
	struct in6_addr	a6;
	size_t		len;

	sc->dualstack = 0;
	if (strcmp(s, "*") == 0) {
		set_in6(sc, &in6addr_any, port);
		sc->dualstack = !v6only;
		return 0;
	}
	len = strlen(s);
	if (len >= 2 && s[0] == '[' && s[len - 1] == ']' &&
	    len - 2 < sizeof(buf)) {
		memcpy(buf, s + 1, len - 2);
		buf[len - 2] = '\0';
		if (inet_pton(AF_INET6, buf, &a6) != 1)
			return ERR("address \"%s\" is not an IPv6 address", s);
		set_in6(sc, &a6, port);
		return 0;
	}
	if (inet_pton(AF_INET, s, &a4) == 1) {
		set_in4(sc, &a4, port);
		return 0;
	}
	if (inet_pton(AF_INET6, s, &a6) == 1) {
		set_in6(sc, &a6, port);
		return 0;
	}
	return resolve_host(s, port, sc, err);
}

/*
 * "ADDR", "ADDR:PORT", "[V6]", "[V6]:PORT" or a bare V6 address; the
 * port defaults to defport.  A bare V6 address cannot carry a port
 * (which colon would it be?), as in URLs.
 */
int
parse_listen_spec(const char *s, int defport, struct sockaddr_storage *ss,
    socklen_t *sslen, char *err)
{
	struct service_conf	 sc;
	char			 host[INET6_ADDRSTRLEN + 2];
	const char		*colon = strrchr(s, ':'), *close = NULL;
	size_t			 hlen;
	int			 port = defport;

	if (s[0] == '[' && (close = strchr(s, ']')) == NULL)
		return ERR("\"%s\": no ] after the IPv6 address", s);
	if (close != NULL && close[1] != '\0' && close[1] != ':')
		return ERR("\"%s\": want [ADDRESS]:PORT", s);
	if (close == NULL && colon != NULL && strchr(s, ':') != colon)
		colon = NULL;			/* bare IPv6 */
	if (close != NULL)
		colon = close[1] == ':' ? close + 1 : NULL;
	if (colon != NULL && parse_port(colon + 1, "tcp", &port, err) == -1)
		return -1;
	hlen = colon ? (size_t)(colon - s) : strlen(s);
	if (hlen == 0 || hlen >= sizeof(host))
		return ERR("\"%s\": want ADDRESS[:PORT]", s);
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	memset(&sc, 0, sizeof(sc));
	if (parse_inet_address(host, port, 1, &sc, err) == -1)
		return -1;
	memcpy(ss, &sc.addr, sizeof(*ss));
	*sslen = sc.addrlen;
	return 0;
}

int
parse_unix_path(const char *s, struct service_conf *sc, char *err)
{
	struct sockaddr_un	*sun = (struct sockaddr_un *)&sc->addr;

	if (s == NULL || s[0] != '/')
		return ERR("address \"%s\": a unix socket needs an absolute "
		    "path", s ? s : "");
	if (strlen(s) >= sizeof(sun->sun_path))
		return ERR("address \"%s\": path longer than %zu bytes", s,
		    sizeof(sun->sun_path) - 1);
	memset(&sc->addr, 0, sizeof(sc->addr));
	sun->sun_family = AF_UNIX;
	strcpy(sun->sun_path, s);
	sc->family = AF_UNIX;
	sc->addrlen = sizeof(*sun);
	return 0;
}

/* "10.0.0.0/8", "::1", "2001:db8::/32" */
/* "255.255.255.0" to 24; -1 unless a contiguous IPv4 netmask. */
static int
netmask_len(const char *m)
{
	struct in_addr	in;
	uint32_t	a;
	int		len = 0;

	if (inet_pton(AF_INET, m, &in) != 1)
		return -1;
	for (a = ntohl(in.s_addr); a & 0x80000000U; a <<= 1)
		len++;
	return a == 0 ? len : -1;
}

/*
 * A host name as resolv.conf-style resolution takes it: dot-separated
 * labels of letters, digits, '-' and '_', a trailing dot allowed, the
 * last label not all digits (getaddrinfo would read "10.1" as an
 * address).
 */
static int
is_host_name(const char *s)
{
	size_t	n, len = strlen(s);
	int	digits = 0;

	if (len == 0 || len > 253 || s[0] == '.')
		return 0;
	if (s[len - 1] == '.')
		len--;
	while (len > 0) {
		n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU"
		    "VWXYZ0123456789-_");
		if (n == 0 || n > 63 || n > len || (s[n] != '.' && n != len) ||
		    s[0] == '-')
			return 0;
		digits = strspn(s, "0123456789") == n;
		len -= n + (n < len);
		s += n + 1;
	}
	return !digits;
}

/* The length after '/': a prefix length, or a dotted IPv4 netmask. */
static int
acl_prefix(const char *s, const char *len, int family, int max, char *err)
{
	unsigned long	n;
	int		m;

	if (family == AF_INET && strchr(len, '.') != NULL) {
		if ((m = netmask_len(len)) == -1)
			return ERR("\"%s\": netmask %s is not contiguous "
			    "(255.255.255.0 is /24)", s, len);
		return m;
	}
	if (parse_uint(len, (unsigned long)max, &n, err) == -1)
		return ERR("\"%s\": prefix length must be 0-%d", s, max);
	return (int)n;
}

/*
 * An only-from / no-access entry: an address, ADDR/LEN, or (IPv4)
 * ADDR/NETMASK into e (0); a host name, which the caller resolves (1);
 * else -1.  A ".domain" would need a reverse lookup of every client, so
 * it is refused rather than resolved per connection.
 */
int
parse_acl_entry(const char *s, struct acl_entry *e, char *err)
{
	char	 buf[INET6_ADDRSTRLEN + 24], *slash;
	int	 max, len;

	memset(e, 0, sizeof(*e));
	if (s[0] == '.' && is_host_name(s + 1))
		return ERR("\"%s\": a domain would need a reverse DNS lookup "
		    "of every client; write its addresses, prefixes or host "
		    "names", s);
	if (strchr(s, '/') == NULL && strchr(s, ':') == NULL &&
	    is_host_name(s))
		return 1;
	if (strlen(s) >= sizeof(buf))
		return ERR("\"%s\" is not an address, prefix or host name", s);
	strcpy(buf, s);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, e->addr) == 1) {
		e->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, e->addr) == 1) {
		e->family = AF_INET6;
		max = 128;
	} else
		return ERR("\"%s\" is not an address, prefix or host name", s);
	e->prefixlen = max;
	if (slash != NULL) {
		if ((len = acl_prefix(s, slash, e->family, max, err)) == -1)
			return -1;
		e->prefixlen = len;
	}
	return 0;
}

/* Compare the first bits of two addresses. */
static int
prefix_equal(const unsigned char *a, const unsigned char *b, int bits)
{
	int	bytes = bits / 8, rest = bits % 8;

	if (memcmp(a, b, (size_t)bytes) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((a[bytes] ^ b[bytes]) & (0xff << (8 - rest))) == 0;
}

int
acl_entry_match(const struct acl_entry *e, int family,
    const unsigned char *addr)
{
	if (e->family != family)
		return 0;
	return prefix_equal(e->addr, addr, e->prefixlen);
}

int
acl_longest_match(const struct acl *acl, int family,
    const unsigned char *addr)
{
	size_t	i;
	int	best = -1;

	for (i = 0; i < acl->n; i++)
		if (acl->entries[i].prefixlen > best &&
		    acl_entry_match(&acl->entries[i], family, addr))
			best = acl->entries[i].prefixlen;
	return best;
}

int
parse_rate(const char *s, struct rate_conf *r, char *err)
{
	unsigned long	n, burst = 0;
	char		unit[8];
	int		used = 0;

	if (!isdigit((unsigned char)*s) ||
	    sscanf(s, "%lu/%7[a-z]%n", &n, unit, &used) != 2 || n == 0)
		return ERR("rate \"%s\": expected N/s or N/min (N > 0), "
		    "optionally followed by \"burst M\"", s);
	if (strcmp(unit, "s") == 0 || strcmp(unit, "sec") == 0)
		r->per_sec = (double)n;
	else if (strcmp(unit, "min") == 0 || strcmp(unit, "m") == 0)
		r->per_sec = (double)n / 60.0;
	else
		return ERR("rate \"%s\": unit must be /s or /min", s);
	s += used;
	while (*s == ' ')
		s++;
	if (*s != '\0' && (sscanf(s, "burst %lu%n", &burst, &used) != 1 ||
	    s[used] != '\0' || burst == 0 || burst > 1000000))
		return ERR("rate: \"%s\" should be \"burst M\" (1-1000000)",
		    s);
	r->burst = burst ? (unsigned)burst : (unsigned)(n > 1 ? n : 1);
	return 0;
}

int
parse_rlimit(const char *s, rlim_t *v, char *err)
{
	unsigned long long	 n;
	char			*end;
	int			 shift = 0;

	if (strcmp(s, "unlimited") == 0 || strcmp(s, "infinity") == 0) {
		*v = RLIM_INFINITY;
		return 0;
	}
	if (!isdigit((unsigned char)*s))
		return ERR("\"%s\" is not a number or \"unlimited\"", s);
	errno = 0;
	n = strtoull(s, &end, 10);
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	}
	if (n > (ULLONG_MAX >> shift))
		errno = ERANGE;		/* the suffix would overflow */
	n <<= shift;
	if (*end != '\0' || errno == ERANGE)
		return ERR("\"%s\" is not a number (suffix K, M or G)", s);
	*v = (rlim_t)n;
	return 0;
}

int
parse_octal(const char *s, mode_t max, mode_t *m, char *err)
{
	unsigned long	 n;
	char		*end;

	if (*s == '\0')
		return ERR("empty octal mode");
	n = strtoul(s, &end, 8);
	if (*end != '\0' || n > max)
		return ERR("\"%s\" is not an octal mode (0-%o)", s,
		    (unsigned)max);
	*m = (mode_t)n;
	return 0;
}

int
parse_prefixes(const char *s, int *p4, int *p6, char *err)
{
	unsigned	a, b;
	int		used = 0;

	if (sscanf(s, "%u/%u%n", &a, &b, &used) == 2 && s[used] == '\0') {
		if (a < 1 || a > 32 || b < 1 || b > 128)
			return ERR("\"%s\": IPv4 prefix 1-32, IPv6 1-128", s);
		*p4 = (int)a;
		*p6 = (int)b;
		return 0;
	}
	if (sscanf(s, "%u%n", &a, &used) == 1 && s[used] == '\0' &&
	    a >= 1 && a <= 32) {
		*p4 = (int)a;
		return 0;
	}
	return ERR("\"%s\" should be \"V4LEN/V6LEN\", e.g. \"32/64\"", s);
}

static const struct {
	const char	*name;
	int		 sig;
} signames[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT },
	{ "KILL", SIGKILL }, { "USR1", SIGUSR1 }, { "USR2", SIGUSR2 },
	{ "TERM", SIGTERM }, { "URG", SIGURG }, { "ALRM", SIGALRM },
	{ "CONT", SIGCONT }, { "STOP", SIGSTOP },
};

int
parse_signal(const char *s, int *sig, char *err)
{
	unsigned long	n;
	size_t		i;
	const char	*name = s;

	if (isdigit((unsigned char)*s)) {
		if (parse_uint(s, 64, &n, err) == -1 || n == 0)
			return ERR("\"%s\" is not a signal number (1-64)", s);
		*sig = (int)n;
		return 0;
	}
	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	for (i = 0; i < sizeof(signames) / sizeof(signames[0]); i++)
		if (strcasecmp(name, signames[i].name) == 0) {
			*sig = signames[i].sig;
			return 0;
		}
	return ERR("\"%s\" is not a signal name (TERM, INT, HUP, KILL, "
	    "URG, USR1, ...)", s);
}

int
valid_service_name(const char *s)
{
	size_t	i, len = strlen(s);

	int	letters = 0;

	if (len < 1 || len > 15 || s[0] == '-' || s[len - 1] == '-' ||
	    strstr(s, "--") != NULL)
		return 0;
	for (i = 0; i < len; i++) {
		if (!(islower((unsigned char)s[i]) ||
		    isdigit((unsigned char)s[i]) || s[i] == '-'))
			return 0;
		letters += islower((unsigned char)s[i]) != 0;
	}
	return letters > 0;	/* RFC 6335: at least one letter */
}

/* "tcp", "udp" or "unix". */
const char *
conf_proto_name(enum svc_proto p)
{
	switch (p) {
	case PROTO_TCP:
		return "tcp";
	case PROTO_UDP:
		return "udp";
	case PROTO_UNIX:
		return "unix";
	}
	return "?";
}

/* max-load: a load average above 0, such as "2" or "2.5". */
int
parse_load(const char *s, double *v, char *err)
{
	char	*end;
	double	 d;

	errno = 0;
	d = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 || !(d > 0) || d > 10000)
		return ERR("\"%s\" is not a load average above 0 (such as 2 "
		    "or 2.5)", s);
	*v = d;
	return 0;
}
