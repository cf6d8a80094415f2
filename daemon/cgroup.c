/*
 * cgroup.c: cgroup v2 placement, limits and accounting of handlers.
 *
 * A handler is born inside its cgroup (spawn.c: clone3 with
 * CLONE_INTO_CGROUP), so nothing it does (setsid, double fork) takes it
 * out: superd can count it, limit it, and kill the whole tree at once
 * (cgroup.kill).  A request with its own cgroup ends when the cgroup is
 * empty, which cgroup.events tells through inotify on the event loop.
 */
#include "config.h"

#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/xattr.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "cgroup.h"
#include "conf.h"
#include "log.h"

struct cgroup_svc {
	char		 path[PATH_MAX];
	int		 fd;		/* O_DIRECTORY, for CLONE_INTO_CGROUP */
	struct cgroup_conf applied;	/* the limits written (root NULL) */
};

struct cgroup_req {
	char		 path[PATH_MAX + 32];
	int		 fd;
	int		 wd;		/* inotify watch on cgroup.events */
	cgroup_changed_fn changed;
	void		*arg;
	struct cgroup_req *next;
};

static int		 ino_fd = -1;
static struct event	*ino_ev;
static struct cgroup_req *reqs;		/* the watched ones */
static char		 prepared[PATH_MAX];	/* the root made ready */
static char		 configured[PATH_MAX];	/* the running config's */
static char		 off_reason[160] = "no cgroup-root and no delegated "
			    "cgroup";

/* ---- small file helpers ---- */

/* Read dir/name into buf (NUL-terminated); bytes or -1. */
static ssize_t
read_at(const char *dir, const char *name, char *buf, size_t len)
{
	char	path[PATH_MAX];
	ssize_t	n;
	int	fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n;
}

/* Write text to dir/name; 0 or -1 with errno. */
static int
write_at(const char *dir, const char *name, const char *text)
{
	char	path[PATH_MAX];
	ssize_t	n;
	int	fd, save;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		return -1;
	n = write(fd, text, strlen(text));
	save = errno;
	close(fd);
	errno = save;
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* The number after "key " in a flat-keyed file's text, or -1. */
static long long
flat_key(const char *text, const char *key)
{
	size_t		 len = strlen(key);
	const char	*p = text;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, key, len) == 0 && p[len] == ' ')
			return strtoll(p + len + 1, NULL, 10);
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return -1;
}

/* One number in dir/name ("max" reads as -1), or -1. */
static long long
read_number(const char *dir, const char *name)
{
	char	buf[64];

	if (read_at(dir, name, buf, sizeof(buf)) <= 0 || buf[0] == 'm')
		return -1;
	return strtoll(buf, NULL, 10);
}

/* ---- finding the hierarchy (load time) ---- */

/* Undo mountinfo's octal escapes (\040 for a space) in place. */
static void
unescape(char *s)
{
	char	*o = s;

	for (; *s != '\0'; s++, o++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*o = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
			    (s[3] - '0'));
			s += 3;
		} else
			*o = *s;
	}
	*o = '\0';
}

/*
 * Where cgroup2 is mounted: /sys/fs/cgroup on a unified host,
 * /sys/fs/cgroup/unified on a hybrid one.  0 or -1.
 */
static int
cgroup_mount(char *buf, size_t len)
{
	FILE	*fp;
	char	 line[4096], *sep, *f[6];
	int	 i, found = -1;

	if ((fp = fopen("/proc/self/mountinfo", "re")) == NULL)
		return -1;
	while (found == -1 && fgets(line, sizeof(line), fp) != NULL) {
		if ((sep = strstr(line, " - cgroup2 ")) == NULL)
			continue;
		*sep = '\0';
		f[0] = strtok(line, " ");
		for (i = 1; i < 6 && f[i - 1] != NULL; i++)
			f[i] = strtok(NULL, " ");
		if (i < 6 || f[4] == NULL)
			continue;
		unescape(f[4]);
		snprintf(buf, len, "%s", f[4]);
		found = 0;
	}
	fclose(fp);
	return found;
}

/* Our own cgroup v2 path ("/system.slice/superd.service"), or -1. */
static int
own_cgroup(char *buf, size_t len)
{
	FILE	*fp;
	char	 line[PATH_MAX];
	int	 found = -1;

	if ((fp = fopen("/proc/self/cgroup", "re")) == NULL)
		return -1;
	while (found == -1 && fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(buf, len, "%s", line + 3);
			found = 0;
		}
	fclose(fp);
	return found;
}

/* Did systemd delegate this cgroup (Delegate=yes marks it)? */
static int
delegated(const char *path)
{
	char	v[8];

	return getxattr(path, "trusted.delegate", v, sizeof(v)) > 0 ||
	    getxattr(path, "user.delegate", v, sizeof(v)) > 0;
}

int
cgroup_resolve_root(const char *key, char **root, char *why, size_t whylen,
    char *err, size_t errlen)
{
	char	mnt[PATH_MAX], own[PATH_MAX], path[PATH_MAX * 2];

	*root = NULL;
	if (key != NULL && strcmp(key, "no") == 0) {
		snprintf(why, whylen, "cgroup-root = no");
		return 0;
	}
	if (cgroup_mount(mnt, sizeof(mnt)) == -1) {
		if (key == NULL || strcmp(key, "auto") == 0) {
			snprintf(why, whylen, "no cgroup2 file system mounted");
			return 0;
		}
		snprintf(err, errlen, "cgroup-root %s: no cgroup2 file system "
		    "is mounted (see /proc/self/mountinfo)", key);
		return -1;
	}
	if (key == NULL || strcmp(key, "auto") == 0) {
		if (own_cgroup(own, sizeof(own)) == -1)
			return snprintf(why, whylen, "not in a cgroup v2"), 0;
		snprintf(path, sizeof(path), "%s%s", mnt, own);
		if (strcmp(own, "/") == 0 || !delegated(path)) {
			snprintf(why, whylen, "no cgroup-root and cgroup %s is "
			    "not delegated (Delegate=yes)", own);
			return 0;
		}
	} else if (key[0] != '/') {
		snprintf(err, errlen, "cgroup-root \"%s\" must be an absolute "
		    "path, \"auto\" or \"no\"", key);
		return -1;
	} else if (strncmp(key, mnt, strlen(mnt)) == 0 &&
	    (key[strlen(mnt)] == '/' || key[strlen(mnt)] == '\0'))
		snprintf(path, sizeof(path), "%s", key);
	else
		snprintf(path, sizeof(path), "%s%s", mnt, key);
	path[strcspn(path, "\n")] = '\0';
	while (strlen(path) > 1 && path[strlen(path) - 1] == '/')
		path[strlen(path) - 1] = '\0';
	if ((*root = strdup(path)) == NULL) {
		snprintf(err, errlen, "cgroup-root: out of memory");
		return -1;
	}
	return 0;
}

/* The deepest existing directory at or above path (its controllers). */
static void
existing_ancestor(const char *path, char *buf, size_t len)
{
	struct stat	 st;
	char		*slash;

	snprintf(buf, len, "%s", path);
	while (stat(buf, &st) == -1 && (slash = strrchr(buf, '/')) != NULL &&
	    slash != buf)
		*slash = '\0';
}

/* Is controller ctl available below root (in its cgroup.controllers)? */
static int
controller_available(const char *root, const char *ctl)
{
	char	dir[PATH_MAX], buf[512], *p;
	size_t	len = strlen(ctl);

	existing_ancestor(root, dir, sizeof(dir));
	if (read_at(dir, "cgroup.controllers", buf, sizeof(buf)) < 0)
		return 0;
	for (p = strtok(buf, " \n"); p != NULL; p = strtok(NULL, " \n"))
		if (strlen(p) == len && strcmp(p, ctl) == 0)
			return 1;
	return 0;
}

int
cgroup_conf_wanted(const struct cgroup_conf *cc)
{
	return cc->per_request || cc->memory_max >= 0 ||
	    cc->memory_high >= 0 || cc->pids_max >= 0 || cc->cpu_weight ||
	    cc->io_weight || cc->cpu_max[0];
}

int
cgroup_conf_equal(const struct cgroup_conf *a, const struct cgroup_conf *b)
{
	return a->per_request == b->per_request &&
	    a->memory_max == b->memory_max && a->memory_high == b->memory_high &&
	    a->pids_max == b->pids_max && a->cpu_weight == b->cpu_weight &&
	    a->io_weight == b->io_weight &&
	    strcmp(a->cpu_max, b->cpu_max) == 0 &&
	    ((a->root == NULL && b->root == NULL) || (a->root && b->root &&
	    strcmp(a->root, b->root) == 0));
}

/*
 * Has this kernel cgroup.kill?  Every cgroup but the hierarchy's root
 * (which has no cgroup.type either) shows it; below the root, ask the
 * kernel's version.
 */
static int
have_cgroup_kill(const char *root)
{
	struct utsname	u;
	char		dir[PATH_MAX], path[PATH_MAX + 16];
	int		major = 0, minor = 0;

	existing_ancestor(root, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/cgroup.type", dir);
	if (access(path, F_OK) == 0) {
		snprintf(path, sizeof(path), "%s/cgroup.kill", dir);
		return access(path, F_OK) == 0;
	}
	if (uname(&u) == -1 || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return 0;
	return major > 5 || (major == 5 && minor >= 14);
}

int
cgroup_check(const struct cgroup_conf *cc, const char **key, char *err,
    size_t errlen)
{
	static const struct {
		const char	*key, *ctl;
	} need[] = {
		{ "memory-max", "memory" }, { "memory-high", "memory" },
		{ "pids-max", "pids" }, { "cpu-weight", "cpu" },
		{ "cpu-max", "cpu" }, { "io-weight", "io" },
	};
	char	dir[PATH_MAX];
	int	set[6];
	size_t	i;

	set[0] = cc->memory_max >= 0;
	set[1] = cc->memory_high >= 0;
	set[2] = cc->pids_max >= 0;
	set[3] = cc->cpu_weight != 0;
	set[4] = cc->cpu_max[0] != '\0';
	set[5] = cc->io_weight != 0;
	for (i = 0; i < 6; i++) {
		if (!set[i])
			continue;
		*key = need[i].key;
		if (cc->root == NULL)
			return snprintf(err, errlen, "%s needs a cgroup v2 "
			    "tree: set cgroup-root, or run superd with a "
			    "delegated cgroup (Delegate=yes)", need[i].key), -1;
		if (!controller_available(cc->root, need[i].ctl)) {
			existing_ancestor(cc->root, dir, sizeof(dir));
			snprintf(err, errlen, "%s needs the cgroup v2 %s "
			    "controller, which is not in %s/cgroup.controllers "
			    "(a v1-only controller on this host?)", need[i].key,
			    need[i].ctl, dir);
			return -1;
		}
	}
	if (!cc->per_request)
		return 0;
	*key = "cgroup-per-request";
	if (cc->root == NULL)
		return snprintf(err, errlen, "cgroup-per-request needs a cgroup "
		    "v2 tree: set cgroup-root, or run superd with a delegated "
		    "cgroup (Delegate=yes)"), -1;
	if (!have_cgroup_kill(cc->root))
		return snprintf(err, errlen, "cgroup-per-request needs "
		    "cgroup.kill (Linux 5.14 or later), which this kernel's "
		    "cgroups lack"), -1;
	return 0;
}

void
cgroup_configure(const char *root, const char *why)
{
	snprintf(configured, sizeof(configured), "%s", root ? root : "");
	if (why != NULL && why[0] != '\0')
		snprintf(off_reason, sizeof(off_reason), "%s", why);
}

void
cgroup_status(char *buf, size_t len)
{
	if (configured[0] != '\0')
		snprintf(buf, len, "per-service cgroups under %s", configured);
	else
		snprintf(buf, len, "off (%s): handlers are tracked by process "
		    "group only", off_reason);
}

/* ---- the root and the services' cgroups ---- */

/* mkdir that is fine with an existing directory. */
static int
mkdir_ok(const char *path)
{
	return mkdir(path, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

/*
 * Make root ready once: create it; if it is our own cgroup, move superd
 * into ROOT/supervisor (a cgroup with controllers enabled for its
 * children may hold no process); enable the controllers the keys use.
 */
static int
root_prepare(const char *root, char *err, size_t errlen)
{
	static const char *const ctls[] = { "memory", "pids", "cpu", "io" };
	char	mnt[PATH_MAX], own[PATH_MAX], self[PATH_MAX * 2];
	char	leaf[PATH_MAX + 16], word[16];
	size_t	i;

	if (strcmp(prepared, root) == 0)
		return 0;
	if (mkdir_ok(root) == -1)
		return snprintf(err, errlen, "mkdir %s: %s", root,
		    strerror(errno)), -1;
	if (cgroup_mount(mnt, sizeof(mnt)) == 0 &&
	    own_cgroup(own, sizeof(own)) == 0) {
		snprintf(self, sizeof(self), "%s%s", mnt, own);
		if (strcmp(self, root) == 0) {
			snprintf(leaf, sizeof(leaf), "%s/supervisor", root);
			if (mkdir_ok(leaf) == -1 ||
			    write_at(leaf, "cgroup.procs", "0") == -1)
				return snprintf(err, errlen, "moving superd to "
				    "%s: %s", leaf, strerror(errno)), -1;
		}
	}
	for (i = 0; i < sizeof(ctls) / sizeof(ctls[0]); i++) {
		if (!controller_available(root, ctls[i]))
			continue;
		snprintf(word, sizeof(word), "+%s", ctls[i]);
		if (write_at(root, "cgroup.subtree_control", word) == -1)
			log_warn("cgroup %s: enabling %s", root, ctls[i]);
	}
	snprintf(prepared, sizeof(prepared), "%s", root);
	return 0;
}

/* Write one limit, or say which and why not. */
static int
limit_write(const char *dir, const char *file, const char *val, char *err,
    size_t errlen)
{
	if (write_at(dir, file, val) == 0)
		return 0;
	snprintf(err, errlen, "%s/%s = %s: %s", dir, file, val,
	    strerror(errno));
	return -1;
}

/* A byte or count limit: a number, or "max" for INT64_MAX. */
static void
limit_text(int64_t v, char *buf, size_t len)
{
	if (v == INT64_MAX)
		snprintf(buf, len, "max");
	else
		snprintf(buf, len, "%lld", (long long)v);
}

/*
 * One limit: val when set, else the kernel's default back (a reload may
 * have dropped the key), where the controller is on at all.
 */
static int
limit_one(const char *dir, const char *file, int set, const char *val,
    const char *dflt, char *err, size_t errlen)
{
	if (set)
		return limit_write(dir, file, val, err, errlen);
	(void)write_at(dir, file, dflt);	/* ENOENT: controller off */
	return 0;
}

/* The limits of cc on dir. */
static int
limits_apply(const char *dir, const struct cgroup_conf *cc, char *err,
    size_t errlen)
{
	char	v[48];
	int	rc = 0;

	limit_text(cc->memory_max, v, sizeof(v));
	rc |= limit_one(dir, "memory.max", cc->memory_max >= 0, v, "max",
	    err, errlen);
	limit_text(cc->memory_high, v, sizeof(v));
	rc |= limit_one(dir, "memory.high", cc->memory_high >= 0, v, "max",
	    err, errlen);
	limit_text(cc->pids_max, v, sizeof(v));
	rc |= limit_one(dir, "pids.max", cc->pids_max >= 0, v, "max", err,
	    errlen);
	snprintf(v, sizeof(v), "%u", cc->cpu_weight);
	rc |= limit_one(dir, "cpu.weight", cc->cpu_weight != 0, v, "100", err,
	    errlen);
	rc |= limit_one(dir, "cpu.max", cc->cpu_max[0] != '\0', cc->cpu_max,
	    "max", err, errlen);
	snprintf(v, sizeof(v), "default %u", cc->io_weight);
	rc |= limit_one(dir, "io.weight", cc->io_weight != 0, v,
	    "default 100", err, errlen);
	return rc;
}

/* The same limits (the root aside)? */
static int
limits_same(const struct cgroup_conf *a, const struct cgroup_conf *b)
{
	struct cgroup_conf	x = *a, y = *b;

	x.root = y.root = NULL;
	return cgroup_conf_equal(&x, &y);
}

/* A new cgroup_svc for name.proto under root; NULL with err. */
static struct cgroup_svc *
service_new(const char *root, const char *name, const char *proto,
    char *err, size_t errlen)
{
	struct cgroup_svc	*cs;

	if ((cs = calloc(1, sizeof(*cs))) == NULL)
		return snprintf(err, errlen, "out of memory"), NULL;
	snprintf(cs->path, sizeof(cs->path), "%s/%s.%s", root, name, proto);
	if (mkdir_ok(cs->path) == -1 || (cs->fd = open(cs->path,
	    O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", cs->path, strerror(errno));
		free(cs);
		return NULL;
	}
	cs->applied.memory_max = -2;	/* nothing written yet */
	return cs;
}

int
cgroup_service_open(struct cgroup_svc **csp, const char *name,
    const char *proto, const struct cgroup_conf *cc, char *err,
    size_t errlen)
{
	struct cgroup_svc	*cs = *csp;

	if (cc->root == NULL)
		return snprintf(err, errlen, "no cgroup root"), -1;
	if (root_prepare(cc->root, err, errlen) == -1)
		return -1;
	/* cgroup-root changed by a reload: a new cgroup there. */
	if (cs != NULL && (strncmp(cs->path, cc->root, strlen(cc->root)) != 0 ||
	    cs->path[strlen(cc->root)] != '/')) {
		cgroup_service_close(cs);
		*csp = cs = NULL;
	}
	if (cs == NULL &&
	    (*csp = cs = service_new(cc->root, name, proto, err, errlen)) == NULL)
		return -1;
	if (limits_same(&cs->applied, cc))
		return 0;
	if (limits_apply(cs->path, cc, err, errlen) == -1)
		return -1;
	cs->applied = *cc;
	cs->applied.root = NULL;
	return 0;
}

int
cgroup_service_fd(const struct cgroup_svc *cs)
{
	return cs->fd;
}

void
cgroup_service_close(struct cgroup_svc *cs)
{
	if (cs == NULL)
		return;
	if (cs->fd != -1)
		close(cs->fd);
	(void)rmdir(cs->path);	/* EBUSY while handlers still run */
	free(cs);
}

/* ---- accounting ---- */

/* Processes in dir and its direct children (where pids.current is not). */
static long long
count_tasks(const char *dir)
{
	char		 buf[4096], sub[PATH_MAX];
	struct dirent	*de;
	long long	 n = 0;
	DIR		*d;
	char		*p;

	if (read_at(dir, "cgroup.procs", buf, sizeof(buf)) > 0)
		for (p = buf; (p = strchr(p, '\n')) != NULL; p++)
			n++;
	if ((d = opendir(dir)) == NULL)
		return n;
	while ((de = readdir(d)) != NULL) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
		if (read_at(sub, "cgroup.procs", buf, sizeof(buf)) > 0)
			for (p = buf; (p = strchr(p, '\n')) != NULL; p++)
				n++;
	}
	closedir(d);
	return n;
}

static int
account(const char *dir, struct cgroup_acct *a)
{
	char	buf[1024];

	if (read_at(dir, "cpu.stat", buf, sizeof(buf)) < 0)
		return -1;
	a->cpu_usec = flat_key(buf, "usage_usec");
	a->mem_peak = read_number(dir, "memory.peak");
	a->tasks_peak = read_number(dir, "pids.peak");
	if ((a->tasks = read_number(dir, "pids.current")) < 0)
		a->tasks = count_tasks(dir);
	/* The events files say why a handler died or could not fork. */
	a->oom_kills = read_at(dir, "memory.events", buf, sizeof(buf)) > 0 ?
	    flat_key(buf, "oom_kill") : -1;
	a->pids_refused = read_at(dir, "pids.events", buf, sizeof(buf)) > 0 ?
	    flat_key(buf, "max") : -1;
	return 0;
}

int
cgroup_service_account(const char *name, const char *proto,
    struct cgroup_acct *a)
{
	char	dir[PATH_MAX * 2];

	if (prepared[0] == '\0')
		return -1;
	snprintf(dir, sizeof(dir), "%s/%s.%s", prepared, name, proto);
	return account(dir, a);
}

void
cgroup_acct_format(const struct cgroup_acct *a, char *buf, size_t len)
{
	size_t	n;

	n = (size_t)snprintf(buf, len, " (cpu %lld.%03llds", a->cpu_usec /
	    1000000, (a->cpu_usec / 1000) % 1000);
	if (a->mem_peak >= 0 && n < len)
		n += (size_t)snprintf(buf + n, len - n, ", memory peak %lld "
		    "KiB", a->mem_peak / 1024);
	if (a->tasks_peak >= 0 && n < len)
		n += (size_t)snprintf(buf + n, len - n, ", tasks peak %lld",
		    a->tasks_peak);
	if (a->oom_kills > 0 && n < len)
		n += (size_t)snprintf(buf + n, len - n, ", killed by memory-max");
	if (a->pids_refused > 0 && n < len)
		n += (size_t)snprintf(buf + n, len - n, ", pids-max refused %lld "
		    "forks", a->pids_refused);
	if (n < len)
		snprintf(buf + n, len - n, ")");
}

/* ---- per-request cgroups ---- */

/* cgroup.events changed for some requests: tell their owners. */
static void
inotify_cb(evutil_socket_t fd, short what, void *arg)
{
	char			 buf[4096]
			    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ie;
	struct cgroup_req	*cr, *next;
	ssize_t			 n;
	char			*p;

	(void)what;
	(void)arg;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (p = buf; p < buf + n; p += sizeof(*ie) + ie->len) {
			ie = (const struct inotify_event *)p;
			for (cr = reqs; cr != NULL; cr = next) {
				next = cr->next;
				if (cr->wd == ie->wd) {
					cr->changed(cr->arg);
					break;
				}
			}
		}
}

void
cgroup_init(struct event_base *base)
{
	if (ino_fd != -1)
		return;
	if ((ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1) {
		log_warn("inotify (per-request cgroups cannot be watched)");
		return;
	}
	if ((ino_ev = event_new(base, ino_fd, EV_READ | EV_PERSIST,
	    inotify_cb, NULL)) == NULL || event_add(ino_ev, NULL) == -1)
		log_warnx("cannot watch inotify on the event loop");
}

void
cgroup_shutdown(void)
{
	if (ino_ev != NULL)
		event_free(ino_ev);
	if (ino_fd != -1)
		close(ino_fd);
	ino_ev = NULL;
	ino_fd = -1;
}

/* Open cr->path and watch its cgroup.events; 0, or -1 with err. */
static int
request_watch(struct cgroup_req *cr, cgroup_changed_fn changed, void *arg,
    char *err, size_t errlen)
{
	char	ev[PATH_MAX + 64];

	snprintf(ev, sizeof(ev), "%s/cgroup.events", cr->path);
	if ((cr->fd = open(cr->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1 ||
	    (cr->wd = inotify_add_watch(ino_fd, ev, IN_MODIFY)) == -1) {
		snprintf(err, errlen, "%s: %s", cr->path, strerror(errno));
		return -1;
	}
	cr->changed = changed;
	cr->arg = arg;
	cr->next = reqs;
	reqs = cr;
	return 0;
}

struct cgroup_req *
cgroup_request_new(struct cgroup_svc *cs, uint64_t id,
    cgroup_changed_fn changed, void *arg, char *err, size_t errlen)
{
	struct cgroup_req	*cr;

	if (ino_fd == -1)
		return snprintf(err, errlen, "no inotify"), NULL;
	if ((cr = calloc(1, sizeof(*cr))) == NULL)
		return snprintf(err, errlen, "out of memory"), NULL;
	cr->fd = cr->wd = -1;
	snprintf(cr->path, sizeof(cr->path), "%s/req-%llu", cs->path,
	    (unsigned long long)id);
	if (mkdir(cr->path, 0755) == -1) {
		snprintf(err, errlen, "%s: %s", cr->path, strerror(errno));
		free(cr);
		return NULL;
	}
	if (request_watch(cr, changed, arg, err, errlen) == -1) {
		cgroup_request_free(cr, NULL);
		return NULL;
	}
	return cr;
}

/*
 * Is path a request's cgroup as cgroup_request_new names them: below the
 * cgroup2 mount, no "." or ".." component, the last one "req-N"?  (It
 * comes from the state file, and superd removes what it adopts.)
 */
static int
request_path_ok(const char *path)
{
	char		 mnt[PATH_MAX];
	const char	*last, *p;
	size_t		 n;

	if (cgroup_mount(mnt, sizeof(mnt)) == -1)
		return 0;
	n = strlen(mnt);
	if (strncmp(path, mnt, n) != 0 || path[n] != '/' ||
	    (last = strrchr(path, '/')) == NULL ||
	    strncmp(last + 1, "req-", 4) != 0 ||
	    strspn(last + 5, "0123456789") != strlen(last + 5) ||
	    last[5] == '\0')
		return 0;
	for (p = path + n; p != NULL && *p != '\0'; p = strchr(p + 1, '/'))
		if (strncmp(p, "/./", 3) == 0 || strncmp(p, "/../", 4) == 0 ||
		    strcmp(p, "/.") == 0 || strcmp(p, "/..") == 0 ||
		    strncmp(p, "//", 2) == 0)
			return 0;
	return 1;
}

struct cgroup_req *
cgroup_request_adopt(const char *path, cgroup_changed_fn changed, void *arg,
    char *err, size_t errlen)
{
	struct cgroup_req	*cr;

	if (ino_fd == -1)
		return snprintf(err, errlen, "no inotify"), NULL;
	if (!request_path_ok(path))
		return snprintf(err, errlen, "%s: not a request's cgroup",
		    path), NULL;
	if ((cr = calloc(1, sizeof(*cr))) == NULL)
		return snprintf(err, errlen, "out of memory"), NULL;
	cr->fd = cr->wd = -1;
	snprintf(cr->path, sizeof(cr->path), "%s", path);
	if (request_watch(cr, changed, arg, err, errlen) == -1) {
		if (cr->fd != -1)
			close(cr->fd);
		free(cr);	/* not ours to remove: it was never watched */
		return NULL;
	}
	return cr;
}

int
cgroup_request_orphan(const char *path)
{
	char	buf[256];

	if (!request_path_ok(path) ||
	    read_at(path, "cgroup.events", buf, sizeof(buf)) < 0)
		return 0;
	if (flat_key(buf, "populated") != 0)
		return 1;
	if (rmdir(path) == -1 && errno != ENOENT)
		log_warn("rmdir %s", path);
	return 0;
}

const char *
cgroup_request_path(const struct cgroup_req *cr)
{
	return cr->path;
}

int
cgroup_request_fd(const struct cgroup_req *cr)
{
	return cr->fd;
}

int
cgroup_request_populated(const struct cgroup_req *cr)
{
	char	buf[256];

	if (read_at(cr->path, "cgroup.events", buf, sizeof(buf)) < 0)
		return -1;
	return flat_key(buf, "populated") != 0;
}

int
cgroup_request_signal(struct cgroup_req *cr, int sig)
{
	char	 buf[4096], *p, *end;
	long	 pid;
	int	 n = 0;

	if (sig == SIGKILL)
		return write_at(cr->path, "cgroup.kill", "1");
	if (read_at(cr->path, "cgroup.procs", buf, sizeof(buf)) < 0)
		return -1;
	for (p = buf; *p != '\0'; p = end) {
		pid = strtol(p, &end, 10);
		if (end == p)
			break;
		if (pid > 0 && kill((pid_t)pid, sig) == 0)
			n++;
		while (*end == '\n')
			end++;
	}
	return n > 0 ? 0 : -1;
}

/* Take cr off the watched list. */
static void
unlink_req(struct cgroup_req *cr)
{
	struct cgroup_req	**pp;

	for (pp = &reqs; *pp != NULL; pp = &(*pp)->next)
		if (*pp == cr) {
			*pp = cr->next;
			return;
		}
}

void
cgroup_request_free(struct cgroup_req *cr, struct cgroup_acct *acct)
{
	if (cr == NULL)
		return;
	unlink_req(cr);
	if (acct != NULL && account(cr->path, acct) == -1)
		acct->cpu_usec = -1;
	if (cr->wd != -1)
		(void)inotify_rm_watch(ino_fd, cr->wd);
	if (cr->fd != -1)
		close(cr->fd);
	if (rmdir(cr->path) == -1 && errno != ENOENT)
		log_warn("rmdir %s", cr->path);
	free(cr);
}
