/*
 * handover_conns.h: the open connections of superd's line protocols
 * across an in-place upgrade (handover.h).
 *
 * Every connection of the line servers (linesrv.h: control, the
 * directory's local and remote sockets, the OOB endpoints, tcpmux
 * before the service is named) goes to the new binary as it is: its
 * socket, the bytes read that are no whole line yet, the replies not
 * written yet, and its protocol's own state (for the directory, the
 * connection's id, which its connection-bound leases name, and the
 * credentials the ownership checks use).  So a registrant keeps its
 * connection and its leases, and a client in the middle of a line or of
 * a long reply sees nothing of the upgrade.
 */
#ifndef SUPERD_HANDOVER_CONNS_H
#define SUPERD_HANDOVER_CONNS_H

struct statefile;

/*
 * Upgrade: every connection but the one that asked for it (ctl_fd, or
 * -1; handover.c hands that one over to get its answer) into sf, their
 * sockets, with their bytes in handover_bytes.h's memfd.  0, or -1
 * (logged; sf may hold some).
 */
int	handover_conns_collect(struct statefile *sf, int ctl_fd);
/*
 * The new binary, once its line servers listen on the sockets handed
 * over and before the directory's leases come back (a connection-bound
 * one needs its connection): serve every connection sf lists.  Returns
 * how many are served again; the others are closed with a reply that
 * says why.
 */
unsigned	handover_conns_restore(struct statefile *sf);

#endif
