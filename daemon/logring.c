/*
 * logring.c: the single-producer single-consumer log ring.  See logring.h.
 *
 * head and tail only grow; a byte's place is its count modulo cap.  The
 * producer owns head and reads tail; the consumer owns tail and reads
 * head.  A record is a header (payload length, padding flag) and its
 * payload, rounded up to 8 bytes.  The stores that publish a record (head)
 * or free one (tail) are sequentially consistent: the writer thread
 * decides to sleep after checking the ring, and the loop decides to wake
 * it after committing, so each must see the other's last store.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "logring.h"

struct rec_hdr {
	uint32_t	len;		/* payload bytes */
	uint32_t	pad;		/* 1: skip to the start of the buffer */
};

#define HDR		sizeof(struct rec_hdr)
#define ROUND8(n)	(((n) + 7) & ~(size_t)7)

int
logring_init(struct logring *r, void *buf, size_t cap)
{
	if (cap < 4 * ROUND8(HDR + LOGRING_MAX_REC) || (cap & (cap - 1)))
		return -1;
	memset(r, 0, sizeof(*r));
	r->buf = buf;
	r->cap = cap;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	atomic_init(&r->dropped, 0);
	return 0;
}

static struct rec_hdr *
hdr_at(const struct logring *r, size_t off)
{
	return (struct rec_hdr *)(void *)(r->buf + (off & (r->cap - 1)));
}

void *
logring_reserve(struct logring *r, size_t max)
{
	size_t	head = atomic_load_explicit(&r->head, memory_order_relaxed);
	size_t	tail = atomic_load_explicit(&r->tail, memory_order_acquire);
	size_t	need = ROUND8(HDR + max), room = r->cap - (head - tail);
	size_t	to_end = r->cap - (head & (r->cap - 1));

	if (max > LOGRING_MAX_REC || room < need ||
	    (to_end < need && room < to_end + need)) {
		atomic_fetch_add_explicit(&r->dropped, 1, memory_order_relaxed);
		return NULL;
	}
	if (to_end < need) {
		/* Pad to the end; the record starts at the beginning. */
		hdr_at(r, head)->len = (uint32_t)(to_end - HDR);
		hdr_at(r, head)->pad = 1;
		head += to_end;
		atomic_store(&r->head, head);
	}
	r->resv = head;
	return (unsigned char *)hdr_at(r, head) + HDR;
}

void
logring_commit(struct logring *r, size_t len)
{
	struct rec_hdr	*h = hdr_at(r, r->resv);

	h->len = (uint32_t)len;
	h->pad = 0;
	atomic_store(&r->head, r->resv + ROUND8(HDR + len));
}

const void *
logring_peek(struct logring *r, size_t *len)
{
	size_t		 tail = atomic_load_explicit(&r->tail,
			    memory_order_relaxed);
	struct rec_hdr	*h;

	for (;;) {
		if (tail == atomic_load(&r->head))
			return NULL;
		h = hdr_at(r, tail);
		if (!h->pad)
			break;
		tail += HDR + h->len;
		atomic_store(&r->tail, tail);
	}
	*len = h->len;
	r->peeked = ROUND8(HDR + h->len);
	return (unsigned char *)h + HDR;
}

void
logring_release(struct logring *r)
{
	size_t	tail = atomic_load_explicit(&r->tail, memory_order_relaxed);

	atomic_store(&r->tail, tail + r->peeked);
	r->peeked = 0;
}

unsigned long
logring_take_dropped(struct logring *r)
{
	return atomic_exchange(&r->dropped, 0);
}

size_t
logring_used(struct logring *r)
{
	return atomic_load(&r->head) - atomic_load(&r->tail);
}
