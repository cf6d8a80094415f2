/*
 * sockswap: the attacker of tests/integration/sockperm.sh.
 *
 * sockswap seconds target path...
 * Run as an unprivileged user who owns the directories of the paths:
 * the moment a socket file appears at one of the paths, it is exchanged
 * (renameat2 RENAME_EXCHANGE, one atomic step, no look first) with a
 * symbolic link to target kept ready at path.swap.  Spins until the time
 * is up or SIGTERM, then prints how many sockets it replaced.
 * Exit: 0 done, 1 usage or setup error.
 */
#include "config.h"

#include <sys/stat.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t	stop;

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

/*
 * Make tmp a symlink to target again.  1: it held something else (a
 * socket just swapped out), 0: it was still the link, -1: error.
 */
static int
arm(const char *target, const char *tmp)
{
	struct stat	st;

	if (lstat(tmp, &st) == 0 && S_ISLNK(st.st_mode))
		return 0;
	(void)unlink(tmp);
	return symlink(target, tmp) == 0 ? 1 : -1;
}

int
main(int argc, char **argv)
{
	char		tmp[64][4096];
	time_t		end;
	unsigned long	swaps = 0, n = 0;
	int		i, paths = argc - 3;

	if (argc < 4 || paths > 64) {
		fprintf(stderr, "usage: sockswap seconds target path...\n");
		return 1;
	}
	for (i = 0; i < paths; i++) {
		snprintf(tmp[i], sizeof(tmp[i]), "%s.swap", argv[i + 3]);
		if (arm(argv[2], tmp[i]) == -1) {
			perror(tmp[i]);
			return 1;
		}
	}
	signal(SIGTERM, on_term);
	end = time(NULL) + atoi(argv[1]);
	while (!stop && ((++n & 0xfff) != 0 || time(NULL) < end))
		for (i = 0; i < paths; i++) {
			/* A link exchanged for a link is no harm: no lstat. */
			if (renameat2(AT_FDCWD, tmp[i], AT_FDCWD, argv[i + 3],
			    RENAME_EXCHANGE) == -1)
				continue;
			if (arm(argv[2], tmp[i]) == 1)
				swaps++;
		}
	printf("%lu\n", swaps);
	return 0;
}
