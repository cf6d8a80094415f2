/*
 * ref_udp_echo: the reference for builtin UDP echo: one blocking
 * recvfrom/sendto loop, nothing else.
 *
 * usage: ref_udp_echo [-T lifetime_s] [-6] port
 */
#include "config.h"

#include <sys/socket.h>

#include <stdio.h>

#include "benchnet.h"

int
main(int argc, char **argv)
{
	struct sockaddr_storage	ss;
	struct bn_opts		o;
	socklen_t		len;
	char			buf[65536];
	ssize_t			n;
	int			fd;

	if (bn_parse(argc, argv, &o, "[-T lifetime_s] [-6] port") == -1)
		return 2;
	fd = bn_socket("ref_udp_echo", SOCK_DGRAM, &o);
	for (;;) {
		len = sizeof(ss);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&ss,
		    &len);
		if (n >= 0)
			sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&ss,
			    len);
	}
}
