/*
 * sockdiag.h: which user owns a TCP socket on this host.
 *
 * The kernel knows the owner (the uid that created the socket) of every
 * socket in our network namespace; the OOB endpoint uses it to tell
 * whether the user asking to cancel a request by source port also owns
 * the request's connection.  Asked through NETLINK_SOCK_DIAG (one dump
 * filtered by port), or read from /proc/net/tcp and tcp6 when netlink is
 * not available.
 *
 * Only connected sockets count: a TIME_WAIT or SYN_RECV entry reports
 * uid 0 whoever owned it, and a listening socket on the same port says
 * nothing about a connection.
 */
#ifndef SUPERD_SOCKDIAG_H
#define SUPERD_SOCKDIAG_H

#include <sys/types.h>
#include <sys/socket.h>
#include <stdint.h>

enum sockdiag_res {
	SOCKDIAG_ERROR = -1,	/* neither netlink nor /proc could be read */
	SOCKDIAG_NONE = 0,	/* no such socket on this host */
	SOCKDIAG_FOUND = 1,	/* found; every match has *uid */
	SOCKDIAG_MIXED = 2	/* several matches of different uids */
};

/* One TCP socket as the kernel lists it (addresses: v4 in bytes 0-3). */
struct sockdiag_sock {
	int		family;		/* AF_INET or AF_INET6 */
	unsigned char	src[16];	/* its local end */
	unsigned char	dst[16];	/* its remote end */
	uint16_t	sport, dport;	/* host order */
	int		state;		/* TCP_ESTABLISHED ... */
	uid_t		uid;
};

/*
 * What to look for: sockets whose local end is exactly local, and whose
 * remote end is remote (a wildcard address matches any, port 0 any).
 * Both are AF_INET or AF_INET6; v4-mapped addresses match plain v4.
 */
struct sockdiag_key {
	struct sockdiag_sock	want;	/* family, src, sport, dst, dport */
	int			any_dst;
};

/* Fill a key; -1 if either address is not IP. */
int	sockdiag_key(struct sockdiag_key *, const struct sockaddr *local,
	    const struct sockaddr *remote);
/* Does s match k (connected, same ends)? */
int	sockdiag_match(const struct sockdiag_key *,
	    const struct sockdiag_sock *);
/* One line of /proc/net/tcp (family AF_INET) or tcp6: 0, or -1. */
int	sockdiag_parse_proc(const char *line, int family,
	    struct sockdiag_sock *);

/* The owner of the connected TCP socket(s) with these ends. */
enum sockdiag_res sockdiag_tcp_owner(const struct sockaddr *local,
	    const struct sockaddr *remote, uid_t *uid);

/* Tests: 1 skips netlink, so that the /proc reader is used. */
void	sockdiag_test_no_netlink(int);

#endif
