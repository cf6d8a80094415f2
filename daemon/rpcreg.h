/*
 * rpcreg.h: Sun RPC services' addresses kept registered with rpcbind.
 *
 * A type = rpc service's socket is registered for every version of its
 * program (rpcb_set, one netid per address family the socket takes),
 * removed when the socket closes (reload, stop), and registered again
 * when rpcbind loses it (rpcbind restarted without -w, or rpcinfo -d).
 * What rpcbind lists already (a socket handed over by an upgrade, or a
 * wait handler's from before a crash) is left as it is, not unset and
 * set again, so clients never find it missing.
 *
 * rpcbind answers over a local socket, but a stopped or hung rpcbind
 * makes a libtirpc call wait for its whole timeout, so every call to it
 * is made on one thread of this module: the event loop only appends to a
 * list under a mutex.  The thread checks the registrations every
 * RPCREG_CHECK_SEC seconds with one rpcb_getmaps call (the list
 * rpcinfo -p shows) and sets again what is missing.
 */
#ifndef SUPERD_RPCREG_H
#define SUPERD_RPCREG_H

#include <sys/socket.h>

#define RPCREG_CHECK_SEC	5	/* rpcbind restarts noticed within */
#define RPCREG_STOP_MS		2000	/* at exit, waiting for rpcbind */

struct rpcreg;

/* Start the thread (rpcreg_add does, the first time).  0 or -1/errno. */
int		 rpcreg_init(void);
/*
 * Register versions vlo..vhi of prog at the address socket fd is bound
 * to, for service name (in log lines).  Returns the registration, or
 * NULL (logged) when fd's address cannot be read or memory is short.
 */
struct rpcreg	*rpcreg_add(const char *name, unsigned long prog,
		    unsigned long vlo, unsigned long vhi, int fd);
/*
 * The same for a socket this process does not hold: bound to sa (type
 * SOCK_DGRAM or SOCK_STREAM, IPV6_V6ONLY as v6only), as the state file
 * says the socket a wait handler from before a restart serves is.
 */
struct rpcreg	*rpcreg_add_addr(const char *name, unsigned long prog,
		    unsigned long vlo, unsigned long vhi,
		    const struct sockaddr *sa, socklen_t len, int type,
		    int v6only);
/* Does rpcbind have all of it, as far as the last call or check said? */
int		 rpcreg_registered(struct rpcreg *);
/* Unregister and forget it (the thread frees it). */
void		 rpcreg_remove(struct rpcreg *);
/*
 * At exit: unregister everything, waiting at most RPCREG_STOP_MS for
 * rpcbind.  Whatever is left after that stays registered (logged).
 */
void		 rpcreg_stop(void);
/* Was superd built with libtirpc? */
int		 rpcreg_available(void);

#endif
