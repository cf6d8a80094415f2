/*
 * sockpool.c: handed-over listening sockets, by address.  See sockpool.h.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockpool.h"

#define POOL_MAX	256

static struct pooled {
	int			 fd;
	int			 socktype;
	struct sockaddr_storage	 ss;
} pool[POOL_MAX];
static size_t	npool;

void
sockpool_add(int fd)
{
	struct pooled	*p;
	socklen_t	 len = sizeof(int), alen = sizeof(p->ss);

	if (npool == POOL_MAX) {
		close(fd);
		return;
	}
	p = &pool[npool];
	memset(p, 0, sizeof(*p));
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &p->socktype, &len) == -1 ||
	    getsockname(fd, (struct sockaddr *)&p->ss, &alen) == -1) {
		close(fd);
		return;
	}
	p->fd = fd;
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	npool++;
}

/* Same family, address and (non-zero) port, or the same UNIX path? */
static int
same_address(const struct sockaddr_storage *a, const struct sockaddr *b)
{
	const struct sockaddr_in	*a4 = (const void *)a, *b4 = (const void *)b;
	const struct sockaddr_in6	*a6 = (const void *)a, *b6 = (const void *)b;
	const struct sockaddr_un	*au = (const void *)a, *bu = (const void *)b;

	if (a->ss_family != b->sa_family)
		return 0;
	switch (b->sa_family) {
	case AF_INET:
		return b4->sin_port != 0 && a4->sin_port == b4->sin_port &&
		    a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	case AF_INET6:
		return b6->sin6_port != 0 && a6->sin6_port == b6->sin6_port &&
		    memcmp(&a6->sin6_addr, &b6->sin6_addr,
		    sizeof(a6->sin6_addr)) == 0;
	case AF_UNIX:
		return bu->sun_path[0] != '\0' &&
		    strncmp(au->sun_path, bu->sun_path,
		    sizeof(au->sun_path)) == 0;
	}
	return 0;
}

int
sockpool_take(int socktype, const struct sockaddr *sa, socklen_t len)
{
	size_t	i;
	int	fd;

	(void)len;
	for (i = 0; i < npool; i++) {
		if (pool[i].socktype != socktype ||
		    !same_address(&pool[i].ss, sa))
			continue;
		fd = pool[i].fd;
		pool[i] = pool[--npool];
		(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		return fd;
	}
	return -1;
}

void
sockpool_close_rest(void)
{
	while (npool > 0)
		close(pool[--npool].fd);
}
