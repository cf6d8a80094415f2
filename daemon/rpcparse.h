/*
 * rpcparse.h: the values of a Sun RPC service, checked.
 *
 * Pure apart from the /etc/rpc lookup: shared by conf.c (rpc-program,
 * rpc-versions), inetd_parse.c ("rstatd/1-5") and superd-convert, so a
 * version range means the same thing everywhere.
 */
#ifndef SUPERD_RPCPARSE_H
#define SUPERD_RPCPARSE_H

#include <stddef.h>

/* RPC versions are 32-bit; ranges wider than this are refused. */
#define RPC_VERS_SPAN	64

/*
 * "N" or "LOW-HIGH" (decimal, LOW <= HIGH, at most RPC_VERS_SPAN
 * versions).  0, or -1 with the reason in err.
 */
int	 rpcparse_versions(const char *, unsigned long *lo, unsigned long *hi,
	    char *err, size_t errlen);
/*
 * A program number (decimal, 1..2^32-1) or a name from /etc/rpc
 * (getrpcbyname_r).  0, or -1 with the reason in err.
 */
int	 rpcparse_program(const char *, unsigned long *prog, char *err,
	    size_t errlen);

#endif
