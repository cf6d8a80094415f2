/*
 * ctl_top.c: superdctl top, a live table of the services (like top).
 *
 * Each round asks the control socket for "metrics" (the same text
 * Prometheus scrapes) and shows per service the accepted rate, handlers
 * running, refusals and the median and 99th percentile duration of the
 * requests that ended since the last round.  On a terminal it redraws
 * in place and reads keys (q quits, s changes the sort); otherwise it
 * prints plain tables, one per round.  The first round's rates are
 * averages since superd started.
 */
#include "config.h"

#include <sys/ioctl.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "ctl_prom.h"

#define NB	32	/* histogram buckets kept per service */

/* One service, as two rounds of samples. */
struct trow {
	char	 name[128];
	char	 proto[8];
	double	 accepted, refused, running;
	double	 le[NB], cum[NB];
	int	 nb;
	/* The previous round, for rates and the interval's percentiles. */
	double	 p_accepted, p_refused, p_cum[NB];
	int	 seen;
	/* Shown. */
	double	 rate, ref_rate, p50, p99;
};

struct top {
	const struct opts	*o;
	struct trow		*rows;
	size_t			 n, cap;
	double			 uptime;	/* superd_uptime_seconds */
	struct timespec		 last;		/* the previous round */
	int			 rounds;	/* done so far */
	int			 sort;		/* index into sort_keys */
	unsigned		 delay;		/* seconds */
	int			 count;		/* rounds; 0 forever */
	int			 tty;		/* stdout is a terminal */
	int			 keys;		/* stdin is, too: read keys */
};

static const char *const sort_keys[] = { "rate", "running", "refused",
	"p50", "p99", "name", NULL };

static struct termios	saved_tio;
static int		tio_saved;

/* ---- samples ---- */

/* The row of (name, proto), made when new; NULL out of memory. */
static struct trow *
top_row(struct top *t, const char *name, const char *proto)
{
	struct trow	*r;
	size_t		 i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->rows[i].name, name) == 0 &&
		    strcmp(t->rows[i].proto, proto) == 0)
			return &t->rows[i];
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 32;
		if ((r = reallocarray(t->rows, t->cap, sizeof(*r))) == NULL)
			die("out of memory");
		t->rows = r;
	}
	r = &t->rows[t->n++];
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->proto, sizeof(r->proto), "%s", proto);
	return r;
}

/* A histogram bucket sample into its row (in the order written). */
static void
take_bucket(struct trow *r, const struct prom_sample *s)
{
	const char	*le = prom_label(s, "le");

	if (le == NULL || r->nb == NB)
		return;
	r->le[r->nb] = strtod(le, NULL);
	r->cum[r->nb++] = s->value;
}

/* One sample of the exposition. */
static void
take_sample(struct top *t, const struct prom_sample *s)
{
	const char	*svc = prom_label(s, "service");
	const char	*proto = prom_label(s, "proto");
	const char	*res;
	struct trow	*r;

	if (strcmp(s->name, "superd_uptime_seconds") == 0)
		t->uptime = s->value;
	if (svc == NULL || proto == NULL)
		return;
	r = top_row(t, svc, proto);
	r->seen = 1;
	if (strcmp(s->name, "superd_requests_total") == 0 &&
	    (res = prom_label(s, "result")) != NULL) {
		if (strcmp(res, "accepted") == 0)
			r->accepted = s->value;
		else if (strcmp(res, "refused") == 0)
			r->refused = s->value;
	} else if (strcmp(s->name, "superd_requests_running") == 0)
		r->running = s->value;
	else if (strcmp(s->name, "superd_request_duration_seconds_bucket") == 0)
		take_bucket(r, s);
}

/* Rows keep the last round; services gone since are dropped. */
static void
top_begin_round(struct top *t)
{
	size_t	i, k = 0;

	for (i = 0; i < t->n; i++) {
		if (!t->rows[i].seen && t->rounds > 0)
			continue;
		t->rows[k] = t->rows[i];
		t->rows[k].p_accepted = t->rows[k].accepted;
		t->rows[k].p_refused = t->rows[k].refused;
		memcpy(t->rows[k].p_cum, t->rows[k].cum, sizeof(t->rows[k].cum));
		t->rows[k].seen = 0;
		t->rows[k].nb = 0;
		k++;
	}
	t->n = k;
}

/* Ask superd for its metrics and read them into the rows. */
static void
top_fetch(struct top *t)
{
	char			*words[] = { "metrics" };
	struct reply		 rp;
	struct prom_sample	 s;
	char			*line;
	size_t			 i;
	int			 fd;

	fd = ctl_connect(t->o);
	send_request(fd, 1, words);
	read_reply(fd, &rp);
	close(fd);
	if (!rp.ok)
		die("metrics: %s (%s)", rp.text ? rp.text : "?",
		    rp.code ? rp.code : "?");
	top_begin_round(t);
	for (i = 0; i < rp.nrecs; i++)
		if ((line = (char *)rec_get(&rp.recs[i], "line")) != NULL &&
		    prom_parse(line, &s) == 0)
			take_sample(t, &s);
	free_reply(&rp);
}

/* Rates and percentiles over dt seconds (the first round: uptime). */
static void
top_compute(struct top *t, double dt)
{
	struct trow	*r;
	double		 d[NB];
	size_t		 i;
	int		 b;

	for (i = 0; i < t->n; i++) {
		r = &t->rows[i];
		r->rate = dt > 0 ? (r->accepted - r->p_accepted) / dt : 0;
		r->ref_rate = dt > 0 ? (r->refused - r->p_refused) / dt : 0;
		for (b = 0; b < r->nb; b++)
			d[b] = r->cum[b] - r->p_cum[b];
		r->p50 = prom_quantile(0.5, r->le, d, r->nb);
		r->p99 = prom_quantile(0.99, r->le, d, r->nb);
	}
}

/* ---- the table ---- */

/* A sort key's value of a row (larger first), or the name. */
static double
row_key(const struct trow *r, int key)
{
	switch (key) {
	case 0:
		return r->rate;
	case 1:
		return r->running;
	case 2:
		return r->refused;
	case 3:
		return r->p50;
	case 4:
		return r->p99;
	default:
		return 0;
	}
}

static int	cmp_key;

static int
row_cmp(const void *a, const void *b)
{
	const struct trow	*x = a, *y = b;
	double			 kx = row_key(x, cmp_key), ky = row_key(y, cmp_key);
	int			 c;

	if (kx != ky)
		return kx < ky ? 1 : -1;
	if ((c = strcmp(x->name, y->name)) != 0)
		return c;
	return strcmp(x->proto, y->proto);
}

/* A duration in seconds as "850us", "12.3ms", "4.20s"; "-" none. */
static const char *
fmt_dur(double s, char *buf, size_t len)
{
	if (s < 0)
		snprintf(buf, len, "-");
	else if (s < 0.001)
		snprintf(buf, len, "%.0fus", s * 1e6);
	else if (s < 1)
		snprintf(buf, len, "%.1fms", s * 1e3);
	else
		snprintf(buf, len, "%.2fs", s);
	return buf;
}

/* Terminal rows, or 0 when unknown (no limit). */
static int
screen_rows(const struct top *t)
{
	struct winsize	ws;

	if (!t->tty || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == -1)
		return 0;
	return ws.ws_row;
}

static void
top_print(struct top *t)
{
	char		 p50[32], p99[32], now[16];
	const struct trow *r;
	time_t		 tt = time(NULL);
	size_t		 i, w = 7;
	int		 max = screen_rows(t);

	cmp_key = t->sort;
	qsort(t->rows, t->n, sizeof(*t->rows), row_cmp);
	for (i = 0; i < t->n; i++)
		if (strlen(t->rows[i].name) > w)
			w = strlen(t->rows[i].name);
	strftime(now, sizeof(now), "%H:%M:%S", localtime(&tt));
	if (t->tty)
		fputs("\033[H\033[2J", stdout);
	printf("superd top - %s, %zu services, sorted by %s%s\n", now, t->n,
	    sort_keys[t->sort], t->keys ? " (q quits, s sorts)" : "");
	printf("%-*s  %-5s  %8s  %7s  %8s  %6s  %8s  %8s\n", (int)w, "SERVICE",
	    "PROTO", "RATE/S", "RUNNING", "REFUSED", "REF/S", "P50", "P99");
	for (i = 0; i < t->n && (max == 0 || (int)i < max - 3); i++) {
		r = &t->rows[i];
		printf("%-*s  %-5s  %8.1f  %7.0f  %8.0f  %6.1f  %8s  %8s\n",
		    (int)w, r->name, r->proto, r->rate, r->running, r->refused,
		    r->ref_rate, fmt_dur(r->p50, p50, sizeof(p50)),
		    fmt_dur(r->p99, p99, sizeof(p99)));
	}
	fflush(stdout);
}

/* ---- the loop ---- */

static void
restore_tty(void)
{
	if (tio_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
	tio_saved = 0;
}

/* Keys one at a time, without echo; restored at exit (and on die()). */
static void
raw_tty(void)
{
	struct termios	tio;

	if (tcgetattr(STDIN_FILENO, &saved_tio) == -1)
		return;
	tio = saved_tio;
	tio.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	tio.c_cc[VMIN] = 1;
	tio.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &tio) == 0) {
		tio_saved = 1;
		atexit(restore_tty);
	}
}

/* Wait the delay, reading keys: 1 to go on, 0 to quit. */
static int
top_wait(struct top *t)
{
	struct pollfd	pfd = { STDIN_FILENO, POLLIN, 0 };
	struct timespec	start, now;
	long		left, ms = (long)t->delay * 1000;
	char		c;

	if (!t->keys) {
		sleep(t->delay);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = ms - ((now.tv_sec - start.tv_sec) * 1000 +
		    (now.tv_nsec - start.tv_nsec) / 1000000);
		if (left <= 0)
			return 1;
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		if (read(STDIN_FILENO, &c, 1) != 1)
			return 0;	/* the terminal went away */
		if (c == 'q' || c == 'Q' || c == 4)
			return 0;
		if (c == 's') {
			t->sort = sort_keys[t->sort + 1] ? t->sort + 1 : 0;
			top_print(t);
		}
	}
}

/* sort=KEY delay=SECS count=N */
static void
top_args(struct top *t, int argc, char **argv)
{
	long	v;
	char   *end;
	int	i, k;

	for (i = 1; i < argc; i++) {
		if (strncmp(argv[i], "sort=", 5) == 0) {
			for (k = 0; sort_keys[k] != NULL; k++)
				if (strcmp(argv[i] + 5, sort_keys[k]) == 0)
					break;
			if (sort_keys[k] == NULL)
				die("top: sort is one of rate, running, "
				    "refused, p50, p99, name: \"%s\"", argv[i]);
			t->sort = k;
			continue;
		}
		end = NULL;
		v = strchr(argv[i], '=') ? strtol(strchr(argv[i], '=') + 1,
		    &end, 10) : -1;
		if (end == NULL || *end != '\0' || end == strchr(argv[i], '=')
		    + 1)
			die("top: \"%s\": want sort=KEY, delay=SECS or "
			    "count=N", argv[i]);
		if (strncmp(argv[i], "delay=", 6) == 0 && v >= 1 && v <= 3600)
			t->delay = (unsigned)v;
		else if (strncmp(argv[i], "count=", 6) == 0 && v >= 1)
			t->count = (int)v;
		else
			die("top: \"%s\": delay is 1..3600 s, count 1 or more",
			    argv[i]);
	}
}

/* Seconds since the previous round (the first: superd's uptime). */
static double
top_interval(struct top *t)
{
	struct timespec	now;
	double		dt;

	clock_gettime(CLOCK_MONOTONIC, &now);
	dt = t->rounds == 0 ? t->uptime : (double)(now.tv_sec -
	    t->last.tv_sec) + (double)(now.tv_nsec - t->last.tv_nsec) / 1e9;
	t->last = now;
	return dt;
}

int
top_main(const struct opts *o, int argc, char **argv)
{
	struct top	t;

	memset(&t, 0, sizeof(t));
	t.o = o;
	t.delay = 2;
	t.tty = isatty(STDOUT_FILENO);
	t.keys = t.tty && isatty(STDIN_FILENO);
	t.count = t.tty ? 0 : 1;
	top_args(&t, argc, argv);
	if (t.keys)
		raw_tty();
	for (;;) {
		top_fetch(&t);
		top_compute(&t, top_interval(&t));
		if (!t.tty && t.rounds > 0)
			putchar('\n');
		top_print(&t);
		t.rounds++;
		if ((t.count > 0 && t.rounds >= t.count) || !top_wait(&t))
			break;
	}
	restore_tty();
	if (t.tty)
		putchar('\n');
	free(t.rows);
	return fflush(stdout) == EOF ? 1 : 0;
}
