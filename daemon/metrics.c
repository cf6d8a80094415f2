/*
 * metrics.c: superd's counters as Prometheus text (see metrics.h).
 *
 * Names follow Prometheus' conventions: a superd_ prefix, base units
 * (seconds, bytes), _total for counters, and the process_* names every
 * client library uses for the process itself.  Every sample of one
 * metric family is written together under its HELP and TYPE lines, as
 * the format requires, so the services are read into an array first
 * and walked once per family.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "conf.h"
#include "directory_server.h"
#include "metrics.h"
#include "policy.h"
#include "request.h"
#include "service.h"
#include "stats.h"

#define NHASH		1024
#define LABEL_MAX	512	/* an escaped name or proto; longer is cut */

/* How a request ended, for superd_handler_exits_total{status}. */
enum exit_class {
	END_SUCCESS,		/* exit status 0 */
	END_FAILURE,		/* any other exit status */
	END_SIGNAL,		/* killed by a signal */
	END_CLOSED,		/* a builtin: no process */
	END_UNKNOWN,		/* re-adopted after a crash: not our child */
	END_NCLASSES
};

static const char *const exit_names[END_NCLASSES] = {
	"success", "failure", "signal", "closed", "unknown"
};

/* Bucket bounds in microseconds, and as the le label says them. */
static const long long bucket_usec[METRICS_NBUCKETS - 1] = {
	1000, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000,
	2500000, 5000000, 10000000, 30000000, 60000000, 300000000,
	1800000000
};
static const char *const bucket_le[METRICS_NBUCKETS] = {
	"0.001", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1",
	"2.5", "5", "10", "30", "60", "300", "1800", "+Inf"
};

/* What metrics.c counts itself for one service (name, proto). */
struct msvc {
	struct msvc	*next;		/* hash chain */
	char		*name;
	char		 proto[8];
	uint64_t	 exits[END_NCLASSES];
	uint64_t	 buckets[METRICS_NBUCKETS];	/* not cumulative */
	uint64_t	 count;
	long long	 sum_usec;
	int		 seen;		/* in the table at the last render */
};

/* A service as rendered: the table's snapshot and our counts. */
struct mrow {
	struct service_info	 info;
	const struct msvc	*m;	/* NULL: nothing ended yet */
	char			 labels[2 * LABEL_MAX + 32];
};

static struct {
	struct msvc	*hash[NHASH];
	uint64_t	 reloads[2];	/* failed, applied */
	int		 last_ok;
	time_t		 last_reload;
} M = { .last_ok = 1 };

static void	metrics_ended(const struct request_target *,
		    const struct request_end *);

/* ---- pure helpers ---- */

const char *
metrics_bucket_le(int i)
{
	return i >= 0 && i < METRICS_NBUCKETS ? bucket_le[i] : "+Inf";
}

int
metrics_bucket_of(long long usec)
{
	int	i;

	for (i = 0; i < METRICS_NBUCKETS - 1; i++)
		if (usec <= bucket_usec[i])
			return i;
	return METRICS_NBUCKETS - 1;
}

size_t
metrics_escape(const char *s, char *out, size_t n)
{
	size_t	len = 0, need;
	char	esc[2];

	for (; *s != '\0'; s++) {
		need = *s == '\\' || *s == '"' || *s == '\n' ? 2 : 1;
		esc[0] = need == 2 ? '\\' : *s;
		esc[1] = *s == '\n' ? 'n' : *s;
		if (len + need < n)
			memcpy(out + len, esc, need);
		else if (len < n)
			n = len + 1;	/* stop at a whole character */
		len += need;
	}
	if (n > 0)
		out[len < n ? len : n - 1] = '\0';
	return len;
}

/* ---- the per-service counts ---- */

static unsigned
msvc_hash(const char *name, const char *proto)
{
	unsigned	h = 2166136261u;

	for (; *name != '\0'; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	for (; *proto != '\0'; proto++)
		h = (h ^ (unsigned char)*proto) * 16777619u;
	return h % NHASH;
}

/* The counts of (name, proto); made when create is set. */
static struct msvc *
msvc_get(const char *name, const char *proto, int create)
{
	unsigned	 h = msvc_hash(name, proto);
	struct msvc	*m;

	for (m = M.hash[h]; m != NULL; m = m->next)
		if (strcmp(m->name, name) == 0 && strcmp(m->proto, proto) == 0)
			return m;
	if (!create || (m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	if ((m->name = strdup(name)) == NULL) {
		free(m);
		return NULL;
	}
	snprintf(m->proto, sizeof(m->proto), "%s", proto);
	m->next = M.hash[h];
	M.hash[h] = m;
	return m;
}

/* Drop the counts of services no longer in the table. */
static void
msvc_sweep(void)
{
	struct msvc	**mp, *m;
	size_t		  i;

	for (i = 0; i < NHASH; i++)
		for (mp = &M.hash[i]; (m = *mp) != NULL;) {
			if (m->seen) {
				m->seen = 0;
				mp = &m->next;
				continue;
			}
			*mp = m->next;
			free(m->name);
			free(m);
		}
}

static enum exit_class
exit_class(int status)
{
	if (status == -1)
		return END_CLOSED;
	if (status == REQUEST_STATUS_UNKNOWN)
		return END_UNKNOWN;
	if (WIFEXITED(status))
		return WEXITSTATUS(status) == 0 ? END_SUCCESS : END_FAILURE;
	return END_SIGNAL;
}

/* request.c's observer: one request ended. */
static void
metrics_ended(const struct request_target *rt, const struct request_end *e)
{
	struct msvc	*m;

	/* Out of memory: this end goes uncounted, the request is done. */
	if ((m = msvc_get(rt->conf->name, conf_proto_name(rt->conf->proto),
	    1)) == NULL)
		return;
	m->exits[exit_class(e->status)]++;
	m->buckets[metrics_bucket_of(e->usec)]++;
	m->count++;
	m->sum_usec += e->usec > 0 ? e->usec : 0;
}

void
metrics_init(void)
{
	request_set_observer(metrics_ended);
}

void
metrics_reloaded(int ok)
{
	M.reloads[ok ? 1 : 0]++;
	M.last_ok = ok;
	M.last_reload = time(NULL);
}

void
metrics_free(void)
{
	struct msvc	*m;
	size_t		 i;

	for (i = 0; i < NHASH; i++)
		while ((m = M.hash[i]) != NULL) {
			M.hash[i] = m->next;
			free(m->name);
			free(m);
		}
}

/* ---- across an upgrade ---- */

#define NDUR	(METRICS_NBUCKETS + 2)	/* buckets, count, sum */

void
metrics_foreach_count(metrics_count_fn fn, void *arg)
{
	const struct msvc	*m;
	uint64_t		 v[NDUR];
	size_t			 i;

	for (i = 0; i < NHASH; i++)
		for (m = M.hash[i]; m != NULL; m = m->next) {
			fn("exits", m->name, m->proto, m->exits, END_NCLASSES,
			    arg);
			memcpy(v, m->buckets, sizeof(m->buckets));
			v[METRICS_NBUCKETS] = m->count;
			v[METRICS_NBUCKETS + 1] = (uint64_t)m->sum_usec;
			fn("durations", m->name, m->proto, v, NDUR, arg);
		}
	v[0] = M.reloads[0];
	v[1] = M.reloads[1];
	v[2] = (uint64_t)M.last_ok;
	v[3] = (uint64_t)M.last_reload;
	fn("reloads", "", "", v, 4, arg);
}

/* Copy what both binaries count: a vector may be longer or shorter. */
static void
restore_vec(uint64_t *dst, size_t ndst, const uint64_t *v, size_t n)
{
	memcpy(dst, v, (n < ndst ? n : ndst) * sizeof(*dst));
}

int
metrics_restore_count(const char *name, const char *service,
    const char *proto, const uint64_t *v, size_t n)
{
	struct msvc	*m;

	if (strcmp(name, "reloads") == 0) {
		if (n >= 4) {
			M.reloads[0] = v[0];
			M.reloads[1] = v[1];
			M.last_ok = v[2] != 0;
			M.last_reload = (time_t)v[3];
		}
		return 0;
	}
	if (strcmp(name, "exits") != 0 && strcmp(name, "durations") != 0)
		return -1;
	if ((m = msvc_get(service, proto, 1)) == NULL)
		return 0;	/* out of memory: these restart at zero */
	if (name[0] == 'e')
		restore_vec(m->exits, END_NCLASSES, v, n);
	else if (n == NDUR) {
		restore_vec(m->buckets, METRICS_NBUCKETS, v, n);
		m->count = v[METRICS_NBUCKETS];
		m->sum_usec = (long long)v[METRICS_NBUCKETS + 1];
	}
	return 0;
}

/* ---- rendering ---- */

/* The services in the table, each with its counts. */
struct rows {
	struct mrow	*v;
	size_t		 n, cap;
	int		 nomem;
};

static void
collect_cb(const struct service_info *i, void *arg)
{
	struct rows	*r = arg;
	struct mrow	*row, *nv;
	struct msvc	*m;
	char		 name[LABEL_MAX], proto[32];

	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		if ((nv = reallocarray(r->v, r->cap, sizeof(*nv))) == NULL) {
			r->nomem = 1;
			r->cap = r->n;
			return;
		}
		r->v = nv;
	}
	row = &r->v[r->n++];
	row->info = *i;
	if ((m = msvc_get(i->name, i->proto, 0)) != NULL)
		m->seen = 1;
	row->m = m;
	metrics_escape(i->name, name, sizeof(name));
	metrics_escape(i->proto, proto, sizeof(proto));
	snprintf(row->labels, sizeof(row->labels),
	    "service=\"%s\",proto=\"%s\"", name, proto);
}

static void
family(struct evbuffer *out, const char *name, const char *type,
    const char *help)
{
	evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help,
	    name, type);
}

static void
one(struct evbuffer *out, const char *name, const char *type,
    const char *help, unsigned long long v)
{
	family(out, name, type, help);
	evbuffer_add_printf(out, "%s %llu\n", name, v);
}

/* superd_requests_total, _refusals_total, _spawn_failures_total. */
static void
render_admission(struct evbuffer *out, const struct rows *r)
{
	size_t	i;
	int	k;

	family(out, "superd_requests_total", "counter", "Requests that "
	    "reached a service, by result (accepted or refused).");
	for (i = 0; i < r->n; i++) {
		evbuffer_add_printf(out, "superd_requests_total{%s,result="
		    "\"accepted\"} %llu\n", r->v[i].labels,
		    (unsigned long long)r->v[i].info.accepted);
		evbuffer_add_printf(out, "superd_requests_total{%s,result="
		    "\"refused\"} %llu\n", r->v[i].labels,
		    (unsigned long long)r->v[i].info.refused_total);
	}
	family(out, "superd_refusals_total", "counter", "Refused requests, "
	    "by reason.");
	for (i = 0; i < r->n; i++)
		for (k = 0; k < REFUSE_NREASONS; k++)
			evbuffer_add_printf(out, "superd_refusals_total{%s,"
			    "reason=\"%s\"} %llu\n", r->v[i].labels,
			    refuse_reason_name((enum refuse_reason)k),
			    (unsigned long long)r->v[i].info.refused[k]);
	family(out, "superd_spawn_failures_total", "counter", "Handlers "
	    "that could not be started.");
	for (i = 0; i < r->n; i++)
		evbuffer_add_printf(out, "superd_spawn_failures_total{%s} "
		    "%llu\n", r->v[i].labels, (unsigned long long)
		    r->v[i].info.refused[REFUSE_SPAWN]);
	family(out, "superd_requests_running", "gauge", "Requests running "
	    "now (handlers and builtin connections).");
	for (i = 0; i < r->n; i++)
		evbuffer_add_printf(out, "superd_requests_running{%s} %u\n",
		    r->v[i].labels, r->v[i].info.running);
}

/* One service's histogram: cumulative buckets, sum, count. */
static void
render_hist(struct evbuffer *out, const struct mrow *row)
{
	static const struct msvc	 none;
	const struct msvc		*m = row->m ? row->m : &none;
	unsigned long long		 cum = 0;
	int				 b;

	for (b = 0; b < METRICS_NBUCKETS; b++) {
		cum += m->buckets[b];
		evbuffer_add_printf(out, "superd_request_duration_seconds_"
		    "bucket{%s,le=\"%s\"} %llu\n", row->labels, bucket_le[b],
		    cum);
	}
	evbuffer_add_printf(out, "superd_request_duration_seconds_sum{%s} "
	    "%lld.%06lld\n", row->labels, m->sum_usec / 1000000,
	    m->sum_usec % 1000000);
	evbuffer_add_printf(out, "superd_request_duration_seconds_count{%s} "
	    "%llu\n", row->labels, (unsigned long long)m->count);
}

/* What request.c's ends told us: exits by class, durations. */
static void
render_ends(struct evbuffer *out, const struct rows *r)
{
	size_t	i;
	int	k;

	family(out, "superd_handler_exits_total", "counter", "Requests "
	    "ended, by how: success (exit 0), failure (other exit status), "
	    "signal, closed (a builtin), unknown (a handler re-adopted after "
	    "a restart: not our child).");
	for (i = 0; i < r->n; i++)
		for (k = 0; k < END_NCLASSES; k++)
			evbuffer_add_printf(out, "superd_handler_exits_total{"
			    "%s,status=\"%s\"} %llu\n", r->v[i].labels,
			    exit_names[k], r->v[i].m ? (unsigned long long)
			    r->v[i].m->exits[k] : 0ULL);
	family(out, "superd_request_duration_seconds", "histogram", "How "
	    "long requests ran, from start to end.");
	for (i = 0; i < r->n; i++)
		render_hist(out, &r->v[i]);
}

static void
lease_cb(const struct dir_entry *e, void *arg)
{
	(void)e;
	(*(unsigned long long *)arg)++;
}

/* The side channels: directory, control, OOB. */
static void
render_side(struct evbuffer *out, size_t nservices)
{
	unsigned long long	leases = 0;

	directory_foreach_lease(lease_cb, &leases);
	one(out, "superd_services", "gauge", "Services in the table.",
	    nservices);
	one(out, "superd_directory_leases", "gauge", "Leases in the "
	    "endpoint directory.", leases);
	one(out, "superd_directory_lookups_total", "counter", "Lookup "
	    "requests to the endpoint directory.",
	    stats_get(STATS_DIR_LOOKUPS));
	one(out, "superd_control_requests_total", "counter", "Requests on "
	    "the control socket.", stats_get(STATS_CONTROL_REQUESTS));
	one(out, "superd_oob_requests_total", "counter", "Requests on the "
	    "services' OOB endpoints.", stats_get(STATS_OOB_REQUESTS));
	one(out, "superd_upgrades_total", "counter", "In-place upgrades "
	    "(superdctl upgrade, SIGUSR2) this process went through; the "
	    "counters carry over them.", stats_get(STATS_UPGRADES));
}

/* Open descriptors: the entries of /proc/self/fd (less the one reading). */
static long
open_fds(void)
{
	DIR		*d;
	struct dirent	*de;
	long		 n = 0;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;
}

/* Resident set size in bytes from /proc/self/statm, or -1. */
static long long
rss_bytes(void)
{
	FILE		*f;
	long long	 size, res;
	int		 got;

	if ((f = fopen("/proc/self/statm", "re")) == NULL)
		return -1;
	got = fscanf(f, "%lld %lld", &size, &res);
	fclose(f);
	return got == 2 ? res * sysconf(_SC_PAGESIZE) : -1;
}

/* The process and its reloads. */
static void
render_process(struct evbuffer *out)
{
	long long	rss = rss_bytes();
	long		fds = open_fds();

	if (rss >= 0)
		one(out, "process_resident_memory_bytes", "gauge",
		    "Resident memory size in bytes.", (unsigned long long)rss);
	if (fds >= 0)
		one(out, "process_open_fds", "gauge", "Open file descriptors.",
		    (unsigned long long)fds);
	one(out, "process_start_time_seconds", "gauge", "Start time of the "
	    "process since the epoch, in seconds.",
	    (unsigned long long)stats_started());
	one(out, "superd_uptime_seconds", "gauge", "Seconds since superd "
	    "started.", (unsigned long long)(time(NULL) - stats_started()));
	family(out, "superd_reloads_total", "counter", "Reloads tried, by "
	    "result (applied, or failed: the old configuration was kept).");
	evbuffer_add_printf(out, "superd_reloads_total{result=\"applied\"} "
	    "%llu\nsuperd_reloads_total{result=\"failed\"} %llu\n",
	    (unsigned long long)M.reloads[1], (unsigned long long)M.reloads[0]);
	one(out, "superd_last_reload_success", "gauge", "1 if the last reload "
	    "was applied (or none was tried), 0 if it failed.",
	    (unsigned long long)M.last_ok);
	one(out, "superd_last_reload_timestamp_seconds", "gauge", "When the "
	    "last reload was tried, since the epoch (0: never).",
	    (unsigned long long)M.last_reload);
}

int
metrics_render(struct evbuffer *out)
{
	struct rows	r;

	memset(&r, 0, sizeof(r));
	service_foreach_info(collect_cb, &r);
	if (!r.nomem)
		msvc_sweep();
	family(out, "superd_build_info", "gauge", "superd's version.");
	evbuffer_add_printf(out, "superd_build_info{version=\"%s\"} 1\n",
	    PACKAGE_VERSION);
	render_admission(out, &r);
	render_ends(out, &r);
	render_side(out, r.n);
	render_process(out);
	free(r.v);
	return r.nomem ? -1 : 0;
}
