/*
 * ref_udp_echo: the reference for builtin UDP services: one blocking
 * recvfrom/sendto loop, nothing else.  -m picks the answer: the datagram
 * itself (echo, the default), ctime's line (daytime), RFC 868's four
 * bytes (time) or RFC 864's pattern (chargen), of the length superd's
 * chargen gives the same request, so both send the same bytes.
 *
 * usage: ref_udp_echo [-m echo|daytime|time|chargen] [-T lifetime_s]
 *            [-6] port
 */
#include "config.h"

#include <sys/socket.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "benchnet.h"

#define TIME_EPOCH_OFFSET 2208988800u	/* 1900 to 1970, in seconds */
#define CG_NCHARS	95		/* ' ' .. '~' */
#define CG_WIDTH	72
#define CG_LINELEN	(CG_WIDTH + 2)
#define CG_DGRAM_MAX	512		/* RFC 864: 0 to 512 characters */

enum ref_mode { REF_ECHO, REF_DAYTIME, REF_TIME, REF_CHARGEN };

static int	parse_mode(const char *, enum ref_mode *);
static size_t	answer_daytime(char *);
static size_t	answer_time(char *);
static size_t	answer_chargen(size_t, char *);

/* The -m argument into *mode; -1 if unknown. */
static int
parse_mode(const char *name, enum ref_mode *mode)
{
	static const char *const names[] = {
		[REF_ECHO] = "echo", [REF_DAYTIME] = "daytime",
		[REF_TIME] = "time", [REF_CHARGEN] = "chargen"
	};
	size_t	i;

	*mode = REF_ECHO;
	if (name == NULL)
		return 0;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0) {
			*mode = (enum ref_mode)i;
			return 0;
		}
	return -1;
}

/* ctime's line with CRLF, as ref_epoll_echo's daytime writes it. */
static size_t
answer_daytime(char *buf)
{
	time_t	now = time(NULL);

	ctime_r(&now, buf);
	buf[strcspn(buf, "\n")] = '\0';
	strcat(buf, "\r\n");
	return strlen(buf);
}

/* Seconds since 1900 in 32 bits, network order. */
static size_t
answer_time(char *buf)
{
	uint32_t	t = htonl((uint32_t)((uint64_t)time(NULL) +
			    TIME_EPOCH_OFFSET));

	memcpy(buf, &t, sizeof(t));
	return sizeof(t);
}

/*
 * RFC 864 wants a random 0..512 characters; superd derives the length
 * and the first line from the request's length (services/chargen.c),
 * and so does this, to answer the same bytes.
 */
static size_t
answer_chargen(size_t len, char *buf)
{
	size_t	n = (len * 131 + CG_LINELEN) % (CG_DGRAM_MAX + 1);
	size_t	line = len % CG_NCHARS, col = 0, i;

	for (i = 0; i < n; i++) {
		if (col < CG_WIDTH)
			buf[i] = (char)(' ' + (line + col) % CG_NCHARS);
		else
			buf[i] = col == CG_WIDTH ? '\r' : '\n';
		if (++col == CG_LINELEN) {
			col = 0;
			line = (line + 1) % CG_NCHARS;
		}
	}
	return n;
}

int
main(int argc, char **argv)
{
	struct sockaddr_storage	ss;
	struct bn_opts		o;
	enum ref_mode		mode;
	socklen_t		len;
	char			buf[65536], out[CG_DGRAM_MAX + 64];
	ssize_t			n;
	size_t			olen;
	int			fd;

	if (bn_parse(argc, argv, &o, "[-m echo|daytime|time|chargen] "
	    "[-T lifetime_s] [-6] port") == -1)
		return 2;
	if (parse_mode(o.mode, &mode) == -1) {
		fprintf(stderr, "ref_udp_echo: unknown mode %s\n", o.mode);
		return 2;
	}
	fd = bn_socket("ref_udp_echo", SOCK_DGRAM, &o);
	for (;;) {
		len = sizeof(ss);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&ss,
		    &len);
		if (n < 0)
			continue;
		if (mode == REF_ECHO) {
			sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&ss,
			    len);
			continue;
		}
		if (mode == REF_DAYTIME)
			olen = answer_daytime(out);
		else if (mode == REF_TIME)
			olen = answer_time(out);
		else
			olen = answer_chargen((size_t)n, out);
		sendto(fd, out, olen, 0, (struct sockaddr *)&ss, len);
	}
}
