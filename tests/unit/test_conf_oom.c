/*
 * test_conf_oom.c: daemon/conf.c when memory runs out.
 *
 * conf_load runs on every reload, so an allocation that fails must make
 * it return NULL with an "out of memory" error, never end the process
 * (the old fatal() did) and never crash.  The test is linked with
 * -Wl,--wrap for every allocating call conf.c makes; a wrapper fails the
 * Nth call.  A dry run counts the calls of one load, then each of them
 * is failed in turn.  Under --enable-asan this also finds what a failed
 * load leaks.
 */
#include "config.h"

#include <sys/stat.h>
#include <errno.h>
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <confuse.h>

#include "conf.h"

void	*__real_calloc(size_t, size_t);
char	*__real_strdup(const char *);
char	*__real_strndup(const char *, size_t);
void	*__real_reallocarray(void *, size_t, size_t);
FILE	*__real_fmemopen(void *, size_t, const char *);
int	 __real_glob(const char *, int, int (*)(const char *, int),
	    glob_t *);
cfg_t	*__real_cfg_init(cfg_opt_t *, cfg_flag_t);
int	 __real_cfg_add_searchpath(cfg_t *, const char *);

void	*__wrap_calloc(size_t, size_t);
char	*__wrap_strdup(const char *);
char	*__wrap_strndup(const char *, size_t);
int	 __wrap_asprintf(char **, const char *, ...);
void	*__wrap_reallocarray(void *, size_t, size_t);
FILE	*__wrap_fmemopen(void *, size_t, const char *);
int	 __wrap_glob(const char *, int, int (*)(const char *, int),
	    glob_t *);
cfg_t	*__wrap_cfg_init(cfg_opt_t *, cfg_flag_t);
int	 __wrap_cfg_add_searchpath(cfg_t *, const char *);

static int	armed;		/* count calls only inside a load */
static int	ncalls;		/* wrapped calls so far */
static int	fail_at;	/* fail this call (1-based); 0 = none */

/* Should this allocation fail? */
static int
fail_now(void)
{
	if (!armed)
		return 0;
	if (++ncalls != fail_at)
		return 0;
	errno = ENOMEM;
	return 1;
}

void *
__wrap_calloc(size_t n, size_t size)
{
	return fail_now() ? NULL : __real_calloc(n, size);
}

char *
__wrap_strdup(const char *s)
{
	return fail_now() ? NULL : __real_strdup(s);
}

char *
__wrap_strndup(const char *s, size_t n)
{
	return fail_now() ? NULL : __real_strndup(s, n);
}

int
__wrap_asprintf(char **p, const char *fmt, ...)
{
	va_list	ap;
	int	rc;

	if (fail_now())
		return -1;
	va_start(ap, fmt);
	rc = vasprintf(p, fmt, ap);
	va_end(ap);
	return rc;
}

void *
__wrap_reallocarray(void *p, size_t n, size_t size)
{
	return fail_now() ? NULL : __real_reallocarray(p, n, size);
}

FILE *
__wrap_fmemopen(void *buf, size_t len, const char *mode)
{
	return fail_now() ? NULL : __real_fmemopen(buf, len, mode);
}

int
__wrap_glob(const char *pat, int flags, int (*errf)(const char *, int),
    glob_t *g)
{
	return fail_now() ? GLOB_NOSPACE : __real_glob(pat, flags, errf, g);
}

cfg_t *
__wrap_cfg_init(cfg_opt_t *opts, cfg_flag_t flags)
{
	return fail_now() ? NULL : __real_cfg_init(opts, flags);
}

int
__wrap_cfg_add_searchpath(cfg_t *cfg, const char *dir)
{
	return fail_now() ? CFG_FAIL : __real_cfg_add_searchpath(cfg, dir);
}

/*
 * A config that takes every allocating path of conf.c: globals, the
 * directory-allow list, lists of every kind, a unix service with peer
 * ids, identity (with supplementary groups as root), a drop-in file.
 */
static const char main_text[] =
    "pidfile = \"/run/x.pid\"\n"
    "control-group = \"0\"\n"
    "directory-listen = \"127.0.0.1\"\n"
    "directory-allow = { \"a=0\", \"b=@0\" }\n"
    "defaults {\n"
    "  only-from = { \"127.0.0.0/8\" }\n"
    "}\n"
    "service e {\n"
    "  port = 7000\n"
    "  server = \"/bin/cat\"\n"
    "  args = { \"-u\", \"-\" }\n"
    "  env = { \"A=1\", \"B=2\" }\n"
    "  no-access = { \"127.0.0.2\", \"::2\" }\n"
    "  chroot = \"/\"\n"
    "  banner-fail = \"/dev/null\"\n"
    "}\n"
    "service u {\n"
    "  protocol = unix\n"
    "  address = \"/run/test_conf_oom.sock\"\n"
    "  server = \"/bin/cat\"\n"
    "  argv0 = \"kitty\"\n"
    "  only-from = { }\n"
    "  allow-uids = { \"0\" }\n"
    "  allow-groups = { \"0\" }\n"
    "}\n"
    "service b {\n"
    "  type = builtin\n"
    "  server = echo\n"
    "  port = 7001\n"
    "}\n";

static const char dropin_text[] =
    "service d {\n"
    "  port = 7002\n"
    "  server = \"/bin/cat\"\n"
    "}\n";

static char	dir[] = "/tmp/test_conf_oom.XXXXXX";
static char	main_path[256];

/* One load with call fail_at failing; errs gets what it said. */
static struct superd_conf *
load(int from_file, int fail, char **errs)
{
	struct superd_conf	*conf;
	size_t			 len;
	FILE			*fp;

	*errs = NULL;
	assert_non_null(fp = open_memstream(errs, &len));
	fail_at = fail;
	ncalls = 0;
	armed = 1;
	conf = from_file ? conf_load(main_path, fp) :
	    conf_load_buf("t.conf", main_text, fp);
	armed = 0;
	fclose(fp);
	return conf;
}

/* Fail each allocation of a load in turn. */
static void
fail_each(int from_file)
{
	struct superd_conf	*conf;
	char			*errs, incdir[300];
	const char		*where = from_file ? main_path : "t.conf";
	int			 total, n;

	snprintf(incdir, sizeof(incdir), "%s/superd.d", from_file ? dir :
	    ".");
	conf = load(from_file, 0, &errs);
	assert_string_equal(errs, "");
	assert_non_null(conf);
	assert_int_equal(conf->nservices, from_file ? 4 : 3);
	conf_free(conf);
	free(errs);
	total = ncalls;
	assert_true(total > 20);	/* the wrappers do see conf.c */
	for (n = 1; n <= total; n++) {
		conf = load(from_file, n, &errs);
		if (conf != NULL || strstr(errs, "out of memory") == NULL)
			fail_msg("allocation %d of %d failed: conf %p, errs "
			    "\"%s\"", n, total, (void *)conf, errs);
		/* Where: the file, or the include directory it names. */
		if (strncmp(errs, where, strlen(where)) != 0 &&
		    strncmp(errs, incdir, strlen(incdir)) != 0)
			fail_msg("allocation %d: \"%s\" names neither %s nor "
			    "%s", n, errs, where, incdir);
		free(errs);
	}
	/* Memory back: the same load works again. */
	conf = load(from_file, total + 1, &errs);
	assert_non_null(conf);
	conf_free(conf);
	free(errs);
}

static void
test_oom_buf(void **state)
{
	(void)state;
	fail_each(0);
}

static void
test_oom_file(void **state)
{
	(void)state;
	fail_each(1);
}

/* A service's failure names the file, its line and the service. */
static void
test_oom_names_line(void **state)
{
	struct superd_conf	*conf;
	char			*errs;
	int			 total, n, with_line = 0;

	(void)state;
	conf = load(0, 0, &errs);
	conf_free(conf);
	free(errs);
	total = ncalls;
	for (n = 1; n <= total; n++) {
		conf = load(0, n, &errs);
		assert_null(conf);
		with_line += strncmp(errs, "t.conf:", 7) == 0 &&
		    strchr("123456789", errs[7]) != NULL &&
		    strstr(errs, ": service \"u\": out of memory\n") != NULL;
		free(errs);
	}
	assert_true(with_line > 0);
}

static void
write_file(const char *path, const char *text)
{
	FILE	*fp;

	assert_non_null(fp = fopen(path, "w"));
	fputs(text, fp);
	fclose(fp);
}

static int
setup(void **state)
{
	char	path[256];

	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(main_path, sizeof(main_path), "%s/superd.conf", dir);
	write_file(main_path, main_text);
	snprintf(path, sizeof(path), "%s/superd.d", dir);
	if (mkdir(path, 0700) == -1)
		return -1;
	snprintf(path, sizeof(path), "%s/superd.d/d.conf", dir);
	write_file(path, dropin_text);
	return 0;
}

static int
teardown(void **state)
{
	char	path[256];

	(void)state;
	snprintf(path, sizeof(path), "%s/superd.d/d.conf", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/superd.d", dir);
	rmdir(path);
	unlink(main_path);
	rmdir(dir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oom_buf),
		cmocka_unit_test(test_oom_file),
		cmocka_unit_test(test_oom_names_line),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
