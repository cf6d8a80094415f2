/*
 * lookup_watch.c: superd-lookup --net --watch NAME: print the endpoints
 * of NAME that appear in and leave the etcd directory, as they do,
 * through etcd's watch (a long POST to /v3/watch whose answer streams
 * one JSON message a line).
 *
 * One line an event: "+ ADDR:PORT/PROTO HOST" (added or changed) or
 * "- ADDR:PORT/PROTO HOST" (gone), taken from the key, so a delete needs
 * no value.  When the stream ends or the member goes, the watch starts
 * again on the next endpoint a second later, from the revision after the
 * last one seen, so nothing is missed or told twice.  Runs until killed.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "etcd.h"
#include "lookup.h"
#include "sockpath.h"

#define URLS_MAX	16

struct watch {
	struct event_base		*base;
	struct evhttp_connection	*conn;
	struct evbuffer			*buf;	/* a line not complete yet */
	struct event			*retry;
	char				*urls[URLS_MAX];
	size_t				 nurls, cur;
	char				 key[512];
	const char			*proto;
	long long			 next_rev;	/* 0: from now */
	int				 said;
};

static void	watch_start(struct watch *);

/* "PREFIX/services/NAME/HOST/PROTO/ADDR/PORT" as "ADDR:PORT/PROTO HOST". */
static int
key_show(const struct watch *w, const char *key, char *out, size_t len)
{
	char	 host[256], proto[8], addr[128], port[8];
	size_t	 n = strlen(w->key);

	if (strncmp(key, w->key, n) != 0 ||
	    sscanf(key + n, "%255[^/]/%7[^/]/%127[^/]/%7[0-9]", host, proto,
	    addr, port) != 4)
		return -1;
	if (w->proto != NULL && strcmp(proto, w->proto) != 0)
		return -1;
	snprintf(out, len, strchr(addr, ':') ? "[%s]:%s/%s %s" :
	    "%s:%s/%s %s", addr, port, proto, host);
	return 0;
}

/* One streamed message: its events, one line each. */
static void
message(struct watch *w, json_t *msg)
{
	json_t		*res = json_object_get(msg, "result"), *ev;
	const char	*type;
	char		*key, line[512];
	size_t		 i;
	long long	 rev;

	if (json_is_true(json_object_get(res, "created")) && !w->said) {
		fprintf(stderr, "superd-lookup: watching %s in etcd (%s)\n",
		    w->key, w->urls[w->cur]);
		w->said = 1;
	}
	json_array_foreach(json_object_get(res, "events"), i, ev) {
		/* PUT is the enum's zero: the gateway leaves it out. */
		type = json_string_value(json_object_get(ev, "type"));
		key = etcd_unb64(json_string_value(json_object_get(json_object_get(
		    ev, "kv"), "key")) ?: "", NULL);
		rev = strtoll(json_string_value(json_object_get(json_object_get(
		    ev, "kv"), "mod_revision")) ?: "0", NULL, 10);
		if (rev >= w->next_rev)
			w->next_rev = rev + 1;
		if (key != NULL && key_show(w, key, line, sizeof(line)) == 0)
			printf("%s %s\n", type != NULL &&
			    strcmp(type, "DELETE") == 0 ? "-" : "+", line);
		free(key);
	}
	fflush(stdout);
}

/* What has come of the stream: every complete line is one message. */
static void
chunk_cb(struct evhttp_request *req, void *arg)
{
	struct watch	*w = arg;
	char		*line;
	size_t		 len;
	json_t		*msg;

	evbuffer_add_buffer(w->buf, evhttp_request_get_input_buffer(req));
	while ((line = evbuffer_readln(w->buf, &len, EVBUFFER_EOL_LF)) !=
	    NULL) {
		if ((msg = json_loadb(line, len, 0, NULL)) != NULL)
			message(w, msg);
		json_decref(msg);
		free(line);
	}
}

/* The stream ended (or never began): the next endpoint, in a second. */
static void
done_cb(struct evhttp_request *req, void *arg)
{
	struct watch	*w = arg;
	struct timeval	 tv = { 1, 0 };

	fprintf(stderr, "superd-lookup: watch on %s ended%s; again in 1 s\n",
	    w->urls[w->cur], req == NULL ||
	    evhttp_request_get_response_code(req) == 0 ? " (no answer)" : "");
	etcd_conn_free_later(w->base, w->conn);
	w->conn = NULL;
	w->said = 0;
	w->cur = (w->cur + 1) % w->nurls;
	evbuffer_drain(w->buf, evbuffer_get_length(w->buf));
	evtimer_add(w->retry, &tv);
}

static void
retry_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	watch_start(arg);
}

/* The create request: from now, or from the revision after the last. */
static char *
create_body(const struct watch *w)
{
	json_t	*cr, *body;
	char	*text;

	cr = json_pack("{s:o, s:o}", "key", etcd_b64(w->key, strlen(w->key)),
	    "range_end", etcd_prefix_end(w->key));
	if (cr != NULL && w->next_rev > 0)
		json_object_set_new(cr, "start_revision",
		    json_integer(w->next_rev));
	body = json_pack("{s:o}", "create_request", cr);
	text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	return text;
}

static void
watch_start(struct watch *w)
{
	struct evhttp_uri	*u = evhttp_uri_parse(w->urls[w->cur]);
	struct evhttp_request	*req;
	char			*body = create_body(w);
	int			 port;

	if (u == NULL || body == NULL || evhttp_uri_get_host(u) == NULL) {
		free(body);
		if (u != NULL)
			evhttp_uri_free(u);
		done_cb(NULL, w);
		return;
	}
	port = evhttp_uri_get_port(u) > 0 ? evhttp_uri_get_port(u) : 2379;
	w->conn = evhttp_connection_base_new(w->base, NULL,
	    evhttp_uri_get_host(u), (unsigned short)port);
	req = evhttp_request_new(done_cb, w);
	evhttp_request_set_chunked_cb(req, chunk_cb);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Host",
	    evhttp_uri_get_host(u));
	evbuffer_add(evhttp_request_get_output_buffer(req), body,
	    strlen(body));
	free(body);
	evhttp_uri_free(u);
	if (evhttp_make_request(w->conn, req, EVHTTP_REQ_POST, "/v3/watch") ==
	    -1)
		done_cb(NULL, w);
}

int
watch_main(const char *name, const char *proto, const char *conf)
{
	struct watch	 w = { .proto = proto };
	const char	*pfx;
	char		 err[1024], *list, *save = NULL, *u;

	if (sockpath_etcd_env(conf, err, sizeof(err)) == -1) {
		fprintf(stderr, "superd-lookup: %s\n", err);
		return EXIT_ERROR;
	}
	if (getenv(SUPERD_ETCD_ENV) == NULL) {
		fprintf(stderr, "superd-lookup: --watch: no etcd-endpoints set "
		    "($SUPERD_ETCD_ENDPOINTS or superd.conf)\n");
		return EXIT_ERROR;
	}
	/* The watch streams over its own plain connection: no TLS or
	 * etcd user yet. */
	if (strstr(getenv(SUPERD_ETCD_ENV), "https://") != NULL ||
	    getenv(SUPERD_ETCD_USER_ENV) != NULL) {
		fprintf(stderr, "superd-lookup: --watch does not speak TLS or "
		    "authenticate yet; https etcd-endpoints and etcd-user work "
		    "with --net only\n");
		return EXIT_ERROR;
	}
	pfx = getenv(SUPERD_ETCD_PREFIX_ENV);
	snprintf(w.key, sizeof(w.key), "%sservices/%s/", pfx != NULL &&
	    pfx[0] == '/' ? pfx : ETCD_PREFIX_DEFAULT, name);
	if ((list = strdup(getenv(SUPERD_ETCD_ENV))) == NULL)
		return EXIT_ERROR;
	for (u = strtok_r(list, " ,", &save); u != NULL && w.nurls < URLS_MAX;
	    u = strtok_r(NULL, " ,", &save))
		w.urls[w.nurls++] = u;
	if (w.nurls == 0 || (w.base = event_base_new()) == NULL ||
	    (w.buf = evbuffer_new()) == NULL ||
	    (w.retry = evtimer_new(w.base, retry_cb, &w)) == NULL) {
		free(list);
		return EXIT_ERROR;
	}
	watch_start(&w);
	event_base_dispatch(w.base);
	free(list);
	return EXIT_ERROR;
}
