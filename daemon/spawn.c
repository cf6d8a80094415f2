/*
 * spawn.c: start handlers with clone(CLONE_VM | CLONE_VFORK).
 *
 * Like posix_spawn, the child borrows the parent's memory until execve,
 * so the cost does not grow with superd's size (fork copies page tables:
 * 7x slower with 64 MiB mapped).  Unlike posix_spawn it can switch users,
 * chroot and set limits.  The child only makes raw system calls; a step
 * that fails writes its name and errno into the shared request and exits,
 * and the parent logs it.
 *
 * With a cgroup, the child is made inside it (clone3 with
 * CLONE_INTO_CGROUP, Linux 5.7), so not even its first instruction runs
 * outside; where that is missing the child moves itself first thing.
 * Then the sandbox (sandbox.c), the identity, and the seccomp filter
 * last, right before execve.
 */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "sandbox.h"
#include "spawn.h"

#define CHILD_STACK	(64 * 1024)
#define PEER_ENV_MAX	24

/* What the child reports back through the memory it shares with us. */
struct child_args {
	const struct spawn_req	*req;
	char			*const *envp;
	char			*listen_pid;	/* "LISTEN_PID=" + room */
	const char		*fail_step;
	int			 fail_errno;
	int			 in_cgroup;	/* clone3 put it there */
};

/* The kernel's struct clone_args up to cgroup (CLONE_ARGS_SIZE_VER2). */
struct spawn_clone_args {
	uint64_t	flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t	stack, stack_size, tls, set_tid, set_tid_size;
	uint64_t	cgroup;
};
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP	0x200000000ULL
#endif

static int	devnull = -1;

/*
 * A handler leads a process group of its own (superd signals -pid, which
 * reaches what the handler starts), in superd's session: not a session
 * of its own.  On Linux setsid(2) also makes a scheduler autogroup for
 * the caller, created and destroyed with every handler: exec nowait at
 * c=16 ran at 0.89-0.92 of a posix_spawn server with p99 1.25-1.45x its
 * own; with setpgid(2) instead, the same as the server (tests/bench/
 * README.md).  A handler must still not share a controlling terminal:
 * superd lets go of one at start (spawn_init), and only a superd that
 * leads its terminal's session, which cannot let go without hanging the
 * terminal up, gives each handler a session as before.
 */
static int	handler_setsid;
static char	child_stack[CHILD_STACK] __attribute__((aligned(16)));

extern char	**environ;

struct ksigaction {			/* the kernel's struct sigaction */
	void		(*handler)(int);
	unsigned long	  flags;
	void		(*restorer)(void);
	uint64_t	  mask;
};

/*
 * SIG_DFL for sig, by the raw system call: glibc's sigaction() refuses
 * the two signals it keeps for itself (32 and 33), and those too may have
 * been ignored by whoever started superd.
 */
static void
child_default_signal(int sig)
{
	struct ksigaction	ksa = { SIG_DFL, 0, NULL, 0 };

	(void)syscall(SYS_rt_sigaction, sig, &ksa, NULL, sizeof(ksa.mask));
}

/*
 * Which signals a child must reset: those superd was started with not at
 * their default (a shell's "&" ignores SIGINT and SIGQUIT), and those it
 * handles or ignores itself.  Found at the first spawn, once the loop's
 * handlers are in place, so a spawn resets a few signals rather than all
 * 64.
 */
static int	reset_sigs[64];
static size_t	nreset_sigs;
static int	reset_sigs_known;

static void
note_signals_to_reset(void)
{
	static const int mine[] = { SIGHUP, SIGTERM, SIGINT, SIGUSR1,
	    SIGUSR2, SIGPIPE };
	struct ksigaction	old;
	size_t			i;
	int			sig, add;

	nreset_sigs = 0;
	for (sig = 1; sig <= 64; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		add = syscall(SYS_rt_sigaction, sig, NULL, &old,
		    sizeof(old.mask)) == 0 && old.handler != SIG_DFL;
		for (i = 0; i < sizeof(mine) / sizeof(mine[0]); i++)
			add |= mine[i] == sig;
		if (add)
			reset_sigs[nreset_sigs++] = sig;
	}
	reset_sigs_known = 1;
}

/*
 * superd's own credentials, read once (they never change): a handler
 * with superd's own groups needs no setgroups, one with its uid and gid
 * no setresgid and setresuid.
 */
static struct {
	uid_t	uid[3];
	gid_t	gid[3];
	gid_t	groups[NGROUPS_MAX];
	int	ngroups;		/* -1: unknown, always switch */
} self = { .ngroups = -1 };

static void
note_own_identity(void)
{
	self.ngroups = -1;
	if (getresuid(&self.uid[0], &self.uid[1], &self.uid[2]) == -1 ||
	    getresgid(&self.gid[0], &self.gid[1], &self.gid[2]) == -1)
		return;
	self.ngroups = getgroups(NGROUPS_MAX, self.groups);
}

/* Are sc's supplementary groups exactly superd's own? */
static int
groups_are_own(const struct service_conf *sc)
{
	int	i;

	if (self.ngroups < 0 || sc->ngroups != self.ngroups)
		return 0;
	for (i = 0; i < self.ngroups; i++)
		if (self.groups[i] != sc->groups[i])
			return 0;
	return 1;
}

/* Are sc's uid and gid superd's own (real, effective and saved)? */
static int
ids_are_own(const struct service_conf *sc)
{
	int	i;

	if (self.ngroups < 0)
		return 0;
	for (i = 0; i < 3; i++)
		if (self.uid[i] != sc->uid || self.gid[i] != sc->gid)
			return 0;
	return 1;
}

/*
 * Superd in the foreground of a terminal lets go of it: the terminal
 * still signals superd's process group (^C), but superd and its handlers
 * can no longer open it.
 */
static void
drop_controlling_tty(void)
{
	int	fd;

	if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1)
		return;			/* none */
	if (getsid(0) == getpid() || ioctl(fd, TIOCNOTTY) == -1)
		handler_setsid = 1;
	close(fd);
}

void
spawn_init(void)
{
	note_own_identity();
	drop_controlling_tty();
	if (devnull == -1 &&
	    (devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		fatal("open /dev/null");
}


#define CHILD_FAIL(a, step)	do {			\
	(a)->fail_step = (step);			\
	(a)->fail_errno = errno;			\
	return 127;					\
} while (0)

/* Limits, priority and umask: the parts that need no privileges. */
static int
child_limits(struct child_args *a, const struct service_conf *sc)
{
	int	i;

	for (i = 0; i < SUPERD_NRLIMITS; i++)
		if (sc->rlimits[i].set && setrlimit(sc->rlimits[i].resource,
		    &sc->rlimits[i].rl) == -1)
			CHILD_FAIL(a, "setrlimit");
	if (sc->set_nice && setpriority(PRIO_PROCESS, 0, sc->nice) == -1)
		CHILD_FAIL(a, "setpriority");
	if (sc->set_umask)
		umask(sc->umask);
	return 0;
}

/*
 * chroot, then groups, gid, uid.  Raw system calls: glibc's setuid()
 * would try to signal every thread of superd (we share its memory).
 */
static int
child_identity(struct child_args *a, const struct service_conf *sc)
{
	if (sc->chroot != NULL &&
	    (chroot(sc->chroot) == -1 || chdir("/") == -1))
		CHILD_FAIL(a, "chroot");
	if (!sc->switch_user)
		return 0;
	/* Each call left out is one the parent does not wait for. */
	if (!groups_are_own(sc) &&
	    syscall(SYS_setgroups, (size_t)sc->ngroups, sc->groups) == -1)
		CHILD_FAIL(a, "setgroups");
	if (ids_are_own(sc))
		return 0;
	if (syscall(SYS_setresgid, sc->gid, sc->gid, sc->gid) == -1)
		CHILD_FAIL(a, "setgid");
	if (syscall(SYS_setresuid, sc->uid, sc->uid, sc->uid) == -1)
		CHILD_FAIL(a, "setuid");
	if (sc->uid != 0 && syscall(SYS_setresuid, 0, 0, 0) != -1) {
		errno = EPERM;
		CHILD_FAIL(a, "setuid (could regain root)");
	}
	return 0;
}

/* Put the socket where the handler expects it; close everything else. */
static int
child_fds(struct child_args *a, const struct spawn_req *r)
{
	int	err = r->stderr_fd >= 0 ? r->stderr_fd : r->sock;
	int	first_free = 3;

	if (r->systemd) {
		if (dup2(devnull, 0) == -1 || dup2(devnull, 1) == -1 ||
		    dup2(r->stderr_fd >= 0 ? r->stderr_fd : devnull, 2) == -1)
			CHILD_FAIL(a, "dup2");
		if (r->sock == 3 ? fcntl(3, F_SETFD, 0) == -1 :
		    dup2(r->sock, 3) == -1)
			CHILD_FAIL(a, "dup2");
		first_free = 4;
	} else if (dup2(r->sock, 0) == -1 || dup2(r->sock, 1) == -1 ||
	    dup2(err, 2) == -1)
		CHILD_FAIL(a, "dup2");
	if (syscall(SYS_close_range, first_free, ~0U, 0) == -1 &&
	    errno != ENOSYS)
		CHILD_FAIL(a, "close_range");
	return 0;
}

/* Write LISTEN_PID=<our pid> without stdio (we share superd's memory). */
static void
child_listen_pid(char *var)
{
	char	digits[16];
	long	pid = (long)syscall(SYS_getpid);
	int	n = 0;

	do
		digits[n++] = (char)('0' + pid % 10);
	while ((pid /= 10) > 0 && n < (int)sizeof(digits));
	var += strlen("LISTEN_PID=");
	while (n > 0)
		*var++ = digits[--n];
	*var = '\0';
}

/* Join the cgroup ourselves (no clone3 here): before anything else. */
static int
child_join_cgroup(struct child_args *a, const struct spawn_req *r)
{
	int	fd;

	if (!r->in_cgroup || a->in_cgroup)
		return 0;
	if ((fd = openat(r->cgroup_fd, "cgroup.procs", O_WRONLY |
	    O_CLOEXEC)) == -1)
		CHILD_FAIL(a, "cgroup.procs");
	if (write(fd, "0", 1) != 1) {
		close(fd);
		CHILD_FAIL(a, "joining the cgroup");
	}
	close(fd);
	return 0;
}

/* The sandbox before the identity switch. */
static int
child_sandbox(struct child_args *a, const struct service_conf *sc)
{
	const char	*step = NULL;

	if (sandbox_child_enter(&sc->sandbox, &step) == -1)
		CHILD_FAIL(a, step);
	return 0;
}

/* After it: ambient capabilities, no_new_privs, the seccomp filter. */
static int
child_last(struct child_args *a, const struct service_conf *sc)
{
	const char	*step = NULL;
	int		 user = sc->switch_user && sc->uid != 0;

	if (user && sandbox_child_ambient(&sc->sandbox, &step) == -1)
		CHILD_FAIL(a, step);
	/* The kernel takes a filter from an unprivileged process only then. */
	if ((sc->no_new_privs || (sc->sandbox.filter != NULL && user)) &&
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		CHILD_FAIL(a, "no-new-privileges");
	if (sandbox_child_filter(&sc->sandbox, &step) == -1)
		CHILD_FAIL(a, step);
	return 0;
}

/* The child: runs on child_stack with superd's memory until execve. */
static int
child_main(void *arg)
{
	struct child_args		*a = arg;
	const struct spawn_req		*r = a->req;
	const struct service_conf	*sc = r->sc;
	sigset_t			 none;
	size_t				 i;

	/*
	 * Every signal to its default (see note_signals_to_reset): an
	 * ignored disposition would survive execve.
	 */
	for (i = 0; i < nreset_sigs; i++)
		child_default_signal(reset_sigs[i]);
	if (child_join_cgroup(a, r) != 0)
		return 127;
	if (handler_setsid ? setsid() == -1 : setpgid(0, 0) == -1)
		CHILD_FAIL(a, handler_setsid ? "setsid" : "setpgid");
	if (a->listen_pid != NULL)
		child_listen_pid(a->listen_pid);
	if (child_limits(a, sc) != 0 || child_sandbox(a, sc) != 0 ||
	    child_identity(a, sc) != 0 || child_fds(a, r) != 0 ||
	    child_last(a, sc) != 0)
		return 127;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execve(sc->server, sc->argv, a->envp);
	CHILD_FAIL(a, "execve");
}

/* Append "NAME=value" to env if value is set (no stdio: per request). */
static void
env_add(char **env, size_t *n, char *buf, size_t *used, size_t max,
    const char *name, const char *value)
{
	size_t	nl, vl;

	if (value == NULL || *n >= PEER_ENV_MAX - 1)
		return;
	nl = strlen(name);
	vl = strlen(value);
	if (nl + vl + 2 > max - *used)
		return;
	memcpy(buf + *used, name, nl);
	buf[*used + nl] = '=';
	memcpy(buf + *used + nl + 1, value, vl + 1);
	env[(*n)++] = buf + *used;
	*used += nl + vl + 2;
}

/* Peer variables: CGI style, UCSPI style and LISTEN_* for systemd mode. */
static size_t
peer_env(const struct spawn_req *r, char **env, char *buf, size_t max)
{
	const struct spawn_peer	*p = r->peer;
	size_t			 n = 0, used = 0;
	char			 num[3][24];
	int			 tcp = strcmp(p->proto, "TCP") == 0;

	env_add(env, &n, buf, &used, max, "PROTO", p->proto);
	env_add(env, &n, buf, &used, max, "REMOTE_ADDR", p->remote_addr);
	env_add(env, &n, buf, &used, max, "REMOTE_PORT", p->remote_port);
	env_add(env, &n, buf, &used, max, "LOCAL_ADDR", p->local_addr);
	env_add(env, &n, buf, &used, max, "LOCAL_PORT", p->local_port);
	if (tcp) {
		env_add(env, &n, buf, &used, max, "TCPREMOTEIP", p->remote_addr);
		env_add(env, &n, buf, &used, max, "TCPREMOTEPORT",
		    p->remote_port);
		env_add(env, &n, buf, &used, max, "TCPLOCALIP", p->local_addr);
		env_add(env, &n, buf, &used, max, "TCPLOCALPORT", p->local_port);
	}
	if (p->uid >= 0) {
		snprintf(num[0], sizeof(num[0]), "%ld", p->uid);
		snprintf(num[1], sizeof(num[1]), "%ld", p->gid);
		snprintf(num[2], sizeof(num[2]), "%ld", p->pid);
		env_add(env, &n, buf, &used, max, "UNIXREMOTEEUID", num[0]);
		env_add(env, &n, buf, &used, max, "UNIXREMOTEEGID", num[1]);
		env_add(env, &n, buf, &used, max, "UNIXREMOTEPID", num[2]);
	}
	env_add(env, &n, buf, &used, max, "SUPERD_SESSION", p->session);
	if (r->systemd) {
		env_add(env, &n, buf, &used, max, "LISTEN_FDS", "1");
		/* As systemd names an Accept=yes connection. */
		env_add(env, &n, buf, &used, max, "LISTEN_FDNAMES",
		    r->sc->wait ? r->sc->name : "connection");
	}
	return n;
}

#if defined(__x86_64__) && defined(SYS_clone3)
/*
 * clone3 with a stack of its own: the child cannot return into C code
 * (its stack frame is the parent's), so it calls fn(arg) and exits
 * here, like glibc's clone() does.  Returns the pid or -errno.
 */
long	superd_clone3(struct spawn_clone_args *, size_t, int (*)(void *),
	    void *) __attribute__((visibility("hidden")));
__asm__(
	".text\n"
	".globl superd_clone3\n"
	".hidden superd_clone3\n"
	".type superd_clone3, @function\n"
	"superd_clone3:\n"
	"	endbr64\n"
	"	movq %rdx, %r8\n"	/* fn and arg survive the syscall */
	"	movq %rcx, %r9\n"
	"	movl $435, %eax\n"	/* __NR_clone3 */
	"	syscall\n"
	"	testq %rax, %rax\n"
	"	jz 1f\n"
	"	ret\n"
	"1:	xorl %ebp, %ebp\n"	/* the child, on its own stack */
	"	movq %r9, %rdi\n"
	"	call *%r8\n"
	"	movl %eax, %edi\n"
	"	movl $60, %eax\n"	/* __NR_exit */
	"	syscall\n"
	"	hlt\n"
	".size superd_clone3, .-superd_clone3\n");
#define HAVE_CLONE_INTO_CGROUP 1
#endif

/*
 * Start the child: into its cgroup by clone3 where we can, else by
 * clone (and the child joins the cgroup itself).
 */
static pid_t
spawn_clone(const struct spawn_req *r, struct child_args *a)
{
#ifdef HAVE_CLONE_INTO_CGROUP
	static int		 no_clone3;
	struct spawn_clone_args	 ca;
	long			 rc;

	if (r->in_cgroup && !no_clone3) {
		memset(&ca, 0, sizeof(ca));
		ca.flags = CLONE_VM | CLONE_VFORK | CLONE_INTO_CGROUP;
		ca.exit_signal = SIGCHLD;
		ca.stack = (uint64_t)(uintptr_t)child_stack;
		ca.stack_size = sizeof(child_stack);
		ca.cgroup = (uint64_t)r->cgroup_fd;
		a->in_cgroup = 1;
		rc = superd_clone3(&ca, sizeof(ca), child_main, a);
		if (rc >= 0)
			return (pid_t)rc;
		a->in_cgroup = 0;
		if (rc == -ENOSYS || rc == -E2BIG)
			no_clone3 = 1;	/* an older kernel: for good */
		else if (rc != -EINVAL) {
			errno = (int)-rc;
			return -1;
		}
	}
#endif
	return clone(child_main, child_stack + sizeof(child_stack),
	    CLONE_VM | CLONE_VFORK | SIGCHLD, a);
}

pid_t
spawn_handler(const struct spawn_req *r, char *err, size_t errlen)
{
	struct child_args	 a;
	char			*env[256 + PEER_ENV_MAX], buf[2048];
	char			 pidbuf[32];
	sigset_t		 all, old;
	size_t			 n, i;
	pid_t			 pid;

	if (!reset_sigs_known)
		note_signals_to_reset();
	memset(&a, 0, sizeof(a));
	a.req = r;
	n = peer_env(r, env, buf, sizeof(buf));
	for (i = 0; r->base_env[i] != NULL && n < 256 + PEER_ENV_MAX - 2; i++)
		env[n++] = r->base_env[i];
	/* LISTEN_PID names the child, which fills in its own pid. */
	if (r->systemd) {
		snprintf(pidbuf, sizeof(pidbuf), "LISTEN_PID=");
		env[n++] = a.listen_pid = pidbuf;
	}
	env[n] = NULL;
	a.envp = env;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pid = spawn_clone(r, &a);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (pid == -1) {
		snprintf(err, errlen, "clone: %s", strerror(errno));
		return -1;
	}
	if (a.fail_step != NULL) {
		snprintf(err, errlen, "%s: %s", a.fail_step,
		    strerror(a.fail_errno));
		return -1;
	}
	return pid;
}

/* Does env set NAME? */
static int
env_has(char **env, const char *name)
{
	size_t	i, len = strlen(name);

	for (i = 0; env != NULL && env[i] != NULL; i++)
		if (strncmp(env[i], name, len) == 0 && env[i][len] == '=')
			return 1;
	return 0;
}

/* Free env[0..n) (some may be NULL) and env. */
static void
env_free_n(char **env, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(env[i]);
	free(env);
}

/*
 * env-pass: the named variables of superd's own environment, when set
 * there and not set by env (the config wins, as with xinetd's passenv).
 * Each is appended at env[*n]; 0, or -1 when out of memory.
 */
static int
env_pass_add(const struct service_conf *sc, char **env, size_t *n)
{
	const char	*v;
	size_t		 i;

	for (i = 0; sc->env_pass != NULL && sc->env_pass[i] != NULL; i++) {
		if (env_has(sc->env, sc->env_pass[i]) ||
		    (v = getenv(sc->env_pass[i])) == NULL)
			continue;
		if (asprintf(&env[(*n)++], "%s=%s", sc->env_pass[i], v) == -1) {
			env[*n - 1] = NULL;
			return -1;
		}
	}
	return 0;
}

/*
 * PATH, the configured env, the env-pass variables, SUPERD_SERVICE, and
 * all of superd's own if asked.  NULL when out of memory (a reload then
 * keeps the old config).
 */
char **
spawn_base_env(const struct service_conf *sc)
{
	size_t	 n = 0, i, max = 8;
	char	**env;

	for (i = 0; sc->env != NULL && sc->env[i] != NULL; i++)
		max++;
	for (i = 0; sc->env_pass != NULL && sc->env_pass[i] != NULL; i++)
		max++;
	for (i = 0; sc->env_inherit && environ[i] != NULL; i++)
		max++;
	if ((env = calloc(max, sizeof(*env))) == NULL)
		return NULL;
	for (i = 0; sc->env != NULL && sc->env[i] != NULL; i++)
		env[n++] = strdup(sc->env[i]);
	if (!sc->env_inherit && env_pass_add(sc, env, &n) == -1) {
		env_free_n(env, n);
		return NULL;
	}
	for (i = 0; sc->env_inherit && environ[i] != NULL; i++)
		if (strncmp(environ[i], "LISTEN_", 7) != 0 &&
		    strncmp(environ[i], "NOTIFY_SOCKET=", 14) != 0)
			env[n++] = strdup(environ[i]);
	/* PATH from env or env-pass, else a default. */
	if (!sc->env_inherit && !env_has(env, "PATH"))
		env[n++] = strdup("PATH=/usr/local/sbin:/usr/local/bin:"
		    "/usr/sbin:/usr/bin:/sbin:/bin");
	if (asprintf(&env[n++], "SUPERD_SERVICE=%s", sc->name) == -1)
		env[n - 1] = NULL;
	env[n] = NULL;
	for (i = 0; i < n; i++)
		if (env[i] == NULL) {
			env_free_n(env, n);
			return NULL;
		}
	return env;
}

void
spawn_free_env(char **env)
{
	size_t	i;

	if (env == NULL)
		return;
	for (i = 0; env[i] != NULL; i++)
		free(env[i]);
	free(env);
}
