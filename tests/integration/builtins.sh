#!/bin/sh
# Builtin services over TCP, UDP, UNIX, IPv4/IPv6/dual stack, worker threads.
. "${top_srcdir}/tests/integration/lib.sh"
P=$BASE
{ conf_globals; cat <<CONF
service echo { type = builtin  address = "127.0.0.1"  port = $((P+1))  server = echo }
service echo-udp { name = echo  type = builtin  protocol = udp  address = "127.0.0.1"  port = $((P+1))  server = echo }
service echo6 { type = builtin  address = "::1"  port = $((P+2))  server = echo }
service dual { type = builtin  address = "*"  port = $((P+3))  server = echo }
service discard { type = builtin  address = "127.0.0.1"  port = $((P+4))  server = discard }
service daytime { type = builtin  address = "127.0.0.1"  port = $((P+5))  server = daytime }
service time { type = builtin  address = "127.0.0.1"  port = $((P+6))  server = time }
service chargen { type = builtin  address = "127.0.0.1"  port = $((P+7))  server = chargen }
service techo { type = builtin  address = "127.0.0.1"  port = $((P+8))  server = echo  threads = 2 }
service uecho { type = builtin  protocol = unix  address = "$T/echo.sock"  server = echo  socket-mode = "0600" }
service udaytime { type = builtin  protocol = udp  address = "127.0.0.1"  port = $((P+9))  server = daytime }
CONF
} > "$T/superd.conf"
start_superd

[ "$($SDCLIENT -s hello 127.0.0.1 $((P+1)))" = hello ] || fail "tcp echo"
ok "tcp echo"
[ "$($SDCLIENT -u -s ping 127.0.0.1 $((P+1)))" = ping ] || fail "udp echo"
ok "udp echo (same name, other protocol)"
[ "$($SDCLIENT -s six ::1 $((P+2)))" = six ] || fail "ipv6 echo"
ok "ipv6 echo"
[ "$($SDCLIENT -s v4 127.0.0.1 $((P+3)))" = v4 ] || fail "dual stack via v4"
[ "$($SDCLIENT -s v6 ::1 $((P+3)))" = v6 ] || fail "dual stack via v6"
ok "dual stack"
[ -z "$($SDCLIENT -s junk 127.0.0.1 $((P+4)))" ] || fail "discard answered"
ok "discard"
$SDCLIENT 127.0.0.1 $((P+5)) | grep -Eq '^[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9]{2} [0-9:]{8} [0-9]{4}' || fail "daytime"
ok "daytime"
n=$($SDCLIENT 127.0.0.1 $((P+6)) | wc -c)
[ "$n" -eq 4 ] || fail "time gave $n bytes"
ok "time"
out=$($SDCLIENT -k -t 300 127.0.0.1 $((P+7)) | head -c 148)
[ "$(printf '%s' "$out" | head -n1 | tr -d '\r' | wc -c)" -eq 73 ] || fail "chargen line"
ok "chargen"
$SDCLIENT -n 200 -s abc -x abc 127.0.0.1 $((P+8)) >/dev/null || fail "threaded echo"
ok "threads = 2 echo, 200 connections"
[ "$($SDCLIENT -U "$T/echo.sock" -s unix)" = unix ] || fail "unix echo"
[ "$(stat -c %a "$T/echo.sock")" = 600 ] || fail "unix socket mode"
ok "unix stream echo, socket mode 0600"
$SDCLIENT -u -s x 127.0.0.1 $((P+9)) | grep -q '[0-9]:[0-9]' || fail "udp daytime"
ok "udp daytime"
$SDCLIENT -n 500 -s abc -x abc 127.0.0.1 $((P+1)) >/dev/null || fail "500 echo"
ok "500 sequential echo connections"
kill -USR1 "$SPID"
wait_log "service echo/tcp: listening, builtin on 127.0.0.1 port $((P+1)), 0 running, [0-9]* accepted, 0 refused" 30 \
	|| fail "SIGUSR1 did not dump the state"
wait_log "service uecho/unix: listening, builtin on $T/echo.sock, " 30 || fail "dump lacks uecho"
wait_count "service [^ ]*: listening, " 11 || fail "dump lacks services"
ok "SIGUSR1 logs every service's state"
kill -0 "$SPID" || fail "superd died"
