/*
 * handover_bytes.h: the bytes that go with the state file across an
 * upgrade's execve.
 *
 * A state file line is at most PROTO_LINE_MAX bytes; what connections
 * hold (input not yet a line, replies not yet written, a builtin's
 * queued output) can be megabytes.  So those bytes go into one memfd,
 * kept across execve and named in the state file ("connbuf fd=N"), and
 * each record says where its own bytes are (offset and length).
 */
#ifndef SUPERD_HANDOVER_BYTES_H
#define SUPERD_HANDOVER_BYTES_H

/* Append len bytes; their offset in *at.  0, or -1 (logged). */
int	 hobytes_put(const void *, unsigned long long len,
	    unsigned long long *at);
/* The memfd, made to survive execve; -1 when nothing was put. */
int	 hobytes_fd(void);
/* The execve did not happen: close the memfd. */
void	 hobytes_cancel(void);
/*
 * The new binary: len bytes at offset at of memfd fd, a NUL after them
 * (malloc'd); NULL if they are not all there.
 */
char	*hobytes_get(int fd, unsigned long long at, unsigned long long len);

#endif
