/*
 * notify_listen: stand in for systemd's notify socket in tests.
 * usage: notify_listen PATH SECONDS
 * Binds a datagram socket at PATH and prints every message it receives,
 * each followed by a line "--", until SECONDS have passed.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct sockaddr_un	sun = { .sun_family = AF_UNIX };
	struct pollfd		pfd;
	char			buf[4096];
	time_t			end;
	ssize_t			n;

	if (argc != 3 || strlen(argv[1]) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "usage: notify_listen PATH SECONDS\n");
		return 2;
	}
	strcpy(sun.sun_path, argv[1]);
	unlink(argv[1]);
	pfd.fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (pfd.fd == -1 || bind(pfd.fd, (struct sockaddr *)&sun,
	    sizeof(sun)) == -1) {
		perror(argv[1]);
		return 1;
	}
	pfd.events = POLLIN;
	end = time(NULL) + atoi(argv[2]);
	while (time(NULL) < end) {
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		if ((n = recv(pfd.fd, buf, sizeof(buf) - 1, 0)) < 0)
			break;
		buf[n] = '\0';
		printf("%s\n--\n", buf);
		fflush(stdout);
	}
	unlink(argv[1]);
	return 0;
}
