/*
 * directory_server.h: the local endpoint directory's sockets.
 *
 * A UNIX stream socket (directory-socket, mode 0666) where local programs
 * register, renew, unregister, look up and list endpoints, with the peer's
 * uid from SO_PEERCRED; and, when directory-listen is set, a read-only TCP
 * socket that answers lookups and lists only, rate-limited per source.
 * The protocol is in superd-directory(7).  Events run at priority 1.
 */
#ifndef SUPERD_DIRECTORY_SERVER_H
#define SUPERD_DIRECTORY_SERVER_H

struct event_base;
struct superd_conf;

int  directory_start(struct event_base *, const struct superd_conf *); /* 0, or -1 after logging why */
void directory_reconfigure(const struct superd_conf *);  /* after a reload: new limits/paths */
void directory_stop(void);
struct dir_entry;
/* Call cb for every lease in the directory (for export.c). */
void directory_foreach_lease(void (*cb)(const struct dir_entry *, void *),
    void *arg);                                 /* close and unlink the socket */
struct dir_reg;
struct dir_cred;
/* Put back a TTL lease handed over by an upgrade (its id and expiry). */
int  directory_restore_lease(const struct dir_reg *, const struct dir_cred *);
/*
 * Lease ids are never given twice, across an upgrade too: the id the
 * next lease gets (0: no directory), and taking it over.
 */
uint64_t directory_next_lease_id(void);
void directory_skip_lease_ids(uint64_t next);

#endif
