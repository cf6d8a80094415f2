/*
 * policy.h: whether a request may run.  Only policy.c decides.
 *
 * Over a limit superd refuses that one request; it never closes or
 * disables the listener (unlike xinetd's cps or BSD inetd's 10-minute
 * shutdown), so well-behaved clients keep being served.
 *
 * Policy works from a service's configuration and its own state (rate
 * buckets, the per-source table); it never sees a session.  An admitted
 * request holds a ticket, which policy_release gives back exactly once.
 */
#ifndef SUPERD_POLICY_H
#define SUPERD_POLICY_H

#include <sys/socket.h>
#include <sys/types.h>
#include <stddef.h>

struct service_conf;
struct policy;
struct src_entry;

enum refuse_reason {
	REFUSE_ACL,		/* only-from / no-access / uid lists */
	REFUSE_INSTANCES,	/* per-service instances */
	REFUSE_MAXCHILD,	/* global max-children */
	REFUSE_PERSOURCE,	/* per-source concurrency */
	REFUSE_RATE,		/* service token bucket */
	REFUSE_SOURCE_RATE,	/* per-source token bucket */
	REFUSE_REFLECT,		/* UDP: bad source (reflection guard) */
	REFUSE_SPAWN,		/* could not start a handler */
	REFUSE_LIBWRAP,		/* hosts.allow / hosts.deny */
	REFUSE_LOAD,		/* max-load: 1-minute load average above */
	REFUSE_NREASONS
};
const char	*refuse_reason_name(enum refuse_reason);

/* Peer credentials of a unix stream peer (uid -1 when unknown). */
struct peer_cred {
	long	uid, gid, pid;
};

/* What an admitted request holds (a value; zeroed = holds nothing). */
struct policy_ticket {
	struct src_entry	*source;	/* per-source slot, or NULL */
};

/* State for a service; NULL when out of memory. */
struct policy	*policy_new(const struct service_conf *);
/*
 * Follow a reloaded conf.  The per-source table survives: running
 * requests hold tickets into it.  0, or -1 (state unchanged) when the
 * table the new conf needs cannot be allocated.
 */
int		 policy_update(struct policy *, const struct service_conf *);
/* Make what policy_update(sc) will need, so that it cannot fail: 0/-1. */
int		 policy_reserve(struct policy *, const struct service_conf *);
void		 policy_free(struct policy *);
/* Sources in the per-source table now (bounded: an LRU of 8192). */
size_t		 policy_sources(const struct policy *);
/* A request as policy sees it. */
struct policy_req {
	const struct sockaddr	*peer;		/* NULL for a unix peer */
	socklen_t		 peerlen;
	const struct peer_cred	*cred;		/* unix peers; NULL unknown */
	const struct sockaddr	*local;		/* where it came in (libwrap) */
	socklen_t		 locallen;
	int			 datagram;	/* apply the reflection guard */
};

/*
 * Check a new request.  Returns -1 to admit it, with *t filled, else the
 * refuse_reason.
 */
int		 policy_admit(struct policy *, const struct service_conf *,
		    const struct policy_req *, struct policy_ticket *);
/*
 * A request from before a restart held a per-source slot for sa: take
 * it again, whatever the limit (the request runs already).  0, or -1
 * (no slot: the table is full or the service keeps none).
 */
int		 policy_adopt(struct policy *, const struct service_conf *,
		    const struct sockaddr *, struct policy_ticket *);
/* The request ended: give back what its ticket holds (and clear it). */
void		 policy_release(struct policy_ticket *);
/* only-from / no-access alone (the OOB endpoint of a service). */
int		 policy_acl_ok(const struct service_conf *,
		    const struct sockaddr *);
/* UDP: may superd answer / hand off this source (reflection guard)? */
int		 policy_udp_source_ok(const struct sockaddr *, socklen_t);
/*
 * Should this refusal be logged?  At most once per source per minute
 * (a flood is counted, not logged line by line).
 */
int		 policy_should_log(struct policy *, const struct sockaddr *);
/* Is this (address, port) one of superd's own UDP endpoints? */
typedef int (*policy_own_port_fn)(const struct sockaddr *, socklen_t);
void		 policy_set_own_port_check(policy_own_port_fn);

#endif
