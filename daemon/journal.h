/*
 * journal.h: log entries for systemd-journald, in its native protocol.
 *
 * One entry is one datagram on journald's socket: FIELD=value lines, and
 * for a value with a newline the binary-safe form (FIELD, newline, the
 * length as 64-bit little endian, the value, newline).  The log writer
 * thread gathers entries in a batch and sends the batch with one
 * sendmmsg(); lines from other threads go out one by one.  A journal that
 * stops reading is waited for at most JOURNAL_STALL_MS; after that the
 * journal counts as stalled and entries it refuses are dropped at once,
 * counted, and reported in one warning entry at most every
 * JOURNAL_WARN_MS once it reads again.
 */
#ifndef SUPERD_JOURNAL_H
#define SUPERD_JOURNAL_H

#include "log.h"

#define JOURNAL_SOCKET		"/run/systemd/journal/socket"
#define JOURNAL_STALL_MS	1000
#define JOURNAL_WARN_MS		10000
#define JOURNAL_ENTRY_MAX	4096	/* a 2 KiB message, the fields */

/* Connect to the journal at path; entries say ident.  0, or -1. */
int	journal_open(const char *path, const char *ident);
void	journal_close(void);
/* One entry, sent now (any thread). */
void	journal_send(int pri, const struct log_fields *, const char *msg);
/* The writer thread: one entry into the batch, and the batch out. */
void	journal_batch(int pri, const struct log_fields *, const char *msg);
void	journal_flush(void);
/* Entries dropped and not yet reported. */
unsigned long journal_dropped(void);

#endif
