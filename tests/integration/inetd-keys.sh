#!/bin/sh
# What xinetd and inetd users rely on: banner / banner-success /
# banner-fail, env-pass, max-load, and host names in only-from /
# no-access (resolved at load: localhost from /etc/hosts).
. "${top_srcdir}/tests/integration/lib.sh"
P=$BASE
LOGLEVEL=info
printf 'WELCOME\r\n' > "$T/banner"
printf 'GRANTED\r\n' > "$T/success"
printf 'DENIED\r\n' > "$T/fail"

# A threshold safely below the load: a tenth of it (the 1-minute average
# cannot fall that far within this test).  At an idle 0.00 the machine
# is given some load first (bounded), since no threshold is below zero.
load1() { cut -d' ' -f1 /proc/loadavg; }
[ -r /proc/loadavg ] || skip "no /proc/loadavg"
if awk -v l="$(load1)" 'BEGIN { exit !(l < 0.05) }'; then
	( i=0; while [ $i -lt 3000000 ]; do i=$((i+1)); done ) &
	busy=$!
	for _ in $(seq 300); do
		awk -v l="$(load1)" 'BEGIN { exit !(l >= 0.05) }' && break
		sleep 0.1
	done
	kill "$busy" 2>/dev/null; wait "$busy" 2>/dev/null
fi
LOW=$(awk -v l="$(load1)" 'BEGIN { printf "%.4f", l / 10 }')
awk -v l="$LOW" 'BEGIN { exit !(l > 0) }' || skip "load average stays 0.00"

{ conf_globals; cat <<CONF
service ban { address = "127.0.0.1"  port = $((P+1))  server = "/bin/echo"  args = {"handler"}
  banner = "$T/banner"  banner-success = "$T/success"  banner-fail = "$T/fail"
  no-access = {"127.0.0.3"} }
service env { address = "127.0.0.1"  port = $((P+2))  server = "/bin/sh"
  args = {"-c", "echo \"\$PASSED|\$SET\"; env | grep -c -e ^UNSET_ONE= -e ^NOT_PASSED="}
  env = {"SET=conf"}  env-pass = {"PASSED", "UNSET_ONE", "SET"} }
service high { type = builtin  address = "127.0.0.1"  port = $((P+3))  server = echo
  max-load = 1000 }
service low { type = builtin  address = "127.0.0.1"  port = $((P+4))  server = echo
  max-load = $LOW }
service byname { type = builtin  address = "127.0.0.1"  port = $((P+5))  server = echo
  only-from = {"localhost"}  no-access = {"nonexistent.invalid"} }
service mask { type = builtin  address = "127.0.0.1"  port = $((P+6))  server = echo
  only-from = {"127.0.0.0/255.255.255.254"} }
CONF
} > "$T/superd.conf"
export PASSED=from-superd SET=from-superd NOT_PASSED=secret
unset UNSET_ONE
start_superd

out=$($SDCLIENT -b 127.0.0.2 -t 4000 127.0.0.1 $((P+1)) | tr -d '\r')
[ "$out" = "$(printf 'WELCOME\nGRANTED\nhandler')" ] || fail "admitted client got: $out"
out=$($SDCLIENT -b 127.0.0.3 -t 4000 127.0.0.1 $((P+1)) | tr -d '\r')
[ "$out" = "$(printf 'WELCOME\nDENIED')" ] || fail "refused client got: $out"
ok "banner to every client, then banner-success or banner-fail"

out=$($SDCLIENT -t 4000 127.0.0.1 $((P+2)))
[ "$out" = "$(printf 'from-superd|conf\n0')" ] || fail "env-pass gave: $out"
ok "env-pass: named variables only, env wins, unset ones left out"

[ "$($SDCLIENT -s a -t 4000 127.0.0.1 $((P+3)))" = a ] || fail "max-load above the load refused"
[ -z "$($SDCLIENT -s a -t 4000 127.0.0.1 $((P+4)))" ] || fail "max-load $LOW (load $(load1)) served"
wait_log "service low: refused 127.0.0.1: load" 20 || fail "load refusal not logged"
ok "max-load: above the load serves, below it refuses (reason load)"

grep -q 'warning: no-access: host name "nonexistent.invalid" did not resolve' "$T/log" ||
	fail "no warning for the unresolvable name"
[ "$($SDCLIENT -s a -t 4000 127.0.0.1 $((P+5)))" = a ] || fail "localhost refused"
[ -z "$($SDCLIENT -b 127.0.0.2 -s a -t 4000 127.0.0.1 $((P+5)))" ] || fail "127.0.0.2 is not localhost"
kill -HUP "$SPID"
wait_log "reloaded" 50 || fail "reload with host names"
[ "$($SDCLIENT -s a -t 4000 127.0.0.1 $((P+5)))" = a ] || fail "localhost refused after reload"
ok "only-from by host name, resolved at load and reload; unresolvable is a warning"

[ "$($SDCLIENT -b 127.0.0.1 -s a -t 4000 127.0.0.1 $((P+6)))" = a ] || fail "netmask: 127.0.0.1 refused"
[ -z "$($SDCLIENT -b 127.0.0.2 -s a -t 4000 127.0.0.1 $((P+6)))" ] || fail "netmask /31 let 127.0.0.2 in"
ok "a.b.c.d/m.m.m.m"

# A .domain cannot be matched without a reverse lookup per client.
{ conf_globals; cat <<CONF
service dom { type = builtin  address = "127.0.0.1"  port = $((P+7))  server = echo
  only-from = {".example.org"} }
CONF
} > "$T/bad.conf"
if "$SUPERD" -t -c "$T/bad.conf" 2> "$T/bad.err"; then fail ".domain accepted"; fi
grep -q "bad.conf:6: service \"dom\": only-from: \".example.org\": a domain would need a reverse DNS lookup" "$T/bad.err" ||
	fail "no file:line error for .domain: $(cat "$T/bad.err")"
ok ".domain refused with file:line"
kill -0 "$SPID" || fail "superd died"
