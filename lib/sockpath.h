/*
 * sockpath.h: how superdctl and superd-lookup find superd's sockets.
 * Not part of libsuperd (it needs libconfuse); not installed.
 *
 * In order: the -S option, the environment variable, the key in the
 * -c file, the key in the default superd.conf, the runtime directory
 * (rundir.h).
 */
#ifndef SUPERD_SOCKPATH_H
#define SUPERD_SOCKPATH_H

#include <stddef.h>

/* The default configuration file, as superd's. */
#define SOCKPATH_CONF		SYSCONFDIR "/superd.conf"

struct sockpath_query {
	const char	*opt;		/* -S, or NULL */
	const char	*env;		/* "SUPERD_CONTROL_SOCKET" */
	const char	*conf;		/* -c FILE, or NULL */
	const char	*key;		/* "control-socket" */
	const char	*name;		/* "control.sock" in the runtime dir */
};

/*
 * The socket path into buf and where it came from into from ("given
 * with -S", "from $SUPERD_DIRECTORY", "from /etc/superd.conf:12", "the
 * default"): 0.  -1 with
 * the reason in err (a -c file that cannot be read, a config error, a
 * socket switched off with "").
 */
int	 sockpath_find(const struct sockpath_query *, char *buf, size_t len,
	    char *from, size_t fromlen, char *err, size_t errlen);
/*
 * The key's value in file into buf: 1, 0 when the file does not set it,
 * -1 with the reason (file:line for syntax errors) in err; errno is
 * ENOENT or EACCES when the file cannot be opened.
 */
int	 sockpath_conf_key(const char *file, const char *key, char *buf,
	    size_t len, int *line, char *err, size_t errlen);

/*
 * superd-lookup --net: when $SUPERD_ETCD_ENDPOINTS is not set, take
 * etcd-endpoints (and etcd-prefix, host-name) from file (NULL: the
 * default file, which may be absent) into the environment libsuperd
 * reads.  0, or -1 with the reason in err.
 */
int	 sockpath_etcd_env(const char *file, char *err, size_t errlen);

#endif /* SUPERD_SOCKPATH_H */
