/*
 * test_capcheck.c: superd -t's warnings about privileges superd lacks:
 * each of nice, rlimits, chroot, user and group warns without its
 * capability, names the file:line and the capability, and stays quiet
 * with it (or when nothing is asked).
 */
#include "config.h"

#include <sys/resource.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capcheck.h"
#include "conf.h"

static struct service_conf	 sc;
static struct capcheck_env	 env;
static char			*buf;
static size_t			 buflen;

static int	 setup(void **);
static int	 run(void);
static void	 test_quiet(void **);
static void	 test_nice(void **);
static void	 test_rlimit(void **);
static void	 test_chroot(void **);
static void	 test_identity(void **);

/* A plain service run as superd's own uid, by a superd with no caps. */
static int
setup(void **state)
{
	int	i;

	(void)state;
	memset(&sc, 0, sizeof(sc));
	sc.name = "web";
	sc.file = "/etc/superd.conf";
	sc.line = 12;
	sc.uid = 1000;
	sc.gid = 1000;
	memset(&env, 0, sizeof(env));
	env.euid = 1000;
	env.egid = 1000;
	env.nice_limit = 0;
	for (i = 0; i < RLIM_NLIMITS; i++) {
		env.hard[i].rlim_cur = 1024;
		env.hard[i].rlim_max = 4096;
	}
	return 0;
}

/* capcheck_service() into buf; the number of warnings. */
static int
run(void)
{
	FILE	*fp;
	int	 n;

	free(buf);
	buf = NULL;
	assert_non_null(fp = open_memstream(&buf, &buflen));
	n = capcheck_service(&sc, &env, fp);
	fclose(fp);
	return n;
}

static void
test_quiet(void **state)
{
	(void)state;
	assert_int_equal(run(), 0);
	assert_string_equal(buf, "");
	sc.set_nice = 1;
	sc.nice = 5;		/* lowering priority needs nothing */
	assert_int_equal(run(), 0);
}

static void
test_nice(void **state)
{
	(void)state;
	sc.set_nice = 1;
	sc.nice = -5;
	assert_int_equal(run(), 1);
	assert_string_equal(buf, "superd: /etc/superd.conf:12: warning: "
	    "service web: nice = -5 needs CAP_SYS_NICE, which superd does "
	    "not hold: the handler will fail to start\n");
	env.nice_limit = 25;	/* RLIMIT_NICE allows down to -5 */
	assert_int_equal(run(), 0);
	env.nice_limit = 0;
	env.sys_nice = 1;
	assert_int_equal(run(), 0);
}

static void
test_rlimit(void **state)
{
	(void)state;
	sc.rlimits[2].resource = RLIMIT_NOFILE;
	sc.rlimits[2].set = 1;
	sc.rlimits[2].rl.rlim_cur = 2048;
	sc.rlimits[2].rl.rlim_max = 4096;
	assert_int_equal(run(), 0);	/* up to the hard limit is fine */
	sc.rlimits[2].rl.rlim_max = 8192;
	assert_int_equal(run(), 1);
	assert_non_null(strstr(buf, "rlimit-nofile above superd's hard "
	    "limit needs CAP_SYS_RESOURCE"));
	sc.rlimits[2].rl.rlim_max = RLIM_INFINITY;
	assert_int_equal(run(), 1);
	env.sys_resource = 1;
	assert_int_equal(run(), 0);
}

static void
test_chroot(void **state)
{
	(void)state;
	sc.chroot = "/srv/jail";
	assert_int_equal(run(), 1);
	assert_non_null(strstr(buf, "service web: chroot needs "
	    "CAP_SYS_CHROOT"));
	env.sys_chroot = 1;
	assert_int_equal(run(), 0);
}

/* Root without CAP_SETUID/CAP_SETGID (a narrow bounding set). */
static void
test_identity(void **state)
{
	(void)state;
	env.euid = 0;
	env.egid = 0;
	sc.switch_user = 1;
	sc.user = "www-data";
	sc.uid = 33;
	sc.gid = 33;
	assert_int_equal(run(), 2);
	assert_non_null(strstr(buf, "user = www-data (uid 33) needs "
	    "CAP_SETUID"));
	assert_non_null(strstr(buf, "group 33 and supplementary groups "
	    "needs CAP_SETGID"));
	env.setuid = env.setgid = 1;
	assert_int_equal(run(), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_quiet, setup),
		cmocka_unit_test_setup(test_nice, setup),
		cmocka_unit_test_setup(test_rlimit, setup),
		cmocka_unit_test_setup(test_chroot, setup),
		cmocka_unit_test_setup(test_identity, setup),
	};
	int	rc;

	rc = cmocka_run_group_tests(tests, NULL, NULL);
	free(buf);
	return rc;
}
