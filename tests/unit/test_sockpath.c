/*
 * test_sockpath: how the clients read the socket keys of a superd.conf
 * (lib/sockpath.c) and where the runtime directory is (lib/rundir.c).
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "rundir.h"
#include "sockpath.h"

static char	dir[] = "/tmp/test_sockpath.XXXXXX";

static int
setup(void **state)
{
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char	cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Write text to dir/name; the path into path. */
static void
put(const char *name, const char *text, char *path, size_t len)
{
	FILE	*f;

	snprintf(path, len, "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

/* The keys of a full superd.conf, every other key and section ignored. */
static void
test_keys_among_the_rest(void **state)
{
	char	path[256], buf[256], err[512];
	int	line;

	put("a.conf",
	    "log-level = info\n"
	    "defaults { timeout = 300  per-source = 8 }\n"
	    "service echo {\n"
	    "\ttype = builtin\n"
	    "\tthreads = 2\n"
	    "\targs = {\"a\", \"b\"}\n"
	    "}\n"
	    "directory-allow = {\"127.0.0.0/8\"}\n"
	    "control-socket = \"/x/ctl.sock\"\t# a comment\n"
	    "service other { server = \"/bin/cat\" }\n", path, sizeof(path));
	assert_int_equal(sockpath_conf_key(path, "control-socket", buf,
	    sizeof(buf), &line, err, sizeof(err)), 1);
	assert_string_equal(buf, "/x/ctl.sock");
	assert_int_equal(line, 9);
	assert_int_equal(sockpath_conf_key(path, "directory-socket", buf,
	    sizeof(buf), &line, err, sizeof(err)), 0);
}

/* include() works as for superd. */
static void
test_include(void **state)
{
	char	path[256], inc[256], text[512], buf[256], err[512];
	int	line;

	put("inc.conf", "directory-socket = /y/dir.sock\n", inc, sizeof(inc));
	snprintf(text, sizeof(text), "include(\"%s\")\n", inc);
	put("main.conf", text, path, sizeof(path));
	assert_int_equal(sockpath_conf_key(path, "directory-socket", buf,
	    sizeof(buf), &line, err, sizeof(err)), 1);
	assert_string_equal(buf, "/y/dir.sock");
}

/* A syntax error names file:line; a missing file sets errno. */
static void
test_errors(void **state)
{
	char	path[256], buf[256], err[512], want[300];
	int	line;

	put("bad.conf", "log-level = info\ncontrol-socket = \n", path,
	    sizeof(path));
	assert_int_equal(sockpath_conf_key(path, "control-socket", buf,
	    sizeof(buf), &line, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:", path);
	assert_memory_equal(err, want, strlen(want));
	snprintf(path, sizeof(path), "%s/none.conf", dir);
	assert_int_equal(sockpath_conf_key(path, "control-socket", buf,
	    sizeof(buf), &line, err, sizeof(err)), -1);
	assert_int_equal(errno, ENOENT);
}

/* -S, then the environment, then -c; "" in the file is an error. */
static void
test_order(void **state)
{
	struct sockpath_query	 q = { NULL, "TEST_SOCKPATH", NULL,
	    "control-socket", "control.sock" };
	char			 path[256], buf[256], from[300], err[512];

	put("c.conf", "control-socket = /from/file\n", path, sizeof(path));
	q.conf = path;
	setenv("TEST_SOCKPATH", "/from/env", 1);
	q.opt = "/from/opt";
	assert_int_equal(sockpath_find(&q, buf, sizeof(buf), from,
	    sizeof(from), err, sizeof(err)), 0);
	assert_string_equal(buf, "/from/opt");
	q.opt = NULL;
	assert_int_equal(sockpath_find(&q, buf, sizeof(buf), from,
	    sizeof(from), err, sizeof(err)), 0);
	assert_string_equal(buf, "/from/env");
	assert_string_equal(from, "from $TEST_SOCKPATH");
	unsetenv("TEST_SOCKPATH");
	assert_int_equal(sockpath_find(&q, buf, sizeof(buf), from,
	    sizeof(from), err, sizeof(err)), 0);
	assert_string_equal(buf, "/from/file");
	put("off.conf", "control-socket = \"\"\n", path, sizeof(path));
	assert_int_equal(sockpath_find(&q, buf, sizeof(buf), from,
	    sizeof(from), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "switched off"));
}

/* Root: /run/superd; others: $XDG_RUNTIME_DIR/superd or /tmp/superd-UID. */
static void
test_rundir_path(void **state)
{
	char	buf[256], want[64];

	setenv("XDG_RUNTIME_DIR", "/run/user/1", 1);
	assert_int_equal(rundir_path(buf, sizeof(buf)), 0);
	if (geteuid() == 0) {
		assert_string_equal(buf, "/run/superd");
		return;
	}
	assert_string_equal(buf, "/run/user/1/superd");
	setenv("XDG_RUNTIME_DIR", "relative", 1);
	assert_int_equal(rundir_path(buf, sizeof(buf)), 0);
	snprintf(want, sizeof(want), "/tmp/superd-%lu",
	    (unsigned long)geteuid());
	assert_string_equal(buf, want);
	unsetenv("XDG_RUNTIME_DIR");
}

/* rundir_prepare creates the directory only for a path inside it. */
static void
test_rundir_prepare(void **state)
{
	char		 parent[256], sock[300], err[256];
	const char	*paths[2] = { NULL, sock };

	if (geteuid() == 0)
		skip();
	snprintf(parent, sizeof(parent), "%s/xdg/a/b", dir);
	setenv("XDG_RUNTIME_DIR", parent, 1);
	snprintf(sock, sizeof(sock), "%s/elsewhere/x.sock", dir);
	assert_int_equal(rundir_prepare(paths, 2, err, sizeof(err)), 0);
	assert_int_equal(access(parent, F_OK), -1);
	snprintf(sock, sizeof(sock), "%s/superd/control.sock", parent);
	assert_int_equal(rundir_prepare(paths, 2, err, sizeof(err)), 0);
	snprintf(sock, sizeof(sock), "%s/superd", parent);
	assert_int_equal(access(sock, F_OK), 0);
	unsetenv("XDG_RUNTIME_DIR");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_among_the_rest),
		cmocka_unit_test(test_include),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_rundir_path),
		cmocka_unit_test(test_rundir_prepare),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
