/*
 * addr.c: socket addresses: formatting, raw bytes, where a socket is bound.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"

/*
 * Every request formats its peer's address (and the log line its
 * "addr:port"): inet_ntop and snprintf cost more than the rest of a
 * daytime answer, so IPv4 and the port are written by hand.
 */

/* v in decimal at p (room for 10 digits); the end. */
static char *
put_decimal(char *p, unsigned v)
{
	char	 rev[10];
	int	 n = 0;

	do
		rev[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n > 0)
		*p++ = rev[--n];
	return p;
}

/* Dotted quad of b into host (INET_ADDRSTRLEN at least). */
static void
ipv4_format(const unsigned char *b, char *host, size_t hostlen)
{
	char	*p = host;
	int	 i;

	if (hostlen < INET_ADDRSTRLEN) {
		inet_ntop(AF_INET, b, host, (socklen_t)hostlen);
		return;
	}
	for (i = 0; i < 4; i++) {
		if (i > 0)
			*p++ = '.';
		p = put_decimal(p, b[i]);
	}
	*p = '\0';
}

void
sockaddr_format(const struct sockaddr *sa, socklen_t len, char *host,
    size_t hostlen, int *port)
{
	const struct sockaddr_in6	*s6 = (const void *)sa;
	const struct sockaddr_in	*s4 = (const void *)sa;
	const struct sockaddr_un	*su = (const void *)sa;

	*port = -1;
	if (hostlen > 0)
		strncpy(host, "?", hostlen - 1)[hostlen - 1] = '\0';
	if (sa->sa_family == AF_INET) {
		ipv4_format((const unsigned char *)&s4->sin_addr, host,
		    hostlen);
		*port = ntohs(s4->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
			ipv4_format(&s6->sin6_addr.s6_addr[12], host, hostlen);
		else
			inet_ntop(AF_INET6, &s6->sin6_addr, host,
			    (socklen_t)hostlen);
		*port = ntohs(s6->sin6_port);
	} else if (sa->sa_family == AF_UNIX) {
		if (len > offsetof(struct sockaddr_un, sun_path) &&
		    su->sun_path[0] != '\0')
			snprintf(host, hostlen, "%s", su->sun_path);
		else
			snprintf(host, hostlen, "unix");
	}
}

void
addr_local(int fd, char *addr, size_t addrlen, int *port)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1) {
		snprintf(addr, addrlen, "?");
		*port = -1;
		return;
	}
	sockaddr_format((struct sockaddr *)&ss, len, addr, addrlen, port);
}

/* The raw address bytes of an inet sockaddr (v4-mapped v6 as v4). */
const unsigned char *
addr_bytes(const struct sockaddr *sa, int *family)
{
	const struct sockaddr_in6	*s6 = (const void *)sa;
	const struct sockaddr_in	*s4 = (const void *)sa;

	if (sa->sa_family == AF_INET) {
		*family = AF_INET;
		return (const unsigned char *)&s4->sin_addr;
	}
	if (sa->sa_family == AF_INET6) {
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			*family = AF_INET;
			return &s6->sin6_addr.s6_addr[12];
		}
		*family = AF_INET6;
		return s6->sin6_addr.s6_addr;
	}
	return NULL;
}

/* "addr:port" or "[v6]:port" into buf. */
const char *
addr_desc(const char *host, int port, char *buf, size_t len)
{
	size_t	 hl = strlen(host);
	int	 v6 = memchr(host, ':', hl) != NULL;
	char	*p = buf;

	/* Brackets, colon, 10 digits, NUL; or a port out of range. */
	if (len < hl + 14 || port < 0) {
		snprintf(buf, len, v6 ? "[%s]:%d" : "%s:%d", host, port);
		return buf;
	}
	if (v6)
		*p++ = '[';
	memcpy(p, host, hl);
	p += hl;
	if (v6)
		*p++ = ']';
	*p++ = ':';
	*put_decimal(p, (unsigned)port) = '\0';
	return buf;
}
