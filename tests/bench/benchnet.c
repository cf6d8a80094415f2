/*
 * benchnet: a bound loopback socket and the common options of the
 * reference servers.  The servers bind loopback only and die by SIGALRM
 * after their lifetime, so a forgotten one cannot linger.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benchnet.h"

#define DEFAULT_LIFETIME	900

/*
 * Parse [-6] [-m mode] [-T lifetime] port; return the index of the first
 * argument after the port, or -1 after printing usage.
 */
int
bn_parse(int argc, char **argv, struct bn_opts *o, const char *usage)
{
	int	ch;

	memset(o, 0, sizeof(*o));
	o->lifetime = DEFAULT_LIFETIME;
	while ((ch = getopt(argc, argv, "+6m:T:")) != -1) {
		switch (ch) {
		case '6':
			o->v6 = 1;
			break;
		case 'm':
			o->mode = optarg;
			break;
		case 'T':
			o->lifetime = (unsigned)atoi(optarg);
			break;
		default:
			goto bad;
		}
	}
	if (optind >= argc || (o->port = atoi(argv[optind])) <= 0 ||
	    o->port > 65535)
		goto bad;
	signal(SIGPIPE, SIG_IGN);
	alarm(o->lifetime);
	return optind + 1;
bad:
	fprintf(stderr, "usage: %s %s\n", argv[0], usage);
	return -1;
}

/*
 * A socket of the given type bound to the loopback port (and listening,
 * for streams); exits on error, since a server without it is no use.
 */
int
bn_socket(const char *prog, int type, const struct bn_opts *o)
{
	struct sockaddr_in	sin;
	struct sockaddr_in6	sin6;
	struct sockaddr		*sa = (struct sockaddr *)&sin;
	socklen_t		 len = sizeof(sin);
	int			 fd, one = 1;

	memset(&sin, 0, sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)o->port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons((unsigned short)o->port);
	sin6.sin6_addr = in6addr_loopback;
	if (o->v6) {
		sa = (struct sockaddr *)&sin6;
		len = sizeof(sin6);
	}
	fd = socket(sa->sa_family, type | SOCK_CLOEXEC, 0);
	if (fd == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, sa, len) == -1 ||
	    ((type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) == SOCK_STREAM &&
	    listen(fd, 4096) == -1)) {
		fprintf(stderr, "%s: port %d: ", prog, o->port);
		perror("bind");
		exit(1);
	}
	return fd;
}
