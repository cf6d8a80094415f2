/*
 * client_priv.h: internals shared by the libsuperd source files and its
 * unit test.  Not installed.
 */
#ifndef SUPERD_CLIENT_PRIV_H
#define SUPERD_CLIENT_PRIV_H

#include <sys/socket.h>
#include <stdint.h>

#include "superd.h"

#define SDC_REQ_MAX		1024	/* request line, "\n" included */
#define SDC_LINE_MAX		8192	/* longest reply line we accept */
#define SDC_MAX_RECORDS		100000	/* records in one reply */
#define SDC_LIST_PAGE		200
#define SDC_LIST_PAGES_MAX	10000
#define SDC_TIMEOUT_DEFAULT	5000	/* ms, directory requests */
#define SDC_CONNECT_TIMEOUT	1000	/* ms, one superd_connect attempt */
#define SDC_CONNECT_ROUNDS	3
#define SDC_BACKOFF_MS		100
#define SDC_NET_WAIT_MS		1500	/* DNS-SD browse, SUPERD_CONNECT_NET */

typedef uint32_t (*sdc_rand_fn)(void *);

/* libsuperd.c */
int	 sdc_peer_host(const struct superd *, struct sockaddr_storage *,
	    socklen_t *);
int	 sdc_is_remote(const struct superd *);

/* reply.c */
int	 sdc_token_ok(const char *);
int	 sdc_eplist_push(struct superd_eplist *, struct superd_endpoint *);
void	 sdc_eplist_truncate(struct superd_eplist *, size_t);
int	 sdc_errno_of(const char *code);

/* dial.c: connect a new socket to sa within timeout_ms; fd or -1. */
int	 sdc_connect_sa(const struct sockaddr *, socklen_t, int socktype,
	    int timeout_ms, int nonblock);

/* connect.c */
void	 sdc_order(struct superd_endpoint *, size_t, sdc_rand_fn, void *);
/* order.c's randomness: the kernel's, or a seeded fallback (arg unused). */
uint32_t sdc_rand32(void *);
int	 sdc_endpoint_sockaddr(const struct superd_endpoint *,
	    const struct sockaddr_storage *remote, struct sockaddr_storage *,
	    socklen_t *);

/* net_etcd.c */
int	 sdc_etcd_configured(void);
int	 sdc_etcd_lookup(const char *name, const char *proto, int wait_ms,
	    struct superd_eplist *);
void	 sdc_order_local(struct superd_endpoint *, size_t, const char *host);

#endif /* SUPERD_CLIENT_PRIV_H */
