/*
 * etcd.c: POST JSON to etcd's v3 gateway with libevent's HTTP client.
 * See etcd.h.
 *
 * Each call opens its own connection and frees it once the answer is in
 * (from the loop, not inside libevent's own callback): calls are few (a
 * lease keep-alive every few seconds, a put per changed endpoint), and a
 * fresh connection fails over cleanly when the member behind it went
 * away.  A private base (libsuperd) has nothing left and returns then.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#ifdef HAVE_OPENSSL
#include <arpa/inet.h>
#endif

#include "etcd.h"
#include "superd.h"
#ifdef HAVE_OPENSSL
#include "tlslib.h"
#endif

#ifdef HAVE_OPENSSL
/* The TLS setup https endpoints use (etcd_tls); NULL: none set. */
static SSL_CTX	*tls_ctx;
static void	tls_why(SSL *);
static struct evhttp_connection *tls_conn(struct etcd_call *,
		    struct event_base *, struct evdns_base *, const char *, int);
#endif
/* etcd's auth token for the Authorization header (etcd_token); or NULL. */
static char	*auth_token;
/* Why the last call got no answer, when TLS knows ("" if it does not). */
static char	 last_error[256];

struct etcd_call {
	struct event_base		*base;
	struct evhttp_connection	*conn;
	etcd_cb				 cb;
	void				*arg;
	int				 posting;	/* in evhttp_make_request */
	int				 early;		/* ... which failed at once */
	int				 cancelled;
#ifdef HAVE_OPENSSL
	SSL				*ssl;		/* https; freed with conn */
#endif
};

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void
conn_free_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	evhttp_connection_free(arg);
}

/* libevent's answer (req NULL or code 0: no answer) to the caller. */
static void
call_done_cb(struct evhttp_request *req, void *arg)
{
	struct etcd_call	*c = arg;
	struct evbuffer		*in;
	json_t			*reply = NULL;
	int			 status = -1;

	/* A connect that failed at once: answer from the loop (early_cb). */
	if (c->posting) {
		c->early = 1;
		return;
	}
	last_error[0] = '\0';
	if (req != NULL && evhttp_request_get_response_code(req) != 0) {
		status = evhttp_request_get_response_code(req);
		in = evhttp_request_get_input_buffer(req);
		reply = json_loadb((const char *)evbuffer_pullup(in, -1),
		    evbuffer_get_length(in), 0, NULL);
	}
#ifdef HAVE_OPENSSL
	else if (c->ssl != NULL)
		tls_why(c->ssl);
#endif
	c->cb(status, reply, c->arg);
	json_decref(reply);
	etcd_conn_free_later(c->base, c->conn);
	free(c);
}

/* libevent frees the request when its callback returns; the connection
 * can go only after that, from the loop. */
void
etcd_conn_free_later(struct event_base *base, struct evhttp_connection *conn)
{
	if (event_base_once(base, -1, EV_TIMEOUT, conn_free_cb, conn,
	    NULL) == -1)
		evhttp_connection_free_on_completion(conn);
}

/* The caller hears of a call that failed inside etcd_post only now. */
static void
early_cb(evutil_socket_t fd, short what, void *arg)
{
	struct etcd_call	*c = arg;

	(void)fd;
	(void)what;
	if (!c->cancelled)
		c->cb(-1, NULL, c->arg);
	evhttp_connection_free(c->conn);
	free(c);
}

/* The host and port of url, or -1. */
static int
url_split(const char *url, char *host, size_t len, int *port, int *tls)
{
	struct evhttp_uri	*u;
	const char		*h, *s, *p;
	int			 ok;

	if ((u = evhttp_uri_parse(url)) == NULL)
		return -1;
	h = evhttp_uri_get_host(u);
	s = evhttp_uri_get_scheme(u);
	p = evhttp_uri_get_path(u);
	*port = evhttp_uri_get_port(u);
	*tls = s != NULL && strcmp(s, "https") == 0;
	ok = h != NULL && h[0] != '\0' && s != NULL &&
	    (strcmp(s, "http") == 0 || *tls) && (p == NULL || p[0] == '\0' ||
	    strcmp(p, "/") == 0) && evhttp_uri_get_query(u) == NULL &&
	    strlen(h) < len;
	if (ok) {
		/* "[::1]" comes back without the brackets. */
		strcpy(host, h);
		if (*port < 0)
			*port = 2379;
	}
	evhttp_uri_free(u);
	return ok ? 0 : -1;
}

#ifdef HAVE_OPENSSL
/* Why a TLS connection got nowhere, into last_error. */
static void
tls_why(SSL *ssl)
{
	long		 v = tlslib.SSL_get_verify_result(ssl);
	unsigned long	 e = tlslib.ERR_peek_last_error();

	if (v != X509_V_OK)
		snprintf(last_error, sizeof(last_error), "TLS: server "
		    "certificate not accepted: %s",
		    tlslib.X509_verify_cert_error_string(v));
	else if (e != 0)
		snprintf(last_error, sizeof(last_error), "TLS: %s",
		    tlslib.ERR_reason_error_string(e) != NULL ?
		    tlslib.ERR_reason_error_string(e) : "handshake failed");
	tlslib.ERR_clear_error();
}

/* A connection that speaks TLS, checking the server is host. */
static struct evhttp_connection *
tls_conn(struct etcd_call *c, struct event_base *base,
    struct evdns_base *dns, const char *host, int port)
{
	struct bufferevent	*bev;
	struct evhttp_connection *conn;
	struct in6_addr		 a;
	X509_VERIFY_PARAM	*vp;
	int			 ip;

	char			 err[256];

	/* A client (libsuperd) that set up nothing: from the environment. */
	if (tls_ctx == NULL && etcd_tls(getenv(SUPERD_ETCD_CA_ENV),
	    getenv(SUPERD_ETCD_CERT_ENV), getenv(SUPERD_ETCD_KEY_ENV), err,
	    sizeof(err)) == -1) {
		snprintf(last_error, sizeof(last_error), "%s", err);
		return NULL;
	}
	if ((c->ssl = tlslib.SSL_new(tls_ctx)) == NULL)
		return NULL;
	vp = tlslib.SSL_get0_param(c->ssl);
	ip = inet_pton(AF_INET, host, &a) == 1 ||
	    inet_pton(AF_INET6, host, &a) == 1;
	if ((ip ? tlslib.X509_VERIFY_PARAM_set1_ip_asc(vp, host) :
	    tlslib.X509_VERIFY_PARAM_set1_host(vp, host, 0)) != 1 ||
	    (!ip && tlslib.SSL_ctrl(c->ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME,
	    TLSEXT_NAMETYPE_host_name, (void *)host) != 1)) {
		tlslib.SSL_free(c->ssl);
		return NULL;
	}
	/* The bufferevent owns ssl from here (freed with the connection). */
	if ((bev = tlslib.bufferevent_openssl_socket_new(base, -1, c->ssl,
	    BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE |
	    BEV_OPT_DEFER_CALLBACKS)) == NULL) {
		tlslib.SSL_free(c->ssl);
		return NULL;
	}
	/* etcd may close without close_notify after "Connection: close". */
	tlslib.bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	if ((conn = evhttp_connection_base_bufferevent_new(base, dns, bev,
	    host, (unsigned short)port)) == NULL)
		bufferevent_free(bev);
	return conn;
}

int
etcd_tls(const char *ca, const char *cert, const char *key, char *err,
    size_t len)
{
	SSL_CTX	*ctx;
	int	 ok;

	if (tlslib_load(err, len) == -1)
		return -1;
	if ((ctx = tlslib.SSL_CTX_new(tlslib.TLS_client_method())) == NULL) {
		snprintf(err, len, "cannot set up TLS");
		return -1;
	}
	tlslib.SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	tlslib.SSL_CTX_ctrl(ctx, SSL_CTRL_SET_MIN_PROTO_VERSION, TLS1_2_VERSION,
	    NULL);
	ok = ca != NULL ?
	    tlslib.SSL_CTX_load_verify_locations(ctx, ca, NULL) :
	    tlslib.SSL_CTX_set_default_verify_paths(ctx);
	if (ok != 1)
		snprintf(err, len, "cannot load CA %s", ca ? ca :
		    "(system store)");
	else if (cert != NULL &&
	    (tlslib.SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    tlslib.SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    tlslib.SSL_CTX_check_private_key(ctx) != 1)) {
		snprintf(err, len, "cannot use certificate %s with key %s",
		    cert, key);
		ok = 0;
	}
	tlslib.ERR_clear_error();
	if (ok != 1) {
		tlslib.SSL_CTX_free(ctx);
		return -1;
	}
	tlslib.SSL_CTX_free(tls_ctx);
	tls_ctx = ctx;
	return 0;
}
#else
int
etcd_tls(const char *ca, const char *cert, const char *key, char *err,
    size_t len)
{
	(void)ca;
	(void)cert;
	(void)key;
	snprintf(err, len, "built without TLS (configure --with-openssl)");
	return -1;
}
#endif

int
etcd_token(const char *token)
{
	char	*t = NULL;

	if (token != NULL && (t = strdup(token)) == NULL)
		return -1;
	free(auth_token);
	auth_token = t;
	return 0;
}

int
etcd_token_error(json_t *reply)
{
	const char	*e = json_string_value(json_object_get(reply, "error"));

	if (e == NULL)
		e = json_string_value(json_object_get(reply, "message"));
	return e != NULL && (strstr(e, "invalid auth token") != NULL ||
	    strstr(e, "user name is empty") != NULL ||
	    strstr(e, "token is expired") != NULL);
}

const char *
etcd_last_error(void)
{
	return last_error;
}

int
etcd_url_tls(const char *url)
{
	return strncmp(url, "https://", 8) == 0;
}

int
etcd_url_ok(const char *url)
{
	char	host[ETCD_URL_MAX];
	int	port, tls;

	return url_split(url, host, sizeof(host), &port, &tls) == 0;
}

struct etcd_call *
etcd_post(struct event_base *base, struct evdns_base *dns, const char *url,
    const char *path, json_t *body, int timeout_s, etcd_cb cb, void *arg)
{
	struct etcd_call	*c;
	struct evhttp_request	*req;
	struct evkeyvalq	*hdr;
	char			 host[ETCD_URL_MAX], *text;
	int			 port, tls;

	if (url_split(url, host, sizeof(host), &port, &tls) == -1 ||
	    (c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->cb = cb;
	c->arg = arg;
	c->base = base;
#ifdef HAVE_OPENSSL
	if (tls)
		c->conn = tls_conn(c, base, dns, host, port);
	else
#else
	if (tls)
		c->conn = NULL;		/* conf refuses https without TLS */
	else
#endif
		c->conn = evhttp_connection_base_new(base, dns, host,
		    (unsigned short)port);
	if (c->conn == NULL) {
		free(c);
		return NULL;
	}
	evhttp_connection_set_timeout(c->conn, timeout_s);
	evhttp_connection_set_retries(c->conn, 0);
	if ((req = evhttp_request_new(call_done_cb, c)) == NULL ||
	    (text = json_dumps(body, JSON_COMPACT)) == NULL) {
		if (req != NULL)
			evhttp_request_free(req);
		evhttp_connection_free(c->conn);
		free(c);
		return NULL;
	}
	hdr = evhttp_request_get_output_headers(req);
	evhttp_add_header(hdr, "Host", host);
	evhttp_add_header(hdr, "Content-Type", "application/json");
	evhttp_add_header(hdr, "Connection", "close");
	if (auth_token != NULL)
		evhttp_add_header(hdr, "Authorization", auth_token);
	evbuffer_add(evhttp_request_get_output_buffer(req), text,
	    strlen(text));
	free(text);
	/* On failure libevent has freed req already. */
	c->posting = 1;
	if (evhttp_make_request(c->conn, req, EVHTTP_REQ_POST, path) == -1) {
		evhttp_connection_free(c->conn);
		free(c);
		return NULL;
	}
	c->posting = 0;
	if (c->early && event_base_once(base, -1, EV_TIMEOUT, early_cb, c,
	    NULL) == -1) {
		evhttp_connection_free(c->conn);
		free(c);
		return NULL;
	}
	return c;
}

void
etcd_cancel(struct etcd_call *c)
{
	if (c == NULL)
		return;
	if (c->early) {
		c->cancelled = 1;	/* early_cb frees it */
		return;
	}
	/* Frees the pending request without calling call_done_cb. */
	evhttp_connection_free(c->conn);
	free(c);
}

json_t *
etcd_b64(const char *s, size_t len)
{
	const unsigned char	*u = (const unsigned char *)s;
	char			*out, *o;
	size_t			 i;
	json_t			*j;

	if ((o = out = malloc(len / 3 * 4 + 5)) == NULL)
		return NULL;
	for (i = 0; i + 2 < len; i += 3) {
		*o++ = b64chars[u[i] >> 2];
		*o++ = b64chars[(u[i] & 3) << 4 | u[i + 1] >> 4];
		*o++ = b64chars[(u[i + 1] & 15) << 2 | u[i + 2] >> 6];
		*o++ = b64chars[u[i + 2] & 63];
	}
	if (i < len) {
		*o++ = b64chars[u[i] >> 2];
		if (i + 1 < len) {
			*o++ = b64chars[(u[i] & 3) << 4 | u[i + 1] >> 4];
			*o++ = b64chars[(u[i + 1] & 15) << 2];
		} else {
			*o++ = b64chars[(u[i] & 3) << 4];
			*o++ = '=';
		}
		*o++ = '=';
	}
	*o = '\0';
	j = json_string(out);
	free(out);
	return j;
}

char *
etcd_unb64(const char *text, size_t *lenp)
{
	size_t		 n = strlen(text), len = 0, bits = 0;
	unsigned	 acc = 0;
	const char	*p;
	char		*out;

	if ((out = malloc(n / 4 * 3 + 4)) == NULL)
		return NULL;
	for (; *text != '\0' && *text != '='; text++) {
		if ((p = strchr(b64chars, *text)) == NULL || *text == '\0') {
			free(out);
			return NULL;
		}
		acc = (acc << 6 | (unsigned)(p - b64chars)) & 0xffffff;
		if ((bits += 6) >= 8) {
			bits -= 8;
			out[len++] = (char)(acc >> bits & 0xff);
		}
	}
	out[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return out;
}

json_t *
etcd_prefix_end(const char *prefix)
{
	size_t	 n = strlen(prefix);
	char	*end;
	json_t	*j;

	if (n == 0 || (end = strdup(prefix)) == NULL)
		return NULL;
	/* Prefixes here are text: the last byte is never 0xff. */
	end[n - 1]++;
	j = etcd_b64(end, n);
	free(end);
	return j;
}
