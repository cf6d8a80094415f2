/*
 * capcheck.h: superd -t warns about what the handlers will not get.
 *
 * A config can ask for things only a privileged superd can give a
 * handler: a negative nice, limits above superd's own hard limits, a
 * chroot, another user or group.  Whether that works depends on how
 * superd is started (root, or a systemd unit with a narrow
 * CapabilityBoundingSet=), not on the file, so superd -t warns rather
 * than fails; at run time the handler would fail to start.
 *
 * Pure apart from capcheck_env_current(): the checks take what superd
 * holds as a struct, so tests can play any privilege.
 */
#ifndef SUPERD_CAPCHECK_H
#define SUPERD_CAPCHECK_H

#include <sys/types.h>
#include <sys/resource.h>
#include <stdint.h>
#include <stdio.h>

#include "conf.h"

/* What superd holds: effective capabilities and its own limits. */
struct capcheck_env {
	uid_t		euid;
	gid_t		egid;
	int		sys_nice;	/* CAP_SYS_NICE */
	int		sys_resource;	/* CAP_SYS_RESOURCE */
	int		sys_chroot;	/* CAP_SYS_CHROOT */
	int		setuid;		/* CAP_SETUID */
	int		setgid;		/* CAP_SETGID */
	rlim_t		nice_limit;	/* RLIMIT_NICE soft: 20 - lowest nice */
	struct rlimit	hard[RLIM_NLIMITS];	/* by RLIMIT_* (rlim_max) */
};

/* superd's effective capabilities (CapEff), bit per CAP_*. */
uint64_t capcheck_effective(void);
/* The running process's (capabilities from /proc/self/status). */
void	capcheck_env_current(struct capcheck_env *);
/* Warn on out about one service; returns the number of warnings. */
int	capcheck_service(const struct service_conf *,
	    const struct capcheck_env *, FILE *out);
/* Every service of conf, against the running process. */
int	capcheck_conf(const struct superd_conf *, FILE *out);

#endif
