/*
 * etcd.h: the little of etcd's v3 JSON gateway superd needs, shared by
 * the daemon (which publishes) and libsuperd (which looks up).
 *
 * One call is one HTTP POST of a JSON body to one endpoint through
 * libevent's HTTP client, on the caller's event base: the daemon's loop,
 * or a private base the client library runs until the answer is in.
 * Keys and values travel base64-encoded (the gateway's bytes fields).
 * Key layout and value: superd-directory(7).
 */
#ifndef SUPERD_ETCD_H
#define SUPERD_ETCD_H

#include <stddef.h>

#include <jansson.h>

struct event_base;
struct evdns_base;
struct etcd_call;

#ifndef ETCD_PREFIX_DEFAULT
#define ETCD_PREFIX_DEFAULT	"/superd/v1/"	/* as in conf.h */
#endif
#define ETCD_URL_MAX		256

/*
 * The answer: status is the HTTP status, or -1 when the endpoint did not
 * answer (refused, timed out, closed); reply is the parsed body or NULL.
 * The callee owns neither; the call is over once cb returns.
 */
typedef void (*etcd_cb)(int status, json_t *reply, void *arg);

/* POST body (a JSON object, not stolen) to url's path ("/v3/kv/put").
 * dns may be NULL (then names resolve with a blocking getaddrinfo). */
struct etcd_call *etcd_post(struct event_base *, struct evdns_base *,
		    const char *url, const char *path, json_t *body,
		    int timeout_s, etcd_cb, void *arg);
/* Drop a call still in flight: its cb is never called. */
void		 etcd_cancel(struct etcd_call *);
/* Free conn from the loop once the request callback running now returns. */
struct evhttp_connection;
void		 etcd_conn_free_later(struct event_base *,
		    struct evhttp_connection *);

/* Is url "http[s]://HOST:PORT" (no path) as etcd-endpoints takes it? */
int		 etcd_url_ok(const char *url);
/* Is url an https one (needs etcd_tls first)? */
int		 etcd_url_tls(const char *url);
/*
 * Set up TLS for https endpoints: the server's certificate is checked
 * against ca (NULL: the system store) and its name; cert and key (both or
 * NULL) are the client's.  -1 with why in err when it cannot be.
 */
int		 etcd_tls(const char *ca, const char *cert, const char *key,
		    char *err, size_t len);
/* The token from /v3/auth/authenticate that every call carries from
 * now on as its Authorization header; NULL: none.  -1: out of memory. */
int		 etcd_token(const char *token);
/* Does an error reply say the token is missing, invalid or expired? */
int		 etcd_token_error(json_t *reply);
/* Why the last call got no answer, when TLS can say; else "". */
const char	*etcd_last_error(void);

/* A JSON string of the base64 of len bytes of s (a new reference). */
json_t		*etcd_b64(const char *s, size_t len);
/* Decode base64 text into a new NUL-terminated string, or NULL. */
char		*etcd_unb64(const char *text, size_t *len);
/* The end of the range of keys starting with prefix, base64 (new ref). */
json_t		*etcd_prefix_end(const char *prefix);

#endif
