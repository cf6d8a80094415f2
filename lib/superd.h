/*
 * superd.h: client library for the superd local endpoint directory.
 *
 * Talks the directory's line protocol (v1) over plain blocking sockets
 * with poll(2) timeouts: register, renew and unregister endpoints, look
 * up a name, list everything, and connect to a service by name with
 * fail-over between its endpoints.  See libsuperd(3).
 *
 * Every function that can fail returns -1 (or NULL) and sets errno; the
 * handle keeps the last error text for superd_strerror().
 */
#ifndef SUPERD_CLIENT_H
#define SUPERD_CLIENT_H

#include <sys/types.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SUPERD_PROTO_VERSION	1
/* Environment variable that overrides the directory socket path. */
#define SUPERD_DIRECTORY_ENV	"SUPERD_DIRECTORY"
/* The etcd directory (superd-directory(7)): endpoints "http://H:P, ...",
 * the key prefix, and this host's name as superd publishes it. */
#define SUPERD_ETCD_ENV		"SUPERD_ETCD_ENDPOINTS"
/* https endpoints: CA file (else the system store), client cert and key. */
#define SUPERD_ETCD_CA_ENV	"SUPERD_ETCD_CA"
#define SUPERD_ETCD_CERT_ENV	"SUPERD_ETCD_CERT"
#define SUPERD_ETCD_KEY_ENV	"SUPERD_ETCD_KEY"
/* etcd's auth: the user, and the file holding the password. */
#define SUPERD_ETCD_USER_ENV	"SUPERD_ETCD_USER"
#define SUPERD_ETCD_PASSWORD_FILE_ENV "SUPERD_ETCD_PASSWORD_FILE"
#define SUPERD_ETCD_PREFIX_ENV	"SUPERD_ETCD_PREFIX"
#define SUPERD_HOST_ENV		"SUPERD_HOST_NAME"
/* TCP port of a remote read-only directory when HOST has none. */
#define SUPERD_REMOTE_PORT	7111

#define SUPERD_NAME_MAX		64	/* buffer size, NUL included */
#define SUPERD_PROTO_MAX	8
#define SUPERD_ADDR_MAX		128	/* IPv6 with zone, or a socket path */
#define SUPERD_WORD_MAX		16	/* source, state */
#define SUPERD_ID_MAX		32
#define SUPERD_ENDPOINT_STRLEN	(SUPERD_ADDR_MAX + 24)

/* One "tag.K=V" attribute of an endpoint. */
struct superd_tag {
	char		*key;
	char		*value;
};

/* One endpoint record ("EP ..." line) of a lookup or list reply. */
struct superd_endpoint {
	char		 name[SUPERD_NAME_MAX];
	char		 proto[SUPERD_PROTO_MAX];	/* tcp, udp, unix */
	char		 addr[SUPERD_ADDR_MAX];		/* IP or socket path */
	unsigned	 port;				/* 0 for unix */
	char		 source[SUPERD_WORD_MAX];	/* static, dynamic, registered */
	char		 state[SUPERD_WORD_MAX];	/* listening, live, ... */
	long long	 uid;				/* -1 when not sent */
	long long	 pid;				/* -1 when not sent */
	long long	 expires;			/* seconds left, -1 = never */
	unsigned	 prio;
	unsigned	 weight;
	struct superd_tag *tags;
	size_t		 ntags;
};

/* A growable array of endpoints; zero-initialise before first use. */
struct superd_eplist {
	struct superd_endpoint *ep;
	size_t		 n;
	size_t		 cap;
};

/* What to register.  prio/weight < 0 leave the daemon's default. */
struct superd_reg {
	const char	*name;
	const char	*proto;		/* "tcp", "udp", "unix" */
	const char	*addr;		/* IP, or the socket path for unix */
	unsigned	 port;		/* 0 for unix */
	unsigned	 ttl;		/* 0 = bound to this connection */
	int		 prio;
	int		 weight;
	const char *const *tags;	/* "K=V" strings */
	size_t		 ntags;
	int		 export;	/* ask for DNS-SD publication */
};

/* Parsed final line of a reply. */
struct superd_status {
	int		 ok;		/* 1 for OK, 0 for ERR */
	unsigned long	 count;		/* OK: number of records */
	char		 code[SUPERD_WORD_MAX];	/* ERR: EBADREQ, ENOENT, ... */
	char		 text[256];	/* ERR: the human text */
	char		 kv[512];	/* OK: the "k=v ..." tokens, as sent */
};

/* superd_connect() flags. */
#define SUPERD_CONNECT_ONCE	0x01	/* one pass over the list, no retry */
#define SUPERD_CONNECT_NONBLOCK	0x02	/* return the socket non-blocking */
#define SUPERD_CONNECT_NET	0x04	/* then the network (etcd or DNS-SD) */

struct superd;

/* The socket path used when none is given: $SUPERD_DIRECTORY or built-in. */
const char	*superd_default_path(void);
/* Connect to the local directory (path NULL: superd_default_path()). */
struct superd	*superd_open(const char *path, int timeout_ms);
/* Connect to a remote read-only directory, "HOST", "HOST:PORT", "[V6]:PORT". */
struct superd	*superd_open_remote(const char *hostport, int timeout_ms);
void		 superd_close(struct superd *);
int		 superd_fd(const struct superd *);
/* Last error of this handle, for messages. */
const char	*superd_strerror(const struct superd *);
/* The ERR code of the last failed request ("ENOENT"), or "" if none. */
const char	*superd_errcode(const struct superd *);

int	 superd_hello(struct superd *, uid_t *peer_uid);
int	 superd_register(struct superd *, const struct superd_reg *,
	    char id[SUPERD_ID_MAX], unsigned *granted_ttl);
int	 superd_renew(struct superd *, const char *id, unsigned *ttl);
int	 superd_unregister(struct superd *, const char *id);
/* All endpoints of name (proto NULL: any), appended to *out. */
int	 superd_lookup(struct superd *, const char *name, const char *proto,
	    struct superd_eplist *out);
/* Every endpoint, following next= cursors, appended to *out. */
int	 superd_list(struct superd *, struct superd_eplist *out);

/* Connect by name: returns a connected socket or -1 (errno set). */
int	 superd_connect(const char *name, const char *proto, int timeout_ms,
	    int flags);
/* The same through an open handle (local or remote). */
int	 superd_connect_via(struct superd *, const char *name,
	    const char *proto, int timeout_ms, int flags);

/*
 * Find name on the network: in etcd when $SUPERD_ETCD_ENDPOINTS is set
 * (every host's endpoints, by prio, this host's first within a prio),
 * else with DNS-SD (mDNS) on the local network: every instance of
 * _name._proto that answers within wait_ms.  proto "tcp" or "udp"
 * (NULL: tcp).  Appended to *out with source "network"; tags: "host",
 * and the published ones (DNS-SD adds "instance").  -1 with errno
 * ENOENT (none), ENOTSUP (no etcd set and built without Avahi),
 * ECONNREFUSED (no etcd endpoint or avahi-daemon answered).
 */
int	 superd_net_lookup(const char *name, const char *proto, int wait_ms,
	    struct superd_eplist *out);
/* Every endpoint in the etcd directory; ENOTSUP when none is set. */
int	 superd_net_list(int wait_ms, struct superd_eplist *out);

/* Order by prio, weighted-random within a prio (RFC 2782). */
void	 superd_order(struct superd_endpoint *, size_t);
/* "127.0.0.1:40123/tcp", "[::1]:40123/tcp", "unix:/run/x.sock". */
int	 superd_endpoint_format(const struct superd_endpoint *, char *,
	    size_t);
/* Value of tag key, or NULL. */
const char *superd_endpoint_tag(const struct superd_endpoint *,
	    const char *key);

/* Strict parsers for one reply line (no trailing newline).  0 / -1. */
int	 superd_parse_endpoint(const char *line, struct superd_endpoint *);
int	 superd_parse_status(const char *line, struct superd_status *);
/* Value of key in an OK line's k=v tokens, copied into buf.  0 / -1. */
int	 superd_status_get(const struct superd_status *, const char *key,
	    char *buf, size_t len);

void	 superd_endpoint_clear(struct superd_endpoint *);
void	 superd_eplist_free(struct superd_eplist *);

#ifdef __cplusplus
}
#endif

#endif /* SUPERD_CLIENT_H */
