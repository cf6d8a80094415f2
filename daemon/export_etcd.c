/*
 * export_etcd.c: the etcd publisher.  See export.h and export_pub.h;
 * the key layout and the value are in superd-directory(7).
 *
 * Every key this superd writes hangs on one lease.  The lease is kept
 * alive from the loop every TTL/3; when superd stops or dies, etcd
 * drops the keys within the TTL.  One request is in flight at a time,
 * chosen by etcd_work(): a lease if there is none, a keep-alive when it
 * is due, then the puts and deletes that make etcd match the last sync.
 * A request that gets no answer moves to the next of etcd-endpoints and
 * backs off once all have failed; after any failure, or when the lease
 * was lost (expired, revoked), everything is written again.
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <ifaddrs.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/dns.h>
#include <event2/event.h>
#include <jansson.h>

#include "clock.h"
#include "compat.h"
#include "conf.h"
#include "etcd.h"
#include "export_pub.h"
#include "log.h"

#define BACKOFF_MAX_MS	5000
#define ADDRS_MAX	16

/* One key: wanted, written, or to delete. */
struct ekey {
	char			*key;
	char			*value;		/* JSON text */
	enum { K_PUT, K_DONE, K_DEL } state;
	int			 seen;
	unsigned		 gen;		/* bumped by every change */
	unsigned		 sent_gen;	/* ... as the request in flight */
	int			 sent_del;	/* that request deletes */
	TAILQ_ENTRY(ekey)	 entry;
};
TAILQ_HEAD(ekeys, ekey);

static struct {
	struct event_base	*base;
	struct evdns_base	*dns;
	struct event		*timer;
	struct etcd_call	*call;		/* in flight, or NULL */
	char			**urls;
	size_t			 nurls, cur;
	char			*prefix, *host;
	char			**advertise;
	unsigned		 ttl;
	char			 lease[32];	/* "" = none */
	char			*user, *password;	/* etcd auth, or NULL */
	int			 token;		/* have one (etcd_token) */
	int			 token_again;	/* re-authenticated for this */
	uint64_t		 keepalive_ms;	/* when the next is due */
	unsigned		 fails;		/* in a row */
	int			 said_down;
	struct ekeys		 keys;
	int			 on;
} et = { .keys = TAILQ_HEAD_INITIALIZER(et.keys) };

static void	etcd_work(void);

static void
timer_in(uint64_t ms)
{
	struct timeval	tv = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000 };

	evtimer_add(et.timer, &tv);
}

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	etcd_work();
}

/* Every key written so far is written again (etcd may have lost it). */
static void
keys_rewrite(void)
{
	struct ekey	*k, *next;

	TAILQ_FOREACH_SAFE(k, &et.keys, entry, next) {
		if (k->state == K_DONE)
			k->state = K_PUT;
		else if (k->state == K_DEL && et.lease[0] == '\0') {
			/* The lost lease took it already. */
			TAILQ_REMOVE(&et.keys, k, entry);
			free(k->key);
			free(k->value);
			free(k);
		}
	}
}

/* No answer: the next endpoint, at once, until all failed; then back off. */
static void
call_failed(const char *what, int status)
{
	uint64_t	delay = 100;

	if (!et.said_down && status < 0)
		log_warnx("etcd: %s: %s got no answer%s%s; trying the next "
		    "endpoint", et.urls[et.cur], what,
		    etcd_last_error()[0] ? ": " : "", etcd_last_error());
	else if (!et.said_down)
		log_warnx("etcd: %s: %s failed (HTTP %d); trying the next "
		    "endpoint", et.urls[et.cur], what, status);
	if (++et.fails >= et.nurls) {
		et.said_down = 1;
		delay = 250u << (et.fails - et.nurls < 5 ? et.fails - et.nurls :
		    5);
		if (delay > BACKOFF_MAX_MS)
			delay = BACKOFF_MAX_MS;
	}
	et.cur = (et.cur + 1) % et.nurls;
	keys_rewrite();
	timer_in(delay);
}

/* An answer: etcd is there. */
static void
call_ok(void)
{
	if (et.said_down)
		log_notice("etcd: %s answers again; publishing everything",
		    et.urls[et.cur]);
	et.said_down = 0;
	et.fails = 0;
}

/* A JSON number or numeric string (the gateway sends int64 as text). */
static long long
jint(json_t *j)
{
	if (json_is_integer(j))
		return json_integer_value(j);
	if (json_is_string(j))
		return strtoll(json_string_value(j), NULL, 10);
	return 0;
}

/* The lease is gone: a new one, and every key again. */
static void
lease_lost(const char *why)
{
	log_warnx("etcd: lease %llx %s; granting a new one and publishing "
	    "again", strtoull(et.lease, NULL, 10), why);
	et.lease[0] = '\0';
	keys_rewrite();
}

/* An etcd error body ({"error": ..., "code": N}) says the lease is gone. */
static int
lease_error(json_t *reply)
{
	const char	*e = json_string_value(json_object_get(reply, "error"));

	if (e == NULL)
		e = json_string_value(json_object_get(reply, "message"));
	return e != NULL && strstr(e, "lease not found") != NULL;
}

/*
 * An answer saying the token is invalid or expired (etcd forgets tokens
 * after --auth-token-ttl, and on restart): authenticate again, once per
 * success, then the next request.  1 if it was that.
 */
static int
token_lost(json_t *reply)
{
	if (et.user == NULL || !etcd_token_error(reply) || et.token_again)
		return 0;
	log_info("etcd: token refused; authenticating again as %s", et.user);
	et.token = 0;
	et.token_again = 1;
	etcd_token(NULL);
	etcd_work();
	return 1;
}

/* Send one request; its answer comes to cb. */
static void
send_call(const char *path, json_t *body, etcd_cb cb, void *arg)
{
	int	timeout = (int)et.ttl / 3;

	if (timeout < 1)
		timeout = 1;
	if (timeout > 3)
		timeout = 3;
	et.call = etcd_post(et.base, et.dns, et.urls[et.cur], path, body,
	    timeout, cb, arg);
	json_decref(body);
	if (et.call == NULL)
		call_failed(path, -1);
}

static void
auth_cb(int status, json_t *reply, void *arg)
{
	const char	*tok = json_string_value(json_object_get(reply, "token"));
	const char	*e = json_string_value(json_object_get(reply, "error"));

	(void)arg;
	et.call = NULL;
	if (status > 0 && status != 200 && !et.said_down)
		log_warnx("etcd: %s: authentication as %s refused: %s",
		    et.urls[et.cur], et.user, e != NULL ? e : "no reason given");
	if (status != 200 || tok == NULL || etcd_token(tok) == -1) {
		call_failed("authenticate", status);
		return;
	}
	call_ok();
	et.token = 1;
	log_info("etcd: authenticated as %s on %s", et.user, et.urls[et.cur]);
	etcd_work();
}

static void
grant_cb(int status, json_t *reply, void *arg)
{
	long long	id = jint(json_object_get(reply, "ID"));

	(void)arg;
	et.call = NULL;
	if (status != 200 && token_lost(reply))
		return;
	if (status != 200 || id == 0) {
		call_failed("lease grant", status);
		return;
	}
	call_ok();
	et.token_again = 0;
	snprintf(et.lease, sizeof(et.lease), "%lld", id);
	et.keepalive_ms = clock_mono_ms() + et.ttl * 1000 / 3;
	/* In hex, as etcdctl shows it. */
	log_notice("etcd: lease %llx (ttl %us) from %s", (unsigned long long)id,
	    et.ttl, et.urls[et.cur]);
	keys_rewrite();
	etcd_work();
}

static void
keepalive_cb(int status, json_t *reply, void *arg)
{
	json_t	*res = json_object_get(reply, "result");

	(void)arg;
	et.call = NULL;
	if (status != 200 && token_lost(reply))
		return;
	if (status != 200 || res == NULL) {
		call_failed("lease keep-alive", status);
		return;
	}
	call_ok();
	et.token_again = 0;
	if (jint(json_object_get(res, "TTL")) <= 0)
		lease_lost("expired or was revoked");
	else
		et.keepalive_ms = clock_mono_ms() + et.ttl * 1000 / 3;
	etcd_work();
}

static void
key_cb(int status, json_t *reply, void *arg)
{
	struct ekey	*k = arg;

	et.call = NULL;
	if (status != 200 && token_lost(reply))
		return;
	if (status == 200)
		et.token_again = 0;
	if (status != 200 && lease_error(reply)) {
		call_ok();
		lease_lost("is not known to etcd");
	} else if (status != 200) {
		call_failed(k->sent_del ? "delete" : "put", status);
		return;
	} else if (k->gen != k->sent_gen) {
		/* Changed while the request was out: send what is wanted now. */
		call_ok();
	} else if (!k->sent_del) {
		call_ok();
		k->state = K_DONE;
		log_info("etcd: published %s", k->key);
	} else {
		call_ok();
		TAILQ_REMOVE(&et.keys, k, entry);
		log_info("etcd: withdrew %s", k->key);
		free(k->key);
		free(k->value);
		free(k);
	}
	etcd_work();
}

/* Put or delete k. */
static void
key_send(struct ekey *k)
{
	json_t	*b;

	k->sent_gen = k->gen;
	k->sent_del = k->state == K_DEL;
	if (k->state == K_PUT)
		b = json_pack("{s:o, s:o, s:s}", "key", etcd_b64(k->key,
		    strlen(k->key)), "value", etcd_b64(k->value,
		    strlen(k->value)), "lease", et.lease);
	else
		b = json_pack("{s:o}", "key", etcd_b64(k->key, strlen(k->key)));
	if (b == NULL) {
		call_failed("json", -1);
		return;
	}
	send_call(k->state == K_PUT ? "/v3/kv/put" : "/v3/kv/deleterange", b,
	    key_cb, k);
}

/* The next request, or the timer for the next keep-alive. */
static void
etcd_work(void)
{
	struct ekey	*k;
	uint64_t	 now = clock_mono_ms();

	if (!et.on || et.call != NULL)
		return;
	evtimer_del(et.timer);
	if (et.user != NULL && !et.token) {
		send_call("/v3/auth/authenticate", json_pack("{s:s, s:s}",
		    "name", et.user, "password", et.password), auth_cb, NULL);
		return;
	}
	if (et.lease[0] == '\0') {
		send_call("/v3/lease/grant", json_pack("{s:I}", "TTL",
		    (json_int_t)et.ttl), grant_cb, NULL);
		return;
	}
	if (now >= et.keepalive_ms) {
		send_call("/v3/lease/keepalive", json_pack("{s:s}", "ID",
		    et.lease), keepalive_cb, NULL);
		return;
	}
	TAILQ_FOREACH(k, &et.keys, entry)
		if (k->state != K_DONE) {
			key_send(k);
			return;
		}
	timer_in(et.keepalive_ms - now);
}

/* ---- from the wanted set to keys ---- */

static struct ekey *
key_find(const char *key)
{
	struct ekey	*k;

	TAILQ_FOREACH(k, &et.keys, entry)
		if (strcmp(k->key, key) == 0)
			return k;
	return NULL;
}

/* This key should hold value. */
static void
key_want(const char *key, const char *value)
{
	struct ekey	*k = key_find(key);

	if (k == NULL) {
		if ((k = calloc(1, sizeof(*k))) == NULL ||
		    (k->key = strdup(key)) == NULL) {
			free(k);
			return;
		}
		TAILQ_INSERT_TAIL(&et.keys, k, entry);
	} else if (k->state != K_DEL && strcmp(k->value, value) == 0) {
		k->seen = 1;
		return;
	}
	free(k->value);
	if ((k->value = strdup(value)) == NULL)
		k->value = strdup("{}");
	k->state = K_PUT;
	k->gen++;
	k->seen = 1;
}

/* The JSON value of ep at addr (superd-directory(7)). */
static char *
ep_value(const struct export_ep *ep, const char *addr)
{
	json_t	*v, *tags = json_object();
	char	*text, *eq;

	for (size_t i = 0; i < ep->ntags; i++)
		if ((eq = strchr(ep->tags[i], '=')) != NULL) {
			char	key[DIR_TAG_KEY_MAX + 1];

			snprintf(key, sizeof(key), "%.*s",
			    (int)(eq - ep->tags[i]), ep->tags[i]);
			json_object_set_new(tags, key, json_string(eq + 1));
		}
	v = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:i, s:i, s:o, s:s}",
	    "name", ep->name, "address", addr, "port", ep->port,
	    "proto", ep->proto, "host", et.host, "source", ep->source,
	    "priority", (int)ep->prio, "weight", (int)ep->weight,
	    "tags", tags, "version", PACKAGE_VERSION);
	if (v == NULL)
		return NULL;
	text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(v);
	return text;
}

/* Is a an address to publish for a wildcard bind of family fam? */
static int
addr_usable(const struct sockaddr *sa, int fam)
{
	const struct in6_addr	*a6;

	if (sa == NULL || (sa->sa_family != AF_INET &&
	    sa->sa_family != AF_INET6))
		return 0;
	if (fam != AF_UNSPEC && sa->sa_family != fam)
		return 0;
	if (sa->sa_family == AF_INET6) {
		a6 = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
		/* Link-local needs a zone another host cannot use. */
		return !IN6_IS_ADDR_LINKLOCAL(a6);
	}
	return 1;
}

/* The host's addresses for a wildcard bind (not loopback); the count. */
static size_t
host_addrs(int fam, char out[ADDRS_MAX][INET6_ADDRSTRLEN])
{
	struct ifaddrs	*ifa, *i;
	size_t		 n = 0;
	const void	*a;

	if (getifaddrs(&ifa) == -1)
		return 0;
	for (i = ifa; i != NULL && n < ADDRS_MAX; i = i->ifa_next) {
		if (!(i->ifa_flags & IFF_UP) || (i->ifa_flags & IFF_LOOPBACK) ||
		    !addr_usable(i->ifa_addr, fam))
			continue;
		a = i->ifa_addr->sa_family == AF_INET ?
		    (const void *)&((struct sockaddr_in *)(void *)
		    i->ifa_addr)->sin_addr : (const void *)&((struct
		    sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr;
		inet_ntop(i->ifa_addr->sa_family, a, out[n++], INET6_ADDRSTRLEN);
	}
	freeifaddrs(ifa);
	return n;
}

/* The addresses ep is reached at: its own, advertise-address, or the host's. */
static size_t
ep_addrs(const struct export_ep *ep, char out[ADDRS_MAX][INET6_ADDRSTRLEN])
{
	size_t	n = 0;
	int	fam = AF_UNSPEC;

	if (strcmp(ep->addr, "0.0.0.0") == 0)
		fam = AF_INET;
	else if (strcmp(ep->addr, "*") != 0 && strcmp(ep->addr, "::") != 0 &&
	    ep->addr[0] != '\0') {
		if (strlen(ep->addr) >= INET6_ADDRSTRLEN)
			return 0;
		memcpy(out[0], ep->addr, strlen(ep->addr) + 1);
		return 1;
	}
	for (; et.advertise != NULL && et.advertise[n] != NULL &&
	    n < ADDRS_MAX; n++)
		snprintf(out[n], INET6_ADDRSTRLEN, "%s", et.advertise[n]);
	return n > 0 ? n : host_addrs(fam, out);
}

/* The keys for ep: one per address. */
static void
want_ep(const struct export_ep *ep)
{
	char	 addrs[ADDRS_MAX][INET6_ADDRSTRLEN], key[1024], *value;
	size_t	 i, n = ep_addrs(ep, addrs);

	for (i = 0; i < n; i++) {
		if ((size_t)snprintf(key, sizeof(key), "%sservices/%s/%s/%s/%s/%d",
		    et.prefix, ep->name, et.host, ep->proto, addrs[i],
		    ep->port) >= sizeof(key) ||
		    (value = ep_value(ep, addrs[i])) == NULL)
			continue;
		key_want(key, value);
		free(value);
	}
}

static void
etcd_sync(const struct export_ep *ep, size_t n)
{
	struct ekey	*k;
	size_t		 i;

	TAILQ_FOREACH(k, &et.keys, entry)
		k->seen = 0;
	for (i = 0; i < n; i++)
		want_ep(&ep[i]);
	TAILQ_FOREACH(k, &et.keys, entry)
		if (!k->seen && k->state != K_DEL) {
			k->state = K_DEL;
			k->gen++;
		}
	etcd_work();
}

/* ---- start and stop ---- */

static char **
strv_copy(char **v)
{
	size_t	  n = 0;
	char	**c;

	while (v != NULL && v[n] != NULL)
		n++;
	if (n == 0 || (c = calloc(n + 1, sizeof(*c))) == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if ((c[i] = strdup(v[i])) == NULL)
			c[i] = strdup("");
	return c;
}

static void
strv_free(char **v)
{
	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

static int
strv_same(char **a, char **b)
{
	size_t	i;

	for (i = 0; a != NULL && b != NULL && a[i] != NULL && b[i] != NULL; i++)
		if (strcmp(a[i], b[i]) != 0)
			return 0;
	return (a == NULL || a[i] == NULL) && (b == NULL || b[i] == NULL);
}

static int
str_same(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

/* Does conf publish where and as what this run does? */
static int
same_place(const struct superd_conf *conf)
{
	return strcmp(et.prefix, conf->etcd_prefix) == 0 &&
	    strcmp(et.host, conf->host_name) == 0 && et.ttl == conf->etcd_ttl &&
	    strv_same(et.urls, conf->etcd_endpoints) &&
	    str_same(et.user, conf->etcd_user) &&
	    str_same(et.password, conf->etcd_password);
}

static void
etcd_stop(void)
{
	struct ekey	*k;

	if (!et.on)
		return;
	etcd_cancel(et.call);
	et.call = NULL;
	while ((k = TAILQ_FIRST(&et.keys)) != NULL) {
		TAILQ_REMOVE(&et.keys, k, entry);
		free(k->key);
		free(k->value);
		free(k);
	}
	event_free(et.timer);
	evdns_base_free(et.dns, 0);
	strv_free(et.urls);
	strv_free(et.advertise);
	free(et.prefix);
	free(et.host);
	free(et.user);
	if (et.password != NULL)
		explicit_bzero(et.password, strlen(et.password));
	free(et.password);
	etcd_token(NULL);
	memset(&et, 0, sizeof(et));
	TAILQ_INIT(&et.keys);
}

/*
 * TLS for https endpoints, loaded again on every reload so that renewed
 * certificate files take effect; -1 (said) when they cannot be used.
 */
static int
tls_setup(const struct superd_conf *conf)
{
	char	err[256];
	size_t	i;

	for (i = 0; conf->etcd_endpoints && conf->etcd_endpoints[i]; i++)
		if (etcd_url_tls(conf->etcd_endpoints[i]))
			break;
	if (conf->etcd_endpoints == NULL || conf->etcd_endpoints[i] == NULL)
		return 0;
	if (etcd_tls(conf->etcd_ca, conf->etcd_cert, conf->etcd_key, err,
	    sizeof(err)) == -1) {
		log_warnx("etcd: %s; not publishing", err);
		return -1;
	}
	return 0;
}

static void
etcd_configure(struct event_base *base, const struct superd_conf *conf)
{
	if (tls_setup(conf) == -1) {
		etcd_stop();
		return;
	}
	if (et.on && same_place(conf)) {
		strv_free(et.advertise);
		et.advertise = strv_copy(conf->advertise);
		return;
	}
	/* The keys under the old place go with the old lease's TTL. */
	etcd_stop();
	et.base = base;
	et.dns = evdns_base_new(base, EVDNS_BASE_INITIALIZE_NAMESERVERS);
	et.timer = evtimer_new(base, timer_cb, NULL);
	et.urls = strv_copy(conf->etcd_endpoints);
	et.advertise = strv_copy(conf->advertise);
	et.prefix = strdup(conf->etcd_prefix);
	et.host = strdup(conf->host_name);
	et.ttl = conf->etcd_ttl;
	if (conf->etcd_user != NULL) {
		et.user = strdup(conf->etcd_user);
		et.password = strdup(conf->etcd_password);
	}
	for (et.nurls = 0; et.urls != NULL && et.urls[et.nurls] != NULL;
	    et.nurls++)
		;
	if (et.urls == NULL || et.prefix == NULL || et.host == NULL ||
	    et.timer == NULL || (conf->etcd_user != NULL && (et.user == NULL ||
	    et.password == NULL))) {
		log_warnx("etcd: out of memory; not publishing");
		et.on = 1;
		etcd_stop();
		return;
	}
	et.on = 1;
	log_notice("etcd: publishing as %s under %s on %s%s", et.host,
	    et.prefix, et.urls[0], et.nurls > 1 ? " and others" : "");
}

const struct export_pub export_etcd = {
	.name = "etcd",
	.kind = DIR_EXPORT_ETCD,
	.configure = etcd_configure,
	.sync = etcd_sync,
	.stop = etcd_stop,
};
