/*
 * inherit.h: sockets handed to superd at start (systemd socket
 * activation: LISTEN_FDS, LISTEN_PID, LISTEN_FDNAMES).
 *
 * A service uses an inherited socket instead of binding when its name is
 * the socket's FileDescriptorName=, or else when the socket's type and
 * bound address are the service's.  superd keeps every inherited socket
 * for its whole life and gives services duplicates, so a service removed
 * by one reload and added back by the next finds its socket again (the
 * manager holds the address, so binding it anew would fail).
 */
#ifndef SUPERD_INHERIT_H
#define SUPERD_INHERIT_H

struct service_conf;

/* Take over the sockets in the environment (and unset LISTEN_*). */
void	inherit_init(void);
/* A CLOEXEC, non-blocking duplicate of sc's inherited socket, or -1. */
int	inherit_take(const struct service_conf *sc);
/* After a config is applied: warn once about sockets no service uses. */
void	inherit_report_unused(void);
void	inherit_free(void);

#endif
