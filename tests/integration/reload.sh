#!/bin/sh
# SIGHUP: unchanged services keep their sockets (zero refused during a
# stream of connections), dynamic ports stay, services come and go, an
# invalid config is rejected and the old one keeps serving.
. "${top_srcdir}/tests/integration/lib.sh"
P=$BASE
LOGLEVEL=debug
conf() {
	{ conf_globals; cat <<CONF
service echo { type = builtin  address = "127.0.0.1"  port = $((P+1))  server = echo }
service dyn { type = builtin  address = "127.0.0.1"  port = 0  server = echo }
service cat { address = "127.0.0.1"  port = $((P+2))  server = "/bin/cat" }
CONF
	[ "${1:-}" ] && printf '%s\n' "$1"
	} > "$T/superd.conf"
}
conf
start_superd
dynport() { grep "service dyn: listening on 127.0.0.1 port" "$T/log" | tail -1 | sed 's/.* port \([0-9]*\).*/\1/'; }
d1=$(dynport)
[ -n "$d1" ] || fail "no dynamic port"
[ "$($SDCLIENT -s d 127.0.0.1 "$d1")" = d ] || fail "dynamic port not reachable"
ok "port = 0 service reachable at $d1"

# A bounded stream of connections while we reload five times.
$SDCLIENT -n 600 -s r -x r 127.0.0.1 $((P+1)) > "$T/stream.out" &
c1=$!
$SDCLIENT -n 300 -s r -x r 127.0.0.1 $((P+2)) > "$T/stream2.out" &
c2=$!
for i in 1 2 3 4 5; do
	sleep 0.1
	conf "service extra$i { type = builtin  address = \"127.0.0.1\"  port = $((P+10+i))  server = echo }"
	kill -HUP "$SPID"
done
wait $c1 || fail "connections refused during reload: $(cat "$T/stream.out")"
wait $c2 || fail "exec connections failed during reload: $(cat "$T/stream2.out")"
ok "5 reloads under load: $(cat "$T/stream.out")"
wait_count 'reloaded' 1 || fail "no reload logged"

wait_log "service extra5: listening" 30 || fail "added service not bound"
[ "$($SDCLIENT -s x 127.0.0.1 $((P+15)))" = x ] || fail "added service"
$SDCLIENT -t 500 -s x 127.0.0.1 $((P+11)) >/dev/null && fail "removed service still answers"
ok "services added and removed by reload"
[ "$(dynport)" = "$d1" ] || fail "dynamic port changed across reload"
[ "$($SDCLIENT -s d 127.0.0.1 "$d1")" = d ] || fail "dynamic port gone after reload"
ok "dynamic port kept across reloads"

# An invalid config: logged with file:line, old config keeps serving.
printf 'service broken {\n port = 99999\n server = "/bin/cat"\n}\n' >> "$T/superd.conf"
kill -HUP "$SPID"
wait_log 'superd.conf:[0-9]*: service "broken": port 99999 out of range' 30 || fail "bad reload not logged"
wait_log "keeping the running configuration" 30 || fail "no keep message"
[ "$($SDCLIENT -s still 127.0.0.1 $((P+1)))" = still ] || fail "old config not serving"
ok "invalid reload rejected, old configuration serving"
kill -0 "$SPID" || fail "superd died"
