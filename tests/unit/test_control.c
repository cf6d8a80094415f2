/*
 * test_control.c: daemon/control.c, its pure helpers and the protocol
 * over a real UNIX socket on a real event_base.  The daemon-wide actions
 * of superd.c (reload, drain, facts) are stubs here.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>

#include "conf.h"
#include "control.h"

/* A running control socket in a temporary directory. */
struct fixture {
	struct event_base	*base;
	struct superd_conf	 conf;
	char			 dir[64];
	char			 path[96];	/* fits sun_path */
};

static int	 reload_result;
static int	 drained;


/* Stub: a failed reload reports two errors. */
static int
superd_reload(FILE *errs)
{
	if (reload_result == 0)
		return 0;
	fprintf(errs, "/etc/superd.conf:3: service \"x\": port: 70000 is "
	    "out of range\n/etc/superd.conf:9: unknown key \"frob\"\n");
	return -1;
}

static void
superd_drain(void)
{
	drained++;
}

static const char *
superd_conf_path(void)
{
	return "/etc/superd conf";
}

static time_t
superd_started(void)
{
	return 1000;
}

static time_t
superd_loaded(void)
{
	return 2000;
}

/* The upgrade refuses here: what the check of the new binary says. */
static int
superd_upgrade(const char *binary, int fd, char *err, size_t errlen)
{
	assert_true(fd >= 0);
	snprintf(err, errlen, "%s -t failed", binary ? binary : "self");
	return -1;
}

static const struct control_hooks hooks = {
	superd_reload, superd_drain, superd_conf_path, superd_started,
	superd_loaded, superd_upgrade
};

/* ---- Pure helpers. ---- */

static void
test_signal(void **state)
{
	(void)state;
	assert_int_equal(control_signal("TERM"), SIGTERM);
	assert_int_equal(control_signal("sigkill"), SIGKILL);
	assert_int_equal(control_signal("SIGURG"), SIGURG);
	assert_int_equal(control_signal("2"), 2);
	assert_int_equal(control_signal("0"), -1);
	assert_int_equal(control_signal("65"), -1);
	assert_int_equal(control_signal("SIG"), -1);
	assert_int_equal(control_signal("9x"), -1);
	assert_int_equal(control_signal("BOGUS"), -1);
}

static void
test_session_id(void **state)
{
	(void)state;
	assert_int_equal(control_session_id("S42"), 42);
	assert_int_equal(control_session_id("7"), 7);
	assert_int_equal(control_session_id("S"), 0);
	assert_int_equal(control_session_id("S4x"), 0);
	assert_int_equal(control_session_id("-1"), 0);
	assert_int_equal(control_session_id("S99999999999999999999999"), 0);
}

static void
test_encode(void **state)
{
	char	out[16];

	(void)state;
	assert_int_equal(control_encode("a b=%", out, sizeof(out)), 11);
	assert_string_equal(out, "a%20b%3D%25");
	assert_int_equal(control_encode("plain:1/x", out, sizeof(out)), 9);
	assert_string_equal(out, "plain:1/x");
	/* Truncation never leaves half an escape, nor a later byte. */
	assert_int_equal(control_encode("abcd efgh", out, 7), 11);
	assert_string_equal(out, "abcd");
	assert_int_equal(control_encode("\xc3\xa9", out, sizeof(out)), 6);
	assert_string_equal(out, "%C3%A9");
}

/* ---- The socket. ---- */

static int
fx_setup(void **state)
{
	struct fixture	*fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_control.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	/* A subdirectory that does not exist yet: control creates it. */
	snprintf(fx->path, sizeof(fx->path), "%s/run/control.sock", fx->dir);
	fx->conf.control_socket = fx->path;
	fx->conf.control_gid = (gid_t)-1;
	fx->conf.line = (struct line_limits){ 10, 5, 60, 16, 8, 0 };
	fx->base = event_base_new();
	assert_non_null(fx->base);
	event_base_priority_init(fx->base, 3);
	reload_result = 0;
	drained = 0;
	assert_int_equal(control_start(fx->base, &fx->conf, &hooks), 0);
	*state = fx;
	return 0;
}

static int
fx_teardown(void **state)
{
	struct fixture	*fx = *state;
	char		 sub[PATH_MAX];

	control_stop();
	assert_int_equal(access(fx->path, F_OK), -1);
	event_base_free(fx->base);
	snprintf(sub, sizeof(sub), "%s/run", fx->dir);
	rmdir(sub);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

/* A non-blocking client connected to the control socket. */
static int
client(const struct fixture *fx)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", fx->path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

/*
 * Send req, run the loop until a status line (or EOF) arrives, return
 * the whole reply (static); *eof tells whether superd closed.
 */
static const char *
ask(struct fixture *fx, int fd, const char *req, size_t reqlen, int *eof)
{
	static char	buf[65536];
	size_t		len = 0, off = 0;
	ssize_t		n;
	int		i;
	char		*last;

	*eof = 0;
	for (i = 0; i < 2000; i++) {
		if (off < reqlen) {
			n = write(fd, req + off, reqlen - off);
			if (n > 0)
				off += (size_t)n;
		}
		event_base_loop(fx->base, EVLOOP_NONBLOCK);
		n = read(fd, buf + len, sizeof(buf) - len - 1);
		if (n == 0 || (n == -1 && errno == ECONNRESET)) {
			*eof = 1;
			break;
		}
		if (n > 0)
			len += (size_t)n;
		buf[len] = '\0';
		if (len > 0 && buf[len - 1] == '\n') {
			buf[len - 1] = '\0';
			last = strrchr(buf, '\n');
			last = last ? last + 1 : buf;
			buf[len - 1] = '\n';
			if (strncmp(last, "OK ", 3) == 0 ||
			    strncmp(last, "ERR ", 4) == 0)
				break;
		}
		usleep(1000);
	}
	buf[len] = '\0';
	return buf;
}

static const char *
ask_str(struct fixture *fx, int fd, const char *req)
{
	int	eof;

	return ask(fx, fd, req, strlen(req), &eof);
}

static void
test_socket_mode(void **state)
{
	struct fixture	*fx = *state;
	struct stat	 sb;

	assert_int_equal(stat(fx->path, &sb), 0);
	assert_true(S_ISSOCK(sb.st_mode));
	assert_int_equal(sb.st_mode & 0777, 0600);
}

static void
test_commands(void **state)
{
	struct fixture	*fx = *state;
	int		 fd = client(fx);
	const char	*r;

	r = ask_str(fx, fd, "help\n");
	assert_non_null(strstr(r, "HE command=interrupt args=SESSION%20"));
	assert_non_null(strstr(r, "HE command=metrics "));
	assert_non_null(strstr(r, "HE command=upgrade args=%5BBINARY%5D "));
	assert_non_null(strstr(r, "\nOK 13\n"));
	/* A refused upgrade is answered here, with the reason. */
	assert_string_equal(ask_str(fx, fd, "upgrade /x/superd\n"),
	    "ERR ECONFIG upgrade refused: /x/superd -t failed\n");
	assert_string_equal(ask_str(fx, fd, "upgrade\n"),
	    "ERR ECONFIG upgrade refused: self -t failed\n");
	r = ask_str(fx, fd, "status\r\n");
	assert_non_null(strstr(r, "ST version=" PACKAGE_VERSION " pid="));
	assert_non_null(strstr(r, " config=/etc/superd%20conf "));
	assert_non_null(strstr(r, " loaded_at=2000 services=0 sessions=0 "));
	assert_non_null(strstr(r, " access=operate\nOK 1\n"));
	assert_string_equal(ask_str(fx, fd, "services\n"), "OK 0\n");
	assert_string_equal(ask_str(fx, fd, "sessions\n"), "OK 0\n");
	assert_string_equal(ask_str(fx, fd, "service nope\n"),
	    "ERR ENOENT no service nope\n");
	assert_string_equal(ask_str(fx, fd, "disable nope\n"),
	    "ERR ENOENT no service nope\n");
	assert_string_equal(ask_str(fx, fd, "interrupt S5\n"),
	    "ERR ENOENT no session S5\n");
	assert_string_equal(ask_str(fx, fd, "interrupt S5 FOO\n"),
	    "ERR EBADREQ unknown signal FOO\n");
	assert_string_equal(ask_str(fx, fd, "service\n"),
	    "ERR EBADREQ usage: service NAME\n");
	close(fd);
}

static void
test_bad_requests(void **state)
{
	struct fixture	*fx = *state;
	int		 fd = client(fx), eof;
	char		*big;
	const char	*r;

	/* The texts of proto.c, the same as the directory's. */
	assert_string_equal(ask_str(fx, fd, "\n"),
	    "ERR EBADREQ empty request\n");
	assert_string_equal(ask_str(fx, fd, " \t \r\n"),
	    "ERR EBADREQ empty request\n");
	assert_string_equal(ask_str(fx, fd, "st\xff\n"),
	    "ERR EBADREQ control or non-ASCII byte in request\n");
	assert_string_equal(ask_str(fx, fd, "service a,b\n"),
	    "ERR EBADREQ character outside [A-Za-z0-9._:/@%+=-] in request\n");
	r = ask(fx, fd, "st\0tus\n", 7, &eof);
	assert_string_equal(r, "ERR EBADREQ NUL byte in request\n");
	assert_string_equal(ask_str(fx, fd, "a b c d e f g h i j k l m n o p q\n"),
	    "ERR EBADREQ more than 16 tokens\n");
	/* Blanks separate words: runs, tabs, at either end, a CR. */
	assert_string_equal(ask_str(fx, fd, "  service\t nope \r\n"),
	    "ERR ENOENT no service nope\n");
	assert_string_equal(ask_str(fx, fd, "frob\n"),
	    "ERR EBADREQ unknown command (try help)\n");
	/* Still serving on the same connection. */
	assert_non_null(strstr(ask_str(fx, fd, "version\n"), "OK 1\n"));
	big = malloc(10000);
	assert_non_null(big);
	memset(big, 'x', 10000);
	r = ask(fx, fd, big, 10000, &eof);
	assert_string_equal(r, "ERR ETOOBIG request line longer than 4096 "
	    "bytes\n");
	free(big);
	if (!eof)
		ask(fx, fd, "", 0, &eof);
	assert_true(eof);
	close(fd);
}

static void
test_reload_errors(void **state)
{
	struct fixture	*fx = *state;
	int		 fd = client(fx);

	assert_string_equal(ask_str(fx, fd, "reload\n"), "OK 0\n");
	reload_result = -1;
	assert_string_equal(ask_str(fx, fd, "reload\n"),
	    "EC line=/etc/superd.conf:3:%20service%20%22x%22:%20port:%2070000"
	    "%20is%20out%20of%20range\n"
	    "EC line=/etc/superd.conf:9:%20unknown%20key%20%22frob%22\n"
	    "ERR ECONFIG /etc/superd.conf:3: service \"x\": port: 70000 is "
	    "out of range\n");
	close(fd);
}

static void
test_drain_after_reply(void **state)
{
	struct fixture	*fx = *state;
	int		 fd = client(fx), i;

	assert_string_equal(ask_str(fx, fd, "drain\n"), "OK 0\n");
	for (i = 0; i < 100 && drained == 0; i++)
		event_base_loop(fx->base, EVLOOP_NONBLOCK);
	assert_int_equal(drained, 1);
	close(fd);
}

static void
test_connection_limit(void **state)
{
	struct fixture	*fx = *state;
	int		 fds[16], fd, i, eof;

	for (i = 0; i < 16; i++) {
		fds[i] = client(fx);
		event_base_loop(fx->base, EVLOOP_NONBLOCK);
	}
	fd = client(fx);
	assert_string_equal(ask(fx, fd, "", 0, &eof),
	    "ERR EBUSY too many connections or requests, try again later\n");
	close(fd);
	close(fds[0]);
	for (i = 0; i < 10; i++)
		event_base_loop(fx->base, EVLOOP_NONBLOCK);
	fd = client(fx);
	assert_non_null(strstr(ask_str(fx, fd, "version\n"), "OK 1\n"));
	close(fd);
	for (i = 1; i < 16; i++)
		close(fds[i]);
}

/* A stale socket is replaced; a live one or a plain file is not. */
static void
test_stale_socket(void **state)
{
	struct event_base	*base = event_base_new();
	struct superd_conf	 conf;
	char			 dir[] = "/tmp/test_control.XXXXXX";
	char			 path[96];
	struct sockaddr_un	 sun;
	int			 fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/c.sock", dir);
	memset(&conf, 0, sizeof(conf));
	conf.control_socket = path;
	conf.control_gid = (gid_t)-1;
	conf.line = (struct line_limits){ 10, 5, 60, 16, 8, 0 };
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);	/* bound, never listened: stale */
	assert_int_equal(control_start(base, &conf, &hooks), 0);
	assert_int_equal(control_start(base, &conf, &hooks), -1);	/* live */
	control_stop();
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	assert_int_equal(control_start(base, &conf, &hooks), -1);	/* a file */
	control_stop();
	assert_int_equal(unlink(path), 0);
	rmdir(dir);
	event_base_free(base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signal),
		cmocka_unit_test(test_session_id),
		cmocka_unit_test(test_encode),
		cmocka_unit_test_setup_teardown(test_socket_mode, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_commands, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_bad_requests, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_reload_errors, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_drain_after_reply,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_connection_limit,
		    fx_setup, fx_teardown),
		cmocka_unit_test(test_stale_socket),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
