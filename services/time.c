/*
 * time.c: RFC 868, seconds since 1900-01-01 UTC as 32 bits, network order.
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "builtin_priv.h"

/* Seconds from 1900-01-01 to 1970-01-01 (70 years, 17 of them leap). */
#define TIME_EPOCH_OFFSET	2208988800ULL
#define TIME_LEN		4

static size_t	time_put(char *, size_t, time_t);
static size_t	time_greet(char *, size_t, time_t);
static size_t	time_dgram(const void *, size_t, char *, size_t, time_t);

const struct builtin_ops time_ops = {
	.flags = BI_ONCE,
	.greet = time_greet,
	.dgram = time_dgram,
};

/* Host-order RFC 868 value; it wraps in 2036 as the RFC's 32 bits do. */
uint32_t
time_rfc868(time_t now)
{
	return (uint32_t)((uint64_t)(int64_t)now + TIME_EPOCH_OFFSET);
}

/* The four bytes on the wire, or nothing if they do not fit. */
static size_t
time_put(char *buf, size_t max, time_t now)
{
	uint32_t	 t;

	if (max < TIME_LEN)
		return 0;
	t = htonl(time_rfc868(now));
	memcpy(buf, &t, TIME_LEN);
	return TIME_LEN;
}

/* Stream: send the value, then close. */
static size_t
time_greet(char *buf, size_t max, time_t now)
{
	return time_put(buf, max, now);
}

/* Datagram: the same four bytes, whatever the request held. */
static size_t
time_dgram(const void *req, size_t len, char *reply, size_t max, time_t now)
{
	return time_put(reply, max, now);
}
