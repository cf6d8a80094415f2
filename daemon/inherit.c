/*
 * inherit.c: sockets from systemd (or another manager speaking the
 * sd_listen_fds protocol).  See inherit.h.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "conf.h"
#include "inherit.h"
#include "addr.h"
#include "log.h"

struct inherited {
	int			 fd;
	char			*name;		/* FileDescriptorName= */
	int			 socktype;
	struct sockaddr_storage	 addr;		/* getsockname() */
	socklen_t		 addrlen;
	int			 used;		/* by some service, ever */
	int			 reported;	/* "unused" said once */
};

static struct inherited	*inh;
static size_t		 ninh;

/* Same type, same bound address and port (or unix path)? */
static int
same_endpoint(const struct inherited *i, const struct service_conf *sc)
{
	const struct sockaddr_un	*a, *b;

	if (i->socktype != sc->socktype ||
	    i->addr.ss_family != sc->addr.ss_family)
		return 0;
	switch (sc->addr.ss_family) {
	case AF_INET:
		return memcmp(&((struct sockaddr_in *)&i->addr)->sin_addr,
		    &((struct sockaddr_in *)&sc->addr)->sin_addr,
		    sizeof(struct in_addr)) == 0 &&
		    ((struct sockaddr_in *)&i->addr)->sin_port ==
		    ((struct sockaddr_in *)&sc->addr)->sin_port;
	case AF_INET6:
		return memcmp(&((struct sockaddr_in6 *)&i->addr)->sin6_addr,
		    &((struct sockaddr_in6 *)&sc->addr)->sin6_addr,
		    sizeof(struct in6_addr)) == 0 &&
		    ((struct sockaddr_in6 *)&i->addr)->sin6_port ==
		    ((struct sockaddr_in6 *)&sc->addr)->sin6_port;
	case AF_UNIX:
		a = (const struct sockaddr_un *)&i->addr;
		b = (const struct sockaddr_un *)&sc->addr;
		return strcmp(a->sun_path, b->sun_path) == 0;
	}
	return 0;
}

static void
describe(const struct inherited *i, char *buf, size_t len)
{
	char	host[64];
	int	port;

	sockaddr_format((const struct sockaddr *)&i->addr, i->addrlen, host,
	    sizeof(host), &port);
	if (port >= 0)
		snprintf(buf, len, "%s port %d/%s", host, port,
		    i->socktype == SOCK_STREAM ? "stream" : "dgram");
	else
		snprintf(buf, len, "%s", host);
}

int
inherit_take(const struct service_conf *sc)
{
	struct inherited	*i, *by_addr = NULL, *pick;
	char			 where[128];
	size_t			 k;
	int			 fd;

	for (k = 0; k < ninh; k++) {
		i = &inh[k];
		if (i->name != NULL && strcmp(i->name, sc->name) == 0 &&
		    i->socktype == sc->socktype)
			break;
		if (by_addr == NULL && sc->port != 0 && same_endpoint(i, sc))
			by_addr = i;
	}
	pick = k < ninh ? &inh[k] : by_addr;
	if (pick == NULL)
		return -1;
	if ((fd = fcntl(pick->fd, F_DUPFD_CLOEXEC, 3)) == -1) {
		log_warn("service %s: inherited fd %d", sc->name, pick->fd);
		return -1;
	}
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	describe(pick, where, sizeof(where));
	if (!pick->used)
		log_notice("service %s: using inherited socket fd %d (%s%s%s)",
		    sc->name, pick->fd, where, pick->name ? ", name " : "",
		    pick->name ? pick->name : "");
	pick->used = 1;
	return fd;
}

void
inherit_report_unused(void)
{
	char	where[128];
	size_t	k;

	for (k = 0; k < ninh; k++) {
		if (inh[k].used || inh[k].reported)
			continue;
		describe(&inh[k], where, sizeof(where));
		log_warnx("inherited socket fd %d (%s%s%s) matches no service; "
		    "kept for a later reload", inh[k].fd, where,
		    inh[k].name ? ", name " : "", inh[k].name ? inh[k].name : "");
		inh[k].reported = 1;
	}
}

#ifdef HAVE_SYSTEMD
/* Record fd; 0, or -1 (and fd closed) if it is not a usable socket. */
static int
record(struct inherited *i, int fd, const char *name)
{
	socklen_t	len = sizeof(i->socktype);

	memset(i, 0, sizeof(*i));
	i->fd = fd;
	i->addrlen = sizeof(i->addr);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &i->socktype, &len) == -1 ||
	    getsockname(fd, (struct sockaddr *)&i->addr, &i->addrlen) == -1) {
		log_warnx("inherited fd %d is not a socket; closed", fd);
		close(fd);
		return -1;
	}
	/* "unknown" is what systemd names a socket without a name. */
	if (name != NULL && *name != '\0' && strcmp(name, "unknown") != 0 &&
	    (i->name = strdup(name)) == NULL)
		fatal("inherited socket fd %d: its name %s", fd, name);
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	return 0;
}

/*
 * Start-up only (main, before the event loop; a reload never comes back
 * here), so running out of memory is fatal: superd could not honour the
 * sockets it was handed.
 */
void
inherit_init(void)
{
	char	**names = NULL;
	int	  n, k;

	if ((n = sd_listen_fds_with_names(1, &names)) < 0) {
		log_warnx("LISTEN_FDS: %s; no inherited sockets",
		    strerror(-n));
		return;
	}
	if (n > 0 && (inh = calloc((size_t)n, sizeof(*inh))) == NULL)
		fatal("%d inherited sockets", n);
	for (k = 0; k < n; k++)
		if (record(&inh[ninh], SD_LISTEN_FDS_START + k,
		    names ? names[k] : NULL) == 0)
			ninh++;
	if (names != NULL) {
		for (k = 0; k < n; k++)
			free(names[k]);
		free(names);
	}
	if (ninh > 0)
		log_info("%zu inherited socket%s", ninh, ninh == 1 ? "" : "s");
}
#else
void
inherit_init(void)
{
	if (getenv("LISTEN_FDS") != NULL)
		log_warnx("LISTEN_FDS is set but superd was built without "
		    "libsystemd; binding every socket itself");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDNAMES");
}
#endif

void
inherit_free(void)
{
	size_t	k;

	for (k = 0; k < ninh; k++) {
		close(inh[k].fd);
		free(inh[k].name);
	}
	free(inh);
	inh = NULL;
	ninh = 0;
}
