/*
 * session.h: the running requests (handlers), whatever runs them.
 *
 * A session is one accepted connection (nowait), one handler owning the
 * service socket (wait), or one builtin connection.  IDs count up and are
 * never reused, so an operator's "interrupt S42" cannot hit a new process
 * that happens to reuse a pid.
 */
#ifndef SUPERD_SESSION_H
#define SUPERD_SESSION_H

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/queue.h>
#include <stdint.h>
#include <time.h>

struct event_base;
struct service;
struct builtin_conn;
struct dgram_relay;
struct oob_watch;

struct session {
	uint64_t		 id;
	struct service		*svc;
	pid_t			 pid;		/* 0 for builtins */
	struct builtin_conn	*bconn;		/* builtins */
	int			 on_worker;	/* builtin on a worker thread */
	void			*worker;	/* workers.c: which thread */
	char			 peer[64];	/* numeric address, or "-" */
	int			 peer_port;
	struct sockaddr_storage	 peer_sa;
	socklen_t		 peer_salen;
	struct timespec		 start;		/* CLOCK_MONOTONIC */
	time_t			 start_wall;
	char			 token[33];	/* SUPERD_SESSION */
	struct event		*timer;		/* timeout, then SIGKILL */
	int			 term_sent;
	int			 kill_grace;	/* seconds, for interrupts */
	int			 stderr_fd;	/* read end of stderr = log */
	struct event		*stderr_ev;
	char			*stderr_buf;
	size_t			 stderr_len;
	void			*policy;	/* policy.c ticket */
	struct oob_watch	*oob;		/* oob.c urgent-data watch */
	char			 interrupted_by[128];	/* who, for the exit line */
	struct dgram_relay	*relay;		/* nowait dgram replies */
	TAILQ_ENTRY(session)	 entry;
};

void		 sessions_init(struct event_base *);
/* A new session of svc from peer (sa may be NULL). */
struct session	*session_new(struct service *, const struct sockaddr *sa,
		    socklen_t salen);
void		 session_set_pid(struct session *, pid_t);
struct session	*session_by_pid(pid_t);
struct session	*session_by_id(uint64_t);
struct session	*session_by_token(const char *);
/* The handler ended: status is a wait status, or -1 for builtins. */
void		 session_end(struct session *, int status);
/* Free a session that never started (spawn failed). */
void		 session_discard(struct session *);
/*
 * Interrupt: send sig to the handler's process group, SIGKILL after
 * grace seconds if it is still there; builtins are shut down.
 */
int		 session_interrupt(struct session *, int sig, unsigned grace,
		    const char *who);
/* Give the session a random SUPERD_SESSION token. */
void		 session_new_token(struct session *);
/* Arm the service's wall-clock timeout for this session. */
void		 session_arm_timeout(struct session *, unsigned seconds);
/* Read stderr of the handler into the log (stderr = log). */
void		 session_capture_stderr(struct session *, int fd);
typedef void	 (*session_cb)(struct session *, void *);
void		 session_foreach(session_cb, void *);
unsigned	 sessions_count(void);
/* Signal every handler (shutdown with on-exit = terminate). */
void		 sessions_signal_all(int sig);
/* "addr:port", "[v6]:port", "uid=N" or "-" (static buffer). */
const char	*session_peer_desc(const struct session *);
/* Microseconds since the session started. */
long long	 session_age_usec(const struct session *);

#endif
