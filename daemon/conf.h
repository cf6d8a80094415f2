/*
 * conf.h: the configuration as plain data.
 *
 * conf.c is the only file that knows libconfuse.  It parses
 * /etc/superd.conf (and its include directory) into these structs, checks
 * every value, resolves users, groups, addresses and ports once, and frees
 * the cfg_t.  The runtime never looks at configuration text again.
 */
#ifndef SUPERD_CONF_H
#define SUPERD_CONF_H

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>

#include "sockopt.h"

#define EX_CONFIG_STATUS	78	/* sysexits.h EX_CONFIG */
/* The directory's TCP port when directory-listen names none (= libsuperd's). */
#define SUPERD_DIRECTORY_PORT	7111
#define ETCD_PREFIX_DEFAULT	"/superd/v1/"	/* etcd-prefix */

enum svc_type {
	SVC_EXEC,
	SVC_BUILTIN
};

enum svc_proto {
	PROTO_TCP,
	PROTO_UDP,
	PROTO_UNIX
};

enum svc_stderr {
	STDERR_SOCKET,		/* inetd contract: fd 2 is the connection */
	STDERR_LOG		/* fd 2 is a pipe read line by line into the log */
};

enum svc_urgent {
	URGENT_PASS,
	URGENT_INTERRUPT,
	URGENT_IGNORE
};

/* tcpmux (RFC 1078): may the service be reached by name? */
enum svc_tcpmux {
	TCPMUX_NO,
	TCPMUX_YES,		/* the handler writes the "+" / "-" line */
	TCPMUX_PLUS		/* superd writes "+Go" first */
};

enum svc_passfds {
	PASSFDS_INETD,		/* socket on fds 0, 1 (and 2) */
	PASSFDS_SYSTEMD		/* socket on fd 3 with LISTEN_FDS=1 */
};

/* One address prefix of an only-from / no-access list. */
struct acl_entry {
	int			 family;	/* AF_INET or AF_INET6 */
	unsigned char		 addr[16];
	int			 prefixlen;
};

struct acl {
	struct acl_entry	*entries;
	size_t			 n;
};

/*
 * A banner file (banner, banner-success, banner-fail), read whole at
 * load so that sending it never touches the disk from the event loop.
 */
#define BANNER_MAX	8192	/* bytes sent; fits a new socket's buffer */
struct banner {
	char			*path;		/* NULL: none */
	char			*data;
	size_t			 len;
};

/* A token bucket setting: rate per second, burst size; 0 = off. */
struct rate_conf {
	double			 per_sec;
	unsigned		 burst;
};

#define SUPERD_NRLIMITS	6
/* Index into service_conf.rlimits: cpu, as, nofile, nproc, fsize, core. */
struct rlimit_conf {
	int			 resource;	/* RLIMIT_* */
	int			 set;
	struct rlimit		 rl;
};

/*
 * Resource control and sandbox (cgroup.c, sandbox.c): one block, filled
 * by conf.c's resctl keys.
 */
struct cgroup_conf {
	char			*root;		/* service cgroups' parent; NULL off */
	int			 per_request;	/* cgroup-per-request */
	int64_t			 memory_max;	/* bytes, -1 unset, INT64_MAX max */
	int64_t			 memory_high;
	int64_t			 pids_max;
	unsigned		 cpu_weight;	/* 0 unset */
	unsigned		 io_weight;
	char			 cpu_max[48];	/* "QUOTA PERIOD", "" unset */
};

enum protect_system {
	PROTECT_SYSTEM_NO,
	PROTECT_SYSTEM_FULL,		/* /usr, /boot, /efi, /etc read-only */
	PROTECT_SYSTEM_STRICT		/* all but /dev, /proc, /sys */
};

struct sandbox_filter;			/* sandbox.c: a seccomp program */

struct sandbox_conf {
	int			 private_tmp;
	int			 private_network;
	int			 protect_home;
	enum protect_system	 protect_system;
	char			**read_only;	/* NULL-terminated or NULL */
	char			**inaccessible;
	int			 set_bounding;
	uint64_t		 bounding;	/* capabilities to keep */
	int			 set_ambient;
	uint64_t		 ambient;
	char			*syscall_filter;	/* as written, for compare */
	struct sandbox_filter	*filter;	/* built at load */
};

struct service_conf {
	char			*name;
	char			*file;		/* where the section is */
	int			 line;

	enum svc_type		 type;
	int			 socktype;	/* SOCK_STREAM or SOCK_DGRAM */
	enum svc_proto		 proto;
	char			*address;	/* as written ("*", "::1", a path) */
	int			 family;	/* AF_INET, AF_INET6 or AF_UNIX */
	int			 dualstack;	/* "*": one v6 socket, v4-mapped on */
	int			 v6only;
	struct sockaddr_storage	 addr;		/* resolved, port included */
	socklen_t		 addrlen;
	int			 port;		/* 0 = dynamic */
	int			 wait;
	int			 disable;
	int			 backlog;

	/* type = rpc: an exec service registered with rpcbind. */
	int			 rpc;
	unsigned long		 rpc_prog;
	unsigned long		 rpc_vlo;	/* versions lo..hi */
	unsigned long		 rpc_vhi;

	/* UNIX socket file ownership and mode. */
	uid_t			 sock_uid;
	gid_t			 sock_gid;
	mode_t			 sock_mode;

	/* Who the handler runs as, resolved at load time. */
	char			*user;
	char			*group;
	uid_t			 uid;
	gid_t			 gid;
	gid_t			*groups;	/* supplementary, from initgroups */
	int			 ngroups;
	int			 switch_user;	/* 0 when superd is not root */

	char			*server;	/* exec: path; builtin: name */
	char		       **argv;		/* NULL-terminated, argv[0] set */
	char		       **env;		/* configured NAME=VALUE, NULL-term. */
	int			 env_inherit;
	char		       **env_pass;	/* names from superd's env, or NULL */
	enum svc_stderr		 stderr_mode;
	enum svc_passfds	 pass_fds;
	unsigned		 instances;	/* 0 = unlimited */
	unsigned		 threads;	/* builtin on a worker pool */

	/* Protection and isolation. */
	struct acl		 only_from;
	struct acl		 no_access;
	uid_t			*allow_uids;
	size_t			 n_allow_uids;
	gid_t			*allow_gids;
	size_t			 n_allow_gids;
	unsigned		 per_source;
	int			 per_source_prefix4;
	int			 per_source_prefix6;
	struct rate_conf	 rate;
	struct rate_conf	 per_source_rate;
	double			 max_load;	/* refuse above it; 0 = off */
	struct banner		 banner;	/* to every client, first */
	struct banner		 banner_success;	/* ... once admitted */
	struct banner		 banner_fail;	/* ... when refused */
	char			*chroot;
	mode_t			 umask;
	int			 set_umask;
	int			 nice;
	int			 set_nice;
	struct rlimit_conf	 rlimits[SUPERD_NRLIMITS];
	int			 no_new_privs;
	unsigned		 timeout;	/* seconds, 0 = none */
	unsigned		 kill_grace;	/* SIGTERM then SIGKILL after */

	/* Out-of-band. */
	int			 oob_port;	/* -1 = none, 0 = dynamic */
	enum svc_urgent		 urgent;
	int			 urgent_signal;
	int			 udp_low_ports;	/* allow datagrams from < 1024 */
	int			 libwrap;	/* hosts.allow / hosts.deny */

	int			 export;	/* DNS-SD export */
	struct sockopts		 sockopts;	/* sockopt.c */

	/* tcpmux and redirect (tcpmux.c, redirect.c). */
	enum svc_tcpmux		 tcpmux;	/* reachable through tcpmux */
	int			 tcpmux_server;	/* is the tcpmux listener */
	int			 no_listener;	/* tcpmux only: no port */
	char			*redirect;	/* "host port" as written */
	struct sockaddr_storage	 redirect_addr;	/* ... resolved at load */
	socklen_t		 redirect_len;	/* 0: no redirect */

	struct cgroup_conf	 cg;
	struct sandbox_conf	 sandbox;

	TAILQ_ENTRY(service_conf) entry;
};
TAILQ_HEAD(service_conf_list, service_conf);

/* directory-allow: a name only this user or group may register. */
struct dir_allow {
	char			*name;
	int			 by_group;
	uid_t			 uid;
	gid_t			 gid;
};

struct superd_conf {
	char			*path;		/* the main file */
	char			*include_dir;
	int			 log_level;	/* LOG_* */
	unsigned		 max_children;	/* 0 = unlimited */
	int			 keep_handlers;	/* on exit: 1 leave running */
	unsigned		 shutdown_grace;
	char			*pidfile;

	char			*control_socket;
	char			*control_group;
	gid_t			 control_gid;	/* (gid_t)-1 when none */

	char			*directory_socket;
	unsigned		 dir_ttl_min;
	unsigned		 dir_ttl_max;
	unsigned		 dir_max_entries;
	unsigned		 dir_max_per_uid;
	char			*directory_listen;	/* "ADDR[:PORT]" or NULL */
	/* directory-export: bits of DIR_EXPORT_*, 0 = none. */
	unsigned		 directory_export;
#define DIR_EXPORT_AVAHI	0x01		/* DNS-SD over mDNS */
#define DIR_EXPORT_ETCD		0x02		/* etcd, under one lease */
	char			**etcd_endpoints;	/* "http://H:P", NULL-ended */
	char			*etcd_prefix;		/* ends in "/" */
	unsigned		 etcd_ttl;		/* lease TTL, s */
	char			*etcd_ca;		/* https: CA file or NULL */
	char			*etcd_cert;		/* client cert, with */
	char			*etcd_key;		/* ... its key, or NULL */
	char			*etcd_user;		/* etcd auth, or NULL */
	char			*etcd_password;		/* ... from its file */
	char			*host_name;		/* this instance's name */
	char			**advertise;		/* addresses for "*", or NULL */
	struct sockaddr_storage	 dir_listen_addr;	/* ... parsed */
	socklen_t		 dir_listen_len;
	struct dir_allow	*dir_allow;
	size_t			 n_dir_allow;

	/* The line protocols' limits (control, directory, OOB). */
	struct line_limits {
		unsigned	 line_timeout;	/* s for a whole line */
		unsigned	 oob_line_timeout;
		unsigned	 idle_timeout;	/* s between lines */
		unsigned	 max_conns;
		unsigned	 max_per_peer;	/* per uid / address */
		unsigned	 root_reserve;
	}			 line;

	char			*cgroup_root;	/* resolved; NULL: no cgroups */
	char			 cgroup_why[160];	/* why not, for status */

	struct service_conf_list services;
	unsigned		 nservices;

	char			*inetd_compat;	/* inetd.conf read too, or NULL */

	/* metrics-listen: the Prometheus endpoint (metrics_http.c). */
	char			*metrics_listen;	/* as written, or NULL */
	struct sockaddr_storage	 metrics_addr;
	socklen_t		 metrics_len;		/* 0: off */
	struct acl		 metrics_allow;		/* empty: loopback only */
};

/*
 * Parse path (and its include directory).  On success returns a new
 * superd_conf.  On failure returns NULL after writing every error, one per
 * line as "file:line: service "name": key: what is wrong", to errs.
 */
struct superd_conf	*conf_load(const char *path, FILE *errs);
/* Parse from a string (tests); name is used in messages. */
struct superd_conf	*conf_load_buf(const char *name, const char *text,
			    FILE *errs);
void			 conf_free(struct superd_conf *);
void			 service_conf_free(struct service_conf *);
/* Same listening endpoint (reuse the socket across a reload)? */
int			 service_conf_same_endpoint(const struct service_conf *,
			    const struct service_conf *);
/* Same in everything but runtime state? */
int			 service_conf_equal(const struct service_conf *,
			    const struct service_conf *);
/* Enabled rpc services claiming a version of one program on one proto? */
int			 service_conf_rpc_overlap(const struct service_conf *,
			    const struct service_conf *);
/* Same RPC program and versions (or both not rpc)? */
int			 service_conf_rpc_equal(const struct service_conf *,
			    const struct service_conf *);
/* "tcp", "udp", "unix" */
const char		*conf_proto_name(enum svc_proto);

#endif
