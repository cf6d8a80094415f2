/*
 * directory.h: the lease table of the local endpoint directory.
 *
 * Pure logic, no I/O and no clock: the caller passes "now" (monotonic
 * milliseconds) and the peer's credentials.  Entries registered by local
 * programs live here; services from the configuration do not (the server
 * merges them in at lookup time), but their names are protected through
 * the policy's config_name hook.
 *
 * Lookups by name are O(log n) (a sorted name index), by id O(1) (a
 * hash), expiry O(log n) per entry (a heap).  The list order is (name,
 * rank, id), rank 0 for root's leases and 1 for everyone else's, so a
 * lookup offers root's endpoints first; a cursor names (name, rank, id),
 * which is what makes paging stable.
 *
 * A name belongs to the users who hold a live lease under it, and to
 * those a directory-allow reservation names; nobody else may register
 * it (root always may).  Ownership is not remembered beyond the leases:
 * when a squatter's last lease ends, so does its claim.
 */
#ifndef SUPERD_DIRECTORY_H
#define SUPERD_DIRECTORY_H

#include <sys/types.h>
#include <sys/queue.h>
#include <stddef.h>
#include <stdint.h>

#define DIR_NAME_MAX		15	/* RFC 6335 service name */
#define DIR_ADDR_MAX		108	/* buffer: sun_path, NUL included */
#define DIR_MAX_TAGS		8
#define DIR_TAG_KEY_MAX		32
#define DIR_TAG_VALUE_MAX	255	/* a DNS-SD TXT string */
#define DIR_PORT_MAX		65535
#define DIR_PRIO_MAX		65535	/* prio and weight, as in SRV */

enum dir_proto {
	DIR_PROTO_TCP,
	DIR_PROTO_UDP,
	DIR_PROTO_UNIX
};

/* Why an operation was refused; dir_errcode() gives the wire code. */
enum dir_err {
	DIR_OK = 0,
	DIR_EBADNAME,		/* EBADREQ */
	DIR_EBADIP,		/* EBADREQ */
	DIR_EBADPATH,		/* EBADREQ */
	DIR_EBADPORT,		/* EBADREQ */
	DIR_EBADTAG,		/* EBADREQ */
	DIR_ETAGLONG,		/* EBADREQ */
	DIR_ETAGS,		/* EBADREQ */
	DIR_ENOCONN,		/* EBADREQ: ttl 0 needs a connection */
	DIR_ECONFIG,		/* EPERM: a configured service's name */
	DIR_ERESERVED,		/* EPERM: directory-allow reserves it */
	DIR_EOWNED,		/* EPERM: another uid registered it first */
	DIR_ENOTOWNER,		/* EPERM: renew/unregister someone else's */
	DIR_EDUP,		/* EEXIST: same endpoint, another uid */
	DIR_ENOEXPORT,		/* EPERM: export not allowed here */
	DIR_ENOID,		/* ENOENT: no such lease */
	DIR_EUIDQUOTA,		/* EQUOTA: per-uid limit */
	DIR_EFULL,		/* EQUOTA: total limit */
	DIR_ENOMEM,		/* EBUSY */
	DIR_NERRS
};

/* The peer, from SO_PEERCRED (and SO_PEERGROUPS when available). */
struct dir_cred {
	uid_t		 uid;
	gid_t		 gid;
	pid_t		 pid;
	const gid_t	*groups;	/* supplementary, may be NULL */
	size_t		 ngroups;
};

/* One name reserved by directory-allow (a copy of conf.h's dir_allow). */
struct dir_reserve {
	char		 name[DIR_NAME_MAX + 1];
	int		 by_group;
	uid_t		 uid;
	gid_t		 gid;
};

struct dir_policy {
	unsigned	 ttl_min;		/* seconds */
	unsigned	 ttl_max;
	unsigned	 max_entries;		/* total */
	unsigned	 max_per_uid;		/* root is exempt */
	const struct dir_reserve *reserve;	/* copied by the table */
	size_t		 nreserve;
	/* Is name a configured service (nobody may register it)? */
	int		(*config_name)(const char *name, void *arg);
	void		*config_arg;
	int		 export_on;		/* directory-export is not none */
};

/* What a client asks to register (validated by dir_register()). */
struct dir_reg {
	const char	*name;
	enum dir_proto	 proto;
	const char	*addr;		/* numeric IP, or socket path for unix */
	unsigned	 port;		/* 0 for unix */
	unsigned	 ttl;		/* 0: bound to conn */
	unsigned	 prio;
	unsigned	 weight;
	const char	*tags[DIR_MAX_TAGS + 4];	/* "K=V" */
	size_t		 ntags;
	uint64_t	 conn;		/* connection id, 0 = none */
	int		 export;	/* publish with DNS-SD (export=yes) */
	/*
	 * An upgrade restores a lease as it was: its id (0: a new one) and
	 * its expiry on the monotonic clock (0: now + ttl).
	 */
	uint64_t	 id;
	uint64_t	 expires_ms;
};

struct dir_name;

/* A lease.  Read-only outside directory.c. */
struct dir_entry {
	uint64_t	 id;		/* "L<id>" on the wire, never reused */
	char		 name[DIR_NAME_MAX + 1];
	enum dir_proto	 proto;
	char		 addr[DIR_ADDR_MAX];
	unsigned	 port;
	unsigned	 prio;
	unsigned	 weight;
	unsigned	 ttl;		/* granted; 0 = connection-bound */
	uint64_t	 expires_ms;	/* 0 = never (connection-bound) */
	uint64_t	 conn;
	uid_t		 uid;
	gid_t		 gid;		/* the registrant's, at registration */
	pid_t		 pid;
	const gid_t	*groups;	/* supplementary, at registration */
	size_t		 ngroups;
	const char	*tags[DIR_MAX_TAGS];	/* "K=V", into tagbuf */
	size_t		 ntags;
	int		 export;	/* published with DNS-SD */

	/* Private to directory.c. */
	char		*tagbuf;
	gid_t		*groupbuf;
	struct dir_name	*dn;
	TAILQ_ENTRY(dir_entry) by_name;
	TAILQ_ENTRY(dir_entry) by_conn;
	struct dir_entry *id_next;
	size_t		 heap_idx;
};

/* Told about every entry that leaves the table other than by request. */
typedef void (*dir_gone_cb)(const struct dir_entry *, const char *why,
    void *arg);

struct directory;

/* A new empty table; NULL if out of memory. */
struct directory *dir_new(const struct dir_policy *);
void		 dir_free(struct directory *);
/*
 * New limits and reservations (after a reload).  Entries whose name is
 * now a configured service, or reserved so that their owner (with the
 * groups recorded at registration) is no longer allowed, are removed
 * (cb told why); entries over new limits stay.  Returns the number
 * removed, or -1 (table unchanged) if out of memory.
 */
int		 dir_set_policy(struct directory *, const struct dir_policy *,
		    dir_gone_cb, void *);

enum dir_err	 dir_register(struct directory *, const struct dir_reg *,
		    const struct dir_cred *, uint64_t now_ms, uint64_t *id,
		    unsigned *granted_ttl);
/* Renewing a connection-bound entry succeeds with *ttl = 0. */
enum dir_err	 dir_renew(struct directory *, uint64_t id,
		    const struct dir_cred *, uint64_t now_ms, unsigned *ttl);
enum dir_err	 dir_unregister(struct directory *, uint64_t id,
		    const struct dir_cred *);
/* Remove every entry expired at now (why "expired"); count removed. */
size_t		 dir_expire(struct directory *, uint64_t now_ms, dir_gone_cb,
		    void *);
/* When the next entry expires (ms), 0 if none has a TTL. */
uint64_t	 dir_next_expiry(const struct directory *);
/* The connection closed: remove what was bound to it (why "closed"). */
size_t		 dir_remove_conn(struct directory *, uint64_t conn,
		    dir_gone_cb, void *);

const struct dir_entry *dir_find(const struct directory *, uint64_t id);
/* First entry called name, then the next of the same name; NULL at end. */
const struct dir_entry *dir_first(const struct directory *, const char *);
const struct dir_entry *dir_next_replica(const struct dir_entry *);
/*
 * In list order: the first entry after (name, rank, after_id); after_id
 * 0 starts at name itself.  name need not exist, nor the entry.
 */
const struct dir_entry *dir_seek_rank(const struct directory *,
		    const char *name, int rank, uint64_t after_id);
/* The same, with the rank of after_id if it is still there, else 0. */
const struct dir_entry *dir_seek(const struct directory *, const char *name,
		    uint64_t after_id);
/* An entry's rank within its name: 0 root's, 1 anyone else's. */
int		 dir_rank(const struct dir_entry *);
const struct dir_entry *dir_next(const struct directory *,
		    const struct dir_entry *);

/* The id the next new lease gets; never lower it (an upgrade carries it). */
uint64_t	 dir_next_id(const struct directory *);
void		 dir_skip_to(struct directory *, uint64_t next);

size_t		 dir_count(const struct directory *);
size_t		 dir_count_uid(const struct directory *, uid_t);
/* How many leases are bound to connection conn. */
size_t		 dir_count_conn(const struct directory *, uint64_t conn);

/* RFC 6335 style: 1-15 of [a-z0-9-], no '-' at either end. */
int		 dir_name_ok(const char *);
/* "tcp", "udp", "unix" to enum: 0, or -1 if unknown. */
int		 dir_proto_parse(const char *, enum dir_proto *);
const char	*dir_proto_name(enum dir_proto);
const char	*dir_errcode(enum dir_err);
const char	*dir_strerror(enum dir_err);

#endif
