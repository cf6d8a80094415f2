/*
 * net_etcd.c: the network lookup when the directory is on etcd
 * ($SUPERD_ETCD_ENDPOINTS): one range read of the keys superd publishes
 * (superd-directory(7)), from the first of the endpoints that answers.
 *
 * libevent's HTTP client runs on a private event base until the answer
 * is in, so the call blocks like the rest of libsuperd, within wait_ms
 * per endpoint.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "superd.h"
#include "client_priv.h"
#include "etcd.h"

#define URLS_MAX	16

struct range {
	int		 status;
	json_t		*reply;
};

int
sdc_etcd_configured(void)
{
	const char	*v = getenv(SUPERD_ETCD_ENV);

	return v != NULL && v[strspn(v, " ,")] != '\0';
}

/* The prefix: $SUPERD_ETCD_PREFIX or the default. */
static const char *
prefix(void)
{
	const char	*p = getenv(SUPERD_ETCD_PREFIX_ENV);

	return p != NULL && p[0] == '/' ? p : ETCD_PREFIX_DEFAULT;
}

/* This host's name as superd publishes it: $SUPERD_HOST_NAME or ours. */
static void
local_host(char *buf, size_t len)
{
	const char	*h = getenv(SUPERD_HOST_ENV);

	if (h != NULL && h[0] != '\0')
		snprintf(buf, len, "%s", h);
	else if (gethostname(buf, len) == -1)
		buf[0] = '\0';
	buf[len - 1] = '\0';
}

static void
range_cb(int status, json_t *reply, void *arg)
{
	struct range	*r = arg;

	r->status = status;
	r->reply = json_incref(reply);
}

/*
 * With $SUPERD_ETCD_USER (and the password in the file named by
 * $SUPERD_ETCD_PASSWORD_FILE), authenticate on base first so that the
 * range carries the token.  -1 when that fails (the range would too).
 */
static int
auth_first(struct event_base *base, const char *url, int timeout_s)
{
	const char	*user = getenv(SUPERD_ETCD_USER_ENV);
	const char	*file = getenv(SUPERD_ETCD_PASSWORD_FILE_ENV);
	struct range	 r = { -1, NULL };
	char		 pw[256];
	json_t		*body;
	FILE		*f;
	size_t		 n;
	int		 ok;

	etcd_token(NULL);
	if (user == NULL)
		return 0;
	if (file == NULL || (f = fopen(file, "r")) == NULL)
		return -1;
	n = fread(pw, 1, sizeof(pw) - 1, f);
	fclose(f);
	pw[n] = '\0';
	pw[strcspn(pw, "\r\n")] = '\0';
	body = json_pack("{s:s, s:s}", "name", user, "password", pw);
	explicit_bzero(pw, sizeof(pw));
	if (body != NULL && etcd_post(base, NULL, url, "/v3/auth/authenticate",
	    body, timeout_s, range_cb, &r) != NULL)
		event_base_dispatch(base);
	json_decref(body);
	ok = r.status == 200 && etcd_token(json_string_value(
	    json_object_get(r.reply, "token"))) == 0 &&
	    json_object_get(r.reply, "token") != NULL;
	json_decref(r.reply);
	return ok ? 0 : -1;
}

/* Read keys [key, end) from url; the reply or NULL. */
static json_t *
range_from(const char *url, const char *key, int timeout_s)
{
	struct event_base	*base;
	struct range		 r = { -1, NULL };
	json_t			*body;

	if ((base = event_base_new()) == NULL)
		return NULL;
	body = json_pack("{s:o, s:o}", "key", etcd_b64(key, strlen(key)),
	    "range_end", etcd_prefix_end(key));
	if (body != NULL && auth_first(base, url, timeout_s) == 0 &&
	    etcd_post(base, NULL, url, "/v3/kv/range", body, timeout_s,
	    range_cb, &r) != NULL)
		event_base_dispatch(base);
	etcd_token(NULL);
	json_decref(body);
	event_base_free(base);
	if (r.status != 200) {
		json_decref(r.reply);
		return NULL;
	}
	return r.reply;
}

/* The first answer of the endpoints in $SUPERD_ETCD_ENDPOINTS, or NULL. */
static json_t *
range_any(const char *key, int wait_ms)
{
	char	*list, *url, *save = NULL;
	json_t	*reply = NULL;
	int	 timeout_s = wait_ms > 1000 ? (wait_ms + 999) / 1000 : 1;

	if ((list = strdup(getenv(SUPERD_ETCD_ENV))) == NULL)
		return NULL;
	for (url = strtok_r(list, " ,", &save); url != NULL && reply == NULL;
	    url = strtok_r(NULL, " ,", &save))
		reply = range_from(url, key, timeout_s);
	free(list);
	return reply;
}

static const char *
jstr(json_t *o, const char *k)
{
	const char	*s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "";
}

static int
add_tag(struct superd_endpoint *ep, const char *k, const char *v)
{
	struct superd_tag	*t;

	if ((t = reallocarray(ep->tags, ep->ntags + 1, sizeof(*t))) == NULL)
		return -1;
	ep->tags = t;
	t = &ep->tags[ep->ntags];
	if ((t->key = strdup(k)) == NULL || (t->value = strdup(v)) == NULL) {
		free(t->key);
		return -1;
	}
	ep->ntags++;
	return 0;
}

/* One value (superd-directory(7)) into ep; -1 if it is not one. */
static int
value_parse(const char *text, struct superd_endpoint *ep)
{
	json_t		*v, *tags, *t;
	const char	*k;
	json_int_t	 port, prio, weight;

	if ((v = json_loads(text, 0, NULL)) == NULL)
		return -1;
	port = json_integer_value(json_object_get(v, "port"));
	prio = json_integer_value(json_object_get(v, "priority"));
	weight = json_integer_value(json_object_get(v, "weight"));
	memset(ep, 0, sizeof(*ep));
	if (port <= 0 || port > 65535 || prio < 0 || weight < 0 ||
	    snprintf(ep->name, sizeof(ep->name), "%s", jstr(v, "name")) >=
	    (int)sizeof(ep->name) || snprintf(ep->addr, sizeof(ep->addr),
	    "%s", jstr(v, "address")) >= (int)sizeof(ep->addr) ||
	    (strcmp(jstr(v, "proto"), "tcp") != 0 &&
	    strcmp(jstr(v, "proto"), "udp") != 0) || ep->name[0] == '\0') {
		json_decref(v);
		return -1;
	}
	snprintf(ep->proto, sizeof(ep->proto), "%s", jstr(v, "proto"));
	snprintf(ep->source, sizeof(ep->source), "network");
	snprintf(ep->state, sizeof(ep->state), "live");
	ep->port = (unsigned)port;
	ep->prio = (unsigned)prio;
	ep->weight = (unsigned)weight;
	ep->uid = ep->pid = ep->expires = -1;
	(void)add_tag(ep, "host", jstr(v, "host"));
	(void)add_tag(ep, "published", jstr(v, "source"));
	tags = json_object_get(v, "tags");
	json_object_foreach(tags, k, t)
		if (json_is_string(t))
			(void)add_tag(ep, k, json_string_value(t));
	json_decref(v);
	return 0;
}

/* The kvs of a range reply into out (of proto, if not NULL). */
static void
take_kvs(json_t *reply, const char *proto, struct superd_eplist *out)
{
	struct superd_endpoint	 ep;
	json_t			*kv;
	size_t			 i;
	char			*text;

	json_array_foreach(json_object_get(reply, "kvs"), i, kv) {
		if ((text = etcd_unb64(jstr(kv, "value"), NULL)) == NULL)
			continue;
		if (value_parse(text, &ep) == 0 && (proto == NULL ||
		    strcmp(ep.proto, proto) == 0)) {
			if (sdc_eplist_push(out, &ep) == -1)
				superd_endpoint_clear(&ep);
		} else
			superd_endpoint_clear(&ep);
		free(text);
	}
}

/* Is ep published by this host? */
static int
is_local(const struct superd_endpoint *ep, const char *host)
{
	const char	*h = superd_endpoint_tag(ep, "host");

	return h != NULL && strcmp(h, host) == 0;
}

/*
 * By prio, then this host's before the others' (a local endpoint is the
 * cheapest to reach), weighted-random within each (superd_order).
 */
void
sdc_order_local(struct superd_endpoint *ep, size_t n, const char *host)
{
	struct superd_endpoint	 t;
	size_t			 i, j;

	superd_order(ep, n);
	/* Insertion sort: stable, so the weighted order stays. */
	for (i = 1; i < n; i++) {
		t = ep[i];
		for (j = i; j > 0 && (ep[j - 1].prio > t.prio ||
		    (ep[j - 1].prio == t.prio && !is_local(&ep[j - 1], host) &&
		    is_local(&t, host))); j--)
			ep[j] = ep[j - 1];
		ep[j] = t;
	}
}

int
sdc_etcd_lookup(const char *name, const char *proto, int wait_ms,
    struct superd_eplist *out)
{
	char	 key[512], host[256];
	json_t	*reply;
	size_t	 n0 = out->n;

	if (name != NULL && !sdc_token_ok(name)) {
		errno = EINVAL;
		return -1;
	}
	snprintf(key, sizeof(key), "%sservices/%s%s", prefix(),
	    name != NULL ? name : "", name != NULL ? "/" : "");
	if ((reply = range_any(key, wait_ms)) == NULL) {
		errno = ECONNREFUSED;	/* no endpoint answered */
		return -1;
	}
	take_kvs(reply, proto, out);
	json_decref(reply);
	local_host(host, sizeof(host));
	/* A whole listing stays in key order (name, host, ...). */
	if (name != NULL)
		sdc_order_local(out->ep + n0, out->n - n0, host);
	if (out->n == n0 && name != NULL) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

int
superd_net_list(int wait_ms, struct superd_eplist *out)
{
	if (!sdc_etcd_configured()) {
		errno = ENOTSUP;
		return -1;
	}
	return sdc_etcd_lookup(NULL, NULL, wait_ms, out);
}
