/*
 * test_sockperm.c: daemon/sockperm.c, the socket path rule (on synthetic
 * stat results and on real directories under a temporary one) and mode
 * and owner changes that must not reach a file put in the socket's place.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sockperm.h"

#define OWNER	4242		/* a socket owner that is not root */

static char	base[64];	/* this run's directory under /tmp */

/* base + "/" + rel. */
static const char *
at(const char *rel)
{
	static char	buf[4][256];
	static int	n;

	n = (n + 1) % 4;
	snprintf(buf[n], sizeof(buf[n]), "%s/%s", base, rel);
	return buf[n];
}

static void
mkdir_mode(const char *rel, mode_t mode)
{
	assert_int_equal(mkdir(at(rel), 0700), 0);
	assert_int_equal(chmod(at(rel), mode), 0);
}

/* Check path (relative to base) for owner; "" when allowed, else err. */
static const char *
check(const char *rel, uid_t owner)
{
	static char	err[512];

	if (sockperm_check_path(at(rel), owner, err, sizeof(err)) == 0)
		return "";
	return err;
}

/* err must be "<base>/<rel><rest>". */
static void
assert_names(const char *err, const char *rel, const char *rest)
{
	char	want[512];

	snprintf(want, sizeof(want), "%s%s", at(rel), rest);
	assert_string_equal(err, want);
}

static int
setup(void **state)
{
	snprintf(base, sizeof(base), "/tmp/test_sockperm.XXXXXX");
	if (mkdtemp(base) == NULL || chmod(base, 0755) == -1)
		return -1;
	mkdir_mode("ok", 0755);
	mkdir_mode("gw", 0775);
	mkdir_mode("gw/sub", 0755);
	mkdir_mode("ww", 0777);
	mkdir_mode("ww/sub", 0755);
	mkdir_mode("sticky", 01777);
	mkdir_mode("sticky/sub", 0755);
	assert_int_equal(symlink("ww/sub", at("to-ww")), 0);
	assert_int_equal(symlink(at("ok"), at("to-ok")), 0);
	assert_int_equal(symlink("sticky/../ok", at("dotdot")), 0);
	assert_int_equal(symlink("loop", at("loop")), 0);
	return 0;
}

static int
teardown(void **state)
{
	char	cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	return system(cmd) == 0 ? 0 : -1;
}

/* The rule for one directory, on made-up stat results. */
static void
test_dir_rule(void **state)
{
	struct stat	st;
	char		err[256];

	memset(&st, 0, sizeof(st));
	st.st_mode = S_IFDIR | 0755;
	assert_int_equal(sockperm_check_dir("/srv", &st, 1, OWNER, err,
	    sizeof(err)), 0);
	st.st_uid = OWNER;
	assert_int_equal(sockperm_check_dir("/srv/u", &st, 1, OWNER, err,
	    sizeof(err)), 0);

	/* Owned by someone else: that someone can write it. */
	st.st_uid = 1000;
	assert_int_equal(sockperm_check_dir("/srv/u", &st, 1, OWNER, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "/srv/u is writable by uid 1000 (not root "
	    "or the socket owner)");
	assert_int_equal(sockperm_check_dir("/srv/u", &st, 0, (uid_t)-1, err,
	    sizeof(err)), -1);

	/* Group or world writable: only above the socket, and sticky. */
	st.st_uid = 0;
	st.st_gid = 50;
	st.st_mode = S_IFDIR | 0775;
	assert_int_equal(sockperm_check_dir("/srv", &st, 0, OWNER, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "/srv is writable by group 50 and has no "
	    "sticky bit");
	st.st_mode = S_IFDIR | 01777;
	assert_int_equal(sockperm_check_dir("/tmp", &st, 0, OWNER, err,
	    sizeof(err)), 0);
	assert_int_equal(sockperm_check_dir("/tmp", &st, 1, OWNER, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "/tmp is writable by every user (the "
	    "socket's own directory must be writable only by root or the "
	    "socket owner)");
	st.st_mode = S_IFDIR | 0777;
	assert_int_equal(sockperm_check_dir("/srv", &st, 0, OWNER, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "/srv is writable by every user and has no "
	    "sticky bit");
}

/* Real directories: the socket's own and every one above it. */
static void
test_path_ancestors(void **state)
{
	uid_t	me = geteuid();

	assert_string_equal(check("ok/x.sock", me), "");
	assert_string_equal(check("ok//./x.sock", me), "");
	assert_names(check("ww/sub/x.sock", me), "ww", " is writable by every "
	    "user and has no sticky bit");
	assert_string_equal(check("sticky/sub/x.sock", me), "");
	assert_names(check("sticky/x.sock", me), "sticky", " is writable by "
	    "every user (the socket's own directory must be writable only by "
	    "root or the socket owner)");
}

/* gw's message ends with its gid, which depends on who runs the test. */
static void
test_path_group(void **state)
{
	char	want[512];

	snprintf(want, sizeof(want), "%s is writable by group %u and has no "
	    "sticky bit", at("gw"), (unsigned)getegid());
	assert_string_equal(check("gw/sub/x.sock", geteuid()), want);
	snprintf(want, sizeof(want), "%s is writable by group %u (the socket's "
	    "own directory must be writable only by root or the socket owner)",
	    at("gw"), (unsigned)getegid());
	assert_string_equal(check("gw/x.sock", geteuid()), want);
}

/* Every directory looked in while following symlinks counts. */
static void
test_path_symlinks(void **state)
{
	uid_t	me = geteuid();

	assert_string_equal(check("to-ok/x.sock", me), "");
	assert_string_equal(check("dotdot/x.sock", me), "");
	/* The target's ancestor ww is where "sub" is looked up. */
	assert_names(check("to-ww/x.sock", me), "ww", " is writable by every "
	    "user and has no sticky bit");
	/* The socket itself being a symlink is bind's business, not ours. */
	assert_string_equal(check("ok/to-ww", me), "");
	assert_names(check("loop/x.sock", me), "loop", ": Too many levels of "
	    "symbolic links");
}

static void
test_path_errors(void **state)
{
	char	err[256];

	assert_int_equal(sockperm_check_path("run/x.sock", 0, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "run/x.sock: not an absolute path");
	assert_names(check("nodir/x.sock", geteuid()), "nodir", ": No such "
	    "file or directory");
	assert_int_equal(close(open(at("ok/file"), O_CREAT | O_WRONLY, 0600)),
	    0);
	assert_names(check("ok/file/x.sock", geteuid()), "ok/file", " is not "
	    "a directory");
}

/* Owners: root and the socket owner only (needs root to chown). */
static void
test_path_owner(void **state)
{
	if (geteuid() != 0)
		skip();
	mkdir_mode("u", 0755);
	assert_int_equal(chown(at("u"), OWNER, OWNER), 0);
	assert_string_equal(check("u/x.sock", OWNER), "");
	assert_names(check("u/x.sock", 0), "u", " is writable by uid 4242 "
	    "(not root or the socket owner)");
	assert_names(check("u/x.sock", (uid_t)-1), "u", " is writable by uid "
	    "4242 (not root or the socket owner)");
}

/* A unix stream socket bound at base/rel with mode; the fd. */
static int
bound(const char *rel, mode_t mode)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", at(rel));
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(sockperm_bind(fd, (struct sockaddr *)&sun,
	    sizeof(sun), mode), 0);
	return fd;
}

static mode_t
mode_of(const char *rel)
{
	struct stat	st;

	assert_int_equal(lstat(at(rel), &st), 0);
	return st.st_mode & 07777;
}

/* The file is born with the mode; the umask is left as it was. */
static void
test_bind_mode(void **state)
{
	mode_t	old = umask(022);
	int	a, b;

	a = bound("ok/wide.sock", 0666);
	b = bound("ok/narrow.sock", 0600);
	assert_int_equal(mode_of("ok/wide.sock"), 0666);
	assert_int_equal(mode_of("ok/narrow.sock"), 0600);
	assert_int_equal(umask(old), 022);
	close(a);
	close(b);
}

/* A later change (reload) reaches the file of a bound socket. */
static void
test_apply(void **state)
{
	struct stat	st;
	char		err[256];
	int		fd = bound("ok/apply.sock", 0600);

	assert_int_equal(sockperm_apply(fd, at("ok/apply.sock"), geteuid(),
	    getegid(), 0660, &st, err, sizeof(err)), 0);
	assert_int_equal(st.st_mode & 07777, 0660);
	assert_int_equal(mode_of("ok/apply.sock"), 0660);
	assert_int_equal(sockperm_apply(fd, at("ok/apply.sock"), (uid_t)-1,
	    (gid_t)-1, 0640, NULL, err, sizeof(err)), 0);
	assert_int_equal(mode_of("ok/apply.sock"), 0640);
	close(fd);
}

/* The socket swapped for a symlink: the link's target is not touched. */
static void
test_apply_symlink(void **state)
{
	char	err[256], want[256];
	int	fd = bound("ok/link.sock", 0600);

	assert_int_equal(close(open(at("ok/secret"), O_CREAT | O_WRONLY,
	    0600)), 0);
	assert_int_equal(symlink(at("ok/secret"), at("ok/link.tmp")), 0);
	assert_int_equal(rename(at("ok/link.tmp"), at("ok/link.sock")), 0);
	assert_int_equal(sockperm_apply(fd, at("ok/link.sock"), geteuid(),
	    getegid(), 0666, NULL, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: socket path was replaced",
	    at("ok/link.sock"));
	assert_string_equal(err, want);
	assert_int_equal(mode_of("ok/secret"), 0600);
	close(fd);
}

/* Swapped for another socket (a hard link would do the same). */
static void
test_apply_other_socket(void **state)
{
	char	err[256], want[256];
	int	mine = bound("ok/mine.sock", 0600);
	int	other = bound("ok/other.sock", 0600);

	assert_int_equal(rename(at("ok/other.sock"), at("ok/mine.sock")), 0);
	assert_int_equal(sockperm_apply(mine, at("ok/mine.sock"), geteuid(),
	    getegid(), 0666, NULL, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: socket path was replaced",
	    at("ok/mine.sock"));
	assert_string_equal(err, want);
	assert_int_equal(mode_of("ok/mine.sock"), 0600);
	/* To its own socket the file is still its own. */
	assert_int_equal(sockperm_apply(other, at("ok/mine.sock"), geteuid(),
	    getegid(), 0620, NULL, err, sizeof(err)), 0);
	assert_int_equal(mode_of("ok/mine.sock"), 0620);

	/* Unlink removes only the file of the socket asking. */
	assert_int_equal(sockperm_unlink(mine, at("ok/mine.sock")), -1);
	assert_int_equal(mode_of("ok/mine.sock"), 0620);
	assert_int_equal(sockperm_unlink(other, at("ok/mine.sock")), 0);
	assert_int_equal(access(at("ok/mine.sock"), F_OK), -1);
	close(mine);
	close(other);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dir_rule),
		cmocka_unit_test(test_path_ancestors),
		cmocka_unit_test(test_path_group),
		cmocka_unit_test(test_path_symlinks),
		cmocka_unit_test(test_path_errors),
		cmocka_unit_test(test_path_owner),
		cmocka_unit_test(test_bind_mode),
		cmocka_unit_test(test_apply),
		cmocka_unit_test(test_apply_symlink),
		cmocka_unit_test(test_apply_other_socket),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
