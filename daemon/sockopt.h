/*
 * sockopt.h: the socket options a service may ask for (keepalive,
 * nodelay, reuse-port, ... as systemd .socket units and xinetd flags
 * offer them), one table in sockopt.c: key, setsockopt level and name,
 * the kind of value, and which sockets it fits.
 *
 * At load conf.c hands each key's value to sockopt_set_*, then asks
 * sockopt_check whether the options fit the socket and what superd may
 * do here (capabilities, the kernel's congestion controls).  At bind
 * listen.c calls sockopt_apply; service.c applies the few the kernel
 * does not pass from a listener to the connections it accepts, and
 * re-applies changed ones on reload.
 */
#ifndef SUPERD_SOCKOPT_H
#define SUPERD_SOCKOPT_H

#include <stddef.h>
#include <stdint.h>

enum sockopt_id {
	SOCKOPT_KEEPALIVE,
	SOCKOPT_KEEPIDLE,
	SOCKOPT_KEEPINTVL,
	SOCKOPT_KEEPCNT,
	SOCKOPT_NODELAY,
	SOCKOPT_REUSEPORT,
	SOCKOPT_FREEBIND,
	SOCKOPT_TRANSPARENT,
	SOCKOPT_DEFER_ACCEPT,
	SOCKOPT_MARK,
	SOCKOPT_BINDTODEVICE,
	SOCKOPT_IPTOS,		/* before priority: IP_TOS sets the priority */
	SOCKOPT_PRIORITY,
	SOCKOPT_CONGESTION,
	SOCKOPT_RCVBUF,
	SOCKOPT_SNDBUF,
	SOCKOPT_PASSCRED,
	SOCKOPT_PKTINFO,
	SOCKOPT_N
};

/* How the key is written in superd.conf (its libconfuse type). */
enum sockopt_kind {
	SOCKOPT_BOOL,
	SOCKOPT_INT,
	SOCKOPT_STR
};

#define SOCKOPT_NAMELEN	16	/* IFNAMSIZ, TCP_CA_NAME_MAX */

/* A service's options: only those in set are applied. */
struct sockopts {
	uint32_t	set;			/* 1 << enum sockopt_id */
	long		value[SOCKOPT_N];
	char		device[SOCKOPT_NAMELEN];	/* bind-to-device */
	char		congestion[SOCKOPT_NAMELEN];	/* tcp-congestion */
};

/* What this host and superd allow (sockopt_host_current, or a test's). */
struct sockopt_host {
	int		net_admin;		/* CAP_NET_ADMIN */
	int		net_raw;		/* CAP_NET_RAW */
	char		cc_available[256];	/* tcp_available_congestion_control */
	char		cc_allowed[256];	/* tcp_allowed_congestion_control */
	long		rmem_max, wmem_max;	/* net.core.*mem_max; -1 unknown */
};

/* ---- at config load ---- */

const char		*sockopt_key(enum sockopt_id);
enum sockopt_kind	 sockopt_kind(enum sockopt_id);
/* BOOL and INT keys: range-checked.  0, or -1 with err. */
int	sockopt_set_num(struct sockopts *, enum sockopt_id, long v, char *err,
	    size_t errlen);
/* STR keys: sizes (K, M, G), ip-tos names, device and algorithm names. */
int	sockopt_set_str(struct sockopts *, enum sockopt_id, const char *v,
	    char *err, size_t errlen);
/* "64K", "1M", "212992": bytes (1024-based, as systemd); -1 with err. */
int	sockopt_parse_size(const char *s, long *v, char *err, size_t errlen);
/* "low-delay", "throughput", "reliability", "low-cost", or 0-255. */
int	sockopt_parse_tos(const char *s, long *v, char *err, size_t errlen);
/*
 * Does option id (if set) fit a socket of family (AF_INET, AF_INET6,
 * AF_UNIX) and socktype, and may superd set it on this host?  0; -1 it
 * does not fit this socket; -2 not here (a capability superd lacks, an
 * algorithm the kernel does not have).  err says why.
 */
int	sockopt_check(const struct sockopts *, enum sockopt_id id, int family,
	    int socktype, const struct sockopt_host *, char *err,
	    size_t errlen);
/* A note for the admin about option id (a buffer the kernel caps): 1. */
int	sockopt_notice(const struct sockopts *, enum sockopt_id id,
	    const struct sockopt_host *, char *msg, size_t msglen);
/* caps: superd's effective capability mask (capcheck_effective()). */
void	sockopt_host_current(struct sockopt_host *, uint64_t caps);
int	sockopt_equal(const struct sockopts *, const struct sockopts *);

/* ---- on sockets ---- */

/* Every option set, on a socket not bound yet.  0, or -1 with err. */
int	sockopt_apply(int fd, const struct sockopts *, char *err,
	    size_t errlen);
/* Those a listener of family does not pass on, on a socket it accepted. */
int	sockopt_apply_accepted(int fd, int family, const struct sockopts *,
	    char *err, size_t errlen);
/*
 * A reload changed old to new on a bound socket: set what can be set in
 * place (and put back the kernel default of what new drops).  0 done,
 * 1 the socket must be bound anew (an option that counts at bind time,
 * or one the kernel cannot put back), -1 with err.
 */
int	sockopt_reapply(int fd, const struct sockopts *old,
	    const struct sockopts *new, char *err, size_t errlen);

#endif
