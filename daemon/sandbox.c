/*
 * sandbox.c: confine a handler between clone and exec.
 *
 * Load time does everything that may fail for a reason the admin can
 * fix (an unknown capability or system call, a kernel without mount
 * namespaces or seccomp, superd without CAP_SYS_ADMIN) and builds the
 * seccomp program with libseccomp, so that a spawn only makes system
 * calls on data prepared earlier: the spawn child shares superd's memory
 * (spawn.c) and must not allocate.
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#ifdef HAVE_SECCOMP
#include <seccomp.h>
#endif

#include "conf.h"
#include "sandbox.h"

struct sandbox_filter {
	struct sock_fprog	 prog;
};

/* Capability names, in number order (linux/capability.h). */
static const char *const cap_names[] = {
	"chown", "dac_override", "dac_read_search", "fowner", "fsetid",
	"kill", "setgid", "setuid", "setpcap", "linux_immutable",
	"net_bind_service", "net_broadcast", "net_admin", "net_raw",
	"ipc_lock", "ipc_owner", "sys_module", "sys_rawio", "sys_chroot",
	"sys_ptrace", "sys_pacct", "sys_admin", "sys_boot", "sys_nice",
	"sys_resource", "sys_time", "sys_tty_config", "mknod", "lease",
	"audit_write", "audit_control", "setfcap", "mac_override",
	"mac_admin", "syslog", "wake_alarm", "block_suspend", "audit_read",
	"perfmon", "bpf", "checkpoint_restore",
};
#define NCAPS	(int)(sizeof(cap_names) / sizeof(cap_names[0]))

static int	last_cap = -1;		/* /proc/sys/kernel/cap_last_cap */

/* ---- load time ---- */

/* The kernel's highest capability number (read once). */
static int
kernel_last_cap(void)
{
	char	buf[16];
	ssize_t	n;
	int	fd;

	if (last_cap >= 0)
		return last_cap;
	last_cap = NCAPS - 1;
	if ((fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY |
	    O_CLOEXEC)) == -1)
		return last_cap;
	if ((n = read(fd, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = '\0';
		last_cap = atoi(buf);
	}
	close(fd);
	if (last_cap > 63)
		last_cap = 63;
	return last_cap;
}

int
sandbox_parse_caps(const char *list, uint64_t *mask, char *err,
    size_t errlen)
{
	char	 buf[1024], *w, *save = NULL;
	int	 i;

	*mask = 0;
	snprintf(buf, sizeof(buf), "%s", list);
	for (w = strtok_r(buf, " ,\t", &save); w != NULL;
	    w = strtok_r(NULL, " ,\t", &save)) {
		if (strncasecmp(w, "cap_", 4) == 0)
			w += 4;
		for (i = 0; i < NCAPS; i++)
			if (strcasecmp(w, cap_names[i]) == 0)
				break;
		if (i == NCAPS)
			return snprintf(err, errlen, "unknown capability "
			    "\"%s\"", w), -1;
		if (i > kernel_last_cap())
			return snprintf(err, errlen, "capability \"%s\" is "
			    "newer than this kernel", w), -1;
		*mask |= 1ULL << i;
	}
	return 0;
}

#ifdef HAVE_SECCOMP
/* The deny-list groups, named as systemd names them. */
static const struct {
	const char	*name;
	const char	*calls;
} sc_groups[] = {
	{ "@mount", "chroot fsconfig fsmount fsopen fspick mount "
	    "mount_setattr move_mount open_tree pivot_root umount umount2" },
	{ "@reboot", "kexec_file_load kexec_load reboot" },
	{ "@module", "delete_module finit_module init_module" },
	{ "@swap", "swapoff swapon" },
	{ "@clock", "adjtimex clock_adjtime clock_adjtime64 clock_settime "
	    "clock_settime64 settimeofday stime" },
	{ "@raw-io", "ioperm iopl pciconfig_iobase pciconfig_read "
	    "pciconfig_write" },
	{ "@debug", "perf_event_open pidfd_getfd process_vm_readv "
	    "process_vm_writev ptrace" },
	{ "@cpu-emulation", "modify_ldt vm86 vm86old" },
};
#define NGROUPS	(sizeof(sc_groups) / sizeof(sc_groups[0]))

/* Deny one call by name; strict: an unknown name is an error. */
static int
deny_call(scmp_filter_ctx ctx, const char *name, int strict, char *err,
    size_t errlen)
{
	int	nr = seccomp_syscall_resolve_name(name);

	if (nr == __NR_SCMP_ERROR) {
		if (!strict)
			return 0;	/* a group's call this arch lacks */
		return snprintf(err, errlen, "unknown system call \"%s\"",
		    name), -1;
	}
	if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0) != 0)
		return snprintf(err, errlen, "cannot filter \"%s\"", name), -1;
	return 0;
}

/* Deny a group's calls. */
static int
deny_group(scmp_filter_ctx ctx, const char *group, char *err, size_t errlen)
{
	char	 buf[512], *w, *save = NULL;
	size_t	 i;

	for (i = 0; i < NGROUPS; i++)
		if (strcmp(group, sc_groups[i].name) == 0)
			break;
	if (i == NGROUPS) {
		snprintf(err, errlen, "unknown group \"%s\" (known:", group);
		for (i = 0; i < NGROUPS; i++)
			snprintf(err + strlen(err), errlen - strlen(err),
			    " %s", sc_groups[i].name);
		snprintf(err + strlen(err), errlen - strlen(err), ")");
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", sc_groups[i].calls);
	for (w = strtok_r(buf, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save))
		if (deny_call(ctx, w, 0, err, errlen) == -1)
			return -1;
	return 0;
}

/* ctx as a BPF program in memory (libseccomp 2.5 exports to an fd). */
static int
filter_export(scmp_filter_ctx ctx, struct sandbox_filter **out, char *err,
    size_t errlen)
{
	struct sandbox_filter	*f;
	struct stat		 st;
	ssize_t			 n;
	int			 fd;

	if ((fd = memfd_create("superd-seccomp", MFD_CLOEXEC)) == -1)
		return snprintf(err, errlen, "memfd_create: %s",
		    strerror(errno)), -1;
	if (seccomp_export_bpf(ctx, fd) != 0 || fstat(fd, &st) == -1 ||
	    st.st_size == 0 || st.st_size % sizeof(struct sock_filter) != 0 ||
	    (f = calloc(1, sizeof(*f))) == NULL) {
		close(fd);
		return snprintf(err, errlen, "cannot export the filter"), -1;
	}
	f->prog.len = (unsigned short)(st.st_size / sizeof(struct sock_filter));
	if ((f->prog.filter = malloc((size_t)st.st_size)) == NULL ||
	    (n = pread(fd, f->prog.filter, (size_t)st.st_size, 0)) !=
	    st.st_size) {
		close(fd);
		sandbox_filter_free(f);
		return snprintf(err, errlen, "cannot read the filter"), -1;
	}
	close(fd);
	*out = f;
	return 0;
}

int
sandbox_filter_build(const char *spec, struct sandbox_filter **out,
    char *err, size_t errlen)
{
	scmp_filter_ctx	 ctx;
	char		 buf[1024], *w, *save = NULL;
	int		 rc = 0;

	*out = NULL;
	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == -1 && errno == EINVAL)
		return snprintf(err, errlen, "this kernel has no seccomp "
		    "filters (CONFIG_SECCOMP_FILTER)"), -1;
	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL)
		return snprintf(err, errlen, "seccomp_init failed"), -1;
	/* superd sets no_new_privs itself where it must (spawn.c). */
	(void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	snprintf(buf, sizeof(buf), "%s", spec[0] == '~' ? spec + 1 : spec);
	for (w = strtok_r(buf, " ,\t", &save); w != NULL && rc == 0;
	    w = strtok_r(NULL, " ,\t", &save))
		rc = w[0] == '@' ? deny_group(ctx, w, err, errlen) :
		    deny_call(ctx, w, 1, err, errlen);
	if (rc == 0)
		rc = filter_export(ctx, out, err, errlen);
	seccomp_release(ctx);
	return rc;
}
#else
int
sandbox_filter_build(const char *spec, struct sandbox_filter **out,
    char *err, size_t errlen)
{
	(void)spec;
	*out = NULL;
	snprintf(err, errlen, "this superd was built without libseccomp "
	    "(Debian: libseccomp-dev, then configure again)");
	return -1;
}
#endif

void
sandbox_filter_free(struct sandbox_filter *f)
{
	if (f == NULL)
		return;
	free(f->prog.filter);
	free(f);
}

/*
 * Can we make these namespaces?  Tried once in a throw-away child (it
 * needs CAP_SYS_ADMIN, a kernel with them, and no seccomp or
 * RestrictNamespaces= from superd's own unit in the way).  0 or errno.
 */
static int
probe_unshare(int flags)
{
	static int	tried[2], result[2];
	int		i = flags & CLONE_NEWNET ? 1 : 0, st;
	pid_t		pid;

	if (tried[i])
		return result[i];
	if ((pid = fork()) == -1)
		return errno;
	if (pid == 0)
		_exit(unshare(flags) == 0 ? 0 : errno & 0x7f);
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	tried[i] = 1;
	result[i] = WIFEXITED(st) ? WEXITSTATUS(st) : EINVAL;
	return result[i];
}

/* Does the kernel have mount_setattr (Linux 5.12)? */
static int
have_mount_setattr(void)
{
	return !(syscall(SYS_mount_setattr, -1, "", 0, NULL, 0) == -1 &&
	    errno == ENOSYS);
}

static int
needs_mount_ns(const struct sandbox_conf *sb)
{
	return sb->private_tmp || sb->protect_home || sb->protect_system ||
	    (sb->read_only != NULL && sb->read_only[0] != NULL) ||
	    (sb->inaccessible != NULL && sb->inaccessible[0] != NULL);
}

/* Is cap in our effective set? */
static int
capable(int cap)
{
	struct __user_cap_header_struct	hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct	data[2];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) == -1)
		return 0;
	return (data[cap / 32].effective & (1U << (cap % 32))) != 0;
}

int
sandbox_check(const struct sandbox_conf *sb, const char **key, char *err,
    size_t errlen)
{
	int	e;

	if (needs_mount_ns(sb)) {
		*key = sb->private_tmp ? "private-tmp" : sb->protect_system ?
		    "protect-system" : sb->protect_home ? "protect-home" :
		    sb->read_only && sb->read_only[0] ? "read-only-paths" :
		    "inaccessible-paths";
		if ((e = probe_unshare(CLONE_NEWNS)) != 0)
			return snprintf(err, errlen, "%s needs a mount "
			    "namespace, which superd cannot make here: %s%s",
			    *key, strerror(e), e == EPERM ? " (superd needs "
			    "CAP_SYS_ADMIN)" : ""), -1;
		if (strcmp(*key, "private-tmp") != 0 && !have_mount_setattr())
			return snprintf(err, errlen, "%s needs mount_setattr "
			    "(Linux 5.12 or later)", *key), -1;
	}
	if (sb->private_network && (e = probe_unshare(CLONE_NEWNET)) != 0) {
		*key = "private-network";
		return snprintf(err, errlen, "private-network needs a network "
		    "namespace, which superd cannot make here: %s%s",
		    strerror(e), e == EPERM ? " (superd needs CAP_SYS_ADMIN)" :
		    ""), -1;
	}
	if ((sb->set_bounding || sb->set_ambient) && !capable(CAP_SETPCAP)) {
		*key = sb->set_bounding ? "capabilities" :
		    "ambient-capabilities";
		return snprintf(err, errlen, "%s needs superd to have "
		    "CAP_SETPCAP", *key), -1;
	}
	if (sb->set_ambient && (sb->ambient & ~sb->bounding) &&
	    sb->set_bounding) {
		*key = "ambient-capabilities";
		return snprintf(err, errlen, "ambient-capabilities must be in "
		    "capabilities (the bounding set)"), -1;
	}
	return 0;
}

int
sandbox_wanted(const struct sandbox_conf *sb)
{
	return needs_mount_ns(sb) || sb->private_network || sb->set_bounding ||
	    sb->set_ambient || sb->filter != NULL;
}

/* Two NULL-terminated lists equal (NULL = empty)? */
static int
strv_same(char **a, char **b)
{
	size_t	i;

	for (i = 0; a && b && a[i] && b[i]; i++)
		if (strcmp(a[i], b[i]) != 0)
			return 0;
	return (a == NULL || a[i] == NULL) && (b == NULL || b[i] == NULL);
}

int
sandbox_conf_equal(const struct sandbox_conf *a, const struct sandbox_conf *b)
{
	return a->private_tmp == b->private_tmp &&
	    a->private_network == b->private_network &&
	    a->protect_home == b->protect_home &&
	    a->protect_system == b->protect_system &&
	    strv_same(a->read_only, b->read_only) &&
	    strv_same(a->inaccessible, b->inaccessible) &&
	    a->set_bounding == b->set_bounding && a->bounding == b->bounding &&
	    a->set_ambient == b->set_ambient && a->ambient == b->ambient &&
	    ((!a->syscall_filter && !b->syscall_filter) ||
	    (a->syscall_filter && b->syscall_filter &&
	    strcmp(a->syscall_filter, b->syscall_filter) == 0));
}

static void
strv_free_(char **v)
{
	size_t	i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

void
sandbox_conf_free(struct sandbox_conf *sb)
{
	strv_free_(sb->read_only);
	strv_free_(sb->inaccessible);
	free(sb->syscall_filter);
	sandbox_filter_free(sb->filter);
	memset(sb, 0, sizeof(*sb));
}

/* ---- the spawn child: system calls only ---- */

#define STEP(s)	do { *step = (s); return -1; } while (0)

/* Make path read-only (and all below it); a missing path is fine. */
static int
child_read_only(const char *path, int rdonly)
{
	struct mount_attr	attr;

	memset(&attr, 0, sizeof(attr));
	if (rdonly)
		attr.attr_set = MOUNT_ATTR_RDONLY;
	else
		attr.attr_clr = MOUNT_ATTR_RDONLY;
	/* mount_setattr acts on mounts: make path one. */
	if (strcmp(path, "/") != 0 &&
	    mount(path, path, NULL, MS_BIND | MS_REC, NULL) == -1)
		return errno == ENOENT ? 0 : -1;
	return (int)syscall(SYS_mount_setattr, AT_FDCWD, path, AT_RECURSIVE,
	    &attr, sizeof(attr));
}

/* Hide a directory under an empty read-only tmpfs. */
static int
child_hide(const char *path)
{
	if (mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV |
	    MS_NOEXEC, "mode=000,size=4k") == -1)
		return errno == ENOENT ? 0 : -1;
	return 0;
}

/* protect-system, then read-only-paths. */
static int
child_read_only_all(const struct sandbox_conf *sb, const char **step)
{
	static const char *const full[] = { "/usr", "/boot", "/efi", "/etc" };
	static const char *const rw[] = { "/dev", "/proc", "/sys" };
	size_t	i;

	if (sb->protect_system == PROTECT_SYSTEM_FULL)
		for (i = 0; i < sizeof(full) / sizeof(full[0]); i++)
			if (child_read_only(full[i], 1) == -1)
				STEP("protect-system");
	if (sb->protect_system == PROTECT_SYSTEM_STRICT) {
		if (child_read_only("/", 1) == -1)
			STEP("protect-system");
		for (i = 0; i < sizeof(rw) / sizeof(rw[0]); i++)
			if (child_read_only(rw[i], 0) == -1)
				STEP("protect-system");
	}
	for (i = 0; sb->read_only != NULL && sb->read_only[i] != NULL; i++)
		if (child_read_only(sb->read_only[i], 1) == -1)
			STEP("read-only-paths");
	return 0;
}

/* The mount namespace: read-only and hidden paths, then private /tmp. */
static int
child_mounts(const struct sandbox_conf *sb, const char **step)
{
	static const char *const home[] = { "/home", "/root", "/run/user" };
	size_t	i;

	if (unshare(CLONE_NEWNS) == -1)
		STEP("unshare mount namespace");
	/* Our mounts stay ours; the host's still reach us. */
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) == -1)
		STEP("mount --make-rslave /");
	if (child_read_only_all(sb, step) == -1)
		return -1;
	for (i = 0; sb->protect_home && i < sizeof(home) / sizeof(home[0]);
	    i++)
		if (child_hide(home[i]) == -1)
			STEP("protect-home");
	for (i = 0; sb->inaccessible && sb->inaccessible[i] != NULL; i++)
		if (child_hide(sb->inaccessible[i]) == -1)
			STEP("inaccessible-paths");
	if (sb->private_tmp && (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID |
	    MS_NODEV, "mode=1777") == -1 || mount("tmpfs", "/var/tmp",
	    "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") == -1))
		STEP("private-tmp");
	return 0;
}

/* A network namespace with lo up (as systemd's PrivateNetwork=). */
static int
child_network(const char **step)
{
	struct ifreq	ifr;
	int		s;

	if (unshare(CLONE_NEWNET) == -1)
		STEP("unshare network namespace");
	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		STEP("private-network: socket");
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, "lo", 3);
	ifr.ifr_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) == -1) {
		close(s);
		STEP("private-network: lo up");
	}
	close(s);
	return 0;
}

int
sandbox_child_enter(const struct sandbox_conf *sb, const char **step)
{
	int	cap;

	if (needs_mount_ns(sb) && child_mounts(sb, step) == -1)
		return -1;
	if (sb->private_network && child_network(step) == -1)
		return -1;
	for (cap = 0; sb->set_bounding && cap <= last_cap; cap++)
		if (!(sb->bounding & (1ULL << cap)) &&
		    prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1 &&
		    errno != EINVAL)
			STEP("capabilities (bounding set)");
	/* Keep the permitted set across setuid, for the ambient ones. */
	if (sb->set_ambient && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == -1)
		STEP("ambient-capabilities: keepcaps");
	return 0;
}

int
sandbox_child_ambient(const struct sandbox_conf *sb, const char **step)
{
	struct __user_cap_header_struct	hdr;
	struct __user_cap_data_struct	data[2];
	int				cap;

	if (!sb->set_ambient)
		return 0;
	memset(&hdr, 0, sizeof(hdr));
	memset(data, 0, sizeof(data));
	hdr.version = _LINUX_CAPABILITY_VERSION_3;
	data[0].effective = data[0].permitted = data[0].inheritable =
	    (uint32_t)sb->ambient;
	data[1].effective = data[1].permitted = data[1].inheritable =
	    (uint32_t)(sb->ambient >> 32);
	if (syscall(SYS_capset, &hdr, data) == -1)
		STEP("ambient-capabilities: capset");
	for (cap = 0; cap < 64; cap++)
		if ((sb->ambient & (1ULL << cap)) && prctl(PR_CAP_AMBIENT,
		    PR_CAP_AMBIENT_RAISE, cap, 0, 0) == -1)
			STEP("ambient-capabilities");
	return 0;
}

int
sandbox_child_filter(const struct sandbox_conf *sb, const char **step)
{
	if (sb->filter == NULL)
		return 0;
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &sb->filter->prog, 0,
	    0) == -1)
		STEP("system-call-filter");
	return 0;
}
