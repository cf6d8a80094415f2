/*
 * linesrv.h: the one server for superd's line protocols.
 *
 * The control socket, the endpoint directory (local and remote) and the
 * OOB endpoints all speak one request line, one reply; this module does
 * everything around the line for all of them, so that each limit exists
 * once: accepting in bursts (and pausing on EMFILE/ENFILE rather than
 * spinning), peer credentials, a cap on connections per peer (uid on a
 * UNIX socket, source address on TCP) with a reserve for root, a maximum
 * line length, a deadline for a whole line (a byte every few seconds does
 * not keep a slot), an idle timeout between lines, and back-pressure on
 * replies.  Its users only see lines and peers.
 */
#ifndef SUPERD_LINESRV_H
#define SUPERD_LINESRV_H

#include <sys/types.h>
#include <sys/socket.h>
#include <stddef.h>

struct event_base;
struct evbuffer;
struct linesrv;
struct linesrv_conn;

/* Who is on the other end. */
struct linesrv_peer {
	int			 local;		/* UNIX socket: creds valid */
	uid_t			 uid;
	gid_t			 gid;
	pid_t			 pid;
	struct sockaddr_storage	 sa;		/* TCP peers */
	socklen_t		 salen;
	char			 addr[64];	/* numeric address, or "" */
	int			 port;		/* -1 on UNIX sockets */
	char			 desc[80];	/* "uid 0 pid 42", "[::1]:5000" */
};

struct linesrv_limits {
	size_t		 line_max;	/* bytes, newline included */
	unsigned	 line_ms;	/* a whole line must arrive within */
	unsigned	 idle_ms;	/* no line started for this long */
	unsigned	 max_conns;	/* all peers but root's reserve */
	unsigned	 max_per_peer;	/* per uid or source address */
	unsigned	 root_reserve;	/* more slots for uid 0 (local) */
	size_t		 out_high;	/* stop reading requests above */
	size_t		 out_max;	/* a reader this far behind is cut */
	int		 eof_line;	/* EOF with nothing: an empty line */
	int		 exact;		/* read no byte past a line's end: */
					/* the socket is handed on after it */
};

/* What the server does with a line's outcome. */
#define LINESRV_KEEP	0
#define LINESRV_CLOSE	1	/* close once the replies are written */

/* Why the server ends a connection by itself (for the reply line). */
enum linesrv_why {
	LINESRV_TOOLONG,	/* a line longer than line_max */
	LINESRV_DEADLINE,	/* no whole line within line_ms */
	LINESRV_IDLE,		/* idle_ms without a request */
	LINESRV_BUSY,		/* over a connection cap (at accept) */
	LINESRV_BUSY_PEER	/* over the per-peer cap (at accept) */
};

struct linesrv_ops {
	/*
	 * May this peer connect (access lists, rates)?  1 yes; 0 no, and
	 * the server closes it silently (the callee logs if it wants); -1
	 * no, with the LINESRV_BUSY reply.  NULL: everyone may.
	 */
	int	(*admit)(const struct linesrv_peer *, void *arg);
	/* A new connection; 0, or -1 to close it at once. */
	int	(*open)(struct linesrv_conn *, void *arg);
	/* One line (no newline; may hold NULs): LINESRV_KEEP or _CLOSE. */
	int	(*line)(struct linesrv_conn *, char *, size_t, void *arg);
	/* Write the reply for a connection the server is ending (NULL:
	 * the one superd's line protocols share, proto_refusal). */
	void	(*refuse)(struct evbuffer *, enum linesrv_why,
		    const struct linesrv_limits *, void *arg);
	/* All replies written (NULL: nothing to do). */
	void	(*drained)(struct linesrv_conn *, void *arg);
	/* Idle: 1 keeps the connection (a lifeline), 0 ends it. NULL: 0. */
	int	(*keep_idle)(struct linesrv_conn *, void *arg);
	/* The connection is going away (free its data here). */
	void	(*close)(struct linesrv_conn *, void *arg);
	/*
	 * An upgrade: write what the next binary needs of the connection
	 * (beyond the peer, which the socket tells) into buf as a string.
	 * NULL: nothing.
	 */
	void	(*freeze)(struct linesrv_conn *, char *buf, size_t len,
		    void *arg);
	/*
	 * ... and take it back in the next binary, after open: 0, or -1
	 * (after writing the client a reply that says why) to close it.
	 * NULL: the state is ignored.
	 */
	int	(*thaw)(struct linesrv_conn *, const char *state, void *arg);
};

/*
 * Serve the bound, listening socket fd (taken over: closed by
 * linesrv_free) on base at priority prio.  unlink_path: a UNIX socket
 * file to remove on free, if it is still the one bound (NULL: none).
 * name is for log lines ("control", "directory", "oob echo").
 */
struct linesrv	*linesrv_new(struct event_base *, int fd, int prio,
		    const char *name, const char *unlink_path,
		    const struct linesrv_limits *, const struct linesrv_ops *,
		    void *arg);
/* Close every connection (their close callbacks run) and the socket. */
void		 linesrv_free(struct linesrv *);
/* New limits; open connections keep theirs until their next line. */
void		 linesrv_set_limits(struct linesrv *,
		    const struct linesrv_limits *);
/* The port the listener is bound to (TCP), or -1. */
int		 linesrv_port(const struct linesrv *);
unsigned	 linesrv_nconns(const struct linesrv *);

/*
 * Serve a connection accepted elsewhere (the control connection that
 * asked for an upgrade, from the previous binary) as if just accepted.
 * The new connection, or NULL (fd closed).
 */
struct linesrv_conn *linesrv_adopt(struct linesrv *, int fd);

/*
 * An upgrade hands every connection to the next binary as it is: which
 * server (the address its listening socket is bound to, the same socket
 * in both binaries), the socket, the bytes read that are no whole line
 * yet, the replies not written yet, and the user's state (ops->freeze).
 */
#define LINESRV_KEY_MAX		128
#define LINESRV_STATE_MAX	1024

struct linesrv_frozen {
	char		 key[LINESRV_KEY_MAX];
	int		 fd;
	int		 closing;	/* only its replies are left */
	const void	*in;
	size_t		 inlen;
	const void	*out;
	size_t		 outlen;
	const char	*state;		/* "" for none */
};

/* Every connection of every server, frozen (nothing changes). */
void		 linesrv_freeze_all(void (*)(const struct linesrv_frozen *,
		    void *), void *arg);
/*
 * Serve a frozen connection on the server listening at f->key as it
 * was: its bytes go back into its buffers, and its lines run once the
 * loop does.  0 served; 1 closed, as it could not be (logged); -1 no
 * server listens there (fd is still the caller's).
 */
int		 linesrv_thaw(const struct linesrv_frozen *);

const struct linesrv_peer *linesrv_conn_peer(const struct linesrv_conn *);
void		*linesrv_conn_data(const struct linesrv_conn *);
void		 linesrv_conn_set_data(struct linesrv_conn *, void *);
/* The socket (for socket options such as SO_PEERGROUPS). */
int		 linesrv_conn_fd(const struct linesrv_conn *);
/* Where replies go. */
struct evbuffer	*linesrv_conn_out(struct linesrv_conn *);
/* Stop reading; close once the replies are written. */
void		 linesrv_conn_close(struct linesrv_conn *);
/*
 * Take the socket away from the server (from the line callback, which
 * then returns LINESRV_CLOSE): pending replies are dropped, the server
 * forgets the connection and the caller owns the returned fd (still
 * non-blocking).  With limits.exact nothing past the line was read, so
 * the next byte on the socket is the one after the line's newline.
 */
int		 linesrv_conn_take(struct linesrv_conn *);

/*
 * Bind a UNIX stream socket at path with mode (and group gid unless
 * (gid_t)-1), creating its parent directory (0755) if missing and
 * removing a stale socket nobody answers on.  Returns the listening,
 * non-blocking fd, or -1 with the reason in err.
 */
/* New mode and group for the served UNIX socket file (never by path). */
int		 linesrv_set_perms(struct linesrv *, mode_t, gid_t, char *err,
		    size_t errlen);
int		 linesrv_bind_unix(const char *path, mode_t mode, gid_t gid,
		    char *err, size_t errlen);

#endif
