/*
 * handover.h: the running-request table across a restart of superd.
 *
 * superd keeps the table in its state file (statefile.h, next to the
 * control socket), rewritten at most every HANDOVER_WRITE_MS while
 * requests start and end.  Two readers:
 *
 *  - crash recovery: a superd starting after a crash (or kill -9)
 *    re-adopts the handlers still alive (the same pid and the same start
 *    time as recorded), watches their exit through a pidfd, counts them
 *    against instances, max-children and per-source, and keeps a
 *    wait-mode service whose old handler holds the socket paused until
 *    that handler exits;
 *  - upgrade: superd checks the new binary (-t on the config, and
 *    --handover-version), writes the table with the file descriptors to
 *    keep (listening sockets, stderr pipes, builtin connections, the
 *    open connections of the line protocols (handover_conns.h), the
 *    control connection that asked) and execve()s it in the same
 *    process, so handlers stay its children; the new binary takes the
 *    descriptors over.
 */
#ifndef SUPERD_HANDOVER_H
#define SUPERD_HANDOVER_H

#include <stddef.h>

struct event_base;
struct superd_conf;

#define HANDOVER_ENV		"SUPERD_HANDOVER"
#define HANDOVER_WRITE_MS	100
/*
 * Session ids are never given twice, not even across a crash: the state
 * file records a mark this far above the ids handed out, so requests
 * that leave nothing else in it (builtin connections die with superd)
 * cost no write until their ids reach the mark.
 */
#define HANDOVER_ID_AHEAD	100000

/* argv: how this superd was started (the upgrade runs it again). */
void	handover_init(struct event_base *, char **argv, const char *conf_path);
/* Where the state file is for conf (beside its control socket). */
void	handover_configure(const struct superd_conf *);
/*
 * Before the first services_apply: read what the previous superd left
 * (from_upgrade: the path the previous binary named in HANDOVER_ENV,
 * else NULL: the state file, after a crash) and tell the services which
 * sockets are handed over or held.
 */
void	handover_prepare(const char *from_upgrade);
/*
 * After the first services_apply: adopt the requests.  Returns the
 * control connection that asked for the upgrade, or -1.
 */
int	handover_adopt(void);
/*
 * A request started or ended: write the table soon (coalesced).
 * recorded: it has a handler process, which the file lists; else only
 * the session ids moved, which the mark covers for a while.
 */
void	handover_changed(int recorded);
/* superd exits: keep the file if handlers outlive it, else remove it. */
void	handover_exit(void);
/*
 * Upgrade: check binary (NULL: the one running) in child processes
 * while the loop goes on serving (upcheck.h), then write the table and
 * execve it (after the builtin connections that cannot move finish).
 * -1 with the reason in err: refused at once (another upgrade under
 * way, no such binary), nothing changed.  0: under way; the asker (a
 * control connection, fd; -1 none) gets its answer from the new binary,
 * or an "ERR ECONFIG upgrade refused: ..." line on fd if it fails.
 */
int	handover_upgrade(const char *binary, int ctl_fd, char *err,
	    size_t errlen);
/* Give up an upgrade under way (superd stops), telling the asker why. */
void	handover_upgrade_cancel(const char *why);

#endif
