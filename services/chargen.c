/*
 * chargen.c: RFC 864, 72-character lines of rotating printable ASCII.
 *
 * Line k holds the 95 printable characters (space to '~') starting at the
 * k-th one, wrapping, cut to 72, then CRLF.  The stream is a pure function
 * of the byte position, so a connection only keeps a counter.
 */
#include "config.h"

#include <pthread.h>

#include "builtin_priv.h"

#define CG_FIRST	' '
#define CG_NCHARS	95	/* ' ' .. '~' */
#define CG_WIDTH	72
#define CG_LINELEN	(CG_WIDTH + 2)
#define CG_PERIOD	(CG_NCHARS * CG_LINELEN)	/* then it repeats */
#define CG_PIECE	16384	/* most a stream hands out at once */

/*
 * One period of the stream and a piece more, made once: a connection
 * sends straight from here, from any position, with no bytes to make
 * or copy per send.
 */
static char		cg_table[CG_PERIOD + CG_PIECE];
static pthread_once_t	cg_table_once = PTHREAD_ONCE_INIT;

static char	chargen_char(unsigned int, unsigned int);
static void	chargen_table_make(void);
static const char *chargen_stream(unsigned long long, size_t *);
static size_t	chargen_dgram(const void *, size_t, char *, size_t, time_t);

/* Reads only to notice the peer's EOF; what it sends is dropped. */
const struct builtin_ops chargen_ops = {
	.flags = BI_READS,
	.stream = chargen_stream,
	.dgram = chargen_dgram,
};

/* Byte col of line (line taken modulo the 95-line period). */
static char
chargen_char(unsigned int line, unsigned int col)
{
	if (col < CG_WIDTH)
		return CG_FIRST + (line + col) % CG_NCHARS;
	return col == CG_WIDTH ? '\r' : '\n';
}

/* Fill buf with the stream from pos on; one division, then counters. */
size_t
chargen_fill(unsigned long long pos, char *buf, size_t max)
{
	unsigned int	 line = pos / CG_LINELEN % CG_NCHARS;
	unsigned int	 col = pos % CG_LINELEN;
	size_t		 i;

	for (i = 0; i < max; i++) {
		buf[i] = chargen_char(line, col);
		if (++col == CG_LINELEN) {
			col = 0;
			line = (line + 1) % CG_NCHARS;
		}
	}
	return max;
}

static void
chargen_table_make(void)
{
	chargen_fill(0, cg_table, sizeof(cg_table));
}

/* The stream from pos on, out of the table (worker threads share it). */
static const char *
chargen_stream(unsigned long long pos, size_t *len)
{
	pthread_once(&cg_table_once, chargen_table_make);
	if (*len > CG_PIECE)
		*len = CG_PIECE;
	return cg_table + pos % CG_PERIOD;
}

/*
 * The RFC wants a random 0..512 characters; a length derived from the
 * request keeps this pure and testable.  Starting line rotates as well.
 */
static size_t
chargen_dgram(const void *req, size_t len, char *reply, size_t max,
    time_t now)
{
	size_t	 n = (len * 131 + CG_LINELEN) % (CHARGEN_DGRAM_MAX + 1);

	if (n > max)
		n = max;
	return chargen_fill((len % CG_NCHARS) * CG_LINELEN, reply, n);
}
