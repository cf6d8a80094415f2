/*
 * svcindex.c: a chained hash table of pointers.  See svcindex.h.
 */
#include "config.h"

#include <stdlib.h>

#include "svcindex.h"

struct entry {
	struct entry	*next;
	uint64_t	 hash;
	void		*item;
};

struct svcindex {
	struct entry	**b;
	size_t		  nb, n;	/* buckets (2^k), entries */
};

struct svcindex *
svcindex_new(void)
{
	struct svcindex	*x;

	if ((x = calloc(1, sizeof(*x))) == NULL)
		return NULL;
	x->nb = 64;
	if ((x->b = calloc(x->nb, sizeof(*x->b))) == NULL) {
		free(x);
		return NULL;
	}
	return x;
}

void
svcindex_free(struct svcindex *x)
{
	struct entry	*e, *next;
	size_t		 i;

	if (x == NULL)
		return;
	for (i = 0; i < x->nb; i++)
		for (e = x->b[i]; e != NULL; e = next) {
			next = e->next;
			free(e);
		}
	free(x->b);
	free(x);
}

/* Twice the buckets; keeps each chain's order (first added first). */
static int
grow(struct svcindex *x)
{
	struct entry	**nb, *e, *next, **tail;
	size_t		  n = x->nb * 2, i;

	if ((nb = calloc(n, sizeof(*nb))) == NULL)
		return -1;
	for (i = 0; i < x->nb; i++)
		for (e = x->b[i]; e != NULL; e = next) {
			next = e->next;
			e->next = NULL;
			for (tail = &nb[e->hash & (n - 1)]; *tail != NULL;
			    tail = &(*tail)->next)
				;
			*tail = e;
		}
	free(x->b);
	x->b = nb;
	x->nb = n;
	return 0;
}

int
svcindex_add(struct svcindex *x, uint64_t hash, void *item)
{
	struct entry	*e, **tail;

	if (x->n >= x->nb && grow(x) == -1)
		return -1;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return -1;
	e->hash = hash;
	e->item = item;
	for (tail = &x->b[hash & (x->nb - 1)]; *tail != NULL;
	    tail = &(*tail)->next)
		;
	*tail = e;
	x->n++;
	return 0;
}

void *
svcindex_find(const struct svcindex *x, uint64_t hash, svcindex_eq_fn eq,
    const void *key)
{
	const struct entry	*e;

	for (e = x->b[hash & (x->nb - 1)]; e != NULL; e = e->next)
		if (e->hash == hash && eq(e->item, key))
			return e->item;
	return NULL;
}

uint64_t
svcindex_hash(uint64_t h, const void *p, size_t len)
{
	const unsigned char	*s = p;
	size_t			 i;

	for (i = 0; i < len; i++) {
		h ^= s[i];
		h *= 1099511628211ULL;
	}
	return h;
}
