/*
 * policy.h: whether a request may run.  Only policy.c decides.
 *
 * Over a limit superd refuses that one request; it never closes or
 * disables the listener (unlike xinetd's cps or BSD inetd's 10-minute
 * shutdown), so well-behaved clients keep being served.
 */
#ifndef SUPERD_POLICY_H
#define SUPERD_POLICY_H

#include <sys/socket.h>
#include <sys/types.h>

struct service;
struct session;

/* Peer credentials of a unix stream peer (uid -1 when unknown). */
struct peer_cred {
	long	uid, gid, pid;
};

/* Set up per-service state (buckets, source table) after (re)load. */
void	policy_service_init(struct service *);
void	policy_service_free(struct service *);
/* Sources in the per-source table now (bounded: an LRU of 8192). */
size_t	policy_sources(const struct service *);
/*
 * Check a new request.  Returns -1 to admit it, else the refuse_reason.
 * On admit, *ticket is what policy_release must get back (via the
 * session's policy field).
 */
int	policy_check(struct service *, const struct sockaddr *, socklen_t,
	    const struct peer_cred *, void **ticket);
/* only-from / no-access alone (the OOB endpoint of a service). */
int	policy_acl_ok(const struct service *, const struct sockaddr *);
/* The session ends: give back its per-source slot. */
void	policy_release(struct session *);
/* UDP: may superd answer / hand off this source (reflection guard)? */
int	policy_udp_source_ok(const struct sockaddr *, socklen_t);
/* Log a refusal, at most once per source per minute. */
void	policy_log_refusal(struct service *, const struct sockaddr *,
	    socklen_t, int reason);
/* Is this (address, port) one of superd's own UDP endpoints? */
typedef int (*policy_own_port_fn)(const struct sockaddr *, socklen_t);
void	policy_set_own_port_check(policy_own_port_fn);

#endif
