/*
 * srctable.c: hash + LRU list of per-source entries with a fixed capacity.
 */
#include "config.h"

#include <sys/socket.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "srctable.h"

struct srctable {
	struct src_entry	**buckets;
	size_t			  nbuckets, maxbuckets;
	size_t			  size, capacity;
	int			  prefix4, prefix6;
	struct src_entry	 *oldest, *newest;
};

struct srctable *
srctable_new(size_t capacity, int prefix4, int prefix6)
{
	struct srctable	*t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	/*
	 * Buckets grow with the entries (srctable_get), up to one per entry
	 * of the capacity: a service that sees few sources (most) does not
	 * keep 64 KiB of empty buckets for the 8192 it might see.
	 */
	t->maxbuckets = 1;
	while (t->maxbuckets < capacity)
		t->maxbuckets <<= 1;
	t->nbuckets = t->maxbuckets < SRCTABLE_MIN_BUCKETS ? t->maxbuckets :
	    SRCTABLE_MIN_BUCKETS;
	if ((t->buckets = calloc(t->nbuckets, sizeof(*t->buckets))) == NULL) {
		free(t);
		return NULL;
	}
	t->capacity = capacity;
	t->prefix4 = prefix4;
	t->prefix6 = prefix6;
	return t;
}

void
srctable_free(struct srctable *t)
{
	struct src_entry	*e, *next;

	if (t == NULL)
		return;
	for (e = t->oldest; e != NULL; e = next) {
		next = e->lnext;
		free(e);
	}
	free(t->buckets);
	free(t);
}

void
srctable_set_prefixes(struct srctable *t, int prefix4, int prefix6)
{
	t->prefix4 = prefix4;
	t->prefix6 = prefix6;
}

size_t
srctable_size(const struct srctable *t)
{
	return t->size;
}

size_t
srctable_nbuckets(const struct srctable *t)
{
	return t->nbuckets;
}

/* Keep the first bits of addr, zero the rest. */
static void
mask_key(unsigned char *key, const unsigned char *addr, size_t len, int bits)
{
	size_t	i;

	memcpy(key, addr, len);
	memset(key + len, 0, 16 - len);
	for (i = 0; i < len; i++) {
		int keep = bits - (int)i * 8;
		if (keep >= 8)
			continue;
		key[i] &= keep <= 0 ? 0 : (unsigned char)(0xff << (8 - keep));
	}
}

/* FNV-1a over family and key. */
static size_t
key_hash(int family, const unsigned char *key)
{
	uint32_t	h = 2166136261u ^ (uint32_t)family;
	size_t		i;

	for (i = 0; i < 16; i++)
		h = (h ^ key[i]) * 16777619u;
	return h;
}

static void
lru_unlink(struct srctable *t, struct src_entry *e)
{
	if (e->lprev)
		e->lprev->lnext = e->lnext;
	else
		t->oldest = e->lnext;
	if (e->lnext)
		e->lnext->lprev = e->lprev;
	else
		t->newest = e->lprev;
	e->lprev = e->lnext = NULL;
}

static void
lru_append(struct srctable *t, struct src_entry *e)
{
	e->lprev = t->newest;
	e->lnext = NULL;
	if (t->newest)
		t->newest->lnext = e;
	else
		t->oldest = e;
	t->newest = e;
}

static void
hash_unlink(struct srctable *t, struct src_entry *e)
{
	struct src_entry	**pp;

	pp = &t->buckets[key_hash(e->family, e->key) & (t->nbuckets - 1)];
	while (*pp != NULL && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp != NULL)
		*pp = e->hnext;
}

/*
 * Reuse the least recently used idle entry; NULL if all are active.
 * Busy entries passed on the way move to the newest end, so a run of
 * long-lived sessions is not scanned again on the next eviction.
 */
static struct src_entry *
evict_one(struct srctable *t)
{
	struct src_entry	*e;
	size_t			 scanned;

	for (scanned = 0; scanned < t->size; scanned++) {
		e = t->oldest;
		if (e->active == 0) {
			hash_unlink(t, e);
			lru_unlink(t, e);
			memset(e, 0, sizeof(*e));
			return e;
		}
		lru_unlink(t, e);
		lru_append(t, e);
	}
	return NULL;
}

/* Twice the buckets, every entry moved; without memory, stay as is. */
static void
grow(struct srctable *t)
{
	struct src_entry	**nb, *e;
	size_t			  n = t->nbuckets * 2, i;

	if ((nb = calloc(n, sizeof(*nb))) == NULL)
		return;
	for (e = t->oldest; e != NULL; e = e->lnext) {
		i = key_hash(e->family, e->key) & (n - 1);
		e->hnext = nb[i];
		nb[i] = e;
	}
	free(t->buckets);
	t->buckets = nb;
	t->nbuckets = n;
}

struct src_entry *
srctable_get(struct srctable *t, int family, const unsigned char *addr,
    int *created)
{
	unsigned char		 key[16];
	struct src_entry	*e, **head;

	mask_key(key, addr, family == AF_INET ? 4 : 16,
	    family == AF_INET ? t->prefix4 : t->prefix6);
	head = &t->buckets[key_hash(family, key) & (t->nbuckets - 1)];
	*created = 0;
	for (e = *head; e != NULL; e = e->hnext)
		if (e->family == family && memcmp(e->key, key, 16) == 0) {
			lru_unlink(t, e);
			lru_append(t, e);
			return e;
		}
	if (t->size < t->capacity) {
		if (t->size >= t->nbuckets && t->nbuckets < t->maxbuckets) {
			grow(t);
			head = &t->buckets[key_hash(family, key) &
			    (t->nbuckets - 1)];
		}
		if ((e = calloc(1, sizeof(*e))) == NULL)
			return NULL;
		t->size++;
	} else if ((e = evict_one(t)) == NULL)
		return NULL;
	e->family = family;
	memcpy(e->key, key, 16);
	e->hnext = *head;
	*head = e;
	lru_append(t, e);
	*created = 1;
	return e;
}
