#!/bin/sh
# type = rpc with Debian's rpcbind, rpc.rstatd (rstatd) and rup
# (rstat-client): superd registers every version of rstatd with rpcbind,
# rpcinfo -p lists it, rup answers through it; a reload that changes the
# versions or removes the service updates rpcbind; stopping superd
# removes it; after rpcbind is killed with -9 and started again (without
# -w, so it restores nothing itself) superd registers it again within
# its check period (RPCREG_CHECK_SEC).  superd restarted (kill -9, or a
# stop that leaves rpc.rstatd running) registers the port that the old
# rpc.rstatd serves at once, and its own again when that one exits.  Last, Debian's own inetd.conf
# line for rstatd (its postinst's update-inetd line) through inetd-compat.
. "${top_srcdir}/tests/integration/lib.sh"
LOOKUP=$top_builddir/superd-lookup
RSTATD=/usr/sbin/rpc.rstatd
POSTINST='rstatd/1-5	dgram	rpc/udp	wait	nobody	/usr/sbin/tcpd	/usr/sbin/rpc.rstatd'

[ "$(id -u)" = 0 ] || skip "rpcbind and registrations need root"
for c in rpcbind rpcinfo rup python3; do
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
KA=
trap 'cleanup; kill_rpcbind; [ -z "$KA" ] || kill $KA 2>/dev/null' EXIT
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
# keep), so that the next part starts without a handler from before
# (the restart while one runs is tested on its own below).
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

# An in-place upgrade hands the socket over: rpcbind keeps the entry
# as it is (the new binary finds it listed), never without it.
"$top_builddir/superdctl" -S "$T/control.sock" upgrade >"$T/up" 2>&1 ||
	fail "upgrade: $(cat "$T/up")"
wait_log "upgraded in place" 50 || fail "no upgrade logged"
wait_log "service rstatd: RPC program 100001 versions 1-5 registered with rpcbind (port $port) already; kept" 50 ||
	fail "after the upgrade rstatd was registered anew: $(grep 'RPC program' "$T/log" | tail -2)"
grep -q "RPC program 100001 unregistered" "$T/log" && fail "rstatd was unregistered by the upgrade"
[ "$(versions)" = "1 2 3 4 5" ] || fail "after the upgrade rpcinfo lists '$(versions)'"
rup_ok || { cat "$T/rup.out"; fail "rup after the upgrade"; }
ok "upgrade: the rpcbind entry at $port is kept as it was, rup answers"

# superd restarts while rpc.rstatd (wait mode) still serves the port:
# the next superd registers that port with rpcbind and lists it in the
# directory at once, not when the handler exits.  First kill -9 (the
# old registration stays at rpcbind; superd must take it as its own),
# then a clean stop with on-exit = keep (superd unregisters at stop, so
# the next one must register the old handler's port again).
# registered_at PORT: rpcinfo -p, superd-lookup and superdctl agree.
registered_at() {
	wait_versions "1 2 3 4 5" || return 1
	[ "$(rpcinfo -p | awk '$1 == 100001 { print $4 }' | sort -u)" = "$1" ] || return 1
	[ "$(SUPERD_DIRECTORY=$T/directory.sock "$LOOKUP" -p -P udp rstatd)" = "$1" ] || return 1
	for _ in $(seq 50); do
		"$top_builddir/superdctl" -S "$T/control.sock" service rstatd |
		    grep -Eq '^rpcbind +registered$' && return 0
		sleep 0.1
	done
	return 1
}
# rpc.rstatd exits a second after its last call: keep it busy with an
# RSTATPROC_STATS call every 0.2 s to its port (straight, not through
# rpcbind), for at most 60 s, until $T/keepalive.stop appears; the
# first answer makes $T/keepalive.up.
rm -f "$T/keepalive.stop" "$T/keepalive.up"
python3 - "$port" "$T/keepalive.stop" "$T/keepalive.up" <<'PY' &
import os, socket, struct, sys, time
port, stop, up = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.2)
for xid in range(1, 301):
    if os.path.exists(stop):
        break
    # CALL, RPC 2, program 100001 version 3 procedure 1, AUTH_NONE
    s.sendto(struct.pack('>10I', xid, 0, 2, 100001, 3, 1, 0, 0, 0, 0),
        ('127.0.0.1', port))
    try:
        s.recv(4096)
        open(up, 'a').close()
    except OSError:
        pass
    time.sleep(0.2)
PY
KA=$!
for _ in $(seq 200); do [ -e "$T/keepalive.up" ] && break; sleep 0.1; done
[ -e "$T/keepalive.up" ] || fail "rpc.rstatd does not answer at $port"
rspid=$(pgrep -x rpc.rstatd) || fail "no rpc.rstatd runs"
kill -KILL "$SPID"; wait "$SPID" 2>/dev/null; SPID=
start_superd
wait_log "service rstatd: its wait handler from before the restart still serves .* port $port" 30 ||
	fail "after kill -9 the new superd does not list rstatd at $port"
registered_at "$port" || { rpcinfo -p; fail "after kill -9: rstatd is not registered at $port (lookup: $(SUPERD_DIRECTORY=$T/directory.sock "$LOOKUP" -p rstatd))"; }
rup_ok || { cat "$T/rup.out"; fail "rup after kill -9"; }
[ "$(pgrep -x rpc.rstatd)" = "$rspid" ] || fail "rup was not answered by the old rpc.rstatd"
ok "kill -9 of superd while rpc.rstatd runs: registered at $port at once, rup answers"
stop_superd
[ "$(versions)" = "" ] || fail "superd stopped, rpcinfo -p still lists '$(versions)'"
kill -0 "$rspid" || fail "rpc.rstatd did not outlive superd (on-exit = keep)"
start_superd
registered_at "$port" || { rpcinfo -p; fail "after a stop with on-exit = keep: rstatd is not registered at $port"; }
rup_ok || { cat "$T/rup.out"; fail "rup after the restart"; }
ok "restart with rpc.rstatd left running: registered at $port at once, rup answers"
bound="service rstatd: listening on .* port $port (dynamic)"
n=$(count_log "$bound")
kill -0 "$rspid" || fail "the old rpc.rstatd did not live until now"
kill "$rspid"
wait_log "service rstatd: the wait handler from before the restart exited; resuming" 50 ||
	fail "rstatd did not resume when the old rpc.rstatd exited"
wait_count "$bound" $((n + 1)) 30 ||
	fail "rstatd did not bind its free port $port again: $(grep 'service rstatd: listening' "$T/log" | tail -1)"
touch "$T/keepalive.stop"; wait "$KA"; KA=
registered_at "$port" || { rpcinfo -p; fail "after the old rpc.rstatd exited: not registered at $port"; }
rup_ok || { cat "$T/rup.out"; fail "rup after the old rpc.rstatd exited"; }
[ "$(pgrep -x rpc.rstatd)" != "$rspid" ] || fail "still the old rpc.rstatd"
ok "the old rpc.rstatd exited: rstatd bound $port again, registered, a new rpc.rstatd answers rup"

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
