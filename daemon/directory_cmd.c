/*
 * directory_cmd.c: the directory's commands, request line in, reply out.
 *
 * Configured services are not stored in the lease table; lookup and list
 * read them live from service_foreach_info() and merge them with the
 * leases, configured services first within a name.  The list order is
 * (name, then configured services by proto/addr/port, then root's leases
 * by id, then other users' leases by id) and the cursor names the last
 * record sent ("echo:s0", "myapp:R3" for root's lease L3, "myapp:L17"),
 * so a page resumes where the last one stopped even when entries come
 * and go in between.
 *
 * Every reply is bounded: at most DIRCMD_LIST_MAX records and about
 * DIRCMD_REPLY_BUDGET bytes, whatever the table holds.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "directory.h"
#include "directory_cmd.h"
#include "log.h"
#include "proto.h"
#include "stats.h"
#include "service.h"

#define REC_MAX		4096	/* one EP line; the largest is ~2.5 KB */

/* A configured service, copied out of service_foreach_info(). */
/* The name of a service's OOB endpoint is the service's and this. */
#define DIR_OOB_SUFFIX	"/oob"

struct svcrec {
	char		 name[DIR_NAME_MAX + sizeof(DIR_OOB_SUFFIX)];
	char		 proto[8];
	char		 addr[DIR_ADDR_MAX];
	unsigned	 port;
	int		 dynamic;
	char		 state[16];
	unsigned	 idx;		/* rank among services of this name */
	unsigned long	 rpc_prog;	/* type = rpc: sent as tags; 0 none */
	unsigned long	 rpc_vlo, rpc_vhi;
};

struct svclist {
	struct svcrec	*v;
	size_t		 n, cap;
	const char	*name;		/* filter, NULL = all */
	const char	*proto;		/* filter, NULL = all */
	int		 remote;	/* leave out unix sockets */
	int		 oom;
};

/* One reply record under construction. */
struct rec {
	char		 buf[REC_MAX];
	size_t		 len;
	int		 overflow;
};

/* Where a list page starts. */
struct cursor {
	char		 name[DIR_NAME_MAX + sizeof(DIR_OOB_SUFFIX)];
	char		 kind;		/* 0 = from the start, 's', 'R', 'L' */
	unsigned long long num;
};

static void	 rec_add(struct rec *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static int	 rec_flush(struct rec *, struct evbuffer *);
static int	 addr_ok(const char *, const char *, char *, size_t);
static void	 svc_collect_cb(const struct service_info *, void *);
static int	 svc_cmp(const void *, const void *);
static void	 svc_collect(struct svclist *, int sorted);
static int	 put_svc(const struct dircmd_ctx *, const struct svcrec *,
		    struct evbuffer *);
static int	 put_lease(const struct dircmd_ctx *, const struct dir_entry *,
		    struct evbuffer *);
static int	 need_keys(const struct proto_req *, const char * const *,
		    size_t, struct evbuffer *);
static int	 parse_id(const struct proto_req *, uint64_t *,
		    struct evbuffer *);
static int	 parse_reg(const struct proto_req *, struct dir_reg *,
		    char *, size_t, struct evbuffer *);
static int	 parse_cursor(const char *, struct cursor *);
static void	 put_err(struct evbuffer *, enum proto_code, const char *);
static void	 put_ok(struct evbuffer *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static int	 cmd_hello(const struct dircmd_ctx *, const struct proto_req *,
		    struct evbuffer *);
static int	 cmd_register(const struct dircmd_ctx *,
		    const struct proto_req *, struct evbuffer *);
static int	 cmd_renew(const struct dircmd_ctx *, const struct proto_req *,
		    struct evbuffer *);
static int	 cmd_unregister(const struct dircmd_ctx *,
		    const struct proto_req *, struct evbuffer *);
static int	 cmd_lookup(const struct dircmd_ctx *, const struct proto_req *,
		    struct evbuffer *);
static int	 cmd_list(const struct dircmd_ctx *, const struct proto_req *,
		    struct evbuffer *);
static void	 list_page(const struct dircmd_ctx *, struct svclist *,
		    const struct cursor *, unsigned long, struct evbuffer *);

static const struct {
	const char	*name;
	int		 remote_ok;
	int		(*fn)(const struct dircmd_ctx *, const struct proto_req *,
			    struct evbuffer *);
} cmds[] = {
	{ "hello", 1, cmd_hello },
	{ "register", 0, cmd_register },
	{ "renew", 0, cmd_renew },
	{ "unregister", 0, cmd_unregister },
	{ "lookup", 1, cmd_lookup },
	{ "list", 1, cmd_list },
};

/* printf into a record; an overflow marks it unusable. */
static void
rec_add(struct rec *r, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	if (r->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(r->buf + r->len, sizeof(r->buf) - r->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(r->buf) - r->len)
		r->overflow = 1;
	else
		r->len += (size_t)n;
}

/* Send a finished record; 1 sent, 0 dropped. */
static int
rec_flush(struct rec *r, struct evbuffer *out)
{
	if (r->overflow) {
		log_debug("directory: record too long, left out");
		return 0;
	}
	rec_add(r, "\n");
	return evbuffer_add(out, r->buf, r->len) == 0;
}

/*
 * A service address as clients can use it: a numeric IP or a socket
 * path, copied to buf.  A service that failed to bind still shows the
 * address as written: "*" means every address, a name is left out.
 */
static int
addr_ok(const char *proto, const char *addr, char *buf, size_t len)
{
	struct in6_addr	a6;
	struct in_addr	a4;

	if (addr == NULL)
		return 0;
	if (strcmp(proto, "unix") != 0 && strcmp(addr, "*") == 0)
		addr = "::";
	else if (strcmp(proto, "unix") != 0 && strcmp(addr, "localhost") == 0)
		addr = "127.0.0.1";
	if (!proto_token_ok(addr) || strlen(addr) >= len)
		return 0;
	if (strcmp(proto, "unix") == 0)
		return snprintf(buf, len, "%s", addr) > 0 &&
		    (addr[0] == '/' || addr[0] == '@');
	if (inet_pton(AF_INET, addr, &a4) != 1 &&
	    inet_pton(AF_INET6, addr, &a6) != 1)
		return 0;
	snprintf(buf, len, "%s", addr);
	return 1;
}

/* Append one configured endpoint to l, if l asks for it. */
static void
svc_add(struct svclist *l, const char *name, const char *proto,
    const struct service_info *i, int port, int dynamic)
{
	struct svcrec	*s, *v;

	if ((l->name != NULL && strcmp(name, l->name) != 0) ||
	    (l->proto != NULL && strcmp(proto, l->proto) != 0) ||
	    (l->remote && strcmp(proto, "unix") == 0))
		return;
	if (l->n == l->cap) {
		if ((v = reallocarray(l->v, l->cap ? l->cap * 2 : 8,
		    sizeof(*v))) == NULL) {
			l->oom = 1;
			return;
		}
		l->v = v;
		l->cap = l->cap ? l->cap * 2 : 8;
	}
	s = &l->v[l->n];
	memset(s, 0, sizeof(*s));
	if (!addr_ok(proto, i->address, s->addr, sizeof(s->addr)))
		return;
	snprintf(s->name, sizeof(s->name), "%s", name);
	snprintf(s->proto, sizeof(s->proto), "%s", proto);
	snprintf(s->state, sizeof(s->state), "%s",
	    i->state != NULL && proto_token_ok(i->state) ? i->state : "failed");
	s->port = port > 0 && port <= DIR_PORT_MAX ? (unsigned)port : 0;
	s->dynamic = dynamic;
	l->n++;
	if (strcmp(name, i->name) == 0) {	/* not NAME/oob */
		s->rpc_prog = i->rpc_prog;
		s->rpc_vlo = i->rpc_vlo;
		s->rpc_vhi = i->rpc_vhi;
	}
}

/*
 * service_foreach_info() callback: keep the services asked for, and each
 * one's OOB endpoint as NAME/oob (TCP, on the service's address).
 */
static void
svc_collect_cb(const struct service_info *i, void *arg)
{
	struct svclist	*l = arg;
	char		 oob[DIR_NAME_MAX + sizeof(DIR_OOB_SUFFIX)];

	if (l->oom || i->name == NULL || i->proto == NULL ||
	    strlen(i->name) > DIR_NAME_MAX || !proto_token_ok(i->name))
		return;
	svc_add(l, i->name, i->proto, i, i->port, i->dynamic);
	if (i->oob_port >= 0 && !l->oom) {
		snprintf(oob, sizeof(oob), "%s%s", i->name, DIR_OOB_SUFFIX);
		svc_add(l, oob, "tcp", i, i->oob_port, i->oob_dynamic);
	}
}

/* A name lookups may ask for: a service name, or one with "/oob". */
static int
lookup_name_ok(const char *s)
{
	char	base[DIR_NAME_MAX + 1];
	size_t	n = strlen(s), sl = strlen(DIR_OOB_SUFFIX);

	if (dir_name_ok(s))
		return 1;
	if (n <= sl || n - sl > DIR_NAME_MAX ||
	    strcmp(s + n - sl, DIR_OOB_SUFFIX) != 0)
		return 0;
	memcpy(base, s, n - sl);
	base[n - sl] = '\0';
	return dir_name_ok(base);
}

/* List order of configured services: name, proto, addr, port. */
static int
svc_cmp(const void *a, const void *b)
{
	const struct svcrec	*x = a, *y = b;
	int			 c;

	if ((c = strcmp(x->name, y->name)) != 0 ||
	    (c = strcmp(x->proto, y->proto)) != 0 ||
	    (c = strcmp(x->addr, y->addr)) != 0)
		return c;
	return x->port < y->port ? -1 : x->port > y->port;
}

/* Gather the configured services (sorted and ranked for paging). */
static void
svc_collect(struct svclist *l, int sorted)
{
	size_t	i;

	service_foreach_info(svc_collect_cb, l);
	if (!sorted || l->n == 0)
		return;
	qsort(l->v, l->n, sizeof(l->v[0]), svc_cmp);
	for (i = 0; i < l->n; i++)
		l->v[i].idx = i > 0 && strcmp(l->v[i].name, l->v[i - 1].name)
		    == 0 ? l->v[i - 1].idx + 1 : 0;
}

/* One EP record for a configured service. */
static int
put_svc(const struct dircmd_ctx *ctx, const struct svcrec *s,
    struct evbuffer *out)
{
	struct rec	r = { .len = 0 };

	rec_add(&r, "EP name=%s proto=%s addr=%s port=%u source=%s state=%s",
	    s->name, s->proto, s->addr, s->port,
	    s->dynamic ? "dynamic" : "static", s->state);
	if (ctx->cred != NULL)
		rec_add(&r, " uid=%lu pid=%ld", (unsigned long)geteuid(),
		    (long)getpid());
	rec_add(&r, " expires=- prio=0 weight=1");
	if (s->rpc_prog != 0)
		rec_add(&r, " tag.rpc-program=%lu tag.rpc-versions=%lu-%lu",
		    s->rpc_prog, s->rpc_vlo, s->rpc_vhi);
	return rec_flush(&r, out);
}

/* One EP record for a lease. */
static int
put_lease(const struct dircmd_ctx *ctx, const struct dir_entry *e,
    struct evbuffer *out)
{
	struct rec	r = { .len = 0 };
	size_t		i;

	if (ctx->cred == NULL && e->proto == DIR_PROTO_UNIX)
		return 0;
	rec_add(&r, "EP name=%s proto=%s addr=%s port=%u source=registered "
	    "state=live", e->name, dir_proto_name(e->proto), e->addr, e->port);
	if (ctx->cred != NULL)
		rec_add(&r, " uid=%lu pid=%ld", (unsigned long)e->uid,
		    (long)e->pid);
	if (e->expires_ms == 0)
		rec_add(&r, " expires=-");
	else
		rec_add(&r, " expires=%llu", (unsigned long long)
		    (e->expires_ms > ctx->now_ms ?
		    (e->expires_ms - ctx->now_ms + 999) / 1000 : 0));
	rec_add(&r, " prio=%u weight=%u", e->prio, e->weight);
	for (i = 0; i < e->ntags; i++)
		rec_add(&r, " tag.%s", e->tags[i]);
	return rec_flush(&r, out);
}

/* Append "ERR <code> <text>". */
void
dircmd_err(struct evbuffer *out, const char *code, const char *text)
{
	evbuffer_add_printf(out, "ERR %s %s\n", code, text);
}

/* Append "ERR <code> <text>" for one of the codes of proto.h. */
static void
put_err(struct evbuffer *out, enum proto_code code, const char *text)
{
	dircmd_err(out, proto_code_name(code), text);
}

/* Append "OK <n>" and optional k=v text. */
static void
put_ok(struct evbuffer *out, size_t n, const char *fmt, ...)
{
	va_list	ap;

	evbuffer_add_printf(out, "OK %zu", n);
	if (fmt != NULL) {
		evbuffer_add(out, " ", 1);
		va_start(ap, fmt);
		evbuffer_add_vprintf(out, fmt, ap);
		va_end(ap);
	}
	evbuffer_add(out, "\n", 1);
}

/* Refuse unknown keys; the first nreq of keys are required. */
static int
need_keys(const struct proto_req *req, const char * const *keys,
    size_t nreq, struct evbuffer *out)
{
	const char	*k;
	char		 text[128];
	size_t		 i;

	if ((k = proto_unknown_key(req, keys, strcmp(req->cmd, "register") ==
	    0 ? "tag." : NULL)) != NULL) {
		snprintf(text, sizeof(text), "unknown key %s for %s", k,
		    req->cmd);
		put_err(out, PROTO_C_EBADREQ, text);
		return -1;
	}
	for (i = 0; i < nreq; i++) {
		if (proto_get(req, keys[i]) != NULL)
			continue;
		snprintf(text, sizeof(text), "missing key %s", keys[i]);
		put_err(out, PROTO_C_EBADREQ, text);
		return -1;
	}
	return 0;
}

/* id=L<n>. */
static int
parse_id(const struct proto_req *req, uint64_t *id, struct evbuffer *out)
{
	static const char * const keys[] = { "id", NULL };
	const char	*v;
	char		*end;

	if (need_keys(req, keys, 1, out) == -1)
		return -1;
	v = proto_get(req, "id");
	if (v[0] != 'L' || v[1] < '1' || v[1] > '9' || strlen(v) > 20) {
		put_err(out, PROTO_C_EBADREQ, "id must be L<number>");
		return -1;
	}
	*id = strtoull(v + 1, &end, 10);
	if (*end != '\0') {
		put_err(out, PROTO_C_EBADREQ, "id must be L<number>");
		return -1;
	}
	return 0;
}

/*
 * The arguments of register, checked for form (the table checks sense).
 * The tokenizer split "tag.K=V" into key and value; they are joined
 * again as "K=V" in pack.
 */
static int
parse_reg(const struct proto_req *req, struct dir_reg *r, char *pack,
    size_t packlen, struct evbuffer *out)
{
	static const char * const keys[] = { "name", "proto", "addr", "port",
	    "ttl", "prio", "weight", "export", NULL };
	unsigned long	 v[4] = { 0, 0, 0, 1 };
	const char	*ex;
	static const char *const num[] = { "port", "ttl", "prio", "weight" };
	static const unsigned long max[] = { DIR_PORT_MAX, 1000000000UL,
	    DIR_PRIO_MAX, DIR_PRIO_MAX };
	char		 text[96];
	size_t		 i, off = 0;
	int		 n;

	if (need_keys(req, keys, 4, out) == -1)
		return -1;
	memset(r, 0, sizeof(*r));
	if (dir_proto_parse(proto_get(req, "proto"), &r->proto) == -1) {
		put_err(out, PROTO_C_EBADREQ, "proto must be tcp, udp or unix");
		return -1;
	}
	for (i = 0; i < 4; i++)
		if (proto_get_uint(req, num[i], max[i], &v[i]) == -1) {
			snprintf(text, sizeof(text), "%s must be a number "
			    "0-%lu", num[i], max[i]);
			put_err(out, PROTO_C_EBADREQ, text);
			return -1;
		}
	r->name = proto_get(req, "name");
	r->addr = proto_get(req, "addr");
	r->port = v[0];
	r->ttl = v[1];
	r->prio = v[2];
	r->weight = v[3];
	if ((ex = proto_get(req, "export")) != NULL &&
	    strcmp(ex, "yes") != 0 && strcmp(ex, "no") != 0) {
		put_err(out, PROTO_C_EBADREQ, "export must be yes or no");
		return -1;
	}
	r->export = ex != NULL && strcmp(ex, "yes") == 0;
	for (i = 0; i < req->nargs; i++) {
		if (strncmp(req->args[i].key, "tag.", 4) != 0 ||
		    r->ntags >= sizeof(r->tags) / sizeof(r->tags[0]))
			continue;
		n = snprintf(pack + off, packlen - off, "%s=%s",
		    req->args[i].key + 4, req->args[i].val);
		if (n < 0 || (size_t)n >= packlen - off)
			break;	/* cannot happen: pack is a line long */
		r->tags[r->ntags++] = pack + off;
		off += (size_t)n + 1;
	}
	return 0;
}

/* hello v=1 -> OK 0 v=1 uid=<peer> */
static int
cmd_hello(const struct dircmd_ctx *ctx, const struct proto_req *req,
    struct evbuffer *out)
{
	static const char * const keys[] = { "v", NULL };

	if (need_keys(req, keys, 1, out) == -1)
		return 0;
	if (strcmp(proto_get(req, "v"), "1") != 0) {
		put_err(out, PROTO_C_EBADREQ, "unsupported protocol version, "
		    "this daemon speaks v=1");
		return 0;
	}
	if (ctx->cred != NULL)
		put_ok(out, 0, "v=1 uid=%lu", (unsigned long)ctx->cred->uid);
	else
		put_ok(out, 0, "v=1");
	return 0;
}

/* register ... -> OK 0 id=L<n> ttl=<granted> */
static int
cmd_register(const struct dircmd_ctx *ctx, const struct proto_req *req,
    struct evbuffer *out)
{
	struct dir_reg	 r;
	char		 pack[PROTO_LINE_MAX];
	enum dir_err	 e;
	uint64_t	 id;
	unsigned	 ttl;

	if (parse_reg(req, &r, pack, sizeof(pack), out) == -1)
		return 0;
	r.conn = ctx->conn;
	e = dir_register(ctx->dir, &r, ctx->cred, ctx->now_ms, &id, &ttl);
	if (e != DIR_OK) {
		dircmd_err(out, dir_errcode(e), dir_strerror(e));
		log_debug("directory: uid %lu pid %ld: register %s refused: %s",
		    (unsigned long)ctx->cred->uid, (long)ctx->cred->pid, r.name,
		    dir_strerror(e));
		return 0;
	}
	log_info("directory: uid %lu pid %ld registered %s %s %s port %u as "
	    "L%llu, %s %u", (unsigned long)ctx->cred->uid,
	    (long)ctx->cred->pid, r.name, dir_proto_name(r.proto), r.addr,
	    r.port, (unsigned long long)id, ttl ? "ttl" : "connection-bound",
	    ttl);
	put_ok(out, 0, "id=L%llu ttl=%u", (unsigned long long)id, ttl);
	return DIRCMD_CHANGED;
}

/* renew id=L<n> -> OK 0 ttl=<s> */
static int
cmd_renew(const struct dircmd_ctx *ctx, const struct proto_req *req,
    struct evbuffer *out)
{
	uint64_t	id;
	unsigned	ttl;
	enum dir_err	e;

	if (parse_id(req, &id, out) == -1)
		return 0;
	if ((e = dir_renew(ctx->dir, id, ctx->cred, ctx->now_ms, &ttl)) !=
	    DIR_OK) {
		dircmd_err(out, dir_errcode(e), dir_strerror(e));
		return 0;
	}
	put_ok(out, 0, "ttl=%u", ttl);
	return DIRCMD_CHANGED;
}

/* unregister id=L<n> -> OK 0 */
static int
cmd_unregister(const struct dircmd_ctx *ctx, const struct proto_req *req,
    struct evbuffer *out)
{
	uint64_t	id;
	enum dir_err	e;

	if (parse_id(req, &id, out) == -1)
		return 0;
	if ((e = dir_unregister(ctx->dir, id, ctx->cred)) != DIR_OK) {
		dircmd_err(out, dir_errcode(e), dir_strerror(e));
		return 0;
	}
	log_info("directory: uid %lu pid %ld unregistered L%llu",
	    (unsigned long)ctx->cred->uid, (long)ctx->cred->pid,
	    (unsigned long long)id);
	put_ok(out, 0, NULL);
	return DIRCMD_CHANGED;
}

/* lookup name=N [proto=P] -> EP records, OK <n> (or ENOENT) */
static int
cmd_lookup(const struct dircmd_ctx *ctx, const struct proto_req *req,
    struct evbuffer *out)
{
	static const char * const keys[] = { "name", "proto", NULL };
	struct svclist		 l = { .remote = ctx->cred == NULL };
	const struct dir_entry	*e;
	enum dir_proto		 p = DIR_PROTO_TCP;
	size_t			 i, n = 0, len0 = evbuffer_get_length(out);
	char			 text[64];
	int			 more = 0;

	stats_inc(STATS_DIR_LOOKUPS);
	if (need_keys(req, keys, 1, out) == -1)
		return 0;
	l.name = proto_get(req, "name");
	l.proto = proto_get(req, "proto");
	if (!lookup_name_ok(l.name)) {
		put_err(out, PROTO_C_EBADREQ, dir_strerror(DIR_EBADNAME));
		return 0;
	}
	if (l.proto != NULL && dir_proto_parse(l.proto, &p) == -1) {
		put_err(out, PROTO_C_EBADREQ, "proto must be tcp, udp or unix");
		return 0;
	}
	svc_collect(&l, 0);
	for (i = 0; i < l.n && n < DIRCMD_LIST_MAX; i++)
		n += put_svc(ctx, &l.v[i], out);
	free(l.v);
	for (e = dir_first(ctx->dir, l.name); e != NULL;
	    e = dir_next_replica(e)) {
		if (l.proto != NULL && e->proto != p)
			continue;
		if (n >= DIRCMD_LIST_MAX ||
		    evbuffer_get_length(out) - len0 >= DIRCMD_REPLY_BUDGET) {
			more = 1;
			break;
		}
		n += put_lease(ctx, e, out);
	}
	if (n == 0) {
		snprintf(text, sizeof(text), "no endpoint named %s", l.name);
		put_err(out, PROTO_C_ENOENT, text);
	} else if (more)
		put_ok(out, n, "truncated=1");
	else
		put_ok(out, n, NULL);
	return 0;
}

/* "name:sN", "name:RN" or "name:LN" into c. */
static int
parse_cursor(const char *s, struct cursor *c)
{
	const char	*colon = strchr(s, ':');
	char		*end;
	size_t		 len;

	memset(c, 0, sizeof(*c));
	if (colon == NULL || (len = (size_t)(colon - s)) == 0 ||
	    len >= sizeof(c->name) || strchr("sRL", colon[1]) == NULL ||
	    colon[1] == '\0' ||
	    colon[2] < '0' || colon[2] > '9' || strlen(colon + 2) > 19)
		return -1;
	memcpy(c->name, s, len);
	c->kind = colon[1];
	c->num = strtoull(colon + 2, &end, 10);
	return *end == '\0' ? 0 : -1;
}

/* list [after=<cursor>] [limit=N] -> EP records, OK <n> [next=<cursor>] */
static int
cmd_list(const struct dircmd_ctx *ctx, const struct proto_req *req,
    struct evbuffer *out)
{
	static const char * const keys[] = { "after", "limit", NULL };
	struct svclist	 l = { .remote = ctx->cred == NULL };
	struct cursor	 c;
	unsigned long	 limit = DIRCMD_LIST_MAX;
	const char	*after;

	if (need_keys(req, keys, 0, out) == -1)
		return 0;
	if (proto_get_uint(req, "limit", 1000000, &limit) == -1 || limit == 0) {
		put_err(out, PROTO_C_EBADREQ, "limit must be a number 1-200");
		return 0;
	}
	if (limit > DIRCMD_LIST_MAX)
		limit = DIRCMD_LIST_MAX;
	memset(&c, 0, sizeof(c));
	if ((after = proto_get(req, "after")) != NULL &&
	    parse_cursor(after, &c) == -1) {
		put_err(out, PROTO_C_EBADREQ,
		    "after must be a cursor from next=");
		return 0;
	}
	svc_collect(&l, 1);
	list_page(ctx, &l, &c, limit, out);
	free(l.v);
	return 0;
}

/* Merge configured services and leases from cursor c onwards. */
static void
list_page(const struct dircmd_ctx *ctx, struct svclist *l,
    const struct cursor *c, unsigned long limit, struct evbuffer *out)
{
	const struct dir_entry	*e;
	size_t			 si = 0, n = 0, len0 = evbuffer_get_length(out);
	char			 last[64] = "";
	int			 svc;

	while (si < l->n && c->kind != 0 &&
	    (strcmp(l->v[si].name, c->name) < 0 ||
	    (strcmp(l->v[si].name, c->name) == 0 &&
	    (c->kind != 's' || l->v[si].idx <= c->num))))
		si++;
	e = dir_seek_rank(ctx->dir, c->name, c->kind == 'L',
	    c->kind == 's' ? 0 : c->num);
	while ((si < l->n || e != NULL) && n < limit &&
	    evbuffer_get_length(out) - len0 < DIRCMD_REPLY_BUDGET) {
		svc = e == NULL || (si < l->n &&
		    strcmp(l->v[si].name, e->name) <= 0);
		if (svc) {
			n += put_svc(ctx, &l->v[si], out);
			snprintf(last, sizeof(last), "%s:s%u", l->v[si].name,
			    l->v[si].idx);
			si++;
		} else {
			n += put_lease(ctx, e, out);
			snprintf(last, sizeof(last), "%s:%c%llu", e->name,
			    dir_rank(e) == 0 ? 'R' : 'L',
			    (unsigned long long)e->id);
			e = dir_next(ctx->dir, e);
		}
	}
	if ((si < l->n || e != NULL) && last[0] != '\0')
		put_ok(out, n, "next=%s", last);
	else
		put_ok(out, n, NULL);
}

/* Parse, dispatch, reply. */
int
dircmd_line(const struct dircmd_ctx *ctx, const char *line, size_t len,
    struct evbuffer *out)
{
	struct proto_req	 req;
	enum proto_err		 pe;
	size_t			 i;

	if ((pe = proto_parse(&req, line, len)) != PROTO_OK) {
		dircmd_err(out, proto_errcode(pe), proto_strerror(pe));
		return pe == PROTO_ETOOBIG ? DIRCMD_CLOSE : 0;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(req.cmd, cmds[i].name) != 0)
			continue;
		if (ctx->cred == NULL && !cmds[i].remote_ok) {
			put_err(out, PROTO_C_EPERM, "the remote directory is "
			    "read-only (hello, lookup, list)");
			return 0;
		}
		return cmds[i].fn(ctx, &req, out);
	}
	put_err(out, PROTO_C_EBADREQ, "unknown command (hello, register, "
	    "renew, unregister, lookup, list)");
	return 0;
}
