#!/bin/sh
# systemd both ways.
# Intake: superd started by systemd-socket-activate uses the sockets it is
# given (matched by FileDescriptorName= or by address), keeps them across
# a reload, and does not leak LISTEN_* to handlers.
# Passing: pass-fds = systemd gives a handler written for socket
# activation its socket as fd 3 with LISTEN_FDS/LISTEN_PID/LISTEN_FDNAMES.
. "${top_srcdir}/tests/integration/lib.sh"
grep -q '^#define HAVE_SYSTEMD 1' "$top_builddir/config.h" || skip "built without libsystemd"
P=$BASE
HANDLER=$top_builddir/tests/integration/sdlisten_handler
ACTIVATE=$(command -v systemd-socket-activate || true)

{ conf_globals; cat <<CONF
service byname { type = builtin  address = "127.0.0.1"  port = $((P+50))  server = echo }
service byaddr { type = builtin  address = "127.0.0.1"  port = $((P+2))  server = echo }
service env { address = "127.0.0.1"  port = $((P+3))  server = "/usr/bin/env" }
service sdnowait { address = "127.0.0.1"  port = $((P+4))  server = "$HANDLER"  pass-fds = systemd }
service sdwait { address = "127.0.0.1"  port = $((P+5))  server = "$HANDLER"  pass-fds = systemd  wait = yes }
CONF
} > "$T/superd.conf"

# Part 2 first: pass-fds works without socket activation too.
start_superd
r=$($SDCLIENT -s hello 127.0.0.1 $((P+4)))
[ "$r" = "fds=1 name=connection listening=0 stdin=null: hello" ] || fail "pass-fds nowait: '$r'"
ok "pass-fds = systemd, nowait: the connection on fd 3, LISTEN_FDNAMES=connection"
r=$($SDCLIENT -s hi 127.0.0.1 $((P+5)))
[ "$r" = "fds=1 name=sdwait listening=1 stdin=null: hi" ] || fail "pass-fds wait: '$r'"
ok "pass-fds = systemd, wait: the listening socket on fd 3, named after the service"
stop_superd

[ -n "$ACTIVATE" ] || skip "systemd-socket-activate is not installed (package systemd)"
: > "$T/log"
# Port P+1 is given under the name "byname" although the config says
# P+50: the name wins.  Port P+2 is matched by address.
"$ACTIVATE" -l 127.0.0.1:$((P+1)) --fdname=byname -l 127.0.0.1:$((P+2)) \
	-l 127.0.0.1:$((P+6)) \
	"$SUPERD" -f -c "$T/superd.conf" 2>>"$T/log" &
SPID=$!
# systemd-socket-activate starts superd at the first connection; that
# connection waits in the backlog and superd serves it.
sleep 0.3
[ "$($SDCLIENT -t 5000 -s zero 127.0.0.1 $((P+1)))" = zero ] || fail "first connection not served"
wait_log "started" 50 || fail "superd did not start under systemd-socket-activate"
grep -q "service byname: using inherited socket fd 3 (127.0.0.1 port $((P+1))/stream, name byname)" "$T/log" \
	|| fail "byname did not take fd 3"
grep -q "service byaddr: using inherited socket fd 4 (127.0.0.1 port $((P+2))/stream" "$T/log" \
	|| fail "byaddr did not take fd 4"
grep -q "inherited socket fd 5 (127.0.0.1 port $((P+6))/stream.*) matches no service" "$T/log" \
	|| fail "no warning for the unused fd 5"
[ "$($SDCLIENT -s one 127.0.0.1 $((P+1)))" = one ] || fail "echo on the inherited named socket"
[ "$($SDCLIENT -s two 127.0.0.1 $((P+2)))" = two ] || fail "echo on the inherited socket by address"
$SDCLIENT -t 500 127.0.0.1 $((P+50)) >/dev/null 2>&1 && fail "superd bound the configured port too"
ok "inherited sockets used by name and by address; unused ones reported"

env=$($SDCLIENT 127.0.0.1 $((P+3)))
printf '%s\n' "$env" | grep -q '^LISTEN_' && fail "handler sees LISTEN_ variables"
ok "handlers do not see superd's LISTEN_ variables"

kill -HUP "$SPID"
wait_log "reloaded" 50 || fail "no reload"
[ "$($SDCLIENT -s three 127.0.0.1 $((P+1)))" = three ] || fail "inherited socket lost on reload"
# Remove byname, then add it back: it gets the same inherited socket.
sed -i '/^service byname/d' "$T/superd.conf"
kill -HUP "$SPID"; sleep 0.5
$SDCLIENT -t 500 -s x 127.0.0.1 $((P+1)) >/dev/null 2>&1 && fail "removed service still answers"
printf 'service byname { type = builtin  address = "127.0.0.1"  port = %d  server = echo }\n' $((P+50)) >> "$T/superd.conf"
kill -HUP "$SPID"; sleep 0.5
[ "$($SDCLIENT -s back 127.0.0.1 $((P+1)))" = back ] || fail "re-added service did not get its socket back"
ok "inherited sockets survive reloads, and come back to a re-added service"
kill -0 "$SPID" || fail "superd died"
