/*
 * lookup_connect: a libsuperd client for the integration tests.
 *
 *   lookup_connect NAME          connect by name (tcp), send "ping\n",
 *                                print the first line of the answer
 *   lookup_connect -n NAME       the same, falling back to DNS-SD
 *                                (SUPERD_CONNECT_NET)
 *   lookup_connect -d NAME PRIO  register a loopback port with a 60 s
 *                                TTL and close it: a dead endpoint
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "superd.h"

static int	dead_endpoint(const char *, int);
static int	ping(const char *, int);

/* Register a port nobody will listen on once we exit. */
static int
dead_endpoint(const char *name, int prio)
{
	struct sockaddr_in	 sin = { .sin_family = AF_INET };
	socklen_t		 len = sizeof(sin);
	struct superd_reg	 r = { .name = name, .proto = "tcp",
				    .addr = "127.0.0.1", .ttl = 60,
				    .prio = prio, .weight = -1 };
	struct superd		*h;
	char			 id[SUPERD_ID_MAX];
	int			 fd;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(fd, 1) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1) {
		perror("listener");
		return 1;
	}
	r.port = ntohs(sin.sin_port);
	if ((h = superd_open(NULL, 0)) == NULL) {
		perror("superd_open");
		return 1;
	}
	if (superd_register(h, &r, id, NULL) == -1) {
		fprintf(stderr, "register: %s\n", superd_strerror(h));
		return 1;
	}
	superd_close(h);
	close(fd);
	printf("%u\n", r.port);
	return 0;
}

/* Connect by name and echo one line. */
static int
ping(const char *name, int flags)
{
	char	buf[64];
	ssize_t	n;
	int	fd;

	if ((fd = superd_connect(name, "tcp", 500, flags)) == -1) {
		fprintf(stderr, "superd_connect %s: %s\n", name,
		    strerror(errno));
		return 1;
	}
	if (write(fd, "ping\n", 5) != 5 || (n = read(fd, buf, 63)) <= 0) {
		perror("echo");
		return 1;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	printf("%s\n", buf);
	close(fd);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "-d") == 0)
		return dead_endpoint(argv[2], atoi(argv[3]));
	if (argc == 2)
		return ping(argv[1], 0);
	if (argc == 3 && strcmp(argv[1], "-n") == 0)
		return ping(argv[2], SUPERD_CONNECT_NET | SUPERD_CONNECT_ONCE);
	fprintf(stderr, "usage: lookup_connect [-d | -n] NAME [PRIO]\n");
	return 1;
}
