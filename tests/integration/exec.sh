#!/bin/sh
# exec handlers: nowait, wait-mode UDP, environment, users, stderr to the
# log, a failing spawn, instances, timeout, rlimits.
. "${top_srcdir}/tests/integration/lib.sh"
P=$BASE
WAITECHO=$top_builddir/tests/integration/udp_wait_echo
cat > "$T/err.sh" <<'SH'
#!/bin/sh
echo "to the log" >&2
echo "to the client"
SH
cat > "$T/limits.sh" <<'SH'
#!/bin/sh
echo "nofile=$(ulimit -n) umask=$(umask)"
SH
chmod +x "$T/err.sh" "$T/limits.sh"
# A jail whose cat cannot run (no dynamic loader inside): a runtime failure.
mkdir -p "$T/jail/bin" && cp /bin/cat "$T/jail/bin/cat"
{ conf_globals; cat <<CONF
service cat { address = "127.0.0.1"  port = $((P+1))  server = "/bin/cat" }
service env { address = "127.0.0.1"  port = $((P+2))  server = "/usr/bin/env"  env = {"FOO=bar baz"} }
service id { address = "127.0.0.1"  port = $((P+3))  server = "/usr/bin/id"  args = {"-u"}  user = "nobody" }
service uwait { protocol = udp  address = "127.0.0.1"  port = $((P+4))  server = "$WAITECHO"  wait = yes }
service err { address = "127.0.0.1"  port = $((P+5))  server = "$T/err.sh"  stderr = log }
service broken { address = "127.0.0.1"  port = $((P+6))  server = "/bin/cat"  chroot = "$T/jail" }
service one { address = "127.0.0.1"  port = $((P+7))  server = "/bin/sh"  args = {"-c", "sleep 1; echo done"}  instances = 1 }
service slow { address = "127.0.0.1"  port = $((P+8))  server = "/bin/sleep"  args = {"30"}  timeout = 1  kill-grace = 1 }
service lim { address = "127.0.0.1"  port = $((P+9))  server = "$T/limits.sh"  rlimit-nofile = 37  umask = "027" }
service unowait { protocol = udp  address = "127.0.0.1"  port = $((P+10))  wait = no  server = "$WAITECHO"  args = {"-1"} }
service unoread { protocol = udp  address = "127.0.0.1"  port = $((P+11))  wait = no  server = "/bin/sleep"  args = {"5"}  instances = 2 }
service ucat { protocol = unix  address = "$T/cat.sock"  server = "/usr/bin/env" }
CONF
} > "$T/superd.conf"
start_superd

[ "$($SDCLIENT -s 'exec works' 127.0.0.1 $((P+1)))" = "exec works" ] || fail "cat"
ok "nowait exec /bin/cat"

env=$($SDCLIENT 127.0.0.1 $((P+2)))
for v in "FOO=bar baz" REMOTE_ADDR=127.0.0.1 LOCAL_ADDR=127.0.0.1 LOCAL_PORT=$((P+2)) \
    PROTO=TCP TCPREMOTEIP=127.0.0.1 TCPLOCALPORT=$((P+2)) SUPERD_SERVICE=env; do
	printf '%s\n' "$env" | grep -qx -- "$v" || fail "env lacks $v"
done
printf '%s\n' "$env" | grep -q '^REMOTE_PORT=[0-9]' || fail "no REMOTE_PORT"
printf '%s\n' "$env" | grep -q '^SUPERD_SESSION=[0-9a-f]\{32\}$' || fail "no SUPERD_SESSION"
printf '%s\n' "$env" | grep -q '^LISTEN_' && fail "superd leaked LISTEN_ vars"
ok "handler environment (CGI and UCSPI names, session token)"

if [ "$(id -u)" = 0 ]; then
	[ "$($SDCLIENT 127.0.0.1 $((P+3)))" = "$(id -u nobody)" ] || fail "user = nobody"
	ok "handler runs as user nobody"
fi

r1=$($SDCLIENT -u -s one 127.0.0.1 $((P+4)))
r2=$($SDCLIENT -u -s two 127.0.0.1 $((P+4)))
case "$r1" in pid:*" one") ;; *) fail "wait udp reply '$r1'";; esac
[ "${r1%% *}" = "${r2%% *}" ] || fail "wait mode: second datagram went to a new handler"
ok "wait-mode UDP: one handler owns the socket"

[ "$($SDCLIENT 127.0.0.1 $((P+5)))" = "to the client" ] || fail "stderr=log client"
wait_log "service err\[[0-9]*\]: to the log" 30 || fail "stderr line not in log"
ok "stderr = log"

$SDCLIENT -t 1000 127.0.0.1 $((P+6)) >/dev/null
wait_log "service broken: cannot start /bin/cat for 127.0.0.1:[0-9]*: \(chroot\|execve\): " 30 \
	|| fail "spawn failure not logged with reason"
[ "$($SDCLIENT -s alive 127.0.0.1 $((P+1)))" = alive ] || fail "superd hurt by failed spawn"
ok "failed spawn logged with its reason; daemon unharmed"

start=$(date +%s%N)
$SDCLIENT -t 5000 127.0.0.1 $((P+7)) > "$T/one.a" &
a=$!
sleep 0.2
$SDCLIENT -t 5000 127.0.0.1 $((P+7)) > "$T/one.b" || fail "second connection over instances was not served"
wait $a
el=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$(cat "$T/one.a")" = done ] && [ "$(cat "$T/one.b")" = done ] || fail "instances outputs"
[ "$el" -ge 1900 ] || fail "instances = 1 ran both at once (${el}ms)"
ok "instances = 1 queues the second connection (${el}ms)"

$SDCLIENT -t 5000 127.0.0.1 $((P+8)) >/dev/null
wait_log "service slow: session S[0-9]* pid [0-9]* (peer [^)]*) killed by signal 15" 40 || fail "timeout did not kill"
ok "timeout = 1 terminates a hanging handler"

[ "$($SDCLIENT 127.0.0.1 $((P+9)))" = "nofile=37 umask=0027" ] || fail "rlimit/umask: $($SDCLIENT 127.0.0.1 $((P+9)))"
ok "rlimit-nofile and umask applied"

r1=$($SDCLIENT -u -s one 127.0.0.1 $((P+10)))
r2=$($SDCLIENT -u -s two 127.0.0.1 $((P+10)))
case "$r1" in "ONE 127.0.0.1 "[0-9]*) ;; *) fail "nowait udp reply '$r1'";; esac
case "$r2" in "TWO 127.0.0.1 "[0-9]*) ;; *) fail "nowait udp reply '$r2'";; esac
[ "${r1##* }" != "${r2##* }" ] || fail "nowait udp: one handler served two datagrams"
ok "nowait UDP: one handler per datagram, read with recvfrom on fd 0, answered with sendto from the service port"

# A handler that never reads: one datagram starts one handler, not a storm.
$SDCLIENT -u -q -t 300 -s x 127.0.0.1 $((P+11)) >/dev/null 2>&1
sleep 0.5
n=$(count_log "service unoread: session S[0-9]* from")
[ "$n" = 1 ] || fail "one unread datagram started $n handlers"
ok "nowait UDP: an unread datagram starts one handler only"

$SDCLIENT -U "$T/cat.sock" | grep -q "^UNIXREMOTEEUID=$(id -u)$" || fail "unix peer uid"
ok "unix socket exec with peer credentials"
kill -0 "$SPID" || fail "superd died"
