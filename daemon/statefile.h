/*
 * statefile.h: the running-request table as a text file, one format for
 * two readers: the next superd after a crash (which re-adopts the
 * handlers still alive) and the new binary of an in-place upgrade
 * (which also takes the file descriptors named in it).
 *
 * One record a line, "kind key=value ...", cut by proto_parse() (the
 * directory's strict rules: one space between words, every value in the
 * token set).  The first line names the format's version; a reader
 * refuses a version it does not know, so an upgrade can check the new
 * binary before it commits to it.  Version 2 added the bound and cgroup
 * records (which follow their req, as a tag follows its lease); a
 * version 1 file, which has neither, is read as well.
 *
 *	superd version=2 pid=812 pstart=4242 written=1767000000123 next=8
 *	    upgrade=0
 *	req id=7 service=echo proto=tcp kind=exec pid=901 pstart=4300
 *	    start=1767000000 age=1500 timeout=28500 term=0 peer=127.0.0.1
 *	    port=40000 token=9f.. fds=-1:-1 slot=1
 *	bound id=7 addr=0.0.0.0 port=41234 v6only=1
 *			(the service socket a wait-mode handler holds)
 *	cgroup id=7 path=/sys/fs/cgroup/superd/echo.tcp/req-7
 *			(the request's own cgroup: cgroup-per-request)
 *	listen service=echo proto=tcp fd=5		(upgrade only)
 *	control fd=9					(upgrade only)
 *	sock fd=11		(a listener of no service: upgrade only)
 *	handoff service=tftp proto=udp id=9 peer=10.0.0.2 port=3000 len=20
 *	    head=0001...	(a datagram not read yet: upgrade only)
 *	lease id=3 name=app proto=tcp addr=127.0.0.1 port=80 prio=0
 *	    weight=0 ttl=60 expires=123456 uid=0 gid=0 pid=77 export=0
 *	    conn=0		(ttl=0 expires=0 conn=N: bound to conn N)
 *	tag lease=3 kv=version%3D2			(upgrade only)
 *	dirnext id=9	(the directory's next lease id: upgrade only)
 *	group lease=3 gid=24	(the registrant's supplementary groups)
 *	connbuf fd=12		(the bytes of the conns: upgrade only)
 *	conn srv=/run/superd/directory.sock fd=13 closing=0 at=0 in=5
 *	    out=0 state=31	(a line-protocol connection: upgrade only;
 *	    its bytes read, replies unwritten and own state are in connbuf
 *	    from offset at, one after the other)
 *	bconn id=9 pos=7400 at=120 len=3	(a builtin connection's place
 *	    in its stream; the len bytes queued for it are in connbuf from
 *	    offset at: upgrade only)
 *	count name=requests service=echo proto=tcp v=12:0:1:0:0:0:0:0
 *	    (a vector of counters, carry.c: upgrade only)
 *
 * Version 2 added the count records; a version 1 file (a superd before
 * them) is still read, so crash recovery works across that change.
 */
#ifndef SUPERD_STATEFILE_H
#define SUPERD_STATEFILE_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#define STATEFILE_VERSION	2	/* written, and told to an upgrade */
#define STATEFILE_VERSION_MIN	1	/* the oldest still read */
#define STATEFILE_NAME		"superd.state"
#define STATEFILE_NAMELEN	128

/* What a running request is: how it started and what it holds. */
enum state_kind {
	STATE_EXEC,		/* a nowait handler with its connection */
	STATE_WAIT,		/* a wait-mode handler (holds the socket) */
	STATE_SHARED,		/* a nowait datagram handler (its socket) */
	STATE_BUILTIN,		/* a builtin connection (upgrade: fd) */
	STATE_NKINDS
};

/*
 * Where a wait-mode handler's socket (the service's) is bound: the
 * address (its family), port and IPV6_V6ONLY.  port 0: not known.
 */
struct state_bound {
	char			 addr[64];	/* numeric */
	int			 port;
	int			 v6only;
};

#define STATE_CGROUP_MAX	512

struct state_req {
	uint64_t		 id;		/* session id (S42) */
	char			 service[STATEFILE_NAMELEN];
	char			 proto[8];	/* tcp, udp, unix */
	enum state_kind		 kind;
	pid_t			 pid;		/* 0 for builtins */
	unsigned long long	 pstart;	/* /proc/PID/stat start time */
	time_t			 start;		/* wall clock */
	long long		 age_ms;	/* how long it ran, at written */
	long long		 timeout_ms;	/* left at written, 0: none */
	int			 term;		/* SIGTERM sent, in kill grace */
	char			 peer[64];	/* numeric, "uid=N" or "-" */
	int			 port;		/* -1: none */
	char			 token[33];	/* SUPERD_SESSION, or "" */
	int			 fd;		/* upgrade: stderr or conn, -1 */
	int			 ufd;		/* upgrade: urgent watch's, -1 */
	int			 slot;		/* holds a per-source slot */
	struct state_bound	 bound;		/* wait: the socket it holds */
	char			 cgroup[STATE_CGROUP_MAX]; /* its own, or "" */
};

struct state_listen {
	char			 service[STATEFILE_NAMELEN];
	char			 proto[8];
	int			 fd;
};

/* A lease of the endpoint directory (upgrade only). */
#define STATE_TAGS		8
#define STATE_TAG_MAX		(32 + 1 + 255 + 1)	/* "K=V" */
#define STATE_ADDR_MAX		108
#define STATE_GROUPS		64

struct state_lease {
	uint64_t		 id;
	char			 name[16];
	char			 proto[8];
	char			 addr[STATE_ADDR_MAX];
	unsigned		 port, prio, weight, ttl;
	unsigned long long	 expires_ms;	/* CLOCK_MONOTONIC */
	long			 uid, gid, pid;
	int			 export;
	char			 tags[STATE_TAGS][STATE_TAG_MAX];
	size_t			 ntags;
	uint64_t		 conn;		/* bound to; 0: a TTL lease */
	long			 groups[STATE_GROUPS];
	size_t			 ngroups;
};

/* A connection of a line protocol (linesrv.h), upgrade only. */
struct state_conn {
	char			 srv[128];	/* its listener's address */
	int			 fd;
	int			 closing;
	unsigned long long	 at;		/* its bytes in connbuf */
	unsigned long long	 in, out, state;	/* ... their lengths */
};

/* A datagram handed to a nowait UDP handler, not read yet (upgrade). */
struct state_handoff {
	char			 service[STATEFILE_NAMELEN];
	char			 proto[8];
	uint64_t		 id;		/* the handler's session */
	char			 peer[64];	/* the datagram's sender */
	int			 port;
	size_t			 len;		/* its length */
	unsigned char		 head[64];	/* its first bytes */
};

/* Where a builtin connection stands (upgrade only). */
#define STATE_BCONN_MAX		65536		/* bytes queued, at most */

struct state_bconn {
	uint64_t		 id;		/* its session */
	unsigned long long	 pos;		/* generator position */
	unsigned long long	 at;		/* its bytes: offset in connbuf */
	size_t			 len;		/* ... how many */
};

/*
 * A vector of counters an upgrade carries over, so that they do not
 * restart at zero (carry.c says what name and v mean).
 */
#define STATE_COUNT_MAX		32
#define STATE_COUNT_NAMELEN	32

struct state_count {
	char			 name[STATE_COUNT_NAMELEN];
	char			 service[STATEFILE_NAMELEN];	/* "": none */
	char			 proto[8];			/* "": none */
	uint64_t		 v[STATE_COUNT_MAX];
	size_t			 nv;
};

struct statefile {
	int			 version;
	pid_t			 pid;		/* the superd that wrote it */
	unsigned long long	 pstart;	/* ... and its start time */
	long long		 written;	/* epoch milliseconds */
	uint64_t		 next_id;	/* its next session id */
	uint64_t		 dir_next;	/* its next lease id, 0 */
	int			 upgrade;	/* written for an upgrade */
	int			 control_fd;	/* who asked, or -1 */
	struct state_req	*reqs;
	size_t			 nreqs, reqcap;
	struct state_listen	*ls;
	size_t			 nls, lscap;
	struct state_lease	*leases;
	size_t			 nleases, leasecap;
	int			 socks[256];	/* other listeners */
	size_t			 nsocks;
	struct state_handoff	*hos;
	size_t			 nhos, hocap;
	struct state_bconn	*bcs;
	size_t			 nbcs, bccap;
	struct state_conn	*conns;
	size_t			 nconns, conncap;
	int			 connbuf_fd;	/* the conns' bytes, or -1 */
	struct state_count	*counts;
	size_t			 ncounts, countcap;
};

void	 statefile_init(struct statefile *);
void	 statefile_clear(struct statefile *);
/* Append a copy; 0, or -1 out of memory. */
int	 statefile_add_req(struct statefile *, const struct state_req *);
int	 statefile_add_listen(struct statefile *, const char *service,
	    const char *proto, int fd);
int	 statefile_add_lease(struct statefile *, const struct state_lease *);
int	 statefile_add_handoff(struct statefile *,
	    const struct state_handoff *);
int	 statefile_add_conn(struct statefile *, const struct state_conn *);
int	 statefile_add_bconn(struct statefile *, const struct state_bconn *);
/* The bconn record of session id, or NULL. */
const struct state_bconn *statefile_bconn(const struct statefile *,
	    uint64_t id);
int	 statefile_add_count(struct statefile *, const struct state_count *);
/* "exec", "wait", ... and back (-1 unknown). */
const char *state_kind_name(enum state_kind);
int	 state_kind_parse(const char *);

/* Write the whole table to f; 0, or -1 (errno). */
int	 statefile_print(FILE *, const struct statefile *);
/*
 * Write it to path atomically (a temporary file in the same directory,
 * then rename), so a reader sees the old table or the new, never half.
 * 0, or -1 with the reason in err.
 */
int	 statefile_write(const char *path, const struct statefile *,
	    char *err, size_t errlen);
/*
 * Read path into sf (initialised here).  0; 1 when there is no file;
 * -1 with "path:line: reason" in err (sf cleared).
 */
int	 statefile_read(const char *path, struct statefile *, char *err,
	    size_t errlen);
/* Parse one line (without its newline) into sf; NULL or the reason. */
const char *statefile_parse_line(struct statefile *, const char *line);

/*
 * What --handover-version prints: "superd handover MIN ... CUR", every
 * version this binary reads (a version 1 superd takes the first).
 */
void	 statefile_versions_print(FILE *);
/* Does such a line (another binary's) list the version we write? */
int	 statefile_versions_read(const char *line);

/* A process's start time (clock ticks since boot, /proc/PID/stat), 0 unknown. */
unsigned long long proc_start_time(pid_t);
/* A process's parent (/proc/PID/stat), 0 unknown. */
pid_t	 proc_parent(pid_t);
/* Has pid exited (a zombie its parent has not reaped, or gone)? */
int	 proc_exited(pid_t);

#endif
