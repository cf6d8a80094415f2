/*
 * cgroup.h: cgroup v2 placement, limits, per-request cgroups and
 * accounting.  Only cgroup.c knows the cgroup file system.
 *
 * Layout under the root (cgroup-root, or the cgroup systemd delegated
 * to superd):
 *	ROOT/supervisor		superd itself, when ROOT is its own cgroup
 *	ROOT/NAME.PROTO		one per service, its limits
 *	ROOT/NAME.PROTO/req-ID	one per request (cgroup-per-request)
 */
#ifndef SUPERD_CGROUP_H
#define SUPERD_CGROUP_H

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct cgroup_conf;
struct cgroup_svc;
struct cgroup_req;

/* What a cgroup used; -1 where this kernel does not tell. */
struct cgroup_acct {
	long long	cpu_usec;	/* cpu.stat usage_usec */
	long long	mem_peak;	/* memory.peak, bytes */
	long long	tasks;		/* now: pids.current or counted */
	long long	tasks_peak;	/* pids.peak */
	long long	oom_kills;	/* memory.events oom_kill */
	long long	pids_refused;	/* pids.events max: forks refused */
};

/* ---- at config load (no side effects: superd -t) ---- */

/*
 * The root for the global cgroup-root key (NULL or "auto": the cgroup
 * systemd delegated to us, if any; "no": none; else a path, absolute in
 * the cgroup2 hierarchy or under its mount).  0 with *root set (NULL
 * when cgroups are off, the reason in why), or -1 with err.
 */
int	cgroup_resolve_root(const char *key, char **root, char *why,
	    size_t whylen, char *err, size_t errlen);
/*
 * Can these service keys be honoured?  0, or -1 with *key the key that
 * cannot and err what is missing ("memory controller: not in
 * cgroup.controllers of /sys/fs/cgroup/unified").
 */
int	cgroup_check(const struct cgroup_conf *, const char **key, char *err,
	    size_t errlen);
/* Any key that needs a cgroup set? */
int	cgroup_conf_wanted(const struct cgroup_conf *);
int	cgroup_conf_equal(const struct cgroup_conf *,
	    const struct cgroup_conf *);

/* ---- at run time ---- */

/* Watch per-request cgroups on this loop. */
void	cgroup_init(struct event_base *);
/* Stop watching (at exit). */
void	cgroup_shutdown(void);
/* What status says: "per-service under ROOT", "off: why". */
void	cgroup_status(char *buf, size_t len);
/* The running config's root (NULL: off, for the reason why). */
void	cgroup_configure(const char *root, const char *why);

/*
 * The service's cgroup in *csp, made (and its root prepared) if needed,
 * with the limits of cc written when they changed (a reload): 0, or -1
 * with err (*csp stays valid or NULL).
 */
int	cgroup_service_open(struct cgroup_svc **csp, const char *name,
	    const char *proto, const struct cgroup_conf *cc, char *err,
	    size_t errlen);
/* Its directory fd, for CLONE_INTO_CGROUP. */
int	cgroup_service_fd(const struct cgroup_svc *);
/* Forget it (the directory is removed if empty). */
void	cgroup_service_close(struct cgroup_svc *);
/* A service's accounting by name (for superdctl); -1 none. */
int	cgroup_service_account(const char *name, const char *proto,
	    struct cgroup_acct *);

typedef void	(*cgroup_changed_fn)(void *arg);
/*
 * A cgroup for one request; changed(arg) runs on the loop whenever its
 * cgroup.events changes (look with cgroup_request_populated).
 */
struct cgroup_req *cgroup_request_new(struct cgroup_svc *, uint64_t id,
	    cgroup_changed_fn changed, void *arg, char *err, size_t errlen);
/*
 * A request's cgroup made by an earlier superd (named in the state file
 * after an upgrade or a crash), taken over as if made here: watched,
 * signalled, accounted and removed at the end.  NULL with err when path
 * is not a request's cgroup below the cgroup2 mount, or is gone.
 */
struct cgroup_req *cgroup_request_adopt(const char *path,
	    cgroup_changed_fn changed, void *arg, char *err, size_t errlen);
/*
 * A request's cgroup (from the state file) whose handler is gone: 1 if
 * processes are left in it (the request goes on), else it is removed
 * and 0.
 */
int	cgroup_request_orphan(const char *path);
/* Its directory (the state file records it). */
const char *cgroup_request_path(const struct cgroup_req *);
int	cgroup_request_fd(const struct cgroup_req *);
/* 1 processes left, 0 empty, -1 cannot tell. */
int	cgroup_request_populated(const struct cgroup_req *);
/* sig to every process in it; SIGKILL through cgroup.kill. */
int	cgroup_request_signal(struct cgroup_req *, int sig);
/* Read its accounting, remove it; acct may be NULL. */
void	cgroup_request_free(struct cgroup_req *, struct cgroup_acct *acct);
/*
 * " (cpu 0.012s, memory peak 3172 KiB, tasks peak 4)", with
 * ", killed by memory-max" or ", pids-max refused 3 forks" when the limits
 * acted, or "".
 */
void	cgroup_acct_format(const struct cgroup_acct *, char *buf, size_t len);

#endif
