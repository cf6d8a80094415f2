/*
 * superd-lookup: find endpoints in the superd directory, list it, or
 * hold a registration for a command.  See superd-lookup(1).
 *
 * Exit status: 0 found (or done), 2 not found, 1 any other error.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lookup.h"
#include "rundir.h"
#include "sockpath.h"

#define MAX_TAGS	8

enum {
	OPT_REGISTER = 256,
	OPT_UNREGISTER,
	OPT_ADDR,
	OPT_TTL,
	OPT_TAG,
	OPT_PRIO,
	OPT_WEIGHT,
	OPT_EXPORT,
	OPT_NET,
	OPT_WAIT,
	OPT_WATCH
};

struct opts {
	int		 list, port, json;
	const char	*host, *socket, *proto;
	const char	*conf;		/* -c */
	char		 path[4096];	/* the local socket, found */
	char		 from[4200];	/* where path came from */
	int		 reg, regopts;
	int		 net;		/* --net: DNS-SD on the network */
	unsigned	 wait_ms;	/* --wait for --net */
	int		 watch;		/* --net --watch */
	const char	*unreg;
	struct lookup_reg r;
	const char	*tags[MAX_TAGS];
};

static void	usage(const char *, ...)
		    __attribute__((noreturn, format(printf, 1, 2)));
static void	help(void) __attribute__((noreturn));
static unsigned	num_arg(const char *, const char *, unsigned, unsigned);
static char   **split_command(int *, char **);
static void	parse_opts(struct opts *, int, char **);
static void	parse_reg_args(struct opts *, int, char **);
static void	check_combination(const struct opts *, int, char **);
static void	find_socket(struct opts *);
static int	proto_ok(const char *);
static const char *token_arg(const char *, const char *);
static struct superd *open_dir(const struct opts *);
static int	lookup_main(const struct opts *, const char *);

static const char synopsis[] =
"usage: superd-lookup [-jp] [-H host[:port] | -S path | -c file] [-P proto] name\n"
"       superd-lookup [-j] [-H host[:port] | -S path | -c file] [-P proto] -l [name]\n"
"       superd-lookup [-S path | -c file] --register name proto port|path\n"
"                     [--addr addr] [--ttl seconds] [--prio n] [--weight n]\n"
"                     [--tag key=value] [-- command [arg ...]]\n"
"       superd-lookup [-S path | -c file] --unregister id\n"
"       superd-lookup --net [-j] [-c file] [-P tcp|udp] [--wait seconds] name\n"
"       superd-lookup --net -l [-j] [-c file] [-P tcp|udp] [name]\n"
"       superd-lookup --net --watch [-c file] [-P tcp|udp] name\n";

/* Name the problem, show the synopsis, exit 1. */
static void
usage(const char *fmt, ...)
{
	va_list	ap;

	fputs("superd-lookup: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", synopsis);
	exit(EXIT_ERROR);
}

/* -h: the synopsis and the options, on stdout. */
static void
help(void)
{
	char	def[4096];

	if (rundir_client_socket(RUNDIR_DIRECTORY, def, sizeof(def)) == -1)
		snprintf(def, sizeof(def), "%s/%s", RUNDIR_SYSTEM,
		    RUNDIR_DIRECTORY);
	printf("%s\n"
"  -l, --list           table of every endpoint (or of name)\n"
"  -p, --port           print the port(s) only\n"
"  -j, --json           machine-readable output\n"
"  -H, --host HOST[:PORT]  ask a remote read-only directory (port %d)\n"
"  -S, --socket PATH    directory socket (default $" SUPERD_DIRECTORY_ENV ",\n"
"                       then directory-socket in the config, then\n"
"                       %s)\n"
"  -c, --config FILE    read directory-socket from FILE (default\n"
"                       %s)\n"
"  -P, --proto PROTO    only tcp, udp or unix endpoints\n"
"  --register NAME PROTO PORT  register; with a command, for as long\n"
"                       as it runs; without one, --ttl is required\n"
"  --export             with --register: ask for DNS-SD publication\n"
"  --unregister ID      remove a registration\n"
"  --net                find name on the network: in etcd when\n"
"                       $SUPERD_ETCD_ENDPOINTS or etcd-endpoints in the\n"
"                       config is set, else DNS-SD; -l: all of etcd\n"
"  --wait SECONDS       how long --net listens (default 2)\n"
"  --watch              with --net: print name's endpoints as they come\n"
"                       and go in etcd (+ or -), until killed\n"
"  -h, --help           this help\n"
"  -V, --version        the version\n"
"exit status: 0 found, 2 not found, 1 error\n",
	    synopsis, SUPERD_REMOTE_PORT, def, SOCKPATH_CONF);
	exit(EXIT_FOUND);
}

/* A decimal option value within [min, max], or a usage error. */
static unsigned
num_arg(const char *what, const char *s, unsigned min, unsigned max)
{
	unsigned long	 v;
	char		*end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || v < min ||
	    v > max)
		usage("%s must be a number from %u to %u: \"%s\"", what, min,
		    max, s);
	return v;
}

/* Cut argv at the first "--" after --register: what follows is the command. */
static char **
split_command(int *argc, char **argv)
{
	int	reg = 0;

	for (int i = 1; i < *argc; i++) {
		if (strcmp(argv[i], "--register") == 0)
			reg = 1;
		if (strcmp(argv[i], "--") != 0)
			continue;
		if (!reg)
			return NULL;
		argv[i] = NULL;
		*argc = i;
		return argv[i + 1] != NULL ? &argv[i + 1] : NULL;
	}
	return NULL;
}

/* A value sent as a protocol token: only [A-Za-z0-9._:/@%+=-]. */
static const char *
token_arg(const char *what, const char *s)
{
	size_t	n = strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:/@%+=-");

	if (*s == '\0' || s[n] != '\0')
		usage("%s \"%s\": only letters, digits and ._:/@%%+=- "
		    "may be used", what, s);
	return s;
}

/* tcp, udp or unix. */
static int
proto_ok(const char *p)
{
	return strcmp(p, "tcp") == 0 || strcmp(p, "udp") == 0 ||
	    strcmp(p, "unix") == 0;
}

/* getopt_long over everything before "--". */
static void
parse_opts(struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "list", no_argument, NULL, 'l' },
		{ "port", no_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "host", required_argument, NULL, 'H' },
		{ "socket", required_argument, NULL, 'S' },
		{ "config", required_argument, NULL, 'c' },
		{ "proto", required_argument, NULL, 'P' },
		{ "register", no_argument, NULL, OPT_REGISTER },
		{ "unregister", required_argument, NULL, OPT_UNREGISTER },
		{ "addr", required_argument, NULL, OPT_ADDR },
		{ "ttl", required_argument, NULL, OPT_TTL },
		{ "tag", required_argument, NULL, OPT_TAG },
		{ "prio", required_argument, NULL, OPT_PRIO },
		{ "weight", required_argument, NULL, OPT_WEIGHT },
		{ "export", no_argument, NULL, OPT_EXPORT },
		{ "net", no_argument, NULL, OPT_NET },
		{ "wait", required_argument, NULL, OPT_WAIT },
		{ "watch", no_argument, NULL, OPT_WATCH },
		{ NULL, 0, NULL, 0 }
	};
	int	c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:hlpjVH:S:P:", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'h':
			help();
		case 'V':
			printf("superd-lookup %s\n", PACKAGE_VERSION);
			exit(EXIT_FOUND);
		case 'l':
			o->list = 1;
			break;
		case 'p':
			o->port = 1;
			break;
		case 'j':
			o->json = 1;
			break;
		case 'H':
			o->host = optarg;
			break;
		case 'S':
			o->socket = optarg;
			break;
		case 'c':
			o->conf = optarg;
			break;
		case 'P':
			if (!proto_ok(optarg))
				usage("unknown protocol \"%s\" (tcp, udp, unix)",
				    optarg);
			o->proto = optarg;
			break;
		case OPT_REGISTER:
			o->reg = 1;
			break;
		case OPT_UNREGISTER:
			o->unreg = token_arg("lease id", optarg);
			break;
		case OPT_ADDR:
			o->r.addr = token_arg("--addr", optarg);
			o->regopts = 1;
			break;
		case OPT_TTL:
			o->r.ttl = num_arg("--ttl", optarg, 1, 86400 * 7);
			o->regopts = 1;
			break;
		case OPT_TAG:
			if (o->r.ntags == MAX_TAGS)
				usage("at most %d --tag options", MAX_TAGS);
			if (strchr(optarg, '=') == NULL || *optarg == '=')
				usage("--tag wants key=value: \"%s\"", optarg);
			o->tags[o->r.ntags++] = token_arg("--tag", optarg);
			o->regopts = 1;
			break;
		case OPT_PRIO:
			o->r.prio = num_arg("--prio", optarg, 0, 65535);
			o->regopts = 1;
			break;
		case OPT_WEIGHT:
			o->r.weight = num_arg("--weight", optarg, 0, 65535);
			o->regopts = 1;
			break;
		case OPT_EXPORT:
			o->r.export = 1;
			o->regopts = 1;
			break;
		case OPT_NET:
			o->net = 1;
			break;
		case OPT_WATCH:
			o->watch = 1;
			break;
		case OPT_WAIT:
			o->wait_ms = num_arg("--wait", optarg, 1, 60) * 1000;
			break;
		case ':':
			usage("option %s needs an argument", argv[optind - 1]);
		default:
			if (optopt != 0)
				usage("unknown option -%c", optopt);
			usage("unknown option %s", argv[optind - 1]);
		}
	}
}

/* NAME PROTO PORT|PATH of --register. */
static void
parse_reg_args(struct opts *o, int n, char **args)
{
	if (n != 3)
		usage("--register wants NAME PROTO PORT, got %d argument%s",
		    n, n == 1 ? "" : "s");
	o->r.name = token_arg("name", args[0]);
	o->r.proto = args[1];
	if (!proto_ok(o->r.proto))
		usage("unknown protocol \"%s\" (tcp, udp, unix)", o->r.proto);
	if (strcmp(o->r.proto, "unix") == 0 &&
	    (args[2][0] == '/' || args[2][0] == '@')) {
		if (o->r.addr != NULL)
			usage("give the unix socket path once");
		o->r.addr = token_arg("socket path", args[2]);
		o->r.port = 0;
	} else if (strcmp(o->r.proto, "unix") == 0) {
		o->r.port = num_arg("PORT of a unix endpoint", args[2], 0, 0);
		if (o->r.addr == NULL)
			usage("a unix endpoint needs its socket path");
	} else {
		o->r.port = num_arg("PORT", args[2], 1, 65535);
		if (o->r.addr == NULL)
			o->r.addr = "127.0.0.1";
	}
	if (o->r.command == NULL && o->r.ttl == 0)
		usage("--register without a command needs --ttl: a lease bound "
		    "to this connection would end as superd-lookup exits");
}

/* Reject options that make no sense together. */
static void
check_combination(const struct opts *o, int n, char **args)
{
	int	lookup = o->list || o->port || o->json || o->proto != NULL;

	if (o->reg && o->unreg != NULL)
		usage("--register and --unregister exclude each other");
	if ((o->reg || o->unreg != NULL) && (lookup || o->host != NULL))
		usage("registration takes only -S (a remote directory is "
		    "read-only; -l, -p, -j, -P are for lookups)");
	if (!o->reg && (o->regopts || o->r.command != NULL))
		usage("--addr, --ttl, --tag, --prio, --weight, --export and a "
		    "command go with --register");
	if (o->unreg != NULL && n > 0)
		usage("--unregister takes no other argument");
	if (o->host != NULL && o->socket != NULL)
		usage("-H and -S exclude each other");
	if (o->conf != NULL && (o->host != NULL || o->socket != NULL))
		usage("-c goes with neither -H nor -S");
	if (o->port && (o->json || o->list))
		usage("-p prints ports only; it does not go with -j or -l");
	if (!o->reg && o->unreg == NULL && n > 1)
		usage("one name at a time (extra \"%s\")", args[1]);
	if (o->port && n == 0)
		usage("-p needs a name");
	if (o->net && (o->reg || o->unreg != NULL || o->port ||
	    o->host != NULL || o->socket != NULL))
		usage("--net goes with -l, -j, -P, -c and --wait only");
	if (o->net && n != 1 && !o->list)
		usage("--net needs a name (or -l)");
	if (o->net && o->proto != NULL && strcmp(o->proto, "unix") == 0)
		usage("--net finds tcp or udp endpoints");
	if (o->watch && (!o->net || o->list || o->json || n != 1))
		usage("--watch goes with --net and a name");
	if (!o->net && o->wait_ms > 0)
		usage("--wait goes with --net");
}

/* -S, $SUPERD_DIRECTORY, directory-socket in -c or the default file. */
static void
find_socket(struct opts *o)
{
	const struct sockpath_query q = { o->socket, SUPERD_DIRECTORY_ENV,
	    o->conf, "directory-socket", RUNDIR_DIRECTORY };
	char	err[1024];

	if (sockpath_find(&q, o->path, sizeof(o->path), o->from,
	    sizeof(o->from), err, sizeof(err)) == -1) {
		fprintf(stderr, "superd-lookup: %s\n", err);
		exit(EXIT_ERROR);
	}
	o->socket = o->path;
}

/* Connect to the local or remote directory, or say why not. */
static struct superd *
open_dir(const struct opts *o)
{
	struct superd	*h;

	if (o->host != NULL) {
		if ((h = superd_open_remote(o->host, 0)) == NULL &&
		    errno == EINVAL)
			fprintf(stderr, "superd-lookup: -H %s: want HOST, "
			    "HOST:PORT or [IPV6]:PORT\n", o->host);
		else if (h == NULL)
			fprintf(stderr, "superd-lookup: cannot reach remote "
			    "directory %s: %s\n", o->host, strerror(errno));
		return h;
	}
	if ((h = superd_open(o->socket, 0)) == NULL)
		fprintf(stderr, "superd-lookup: cannot connect to %s (%s): %s "
		    "(is superd running?)\n", o->socket, o->from,
		    strerror(errno));
	return h;
}

/* Look name up (or list all when name is NULL) and print. */
static int
lookup_main(const struct opts *o, const char *name)
{
	struct superd_eplist	 l = { 0 };
	struct superd		*h;
	int			 rc = EXIT_FOUND, r;

	if ((h = open_dir(o)) == NULL)
		return EXIT_ERROR;
	r = name != NULL ? superd_lookup(h, name, o->proto, &l) :
	    superd_list(h, &l);
	if (r == -1 && errno == ENOENT && name != NULL) {
		fprintf(stderr, "superd-lookup: %s%s%s: not in the directory\n",
		    name, o->proto ? "/" : "", o->proto ? o->proto : "");
		rc = EXIT_NOTFOUND;
	} else if (r == -1) {
		fprintf(stderr, "superd-lookup: %s\n", superd_strerror(h));
		rc = EXIT_ERROR;
	}
	superd_close(h);
	lookup_filter_proto(&l, o->proto);
	if (rc == EXIT_ERROR)
		;
	else if (o->json)
		out_json(stdout, &l);
	else if (o->list || name == NULL)
		out_table(stdout, &l, o->host != NULL);
	else if (o->port && out_ports(stdout, &l) == 0 && rc == EXIT_FOUND) {
		fprintf(stderr, "superd-lookup: %s has no tcp or udp endpoint\n",
		    name);
		rc = EXIT_NOTFOUND;
	} else if (!o->port)
		out_plain(stdout, &l);
	superd_eplist_free(&l);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "superd-lookup: stdout: %s\n", strerror(errno));
		rc = EXIT_ERROR;
	}
	return rc;
}

int
main(int argc, char **argv)
{
	struct opts	o = { .r = { .prio = -1, .weight = -1 } };
	int		n;

	o.r.command = split_command(&argc, argv);
	parse_opts(&o, argc, argv);
	o.r.tags = o.tags;
	n = argc - optind;
	check_combination(&o, n, argv + optind);
	if (!o.net && o.host == NULL)
		find_socket(&o);
	if (o.reg) {
		parse_reg_args(&o, n, argv + optind);
		o.r.socket = o.socket;
		return reg_main(&o.r);
	}
	if (o.unreg != NULL)
		return unreg_main(o.socket, o.unreg);
	if (o.watch)
		return watch_main(argv[optind], o.proto, o.conf);
	if (o.net)
		return net_main(n > 0 ? argv[optind] : NULL, o.proto, o.json,
		    o.list, o.wait_ms ? o.wait_ms : 2000, o.conf);
	return lookup_main(&o, n > 0 ? argv[optind] : NULL);
}
