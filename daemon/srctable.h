/*
 * srctable.h: per-source state in a bounded table.
 *
 * Sources are keyed by prefix (e.g. /32 for IPv4, /64 for IPv6) so one
 * IPv6 network cannot walk around a per-source limit by changing its
 * low bits, and the table never holds more than its capacity: idle
 * entries are evicted least recently used first, so a flood of spoofed
 * sources cannot exhaust memory.
 */
#ifndef SUPERD_SRCTABLE_H
#define SUPERD_SRCTABLE_H

#define SRCTABLE_MIN_BUCKETS	16

#include <stddef.h>
#include "ratelimit.h"

struct src_entry {
	int			 family;
	unsigned char		 key[16];	/* masked address */
	unsigned		 active;	/* running handlers */
	struct rl_bucket	 bucket;
	double			 last_logged;	/* refusal log throttle */
	struct src_entry	*hnext;		/* hash chain */
	struct src_entry	*lprev, *lnext;	/* LRU list, head = oldest */
};

struct srctable;

struct srctable	*srctable_new(size_t capacity, int prefix4, int prefix6);
void		 srctable_free(struct srctable *);
/*
 * The entry for addr (16 bytes for v6, 4 for v4), created if needed and
 * marked most recently used.  NULL when the table is full of active
 * entries.  *created tells a new entry (to init its bucket).
 */
struct src_entry *srctable_get(struct srctable *, int family,
		    const unsigned char *addr, int *created);
size_t		 srctable_size(const struct srctable *);
/* Hash buckets now: SRCTABLE_MIN_BUCKETS empty, growing with the entries. */
size_t		 srctable_nbuckets(const struct srctable *);
/* New prefix lengths for later lookups (entries keyed before stay). */
void		 srctable_set_prefixes(struct srctable *, int prefix4, int prefix6);

#endif
