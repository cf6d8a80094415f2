/*
 * discard.c: RFC 863, read and drop everything, answer nothing.
 */
#include "config.h"

#include "builtin_priv.h"

static size_t	discard_dgram(const void *, size_t, char *, size_t, time_t);

/* No input hook: builtin.c reads into scratch space and drops it. */
const struct builtin_ops discard_ops = {
	.flags = BI_READS,
	.dgram = discard_dgram,
};

/* A datagram to discard gets no answer. */
static size_t
discard_dgram(const void *req, size_t len, char *reply, size_t max,
    time_t now)
{
	return 0;
}
