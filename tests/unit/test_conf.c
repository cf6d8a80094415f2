/*
 * test_conf.c: daemon/conf.c through conf_load_buf() and conf_load():
 * the resulting structs with their defaults, and the exact text of every
 * error ("name:LINE: service "x": ...").
 */
#include "config.h"

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <netdb.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"
#include "rundir.h"
#include "sockopt.h"

#define CAT	"server = \"/bin/cat\" "

static struct superd_conf *load(const char *, char **);
static void	expect(const char *, const char *);
static const struct service_conf *find(const struct superd_conf *,
		    const char *, enum svc_proto);
static void	need_root(void);
static void	write_file(const char *, const char *, const char *);
static size_t	count_lines(const char *);
static void	pair(const char *, const char *, struct superd_conf **,
		    struct superd_conf **);
static void	compare(const char *, const char *, int, int);

/*
 * conf_load_buf as "t.conf"; *errs gets everything written to errs.
 * (Messages must name "t.conf": see test_buf_name_regression.)
 */
static struct superd_conf *
load(const char *text, char **errs)
{
	struct superd_conf	*conf;
	FILE			*fp;
	size_t			 len;

	*errs = NULL;
	fp = open_memstream(errs, &len);
	assert_non_null(fp);
	conf = conf_load_buf("t.conf", text, fp);
	fclose(fp);
	return conf;
}

/* text must be refused with exactly want (one or more lines). */
static void
expect(const char *text, const char *want)
{
	struct superd_conf	*conf;
	char			*errs;

	conf = load(text, &errs);
	assert_string_equal(errs, want);
	assert_null(conf);
	free(errs);
}

static const struct service_conf *
find(const struct superd_conf *conf, const char *name, enum svc_proto p)
{
	const struct service_conf	*sc;

	TAILQ_FOREACH(sc, &conf->services, entry)
		if (strcmp(sc->name, name) == 0 && sc->proto == p)
			return sc;
	fail_msg("no service %s/%s", name, conf_proto_name(p));
	return NULL;
}

/* User switching (and root, nobody, nogroup) needs superd to be root. */
static void
need_root(void)
{
	if (geteuid() != 0)
		skip();
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char	 path[512];
	FILE	*fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(fp = fopen(path, "w"));
	fputs(text, fp);
	fclose(fp);
}

static size_t
count_lines(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

static const char full_text[] =
    "log-level = \"debug\"\n"					/* 1 */
    "max-children = 10\n"
    "on-exit = \"terminate\"\n"
    "shutdown-grace = 5\n"
    "pidfile = \"/run/superd.pid\"\n"				/* 5 */
    "control-socket = \"/run/s/control.sock\"\n"
    "control-group = \"nogroup\"\n"
    "directory-socket = \"/run/s/dir.sock\"\n"
    "directory-ttl-min = 2\n"
    "directory-ttl-max = 60\n"					/* 10 */
    "directory-max-entries = 100\n"
    "directory-max-per-uid = 3\n"
    "directory-listen = \"127.0.0.1:5000\"\n"
    "directory-allow = { \"printer=root\", \"scan=@nogroup\" }\n"
    "include-dir = \"/nonexistent/superd-test.d\"\n"		/* 15 */
    "defaults {\n"
    "  user = \"nobody\"\n"
    "  instances = 50\n"
    "  rate = \"10/s\"\n"
    "  only-from = { \"10.0.0.0/8\" }\n"			/* 20 */
    "}\n"
    "service full {\n"
    "  name = \"fullname\"\n"
    "  type = \"exec\"\n"
    "  socket = \"stream\"\n"					/* 25 */
    "  protocol = \"tcp\"\n"
    "  address = \"127.0.0.1\"\n"
    "  port = 2000\n"
    "  wait = no\n"
    "  user = \"root\"\n"					/* 30 */
    "  group = \"nogroup\"\n"
    "  server = \"/bin/cat\"\n"
    "  argv0 = \"kitty\"\n"
    "  args = { \"-u\", \"-\" }\n"
    "  env = { \"A=1\", \"B=\" }\n"				/* 35 */
    "  env-inherit = yes\n"
    "  disable = yes\n"
    "  instances = 7\n"
    "  backlog = 16\n"
    "  v6only = no\n"						/* 40 */
    "  stderr = \"log\"\n"
    "  threads = 0\n"
    "  only-from = { \"192.0.2.0/24\", \"2001:db8::/32\" }\n"
    "  no-access = { \"192.0.2.7\" }\n"
    "  per-source = 3\n"					/* 45 */
    "  per-source-prefix = \"24/56\"\n"
    "  rate = \"100/s burst 200\"\n"
    "  per-source-rate = \"6/min\"\n"
    "  banner-fail = \"/dev/null\"\n"
    "  chroot = \"/\"\n"					/* 50 */
    "  umask = \"027\"\n"
    "  nice = 5\n"
    "  rlimit-cpu = \"10\"\n"
    "  rlimit-as = \"1G\"\n"
    "  rlimit-nofile = \"1024\"\n"				/* 55 */
    "  rlimit-nproc = \"unlimited\"\n"
    "  rlimit-fsize = \"10M\"\n"
    "  rlimit-core = \"0\"\n"
    "  no-new-privileges = yes\n"
    "  timeout = 30\n"						/* 60 */
    "  kill-grace = 2\n"
    "}\n"
    "service unixsvc { protocol = \"unix\" address = \"/run/x.sock\"\n"
    "  socket-mode = \"0660\" socket-owner = \"nobody\"\n"
    "  socket-group = \"nogroup\" allow-uids = { \"root\", \"65534\" }\n"
    "  allow-groups = { \"nogroup\" } server = \"/bin/cat\" }\n"
    "service tftp { protocol = \"udp\" port = \"tftp\" "
    "server = \"/usr/sbin/../../bin/cat\" }\n"
    "service echo { type = \"builtin\" port = \"echo\" server = \"echo\" "
    "v6only = yes }\n"
    "service echo-udp { name = \"echo\" type = \"builtin\" "
    "socket = \"dgram\" port = 7 server = \"echo\" }\n"		/* 70 */
    "service dyn1 { port = 0 " CAT "}\n"
    "service dyn2 { port = 0 " CAT "}\n";

static void
test_full_globals(void **state)
{
	struct superd_conf	*conf;
	char			*errs;

	need_root();
	conf = load(full_text, &errs);
	assert_string_equal(errs, "");
	assert_non_null(conf);
	assert_string_equal(conf->path, "t.conf");
	assert_string_equal(conf->include_dir, "/nonexistent/superd-test.d");
	assert_int_equal(conf->log_level, LOG_DEBUG);
	assert_int_equal(conf->max_children, 10);
	assert_int_equal(conf->keep_handlers, 0);
	assert_int_equal(conf->shutdown_grace, 5);
	assert_string_equal(conf->pidfile, "/run/superd.pid");
	assert_string_equal(conf->control_socket, "/run/s/control.sock");
	assert_string_equal(conf->control_group, "nogroup");
	assert_int_equal(conf->control_gid, 65534);
	assert_string_equal(conf->directory_socket, "/run/s/dir.sock");
	assert_int_equal(conf->dir_ttl_min, 2);
	assert_int_equal(conf->dir_ttl_max, 60);
	assert_int_equal(conf->dir_max_entries, 100);
	assert_int_equal(conf->dir_max_per_uid, 3);
	assert_string_equal(conf->directory_listen, "127.0.0.1:5000");
	assert_int_equal(conf->n_dir_allow, 2);
	assert_string_equal(conf->dir_allow[0].name, "printer");
	assert_int_equal(conf->dir_allow[0].by_group, 0);
	assert_int_equal(conf->dir_allow[0].uid, 0);
	assert_string_equal(conf->dir_allow[1].name, "scan");
	assert_int_equal(conf->dir_allow[1].by_group, 1);
	assert_int_equal(conf->dir_allow[1].gid, 65534);
	assert_int_equal(conf->nservices, 7);
	conf_free(conf);
	free(errs);
}

/* conf's groups of service name are getgrouplist(user, gid)'s. */
static void
check_groups(const struct superd_conf *conf, const char *name,
    const char *user, uid_t uid, gid_t gid)
{
	const struct service_conf	*sc = find(conf, name, PROTO_TCP);
	gid_t				 want[256];
	int				 n = 256, i;

	assert_int_equal(sc->uid, uid);
	assert_int_equal(sc->gid, gid);
	assert_int_not_equal(getgrouplist(user, gid, want, &n), -1);
	assert_int_equal(sc->ngroups, n);
	for (i = 0; i < n; i++)
		assert_int_equal(sc->groups[i], want[i]);
}

/*
 * Users and their groups are looked up once per load for all the
 * services that share them: each service still gets its own user's.
 */
static void
test_identity_per_service(void **state)
{
	static const char	text[] =
	    "service a { port = 2001  server = \"/bin/cat\"  user = root }\n"
	    "service b { port = 2002  server = \"/bin/cat\"  user = root "
	    "group = nogroup }\n"
	    "service c { port = 2003  server = \"/bin/cat\"  user = nobody }\n"
	    "service d { port = 2004  server = \"/bin/cat\"  user = root }\n"
	    "service e { port = 2005  server = \"/bin/cat\"  user = \"0\" }\n"
	    "service f { port = 2006  server = \"/bin/cat\" }\n";
	struct superd_conf	*conf;
	char			*errs;

	(void)state;
	need_root();
	conf = load(text, &errs);
	assert_string_equal(errs, "");
	assert_non_null(conf);
	check_groups(conf, "a", "root", 0, 0);
	check_groups(conf, "b", "root", 0, 65534);
	check_groups(conf, "c", "nobody", 65534, 65534);
	check_groups(conf, "d", "root", 0, 0);
	check_groups(conf, "e", "root", 0, 0);
	check_groups(conf, "f", "root", 0, 0);
	conf_free(conf);
	free(errs);
}

static void
test_full_service(void **state)
{
	struct superd_conf		*conf;
	const struct service_conf	*sc;
	const struct sockaddr_in	*s4;
	char				*errs;
	int				 i, found;

	need_root();
	conf = load(full_text, &errs);
	assert_non_null(conf);
	/* Services keep the order of the file. */
	sc = TAILQ_FIRST(&conf->services);
	/* The name key overrides the section title. */
	assert_string_equal(sc->name, "fullname");
	assert_string_equal(sc->file, "t.conf");
	assert_int_equal(sc->type, SVC_EXEC);
	assert_int_equal(sc->socktype, SOCK_STREAM);
	assert_int_equal(sc->proto, PROTO_TCP);
	assert_string_equal(sc->address, "127.0.0.1");
	assert_int_equal(sc->family, AF_INET);
	assert_int_equal(sc->dualstack, 0);
	assert_int_equal(sc->addrlen, sizeof(struct sockaddr_in));
	s4 = (const struct sockaddr_in *)&sc->addr;
	assert_int_equal(ntohs(s4->sin_port), 2000);
	assert_int_equal(ntohl(s4->sin_addr.s_addr), INADDR_LOOPBACK);
	assert_int_equal(sc->port, 2000);
	assert_int_equal(sc->wait, 0);
	assert_int_equal(sc->disable, 1);
	assert_int_equal(sc->backlog, 16);
	assert_int_equal(sc->v6only, 0);
	/* user root with group nogroup */
	assert_string_equal(sc->user, "root");
	assert_string_equal(sc->group, "nogroup");
	assert_int_equal(sc->uid, 0);
	assert_int_equal(sc->gid, 65534);
	assert_int_equal(sc->switch_user, 1);
	assert_true(sc->ngroups >= 1);
	for (i = found = 0; i < sc->ngroups; i++)
		found |= sc->groups[i] == 65534;
	assert_true(found);
	assert_string_equal(sc->server, "/bin/cat");
	assert_string_equal(sc->argv[0], "kitty");
	assert_string_equal(sc->argv[1], "-u");
	assert_string_equal(sc->argv[2], "-");
	assert_null(sc->argv[3]);
	assert_string_equal(sc->env[0], "A=1");
	assert_string_equal(sc->env[1], "B=");
	assert_null(sc->env[2]);
	assert_int_equal(sc->env_inherit, 1);
	assert_int_equal(sc->stderr_mode, STDERR_LOG);
	assert_int_equal(sc->instances, 7);
	assert_int_equal(sc->threads, 0);
	assert_int_equal(sc->only_from.n, 2);
	assert_int_equal(sc->only_from.entries[0].family, AF_INET);
	assert_int_equal(sc->only_from.entries[0].prefixlen, 24);
	assert_int_equal(sc->only_from.entries[1].family, AF_INET6);
	assert_int_equal(sc->only_from.entries[1].prefixlen, 32);
	assert_int_equal(sc->no_access.n, 1);
	assert_int_equal(sc->no_access.entries[0].prefixlen, 32);
	assert_int_equal(sc->per_source, 3);
	assert_int_equal(sc->per_source_prefix4, 24);
	assert_int_equal(sc->per_source_prefix6, 56);
	assert_true(sc->rate.per_sec == 100.0);
	assert_int_equal(sc->rate.burst, 200);
	assert_true(sc->per_source_rate.per_sec > 0.0999 &&
	    sc->per_source_rate.per_sec < 0.1001);
	assert_int_equal(sc->per_source_rate.burst, 6);
	assert_string_equal(sc->banner_fail.path, "/dev/null");
	assert_int_equal(sc->banner_fail.len, 0);
	assert_string_equal(sc->chroot, "/");
	assert_int_equal(sc->set_umask, 1);
	assert_int_equal(sc->umask, 027);
	assert_int_equal(sc->set_nice, 1);
	assert_int_equal(sc->nice, 5);
	assert_int_equal(sc->rlimits[0].resource, RLIMIT_CPU);
	assert_int_equal(sc->rlimits[0].set, 1);
	assert_true(sc->rlimits[0].rl.rlim_cur == 10);
	assert_true(sc->rlimits[0].rl.rlim_max == 10);
	assert_int_equal(sc->rlimits[1].resource, RLIMIT_AS);
	assert_true(sc->rlimits[1].rl.rlim_cur == (rlim_t)1 << 30);
	assert_int_equal(sc->rlimits[2].resource, RLIMIT_NOFILE);
	assert_true(sc->rlimits[2].rl.rlim_max == 1024);
	assert_int_equal(sc->rlimits[3].resource, RLIMIT_NPROC);
	assert_true(sc->rlimits[3].rl.rlim_cur == RLIM_INFINITY);
	assert_int_equal(sc->rlimits[4].resource, RLIMIT_FSIZE);
	assert_true(sc->rlimits[4].rl.rlim_cur == (rlim_t)10 << 20);
	assert_int_equal(sc->rlimits[5].resource, RLIMIT_CORE);
	assert_int_equal(sc->rlimits[5].set, 1);
	assert_true(sc->rlimits[5].rl.rlim_cur == 0);
	assert_int_equal(sc->no_new_privs, 1);
	assert_int_equal(sc->timeout, 30);
	assert_int_equal(sc->kill_grace, 2);
	assert_int_equal(sc->oob_port, -1);
	assert_int_equal(sc->urgent, URGENT_IGNORE);
	assert_int_equal(sc->urgent_signal, SIGINT);
	conf_free(conf);
	free(errs);
}

static void
test_unix_service(void **state)
{
	struct superd_conf		*conf;
	const struct service_conf	*sc;
	const struct sockaddr_un	*su;
	char				*errs;

	need_root();
	conf = load(full_text, &errs);
	assert_non_null(conf);
	sc = find(conf, "unixsvc", PROTO_UNIX);
	assert_int_equal(sc->socktype, SOCK_STREAM);
	assert_int_equal(sc->family, AF_UNIX);
	assert_string_equal(sc->address, "/run/x.sock");
	su = (const struct sockaddr_un *)&sc->addr;
	assert_string_equal(su->sun_path, "/run/x.sock");
	assert_int_equal(sc->port, -1);
	assert_int_equal(sc->sock_mode, 0660);
	assert_int_equal(sc->sock_uid, 65534);
	assert_int_equal(sc->sock_gid, 65534);
	assert_int_equal(sc->n_allow_uids, 2);
	assert_int_equal(sc->allow_uids[0], 0);
	assert_int_equal(sc->allow_uids[1], 65534);
	assert_int_equal(sc->n_allow_gids, 1);
	assert_int_equal(sc->allow_gids[0], 65534);
	/* From the defaults section. */
	assert_string_equal(sc->user, "nobody");
	assert_int_equal(sc->uid, 65534);
	assert_int_equal(sc->gid, 65534);
	assert_null(sc->group);
	assert_int_equal(sc->wait, 0);
	conf_free(conf);
	free(errs);
}

static void
test_inferred(void **state)
{
	struct superd_conf		*conf;
	const struct service_conf	*sc;
	const struct sockaddr_in6	*s6;
	char				*errs;

	need_root();
	conf = load(full_text, &errs);
	assert_non_null(conf);

	/* protocol udp: a dgram socket; exec + dgram waits by default. */
	sc = find(conf, "tftp", PROTO_UDP);
	assert_int_equal(sc->socktype, SOCK_DGRAM);
	assert_int_equal(sc->port, 69);
	assert_int_equal(sc->wait, 1);
	assert_string_equal(sc->argv[0], "cat");
	assert_null(sc->argv[1]);
	/* "*" is one dual-stack socket. */
	assert_string_equal(sc->address, "*");
	assert_int_equal(sc->family, AF_INET6);
	assert_int_equal(sc->dualstack, 1);
	s6 = (const struct sockaddr_in6 *)&sc->addr;
	assert_true(IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr));
	assert_int_equal(ntohs(s6->sin6_port), 69);
	/* Inherited from defaults. */
	assert_int_equal(sc->instances, 50);
	assert_true(sc->rate.per_sec == 10.0);
	assert_int_equal(sc->rate.burst, 10);
	assert_int_equal(sc->only_from.n, 1);
	assert_int_equal(sc->only_from.entries[0].prefixlen, 8);
	assert_string_equal(sc->user, "nobody");
	/* Plain defaults. */
	assert_int_equal(sc->backlog, 1024);
	assert_int_equal(sc->kill_grace, 5);
	assert_int_equal(sc->timeout, 0);
	assert_int_equal(sc->per_source, 0);
	assert_int_equal(sc->per_source_prefix4, 32);
	assert_int_equal(sc->per_source_prefix6, 64);
	assert_int_equal(sc->stderr_mode, STDERR_SOCKET);
	assert_int_equal(sc->sock_mode, 0666);
	assert_int_equal(sc->sock_uid, (uid_t)-1);
	assert_int_equal(sc->sock_gid, (gid_t)-1);
	assert_null(sc->env[0]);
	assert_int_equal(sc->env_inherit, 0);
	assert_int_equal(sc->disable, 0);
	assert_int_equal(sc->set_umask, 0);
	assert_int_equal(sc->set_nice, 0);
	assert_int_equal(sc->rlimits[0].set, 0);
	assert_int_equal(sc->rlimits[5].resource, RLIMIT_CORE);
	assert_int_equal(sc->no_new_privs, 0);
	assert_null(sc->chroot);
	assert_null(sc->banner_fail.path);

	/* A tcp builtin: stream, no wait, no argv; v6only: no dual stack. */
	sc = find(conf, "echo", PROTO_TCP);
	assert_int_equal(sc->type, SVC_BUILTIN);
	assert_int_equal(sc->socktype, SOCK_STREAM);
	assert_int_equal(sc->wait, 0);
	assert_int_equal(sc->port, 7);
	assert_null(sc->argv);
	assert_int_equal(sc->v6only, 1);
	assert_int_equal(sc->dualstack, 0);
	/* socket = dgram: protocol udp; a builtin never waits. */
	sc = find(conf, "echo", PROTO_UDP);
	assert_int_equal(sc->socktype, SOCK_DGRAM);
	assert_int_equal(sc->wait, 0);
	/* Two dynamic ports do not clash. */
	assert_int_equal(find(conf, "dyn1", PROTO_TCP)->port, 0);
	assert_int_equal(find(conf, "dyn2", PROTO_TCP)->port, 0);
	conf_free(conf);
	free(errs);
}

static void
test_minimal_defaults(void **state)
{
	struct superd_conf		*conf;
	const struct service_conf	*sc;
	char				*errs, dir[4096], want[4200];

	conf = load("service a { port = 7 " CAT "}\n"
	    "service u { protocol = \"unix\" address = \"/run/u\" " CAT "}\n"
	    "service d { socket = \"dgram\" protocol = \"unix\" "
	    "address = \"/run/d\" " CAT "}\n"
	    "service w { port = 8 wait = yes " CAT "}\n",
	    &errs);
	assert_string_equal(errs, "");
	assert_non_null(conf);
	assert_string_equal(conf->include_dir, "./superd.d");
	assert_int_equal(conf->log_level, LOG_INFO);
	assert_int_equal(conf->max_children, 1024);
	assert_int_equal(conf->keep_handlers, 1);
	assert_int_equal(conf->shutdown_grace, 10);
	assert_null(conf->pidfile);
	/* The runtime directory, whatever the install prefix. */
	assert_int_equal(rundir_path(dir, sizeof(dir)), 0);
	if (geteuid() == 0)
		assert_string_equal(dir, "/run/superd");
	snprintf(want, sizeof(want), "%s/control.sock", dir);
	assert_string_equal(conf->control_socket, want);
	assert_null(conf->control_group);
	assert_int_equal(conf->control_gid, (gid_t)-1);
	snprintf(want, sizeof(want), "%s/directory.sock", dir);
	assert_string_equal(conf->directory_socket, want);
	assert_int_equal(conf->dir_ttl_min, 1);
	assert_int_equal(conf->dir_ttl_max, 86400);
	assert_int_equal(conf->dir_max_entries, 4096);
	assert_int_equal(conf->dir_max_per_uid, 64);
	assert_null(conf->directory_listen);
	assert_int_equal(conf->n_dir_allow, 0);
	assert_int_equal(conf->nservices, 4);

	sc = find(conf, "a", PROTO_TCP);
	/* No user: the handler runs as superd does. */
	assert_int_equal(sc->uid, geteuid());
	assert_int_equal(sc->gid, getegid());
	assert_int_equal(sc->switch_user, geteuid() == 0);
	assert_int_equal(sc->instances, 0);
	assert_int_equal(sc->only_from.n, 0);
	assert_true(sc->rate.per_sec == 0);
	sc = find(conf, "u", PROTO_UNIX);
	assert_int_equal(sc->socktype, SOCK_STREAM);
	sc = find(conf, "d", PROTO_UNIX);
	assert_int_equal(sc->socktype, SOCK_DGRAM);
	assert_int_equal(sc->wait, 1);
	/* wait = yes overrides the stream default. */
	assert_int_equal(find(conf, "w", PROTO_TCP)->wait, 1);
	conf_free(conf);
	free(errs);
}

static void
test_proto_name(void **state)
{
	assert_string_equal(conf_proto_name(PROTO_TCP), "tcp");
	assert_string_equal(conf_proto_name(PROTO_UDP), "udp");
	assert_string_equal(conf_proto_name(PROTO_UNIX), "unix");
}

/*
 * Regression (fixed; daemon/conf.c conf_run): cfg_parse_buf() sets the file name to
 * "[buf]" itself, overwriting the name conf_run put in cfg->filename, so
 * every message says "[buf]:LINE:" instead of the name passed to
 * conf_load_buf (conf.h: "name is used in messages").  Every exact
 * message check below fails with it.
 */
static void
test_buf_name_regression(void **state)
{
	struct superd_conf	*conf;
	char			*errs = NULL;
	size_t			 len;
	FILE			*fp;

	fp = open_memstream(&errs, &len);
	conf = conf_load_buf("my.conf", "\nservice a { port = 70000 " CAT "}\n",
	    fp);
	fclose(fp);
	assert_null(conf);
	assert_string_equal(errs, "my.conf:2: service \"a\": port 70000 out "
	    "of range (0-65535)\n");
	free(errs);
	conf = conf_load_buf("my.conf", "service a { port = 7 " CAT "}\n",
	    NULL);
	assert_non_null(conf);
	assert_string_equal(TAILQ_FIRST(&conf->services)->file, "my.conf");
	conf_free(conf);
}

/* Errors libconfuse itself reports. */
/* etcd-user and etcd-password-file: a private, non-empty file. */
static void
test_export_etcd_auth(void)
{
	struct superd_conf	*conf;
	char			*errs, file[] = "/tmp/test_conf_pw.XXXXXX", text[512];
	int			 fd;

	assert_true((fd = mkstemp(file)) >= 0);
	assert_int_equal(write(fd, "s3cret\n", 7), 7);
	close(fd);
	snprintf(text, sizeof(text), "etcd-endpoints = { \"http://h\" }\n"
	    "etcd-user = \"superd\"\netcd-password-file = \"%s\"\n", file);
	conf = load(text, &errs);
	assert_non_null(conf);
	assert_string_equal(conf->etcd_user, "superd");
	assert_string_equal(conf->etcd_password, "s3cret");
	conf_free(conf);
	free(errs);
	chmod(file, 0644);
	snprintf(text + strlen(text), sizeof(text) - strlen(text), "#");
	conf = load(text, &errs);
	assert_null(conf);
	assert_non_null(strstr(errs, "t.conf:3: etcd-password-file "));
	assert_non_null(strstr(errs, "is readable by others (mode 0644); "
	    "chmod 600 it\n"));
	free(errs);
	chmod(file, 0600);
	assert_int_equal(truncate(file, 0), 0);
	conf = load(text, &errs);
	assert_null(conf);
	assert_non_null(strstr(errs, "is empty\n"));
	free(errs);
	unlink(file);
	expect("etcd-user = \"superd\"\n", "t.conf:1: etcd-user and "
	    "etcd-password-file go together\n");
	expect("\netcd-password-file = \"/nonexistent/pw\"\n", "t.conf:2: "
	    "etcd-user and etcd-password-file go together\n");
	expect("etcd-user = \"u\"\netcd-password-file = \"/nonexistent/pw\"\n",
	    "t.conf:2: etcd-password-file /nonexistent/pw: No such file or "
	    "directory\n");
}

/* directory-export as a list, the etcd keys, and their mistakes. */
static void
test_export_etcd(void **state)
{
	struct superd_conf	*conf;
	char			*errs;

	(void)state;
	conf = load("directory-export = etcd\netcd-endpoints = "
	    "{ \"http://127.0.0.1:2379\", \"http://[::1]:2379/\" }\n"
	    "host-name = \"alpha\"\n", &errs);
	assert_non_null(conf);
	assert_int_equal(conf->directory_export, DIR_EXPORT_ETCD);
	assert_string_equal(conf->etcd_endpoints[1], "http://[::1]:2379/");
	assert_null(conf->etcd_endpoints[2]);
	assert_string_equal(conf->etcd_prefix, "/superd/v1/");
	assert_int_equal(conf->etcd_ttl, 10);
	assert_string_equal(conf->host_name, "alpha");
	assert_null(conf->advertise);
	conf_free(conf);
	free(errs);
	/* No host-name: the system's, never empty. */
	conf = load("directory-export = none\n", &errs);
	assert_non_null(conf);
	assert_int_equal(conf->directory_export, 0);
	assert_true(conf->host_name != NULL && conf->host_name[0] != '\0');
	conf_free(conf);
	free(errs);
	expect("\ndirectory-export = etcd\n", "t.conf:2: directory-export = "
	    "etcd needs etcd-endpoints\n");
	expect("directory-export = { etcd, dns }\netcd-endpoints = "
	    "\"http://h\"\n", "t.conf:1: directory-export \"dns\" is not "
	    "one of: none, avahi, etcd\n");
	expect("directory-export = { none, etcd }\netcd-endpoints = "
	    "\"http://h\"\n", "t.conf:1: directory-export \"none\" is not "
	    "one of: none, avahi, etcd (none stands alone)\n");
	expect("etcd-endpoints = { \"ftp://h:2379\" }\n",
	    "t.conf:1: etcd-endpoints \"ftp://h:2379\" is not "
	    "http[s]://HOST[:PORT]\n");
	expect("etcd-endpoints = { \"http://h:2379/v3\" }\n",
	    "t.conf:1: etcd-endpoints \"http://h:2379/v3\" is not "
	    "http[s]://HOST[:PORT]\n");
	expect("etcd-endpoints = { \"https://\" }\n",
	    "t.conf:1: etcd-endpoints \"https://\" is not "
	    "http[s]://HOST[:PORT]\n");
	/* TLS: the files must be readable, cert and key go together, and
	 * they are for https endpoints only. */
#ifdef HAVE_OPENSSL
	conf = load("etcd-endpoints = { \"https://h:2379\" }\n"
	    "etcd-ca = \"/dev/null\"\netcd-cert = \"/dev/null\"\n"
	    "etcd-key = \"/dev/null\"\n", &errs);
	assert_non_null(conf);
	assert_string_equal(conf->etcd_endpoints[0], "https://h:2379");
	assert_string_equal(conf->etcd_ca, "/dev/null");
	assert_string_equal(conf->etcd_cert, "/dev/null");
	assert_string_equal(conf->etcd_key, "/dev/null");
	conf_free(conf);
	free(errs);
	expect("etcd-endpoints = { \"https://h\" }\n"
	    "etcd-ca = \"/nonexistent/ca.pem\"\n",
	    "t.conf:2: etcd-ca /nonexistent/ca.pem: No such file or "
	    "directory\n");
	expect("etcd-endpoints = { \"https://h\" }\n\n"
	    "etcd-cert = \"/dev/null\"\n", "t.conf:3: etcd-cert and etcd-key "
	    "go together (the client certificate and its key)\n");
	expect("etcd-endpoints = { \"https://h\" }\n"
	    "etcd-key = \"/dev/null\"\n", "t.conf:2: etcd-cert and etcd-key "
	    "go together (the client certificate and its key)\n");
#else
	expect("etcd-endpoints = { \"https://h\" }\n", "t.conf:1: https "
	    "etcd-endpoints need TLS support, and this superd was built "
	    "without it (configure --with-openssl)\n");
#endif
	expect("etcd-endpoints = { \"http://h\" }\n"
	    "etcd-ca = \"/dev/null\"\n", "t.conf:2: etcd-ca, etcd-cert and "
	    "etcd-key are for https etcd-endpoints, and none is https\n");
	test_export_etcd_auth();
	expect("etcd-prefix = \"superd\"\n", "t.conf:1: etcd-prefix "
	    "\"superd\" should start and end with /\n");
	expect("etcd-ttl = 1\n", "t.conf:1: etcd-ttl 1 out of range "
	    "(2-3600)\n");
	expect("host-name = \"a/b\"\n", "t.conf:1: host-name \"a/b\" "
	    "should be a name without /\n");
	expect("advertise-address = { \"10.0.0.1\", \"web\" }\n",
	    "t.conf:1: advertise-address \"web\" is not an IP address\n");
}

static void
test_err_syntax(void **state)
{
	expect("service a {\n  port = 7\n  bogus = 1\n  " CAT "\n}\n",
	    "t.conf:3: service \"a\": no such option 'bogus'\n");
	expect("service a {\n  port = 7\n  wait = maybe\n  " CAT "\n}\n",
	    "t.conf:3: service \"a\": invalid boolean value for option "
	    "'wait'\n");
	expect("service a {\n  port = 7\n  instances = \"many\"\n  " CAT
	    "\n}\n", "t.conf:3: service \"a\": invalid integer value for "
	    "option 'instances'\n");
	expect("service a { port = 7 " CAT "}\n\nservice a { port = 8 " CAT
	    "}\n", "t.conf:3: found duplicate title 'a'\n");
	expect("\nbogus-global = 1\n", "t.conf:2: no such option "
	    "'bogus-global'\n");
}

static void
test_err_endpoint(void **state)
{
	expect("service a {\n  port = 70000\n  " CAT "\n}\n",
	    "t.conf:2: service \"a\": port 70000 out of range (0-65535)\n");
	expect("service a {\n  port = \"nosuch\"\n  " CAT "\n}\n",
	    "t.conf:2: service \"a\": port \"nosuch\" is not a number nor a "
	    "tcp service in /etc/services\n");
	expect("service a { " CAT "}\n",
	    "t.conf:1: service \"a\": port: missing (a number, a name from "
	    "/etc/services, or 0 for a dynamic port)\n");
	expect("service a {\n  port = 7\n  address = \"[192.0.2.1]\"\n  " CAT
	    "\n}\n", "t.conf:3: service \"a\": address \"[192.0.2.1]\" is "
	    "not an IPv6 address\n");
	expect("service u { protocol = \"unix\" " CAT "}\n",
	    "t.conf:1: service \"u\": address: a unix service needs "
	    "address = \"/path/to/socket\"\n");
	expect("service u {\n  protocol = \"unix\"\n  address = \"rel.sock\"\n"
	    "  " CAT "\n}\n", "t.conf:3: service \"u\": address \"rel.sock\": "
	    "a unix socket needs an absolute path\n");
	expect("service u {\n  protocol = \"unix\"\n  address = \"/run/u\"\n"
	    "  port = 7\n  " CAT "\n}\n", "t.conf:4: service \"u\": port "
	    "makes no sense for a unix socket\n");
	expect("service a {\n  protocol = \"tcp\"\n  socket = \"dgram\"\n"
	    "  port = 7\n  " CAT "\n}\n", "t.conf:3: service \"a\": socket = "
	    "dgram does not go with protocol = tcp\n");
	expect("service a {\n  protocol = \"udp\"\n  socket = \"stream\"\n"
	    "  port = 7\n  " CAT "\n}\n", "t.conf:3: service \"a\": socket = "
	    "stream does not go with protocol = udp\n");
	expect("service a {\n  socket = \"raw\"\n  port = 7\n  " CAT "\n}\n",
	    "t.conf:2: service \"a\": socket \"raw\" is not one of: stream, "
	    "dgram\n");
	expect("service a {\n  type = \"fork\"\n  port = 7\n  " CAT "\n}\n",
	    "t.conf:2: service \"a\": type \"fork\" is not one of: exec, "
	    "builtin, rpc\n");
}

#define RPC	"type = rpc socket = dgram " CAT
/*
 * type = rpc: the program by name (/etc/rpc) or number, the versions,
 * a dynamic port unless one is given, low source ports allowed.
 */
static void
test_rpc_service(void **state)
{
	struct superd_conf		*conf;
	const struct service_conf	*sc;
	char				*errs;

	(void)state;
#ifndef HAVE_TIRPC
	/* Nothing could register it: refused, saying why. */
	expect("service r {\n  " RPC "\n  rpc-program = 1\n"
	    "  rpc-versions = 1\n}\n", "t.conf:2: service \"r\": type = rpc: "
	    "superd was built without libtirpc (configure --with-tirpc) and "
	    "cannot register with rpcbind\n");
	return;
#endif
	conf = load("service r { " RPC " rpc-program = 100001 "
	    "rpc-versions = \"1-5\" }\nservice t { type = rpc " CAT
	    " rpc-program = 100002 rpc-versions = 2 port = 4000 "
	    "udp-low-ports = refuse }\n", &errs);
	assert_non_null(conf);
	sc = find(conf, "r", PROTO_UDP);
	assert_int_equal(sc->rpc, 1);
	assert_int_equal(sc->type, SVC_EXEC);
	assert_true(sc->rpc_prog == 100001 && sc->rpc_vlo == 1 &&
	    sc->rpc_vhi == 5);
	assert_int_equal(sc->port, 0);
	assert_int_equal(sc->udp_low_ports, 1);
	assert_int_equal(sc->wait, 1);
	sc = find(conf, "t", PROTO_TCP);
	assert_true(sc->rpc_prog == 100002 && sc->rpc_vlo == 2 &&
	    sc->rpc_vhi == 2);
	assert_int_equal(sc->port, 4000);
	conf_free(conf);
	free(errs);
	if (getrpcbyname("rstatd") == NULL)
		return;		/* no /etc/rpc (Debian: netbase) */
	conf = load("service r { " RPC " rpc-program = \"rstatd\" "
	    "rpc-versions = 1 }\n", &errs);
	assert_non_null(conf);
	assert_true(find(conf, "r", PROTO_UDP)->rpc_prog == 100001);
	conf_free(conf);
	free(errs);
}

/* Each bad rpc setting is refused with file:line and the key. */
static void
test_rpc_errors(void **state)
{
	(void)state;
#ifndef HAVE_TIRPC
	skip();		/* every rpc service is refused: test_rpc_service */
#endif
	expect("service r {\n  " RPC "\n  rpc-versions = 1\n}\n",
	    "t.conf:4: service \"r\": rpc-program: missing (a number or a "
	    "name from /etc/rpc)\n");
	expect("service r {\n  " RPC "\n  rpc-program = 7\n}\n",
	    "t.conf:4: service \"r\": rpc-versions: missing (N or "
	    "LOW-HIGH)\n");
	expect("service r {\n  " RPC "\n  rpc-program = \"nosuchprog\"\n"
	    "  rpc-versions = 1\n}\n", "t.conf:3: service \"r\": "
	    "rpc-program \"nosuchprog\" is not a program number nor a name in "
	    "/etc/rpc\n");
	expect("service r {\n  " RPC "\n  rpc-program = 7\n"
	    "  rpc-versions = \"5-1\"\n}\n", "t.conf:4: service \"r\": "
	    "rpc-versions \"5-1\": the range ends before it starts\n");
	expect("service r {\n  port = 7\n  " CAT "\n  rpc-program = 7\n"
	    "}\n", "t.conf:4: service \"r\": rpc-program is only for type = "
	    "rpc\n");
	expect("service r {\n  type = rpc\n  protocol = unix\n"
	    "  address = \"/run/r\"\n  " CAT "\n  rpc-program = 7\n"
	    "  rpc-versions = 1\n}\n", "t.conf:3: service \"r\": an rpc "
	    "service is on tcp or udp\n");
	expect("service a { " RPC " rpc-program = 7 rpc-versions = \"1-3\" }\n"
	    "service b {\n " RPC " rpc-program = 7 rpc-versions = \"3-4\" }\n",
	    "t.conf:3: service \"b\": rpc-program: program 7 versions 3-4/udp "
	    "overlap those of service \"a\" (t.conf:1)\n");
}

/* A reload that changes the program or versions is a change. */
static void
test_rpc_equal(void **state)
{
	struct superd_conf	*a, *b;

	(void)state;
#ifndef HAVE_TIRPC
	skip();
#endif
	pair("service r { " RPC " rpc-program = 7 rpc-versions = 1 }\n",
	    "service r { " RPC " rpc-program = 7 rpc-versions = 1 }\n", &a, &b);
	assert_true(service_conf_equal(TAILQ_FIRST(&a->services),
	    TAILQ_FIRST(&b->services)));
	conf_free(a);
	conf_free(b);
	pair("service r { " RPC " rpc-program = 7 rpc-versions = 1 }\n",
	    "service r { " RPC " rpc-program = 7 rpc-versions = 2 }\n", &a, &b);
	assert_false(service_conf_equal(TAILQ_FIRST(&a->services),
	    TAILQ_FIRST(&b->services)));
	assert_false(service_conf_rpc_equal(TAILQ_FIRST(&a->services),
	    TAILQ_FIRST(&b->services)));
	conf_free(a);
	conf_free(b);
}

/*
 * Regression (fixed; daemon/conf.c enum_value): the message lists only the first two
 * allowed values, so protocol = "sctp" says "tcp, udp" and leaves out
 * unix.
 */
static void
test_err_protocol_list_regression(void **state)
{
	expect("service a {\n  protocol = \"sctp\"\n  port = 7\n  " CAT
	    "\n}\n", "t.conf:2: service \"a\": protocol \"sctp\" is not one "
	    "of: tcp, udp, unix\n");
}

static void
test_err_duplicates(void **state)
{
	/* Same name and protocol through the name key. */
	expect("service a { port = 7 " CAT "}\n"
	    "service b { name = \"a\" port = 8 " CAT "}\n",
	    "t.conf:2: service \"a\": a tcp service with this name is already "
	    "defined at t.conf:1\n");
	/* Two services on one fixed endpoint. */
	expect("service a { port = 7 " CAT "}\n"
	    "service b { port = \"echo\" " CAT "}\n",
	    "t.conf:2: service \"b\": address: * port 7/tcp is already used "
	    "by service \"a\" (t.conf:1)\n");
	expect("service a { address = \"127.0.0.1\" port = 7 " CAT "}\n"
	    "service b { address = \"127.0.0.1\" port = 7 " CAT "}\n",
	    "t.conf:2: service \"b\": address: 127.0.0.1 port 7/tcp is "
	    "already used by service \"a\" (t.conf:1)\n");
	expect("service a { protocol = \"unix\" address = \"/run/a\" " CAT
	    "}\nservice b { protocol = \"unix\" address = \"/run/a\" " CAT
	    "}\n", "t.conf:2: service \"b\": address: /run/a port -1/unix "
	    "is already used by service \"a\" (t.conf:1)\n");
}

static void
test_no_clash(void **state)
{
	struct superd_conf	*conf;
	char			*errs;

	/* Same name, other protocol; same port, other protocol or address. */
	conf = load("service a { port = 7 " CAT "}\n"
	    "service b { name = \"a\" protocol = \"udp\" port = 7 " CAT "}\n"
	    "service c { address = \"127.0.0.1\" port = 7 " CAT "}\n"
	    "service d { address = \"127.0.0.2\" port = 7 " CAT "}\n"
	    "service e { address = \"::1\" port = 7 " CAT "}\n", &errs);
	assert_string_equal(errs, "");
	assert_non_null(conf);
	assert_int_equal(conf->nservices, 5);
	conf_free(conf);
	free(errs);
}

/* A disabled service binds nothing: it shares an endpoint with anyone. */
static void
test_disabled_no_clash(void **state)
{
	struct superd_conf	*conf;
	char			*errs;

	conf = load("service a { port = 7 disable = yes " CAT "}\n"
	    "service b { port = 7 " CAT "}\n"
	    "service c { port = 7 disable = yes " CAT "}\n", &errs);
	assert_string_equal(errs, "");
	assert_non_null(conf);
	assert_int_equal(conf->nservices, 3);
	conf_free(conf);
	free(errs);
	/* Two enabled ones still clash, past a disabled one between them. */
	expect("service a { port = 7 " CAT "}\n"
	    "service b { port = 7 disable = yes " CAT "}\n"
	    "service c { port = 7 " CAT "}\n",
	    "t.conf:3: service \"c\": address: * port 7/tcp is already used "
	    "by service \"a\" (t.conf:1)\n");
}

static void
test_err_program(void **state)
{
	char	path[] = "/tmp/test_conf.XXXXXX", text[512], want[512];
	int	fd;

	expect("service a {\n  port = 7\n  server = \"bin/cat\"\n}\n",
	    "t.conf:3: service \"a\": server \"bin/cat\" must be an absolute "
	    "path\n");
	expect("service a {\n  port = 7\n  server = \"/nonexistent/x\"\n}\n",
	    "t.conf:3: service \"a\": server /nonexistent/x: No such file or "
	    "directory\n");
	expect("service a { port = 7 }\n", "t.conf:1: service \"a\": server: "
	    "missing (the program to run, an absolute path)\n");
	expect("service a { type = \"builtin\" port = 7 }\n", "t.conf:1: "
	    "service \"a\": server: missing (the builtin's name)\n");
	/* A file that is not executable. */
	assert_true((fd = mkstemp(path)) != -1);
	close(fd);
	snprintf(text, sizeof(text), "service a {\n  port = 7\n  server = "
	    "\"%s\"\n}\n", path);
	snprintf(want, sizeof(want), "t.conf:3: service \"a\": server %s: "
	    "Permission denied\n", path);
	expect(text, want);
	unlink(path);
	expect("service a {\n  port = 7\n  " CAT "\n  env = { \"A=1\", "
	    "\"NOEQ\", \"=x\" }\n}\n",
	    "t.conf:4: service \"a\": env \"NOEQ\" is not NAME=VALUE\n"
	    "t.conf:4: service \"a\": env \"=x\" is not NAME=VALUE\n");
}

static void
test_err_builtin(void **state)
{
	expect("service a {\n  type = \"builtin\"\n  port = 7\n"
	    "  server = \"nope\"\n}\n", "t.conf:4: service \"a\": server "
	    "\"nope\" is not a builtin (echo, discard, daytime, time, "
	    "chargen, tcpmux)\n");
	expect("service a {\n  type = \"builtin\"\n  port = 7\n"
	    "  wait = yes\n  server = \"echo\"\n}\n",
	    "t.conf:4: service \"a\": wait = yes makes no sense for a builtin "
	    "(it runs inside superd)\n");
	expect("service a {\n  type = \"builtin\"\n  port = 7\n"
	    "  server = \"echo\"\n  stderr = \"log\"\n}\n",
	    "t.conf:5: service \"a\": stderr = log is for exec services\n");
	expect("service a {\n  port = 7\n  " CAT "\n  stderr = \"null\"\n}\n",
	    "t.conf:4: service \"a\": stderr \"null\" is not one of: socket, "
	    "log\n");
	expect("service a {\n  threads = 4\n  port = 7\n  " CAT "\n}\n",
	    "t.conf:2: service \"a\": threads is for stream builtins only\n");
	expect("service a {\n  type = \"builtin\"\n  protocol = \"udp\"\n"
	    "  threads = 2\n  port = 7\n  server = \"echo\"\n}\n",
	    "t.conf:4: service \"a\": threads is for stream builtins only\n");
	expect("service a { type = \"builtin\" port = 7 server = \"echo\" "
	    "chroot = \"/var/empty\" }\n", "t.conf:1: service \"a\": chroot, "
	    "umask, nice and no-new-privileges apply to exec services only\n");
}

/*
 * xinetd requires wait = yes on its datagram builtins (Debian's
 * /etc/xinetd.d/echo has it): accepted and ignored, with a notice naming
 * the line; wait = yes in defaults is ignored without one.
 */
static void
test_builtin_dgram_wait(void **state)
{
	struct superd_conf	*conf;
	char			*errs;

	conf = load("service a {\n  type = builtin\n  protocol = udp\n"
	    "  wait = yes\n  port = 7\n  server = echo\n}\n"
	    "service b {\n  type = builtin\n  socket = dgram\n"
	    "  port = 13\n  server = daytime\n  wait = no\n}\n", &errs);
	assert_string_equal(errs,
	    "t.conf:4: service \"a\": wait = yes is ignored: a datagram "
	    "builtin answers each datagram inside superd\n"
	    "t.conf:13: service \"b\": wait = no is ignored: a datagram "
	    "builtin answers each datagram inside superd\n");
	assert_non_null(conf);
	assert_int_equal(find(conf, "a", PROTO_UDP)->wait, 0);
	assert_int_equal(find(conf, "b", PROTO_UDP)->wait, 0);
	conf_free(conf);
	free(errs);
	conf = load("defaults { wait = yes }\n"
	    "service a { type = builtin protocol = udp port = 7 "
	    "server = echo }\n", &errs);
	assert_string_equal(errs, "");
	assert_non_null(conf);
	assert_int_equal(find(conf, "a", PROTO_UDP)->wait, 0);
	conf_free(conf);
	free(errs);
}

/* Does acl hold family/addr (text) with prefix length len? */
static int
acl_has(const struct acl *acl, int family, const char *a, int len)
{
	unsigned char	want[16];
	size_t		i;

	memset(want, 0, sizeof(want));
	assert_int_equal(inet_pton(family, a, want), 1);
	for (i = 0; i < acl->n; i++)
		if (acl->entries[i].family == family &&
		    acl->entries[i].prefixlen == len &&
		    memcmp(acl->entries[i].addr, want, 16) == 0)
			return 1;
	return 0;
}

/*
 * Host names resolved at load (localhost from /etc/hosts), the old
 * netmask form; a name that does not resolve is a warning, and leaves an
 * only-from that matches nobody rather than everybody.
 */
static void
test_acl_names(void **state)
{
	struct superd_conf		*conf;
	const struct service_conf	*sc;
	char				*errs;

	conf = load("service a {\n  port = 7\n  " CAT "\n"
	    "  only-from = { \"localhost\", \"10.0.0.0/255.0.0.0\" }\n}\n"
	    "service b {\n  port = 9\n  " CAT "\n"
	    "  only-from = { \"nonexistent.invalid\" }\n}\n", &errs);
	assert_non_null(conf);
	assert_non_null(strstr(errs, "t.conf:9: service \"b\": warning: "
	    "only-from: host name \"nonexistent.invalid\" did not resolve ("));
	sc = find(conf, "a", PROTO_TCP);
	assert_true(acl_has(&sc->only_from, AF_INET, "127.0.0.1", 32));
	assert_true(acl_has(&sc->only_from, AF_INET, "10.0.0.0", 8));
	sc = find(conf, "b", PROTO_TCP);
	assert_int_equal(sc->only_from.n, 1);
	assert_int_equal(sc->only_from.entries[0].family, AF_UNSPEC);
	conf_free(conf);
	free(errs);
}

/* banner / banner-success read at load, env-pass, max-load. */
static void
test_inetd_keys(void **state)
{
	struct superd_conf		*conf;
	const struct service_conf	*sc;
	char				 dir[] = "/tmp/superd-conf.XXXXXX";
	char				 text[1024], *errs;

	assert_non_null(mkdtemp(dir));
	write_file(dir, "b", "hello\r\n");
	snprintf(text, sizeof(text), "service a {\n  port = 7\n  " CAT "\n"
	    "  banner = \"%s/b\"\n  banner-success = \"/dev/null\"\n"
	    "  env-pass = { \"TZ\", \"LANG\" }\n  max-load = 2.5\n}\n", dir);
	conf = load(text, &errs);
	assert_string_equal(errs, "");
	assert_non_null(conf);
	sc = find(conf, "a", PROTO_TCP);
	assert_int_equal(sc->banner.len, 7);
	assert_memory_equal(sc->banner.data, "hello\r\n", 7);
	assert_int_equal(sc->banner_success.len, 0);
	assert_string_equal(sc->env_pass[0], "TZ");
	assert_string_equal(sc->env_pass[1], "LANG");
	assert_null(sc->env_pass[2]);
	assert_true(sc->max_load == 2.5);
	conf_free(conf);
	free(errs);
	snprintf(text, sizeof(text), "%s/b", dir);
	unlink(text);
	rmdir(dir);
}

static void
test_err_inetd_keys(void **state)
{
	expect("service a {\n  port = 7\n  " CAT "\n"
	    "  env-pass = { \"A=B\", \"LISTEN_FDS\" }\n"
	    "  max-load = 0\n}\n",
	    "t.conf:4: service \"a\": env-pass \"A=B\" is not a variable "
	    "name (NAME, without '=')\n"
	    "t.conf:4: service \"a\": env-pass \"LISTEN_FDS\": superd's own "
	    "LISTEN_FDS is not passed on\n"
	    "t.conf:5: service \"a\": max-load \"0\" is not a load average "
	    "above 0 (such as 2 or 2.5)\n");
	expect("service a {\n  protocol = \"udp\"\n  port = 7\n  " CAT "\n"
	    "  banner = \"/dev/null\"\n}\n",
	    "t.conf:5: service \"a\": banner is for stream services (a "
	    "datagram has no connection to send it on)\n");
	expect("service a {\n  port = 7\n  wait = yes\n  " CAT "\n"
	    "  banner-success = \"/dev/null\"\n}\n",
	    "t.conf:5: service \"a\": banner-success cannot apply with wait = "
	    "yes on a stream socket: the handler accepts the connections "
	    "itself (use its own access control)\n");
	expect("service a {\n  port = 7\n  " CAT "\n"
	    "  banner = \"/tmp\"\n}\n",
	    "t.conf:4: service \"a\": banner /tmp: not a file\n");
}

static void
test_err_protection(void **state)
{
	expect("service a {\n  port = 7\n  " CAT "\n"
	    "  only-from = { \"10.0.0.0/33\", \".example.com\" }\n"
	    "  no-access = \"::/200\"\n}\n",
	    "t.conf:4: service \"a\": only-from: \"10.0.0.0/33\": prefix "
	    "length must be 0-32\n"
	    "t.conf:4: service \"a\": only-from: \".example.com\": a domain "
	    "would need a reverse DNS lookup of every client; write its "
	    "addresses, prefixes or host names\n"
	    "t.conf:5: service \"a\": no-access: \"::/200\": prefix length "
	    "must be 0-128\n");
	expect("service a {\n  port = 7\n  " CAT "\n  rate = \"5/hour\"\n"
	    "  per-source-rate = \"0/s\"\n}\n",
	    "t.conf:4: service \"a\": rate \"5/hour\": unit must be /s or "
	    "/min\n"
	    "t.conf:5: service \"a\": per-source-rate \"0/s\": expected N/s "
	    "or N/min (N > 0), optionally followed by \"burst M\"\n");
	expect("service a {\n  port = 7\n  " CAT "\n"
	    "  per-source-prefix = \"33/64\"\n}\n", "t.conf:4: service \"a\": "
	    "per-source-prefix \"33/64\": IPv4 prefix 1-32, IPv6 1-128\n");
	expect("service a {\n  port = 7\n  " CAT "\n"
	    "  banner-fail = \"/nonexistent/b\"\n}\n", "t.conf:4: service "
	    "\"a\": banner-fail /nonexistent/b: No such file or directory\n");
	expect("service a { port = 7 " CAT "allow-groups = { \"root\" } }\n",
	    "t.conf:1: service \"a\": allow-uids/allow-groups are for unix "
	    "sockets; use only-from for tcp and udp\n");
	expect("service u {\n  protocol = \"unix\"\n  address = \"/run/u\"\n"
	    "  " CAT "\n  socket-mode = \"10000\"\n"
	    "  socket-owner = \"nosuchuser\"\n"
	    "  socket-group = \"nosuchgroup\"\n"
	    "  allow-uids = { \"nosuchuser\" }\n"
	    "  allow-groups = { \"nosuchgroup\" }\n}\n",
	    "t.conf:5: service \"u\": socket-mode: \"10000\" is not an octal "
	    "mode (0-7777)\n"
	    "t.conf:6: service \"u\": socket-owner \"nosuchuser\" does not "
	    "exist\n"
	    "t.conf:7: service \"u\": socket-group \"nosuchgroup\" does not "
	    "exist\n"
	    "t.conf:8: service \"u\": allow-uids: user \"nosuchuser\" does "
	    "not exist\n"
	    "t.conf:9: service \"u\": allow-groups: group \"nosuchgroup\" "
	    "does not exist\n");
}

static void
test_err_identity(void **state)
{
	need_root();
	expect("service a {\n  port = 7\n  " CAT "\n  user = \"nosuchuser\"\n"
	    "}\n", "t.conf:4: service \"a\": user \"nosuchuser\" does not "
	    "exist\n");
	expect("service a {\n  port = 7\n  " CAT "\n  user = \"nobody\"\n"
	    "  group = \"nosuchgroup\"\n}\n", "t.conf:5: service \"a\": group "
	    "\"nosuchgroup\" does not exist\n");
}

/*
 * Regression (fixed; daemon/conf.c svc_error): a bad value inherited from the defaults
 * section is reported as "?:LINE": the defaults section has no filename
 * (libconfuse creates it at cfg_init, before any file), and svc_error
 * takes sec->filename.  It should name the main file.
 */
static void
test_err_defaults_file_regression(void **state)
{
	expect("defaults {\n  user = \"nosuchuser\"\n}\n"
	    "service a { port = 7 " CAT "}\n",
	    "t.conf:2: service \"a\": user \"nosuchuser\" does not exist\n");
	expect("defaults {\n  instances = -1\n}\n"
	    "service a { port = 7 " CAT "}\n",
	    "t.conf:2: service \"a\": instances -1 out of range "
	    "(0-1000000)\n");
}

static void
test_err_ranges(void **state)
{
	expect("service a {\n  port = 7\n  " CAT "\n  instances = 1000001\n"
	    "}\n", "t.conf:4: service \"a\": instances 1000001 out of range "
	    "(0-1000000)\n");
	expect("service a {\n  port = 7\n  " CAT "\n  instances = -1\n}\n",
	    "t.conf:4: service \"a\": instances -1 out of range "
	    "(0-1000000)\n");
	expect("service a {\n  port = 7\n  " CAT "\n  nice = 20\n}\n",
	    "t.conf:4: service \"a\": nice 20 out of range (-20-19)\n");
	expect("service a {\n  port = 7\n  " CAT "\n  nice = -21\n}\n",
	    "t.conf:4: service \"a\": nice -21 out of range (-20-19)\n");
	expect("service a {\n  port = 7\n  " CAT "\n  backlog = 0\n}\n",
	    "t.conf:4: service \"a\": backlog 0 out of range (1-65535)\n");
	expect("service a {\n  port = 7\n  " CAT "\n  backlog = 65536\n}\n",
	    "t.conf:4: service \"a\": backlog 65536 out of range (1-65535)\n");
	expect("service a {\n  port = 7\n  " CAT "\n  per-source = 1000001\n"
	    "}\n", "t.conf:4: service \"a\": per-source 1000001 out of range "
	    "(0-1000000)\n");
	expect("service a {\n  port = 7\n  " CAT "\n  timeout = -1\n}\n",
	    "t.conf:4: service \"a\": timeout -1 out of range "
	    "(0-31536000)\n");
	expect("service a {\n  port = 7\n  " CAT "\n  kill-grace = 3601\n}\n",
	    "t.conf:4: service \"a\": kill-grace 3601 out of range "
	    "(0-3600)\n");
	expect("service a {\n  type = \"builtin\"\n  port = 7\n"
	    "  server = \"echo\"\n  threads = 65\n}\n", "t.conf:5: service "
	    "\"a\": threads 65 out of range (0-64)\n");
	expect("service a {\n  port = 7\n  " CAT "\n  chroot = \"var/empty\"\n"
	    "  umask = \"099\"\n  rlimit-cpu = \"lots\"\n"
	    "  rlimit-core = \"10X\"\n}\n",
	    "t.conf:4: service \"a\": chroot \"var/empty\" must be an absolute "
	    "path\n"
	    "t.conf:5: service \"a\": umask: \"099\" is not an octal mode "
	    "(0-777)\n"
	    "t.conf:6: service \"a\": rlimit-cpu: \"lots\" is not a number or "
	    "\"unlimited\"\n"
	    "t.conf:7: service \"a\": rlimit-core: \"10X\" is not a number "
	    "(suffix K, M or G)\n");
}

static void
test_err_names(void **state)
{
	expect("service \"a b\" { port = 7 " CAT "}\n"
	    "service \"x/y\" { port = 8 " CAT "}\n"
	    "service c { name = \"\" port = 9 " CAT "}\n"
	    "service d { name = \"p=q\" port = 10 " CAT "}\n",
	    "t.conf:1: service \"a b\": name: must be 1-64 characters without "
	    "spaces, '/' or '='\n"
	    "t.conf:2: service \"x/y\": name: must be 1-64 characters without "
	    "spaces, '/' or '='\n"
	    "t.conf:3: service \"\": name: must be 1-64 characters without "
	    "spaces, '/' or '='\n"
	    "t.conf:4: service \"p=q\": name: must be 1-64 characters without "
	    "spaces, '/' or '='\n");
}

static void
test_err_globals(void **state)
{
	expect("max-children = -1\n", "t.conf:1: max-children -1 out of range "
	    "(0-1000000)\n");
	expect("\nshutdown-grace = 3601\n", "t.conf:2: shutdown-grace 3601 out "
	    "of range (0-3600)\n");
	expect("directory-max-entries = 0\n", "t.conf:1: "
	    "directory-max-entries 0 out of range (1-1000000)\n");
	expect("directory-max-per-uid = 1000001\n", "t.conf:1: "
	    "directory-max-per-uid 1000001 out of range (1-1000000)\n");
	expect("directory-ttl-min = 0\n", "t.conf:1: directory-ttl-min 0 out "
	    "of range (1-604800)\n");
	expect("directory-allow = { \"x=root\", \"noeq\", \"=root\", \"y=\",\n"
	    "  \"z=nosuchuser\", \"w=@nosuchgroup\", \"v=@\", \"u=@0\" }\n",
	    "t.conf:2: directory-allow \"noeq\" should be NAME=USER or "
	    "NAME=@GROUP\n"
	    "t.conf:2: directory-allow \"=root\" should be NAME=USER or "
	    "NAME=@GROUP\n"
	    "t.conf:2: directory-allow \"y=\" should be NAME=USER or "
	    "NAME=@GROUP\n"
	    "t.conf:2: directory-allow: no such user \"nosuchuser\"\n"
	    "t.conf:2: directory-allow: no such group \"nosuchgroup\"\n"
	    "t.conf:2: directory-allow: no such group \"\"\n");
}

/*
 * Regression (fixed; daemon/conf.c conf_globals): log-level, on-exit, control-group and
 * the ttl order are reported without their line ("t.conf: ..."), while
 * conf.h promises "file:line:" for every error; they are not in
 * cfg_track_globals' list.
 */
static void
test_err_globals_line_regression(void **state)
{
	expect("\nlog-level = \"loud\"\n", "t.conf:2: log-level \"loud\" is "
	    "not one of: err, warning, notice, info, debug\n");
	expect("\non-exit = \"explode\"\n", "t.conf:2: on-exit \"explode\" "
	    "is not one of: keep, terminate\n");
	expect("\ncontrol-group = \"nosuchgroup\"\n", "t.conf:2: "
	    "control-group \"nosuchgroup\" does not exist\n");
	/* Every global key with a value is tracked (from the key table). */
	expect("\nline-timeout = 0\n", "t.conf:2: line-timeout 0 out of "
	    "range (1-3600)\n");
	expect("\n\nline-root-reserve = -1\n", "t.conf:3: line-root-reserve "
	    "-1 out of range (0-100000)\n");
}

/* Every error of a file, not just the first, once libconfuse is done. */
static void
test_all_errors(void **state)
{
	struct superd_conf	*conf;
	char			*errs;

	conf = load("max-children = -1\n"
	    "service a { port = 70000 " CAT "}\n"
	    "service b { port = 7 server = \"rel\" }\n"
	    "service c { protocol = \"unix\" " CAT "}\n"
	    "service d { port = 8 " CAT "rate = \"1/h\" nice = 99 }\n", &errs);
	assert_null(conf);
	assert_string_equal(errs,
	    "t.conf:1: max-children -1 out of range (0-1000000)\n"
	    "t.conf:2: service \"a\": port 70000 out of range (0-65535)\n"
	    "t.conf:3: service \"b\": server \"rel\" must be an absolute path\n"
	    "t.conf:4: service \"c\": address: a unix service needs "
	    "address = \"/path/to/socket\"\n"
	    "t.conf:5: service \"d\": rate \"1/h\": unit must be /s or /min\n"
	    "t.conf:5: service \"d\": nice 99 out of range (-20-19)\n");
	assert_int_equal(count_lines(errs), 6);
	free(errs);

	/* No errs stream: still refused. */
	assert_null(conf_load_buf("t.conf", "service a { port = 70000 " CAT
	    "}\n", NULL));
}

static void
test_load_missing(void **state)
{
	struct superd_conf	*conf;
	char			*errs = NULL;
	size_t			 len;
	FILE			*fp;

	fp = open_memstream(&errs, &len);
	conf = conf_load("/nonexistent/superd-test/superd.conf", fp);
	fclose(fp);
	assert_null(conf);
	assert_string_equal(errs, "/nonexistent/superd-test/superd.conf: "
	    "cannot read: No such file or directory\n");
	free(errs);
}

static void
test_include_dir(void **state)
{
	char			 dir[] = "/tmp/test_conf.XXXXXX", sub[600];
	char			 text[1024], *errs;
	struct superd_conf	*conf;
	const struct service_conf *sc;

	assert_non_null(mkdtemp(dir));
	write_file(dir, "b.conf", "service inc2 { port = 3002 " CAT "}\n"
	    "service inc3 { protocol = \"udp\" port = 3003 " CAT "}\n");
	write_file(dir, "a.conf", "service inc1 { port = 3001 " CAT "}\n");
	write_file(dir, "x.conf.example", "service bad { port = 99999 }\n");
	write_file(dir, "README", "not a config at all {\n");
	write_file(dir, "c.conf~", "junk {\n");
	snprintf(sub, sizeof(sub), "%s/sub.conf.d", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	write_file(sub, "d.conf", "service deep { port = 3004 " CAT "}\n");

	snprintf(text, sizeof(text), "include-dir = \"%s\"\n"
	    "defaults { instances = 9 }\n"
	    "service main { port = 3000 " CAT "}\n", dir);
	conf = load(text, &errs);
	assert_string_equal(errs, "");
	assert_non_null(conf);
	assert_string_equal(conf->include_dir, dir);
	assert_int_equal(conf->nservices, 4);
	/* The main file first, then the files in name order. */
	sc = TAILQ_FIRST(&conf->services);
	assert_string_equal(sc->name, "main");
	sc = TAILQ_NEXT(sc, entry);
	assert_string_equal(sc->name, "inc1");
	snprintf(sub, sizeof(sub), "%s/a.conf", dir);
	assert_string_equal(sc->file, sub);
	/* Drop-ins get the main file's defaults. */
	assert_int_equal(sc->instances, 9);
	assert_string_equal(TAILQ_NEXT(sc, entry)->name, "inc2");
	assert_int_equal(find(conf, "inc3", PROTO_UDP)->port, 3003);
	conf_free(conf);
	free(errs);

	/* Errors name the drop-in and its line; drop-ins have no globals. */
	write_file(dir, "e.conf", "\nservice inc5 {\n  port = 70000\n  " CAT
	    "\n}\n");
	write_file(dir, "f.conf", "log-level = \"debug\"\n");
	write_file(dir, "g.conf", "service inc1 { port = 3009 " CAT "}\n");
	conf = load(text, &errs);
	assert_null(conf);
	snprintf(text, sizeof(text),
	    "%s/e.conf:3: service \"inc5\": port 70000 out of range "
	    "(0-65535)\n"
	    "%s/f.conf:1: no such option 'log-level'\n"
	    "%s/g.conf:1: service \"inc1\": a tcp service with this name is "
	    "already defined at %s/a.conf:1\n", dir, dir, dir, dir);
	assert_string_equal(errs, text);
	free(errs);

	snprintf(text, sizeof(text), "rm -rf '%s'", dir);
	assert_int_equal(system(text), 0);
}

static void
test_load_file(void **state)
{
	char			 dir[] = "/tmp/test_conf.XXXXXX", path[600];
	char			 want[1024], *errs = NULL;
	struct superd_conf	*conf;
	size_t			 len;
	FILE			*fp;

	assert_non_null(mkdtemp(dir));
	write_file(dir, "part.inc", "service part { port = 3101 " CAT "}\n");
	write_file(dir, "superd.conf", "include(\"part.inc\")\n"
	    "service main { port = 3100 " CAT "}\n");
	snprintf(path, sizeof(path), "%s/superd.d", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	write_file(path, "z.conf", "service dropin { port = 3102 " CAT "}\n");
	snprintf(path, sizeof(path), "%s/superd.conf", dir);
	conf = conf_load(path, NULL);
	assert_non_null(conf);
	assert_string_equal(conf->path, path);
	/* include-dir defaults to superd.d beside the file. */
	snprintf(want, sizeof(want), "%s/superd.d", dir);
	assert_string_equal(conf->include_dir, want);
	assert_int_equal(conf->nservices, 3);
	find(conf, "part", PROTO_TCP);
	find(conf, "dropin", PROTO_TCP);
	conf_free(conf);

	write_file(dir, "superd.conf", "\nservice main {\n  port = 70000\n  "
	    CAT "\n}\n");
	fp = open_memstream(&errs, &len);
	assert_null(conf_load(path, fp));
	fclose(fp);
	snprintf(want, sizeof(want), "%s: service \"main\": port 70000 out of "
	    "range (0-65535)\n", path);
	assert_true(strncmp(errs, path, strlen(path)) == 0);
	assert_string_equal(strchr(errs + strlen(path), ' '),
	    strchr(want + strlen(path), ' '));
	assert_string_equal(errs + strlen(path), ":3: service \"main\": port "
	    "70000 out of range (0-65535)\n");
	free(errs);
	snprintf(want, sizeof(want), "rm -rf '%s'", dir);
	assert_int_equal(system(want), 0);
}

/* Two one-service configs, a and b, for endpoint comparisons. */
static void
pair(const char *a, const char *b, struct superd_conf **ca,
    struct superd_conf **cb)
{
	char	*errs;

	*ca = load(a, &errs);
	assert_string_equal(errs, "");
	free(errs);
	*cb = load(b, &errs);
	assert_string_equal(errs, "");
	free(errs);
	assert_non_null(*ca);
	assert_non_null(*cb);
}

#define FIRST(c)	TAILQ_FIRST(&(c)->services)

/* Same endpoint (s) and same config (e) expected for a vs b. */
static void
compare(const char *a, const char *b, int s, int e)
{
	struct superd_conf	*ca, *cb;

	pair(a, b, &ca, &cb);
	assert_int_equal(service_conf_same_endpoint(FIRST(ca), FIRST(cb)), s);
	assert_int_equal(service_conf_same_endpoint(FIRST(cb), FIRST(ca)), s);
	assert_int_equal(service_conf_equal(FIRST(ca), FIRST(cb)), e);
	assert_int_equal(service_conf_equal(FIRST(cb), FIRST(ca)), e);
	assert_true(service_conf_equal(FIRST(ca), FIRST(ca)));
	conf_free(ca);
	conf_free(cb);
}

static void
test_same_endpoint_equal(void **state)
{
	const char	*base = "service a { port = 7 " CAT "}";

	compare(base, base, 1, 1);
	compare(base, "service a { port = 7 " CAT "args = { \"-u\" } }", 1, 0);
	compare(base, "service a { port = 7 " CAT "instances = 3 }", 1, 0);
	compare(base, "service a { port = 7 " CAT "env = { \"A=1\" } }", 1, 0);
	compare(base, "service a { port = 7 server = \"/bin/sh\" }", 1, 0);
	compare(base, "service b { port = 7 " CAT "}", 1, 0);
	compare(base, "service a { port = 7 " CAT "disable = yes }", 1, 0);
	compare(base, "service a { port = 8 " CAT "}", 0, 0);
	compare(base, "service a { protocol = \"udp\" port = 7 " CAT "}", 0,
	    0);
	compare(base, "service a { port = 7 v6only = yes " CAT "}", 0, 0);
	compare(base, "service a { address = \"::\" port = 7 " CAT "}", 0, 0);
	compare(base, "service a { address = \"0.0.0.0\" port = 7 " CAT "}",
	    0, 0);
	compare("service a { address = \"127.0.0.1\" port = 7 " CAT "}",
	    "service a { address = \"localhost\" port = 7 " CAT "}", 1, 1);
	compare("service u { protocol = \"unix\" address = \"/run/a\" " CAT
	    "}", "service u { protocol = \"unix\" address = \"/run/a\" " CAT
	    "socket-mode = \"0600\" }", 1, 1);
	compare("service u { protocol = \"unix\" address = \"/run/a\" " CAT
	    "}", "service u { protocol = \"unix\" address = \"/run/b\" " CAT
	    "}", 0, 0);
	compare("service u { protocol = \"unix\" address = \"/run/a\" " CAT
	    "}", "service u { protocol = \"unix\" socket = \"dgram\" "
	    "address = \"/run/a\" " CAT "}", 0, 0);
}

/*
 * Regression (fixed; daemon/conf.c service_conf_equal): "same in everything but runtime
 * state" (conf.h), yet it ignores only-from, no-access, rates,
 * per-source, stderr, env-inherit, chroot, rlimits, timeout...  Anyone
 * using it to keep a service across a reload would keep stale limits.
 */
static void
test_equal_protection_regression(void **state)
{
	const char	*base = "service a { port = 7 " CAT "}";

	compare(base, "service a { port = 7 " CAT
	    "only-from = { \"10.0.0.0/8\" } }", 1, 0);
	compare(base, "service a { port = 7 " CAT "rate = \"1/s\" }", 1, 0);
	compare(base, "service a { port = 7 " CAT "per-source = 2 }", 1, 0);
	compare(base, "service a { port = 7 " CAT "timeout = 5 }", 1, 0);
}

/* Every key of sockopt.c's table is one of conf.c's key table. */
static void
test_sockopt_keys(void **state)
{
	struct superd_conf	*conf;
	char			 text[256], *errs;
	const char		*v;
	int			 id;

	(void)state;
	for (id = 0; id < SOCKOPT_N; id++) {
		v = sockopt_kind((enum sockopt_id)id) == SOCKOPT_BOOL ? "no" :
		    sockopt_kind((enum sockopt_id)id) == SOCKOPT_INT ? "1" :
		    "\"lo\"";
		snprintf(text, sizeof(text), "service s {\n port = 7007\n "
		    "server = \"/bin/cat\"\n %s = %s\n}\n",
		    sockopt_key((enum sockopt_id)id), v);
		conf = load(text, &errs);
		if (strstr(errs, "no such option") != NULL)
			fail_msg("%s", errs);
		conf_free(conf);
		free(errs);
	}
}

/* Values land in sockopts; from defaults a misfit is left out. */
static void
test_sockopt_values(void **state)
{
	struct superd_conf		*a, *b;
	const struct service_conf	*sc;
	char				*errs;

	(void)state;
	a = load("defaults { nodelay = yes }\n"
	    "service s {\n port = 7007\n server = \"/bin/cat\"\n"
	    " keepalive = yes\n keepalive-idle = 30\n"
	    " receive-buffer = 64K\n ip-tos = \"0x20\"\n}\n"
	    "service u {\n protocol = udp\n port = 7007\n"
	    " server = \"/bin/cat\"\n}\n", &errs);
	assert_non_null(a);
	free(errs);
	sc = find(a, "s", PROTO_TCP);
	assert_int_equal(sc->sockopts.value[SOCKOPT_KEEPIDLE], 30);
	assert_int_equal(sc->sockopts.value[SOCKOPT_RCVBUF], 65536);
	assert_int_equal(sc->sockopts.value[SOCKOPT_IPTOS], 0x20);
	assert_true(sc->sockopts.set & (1u << SOCKOPT_NODELAY));
	sc = find(a, "u", PROTO_UDP);
	assert_int_equal(sc->sockopts.set, 0);
	b = load("defaults { nodelay = yes }\n"
	    "service s {\n port = 7007\n server = \"/bin/cat\"\n"
	    " keepalive = yes\n keepalive-idle = 31\n"
	    " receive-buffer = 64K\n ip-tos = \"0x20\"\n}\n"
	    "service u {\n protocol = udp\n port = 7007\n"
	    " server = \"/bin/cat\"\n}\n", &errs);
	assert_non_null(b);
	free(errs);
	assert_false(service_conf_equal(find(a, "s", PROTO_TCP),
	    find(b, "s", PROTO_TCP)));
	assert_true(service_conf_equal(find(a, "u", PROTO_UDP),
	    find(b, "u", PROTO_UDP)));
	conf_free(a);
	conf_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_globals),
		cmocka_unit_test(test_full_service),
		cmocka_unit_test(test_identity_per_service),
		cmocka_unit_test(test_unix_service),
		cmocka_unit_test(test_inferred),
		cmocka_unit_test(test_minimal_defaults),
		cmocka_unit_test(test_proto_name),
		cmocka_unit_test(test_buf_name_regression),
		cmocka_unit_test(test_err_syntax),
		cmocka_unit_test(test_err_endpoint),
		cmocka_unit_test(test_err_protocol_list_regression),
		cmocka_unit_test(test_err_duplicates),
		cmocka_unit_test(test_no_clash),
		cmocka_unit_test(test_disabled_no_clash),
		cmocka_unit_test(test_err_program),
		cmocka_unit_test(test_err_builtin),
		cmocka_unit_test(test_builtin_dgram_wait),
		cmocka_unit_test(test_err_protection),
		cmocka_unit_test(test_acl_names),
		cmocka_unit_test(test_inetd_keys),
		cmocka_unit_test(test_err_inetd_keys),
		cmocka_unit_test(test_err_identity),
		cmocka_unit_test(test_err_defaults_file_regression),
		cmocka_unit_test(test_err_ranges),
		cmocka_unit_test(test_err_names),
		cmocka_unit_test(test_err_globals),
		cmocka_unit_test(test_err_globals_line_regression),
		cmocka_unit_test(test_all_errors),
		cmocka_unit_test(test_load_missing),
		cmocka_unit_test(test_include_dir),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_export_etcd),
		cmocka_unit_test(test_same_endpoint_equal),
		cmocka_unit_test(test_rpc_service),
		cmocka_unit_test(test_rpc_errors),
		cmocka_unit_test(test_rpc_equal),
		cmocka_unit_test(test_equal_protection_regression),
		cmocka_unit_test(test_sockopt_keys),
		cmocka_unit_test(test_sockopt_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
