/*
 * metrics_http.c: the Prometheus endpoint (see metrics_http.h).
 *
 * libevent's HTTP server runs on superd's loop: a scrape is a handful
 * of reads of in-memory counters and /proc/self, so it needs no thread.
 * Only GET and HEAD of /metrics are served, without a body, with short
 * timeouts and small headers; a peer outside metrics-allow gets 403.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "addr.h"
#include "conf.h"
#include "conf_parse.h"
#include "log.h"
#include "metrics.h"
#include "metrics_http.h"
#include "sockpool.h"

#define HTTP_TIMEOUT	10		/* seconds for a request */
#define HTTP_HEADERS	8192		/* bytes of request headers */
#define CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

static struct {
	struct evhttp		*http;
	struct sockaddr_storage	 addr;		/* bound */
	socklen_t		 len;
	struct acl		 allow;		/* a copy; empty: loopback */
	char			 desc[80];
} H;

/* Loopback, the default audience: 127.0.0.0/8 and ::1. */
static int
loopback(int family, const unsigned char *a)
{
	static const unsigned char	v6[16] = { [15] = 1 };

	if (family == AF_INET)
		return a[0] == 127;
	return memcmp(a, v6, sizeof(v6)) == 0;
}

/* May this peer scrape? */
static int
peer_allowed(const struct sockaddr *sa)
{
	const unsigned char	*a;
	int			 family;

	if (sa == NULL || (a = addr_bytes(sa, &family)) == NULL)
		return 0;
	if (H.allow.n == 0)
		return loopback(family, a);
	return acl_longest_match(&H.allow, family, a) >= 0;
}

/* Is the request's path /metrics (a query string is ignored)? */
static int
path_is_metrics(const char *uri)
{
	size_t	n = strlen("/metrics");

	return uri != NULL && strncmp(uri, "/metrics", n) == 0 &&
	    (uri[n] == '\0' || uri[n] == '?');
}

static void
request_cb(struct evhttp_request *req, void *arg)
{
	struct evhttp_connection	*conn;
	struct evbuffer			*body;
	const struct sockaddr		*sa;
	char				 host[64];
	int				 port;

	(void)arg;
	conn = evhttp_request_get_connection(req);
	sa = conn != NULL ? evhttp_connection_get_addr(conn) : NULL;
	if (!peer_allowed(sa)) {
		if (sa != NULL) {
			sockaddr_format(sa, sizeof(struct sockaddr_storage),
			    host, sizeof(host), &port);
			log_debug("metrics: %s not in metrics-allow", host);
		}
		evhttp_send_error(req, 403, "not in metrics-allow");
		return;
	}
	if (!path_is_metrics(evhttp_request_get_uri(req))) {
		evhttp_send_error(req, HTTP_NOTFOUND, "only /metrics is here");
		return;
	}
	if ((body = evbuffer_new()) == NULL || metrics_render(body) == -1) {
		evbuffer_free(body);
		evhttp_send_error(req, HTTP_SERVUNAVAIL, "out of memory");
		return;
	}
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", CONTENT_TYPE);
	evhttp_send_reply(req, HTTP_OK, "OK", body);
	evbuffer_free(body);
}

/* A listening, non-blocking TCP socket on ss, or -1 (logged). */
static int
http_socket(const struct sockaddr_storage *ss, socklen_t len,
    const char *desc)
{
	int	fd, one = 1;

	if ((fd = sockpool_take(SOCK_STREAM, (const struct sockaddr *)ss,
	    len)) >= 0)
		return fd;
	if ((fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1) {
		log_warn("metrics-listen %s: socket", desc);
		return -1;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss->ss_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
		    sizeof(one));
	if (bind(fd, (const struct sockaddr *)ss, len) == -1 ||
	    listen(fd, 16) == -1) {
		log_warn("metrics-listen %s", desc);
		close(fd);
		return -1;
	}
	return fd;
}

/* A new server on conf's address, or NULL (logged). */
static struct evhttp *
http_new(struct event_base *base, const struct superd_conf *conf)
{
	struct evhttp	*http;
	int		 fd;

	if ((fd = http_socket(&conf->metrics_addr, conf->metrics_len,
	    conf->metrics_listen)) == -1)
		return NULL;
	if ((http = evhttp_new(base)) == NULL) {
		log_warnx("metrics-listen %s: out of memory",
		    conf->metrics_listen);
		close(fd);
		return NULL;
	}
	evhttp_set_timeout(http, HTTP_TIMEOUT);
	evhttp_set_max_headers_size(http, HTTP_HEADERS);
	evhttp_set_max_body_size(http, 0);
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_gencb(http, request_cb, NULL);
	if (evhttp_accept_socket_with_handle(http, fd) == NULL) {
		log_warnx("metrics-listen %s: cannot serve the socket",
		    conf->metrics_listen);
		close(fd);
		evhttp_free(http);
		return NULL;
	}
	return http;
}

/* Close the server and its socket (connections too). */
static void
http_close(void)
{
	if (H.http != NULL)
		evhttp_free(H.http);
	H.http = NULL;
	H.len = 0;
}

/* Take conf's access list (a copy: conf goes at the next reload). */
static int
http_set_allow(const struct acl *acl)
{
	struct acl_entry	*e = NULL;

	if (acl->n > 0 && (e = calloc(acl->n, sizeof(*e))) == NULL)
		return -1;
	if (acl->n > 0)
		memcpy(e, acl->entries, acl->n * sizeof(*e));
	free(H.allow.entries);
	H.allow.entries = e;
	H.allow.n = acl->n;
	return 0;
}

int
metrics_http_configure(struct event_base *base,
    const struct superd_conf *conf)
{
	struct evhttp	*http;

	if (http_set_allow(&conf->metrics_allow) == -1) {
		log_warnx("metrics-allow: out of memory; keeping the old list");
		return -1;
	}
	if (conf->metrics_len == 0) {
		http_close();
		return 0;
	}
	if (H.http != NULL && H.len == conf->metrics_len &&
	    memcmp(&H.addr, &conf->metrics_addr, H.len) == 0)
		return 0;
	if ((http = http_new(base, conf)) == NULL && H.http != NULL) {
		/* The old socket may hold the port the new one wants. */
		http_close();
		http = http_new(base, conf);
	}
	if (http == NULL)
		return -1;
	if (H.http != NULL)
		evhttp_free(H.http);
	H.http = http;
	memcpy(&H.addr, &conf->metrics_addr, sizeof(H.addr));
	H.len = conf->metrics_len;
	log_info("metrics on http://%s/metrics", conf->metrics_listen);
	return 0;
}

void
metrics_http_stop(void)
{
	http_close();
	free(H.allow.entries);
	H.allow.entries = NULL;
	H.allow.n = 0;
}
