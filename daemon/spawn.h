/*
 * spawn.h: how a handler process is made.  Only spawn.c knows.
 */
#ifndef SUPERD_SPAWN_H
#define SUPERD_SPAWN_H

#include <sys/types.h>

struct service_conf;

/* Peer variables for the handler's environment (strings or NULL). */
struct spawn_peer {
	const char	*proto;		/* "TCP", "UDP", "UNIX" */
	const char	*remote_addr;
	const char	*remote_port;
	const char	*local_addr;
	const char	*local_port;
	long		 uid, gid, pid;	/* unix peers; -1 if unknown */
	const char	*session;	/* SUPERD_SESSION token */
};

struct spawn_req {
	const struct service_conf *sc;
	char		*const *base_env;	/* precomputed per service */
	int		 sock;		/* the connection or listening socket */
	int		 stderr_fd;	/* -1: fd 2 is the socket too */
	int		 systemd;	/* socket on fd 3, LISTEN_FDS=1 */
	const struct spawn_peer *peer;
	int		 in_cgroup;	/* born into cgroup_fd's cgroup */
	int		 cgroup_fd;	/* a cgroup v2 directory */
};

/* Open what spawning needs once (/dev/null); let go of a controlling
 * terminal (see spawn.c: handlers lead process groups, not sessions). */
void	spawn_init(void);
/*
 * Start a handler.  Returns its pid, or -1 with the reason in err (the
 * step that failed and errno: "setuid 1000: Operation not permitted").
 * A child that fails after the fork is reaped like any other.
 */
pid_t	spawn_handler(const struct spawn_req *, char *err, size_t errlen);
/* The per-service part of the environment (NULL-terminated); NULL when
 * out of memory. */
char  **spawn_base_env(const struct service_conf *);
void	spawn_free_env(char **);

#endif
