/*
 * capcheck.c: superd -t's warnings about privileges superd lacks (see
 * capcheck.h).  Mirrors what spawn.c does in the child, in its order:
 * limits, nice, chroot, groups, gid, uid.
 */
#include "config.h"

#include <sys/resource.h>
#include <linux/capability.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capcheck.h"
#include "conf.h"

/* The config key of an RLIMIT_* resource, for the warning. */
static const char *
rlimit_name(int resource)
{
	switch (resource) {
	case RLIMIT_CPU:
		return "rlimit-cpu";
	case RLIMIT_AS:
		return "rlimit-as";
	case RLIMIT_NOFILE:
		return "rlimit-nofile";
	case RLIMIT_NPROC:
		return "rlimit-nproc";
	case RLIMIT_FSIZE:
		return "rlimit-fsize";
	case RLIMIT_CORE:
		return "rlimit-core";
	}
	return "rlimit";
}

/* One warning line, with where the service is. */
static void
warn(FILE *out, const struct service_conf *sc, const char *what,
    const char *cap)
{
	fprintf(out, "superd: %s:%d: warning: service %s: %s needs %s, which "
	    "superd does not hold: the handler will fail to start\n",
	    sc->file != NULL ? sc->file : "?", sc->line, sc->name, what, cap);
}

/* Limits above superd's hard limit can only be raised with the cap. */
static int
check_rlimits(const struct service_conf *sc, const struct capcheck_env *env,
    FILE *out)
{
	const struct rlimit	*want, *have;
	char			 what[64];
	int			 i, n = 0;

	if (env->sys_resource)
		return 0;
	for (i = 0; i < SUPERD_NRLIMITS; i++) {
		if (!sc->rlimits[i].set || sc->rlimits[i].resource < 0 ||
		    sc->rlimits[i].resource >= RLIM_NLIMITS)
			continue;
		want = &sc->rlimits[i].rl;
		have = &env->hard[sc->rlimits[i].resource];
		if (have->rlim_max == RLIM_INFINITY ||
		    (want->rlim_max != RLIM_INFINITY &&
		    want->rlim_max <= have->rlim_max))
			continue;
		snprintf(what, sizeof(what), "%s above superd's hard limit",
		    rlimit_name(sc->rlimits[i].resource));
		warn(out, sc, what, "CAP_SYS_RESOURCE");
		n++;
	}
	return n;
}

/* A nice below 0 needs the cap, or an RLIMIT_NICE that allows it. */
static int
check_nice(const struct service_conf *sc, const struct capcheck_env *env,
    FILE *out)
{
	char	what[64];

	if (!sc->set_nice || sc->nice >= 0 || env->sys_nice ||
	    env->nice_limit == RLIM_INFINITY ||
	    (rlim_t)(20 - sc->nice) <= env->nice_limit)
		return 0;
	snprintf(what, sizeof(what), "nice = %d", sc->nice);
	warn(out, sc, what, "CAP_SYS_NICE");
	return 1;
}

/* Another user or group than superd's own. */
static int
check_identity(const struct service_conf *sc,
    const struct capcheck_env *env, FILE *out)
{
	char	what[96];
	int	n = 0;

	if (sc->uid != env->euid && !env->setuid) {
		snprintf(what, sizeof(what), "user = %s (uid %lu)",
		    sc->user != NULL ? sc->user : "?", (unsigned long)sc->uid);
		warn(out, sc, what, "CAP_SETUID");
		n++;
	}
	if ((sc->gid != env->egid || sc->switch_user) && !env->setgid) {
		snprintf(what, sizeof(what), "group %lu%s", (unsigned long)
		    sc->gid, sc->switch_user ? " and supplementary groups" :
		    "");
		warn(out, sc, what, "CAP_SETGID");
		n++;
	}
	return n;
}

/* Every privilege the service's handler needs and superd lacks. */
int
capcheck_service(const struct service_conf *sc,
    const struct capcheck_env *env, FILE *out)
{
	int	n;

	n = check_rlimits(sc, env, out) + check_nice(sc, env, out);
	if (sc->chroot != NULL && !env->sys_chroot) {
		warn(out, sc, "chroot", "CAP_SYS_CHROOT");
		n++;
	}
	return n + check_identity(sc, env, out);
}

/* CapEff from /proc/self/status; 0 (nothing) if it cannot be read. */
uint64_t
capcheck_effective(void)
{
	char		 line[256];
	uint64_t	 caps = 0;
	FILE		*fp;

	if ((fp = fopen("/proc/self/status", "re")) == NULL)
		return geteuid() == 0 ? ~UINT64_C(0) : 0;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, "CapEff:", 7) == 0) {
			caps = strtoull(line + 7, NULL, 16);
			break;
		}
	fclose(fp);
	return caps;
}

/* What this process holds right now. */
void
capcheck_env_current(struct capcheck_env *env)
{
	uint64_t	caps = capcheck_effective();
	struct rlimit	rl;
	int		i;

	memset(env, 0, sizeof(*env));
	env->euid = geteuid();
	env->egid = getegid();
#define HAS(c)	((caps >> (c)) & 1)
	env->sys_nice = HAS(CAP_SYS_NICE);
	env->sys_resource = HAS(CAP_SYS_RESOURCE);
	env->sys_chroot = HAS(CAP_SYS_CHROOT);
	env->setuid = HAS(CAP_SETUID);
	env->setgid = HAS(CAP_SETGID);
#undef HAS
	env->nice_limit = getrlimit(RLIMIT_NICE, &rl) == 0 ? rl.rlim_cur : 0;
	for (i = 0; i < RLIM_NLIMITS; i++) {
		env->hard[i].rlim_cur = env->hard[i].rlim_max = RLIM_INFINITY;
		if (getrlimit(i, &rl) == 0)
			env->hard[i] = rl;
	}
}

/* superd -t: every service against this process. */
int
capcheck_conf(const struct superd_conf *conf, FILE *out)
{
	const struct service_conf	*sc;
	struct capcheck_env		 env;
	int				 n = 0;

	capcheck_env_current(&env);
	TAILQ_FOREACH(sc, &conf->services, entry)
		n += capcheck_service(sc, &env, out);
	return n;
}
