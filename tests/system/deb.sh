#!/bin/sh
# The Debian package as a drop-in inet-superserver, with a real package
# that registers its service with update-inetd:
#  1. "make deb" builds superd_*.deb; lintian reports no error on it;
#  2. any other inet-superserver (openbsd-inetd, xinetd, ...) is removed
#     and the .deb installed with apt: /etc/superd.conf is a conffile,
#     /etc/inetd.conf exists, the unit is enabled;
#  3. superd is started as the unit's ExecStartPre/ExecStart do (systemd
#     is not PID 1 here);
#  4. fingerd is installed: its postinst runs update-inetd --add, superd
#     notices the new /etc/inetd.conf by itself and "finger root@127.0.0.1"
#     is answered by in.fingerd through tcpd, with no manual step;
#     with rules in hosts.deny (superd's own, in a mount namespace), tcpd
#     refuses finger, and superd a superd.d service (the package's
#     defaults have libwrap = yes);
#  5. fingerd is purged (update-inetd --remove): the port closes; superd
#     is stopped and purged: no file of the package, no unit link, no
#     process and no dpkg record are left;
#  6. the inet-superservers removed in 2 are installed again.
# Needs root, dpkg-buildpackage, debhelper, lintian, apt and the finger
# client; every wait is bounded.
. "${top_srcdir}/tests/integration/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root (installs and purges packages)"
for c in dpkg-buildpackage dh lintian apt-get finger update-inetd; do
	command -v "$c" >/dev/null ||
		skip "$c not installed (Debian: dpkg-dev debhelper lintian finger update-inetd)"
done
[ -f "$top_builddir/Makefile" ] || skip "no configured build tree"

export DEBIAN_FRONTEND=noninteractive
# apt waits up to 5 minutes for another apt to let go of its lock.
APT="timeout 900 apt-get -y -q -o DPkg::Lock::Timeout=300"
REMOVED=
SPID=
# What is installed now: removing the other inet-superserver also removes
# what depends on one (rstatd, for one), and the end puts all of it back,
# so the tests that run after this one find the machine as it was.
installed() {
	dpkg-query -W -f='${Package} ${db:Status-Status}\n' 2>/dev/null |
		awk '$2 == "installed" { print $1 }' | sort
}
installed > "$T/installed-before"
INETD_EXISTED=no
[ -e /etc/inetd.conf ] && INETD_EXISTED=yes

# pkg_known PACKAGE: dpkg has it installed or its configuration files.
pkg_known() {
	case $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) in
	""|not-installed) return 1 ;;
	esac
	return 0
}

# The packages installed now whose Provides has inet-superserver.
superservers() {
	dpkg-query -W -f='${Package} ${db:Status-Status} ${Provides}\n' 2>/dev/null |
		awk '$2 == "installed" && /inet-superserver/ { print $1 }'
}

# The superd started from the package, if it runs.
pkg_superd_pids() {
	for p in $(pgrep -x superd); do
		[ "$(readlink "/proc/$p/exe" 2>/dev/null)" = /usr/sbin/superd ] && echo "$p"
	done
}

finish() {
	rc=$?
	stop_superd
	rm -f /etc/superd.d/wrapcheck.conf
	if pkg_known fingerd; then
		$APT purge fingerd > "$T/apt-finish.log" 2>&1 || true
	fi
	if pkg_known superd; then
		$APT purge superd >> "$T/apt-finish.log" 2>&1 || true
	fi
	installed > "$T/installed-after"
	MISSING=$(comm -23 "$T/installed-before" "$T/installed-after" | tr '\n' ' ')
	if [ -n "$MISSING" ]; then
		echo "restoring $MISSING"
		# shellcheck disable=SC2086
		$APT install $MISSING >> "$T/apt-finish.log" 2>&1 ||
			echo "WARNING: could not install $MISSING again; see apt-get" >&2
	fi
	cleanup
	exit $rc
}
trap finish EXIT

# 1. Build the .deb from this tree.
timeout 1800 make -C "$top_builddir" deb > "$T/make-deb.log" 2>&1 ||
	{ tail -30 "$T/make-deb.log" >&2; fail "make deb failed"; }
DEB=$(ls "$top_builddir"/deb/superd_*_*.deb 2>/dev/null | head -1)
[ -n "$DEB" ] || fail "make deb made no superd_*.deb"
ok "make deb built $(basename "$DEB")"
timeout 300 lintian "$DEB" > "$T/lintian.log" 2>&1
grep '^E:' "$T/lintian.log" && fail "lintian reports errors on $(basename "$DEB")"
ok "lintian: no error ($(grep -c '^W:' "$T/lintian.log") warnings)"

# 2. Make room (Conflicts: inet-superserver), then install with apt.
for p in fingerd superd; do
	pkg_known "$p" &&
		{ $APT purge "$p" > "$T/apt-pre.log" 2>&1 || fail "could not purge the $p installed before"; }
done
REMOVED=$(superservers | tr '\n' ' ')
if [ -n "$REMOVED" ]; then
	# Removed, not purged: their configuration stays for the restore.
	# shellcheck disable=SC2086
	$APT remove $REMOVED > "$T/apt-remove.log" 2>&1 ||
		{ tail "$T/apt-remove.log" >&2; fail "could not remove $REMOVED"; }
	ok "removed the other inet-superserver(s): $REMOVED"
fi
cp "$DEB" "$T/"
$APT install "$T/$(basename "$DEB")" > "$T/apt-superd.log" 2>&1 ||
	{ tail -20 "$T/apt-superd.log" >&2; fail "apt-get install of the .deb failed"; }
dpkg-query -W -f='${Provides}' superd | grep -q inet-superserver ||
	fail "superd does not provide inet-superserver"
grep -qx /etc/superd.conf /var/lib/dpkg/info/superd.conffiles ||
	fail "/etc/superd.conf is not a conffile"
grep -q '^inetd-compat = "/etc/inetd.conf"' /etc/superd.conf ||
	fail "/etc/superd.conf does not read /etc/inetd.conf"
grep -q '^[[:space:]]*libwrap = yes' /etc/superd.conf ||
	fail "/etc/superd.conf does not set libwrap = yes"
[ -f /etc/inetd.conf ] || fail "postinst left no /etc/inetd.conf"
[ -L /etc/systemd/system/multi-user.target.wants/superd.service ] ||
	fail "superd.service is not enabled"
ok "installed: conffile, inetd-compat, libwrap, /etc/inetd.conf, unit enabled"

# 3. Start superd as the unit does: ExecStartPre, then ExecStart.
exec_line() {
	sed -n "s/^$1=//p" /lib/systemd/system/superd.service
}
PRE=$(exec_line ExecStartPre)
START=$(exec_line ExecStart)
[ -n "$PRE" ] && [ -n "$START" ] || fail "no ExecStartPre/ExecStart in the unit"
$PRE > "$T/pre.log" 2>&1 || { cat "$T/pre.log" >&2; fail "ExecStartPre failed: $PRE"; }
# When it can, superd runs in a mount namespace of its own in which
# /etc/hosts.deny is the test's file, so that step 4 can show the
# package's libwrap = yes refusing without touching the host's rules.
HD=$T/hosts.deny
: > "$HD"
NS=
if [ -f /etc/hosts.deny ] && unshare -m true 2>/dev/null; then
	NS=yes
	# shellcheck disable=SC2086
	unshare -m sh -c 'mount --bind "$1" /etc/hosts.deny && shift && exec "$@"' \
		sh "$HD" $START > "$T/log" 2>&1 &
else
	$START > "$T/log" 2>&1 &
fi
SPID=$!
for _ in $(seq 100); do
	/usr/sbin/superdctl -c /etc/superd.conf status > /dev/null 2>&1 && break
	kill -0 "$SPID" 2>/dev/null || fail "superd exited at start"
	sleep 0.1
done
/usr/sbin/superdctl -c /etc/superd.conf status > "$T/status" 2>&1 ||
	fail "superdctl status does not reach the packaged superd"
ok "superd started as the unit does: $START${NS:+ (in a mount namespace)}"

# 4. fingerd's postinst registers finger with update-inetd; superd serves it.
$APT install fingerd > "$T/apt-fingerd.log" 2>&1 ||
	{ tail -20 "$T/apt-fingerd.log" >&2; fail "apt-get install fingerd failed"; }
grep -q '^finger[[:space:]].*in.fingerd' /etc/inetd.conf ||
	fail "fingerd's postinst added no finger line to /etc/inetd.conf"
ok "update-inetd added: $(grep '^finger[[:space:]]' /etc/inetd.conf | tr -s '\t ' ' ')"
got=
for _ in $(seq 100); do
	got=$(timeout 5 finger root@127.0.0.1 2>&1) && echo "$got" | grep -q 'Login: *root' && break
	sleep 0.1
done
echo "$got" | grep -q 'Login: *root' ||
	{ echo "$got" >&2; fail "finger root@127.0.0.1 was not answered"; }
ok "finger root@127.0.0.1 answered: $(echo "$got" | grep -m1 'Login:' | tr -s '\t ' ' ')"
/usr/sbin/superdctl -c /etc/superd.conf services > "$T/services" 2>&1
grep -q finger "$T/services" || { cat "$T/services" >&2; fail "superdctl services does not list finger"; }
wait_log "inetd-compat: /etc/inetd.conf: [1-9]" 50 || fail "superd did not log reading /etc/inetd.conf"
ok "served by superd: $(grep -m1 finger "$T/services" | tr -s '\t ' ' ')"

# hosts.deny keeps protecting migrated services.  inetd.conf lines get no
# defaults section (superd.conf(5)): update-inetd's lines run tcpd, which
# refuses as under openbsd-inetd.  Services of superd.conf and superd.d
# get the package's defaults { libwrap = yes }: superd itself refuses
# (logged and counted as libwrap) before any handler starts.
if [ -n "$NS" ]; then
	P=$BASE
	printf 'in.fingerd: 127.0.0.1\nwrapcheck: 127.0.0.1\n' > "$HD"
	timeout 5 finger root@127.0.0.1 > "$T/finger-denied" 2>&1
	grep -q 'Login:' "$T/finger-denied" && fail "finger answered despite hosts.deny"
	ok "hosts.deny 'in.fingerd: 127.0.0.1': tcpd refuses finger"
	printf 'service wrapcheck { type = builtin  server = echo  address = "127.0.0.1"  port = %d }\n' \
		$((P+1)) > /etc/superd.d/wrapcheck.conf
	/usr/sbin/superdctl -c /etc/superd.conf reload > "$T/reload" 2>&1 ||
		{ cat "$T/reload" >&2; fail "superdctl reload failed"; }
	[ "$($SDCLIENT -s hi 127.0.0.1 $((P+1)) 2>/dev/null)" = hi ] &&
		fail "wrapcheck answered despite hosts.deny"
	wait_log "service wrapcheck: refused 127.0.0.1: libwrap" 50 ||
		fail "superd did not refuse wrapcheck by libwrap"
	: > "$HD"
	[ "$($SDCLIENT -s hi 127.0.0.1 $((P+1)))" = hi ] ||
		fail "wrapcheck not answered once hosts.deny is empty"
	got=$(timeout 5 finger root@127.0.0.1 2>&1)
	echo "$got" | grep -q 'Login: *root' || fail "finger not answered once hosts.deny is empty"
	rm -f /etc/superd.d/wrapcheck.conf
	/usr/sbin/superdctl -c /etc/superd.conf reload > /dev/null 2>&1 || fail "superdctl reload failed"
	ok "a superd.d service gets the package's libwrap = yes: superd refused it, then served it"
else
	echo "note: no mount namespace: the hosts.deny part is not tried"
fi

# 5. Purge fingerd: update-inetd --remove, superd stops listening.
$APT purge fingerd > "$T/apt-purge-fingerd.log" 2>&1 ||
	{ tail -20 "$T/apt-purge-fingerd.log" >&2; fail "apt-get purge fingerd failed"; }
for _ in $(seq 100); do
	/usr/sbin/superdctl -c /etc/superd.conf services 2>/dev/null | grep -q finger || break
	sleep 0.1
done
/usr/sbin/superdctl -c /etc/superd.conf services 2>/dev/null | grep -q finger &&
	fail "finger still served after fingerd was purged"
timeout 5 finger root@127.0.0.1 > "$T/finger-after" 2>&1 &&
	grep -q 'Login:' "$T/finger-after" && fail "finger still answered"
ok "fingerd purged: superd no longer serves finger"

kill "$SPID"
for _ in $(seq 100); do
	kill -0 "$SPID" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$SPID" 2>/dev/null && fail "superd did not stop on SIGTERM"
wait "$SPID" 2>/dev/null
SPID=
FILES=$(dpkg -L superd | grep -v '^/\.$')
$APT purge superd > "$T/apt-purge-superd.log" 2>&1 ||
	{ tail -20 "$T/apt-purge-superd.log" >&2; fail "apt-get purge superd failed"; }
left=
for f in $FILES /etc/superd.conf /etc/superd.d \
    /etc/systemd/system/multi-user.target.wants/superd.service /run/superd; do
	case $f in
	# Directories other packages own too stay, as dpkg leaves them.
	/etc|/lib|/lib/systemd|/lib/systemd/system|/usr|/usr/bin|/usr/sbin|/usr/share|\
	/usr/share/doc|/usr/share/man|/usr/share/man/man?|/usr/share/bash-completion|\
	/usr/share/bash-completion/completions) continue ;;
	esac
	[ -e "$f" ] || [ -L "$f" ] && left="$left $f"
done
[ -z "$left" ] || fail "left after purge:$left"
[ "$INETD_EXISTED" = yes ] || [ ! -e /etc/inetd.conf ] ||
	fail "/etc/inetd.conf, created by the package and now empty, was left"
pkg_known superd && fail "dpkg still has a record of superd"
[ -z "$(pkg_superd_pids)" ] || fail "a /usr/sbin/superd still runs: $(pkg_superd_pids)"
ok "superd purged: no file, unit link, record or process left"
