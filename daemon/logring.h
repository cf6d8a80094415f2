/*
 * logring.h: a lock-free byte ring for one producer and one consumer.
 *
 * The event loop (the producer) reserves room for a record, formats it in
 * place and commits it; the log writer thread (the consumer) reads the
 * records in order and releases them.  Nothing locks, nothing allocates
 * after logring_init, and a full ring never blocks the producer: the
 * record is dropped and counted.  Records are contiguous in the buffer (a
 * record that would straddle the end leaves padding and starts over at
 * the beginning), so a record is at most LOGRING_MAX_REC bytes and the
 * ring must hold at least two of them.
 */
#ifndef SUPERD_LOGRING_H
#define SUPERD_LOGRING_H

#include <stdatomic.h>
#include <stddef.h>

#define LOGRING_MAX_REC	2048		/* payload bytes of one record */

struct logring {
	unsigned char		*buf;
	size_t			 cap;		/* a power of two */
	_Atomic size_t		 head;		/* bytes committed, ever */
	_Atomic size_t		 tail;		/* bytes released, ever */
	_Atomic unsigned long	 dropped;	/* records that did not fit */
	size_t			 resv;		/* producer: where it writes */
	size_t			 peeked;	/* consumer: record's size */
};

/* Use buf (cap bytes, a power of two >= 4 * LOGRING_MAX_REC); 0 or -1. */
int	 logring_init(struct logring *, void *buf, size_t cap);
/* Producer: room for up to max payload bytes, or NULL (counted drop). */
void	*logring_reserve(struct logring *, size_t max);
/* Producer: publish the reserved record with its first len bytes. */
void	 logring_commit(struct logring *, size_t len);
/* Consumer: the oldest record and its length, or NULL when empty. */
const void *logring_peek(struct logring *, size_t *len);
/* Consumer: free the record logring_peek returned. */
void	 logring_release(struct logring *);
/* Records dropped since the last call (zeroes the count). */
unsigned long logring_take_dropped(struct logring *);
/* Bytes in use (approximate from the other side); 0 when empty. */
size_t	 logring_used(struct logring *);

#endif
