/*
 * sdlisten_handler: a handler written for systemd socket activation, to
 * test pass-fds = systemd.  It checks sd_listen_fds(), then serves one
 * line on fd 3: the connection itself (nowait, "connection"), or the
 * first connection it accepts on the listening socket (wait).
 * Replies "fds=N name=NAME listening=L: LINE".
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

/* Is fd 0 /dev/null, as systemd gives a socket-activated service? */
static int
stdin_is_null(void)
{
	struct stat	a, b;

	return fstat(0, &a) == 0 && stat("/dev/null", &b) == 0 &&
	    S_ISCHR(a.st_mode) && a.st_rdev == b.st_rdev;
}

int
main(void)
{
	char	**names = NULL, line[256], out[512];
	int	  n, fd, listening;
	ssize_t	  got;

	n = sd_listen_fds_with_names(1, &names);
	if (n != 1 || sd_is_socket(SD_LISTEN_FDS_START, AF_UNSPEC, SOCK_STREAM,
	    -1) <= 0) {
		fprintf(stderr, "sdlisten_handler: sd_listen_fds gave %d\n", n);
		return 1;
	}
	listening = sd_is_socket(SD_LISTEN_FDS_START, AF_UNSPEC, SOCK_STREAM,
	    1) > 0;
	fd = listening ? accept(SD_LISTEN_FDS_START, NULL, NULL) :
	    SD_LISTEN_FDS_START;
	if (fd == -1 || (got = read(fd, line, sizeof(line) - 1)) < 0)
		return 1;
	line[got] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	snprintf(out, sizeof(out), "fds=%d name=%s listening=%d stdin=%s: %s\n",
	    n, names && names[0] ? names[0] : "-", listening,
	    stdin_is_null() ? "null" : "other",
	    line);
	(void)!write(fd, out, strlen(out));
	return 0;
}
