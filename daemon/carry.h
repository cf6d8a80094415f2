/*
 * carry.h: the counters an in-place upgrade carries over.
 *
 * superd's counters (per service: requests, refusals by reason, handler
 * exits, the duration histogram; daemon-wide: control, OOB and directory
 * requests, reloads) live in memory, and execve would restart them at
 * zero although the process, its PID and its start time stay: a
 * Prometheus scrape would see a counter reset that never happened.  The
 * upgrade writes them into its state file as "count" records (statefile.h)
 * and the new binary takes them back before it counts anything, then
 * counts the upgrade itself (superd_upgrades_total).  A state file
 * written for crash recovery has none: a new process starts at zero.
 */
#ifndef SUPERD_CARRY_H
#define SUPERD_CARRY_H

struct statefile;

/* Add every counter to sf; 0, or -1 out of memory. */
int	carry_export(struct statefile *);
/*
 * Take the counters of sf back (after the services are set up, before
 * any request is counted) and count this upgrade.
 */
void	carry_import(const struct statefile *);

#endif
