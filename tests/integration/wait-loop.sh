#!/bin/sh
# wait mode: a handler that fails at once is not restarted in a tight loop
# for the request it left waiting; the service pauses, comes back by
# itself, and other services keep serving.
. "${top_srcdir}/tests/integration/lib.sh"
P=$BASE
mkdir -p "$T/jail/bin" && cp /bin/cat "$T/jail/bin/cat"	# no loader inside
{ conf_globals; cat <<CONF
service bad { protocol = udp  address = "127.0.0.1"  port = $((P+1))  wait = yes  server = "/bin/false" }
service nochroot { protocol = udp  address = "127.0.0.1"  port = $((P+2))  wait = yes  server = "/bin/cat"  chroot = "$T/jail" }
service echo { type = builtin  address = "127.0.0.1"  port = $((P+3))  server = "echo" }
CONF
} > "$T/superd.conf"
start_superd

$SDCLIENT -u -q -t 200 -s x 127.0.0.1 $((P+1)) >/dev/null 2>&1
$SDCLIENT -u -q -t 200 -s x 127.0.0.1 $((P+2)) >/dev/null 2>&1
wait_log "service bad: wait handler failed 5 times in a row; pausing this listener for 1s" 50 \
	|| fail "no pause after a failing wait handler"
wait_log "service nochroot: wait handler failed 5 times in a row; pausing" 50 \
	|| fail "no pause after wait spawn failures"
ok "failing wait handlers pause their listener"

# Over 3.5 s a tight loop would start thousands; the doubling pauses
# (1 s, 2 s, ...) allow 5 + 1 + 1 and perhaps one more.
sleep 3.5
n=$(count_log "service bad: session S[0-9]* from")
[ "$n" -ge 6 ] && [ "$n" -le 9 ] || fail "bad started $n handlers in 3.5s"
n=$(count_log "service nochroot: cannot start")
[ "$n" -ge 6 ] && [ "$n" -le 9 ] || fail "nochroot tried $n spawns in 3.5s"
ok "restarts back off ($n spawn attempts in 3.5 s)"

[ "$($SDCLIENT -s alive 127.0.0.1 $((P+3)))" = alive ] || fail "other services hurt"
ok "other services keep serving"
kill -0 "$SPID" || fail "superd died"
