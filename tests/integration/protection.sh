#!/bin/sh
# Access lists, per-source limits and a one-source flood that leaves the
# listener open for everyone else.
. "${top_srcdir}/tests/integration/lib.sh"
P=$BASE
LOGLEVEL=info
{ conf_globals; cat <<CONF
service acl { type = builtin  address = "127.0.0.1"  port = $((P+1))  server = echo
  only-from = {"127.0.0.0/8"}  no-access = {"127.0.0.3"} }
service ps { address = "127.0.0.1"  port = $((P+2))  server = "/bin/sh"  args = {"-c", "sleep 2; echo hi"}
  per-source = 1 }
service flood { type = builtin  address = "127.0.0.1"  port = $((P+3))  server = echo
  per-source-rate = "100/s burst 100" }
service v6acl { type = builtin  address = "::1"  port = $((P+4))  server = echo  only-from = {"10.0.0.0/8"} }
CONF
} > "$T/superd.conf"
start_superd

[ "$($SDCLIENT -b 127.0.0.2 -s a 127.0.0.1 $((P+1)))" = a ] || fail "allowed source refused"
[ -z "$($SDCLIENT -b 127.0.0.3 -s a 127.0.0.1 $((P+1)))" ] || fail "no-access source served"
[ -z "$($SDCLIENT -s a ::1 $((P+4)))" ] || fail "v6 source outside only-from served"
wait_log "service acl: refused 127.0.0.3: acl" 20 || fail "refusal not logged"
ok "only-from / no-access, longest match (v4 and v6)"

$SDCLIENT -b 127.0.0.2 -t 4000 127.0.0.1 $((P+2)) > "$T/ps1" &
a=$!
sleep 0.3
[ -z "$($SDCLIENT -b 127.0.0.2 -t 4000 127.0.0.1 $((P+2)))" ] || fail "per-source = 1 let a second one in"
kill -HUP "$SPID"	# the per-source count must survive a reload
wait_log "reloaded" 20 || fail "reload"
[ -z "$($SDCLIENT -b 127.0.0.2 -t 4000 127.0.0.1 $((P+2)))" ] || fail "per-source count lost by reload"
[ "$($SDCLIENT -b 127.0.0.4 -t 4000 127.0.0.1 $((P+2)))" = hi ] || fail "other source refused"
wait $a
[ "$(cat "$T/ps1")" = hi ] || fail "first per-source connection"
[ "$($SDCLIENT -b 127.0.0.2 -t 4000 127.0.0.1 $((P+2)))" = hi ] || fail "per-source slot not released"
ok "per-source = 1 refuses only the second connection of that source, across a reload"

# Flood from 127.0.0.2 (bounded: 3000 connections as fast as it can),
# steady 127.0.0.3 at 50/s, under a per-source rate of 100/s.
$SDCLIENT -q -R -n 3000 -t 1000 -b 127.0.0.2 -s f 127.0.0.1 $((P+3)) &
f=$!
$SDCLIENT -n 100 -i 20 -b 127.0.0.3 -s s -x s 127.0.0.1 $((P+3)) > "$T/steady" || true
wait $f
okn=$(sed 's/ok=\([0-9]*\).*/\1/' "$T/steady")
refused=$(sed 's/.*refused=\([0-9]*\).*/\1/' "$T/steady")
[ "$okn" -ge 99 ] || fail "steady source got only $okn/100: $(cat "$T/steady")"
[ "$refused" -eq 0 ] || fail "ECONNREFUSED seen: listener closed"
ok "flood from one source; steady source $(cat "$T/steady")"
[ "$($SDCLIENT -s after 127.0.0.1 $((P+3)))" = after ] || fail "service after flood"
ok "service answers after the flood"
kill -0 "$SPID" || fail "superd died"
