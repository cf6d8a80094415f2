#!/bin/sh
# Out of file descriptors (EMFILE): superd backs off instead of spinning,
# and serves again by itself once descriptors are free.
. "${top_srcdir}/tests/integration/lib.sh"
P=$BASE
{ conf_globals; cat <<CONF
service echo { type = builtin  address = "127.0.0.1"  port = $((P+1))  server = echo }
CONF
} > "$T/superd.conf"
# A low descriptor limit for superd only (the shell's own is restored).
(ulimit -n 48 && exec "$SUPERD" -f -c "$T/superd.conf") 2>>"$T/log" &
SPID=$!
wait_log "started" 50 || fail "superd did not start"

# 60 connections that stay open for 3 s: more than superd can hold.
clients=
for i in $(seq 60); do
	$SDCLIENT -k -t 3000 -w 3000 -s x 127.0.0.1 $((P+1)) >/dev/null 2>&1 &
	clients="$clients $!"
done
wait_log "accept: Too many open files; pausing" 50 || fail "no EMFILE back-off logged"
sleep 1
ticks=$(awk '{print $14 + $15}' "/proc/$SPID/stat")
sleep 1
ticks2=$(awk '{print $14 + $15}' "/proc/$SPID/stat")
used=$((ticks2 - ticks))
[ "$used" -lt 30 ] || fail "superd busy while out of descriptors: $used ticks in 1s"
ok "EMFILE: listener paused, $used CPU ticks in 1s"
for c in $clients; do wait "$c"; done
[ "$($SDCLIENT -s back 127.0.0.1 $((P+1)))" = back ] || fail "did not resume"
[ "$(count_log 'accept: Too many open files')" -lt 10 ] || fail "EMFILE logged too often"
ok "serves again once descriptors are free"
