/*
 * handover_bytes.c: the memfd of bytes an upgrade carries.  See
 * handover_bytes.h.
 */
#include "config.h"

#include <sys/mman.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "handover_bytes.h"
#include "log.h"

/* More than anything holds (control's CTL_OUT_MAX is 8 MiB). */
#define HOBYTES_MAX	(64ULL * 1024 * 1024)

/* The memfd of this upgrade, until execve takes it along. */
static int			 bufd = -1;
static unsigned long long	 used;

static int
write_all(int fd, const char *p, unsigned long long len)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (unsigned long long)n;
	}
	return 0;
}

int
hobytes_put(const void *p, unsigned long long len, unsigned long long *at)
{
	if (bufd == -1) {
		if ((bufd = memfd_create("superd-handover", MFD_CLOEXEC)) ==
		    -1) {
			log_warn("upgrade: memfd_create");
			return -1;
		}
		used = 0;
	}
	if (used + len > HOBYTES_MAX || write_all(bufd, p, len) == -1) {
		log_warnx("upgrade: %llu bytes more for the new binary: %s",
		    len, used + len > HOBYTES_MAX ? "too many" :
		    "cannot write");
		return -1;
	}
	*at = used;
	used += len;
	return 0;
}

int
hobytes_fd(void)
{
	if (bufd >= 0 && fcntl(bufd, F_SETFD, 0) == -1) {
		log_warn("upgrade: the bytes' memfd");
		return -1;
	}
	return bufd;
}

void
hobytes_cancel(void)
{
	if (bufd >= 0)
		close(bufd);
	bufd = -1;
}

char *
hobytes_get(int fd, unsigned long long at, unsigned long long len)
{
	char	*buf;
	ssize_t	 n;

	if (len > HOBYTES_MAX || (len > 0 && fd < 0) ||
	    (buf = malloc((size_t)len + 1)) == NULL)
		return NULL;
	if (len > 0 && ((n = pread(fd, buf, (size_t)len, (off_t)at)) == -1 ||
	    (unsigned long long)n != len)) {
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}
