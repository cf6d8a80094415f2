#!/bin/sh
# Crash recovery of a wait-mode service on a dynamic port (port = 0):
# superd is killed with SIGKILL while the wait handler serves the port
# the OS gave the service.  The next superd re-adopts the handler and
# lists that port at once (the state file records where the handler's
# socket is bound): superd-lookup finds it and the old handler answers
# there; an upgrade while it lives keeps it listed; when it exits, the
# service binds again, on the same port (free again), and resumes with
# a new handler.
. "${top_srcdir}/tests/integration/lib.sh"
LOGLEVEL=info
CTL="$top_builddir/superdctl"
LOOKUP=$top_builddir/superd-lookup
WECHO=$top_builddir/tests/integration/tcp_wait_echo
[ -x "$CTL" ] || fail "superdctl not built ($CTL)"
[ -x "$LOOKUP" ] || fail "superd-lookup not built ($LOOKUP)"
[ -x "$WECHO" ] || fail "tcp_wait_echo not built ($WECHO)"
[ -e /proc/self/stat ] || skip "no /proc"
ctl() { "$CTL" -S "$T/control.sock" -t 5 "$@"; }
lookup() { SUPERD_DIRECTORY=$T/directory.sock "$LOOKUP" "$@"; }

# The handler exits after 6 s without a connection.
{ conf_globals; cat <<CONF
service w { address = "127.0.0.1"  port = 0  wait = yes
  server = "$WECHO"  args = {"6000"} }
CONF
} > "$T/superd.conf"
start_superd
port=$(lookup -p w) || fail "lookup -p w: exit $?"
[ "$port" -gt 0 ] 2>/dev/null || fail "no dynamic port: '$port'"
r=$($SDCLIENT -t 3000 -s hi 127.0.0.1 "$port")
wpid=${r#pid:}; wpid=${wpid%%[!0-9]*}
[ -n "$wpid" ] || fail "wait handler: '$r'"
# The table is written within 100 ms of a change.
for _ in $(seq 30); do
	grep -q "^bound id=[0-9]* addr=127.0.0.1 port=$port " "$T/superd.state" 2>/dev/null && break
	sleep 0.1
done
grep -q "^bound id=[0-9]* addr=127.0.0.1 port=$port v6only=[01]$" "$T/superd.state" ||
	fail "the state file does not record the handler's socket: $(cat "$T/superd.state")"
ok "the state file records the wait handler's socket (port $port)"

kill -KILL "$SPID"; wait "$SPID" 2>/dev/null; SPID=
kill -0 "$wpid" || fail "the wait handler died with superd"
start_superd
wait_log "re-adopting" 100 || fail "no re-adoption logged"
got=$(lookup -p w) || fail "lookup -p w after the restart: exit $?"
[ "$got" = "$port" ] || fail "after the restart superd-lookup lists port '$got', the old handler serves $port"
lookup -l w | grep -Eq "^w +tcp +127\.0\.0\.1 +$port +dynamic .* listening$" ||
	fail "lookup -l w: $(lookup -l w)"
ctl services | grep -q "^w .*127.0.0.1:$port" ||
	fail "superdctl services: $(ctl services)"
r=$($SDCLIENT -t 3000 -s again 127.0.0.1 "$port")
case "$r" in "pid:$wpid"*again) ;; *) fail "expected the old handler (pid $wpid) at $port, saw '$r'";; esac
ok "after kill -9 the directory lists port $port at once; the old handler answers there"

# An upgrade while the old handler lives: still listed, still paused.
ctl upgrade >"$T/up" 2>&1 || fail "upgrade: $(cat "$T/up")"
wait_log "upgraded in place" 50 || fail "no upgrade logged"
[ "$(lookup -p w)" = "$port" ] || fail "after the upgrade lookup lists '$(lookup -p w)'"
grep -q "service w: .*retrying\|Address already in use" "$T/log" &&
	fail "superd tried to bind the port the old handler holds"
ok "an upgrade keeps it listed at $port"

wait_log "the wait handler from before the restart exited; resuming" 200 ||
	fail "w did not resume"
wait_log "service w: listening on 127.0.0.1 port" 30 || fail "w did not bind again"
got=$(lookup -p w) || fail "lookup -p w after the old handler: exit $?"
[ "$got" = "$port" ] || fail "w bound again at '$got', not at its free port $port"
r=$($SDCLIENT -t 3000 -s new 127.0.0.1 "$port")
case "$r" in "pid:$wpid"*) fail "w: still the old handler";;
    "pid:"*new) ;; *) fail "w after resuming: '$r'";; esac
ok "when the old handler exits, w binds port $port again and a new handler serves"
kill -0 "$SPID" || fail "superd died"
