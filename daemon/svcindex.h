/*
 * svcindex.h: find a service by a key in constant time.
 *
 * A reload of N services looks each one up (is its name taken, is its
 * endpoint taken, which running service is it): a list walk per lookup
 * made that N*N, some 25 million comparisons for 5000 services.  The
 * index holds pointers by a 64-bit hash of the key the caller computes;
 * the caller's equality function settles collisions.  It grows as it
 * fills and never removes.
 */
#ifndef SUPERD_SVCINDEX_H
#define SUPERD_SVCINDEX_H

#include <stddef.h>
#include <stdint.h>

struct svcindex;

typedef int	(*svcindex_eq_fn)(const void *item, const void *key);

/* A new, empty index, or NULL (out of memory). */
struct svcindex	*svcindex_new(void);
void		 svcindex_free(struct svcindex *);
/* Add item under hash; 0, or -1 (out of memory). */
int		 svcindex_add(struct svcindex *, uint64_t hash, void *item);
/* The first item added under hash that eq says matches key, or NULL. */
void		*svcindex_find(const struct svcindex *, uint64_t hash,
		    svcindex_eq_fn eq, const void *key);
/* FNV-1a of len bytes, continuing from h (start with SVCINDEX_SEED). */
uint64_t	 svcindex_hash(uint64_t h, const void *, size_t len);

#define SVCINDEX_SEED	14695981039346656037ULL

#endif
