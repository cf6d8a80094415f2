/*
 * sockswap: the attacker of tests/integration/sockperm.sh.
 *
 * sockswap seconds target path...
 * Run as an unprivileged user who owns the directories of the paths:
 * whenever a socket file appears at one of the paths, replace it with a
 * symbolic link to target (rename over it, so the name is never missing).
 * Spins until the time is up, then prints how many sockets it replaced.
 * Exit: 0 done, 1 usage or setup error.
 */
#include "config.h"

#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* Replace the socket at path, if there is one, with a link to target. */
static int
swap_one(const char *target, const char *path, const char *tmp)
{
	struct stat	st;

	if (lstat(path, &st) == -1 || !S_ISSOCK(st.st_mode))
		return 0;
	(void)unlink(tmp);
	if (symlink(target, tmp) == -1 || rename(tmp, path) == -1)
		return 0;
	return 1;
}

int
main(int argc, char **argv)
{
	char		tmp[4096];
	time_t		end;
	unsigned long	swaps = 0;
	int		i;

	if (argc < 4) {
		fprintf(stderr, "usage: sockswap seconds target path...\n");
		return 1;
	}
	end = time(NULL) + atoi(argv[1]);
	while (time(NULL) < end)
		for (i = 3; i < argc; i++) {
			snprintf(tmp, sizeof(tmp), "%s.swap", argv[i]);
			swaps += swap_one(argv[2], argv[i], tmp);
		}
	printf("%lu\n", swaps);
	return 0;
}
