/*
 * directory.c: the lease table of the local endpoint directory.
 *
 * Four indexes over one set of entries, each sized to what it serves:
 * - names: a sorted array of dir_name (one per distinct name, owning the
 *   replicas in id order), for lookups by name and paged lists;
 * - ids: a chained hash, for renew and unregister;
 * - heap: a binary min-heap of TTL entries by expiry;
 * - bound: a list of connection-bound entries, scanned when a
 *   connection closes (there are few, and closes are rare).
 * Per-uid counts live in a sorted array (few distinct uids).
 *
 * Every operation checks everything first and changes state last, so a
 * refused request leaves the table as it was.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "directory.h"

#define ID_HASH_MIN	64

TAILQ_HEAD(dir_entries, dir_entry);

struct dir_name {
	char			 name[DIR_NAME_MAX + 1];
	size_t			 n;
	struct dir_entries	 entries;	/* (rank, id) order */
};

struct uid_count {
	uid_t			 uid;
	size_t			 n;
};

struct directory {
	struct dir_policy	 pol;
	struct dir_reserve	*reserve;	/* pol.reserve points here */
	uint64_t		 next_id;
	size_t			 count;

	struct dir_name		**names;
	size_t			 nnames, names_cap;

	struct dir_entry	**ids;
	size_t			 ids_size;	/* power of two */

	struct dir_entry	**heap;
	size_t			 nheap, heap_cap;

	struct uid_count	*uids;
	size_t			 nuids, uids_cap;

	struct dir_entries	 bound;
};

static int	 grow(void *, size_t *, size_t, size_t);
static size_t	 name_lower(const struct directory *, const char *);
static struct dir_name *name_get(const struct directory *, const char *);
static int	 name_add(struct directory *, const char *);
static void	 name_del(struct directory *, struct dir_name *);
static size_t	 uid_lower(const struct directory *, uid_t);
static int	 uid_add(struct directory *, uid_t);
static void	 uid_del(struct directory *, uid_t);
static size_t	 id_slot(const struct directory *, uint64_t);
static void	 id_grow(struct directory *);
static void	 id_add(struct directory *, struct dir_entry *);
static void	 id_del(struct directory *, struct dir_entry *);
static void	 heap_swap(struct directory *, size_t, size_t);
static void	 heap_up(struct directory *, size_t);
static void	 heap_down(struct directory *, size_t);
static void	 heap_del(struct directory *, struct dir_entry *);
static enum dir_err check_addr(const struct dir_reg *);
static enum dir_err check_tags(const struct dir_reg *);
static enum dir_err check_reg(const struct dir_reg *);
static const struct dir_reserve *reserved(const struct directory *,
		    const char *);
static int	 reserve_allows(const struct directory *, const char *,
		    const struct dir_cred *);
static int	 held_by_others(const struct dir_name *, uid_t, uint64_t);
static enum dir_err check_owner(const struct directory *,
		    const struct dir_reg *, const struct dir_cred *, uint64_t,
		    struct dir_entry **);
static const char *policy_drops(const struct directory *,
		    const struct dir_entry *);
static struct dir_entry *entry_new(const struct dir_reg *,
		    const struct dir_cred *);
static void	 entry_free(struct dir_entry *);
static int	 entry_insert(struct directory *, struct dir_entry *);
static void	 entry_remove(struct directory *, struct dir_entry *);
static int	 copy_policy(struct directory *, const struct dir_policy *);

static const struct {
	const char	*code;
	const char	*text;
} errs[DIR_NERRS] = {
	[DIR_OK] = { "OK", "no error" },
	[DIR_EBADNAME] = { "EBADREQ", "name must be 1-15 characters of "
	    "[a-z0-9-], not starting or ending with '-'" },
	[DIR_EBADIP] = { "EBADREQ", "addr must be a numeric IPv4 or IPv6 "
	    "address" },
	[DIR_EBADPATH] = { "EBADREQ", "unix addr must be an absolute path or "
	    "@name shorter than 108 bytes" },
	[DIR_EBADPORT] = { "EBADREQ", "port must be 1-65535 (0 for unix)" },
	[DIR_EBADTAG] = { "EBADREQ", "tag key must be 1-32 characters of "
	    "[A-Za-z0-9_-]" },
	[DIR_ETAGLONG] = { "EBADREQ", "tag value longer than 255 bytes" },
	[DIR_ETAGS] = { "EBADREQ", "more than 8 tags" },
	[DIR_ENOCONN] = { "EBADREQ", "ttl=0 needs a local connection" },
	[DIR_ECONFIG] = { "EPERM", "name belongs to a configured service" },
	[DIR_ERESERVED] = { "EPERM", "name is reserved by directory-allow" },
	[DIR_EOWNED] = { "EPERM", "name is registered by another user" },
	[DIR_ENOTOWNER] = { "EPERM", "lease belongs to another user" },
	[DIR_EDUP] = { "EEXIST", "endpoint already registered by another "
	    "user" },
	[DIR_ENOEXPORT] = { "EPERM", "export needs directory-export on, "
	    "tcp or udp, an RFC 6335 name (a letter, no \"--\"), and a name "
	    "directory-allow reserves for you (or root)" },
	[DIR_ENOID] = { "ENOENT", "no such lease" },
	[DIR_EUIDQUOTA] = { "EQUOTA", "per-user entry limit reached" },
	[DIR_EFULL] = { "EQUOTA", "directory is full" },
	[DIR_ENOMEM] = { "EBUSY", "out of memory" },
};

/*
 * Make room for one more element in a growable array; arrp is the
 * address of the array pointer (memcpy keeps this clear of aliasing).
 */
static int
grow(void *arrp, size_t *cap, size_t n, size_t size)
{
	void	*old, *p;
	size_t	 ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	memcpy(&old, arrp, sizeof(old));
	if ((p = reallocarray(old, ncap, size)) == NULL)
		return -1;
	memcpy(arrp, &p, sizeof(p));
	*cap = ncap;
	return 0;
}

/* Index of the first name >= s (binary search). */
static size_t
name_lower(const struct directory *d, const char *s)
{
	size_t	lo = 0, hi = d->nnames, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(d->names[mid]->name, s) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The dir_name called s, or NULL. */
static struct dir_name *
name_get(const struct directory *d, const char *s)
{
	size_t	i = name_lower(d, s);

	if (i < d->nnames && strcmp(d->names[i]->name, s) == 0)
		return d->names[i];
	return NULL;
}

/* Insert a new, empty name (room was made by the caller). */
static int
name_add(struct directory *d, const char *s)
{
	struct dir_name	*dn;
	size_t		 i = name_lower(d, s);

	if ((dn = calloc(1, sizeof(*dn))) == NULL)
		return -1;
	snprintf(dn->name, sizeof(dn->name), "%s", s);
	TAILQ_INIT(&dn->entries);
	memmove(&d->names[i + 1], &d->names[i],
	    (d->nnames - i) * sizeof(d->names[0]));
	d->names[i] = dn;
	d->nnames++;
	return 0;
}

/* Drop a name whose last entry left; the name is free for anyone again. */
static void
name_del(struct directory *d, struct dir_name *dn)
{
	size_t	i = name_lower(d, dn->name);

	memmove(&d->names[i], &d->names[i + 1],
	    (d->nnames - i - 1) * sizeof(d->names[0]));
	d->nnames--;
	free(dn);
}

/* Index of the first uid count >= uid. */
static size_t
uid_lower(const struct directory *d, uid_t uid)
{
	size_t	lo = 0, hi = d->nuids, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (d->uids[mid].uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Count one more entry for uid (room was made by the caller). */
static int
uid_add(struct directory *d, uid_t uid)
{
	size_t	i = uid_lower(d, uid);

	if (i < d->nuids && d->uids[i].uid == uid) {
		d->uids[i].n++;
		return 0;
	}
	memmove(&d->uids[i + 1], &d->uids[i],
	    (d->nuids - i) * sizeof(d->uids[0]));
	d->uids[i].uid = uid;
	d->uids[i].n = 1;
	d->nuids++;
	return 0;
}

/* Count one entry less for uid. */
static void
uid_del(struct directory *d, uid_t uid)
{
	size_t	i = uid_lower(d, uid);

	if (i >= d->nuids || d->uids[i].uid != uid)
		return;
	if (--d->uids[i].n > 0)
		return;
	memmove(&d->uids[i], &d->uids[i + 1],
	    (d->nuids - i - 1) * sizeof(d->uids[0]));
	d->nuids--;
}

/* Fibonacci hashing: ids are sequential, so spread them. */
static size_t
id_slot(const struct directory *d, uint64_t id)
{
	return (size_t)((id * 0x9e3779b97f4a7c15ULL) >> 32) &
	    (d->ids_size - 1);
}

/* Double the hash when it holds more entries than buckets. */
static void
id_grow(struct directory *d)
{
	struct dir_entry	**nids, *e, *next;
	size_t			  i, old = d->ids_size, slot;

	if (d->count < d->ids_size)
		return;
	if ((nids = calloc(old * 2, sizeof(*nids))) == NULL)
		return;		/* longer chains, still correct */
	d->ids_size = old * 2;
	for (i = 0; i < old; i++)
		for (e = d->ids[i]; e != NULL; e = next) {
			next = e->id_next;
			slot = id_slot(d, e->id);
			e->id_next = nids[slot];
			nids[slot] = e;
		}
	free(d->ids);
	d->ids = nids;
}

/* Link e into its id bucket. */
static void
id_add(struct directory *d, struct dir_entry *e)
{
	size_t	slot = id_slot(d, e->id);

	e->id_next = d->ids[slot];
	d->ids[slot] = e;
}

/* Unlink e from its id bucket. */
static void
id_del(struct directory *d, struct dir_entry *e)
{
	struct dir_entry	**pp = &d->ids[id_slot(d, e->id)];

	while (*pp != NULL && *pp != e)
		pp = &(*pp)->id_next;
	if (*pp != NULL)
		*pp = e->id_next;
}

/* Swap two heap slots, keeping their back-indexes right. */
static void
heap_swap(struct directory *d, size_t a, size_t b)
{
	struct dir_entry	*t = d->heap[a];

	d->heap[a] = d->heap[b];
	d->heap[b] = t;
	d->heap[a]->heap_idx = a;
	d->heap[b]->heap_idx = b;
}

/* Move slot i towards the root while it expires sooner than its parent. */
static void
heap_up(struct directory *d, size_t i)
{
	while (i > 0 && d->heap[i]->expires_ms <
	    d->heap[(i - 1) / 2]->expires_ms) {
		heap_swap(d, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

/* Move slot i down while a child expires sooner. */
static void
heap_down(struct directory *d, size_t i)
{
	size_t	l, m;

	for (;;) {
		l = 2 * i + 1;
		m = i;
		if (l < d->nheap && d->heap[l]->expires_ms <
		    d->heap[m]->expires_ms)
			m = l;
		if (l + 1 < d->nheap && d->heap[l + 1]->expires_ms <
		    d->heap[m]->expires_ms)
			m = l + 1;
		if (m == i)
			return;
		heap_swap(d, i, m);
		i = m;
	}
}

/* Take e out of the heap. */
static void
heap_del(struct directory *d, struct dir_entry *e)
{
	size_t	i = e->heap_idx;

	d->nheap--;
	if (i == d->nheap)
		return;
	d->heap[i] = d->heap[d->nheap];
	d->heap[i]->heap_idx = i;
	heap_up(d, i);
	heap_down(d, d->heap[i]->heap_idx);
}

/* tcp/udp: a numeric IP (v6 may carry a %zone); unix: a path or @name. */
static enum dir_err
check_addr(const struct dir_reg *r)
{
	char			 buf[64], *pct;
	struct in_addr		 a4;
	struct in6_addr		 a6;
	size_t			 len = strlen(r->addr);

	if (r->proto == DIR_PROTO_UNIX) {
		if ((r->addr[0] != '/' && r->addr[0] != '@') || len < 2 ||
		    len >= DIR_ADDR_MAX)
			return DIR_EBADPATH;
		return r->port == 0 ? DIR_OK : DIR_EBADPORT;
	}
	if (r->port < 1 || r->port > DIR_PORT_MAX)
		return DIR_EBADPORT;
	if (inet_pton(AF_INET, r->addr, &a4) == 1)
		return DIR_OK;
	if (len >= sizeof(buf))
		return DIR_EBADIP;
	memcpy(buf, r->addr, len + 1);
	if ((pct = strchr(buf, '%')) != NULL) {
		if (pct[1] == '\0' || strlen(pct + 1) > 15)
			return DIR_EBADIP;
		*pct = '\0';
	}
	return inet_pton(AF_INET6, buf, &a6) == 1 ? DIR_OK : DIR_EBADIP;
}

/* At most 8 "K=V" tags, K 1-32 of [A-Za-z0-9_-], V up to 255 bytes. */
static enum dir_err
check_tags(const struct dir_reg *r)
{
	const char	*t, *eq;
	size_t		 i, klen;

	if (r->ntags > DIR_MAX_TAGS)
		return DIR_ETAGS;
	for (i = 0; i < r->ntags; i++) {
		t = r->tags[i];
		if ((eq = strchr(t, '=')) == NULL)
			return DIR_EBADTAG;
		klen = (size_t)(eq - t);
		if (klen < 1 || klen > DIR_TAG_KEY_MAX ||
		    strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789_-") != klen)
			return DIR_EBADTAG;
		if (strlen(eq + 1) > DIR_TAG_VALUE_MAX)
			return DIR_ETAGLONG;
	}
	return DIR_OK;
}

/* Everything about a registration that does not depend on the table. */
static enum dir_err
check_reg(const struct dir_reg *r)
{
	enum dir_err	e;

	if (r->name == NULL || !dir_name_ok(r->name))
		return DIR_EBADNAME;
	if (r->addr == NULL)
		return r->proto == DIR_PROTO_UNIX ? DIR_EBADPATH : DIR_EBADIP;
	if ((e = check_addr(r)) != DIR_OK || (e = check_tags(r)) != DIR_OK)
		return e;
	if (r->ttl == 0 && r->conn == 0)
		return DIR_ENOCONN;
	return DIR_OK;
}

/* The first reservation of name, or NULL. */
static const struct dir_reserve *
reserved(const struct directory *d, const char *name)
{
	size_t	i;

	for (i = 0; i < d->pol.nreserve; i++)
		if (strcmp(d->reserve[i].name, name) == 0)
			return &d->reserve[i];
	return NULL;
}

/* Does some reservation of name admit the peer?  Root always. */
static int
reserve_allows(const struct directory *d, const char *name,
    const struct dir_cred *c)
{
	const struct dir_reserve	*r;
	size_t				 i, j;

	if (c->uid == 0)
		return 1;
	for (i = 0; i < d->pol.nreserve; i++) {
		r = &d->reserve[i];
		if (strcmp(r->name, name) != 0)
			continue;
		if (!r->by_group && r->uid == c->uid)
			return 1;
		if (r->by_group && r->gid == c->gid)
			return 1;
		for (j = 0; r->by_group && j < c->ngroups; j++)
			if (c->groups[j] == r->gid)
				return 1;
	}
	return 0;
}

/*
 * Does anyone but uid hold a live lease under the name?  A lease past
 * its expiry that the caller has not swept yet claims nothing.
 */
static int
held_by_others(const struct dir_name *dn, uid_t uid, uint64_t now_ms)
{
	const struct dir_entry	*e;

	TAILQ_FOREACH(e, &dn->entries, by_name)
		if (e->uid != uid && (e->expires_ms == 0 ||
		    e->expires_ms > now_ms))
			return 1;
	return 0;
}

/*
 * Who may use the name and the endpoint.  A reservation decides alone;
 * otherwise the name is its live leaseholders' (first come, but only
 * while a lease lasts; root may always add and then holds it too).
 * *dup receives an identical endpoint that this registration replaces
 * (same uid, or root).
 */
static enum dir_err
check_owner(const struct directory *d, const struct dir_reg *r,
    const struct dir_cred *c, uint64_t now_ms, struct dir_entry **dup)
{
	struct dir_name		*dn;
	struct dir_entry	*e;

	*dup = NULL;
	if (d->pol.config_name != NULL &&
	    d->pol.config_name(r->name, d->pol.config_arg))
		return DIR_ECONFIG;
	dn = name_get(d, r->name);
	if (reserved(d, r->name) != NULL) {
		if (!reserve_allows(d, r->name, c))
			return DIR_ERESERVED;
	} else if (dn != NULL && c->uid != 0 &&
	    held_by_others(dn, c->uid, now_ms))
		return DIR_EOWNED;
	if (dn == NULL)
		return DIR_OK;
	TAILQ_FOREACH(e, &dn->entries, by_name)
		if (e->proto == r->proto && e->port == r->port &&
		    strcmp(e->addr, r->addr) == 0) {
			if (e->uid != c->uid && c->uid != 0)
				return DIR_EDUP;
			*dup = e;
			break;
		}
	return DIR_OK;
}

/*
 * May this registration be published on the network?  Only a name the
 * admin reserved for this user (or group) with directory-allow, or root:
 * export makes an endpoint visible beyond this host.
 */
static enum dir_err
check_export(const struct directory *d, const struct dir_reg *r,
    const struct dir_cred *c)
{
	if (!r->export)
		return DIR_OK;
	if (!d->pol.export_on || r->proto == DIR_PROTO_UNIX ||
	    strstr(r->name, "--") != NULL ||
	    strspn(r->name, "0123456789-") == strlen(r->name))
		return DIR_ENOEXPORT;
	if (c->uid != 0 && (reserved(d, r->name) == NULL ||
	    !reserve_allows(d, r->name, c)))
		return DIR_ENOEXPORT;
	return DIR_OK;
}

/* A filled entry, not yet linked anywhere. */
static struct dir_entry *
entry_new(const struct dir_reg *r, const struct dir_cred *c)
{
	struct dir_entry	*e;
	size_t			 i, len = 0, off = 0;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	for (i = 0; i < r->ntags; i++)
		len += strlen(r->tags[i]) + 1;
	if (len > 0 && (e->tagbuf = malloc(len)) == NULL) {
		free(e);
		return NULL;
	}
	for (i = 0; i < r->ntags; i++) {
		memcpy(e->tagbuf + off, r->tags[i], strlen(r->tags[i]) + 1);
		e->tags[i] = e->tagbuf + off;
		off += strlen(r->tags[i]) + 1;
	}
	e->ntags = r->ntags;
	e->id = r->id;
	snprintf(e->name, sizeof(e->name), "%s", r->name);
	snprintf(e->addr, sizeof(e->addr), "%s", r->addr);
	e->proto = r->proto;
	e->port = r->port;
	e->prio = r->prio;
	e->export = r->export;
	e->weight = r->weight;
	e->uid = c->uid;
	e->gid = c->gid;
	e->pid = c->pid;
	if (c->ngroups > 0 && c->groups != NULL) {
		if ((e->groupbuf = calloc(c->ngroups, sizeof(gid_t))) == NULL) {
			entry_free(e);
			return NULL;
		}
		memcpy(e->groupbuf, c->groups, c->ngroups * sizeof(gid_t));
		e->groups = e->groupbuf;
		e->ngroups = c->ngroups;
	}
	return e;
}

/* Free an entry that is linked nowhere. */
static void
entry_free(struct dir_entry *e)
{
	free(e->tagbuf);
	free(e->groupbuf);
	free(e);
}

/*
 * Link e into every index.  All allocation happens before the first
 * link, so a failure leaves the table untouched.
 */
static int
entry_insert(struct directory *d, struct dir_entry *e)
{
	struct dir_name	*dn;

	if (grow(&d->heap, &d->heap_cap, d->nheap, sizeof(d->heap[0])) ||
	    grow(&d->uids, &d->uids_cap, d->nuids, sizeof(d->uids[0])) ||
	    grow(&d->names, &d->names_cap, d->nnames, sizeof(d->names[0])))
		return -1;
	struct dir_entry *after;

	if ((dn = name_get(d, e->name)) == NULL) {
		if (name_add(d, e->name) == -1)
			return -1;
		dn = name_get(d, e->name);
	}
	if (e->id == 0)
		e->id = d->next_id++;
	else if (e->id >= d->next_id)
		d->next_id = e->id + 1;
	e->dn = dn;
	/* Ids grow, so the end of e's rank is its place. */
	after = TAILQ_LAST(&dn->entries, dir_entries);
	while (after != NULL && dir_rank(after) > dir_rank(e))
		after = TAILQ_PREV(after, dir_entries, by_name);
	if (after != NULL)
		TAILQ_INSERT_AFTER(&dn->entries, after, e, by_name);
	else
		TAILQ_INSERT_HEAD(&dn->entries, e, by_name);
	dn->n++;
	uid_add(d, e->uid);
	d->count++;
	id_grow(d);
	id_add(d, e);
	if (e->expires_ms != 0) {
		e->heap_idx = d->nheap;
		d->heap[d->nheap++] = e;
		heap_up(d, e->heap_idx);
	} else
		TAILQ_INSERT_TAIL(&d->bound, e, by_conn);
	return 0;
}

/* Unlink e from every index and free it. */
static void
entry_remove(struct directory *d, struct dir_entry *e)
{
	struct dir_name	*dn = e->dn;

	TAILQ_REMOVE(&dn->entries, e, by_name);
	if (--dn->n == 0)
		name_del(d, dn);
	uid_del(d, e->uid);
	id_del(d, e);
	if (e->expires_ms != 0)
		heap_del(d, e);
	else
		TAILQ_REMOVE(&d->bound, e, by_conn);
	d->count--;
	entry_free(e);
}

/* Keep our own copy of the reservations: the config is freed on reload. */
static int
copy_policy(struct directory *d, const struct dir_policy *p)
{
	struct dir_reserve	*r = NULL;

	if (p->nreserve > 0) {
		if ((r = calloc(p->nreserve, sizeof(*r))) == NULL)
			return -1;
		memcpy(r, p->reserve, p->nreserve * sizeof(*r));
	}
	free(d->reserve);
	d->reserve = r;
	d->pol = *p;
	d->pol.reserve = r;
	if (d->pol.ttl_min < 1)
		d->pol.ttl_min = 1;
	if (d->pol.ttl_max < d->pol.ttl_min)
		d->pol.ttl_max = d->pol.ttl_min;
	return 0;
}

/* The id the next lease gets (an upgrade carries it over). */
uint64_t
dir_next_id(const struct directory *d)
{
	return d->next_id;
}

/* Never give an id below next again (ids of leases that ended). */
void
dir_skip_to(struct directory *d, uint64_t next)
{
	if (next > d->next_id)
		d->next_id = next;
}

/* An empty table under policy p. */
struct directory *
dir_new(const struct dir_policy *p)
{
	struct directory	*d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->next_id = 1;
	d->ids_size = ID_HASH_MIN;
	TAILQ_INIT(&d->bound);
	if ((d->ids = calloc(d->ids_size, sizeof(*d->ids))) == NULL ||
	    copy_policy(d, p) == -1) {
		free(d->ids);
		free(d);
		return NULL;
	}
	return d;
}

/* Free the table and every entry in it. */
void
dir_free(struct directory *d)
{
	if (d == NULL)
		return;
	while (d->nnames > 0)
		entry_remove(d, TAILQ_FIRST(&d->names[0]->entries));
	free(d->names);
	free(d->ids);
	free(d->heap);
	free(d->uids);
	free(d->reserve);
	free(d);
}

/*
 * Why the current policy no longer allows e, or NULL.  The owner is
 * judged with the groups it had when it registered: superd cannot ask
 * a peer that may be long gone, and group membership read from
 * /etc/group now could differ from what the kernel gave the process.
 */
static const char *
policy_drops(const struct directory *d, const struct dir_entry *e)
{
	struct dir_cred	c;

	if (d->pol.config_name != NULL &&
	    d->pol.config_name(e->name, d->pol.config_arg))
		return "the name is now a configured service";
	memset(&c, 0, sizeof(c));
	c.uid = e->uid;
	c.gid = e->gid;
	c.groups = e->groups;
	c.ngroups = e->ngroups;
	if (reserved(d, e->name) != NULL && !reserve_allows(d, e->name, &c))
		return "directory-allow now reserves the name for others";
	return NULL;
}

/* New policy; then drop what it no longer allows. */
int
dir_set_policy(struct directory *d, const struct dir_policy *p,
    dir_gone_cb cb, void *arg)
{
	struct dir_entry	*e, *next;
	const char		*why;
	int			 n = 0;

	if (copy_policy(d, p) == -1)
		return -1;
	for (e = (struct dir_entry *)dir_seek(d, "", 0); e != NULL; e = next) {
		next = (struct dir_entry *)dir_next(d, e);
		if ((why = policy_drops(d, e)) == NULL)
			continue;
		if (cb != NULL)
			cb(e, why, arg);
		entry_remove(d, e);
		n++;
	}
	return n;
}

/* Add an endpoint; replaces an identical one of the same uid. */
enum dir_err
dir_register(struct directory *d, const struct dir_reg *r,
    const struct dir_cred *c, uint64_t now_ms, uint64_t *id,
    unsigned *granted_ttl)
{
	struct dir_entry	*e, *dup;
	enum dir_err		 err;
	unsigned		 ttl = r->ttl;

	if ((err = check_reg(r)) != DIR_OK ||
	    (err = check_owner(d, r, c, now_ms, &dup)) != DIR_OK ||
	    (err = check_export(d, r, c)) != DIR_OK)
		return err;
	if (dup == NULL && d->count >= d->pol.max_entries)
		return DIR_EFULL;
	if (dup == NULL && c->uid != 0 &&
	    dir_count_uid(d, c->uid) >= d->pol.max_per_uid)
		return DIR_EUIDQUOTA;
	if ((e = entry_new(r, c)) == NULL)
		return DIR_ENOMEM;
	if (ttl > 0) {
		ttl = ttl < d->pol.ttl_min ? d->pol.ttl_min :
		    ttl > d->pol.ttl_max ? d->pol.ttl_max : ttl;
		e->expires_ms = r->expires_ms != 0 ? r->expires_ms :
		    now_ms + (uint64_t)ttl * 1000;
	} else
		e->conn = r->conn;
	e->ttl = ttl;
	if (entry_insert(d, e) == -1) {
		entry_free(e);
		return DIR_ENOMEM;
	}
	if (dup != NULL)
		entry_remove(d, dup);
	*id = e->id;
	*granted_ttl = ttl;
	return DIR_OK;
}

/* Push a TTL lease's expiry to now + its TTL (clamped to today's policy). */
enum dir_err
dir_renew(struct directory *d, uint64_t id, const struct dir_cred *c,
    uint64_t now_ms, unsigned *ttl)
{
	struct dir_entry	*e = (struct dir_entry *)dir_find(d, id);

	if (e == NULL)
		return DIR_ENOID;
	if (e->uid != c->uid && c->uid != 0)
		return DIR_ENOTOWNER;
	if (e->expires_ms != 0) {
		if (e->ttl < d->pol.ttl_min)
			e->ttl = d->pol.ttl_min;
		if (e->ttl > d->pol.ttl_max)
			e->ttl = d->pol.ttl_max;
		e->expires_ms = now_ms + (uint64_t)e->ttl * 1000;
		heap_up(d, e->heap_idx);
		heap_down(d, e->heap_idx);
	}
	*ttl = e->ttl;
	return DIR_OK;
}

/* Remove a lease at its owner's (or root's) request. */
enum dir_err
dir_unregister(struct directory *d, uint64_t id, const struct dir_cred *c)
{
	struct dir_entry	*e = (struct dir_entry *)dir_find(d, id);

	if (e == NULL)
		return DIR_ENOID;
	if (e->uid != c->uid && c->uid != 0)
		return DIR_ENOTOWNER;
	entry_remove(d, e);
	return DIR_OK;
}

/* Pop every lease whose time has come. */
size_t
dir_expire(struct directory *d, uint64_t now_ms, dir_gone_cb cb, void *arg)
{
	size_t	n = 0;

	while (d->nheap > 0 && d->heap[0]->expires_ms <= now_ms) {
		if (cb != NULL)
			cb(d->heap[0], "expired", arg);
		entry_remove(d, d->heap[0]);
		n++;
	}
	return n;
}

/* The heap's root is the next to expire. */
uint64_t
dir_next_expiry(const struct directory *d)
{
	return d->nheap > 0 ? d->heap[0]->expires_ms : 0;
}

/* The registrant's connection is gone, and so are its bound leases. */
size_t
dir_remove_conn(struct directory *d, uint64_t conn, dir_gone_cb cb,
    void *arg)
{
	struct dir_entry	*e, *next;
	size_t			 n = 0;

	if (conn == 0)
		return 0;
	for (e = TAILQ_FIRST(&d->bound); e != NULL; e = next) {
		next = TAILQ_NEXT(e, by_conn);
		if (e->conn != conn)
			continue;
		if (cb != NULL)
			cb(e, "closed", arg);
		entry_remove(d, e);
		n++;
	}
	return n;
}

/* The lease with this id, or NULL. */
const struct dir_entry *
dir_find(const struct directory *d, uint64_t id)
{
	const struct dir_entry	*e;

	for (e = d->ids[id_slot(d, id)]; e != NULL; e = e->id_next)
		if (e->id == id)
			return e;
	return NULL;
}

/* The oldest lease called name. */
const struct dir_entry *
dir_first(const struct directory *d, const char *name)
{
	struct dir_name	*dn = name_get(d, name);

	return dn != NULL ? TAILQ_FIRST(&dn->entries) : NULL;
}

/* The next replica of the same name. */
const struct dir_entry *
dir_next_replica(const struct dir_entry *e)
{
	return TAILQ_NEXT(e, by_name);
}

/* Root's leases first within a name, then everyone else's. */
int
dir_rank(const struct dir_entry *e)
{
	return e->uid != 0;
}

/* Resume a walk in (name, rank, id) order, for list cursors. */
const struct dir_entry *
dir_seek_rank(const struct directory *d, const char *name, int rank,
    uint64_t after_id)
{
	const struct dir_entry	*e;
	size_t			 i = name_lower(d, name);

	if (i >= d->nnames)
		return NULL;
	if (strcmp(d->names[i]->name, name) == 0) {
		if (after_id == 0)
			return TAILQ_FIRST(&d->names[i]->entries);
		TAILQ_FOREACH(e, &d->names[i]->entries, by_name)
			if (dir_rank(e) > rank ||
			    (dir_rank(e) == rank && e->id > after_id))
				return e;
		if (++i >= d->nnames)
			return NULL;
	}
	return TAILQ_FIRST(&d->names[i]->entries);
}

/*
 * The same, taking the rank from the entry if it is still there; if it
 * left, rank 0: a page may then repeat a record, but never skips one.
 */
const struct dir_entry *
dir_seek(const struct directory *d, const char *name, uint64_t after_id)
{
	const struct dir_entry	*e = dir_find(d, after_id);

	if (e != NULL && strcmp(e->name, name) == 0)
		return dir_seek_rank(d, name, dir_rank(e), after_id);
	return dir_seek_rank(d, name, 0, after_id);
}

/* The entry after e in (name, id) order. */
const struct dir_entry *
dir_next(const struct directory *d, const struct dir_entry *e)
{
	const struct dir_entry	*n;
	size_t			 i;

	if ((n = TAILQ_NEXT(e, by_name)) != NULL)
		return n;
	i = name_lower(d, e->name) + 1;
	return i < d->nnames ? TAILQ_FIRST(&d->names[i]->entries) : NULL;
}

/* How many leases there are. */
size_t
dir_count(const struct directory *d)
{
	return d->count;
}

/* How many leases uid holds. */
size_t
dir_count_uid(const struct directory *d, uid_t uid)
{
	size_t	i = uid_lower(d, uid);

	return i < d->nuids && d->uids[i].uid == uid ? d->uids[i].n : 0;
}

/* A scan of the bound list only: connection-bound leases are few. */
size_t
dir_count_conn(const struct directory *d, uint64_t conn)
{
	const struct dir_entry	*e;
	size_t			 n = 0;

	TAILQ_FOREACH(e, &d->bound, by_conn)
		if (e->conn == conn)
			n++;
	return n;
}

/* RFC 6335 section 5.1, as for configured services. */
int
dir_name_ok(const char *s)
{
	size_t	i, len = strlen(s);

	if (len < 1 || len > DIR_NAME_MAX || s[0] == '-' || s[len - 1] == '-')
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

/* Protocol word to enum. */
int
dir_proto_parse(const char *s, enum dir_proto *p)
{
	if (strcmp(s, "tcp") == 0)
		*p = DIR_PROTO_TCP;
	else if (strcmp(s, "udp") == 0)
		*p = DIR_PROTO_UDP;
	else if (strcmp(s, "unix") == 0)
		*p = DIR_PROTO_UNIX;
	else
		return -1;
	return 0;
}

/* Enum to protocol word. */
const char *
dir_proto_name(enum dir_proto p)
{
	switch (p) {
	case DIR_PROTO_TCP:
		return "tcp";
	case DIR_PROTO_UDP:
		return "udp";
	case DIR_PROTO_UNIX:
		return "unix";
	}
	return "?";
}

/* The wire code of an error. */
const char *
dir_errcode(enum dir_err e)
{
	return (unsigned)e < DIR_NERRS ? errs[e].code : "EBADREQ";
}

/* The human text of an error. */
const char *
dir_strerror(enum dir_err e)
{
	return (unsigned)e < DIR_NERRS ? errs[e].text : "bad request";
}
