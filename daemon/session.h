/*
 * session.h: the index of running requests: by id, by pid, by token.
 *
 * A leaf: it stores and finds sessions and knows nothing of what runs
 * them.  request.c owns each session's life and is told of a child's
 * exit through the callback given to session_child_exited's caller.
 * IDs count up and are never reused, so an operator's "interrupt S42"
 * cannot hit a new process that happens to reuse a pid.
 */
#ifndef SUPERD_SESSION_H
#define SUPERD_SESSION_H

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/queue.h>
#include <stdint.h>
#include <time.h>

struct request;

struct session {
	uint64_t		 id;
	pid_t			 pid;		/* 0 for builtins */
	char			*service;	/* its service's name (a copy) */
	char			 peer[64];	/* numeric address, or "-" */
	int			 peer_port;
	struct sockaddr_storage	 peer_sa;
	socklen_t		 peer_salen;
	uid_t			 peer_uid;	/* unix peers; -1 unknown */
	struct timespec		 start;		/* CLOCK_MONOTONIC */
	time_t			 start_wall;
	char			 token[33];	/* SUPERD_SESSION */
	unsigned long long	 pstart;	/* its process's start, 0 unread */
	struct request		*req;		/* the owner's record */
	TAILQ_ENTRY(session)	 entry;
};

void		 sessions_init(void);
/* A new session from peer (sa may be NULL); NULL when out of memory. */
struct session	*session_new(const char *service, const struct sockaddr *,
		    socklen_t);
/* The id the next session gets. */
uint64_t	 session_next_id(void);
/* Never give an id below next (a restart: the old ids stay unused). */
void		 session_skip_to(uint64_t next);
/* Take the id of a session from before a restart (ids stay unique). */
void		 session_set_id(struct session *, uint64_t);
/* Leave every index and free. */
void		 session_free(struct session *);
/* Give it a random SUPERD_SESSION token (128 bits, hex). */
void		 session_new_token(struct session *);
/* Index it by pid; -1 when out of memory (then it has no pid). */
int		 session_set_pid(struct session *, pid_t);
struct session	*session_by_pid(pid_t);
struct session	*session_by_id(uint64_t);
struct session	*session_by_token(const char *);
typedef void	 (*session_cb)(struct session *, void *);
void		 session_foreach(session_cb, void *);
unsigned	 sessions_count(void);
/* "addr:port", "[v6]:port", "uid=N" or "-" (static buffer). */
const char	*session_peer_desc(const struct session *);
/* Microseconds since the session started. */
long long	 session_age_usec(const struct session *);

#endif
