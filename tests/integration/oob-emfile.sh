#!/bin/sh
# Out of descriptors with an OOB endpoint: a client knocking on the
# oob-port while superd cannot accept must not make the endpoint's
# listener fire in a loop (it runs at the top priority, so a loop there
# would also starve every data and client connection); once the clients
# leave, echo, control and the OOB endpoint all answer again.
. "${top_srcdir}/tests/integration/lib.sh"
P=$BASE
CTL="$top_builddir/superdctl"
[ -x "$CTL" ] || fail "superdctl not built ($CTL)"
HZ=$(getconf CLK_TCK 2>/dev/null) || HZ=100
NFD=64
NCLIENTS=80
{ conf_globals; cat <<CONF
service echo { type = builtin  address = "127.0.0.1"  port = $((P+1))  server = echo }
service slow { address = "127.0.0.1"  port = $((P+3))  server = "/bin/sleep"  args = {"30"}  oob-port = $((P+2)) }
CONF
} > "$T/superd.conf"
(ulimit -n $NFD && exec "$SUPERD" -f -c "$T/superd.conf") 2>>"$T/log" &
SPID=$!
wait_log "started" 50 || fail "superd did not start"

# Clients still running when the test ends are stopped with it.
clients=
trap 'kill $clients 2>/dev/null; cleanup' EXIT
# Idle connections to echo, more than superd has descriptors for; each
# client gives up by itself after 30 s at the latest.
for i in $(seq $NCLIENTS); do
	$SDCLIENT -k -t 30000 127.0.0.1 $((P+1)) >/dev/null 2>&1 &
	clients="$clients $!"
done
wait_log "accept: Too many open files; pausing" 100 ||
	fail "superd never ran out of descriptors ($NCLIENTS clients, ulimit -n $NFD)"
ok "superd is out of descriptors"

# One client on the OOB port, while nothing can be accepted.
$SDCLIENT -k -t 30000 127.0.0.1 $((P+2)) >/dev/null 2>&1 &
oobc=$!
clients="$clients $oobc"
sleep 1
# A loop that never sleeps is in state R (running or runnable) whenever
# it is looked at, even on a busy machine where it gets little CPU; an
# idle superd sleeps in epoll_wait (S).  CPU ticks are shown too.
t1=$(awk '{print $14 + $15}' "/proc/$SPID/stat") || fail "superd gone"
running=0
for _ in $(seq 20); do
	read -r st < "/proc/$SPID/stat" || fail "superd gone"
	set -- $st
	[ "$3" = R ] && running=$((running + 1))
	sleep 0.25
done
t2=$(awk '{print $14 + $15}' "/proc/$SPID/stat") || fail "superd gone"
used=$((t2 - t1))
[ "$running" -lt 10 ] ||
	fail "OOB listener out of descriptors: expected superd to sleep" \
	    "between events (runnable in < 10 of 20 looks over 5 s), saw it" \
	    "runnable in $running, $used CPU ticks of $((HZ * 5)) (spinning)"
ok "out of descriptors with an OOB client: superd runnable in" \
    "$running of 20 looks, $used CPU ticks in 5 s"

# Everyone leaves; superd must serve again by itself.
for c in $clients; do kill "$c" 2>/dev/null; done
for c in $clients; do wait "$c" 2>/dev/null; done
ok=
for _ in $(seq 20); do
	r=$($SDCLIENT -t 500 -s back 127.0.0.1 $((P+1)) 2>/dev/null)
	[ "$r" = back ] && { ok=1; break; }
	sleep 0.1
done
[ -n "$ok" ] || fail "after the clients left: expected echo to answer 'back'," \
    "saw '$r'"
"$CTL" -S "$T/control.sock" -t 5 status > "$T/st" 2>&1 ||
	fail "after the clients left: expected superdctl status to answer," \
	    "saw: $(cat "$T/st")"
r=$($SDCLIENT -t 5000 -s "CANCEL 0123456789abcdef0123456789abcdef" \
    127.0.0.1 $((P+2)))
case "$r" in
"ERR ENOENT "*) ;;
*) fail "after the clients left: expected 'ERR ENOENT ...' from the OOB" \
    "endpoint for an unknown token, saw '$r'";;
esac
ok "after the clients left: echo, control and the OOB endpoint answer"
kill -0 "$SPID" || fail "superd died"
