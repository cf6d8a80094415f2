/*
 * statefile.c: the running-request table on disk.  See statefile.h.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto.h"
#include "statefile.h"

static const char *const kind_names[STATE_NKINDS] = {
	"exec", "wait", "shared", "builtin"
};

const char *
state_kind_name(enum state_kind k)
{
	return k < STATE_NKINDS ? kind_names[k] : "?";
}

int
state_kind_parse(const char *s)
{
	int	k;

	for (k = 0; k < STATE_NKINDS; k++)
		if (strcmp(s, kind_names[k]) == 0)
			return k;
	return -1;
}

void
statefile_init(struct statefile *sf)
{
	memset(sf, 0, sizeof(*sf));
	sf->version = STATEFILE_VERSION;
	sf->control_fd = -1;
	sf->connbuf_fd = -1;
}

void
statefile_clear(struct statefile *sf)
{
	free(sf->reqs);
	free(sf->ls);
	free(sf->leases);
	free(sf->hos);
	free(sf->bcs);
	free(sf->conns);
	free(sf->counts);
	statefile_init(sf);
}

/* Room for one more of n elements of size in *v (capacity *cap). */
static int
grow(void **v, size_t n, size_t *cap, size_t size)
{
	void	*p;
	size_t	 ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	if ((p = reallocarray(*v, ncap, size)) == NULL)
		return -1;
	*v = p;
	*cap = ncap;
	return 0;
}

int
statefile_add_req(struct statefile *sf, const struct state_req *r)
{
	if (grow((void **)&sf->reqs, sf->nreqs, &sf->reqcap,
	    sizeof(*sf->reqs)) == -1)
		return -1;
	sf->reqs[sf->nreqs++] = *r;
	return 0;
}

int
statefile_add_listen(struct statefile *sf, const char *service,
    const char *proto, int fd)
{
	struct state_listen	*l;

	if (grow((void **)&sf->ls, sf->nls, &sf->lscap, sizeof(*sf->ls)) == -1)
		return -1;
	l = &sf->ls[sf->nls++];
	snprintf(l->service, sizeof(l->service), "%s", service);
	snprintf(l->proto, sizeof(l->proto), "%s", proto);
	l->fd = fd;
	return 0;
}

int
statefile_add_lease(struct statefile *sf, const struct state_lease *l)
{
	if (grow((void **)&sf->leases, sf->nleases, &sf->leasecap,
	    sizeof(*sf->leases)) == -1)
		return -1;
	sf->leases[sf->nleases++] = *l;
	return 0;
}

int
statefile_add_handoff(struct statefile *sf, const struct state_handoff *h)
{
	if (grow((void **)&sf->hos, sf->nhos, &sf->hocap, sizeof(*sf->hos))
	    == -1)
		return -1;
	sf->hos[sf->nhos++] = *h;
	return 0;
}

int
statefile_add_bconn(struct statefile *sf, const struct state_bconn *b)
{
	if (grow((void **)&sf->bcs, sf->nbcs, &sf->bccap, sizeof(*sf->bcs))
	    == -1)
		return -1;
	sf->bcs[sf->nbcs++] = *b;
	return 0;
}

const struct state_bconn *
statefile_bconn(const struct statefile *sf, uint64_t id)
{
	size_t	i;

	for (i = 0; i < sf->nbcs; i++)
		if (sf->bcs[i].id == id)
			return &sf->bcs[i];
	return NULL;
}

int
statefile_add_conn(struct statefile *sf, const struct state_conn *c)
{
	if (grow((void **)&sf->conns, sf->nconns, &sf->conncap,
	    sizeof(*sf->conns)) == -1)
		return -1;
	sf->conns[sf->nconns++] = *c;
	return 0;
}

int
statefile_add_count(struct statefile *sf, const struct state_count *c)
{
	if (grow((void **)&sf->counts, sf->ncounts, &sf->countcap,
	    sizeof(*sf->counts)) == -1)
		return -1;
	sf->counts[sf->ncounts++] = *c;
	return 0;
}

/* ---- writing ---- */

/* s as one value: bytes outside the token set, and '%', as %XX. */
static void
put_value(FILE *f, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;

	if (*p == '\0') {
		fputc('-', f);
		return;
	}
	for (; *p != '\0'; p++)
		if (proto_token_byte(*p) && *p != '%')
			fputc(*p, f);
		else
			fprintf(f, "%%%02X", *p);
}

static void
print_req(FILE *f, const struct state_req *r)
{
	fprintf(f, "req id=%" PRIu64 " service=", r->id);
	put_value(f, r->service);
	fprintf(f, " proto=%s kind=%s pid=%ld pstart=%llu start=%lld age=%lld "
	    "timeout=%lld term=%d peer=", r->proto, state_kind_name(r->kind),
	    (long)r->pid, r->pstart, (long long)r->start, r->age_ms,
	    r->timeout_ms, r->term);
	put_value(f, r->peer);
	fprintf(f, " port=%d token=", r->port);
	put_value(f, r->token);
	fprintf(f, " fds=%d:%d slot=%d\n", r->fd, r->ufd, r->slot);
	if (r->bound.port > 0) {
		fprintf(f, "bound id=%" PRIu64 " addr=", r->id);
		put_value(f, r->bound.addr);
		fprintf(f, " port=%d v6only=%d\n", r->bound.port,
		    r->bound.v6only);
	}
	if (r->cgroup[0] != '\0') {
		fprintf(f, "cgroup id=%" PRIu64 " path=", r->id);
		put_value(f, r->cgroup);
		fputc('\n', f);
	}
}

static void
print_lease(FILE *f, const struct state_lease *l)
{
	size_t	i;

	fprintf(f, "lease id=%" PRIu64 " name=", l->id);
	put_value(f, l->name);
	fprintf(f, " proto=%s addr=", l->proto);
	put_value(f, l->addr);
	fprintf(f, " port=%u prio=%u weight=%u ttl=%u expires=%llu uid=%ld "
	    "gid=%ld pid=%ld export=%d conn=%" PRIu64 "\n", l->port, l->prio,
	    l->weight, l->ttl, l->expires_ms, l->uid, l->gid, l->pid,
	    l->export, l->conn);
	for (i = 0; i < l->ntags; i++) {
		fprintf(f, "tag lease=%" PRIu64 " kv=", l->id);
		put_value(f, l->tags[i]);
		fputc('\n', f);
	}
	for (i = 0; i < l->ngroups; i++)
		fprintf(f, "group lease=%" PRIu64 " gid=%ld\n", l->id,
		    l->groups[i]);
}

static void
print_conn(FILE *f, const struct state_conn *c)
{
	fputs("conn srv=", f);
	put_value(f, c->srv);
	fprintf(f, " fd=%d closing=%d at=%llu in=%llu out=%llu state=%llu\n",
	    c->fd, c->closing, c->at, c->in, c->out, c->state);
}

static void
print_handoff(FILE *f, const struct state_handoff *h)
{
	size_t	i, n = h->len < sizeof(h->head) ? h->len : sizeof(h->head);

	fputs("handoff service=", f);
	put_value(f, h->service);
	fprintf(f, " proto=%s id=%" PRIu64 " peer=", h->proto, h->id);
	put_value(f, h->peer);
	fprintf(f, " port=%d len=%zu head=", h->port, h->len);
	for (i = 0; i < n; i++)
		fprintf(f, "%02x", h->head[i]);
	if (n == 0)
		fputc('-', f);
	fputc('\n', f);
}

static void
print_count(FILE *f, const struct state_count *c)
{
	size_t	i;

	fputs("count name=", f);
	put_value(f, c->name);
	fputs(" service=", f);
	put_value(f, c->service);
	fputs(" proto=", f);
	put_value(f, c->proto);
	fputs(" v=", f);
	for (i = 0; i < c->nv; i++)
		fprintf(f, "%s%" PRIu64, i > 0 ? ":" : "", c->v[i]);
	if (c->nv == 0)
		fputc('-', f);
	fputc('\n', f);
}

int
statefile_print(FILE *f, const struct statefile *sf)
{
	size_t	i;

	fprintf(f, "superd version=%d pid=%ld pstart=%llu written=%lld "
	    "next=%" PRIu64 " upgrade=%d\n", sf->version, (long)sf->pid,
	    sf->pstart, sf->written, sf->next_id, sf->upgrade);
	for (i = 0; i < sf->nreqs; i++)
		print_req(f, &sf->reqs[i]);
	for (i = 0; i < sf->nls; i++) {
		fputs("listen service=", f);
		put_value(f, sf->ls[i].service);
		fprintf(f, " proto=%s fd=%d\n", sf->ls[i].proto, sf->ls[i].fd);
	}
	for (i = 0; i < sf->nleases; i++)
		print_lease(f, &sf->leases[i]);
	for (i = 0; i < sf->nsocks; i++)
		fprintf(f, "sock fd=%d\n", sf->socks[i]);
	for (i = 0; i < sf->nhos; i++)
		print_handoff(f, &sf->hos[i]);
	if (sf->connbuf_fd >= 0)
		fprintf(f, "connbuf fd=%d\n", sf->connbuf_fd);
	for (i = 0; i < sf->nconns; i++)
		print_conn(f, &sf->conns[i]);
	if (sf->dir_next > 0)
		fprintf(f, "dirnext id=%" PRIu64 "\n", sf->dir_next);
	for (i = 0; i < sf->nbcs; i++)
		fprintf(f, "bconn id=%" PRIu64 " pos=%llu at=%llu len=%zu\n",
		    sf->bcs[i].id, sf->bcs[i].pos, sf->bcs[i].at,
		    sf->bcs[i].len);
	for (i = 0; i < sf->ncounts; i++)
		print_count(f, &sf->counts[i]);
	if (sf->control_fd >= 0)
		fprintf(f, "control fd=%d\n", sf->control_fd);
	return ferror(f) ? -1 : 0;
}

int
statefile_write(const char *path, const struct statefile *sf, char *err,
    size_t errlen)
{
	char	tmp[4096];
	FILE	*f;
	int	 r;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	if ((f = fopen(tmp, "we")) == NULL) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	r = statefile_print(f, sf);
	if (fclose(f) != 0 || r == -1) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) == -1) {
		snprintf(err, errlen, "rename %s to %s: %s", tmp, path,
		    strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* ---- reading ---- */

/* Decode %XX in place; -1 on a bad escape. */
static int
unescape(char *s)
{
	char	*w = s;
	int	 hi, lo;

	for (; *s != '\0'; s++) {
		if (*s != '%') {
			*w++ = *s;
			continue;
		}
		if (sscanf(s + 1, "%1x%1x", (unsigned *)&hi, (unsigned *)&lo)
		    != 2)
			return -1;
		*w++ = (char)(hi << 4 | lo);
		s += 2;
	}
	/* No leftovers of the escaped text behind the end. */
	while (w < s)
		*w++ = '\0';
	return 0;
}

/* key as a string into buf ("-" stands for empty); NULL or the reason. */
static const char *
get_str(const struct proto_req *q, const char *key, char *buf, size_t len)
{
	const char	*v = proto_get(q, key);

	if (v == NULL)
		return "a field is missing";
	if ((size_t)snprintf(buf, len, "%s", strcmp(v, "-") == 0 ? "" : v)
	    >= len)
		return "a value is too long";
	if (unescape(buf) == -1)
		return "a bad %XX escape";
	return NULL;
}

/* key as a signed number in [min, max]; NULL or the reason. */
static const char *
get_num(const struct proto_req *q, const char *key, long long min,
    long long max, long long *out)
{
	const char	*v = proto_get(q, key);
	char		*end;

	if (v == NULL)
		return "a field is missing";
	errno = 0;
	*out = strtoll(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno != 0 || *out < min ||
	    *out > max)
		return "a number is malformed or out of range";
	return NULL;
}

#define NUM(q, k, lo, hi, dst) do {					\
	long long	 v_;						\
	if ((why = get_num(q, k, lo, hi, &v_)) != NULL)			\
		return why;						\
	dst = v_;							\
} while (0)

static const char *
parse_header(struct statefile *sf, const struct proto_req *q)
{
	const char	*why;

	NUM(q, "version", 0, INT32_MAX, sf->version);
	if (sf->version < STATEFILE_VERSION_MIN ||
	    sf->version > STATEFILE_VERSION)
		return "a format version this superd does not read";
	NUM(q, "pid", 0, INT32_MAX, sf->pid);
	NUM(q, "pstart", 0, INT64_MAX, sf->pstart);
	NUM(q, "written", 0, INT64_MAX, sf->written);
	NUM(q, "next", 0, INT64_MAX, sf->next_id);
	NUM(q, "upgrade", 0, 1, sf->upgrade);
	return NULL;
}

static const char *
parse_req(struct statefile *sf, const struct proto_req *q)
{
	struct state_req	 r;
	const char		*why;
	char			 kind[16], fds[32], c;

	memset(&r, 0, sizeof(r));
	NUM(q, "id", 1, INT64_MAX, r.id);
	if ((why = get_str(q, "service", r.service, sizeof(r.service))) ||
	    (why = get_str(q, "proto", r.proto, sizeof(r.proto))) ||
	    (why = get_str(q, "kind", kind, sizeof(kind))) ||
	    (why = get_str(q, "peer", r.peer, sizeof(r.peer))) ||
	    (why = get_str(q, "token", r.token, sizeof(r.token))))
		return why;
	if ((int)(r.kind = state_kind_parse(kind)) == -1)
		return "an unknown kind of request";
	NUM(q, "pid", 0, INT32_MAX, r.pid);
	NUM(q, "pstart", 0, INT64_MAX, r.pstart);
	NUM(q, "start", 0, INT64_MAX, r.start);
	NUM(q, "age", 0, INT64_MAX, r.age_ms);
	NUM(q, "timeout", 0, INT64_MAX, r.timeout_ms);
	NUM(q, "term", 0, 1, r.term);
	NUM(q, "port", -1, 65535, r.port);
	if ((why = get_str(q, "fds", fds, sizeof(fds))) != NULL)
		return why;
	if (sscanf(fds, "%d:%d%c", &r.fd, &r.ufd, &c) != 2 || r.fd < -1 ||
	    r.ufd < -1)
		return "fds is not stderr:urgent";
	NUM(q, "slot", 0, 1, r.slot);
	if (r.service[0] == '\0')
		return "a request without a service";
	if (r.kind != STATE_BUILTIN && r.pid <= 1)
		return "a handler without a pid";
	if (statefile_add_req(sf, &r) == -1)
		return "out of memory";
	return NULL;
}

/* The request of id, listed before its bound or cgroup line; or NULL. */
static struct state_req *
req_by_id(struct statefile *sf, const struct proto_req *q, const char **why)
{
	long long	id;
	size_t		i;

	if ((*why = get_num(q, "id", 1, INT64_MAX, &id)) != NULL)
		return NULL;
	for (i = 0; i < sf->nreqs; i++)
		if (sf->reqs[i].id == (uint64_t)id)
			return &sf->reqs[i];
	*why = "a line of no request listed before it";
	return NULL;
}

static const char *
parse_bound(struct statefile *sf, const struct proto_req *q)
{
	struct state_req	*r;
	struct state_bound	 b;
	const char		*why;

	if ((r = req_by_id(sf, q, &why)) == NULL)
		return why;
	memset(&b, 0, sizeof(b));
	if ((why = get_str(q, "addr", b.addr, sizeof(b.addr))) != NULL)
		return why;
	NUM(q, "port", 1, 65535, b.port);
	NUM(q, "v6only", 0, 1, b.v6only);
	if (r->kind != STATE_WAIT)
		return "a bound socket of a request not in wait mode";
	r->bound = b;
	return NULL;
}

static const char *
parse_cgroup(struct statefile *sf, const struct proto_req *q)
{
	struct state_req	*r;
	const char		*why;

	if ((r = req_by_id(sf, q, &why)) == NULL)
		return why;
	if ((why = get_str(q, "path", r->cgroup, sizeof(r->cgroup))) != NULL)
		return why;
	if (r->cgroup[0] != '/')
		return "a cgroup path that is not absolute";
	return NULL;
}

static const char *
parse_listen(struct statefile *sf, const struct proto_req *q)
{
	char		 name[STATEFILE_NAMELEN], proto[8];
	const char	*why;
	int		 fd;

	if ((why = get_str(q, "service", name, sizeof(name))) ||
	    (why = get_str(q, "proto", proto, sizeof(proto))))
		return why;
	NUM(q, "fd", 0, INT32_MAX, fd);
	return statefile_add_listen(sf, name, proto, fd) == -1 ?
	    "out of memory" : NULL;
}

static const char *
parse_lease(struct statefile *sf, const struct proto_req *q)
{
	struct state_lease	 l;
	const char		*why;

	memset(&l, 0, sizeof(l));
	NUM(q, "id", 1, INT64_MAX, l.id);
	if ((why = get_str(q, "name", l.name, sizeof(l.name))) ||
	    (why = get_str(q, "proto", l.proto, sizeof(l.proto))) ||
	    (why = get_str(q, "addr", l.addr, sizeof(l.addr))))
		return why;
	NUM(q, "port", 0, 65535, l.port);
	NUM(q, "prio", 0, 65535, l.prio);
	NUM(q, "weight", 0, 65535, l.weight);
	NUM(q, "ttl", 0, UINT32_MAX, l.ttl);
	NUM(q, "expires", 0, INT64_MAX, l.expires_ms);
	NUM(q, "uid", 0, UINT32_MAX, l.uid);
	NUM(q, "gid", 0, UINT32_MAX, l.gid);
	NUM(q, "pid", 0, INT32_MAX, l.pid);
	NUM(q, "export", 0, 1, l.export);
	NUM(q, "conn", 0, INT64_MAX, l.conn);
	/* A TTL lease expires; one without a TTL is bound to a connection. */
	if ((l.ttl == 0) != (l.conn != 0) || (l.ttl == 0) != (l.expires_ms == 0))
		return "a lease neither with a TTL nor bound to a connection";
	return statefile_add_lease(sf, &l) == -1 ? "out of memory" : NULL;
}

/* The lease a record names (listed before it), or NULL. */
static struct state_lease *
lease_named(struct statefile *sf, uint64_t id)
{
	size_t	i;

	for (i = 0; i < sf->nleases; i++)
		if (sf->leases[i].id == id)
			return &sf->leases[i];
	return NULL;
}

static const char *
parse_group(struct statefile *sf, const struct proto_req *q)
{
	struct state_lease	*l;
	const char		*why;
	uint64_t		 id;

	NUM(q, "lease", 1, INT64_MAX, id);
	if ((l = lease_named(sf, id)) == NULL)
		return "a group of no lease listed before it";
	if (l->ngroups == STATE_GROUPS)
		return "too many groups for one lease";
	NUM(q, "gid", 0, UINT32_MAX, l->groups[l->ngroups]);
	l->ngroups++;
	return NULL;
}

static const char *
parse_conn(struct statefile *sf, const struct proto_req *q)
{
	struct state_conn	 c;
	const char		*why;

	memset(&c, 0, sizeof(c));
	if ((why = get_str(q, "srv", c.srv, sizeof(c.srv))) != NULL)
		return why;
	NUM(q, "fd", 0, INT32_MAX, c.fd);
	NUM(q, "closing", 0, 1, c.closing);
	NUM(q, "at", 0, INT64_MAX, c.at);
	NUM(q, "in", 0, INT64_MAX, c.in);
	NUM(q, "out", 0, INT64_MAX, c.out);
	NUM(q, "state", 0, INT64_MAX, c.state);
	return statefile_add_conn(sf, &c) == -1 ? "out of memory" : NULL;
}

/* A tag goes to its lease, which comes before it. */
static const char *
parse_tag(struct statefile *sf, const struct proto_req *q)
{
	struct state_lease	*l;
	const char		*why;
	uint64_t		 id;

	NUM(q, "lease", 1, INT64_MAX, id);
	if ((l = lease_named(sf, id)) == NULL)
		return "a tag of no lease listed before it";
	if (l->ntags == STATE_TAGS)
		return "too many tags for one lease";
	if ((why = get_str(q, "kv", l->tags[l->ntags], STATE_TAG_MAX)))
		return why;
	l->ntags++;
	return NULL;
}

static const char *
parse_handoff(struct statefile *sf, const struct proto_req *q)
{
	struct state_handoff	 h;
	const char		*why;
	char			 hex[2 * sizeof(h.head) + 1];
	size_t			 i, n;
	unsigned		 b;

	memset(&h, 0, sizeof(h));
	if ((why = get_str(q, "service", h.service, sizeof(h.service))) ||
	    (why = get_str(q, "proto", h.proto, sizeof(h.proto))) ||
	    (why = get_str(q, "peer", h.peer, sizeof(h.peer))) ||
	    (why = get_str(q, "head", hex, sizeof(hex))))
		return why;
	NUM(q, "id", 1, INT64_MAX, h.id);
	NUM(q, "port", -1, 65535, h.port);
	NUM(q, "len", 0, 65535, h.len);
	n = h.len < sizeof(h.head) ? h.len : sizeof(h.head);
	if (strlen(hex) != 2 * n)
		return "head does not match len";
	for (i = 0; i < n; i++) {
		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			return "head is not hex";
		h.head[i] = (unsigned char)b;
	}
	return statefile_add_handoff(sf, &h) == -1 ? "out of memory" : NULL;
}

static const char *
parse_bconn(struct statefile *sf, const struct proto_req *q)
{
	struct state_bconn	 b;
	const char		*why;

	memset(&b, 0, sizeof(b));
	NUM(q, "id", 1, INT64_MAX, b.id);
	NUM(q, "pos", 0, INT64_MAX, b.pos);
	NUM(q, "at", 0, INT64_MAX, b.at);
	NUM(q, "len", 0, STATE_BCONN_MAX, b.len);
	return statefile_add_bconn(sf, &b) == -1 ? "out of memory" : NULL;
}

/* v=N:N:...: unsigned numbers, at most STATE_COUNT_MAX ("-": none). */
static const char *
parse_count(struct statefile *sf, const struct proto_req *q)
{
	struct state_count	 c;
	const char		*why, *p;
	char			*end;

	memset(&c, 0, sizeof(c));
	if ((why = get_str(q, "name", c.name, sizeof(c.name))) ||
	    (why = get_str(q, "service", c.service, sizeof(c.service))) ||
	    (why = get_str(q, "proto", c.proto, sizeof(c.proto))))
		return why;
	if ((p = proto_get(q, "v")) == NULL)
		return "a field is missing";
	for (; strcmp(p, "-") != 0 && *p != '\0'; p = end + (*end == ':')) {
		if (c.nv == STATE_COUNT_MAX)
			return "too many counters in one record";
		errno = 0;
		c.v[c.nv++] = strtoull(p, &end, 10);
		if (end == p || errno != 0 || *p == '-' ||
		    (*end != ':' && *end != '\0') ||
		    (*end == ':' && end[1] == '\0'))
			return "a counter is malformed or out of range";
	}
	return statefile_add_count(sf, &c) == -1 ? "out of memory" : NULL;
}

const char *
statefile_parse_line(struct statefile *sf, const char *line)
{
	struct proto_req	 q;
	enum proto_err		 e;
	const char		*why;

	if ((e = proto_parse(&q, line, strlen(line))) != PROTO_OK)
		return proto_strerror(e);
	if (strcmp(q.cmd, "superd") == 0)
		return parse_header(sf, &q);
	if (strcmp(q.cmd, "req") == 0)
		return parse_req(sf, &q);
	if (strcmp(q.cmd, "listen") == 0)
		return parse_listen(sf, &q);
	if (strcmp(q.cmd, "bound") == 0)
		return parse_bound(sf, &q);
	if (strcmp(q.cmd, "cgroup") == 0)
		return parse_cgroup(sf, &q);
	if (strcmp(q.cmd, "lease") == 0)
		return parse_lease(sf, &q);
	if (strcmp(q.cmd, "tag") == 0)
		return parse_tag(sf, &q);
	if (strcmp(q.cmd, "handoff") == 0)
		return parse_handoff(sf, &q);
	if (strcmp(q.cmd, "bconn") == 0)
		return parse_bconn(sf, &q);
	if (strcmp(q.cmd, "dirnext") == 0) {
		NUM(&q, "id", 1, INT64_MAX, sf->dir_next);
		return NULL;
	}
	if (strcmp(q.cmd, "group") == 0)
		return parse_group(sf, &q);
	if (strcmp(q.cmd, "conn") == 0)
		return parse_conn(sf, &q);
	if (strcmp(q.cmd, "connbuf") == 0) {
		NUM(&q, "fd", 0, INT32_MAX, sf->connbuf_fd);
		return NULL;
	}
	if (strcmp(q.cmd, "count") == 0 && sf->version >= 2)
		return parse_count(sf, &q);
	if (strcmp(q.cmd, "sock") == 0) {
		if (sf->nsocks == sizeof(sf->socks) / sizeof(sf->socks[0]))
			return "too many sockets";
		NUM(&q, "fd", 0, INT32_MAX, sf->socks[sf->nsocks]);
		sf->nsocks++;
		return NULL;
	}
	if (strcmp(q.cmd, "control") == 0) {
		NUM(&q, "fd", 0, INT32_MAX, sf->control_fd);
		return NULL;
	}
	return "an unknown record";
}

int
statefile_read(const char *path, struct statefile *sf, char *err,
    size_t errlen)
{
	FILE		*f;
	char		*line = NULL;
	const char	*why = NULL;
	size_t		 cap = 0;
	ssize_t		 n;
	unsigned	 lineno = 0;

	statefile_init(sf);
	sf->version = 0;
	if ((f = fopen(path, "re")) == NULL) {
		if (errno == ENOENT)
			return 1;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (why == NULL && (n = getline(&line, &cap, f)) != -1) {
		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if ((why = statefile_parse_line(sf, line)) == NULL &&
		    sf->version == 0)
			why = "no \"superd version=N\" header first";
	}
	if (why == NULL && sf->version == 0) {
		lineno = 1;
		why = "an empty file";
	}
	free(line);
	fclose(f);
	if (why != NULL) {
		snprintf(err, errlen, "%s:%u: %s", path, lineno, why);
		statefile_clear(sf);
		return -1;
	}
	return 0;
}

void
statefile_versions_print(FILE *f)
{
	int	v;

	fputs("superd handover", f);
	for (v = STATEFILE_VERSION_MIN; v <= STATEFILE_VERSION; v++)
		fprintf(f, " %d", v);
	fputc('\n', f);
}

int
statefile_versions_read(const char *line)
{
	static const char	 prefix[] = "superd handover ";
	const char		*p;
	char			*end;
	long			 v;

	if (strncmp(line, prefix, sizeof(prefix) - 1) != 0)
		return 0;
	for (p = line + sizeof(prefix) - 1; *p != '\0' && *p != '\n';
	    p = end) {
		v = strtol(p, &end, 10);
		if (end == p || (*end != ' ' && *end != '\n' && *end != '\0'))
			return 0;
		if (v == STATEFILE_VERSION)
			return 1;
		while (*end == ' ')
			end++;
	}
	return 0;
}

/* /proc/PID/stat from the ')' that ends its name (") S 1 ..."), or -1. */
static int
proc_stat_fields(pid_t pid, char *buf, size_t len, char **fields)
{
	char	 path[64], *p;
	FILE	*f;
	size_t	 n;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* The name may hold spaces and ')': fields start after the last. */
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	*fields = p;
	return 0;
}

unsigned long long
proc_start_time(pid_t pid)
{
	char			 buf[1024], *p;
	unsigned long long	 t = 0;
	int			 i;

	if (proc_stat_fields(pid, buf, sizeof(buf), &p) == -1)
		return 0;
	/* Field 3 (state) follows; starttime is field 22. */
	for (i = 3; i <= 22 && p != NULL; i++)
		p = strchr(p + 1, ' ');
	if (p != NULL)
		t = strtoull(p + 1, NULL, 10);
	return t;
}

int
proc_exited(pid_t pid)
{
	char	buf[1024], *p, state;

	if (proc_stat_fields(pid, buf, sizeof(buf), &p) == -1 ||
	    sscanf(p + 1, " %c", &state) != 1)
		return 1;
	return state == 'Z' || state == 'X';
}

pid_t
proc_parent(pid_t pid)
{
	char	buf[1024], *p, state;
	long	ppid;

	if (proc_stat_fields(pid, buf, sizeof(buf), &p) == -1 ||
	    sscanf(p + 1, " %c %ld", &state, &ppid) != 2)
		return 0;
	return (pid_t)ppid;
}
