/*
 * reply.c: strict parsers for directory reply lines, endpoint helpers.
 *
 * Replies come from a daemon we trust to be buggy, not from a friend:
 * every field is checked, anything odd makes the whole line malformed
 * (EBADMSG), and nothing here can overrun a buffer.  Unknown keys are
 * skipped so that newer daemons can add fields.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_priv.h"

/* Bits of the keys seen in one EP record, to catch duplicates. */
#define K_NAME		0x001
#define K_PROTO		0x002
#define K_ADDR		0x004
#define K_PORT		0x008
#define K_SOURCE	0x010
#define K_STATE		0x020
#define K_UID		0x040
#define K_PID		0x080
#define K_EXPIRES	0x100
#define K_PRIO		0x200
#define K_WEIGHT	0x400
#define K_REQUIRED	(K_NAME | K_PROTO | K_ADDR | K_PORT)

/* A key=value token, as pointers into the line. */
struct kv {
	const char	*key;
	size_t		 klen;
	const char	*val;
	size_t		 vlen;
};

static int	tok_next(const char **, struct kv *);
static int	num_parse(const char *, size_t, unsigned long long,
		    unsigned long long *);
static int	word_copy(char *, size_t, const struct kv *);
static int	ep_field(struct superd_endpoint *, const struct kv *,
		    unsigned *);
static int	ep_number(struct superd_endpoint *, const struct kv *,
		    unsigned *);
static int	ep_tag(struct superd_endpoint *, const struct kv *);
static int	ep_addr_ok(const struct superd_endpoint *);
static int	key_is(const struct kv *, const char *);
static int	once(unsigned *, unsigned);
static int	status_err(const char *, struct superd_status *);
static int	status_ok(const char *, struct superd_status *);
static int	bad(void);

/* Fail with EBADMSG: the one error of this file. */
static int
bad(void)
{
	errno = EBADMSG;
	return -1;
}

/* A request token: non-empty, only [A-Za-z0-9._:/@%+=-]. */
int
sdc_token_ok(const char *s)
{
	static const char extra[] = "._:/@%+=-";

	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9'))
			continue;
		if (strchr(extra, *s) == NULL)
			return 0;
	}
	return 1;
}

/*
 * Cut the next "k=v" token at *pp.  Tokens are separated by exactly one
 * space and hold printable ASCII only.  Returns 1, 0 at end, -1 if bad.
 */
static int
tok_next(const char **pp, struct kv *kv)
{
	const char	*p = *pp, *start, *eq = NULL;

	if (*p == '\0')
		return 0;
	start = p;
	for (; *p != '\0' && *p != ' '; p++) {
		if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
			return -1;
		if (*p == '=' && eq == NULL)
			eq = p;
	}
	if (eq == NULL || eq == start)
		return -1;
	kv->key = start;
	kv->klen = eq - start;
	kv->val = eq + 1;
	kv->vlen = p - eq - 1;
	if (*p == ' ') {
		p++;
		if (*p == '\0' || *p == ' ')
			return -1;
	}
	*pp = p;
	return 1;
}

/* Parse a plain decimal (digits only) no larger than max. */
static int
num_parse(const char *s, size_t len, unsigned long long max,
    unsigned long long *out)
{
	unsigned long long	 v = 0;
	size_t			 i;

	if (len == 0 || len > 20)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (max - (s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Does the token's key equal k? */
static int
key_is(const struct kv *kv, const char *k)
{
	return strlen(k) == kv->klen && memcmp(kv->key, k, kv->klen) == 0;
}

/* Mark bit as seen; a key that comes twice makes the line malformed. */
static int
once(unsigned *seen, unsigned bit)
{
	if (*seen & bit)
		return -1;
	*seen |= bit;
	return 0;
}

/* Copy a non-empty value that must fit in dst (NUL included). */
static int
word_copy(char *dst, size_t size, const struct kv *kv)
{
	if (kv->vlen == 0 || kv->vlen >= size)
		return -1;
	memcpy(dst, kv->val, kv->vlen);
	dst[kv->vlen] = '\0';
	return 0;
}

/* Append one tag.K=V; a repeated K is malformed. */
static int
ep_tag(struct superd_endpoint *ep, const struct kv *kv)
{
	struct superd_tag	*t;
	size_t			 klen = kv->klen - 4;
	char			*k, *v;

	if (klen == 0)
		return -1;
	for (size_t i = 0; i < ep->ntags; i++)
		if (strlen(ep->tags[i].key) == klen &&
		    memcmp(ep->tags[i].key, kv->key + 4, klen) == 0)
			return -1;
	t = reallocarray(ep->tags, ep->ntags + 1, sizeof(*t));
	if (t == NULL)
		return -1;
	ep->tags = t;
	k = strndup(kv->key + 4, klen);
	v = strndup(kv->val, kv->vlen);
	if (k == NULL || v == NULL) {
		free(k);
		free(v);
		return -1;
	}
	t[ep->ntags].key = k;
	t[ep->ntags].value = v;
	ep->ntags++;
	return 0;
}

/* The numeric fields of an EP record; 1 if kv was not one of them. */
static int
ep_number(struct superd_endpoint *ep, const struct kv *kv, unsigned *seen)
{
	unsigned long long	v;

	if (key_is(kv, "port")) {
		if (once(seen, K_PORT) || num_parse(kv->val, kv->vlen, 65535, &v))
			return -1;
		ep->port = v;
	} else if (key_is(kv, "prio")) {
		if (once(seen, K_PRIO) || num_parse(kv->val, kv->vlen, 65535, &v))
			return -1;
		ep->prio = v;
	} else if (key_is(kv, "weight")) {
		if (once(seen, K_WEIGHT) ||
		    num_parse(kv->val, kv->vlen, 65535, &v))
			return -1;
		ep->weight = v;
	} else if (key_is(kv, "uid")) {
		if (once(seen, K_UID) ||
		    num_parse(kv->val, kv->vlen, UINT32_MAX, &v))
			return -1;
		ep->uid = v;
	} else if (key_is(kv, "pid")) {
		if (once(seen, K_PID) || num_parse(kv->val, kv->vlen, INT_MAX, &v))
			return -1;
		ep->pid = v;
	} else if (key_is(kv, "expires")) {
		if (once(seen, K_EXPIRES))
			return -1;
		if (kv->vlen == 1 && kv->val[0] == '-')
			ep->expires = -1;
		else if (num_parse(kv->val, kv->vlen, INT32_MAX, &v))
			return -1;
		else
			ep->expires = v;
	} else
		return 1;
	return 0;
}

/* One key=value of an EP record into ep. */
static int
ep_field(struct superd_endpoint *ep, const struct kv *kv, unsigned *seen)
{
	int	r;

	if (key_is(kv, "name"))
		return once(seen, K_NAME) ||
		    word_copy(ep->name, sizeof(ep->name), kv) ? -1 : 0;
	if (key_is(kv, "proto")) {
		if (once(seen, K_PROTO) ||
		    word_copy(ep->proto, sizeof(ep->proto), kv))
			return -1;
		return strcmp(ep->proto, "tcp") == 0 ||
		    strcmp(ep->proto, "udp") == 0 ||
		    strcmp(ep->proto, "unix") == 0 ? 0 : -1;
	}
	if (key_is(kv, "addr"))
		return once(seen, K_ADDR) ||
		    word_copy(ep->addr, sizeof(ep->addr), kv) ? -1 : 0;
	if (key_is(kv, "source"))
		return once(seen, K_SOURCE) ||
		    word_copy(ep->source, sizeof(ep->source), kv) ? -1 : 0;
	if (key_is(kv, "state"))
		return once(seen, K_STATE) ||
		    word_copy(ep->state, sizeof(ep->state), kv) ? -1 : 0;
	if ((r = ep_number(ep, kv, seen)) != 1)
		return r;
	if (kv->klen >= 4 && memcmp(kv->key, "tag.", 4) == 0)
		return ep_tag(ep, kv);
	return 0;	/* unknown key: newer daemon, skip it */
}

/* tcp/udp need a numeric IP; unix a path or an abstract "@name". */
static int
ep_addr_ok(const struct superd_endpoint *ep)
{
	struct in6_addr	 a6;
	struct in_addr	 a4;
	char		 buf[SUPERD_ADDR_MAX], *pct;

	if (strcmp(ep->proto, "unix") == 0)
		return (ep->addr[0] == '/' || ep->addr[0] == '@') &&
		    strlen(ep->addr) < 108;
	if (inet_pton(AF_INET, ep->addr, &a4) == 1)
		return 1;
	snprintf(buf, sizeof(buf), "%s", ep->addr);
	if ((pct = strchr(buf, '%')) != NULL) {
		if (pct[1] == '\0')
			return 0;
		*pct = '\0';
	}
	return inet_pton(AF_INET6, buf, &a6) == 1;
}

/* Parse "EP k=v ..." strictly into ep (cleared first). */
int
superd_parse_endpoint(const char *line, struct superd_endpoint *ep)
{
	const char	*p;
	struct kv	 kv;
	unsigned	 seen = 0;
	int		 r;

	memset(ep, 0, sizeof(*ep));
	ep->uid = ep->pid = ep->expires = -1;
	ep->weight = 1;
	if (line == NULL || strncmp(line, "EP ", 3) != 0)
		return bad();
	p = line + 3;
	while ((r = tok_next(&p, &kv)) == 1)
		if (ep_field(ep, &kv, &seen) == -1)
			break;
	if (r != 0 || (seen & K_REQUIRED) != K_REQUIRED || !ep_addr_ok(ep)) {
		superd_endpoint_clear(ep);
		return bad();
	}
	return 0;
}

/* The tail of an ERR line: "CODE[ text]". */
static int
status_err(const char *p, struct superd_status *st)
{
	size_t	n = strcspn(p, " ");

	if (n == 0 || n >= sizeof(st->code))
		return bad();
	for (size_t i = 0; i < n; i++)
		if (!(p[i] >= 'A' && p[i] <= 'Z') && !(p[i] >= '0' && p[i] <= '9'))
			return bad();
	memcpy(st->code, p, n);
	st->code[n] = '\0';
	p += n;
	if (*p == ' ')
		p++;
	for (const char *q = p; *q != '\0'; q++)
		if ((unsigned char)*q < 0x20 || (unsigned char)*q > 0x7e)
			return bad();
	snprintf(st->text, sizeof(st->text), "%s", p);
	return 0;
}

/* The tail of an OK line: "<n>[ k=v ...]". */
static int
status_ok(const char *p, struct superd_status *st)
{
	unsigned long long	 n;
	size_t			 len = strcspn(p, " ");
	const char		*kvs;
	struct kv		 kv;
	int			 r;

	if (num_parse(p, len, SDC_MAX_RECORDS, &n) == -1)
		return bad();
	st->count = n;
	p += len;
	if (*p == '\0')
		return 0;
	kvs = ++p;
	if (*kvs == '\0' || strlen(kvs) >= sizeof(st->kv))
		return bad();
	while ((r = tok_next(&p, &kv)) == 1)
		;
	if (r != 0)
		return bad();
	memcpy(st->kv, kvs, strlen(kvs) + 1);
	return 0;
}

/* Parse the final line of a reply: "OK <n> [k=v...]" or "ERR CODE text". */
int
superd_parse_status(const char *line, struct superd_status *st)
{
	memset(st, 0, sizeof(*st));
	if (line == NULL)
		return bad();
	if (strncmp(line, "OK ", 3) == 0) {
		st->ok = 1;
		return status_ok(line + 3, st);
	}
	if (strncmp(line, "ERR ", 4) == 0)
		return status_err(line + 4, st);
	return bad();
}

/* Copy the value of key from an OK line's tokens. */
int
superd_status_get(const struct superd_status *st, const char *key,
    char *buf, size_t len)
{
	const char	*p = st->kv;
	struct kv	 kv;

	while (tok_next(&p, &kv) == 1) {
		if (!key_is(&kv, key))
			continue;
		if (kv.vlen >= len) {
			errno = ENOSPC;
			return -1;
		}
		memcpy(buf, kv.val, kv.vlen);
		buf[kv.vlen] = '\0';
		return 0;
	}
	errno = ENOENT;
	return -1;
}

/* Map a protocol ERR code onto the nearest errno. */
int
sdc_errno_of(const char *code)
{
	static const struct {
		const char	*code;
		int		 err;
	} map[] = {
		{ "EBADREQ", EINVAL },
		{ "ETOOBIG", EMSGSIZE },
		{ "EPERM", EPERM },
		{ "EEXIST", EEXIST },
		{ "ENOENT", ENOENT },
		{ "EQUOTA", EDQUOT },
		{ "EBUSY", EBUSY },
		{ "ENOTBOUND", EADDRNOTAVAIL },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(code, map[i].code) == 0)
			return map[i].err;
	return EPROTO;
}

/* Format an endpoint the way people type it. */
int
superd_endpoint_format(const struct superd_endpoint *ep, char *buf,
    size_t len)
{
	int	n;

	if (strcmp(ep->proto, "unix") == 0)
		n = snprintf(buf, len, "unix:%s", ep->addr);
	else if (strchr(ep->addr, ':') != NULL)
		n = snprintf(buf, len, "[%s]:%u/%s", ep->addr, ep->port,
		    ep->proto);
	else
		n = snprintf(buf, len, "%s:%u/%s", ep->addr, ep->port,
		    ep->proto);
	if (n < 0 || (size_t)n >= len) {
		errno = ENOSPC;
		return -1;
	}
	return n;
}

/* Value of tag key, or NULL. */
const char *
superd_endpoint_tag(const struct superd_endpoint *ep, const char *key)
{
	for (size_t i = 0; i < ep->ntags; i++)
		if (strcmp(ep->tags[i].key, key) == 0)
			return ep->tags[i].value;
	return NULL;
}

/* Free an endpoint's tags. */
void
superd_endpoint_clear(struct superd_endpoint *ep)
{
	for (size_t i = 0; i < ep->ntags; i++) {
		free(ep->tags[i].key);
		free(ep->tags[i].value);
	}
	free(ep->tags);
	ep->tags = NULL;
	ep->ntags = 0;
}

/* Move *ep (and its tags) to the end of the list. */
int
sdc_eplist_push(struct superd_eplist *l, struct superd_endpoint *ep)
{
	struct superd_endpoint	*n;
	size_t			 cap;

	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 16;
		n = reallocarray(l->ep, cap, sizeof(*n));
		if (n == NULL)
			return -1;
		l->ep = n;
		l->cap = cap;
	}
	l->ep[l->n++] = *ep;
	ep->tags = NULL;
	ep->ntags = 0;
	return 0;
}

/* Drop entries past n (a failed request undoes its partial records). */
void
sdc_eplist_truncate(struct superd_eplist *l, size_t n)
{
	while (l->n > n)
		superd_endpoint_clear(&l->ep[--l->n]);
}

/* Free everything a list holds and reset it to empty. */
void
superd_eplist_free(struct superd_eplist *l)
{
	sdc_eplist_truncate(l, 0);
	free(l->ep);
	l->ep = NULL;
	l->cap = 0;
}
