/*
 * superdctl: talk to superd's control socket.  See superdctl(8).
 *
 * A blocking client: one request line, then the records of the reply up
 * to "OK n" or "ERR CODE text", shown as an aligned table or as JSON.
 * Exit status: 0 done, 1 error, 2 no such service or session.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "ctl.h"
#include "jsonout.h"
#include "rundir.h"
#include "sockpath.h"

#define SOCKET_ENV	"SUPERD_CONTROL_SOCKET"

/* A column of a table: header and record key. */
struct col {
	const char	*head;
	const char	*key;
	const char	*(*fmt)(const char *, char *, size_t);
};

static void	usage(const char *, ...)
		    __attribute__((noreturn, format(printf, 1, 2)));
static void	help(void) __attribute__((noreturn));
static void	parse_opts(struct opts *, int, char **);
static void	find_socket(struct opts *);
static void	check_words(int, char **);
static const char *fmt_time(const char *, char *, size_t);
static const char *fmt_clock(const char *, char *, size_t);
static const char *fmt_age(const char *, char *, size_t);
static void	print_table(const struct reply *, const char *,
		    const struct col *);
static void	print_vertical(const struct rec *);
static void	print_status(const struct rec *);
static void	print_human(const char *, const struct reply *);
static json_t	*json_value(const char *, const char *);
static json_t	*json_record(const struct rec *);
static json_t	*json_records(const struct reply *);
static void	 json_print(json_t *);
static void	 print_json(const char *, const struct reply *);
static int	report_error(const struct opts *, const char *,
		    const struct reply *);

static const char synopsis[] =
"usage: superdctl [-j] [-c file | -S socket] [-t seconds] command "
"[argument ...]\n";

/* Name the problem, show the synopsis, exit 1. */
static void
usage(const char *fmt, ...)
{
	va_list	ap;

	fputs("superdctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", synopsis);
	exit(EXIT_ERR);
}

/* -h: the synopsis, options and commands. */
static void
help(void)
{
	char	def[4096];

	if (rundir_client_socket(RUNDIR_CONTROL, def, sizeof(def)) == -1)
		snprintf(def, sizeof(def), "%s/%s", RUNDIR_SYSTEM,
		    RUNDIR_CONTROL);
	printf("%s\n"
"  -j, --json           JSON output for scripts\n"
"  -c, --config FILE    read control-socket from FILE (default %s)\n"
"  -S, --socket PATH    control socket (default $" SOCKET_ENV ",\n"
"                       then control-socket in the config, then\n"
"                       %s)\n"
"  -t, --timeout SECS   give up after this long (default 10)\n"
"  -h, --help           this help\n"
"  -V, --version        the version\n"
"commands: help, version, status, services, service NAME,\n"
"  sessions [SERVICE], disable SERVICE, enable SERVICE,\n"
"  interrupt SESSION [SIGNAL] [grace=S], reload, drain, metrics,\n"
"  top [-d SECS] [-s KEY] [-n ROUNDS]\n"
"options may follow the command; \"--\" ends them\n"
"exit status: 0 done, 2 no such service or session, 1 other errors\n",
	    synopsis, SOCKPATH_CONF, def);
	exit(EXIT_OK);
}

static void
parse_opts(struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 'S' },
		{ "timeout", required_argument, NULL, 't' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	char	*end;
	long	 v;
	int	 c;

	memset(o, 0, sizeof(*o));
	o->timeout = 10;
	opterr = 0;
	/*
	 * Options anywhere ("superdctl services --json"): getopt moves the
	 * command's words to the end.  No command word starts with "-";
	 * "--" ends the options for one that would.
	 */
	while ((c = getopt_long(argc, argv, ":c:hjS:t:V", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'h':
			help();
		case 'V':
			printf("superdctl %s\n", PACKAGE_VERSION);
			exit(0);
		case 'c':
			o->conf = optarg;
			break;
		case 'j':
			o->json = 1;
			break;
		case 'S':
			o->socket = optarg;
			break;
		case 't':
			v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || v < 1 ||
			    v > 3600)
				usage("-t: seconds from 1 to 3600: \"%s\"",
				    optarg);
			o->timeout = (int)v;
			break;
		case ':':
			usage("option %s needs an argument", argv[optind - 1]);
		default:
			usage("unknown option %s", argv[optind - 1]);
		}
	}
	if (o->conf != NULL && o->socket != NULL)
		usage("-c and -S exclude each other");
}

/* -S, $SUPERD_CONTROL_SOCKET, control-socket in -c or the default file. */
static void
find_socket(struct opts *o)
{
	const struct sockpath_query q = { o->socket, SOCKET_ENV, o->conf,
	    "control-socket", RUNDIR_CONTROL };
	char	err[1024];

	if (sockpath_find(&q, o->path, sizeof(o->path), o->from,
	    sizeof(o->from), err, sizeof(err)) == -1)
		die("%s", err);
}

/* Each word must be one protocol token; anything else is refused here. */
static void
check_words(int argc, char **argv)
{
	size_t	n, total = 0;
	int	i;

	for (i = 0; i < argc; i++) {
		n = strspn(argv[i], "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:/@%+=,-");
		if (argv[i][0] == '\0' || argv[i][n] != '\0')
			usage("\"%s\": only letters, digits and ._:/@%%+=,- "
			    "may be used", argv[i]);
		total += n + 1;
	}
	if (argc > 16 || total > MAX_REQUEST)
		usage("request too long");
}

/* Epoch seconds v as local time in format fmt, or v itself. */
static const char *
fmt_epoch(const char *v, const char *fmt, char *buf, size_t len)
{
	time_t		t = (time_t)strtoll(v, NULL, 10);
	struct tm	tm;

	if (localtime_r(&t, &tm) == NULL || strftime(buf, len, fmt, &tm) == 0)
		return v;
	return buf;
}

/* Epoch seconds as local "YYYY-MM-DD HH:MM:SS". */
static const char *
fmt_time(const char *v, char *buf, size_t len)
{
	return fmt_epoch(v, "%Y-%m-%d %H:%M:%S", buf, len);
}

/* Epoch seconds as local "HH:MM:SS" (sessions are short-lived). */
static const char *
fmt_clock(const char *v, char *buf, size_t len)
{
	return fmt_epoch(v, "%H:%M:%S", buf, len);
}

/* Seconds as "4.2s", "3m05s", "2h01m" or "3d04h". */
static const char *
fmt_age(const char *v, char *buf, size_t len)
{
	double		s = strtod(v, NULL);
	long long	n = (long long)s;

	if (s < 60)
		snprintf(buf, len, "%.1fs", s);
	else if (n < 3600)
		snprintf(buf, len, "%lldm%02llds", n / 60, n % 60);
	else if (n < 86400)
		snprintf(buf, len, "%lldh%02lldm", n / 3600, n / 60 % 60);
	else
		snprintf(buf, len, "%lldd%02lldh", n / 86400, n / 3600 % 24);
	return buf;
}

/* The records of one type as columns aligned under a header. */
static void
print_table(const struct reply *rp, const char *type, const struct col *cols)
{
	char		 buf[64];
	const char	*v;
	size_t		 w[16], i, k, ncols;

	for (ncols = 0; cols[ncols].head != NULL && ncols < 16; ncols++)
		w[ncols] = strlen(cols[ncols].head);
	for (i = 0; i < rp->nrecs; i++) {
		if (strcmp(rp->recs[i].type, type) != 0)
			continue;
		for (k = 0; k < ncols; k++) {
			if ((v = rec_get(&rp->recs[i], cols[k].key)) == NULL)
				v = "-";
			if (cols[k].fmt != NULL)
				v = cols[k].fmt(v, buf, sizeof(buf));
			if (strlen(v) > w[k])
				w[k] = strlen(v);
		}
	}
	for (k = 0; k < ncols; k++)
		printf("%-*s%s", k + 1 < ncols ? (int)w[k] : 0, cols[k].head,
		    k + 1 < ncols ? "  " : "\n");
	for (i = 0; i < rp->nrecs; i++) {
		if (strcmp(rp->recs[i].type, type) != 0)
			continue;
		for (k = 0; k < ncols; k++) {
			if ((v = rec_get(&rp->recs[i], cols[k].key)) == NULL)
				v = "-";
			if (cols[k].fmt != NULL)
				v = cols[k].fmt(v, buf, sizeof(buf));
			printf("%-*s%s", k + 1 < ncols ? (int)w[k] : 0, v,
			    k + 1 < ncols ? "  " : "\n");
		}
	}
}

/* Every key of one record, one per line. */
static void
print_vertical(const struct rec *rc)
{
	size_t	w = 0;
	int	i;

	for (i = 0; i < rc->n; i++)
		if (strlen(rc->key[i]) > w)
			w = strlen(rc->key[i]);
	for (i = 0; i < rc->n; i++)
		printf("%-*s  %s\n", (int)w, rc->key[i], rc->val[i]);
}

/* CPU microseconds as seconds ("1.234s"); "-" stays. */
static const char *
fmt_usec(const char *v, char *buf, size_t len)
{
	unsigned long long	us;

	if (strcmp(v, "-") == 0)
		return v;
	us = strtoull(v, NULL, 10);
	snprintf(buf, len, "%llu.%03llus", us / 1000000, (us / 1000) % 1000);
	return buf;
}

/* status: the ST record, times made readable. */
static void
print_status(const struct rec *rc)
{
	static const char *const keys[] = { "version", "pid", "uptime",
	    "config", "loaded_at", "services", "sessions", "accepted",
	    "refused", "access", "cgroups" };
	char		 b1[64], b2[64];
	const char	*v, *since;
	size_t		 i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if ((v = rec_get(rc, keys[i])) == NULL)
			continue;
		if (strcmp(keys[i], "uptime") == 0) {
			since = rec_get(rc, "started_at");
			printf("%-10s %s (since %s)\n", keys[i],
			    fmt_age(v, b1, sizeof(b1)),
			    fmt_time(since ? since : "0", b2, sizeof(b2)));
		} else if (strcmp(keys[i], "loaded_at") == 0)
			printf("%-10s %s\n", "loaded",
			    fmt_time(v, b1, sizeof(b1)));
		else
			printf("%-10s %s\n", keys[i], v);
	}
}

/* The reply for people. */
static void
print_human(const char *cmd, const struct reply *rp)
{
	static const struct col svcols[] = {
		{ "NAME", "name", NULL }, { "PROTO", "proto", NULL },
		{ "STATE", "state", NULL }, { "ENDPOINT", "endpoint", NULL },
		{ "MODE", "mode", NULL }, { "RUNNING", "running", NULL },
		{ "ACCEPTED", "accepted", NULL },
		{ "REFUSED", "refused", NULL },
		{ "LAST_EXIT", "last_exit", NULL },
		{ "CPU", "cpu_usec", fmt_usec }, { "TASKS", "tasks", NULL },
		{ NULL, NULL, NULL }
	};
	static const struct col secols[] = {
		{ "ID", "id", NULL }, { "SERVICE", "service", NULL },
		{ "PEER", "peer", NULL }, { "PID", "pid", NULL },
		{ "STARTED", "started", fmt_clock },
		{ "AGE", "age", fmt_age }, { NULL, NULL, NULL }
	};
	static const struct col hecols[] = {
		{ "COMMAND", "command", NULL }, { "ARGUMENTS", "args", NULL },
		{ "LEVEL", "level", NULL }, { "DESCRIPTION", "about", NULL },
		{ NULL, NULL, NULL }
	};
	size_t	i;

	if (strcmp(cmd, "services") == 0)
		print_table(rp, "SV", svcols);
	else if (strcmp(cmd, "sessions") == 0)
		print_table(rp, "SE", secols);
	else if (strcmp(cmd, "help") == 0)
		print_table(rp, "HE", hecols);
	else if (strcmp(cmd, "status") == 0 && rp->nrecs > 0)
		print_status(&rp->recs[0]);
	else if (strcmp(cmd, "metrics") == 0)
		for (i = 0; i < rp->nrecs; i++)
			puts(rec_get(&rp->recs[i], "line") ?
			    rec_get(&rp->recs[i], "line") : "");
	else if (strcmp(cmd, "version") == 0 && rp->nrecs > 0)
		printf("superd %s\n", rec_get(&rp->recs[0], "version") ?
		    rec_get(&rp->recs[0], "version") : "?");
	else
		for (i = 0; i < rp->nrecs; i++) {
			if (i > 0)
				putchar('\n');
			print_vertical(&rp->recs[i]);
		}
}

/* A number where the value is one (and the key is not a name); "-" null. */
static json_t *
json_value(const char *key, const char *v)
{
	static const char *const strkeys[] = { "name", "service", "id",
	    "peer", "config", "version", "endpoint", "command", "args",
	    "about", "line", "last_exit", NULL };
	size_t	i, d = strspn(v, "0123456789");
	int	num;

	num = d > 0 && d <= 18 && (v[d] == '\0' || (v[d] == '.' &&
	    v[d + 1] != '\0' && v[d + 1 + strspn(v + d + 1,
	    "0123456789")] == '\0')) && !(v[0] == '0' && d > 1);
	for (i = 0; strkeys[i] != NULL; i++)
		if (strcmp(key, strkeys[i]) == 0)
			num = 0;
	if (strcmp(v, "-") == 0)
		return json_null();
	if (num && v[d] == '\0')
		return json_integer(strtoll(v, NULL, 10));
	if (num)
		return json_real(strtod(v, NULL));
	return jsonout_str(v);
}

static json_t *
json_record(const struct rec *rc)
{
	json_t	*o = json_object();
	char	*k;
	int	 i;

	for (i = 0; i < rc->n; i++) {
		if ((k = jsonout_clean(rc->key[i])) == NULL)
			continue;
		json_object_set_new(o, k, json_value(rc->key[i], rc->val[i]));
		free(k);
	}
	return o;
}

/* Every record of the reply, as an array. */
static json_t *
json_records(const struct reply *rp)
{
	json_t	*a = json_array();
	size_t	 i;

	for (i = 0; i < rp->nrecs; i++)
		json_array_append_new(a, json_record(&rp->recs[i]));
	return a;
}

/* o on one line of stdout; o is released. */
static void
json_print(json_t *o)
{
	/* Decimals as the daemon wrote them, not with binary noise. */
	json_dumpf(o, stdout, JSON_COMPACT | JSON_REAL_PRECISION(15));
	putchar('\n');
	json_decref(o);
}

/* The reply for scripts: one object. */
static void
print_json(const char *cmd, const struct reply *rp)
{
	const char	*key = NULL;
	json_t		*o;

	if ((strcmp(cmd, "status") == 0 || strcmp(cmd, "version") == 0) &&
	    rp->nrecs == 1) {
		json_print(json_record(&rp->recs[0]));
		return;
	}
	o = json_pack("{s:b}", "ok", 1);
	if (strcmp(cmd, "services") == 0 || strcmp(cmd, "service") == 0)
		key = "services";
	else if (strcmp(cmd, "sessions") == 0)
		key = "sessions";
	else if (strcmp(cmd, "help") == 0)
		key = "commands";
	else if (rp->nrecs > 0)
		key = "records";
	if (key != NULL)
		json_object_set_new(o, key, json_records(rp));
	json_print(o);
}

/* ERR: say it (JSON on stdout too), and pick the exit status. */
static int
report_error(const struct opts *o, const char *cmd, const struct reply *rp)
{
	const char	*v;
	size_t		 i;

	for (i = 0; i < rp->nrecs; i++)
		if ((v = rec_get(&rp->recs[i], "line")) != NULL)
			fprintf(stderr, "%s\n", v);
	fprintf(stderr, "superdctl: %s: %s (%s)\n", cmd, rp->text, rp->code);
	if (o->json) {
		json_t	*j = json_pack("{s:b, s:o, s:o}", "ok", 0, "error",
		    jsonout_str(rp->code), "message", jsonout_str(rp->text));
		json_t	*errs = json_array();

		for (i = 0; i < rp->nrecs; i++) {
			v = rec_get(&rp->recs[i], "line");
			json_array_append_new(errs, jsonout_str(v != NULL ? v :
			    ""));
		}
		if (rp->nrecs > 0)
			json_object_set_new(j, "errors", errs);
		else
			json_decref(errs);
		json_print(j);
	}
	return strcmp(rp->code, "ENOENT") == 0 ? EXIT_NOTFOUND : EXIT_ERR;
}

int
main(int argc, char **argv)
{
	struct opts	o;
	struct reply	rp;
	int		fd, rc;

	parse_opts(&o, argc, argv);
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage("no command (try superdctl help)");
	check_words(argc, argv);
	find_socket(&o);
	if (strcmp(argv[0], "top") == 0)
		return top_main(&o, argc, argv);
	fd = ctl_connect(&o);
	send_request(fd, argc, argv);
	read_reply(fd, &rp);
	close(fd);
	if (!rp.ok) {
		rc = report_error(&o, argv[0], &rp);
		free_reply(&rp);
		return rc;
	}
	if (o.json)
		print_json(argv[0], &rp);
	else
		print_human(argv[0], &rp);
	free_reply(&rp);
	if (fflush(stdout) == EOF || ferror(stdout))
		die("writing the output: %s", strerror(errno));
	return EXIT_OK;
}
