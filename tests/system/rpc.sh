#!/bin/sh
# type = rpc with Debian's rpcbind, rpc.rstatd (rstatd) and rup
# (rstat-client): superd registers every version of rstatd with rpcbind,
# rpcinfo -p lists it, rup answers through it; a reload that changes the
# versions or removes the service updates rpcbind; stopping superd
# removes it; after rpcbind is killed with -9 and started again (without
# -w, so it restores nothing itself) superd registers it again within
# its check period (RPCREG_CHECK_SEC).  Last, Debian's own inetd.conf
# line for rstatd (its postinst's update-inetd line) through inetd-compat.
. "${top_srcdir}/tests/integration/lib.sh"
LOOKUP=$top_builddir/superd-lookup
RSTATD=/usr/sbin/rpc.rstatd
POSTINST='rstatd/1-5	dgram	rpc/udp	wait	nobody	/usr/sbin/tcpd	/usr/sbin/rpc.rstatd'

[ "$(id -u)" = 0 ] || skip "rpcbind and registrations need root"
for c in rpcbind rpcinfo rup; do
	command -v $c >/dev/null || skip "$c not installed (Debian: rpcbind, rstat-client)"
done
[ -x $RSTATD ] || skip "$RSTATD not installed (Debian: rstatd)"
[ -x /usr/sbin/tcpd ] || skip "/usr/sbin/tcpd not installed (Debian: tcpd)"
printf 'log-level = info\nservice r { type = rpc rpc-program = 100001 rpc-versions = 1 server = "/bin/cat" }\n' >"$T/probe.conf"
if ! "$SUPERD" -t -c "$T/probe.conf" >"$T/probe.out" 2>&1; then
	grep -q libtirpc "$T/probe.out" && skip "superd built without libtirpc"
	cat "$T/probe.out"; fail "superd -t refused a type = rpc service"
fi
# rpcbind owns port 111 and /run/rpcbind.sock: one per host.  A system
# one is not ours to kill.
if pgrep -x rpcbind >/dev/null || rpcinfo -p >/dev/null 2>&1; then
	skip "an rpcbind is already running (stop it to run this test)"
fi

RBPID=
# start_rpcbind: Debian's rpcbind in the foreground, no -w (warm start).
start_rpcbind() {
	rpcbind -f 2>>"$T/rpcbind.log" &
	RBPID=$!
	for _ in $(seq 50); do
		rpcinfo -p >/dev/null 2>&1 && return 0
		kill -0 $RBPID 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
kill_rpcbind() {
	[ -n "$RBPID" ] || return 0
	kill -KILL $RBPID 2>/dev/null
	wait $RBPID 2>/dev/null
	RBPID=
}
trap 'cleanup; kill_rpcbind' EXIT
start_rpcbind || { cat "$T/rpcbind.log"; skip "rpcbind cannot start here"; }
ok "rpcbind started (pid $RBPID)"

# versions: the rstatd versions rpcinfo -p lists now, e.g. "1 2 3 4 5".
versions() {
	rpcinfo -p 2>/dev/null | awk '$1 == 100001 && $3 == "udp" { print $2 }' |
	    sort -n | tr '\n' ' ' | sed 's/ $//'
}
# wait_versions WANT [tenths]: until rpcinfo -p lists exactly WANT.
wait_versions() {
	for _ in $(seq "${2:-50}"); do
		[ "$(versions)" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
# rup_ok: rup gets rpc.rstatd's answer through the registered port.
rup_ok() {
	timeout 20 rup localhost >"$T/rup.out" 2>&1 &&
	    grep -q 'load' "$T/rup.out"
}
# stop_all: stop superd and the rpc.rstatd it left running (on-exit =
# keep): the next superd would re-adopt that wait handler from its state
# file and keep the service paused, unregistered, until it exits.
stop_all() {
	stop_superd
	pkill -x rpc.rstatd 2>/dev/null
	for _ in $(seq 50); do pgrep -x rpc.rstatd >/dev/null || break; sleep 0.1; done
}
rstatd_conf() {
	{ conf_globals; cat <<CONF
service rstatd {
	type = rpc
	rpc-program = rstatd
	rpc-versions = "$1"
	socket = dgram
	wait = yes
	user = nobody
	server = /usr/sbin/tcpd
	argv0 = $RSTATD
}
CONF
	} >"$T/superd.conf"
}

rstatd_conf 1-5
start_superd
wait_log "service rstatd: RPC program 100001 versions 1-5 registered" 50 ||
	fail "no registration logged"
port=$(sed -n 's/.*service rstatd: listening on .* port \([0-9]*\) (dynamic).*/\1/p' "$T/log" | tail -1)
[ -n "$port" ] || fail "no dynamic port logged"
[ "$(versions)" = "1 2 3 4 5" ] || { rpcinfo -p; fail "rpcinfo -p lists versions '$(versions)'"; }
[ "$(rpcinfo -p | awk '$1 == 100001 { print $4 }' | sort -u)" = "$port" ] ||
	{ rpcinfo -p; fail "rpcinfo -p has another port than $port"; }
ok "rpcinfo -p lists rstatd 1-5 at superd's port $port"
[ "$(SUPERD_DIRECTORY=$T/directory.sock "$LOOKUP" -p -P udp rstatd)" = "$port" ] ||
	fail "superd-lookup does not list rstatd at $port"
SUPERD_DIRECTORY=$T/directory.sock "$LOOKUP" -j rstatd | grep -q '"rpc-program":"100001","rpc-versions":"1-5"' ||
	fail "superd-lookup -j shows no rpc-program / rpc-versions tags"
ok "superd-lookup lists rstatd at $port, program 100001 versions 1-5"
"$top_builddir/superdctl" -S "$T/control.sock" service rstatd >"$T/ctl" ||
	fail "superdctl service rstatd: exit $?"
grep -Eq '^rpcbind +registered$' "$T/ctl" || { cat "$T/ctl"; fail "superdctl does not say registered"; }
ok "superdctl service rstatd: rpcbind registered"
rup_ok || { cat "$T/rup.out"; fail "rup localhost did not answer"; }
ok "rup localhost: $(cat "$T/rup.out")"

# rpcbind dies and comes back empty: superd notices on its next check.
kill_rpcbind
start_rpcbind || fail "rpcbind did not start again"
wait_versions "1 2 3 4 5" 150 || fail "rstatd not registered again after the rpcbind restart"
grep -q "rpcbind lost RPC program 100001" "$T/log" ||
	fail "the re-registration was not superd's (no 'lost' line)"
ok "after kill -9 and restart of rpcbind, superd registered rstatd again"
rup_ok || { cat "$T/rup.out"; fail "rup localhost after the rpcbind restart"; }
ok "rup answers again"

# Reload: fewer versions, then no service, then back.
rstatd_conf 2-4
kill -HUP "$SPID"
wait_versions "2 3 4" || fail "after a reload to 2-4 rpcinfo lists '$(versions)'"
ok "reload to rpc-versions 2-4: rpcbind has exactly 2 3 4"
{ conf_globals; echo 'service echo { type = builtin address = "127.0.0.1" port = 0 server = echo }'; } >"$T/superd.conf"
kill -HUP "$SPID"
wait_versions "" || fail "after removing the service rpcinfo lists '$(versions)'"
ok "reload without the service: unregistered"
rstatd_conf 1-5
kill -HUP "$SPID"
wait_versions "1 2 3 4 5" || fail "the service put back is not registered"
stop_all
[ "$(versions)" = "" ] || fail "superd stopped, rpcinfo -p still lists '$(versions)'"
ok "superd stopped: rstatd unregistered"

# Debian's inetd.conf line, read by inetd-compat.
printf '%s\n' "$POSTINST" >"$T/inetd.conf"
{ conf_globals; echo "inetd-compat = \"$T/inetd.conf\""; } >"$T/superd.conf"
: >"$T/log"
start_superd
wait_versions "1 2 3 4 5" || fail "the inetd.conf rstatd line is not registered"
rup_ok || { cat "$T/rup.out"; fail "rup localhost through the inetd.conf line"; }
ok "inetd.conf '$POSTINST': registered, rup answers"
stop_all
[ "$(versions)" = "" ] || fail "inetd-compat rstatd still registered after stop"
ok "and unregistered at stop"

# A hung rpcbind (SIGSTOP: its socket still accepts, nothing answers)
# must not stall superd: the directory answers meanwhile, and at stop
# superd gives up on rpcbind after RPCREG_STOP_MS and exits by itself.
kill -STOP $RBPID
rstatd_conf 1-5
: >"$T/log"
start_superd
port=$(timeout 5 env SUPERD_DIRECTORY=$T/directory.sock "$LOOKUP" -p rstatd) ||
	fail "superd-lookup did not answer while rpcbind hangs"
ok "rpcbind stopped (SIGSTOP): superd-lookup still answers ($port)"
stop_all
grep -q "rpcbind did not answer within 2000 ms" "$T/log" ||
	fail "no give-up line at stop"
grep -q "exited" "$T/log" || fail "superd did not exit by itself with rpcbind hung"
ok "stop with rpcbind hung: superd gave up after 2 s and exited"
kill -CONT $RBPID
