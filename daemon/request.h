/*
 * request.h: the one owner of a request's life.
 *
 * Every path in (an accepted connection, a datagram, a wait-mode
 * hand-off) goes through one admission (policy.c, which returns a
 * ticket); an admitted request starts a builtin (on the loop or a worker
 * thread) or a handler process (spawn.c), and ends in one place, which
 * gives the ticket back, stops the relay, the urgent-data watch, the
 * stderr capture and the timer, logs one exit line and tells the
 * service through its hook, with what the request started under.
 *
 * request.c sees a service only through struct request_target, which
 * the service lends its requests and which outlives them.
 */
#ifndef SUPERD_REQUEST_H
#define SUPERD_REQUEST_H

#include <sys/types.h>
#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

struct event_base;
struct service_conf;
struct builtin;
struct workers;
struct session;
struct spawn_req;
struct cgroup_svc;

struct request_target {
	const struct service_conf *conf;	/* the current config */
	const struct builtin	*builtin;	/* type = builtin */
	struct workers		*workers;	/* threads = N */
	char			**base_env;	/* exec: per-service part */
	int			 fd;		/* the service's socket */
	struct policy		*policy;
	void			*owner;		/* the service */
	/* The service's cgroup, made by request.c at its first handler. */
	struct cgroup_svc	*cg;
	/* Counters, kept by request.c. */
	unsigned		 running;
	uint64_t		 accepted;
	uint64_t		 refused[REFUSE_NREASONS];
	int			 last_exit;	/* wait status, -1 none */
};

/*
 * The wait status of a re-adopted handler (not our child: its status
 * went to its new parent).
 */
#define REQUEST_STATUS_UNKNOWN	(-2)

/* How a request ended, and what it started under. */
struct request_end {
	int	status;		/* wait status; -1 for builtins */
	int	wait;		/* it held the service socket (wait mode) */
	int	shared;		/* nowait datagram: it was handed the socket */
	uint64_t id;		/* its session id */
	int	process;	/* a handler process (counts for max-children) */
	long long usec;		/* how long it ran */
};

struct request_hooks {
	/* A request started (its counters are updated already). */
	void	(*started)(struct request_target *, int process);
	/* A request ended (counters updated, everything released). */
	void	(*ended)(struct request_target *, const struct request_end *);
};

/* How handler processes are made (spawn_handler; tests fake it). */
typedef pid_t	(*request_spawn_fn)(const struct spawn_req *, char *err,
		    size_t errlen);

void	requests_init(struct event_base *, const struct request_hooks *);
/*
 * An observer of every request's end (metrics.c), told after the
 * service's hook with the same facts; NULL: none.  The owner of the
 * request stays request.c: the observer only counts.
 */
typedef void	(*request_observer_fn)(const struct request_target *,
		    const struct request_end *);
void	request_set_observer(request_observer_fn);
void	request_set_spawn(request_spawn_fn);
/*
 * Told after every start and end (the state file follows the table);
 * process: the request has a handler process (not a builtin on the loop).
 */
typedef void	(*request_change_fn)(int process);
void	request_set_change_hook(request_change_fn);
/* Free what requests_init made (at exit). */
void	requests_shutdown(void);

/* A nowait stream connection, accepted (non-blocking for builtins). */
void	request_connection(struct request_target *, int fd,
	    const struct sockaddr *, socklen_t);
/*
 * Lines for a connection that came in through tcpmux (tcpmux.c): one
 * sent once the request is admitted, before its handler or forwarder
 * starts ("+Go"), one sent when it is refused; NULL: none.
 */
struct request_via {
	const char	*admitted;
	const char	*refused;
};
/*
 * The same, for a connection handed on from elsewhere, with the same
 * one admission.  Non-blocking for builtins and redirects, else blocking.
 */
void	request_connection_via(struct request_target *, int fd,
	    const struct sockaddr *, socklen_t, const struct request_via *);
/* Does a connection for rt go to superd's loop (non-blocking socket)? */
int	request_on_loop(const struct request_target *);
/* A datagram read from the target's socket, for a builtin to answer. */
void	request_datagram(struct request_target *, const void *, size_t,
	    const struct sockaddr *, socklen_t);
/*
 * A nowait datagram exec service: hand the service socket, with the
 * peeked datagram from sa still queued, to a new handler.  1 started; 0
 * refused; -1 the handler could not be started.  Either way the caller
 * makes sure the datagram is taken (by the handler or by discarding it).
 */
int	request_datagram_handoff(struct request_target *,
	    const struct sockaddr *, socklen_t, uint64_t *id);
/*
 * Wait mode: give the service socket itself to a handler.  1 started;
 * 0 the waiting datagram was refused (and dropped); -1 the handler
 * could not be started.
 */
int	request_wait(struct request_target *);

/* A child process exited (from the reap loop). */
void	request_child_exited(pid_t, int status, void *arg);
/*
 * Interrupt a running request: sig to the handler's process group, then
 * SIGKILL after grace seconds; a builtin is shut down.  who is logged
 * and goes into the exit line.  0, or -1 with errno.
 */
int	request_interrupt(struct session *, int sig, unsigned grace,
	    const char *who);
/* Signal every handler (shutdown with on-exit = terminate). */
void	requests_signal_all(int sig);
/* Release what request.c made for the target (its cgroup). */
void	request_target_cleanup(struct request_target *);
/* The target the session's request belongs to. */
struct request_target *request_target_of(const struct session *);

/*
 * The state file (statefile.h): a running request as a record, and a
 * record made a running request again.  upgrade: the record may name an
 * fd (the stderr pipe, a builtin's connection) to keep across execve;
 * its FD_CLOEXEC is cleared here.
 */
struct state_req;
void	request_export(struct session *, struct state_req *, int upgrade);
/*
 * Take a request from a record into rt: its session (same id, token,
 * peer), its per-source slot, its share of instances and max-children.
 * own: the handler is our child (an upgrade: it is reaped as usual);
 * else it is watched through a pidfd.  0, or -1 with the reason in err
 * (nothing taken; a record's fd is closed).
 */
struct builtin_state;
int	request_adopt(struct request_target *, const struct state_req *,
	    const struct builtin_state *, int own, char *err, size_t errlen);
/*
 * Builtin connections an upgrade cannot hand over now: on a worker
 * thread (execve ends threads).  requests_recall_workers brings them
 * to the main loop, where they can be.
 */
unsigned requests_pinned(void);
void	requests_recall_workers(void);
/*
 * A builtin connection on the main loop: its socket and where its
 * stream stands (builtin_conn_state); -1 for any other request.
 */
int	request_builtin_state(const struct session *, struct builtin_state *);

#endif
