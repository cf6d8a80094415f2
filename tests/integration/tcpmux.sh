#!/bin/sh
# tcpmux (RFC 1078): a real client session with nc, HELP, an unknown
# name, hostile name lines (1 MB, NULs, none at all) with superd's memory
# watched, a service that did not ask for tcpmux (xinetd CVE-2012-0862),
# the handler's user (CVE-2013-4342), the service's access list, and a
# reload that withdraws a name.
. "${top_srcdir}/tests/integration/lib.sh"
command -v nc >/dev/null || skip "nc (netcat-openbsd) not installed"
P=$BASE
chmod 755 "$T"		# the handler runs as nobody when we are root
cat > "$T/whoami.sh" <<'SH'
#!/bin/sh
printf '+uid %s\r\n' "$(id -u)"
IFS= read -r line
printf 'after the name: %s\n' "$line"
SH
chmod 755 "$T/whoami.sh"
if [ "$(id -u)" = 0 ]; then USER_LINE='user = nobody'; else USER_LINE=; fi
mkconf() {
	{ conf_globals; cat <<CONF
line-timeout = 1
inetd-compat = "$T/inetd.conf"
service tcpmux { type = builtin  server = tcpmux  address = "127.0.0.1"  port = $P }
service guarded-mux { type = builtin  server = tcpmux  address = "127.0.0.1"  port = $((P+4))  no-access = { 127.0.0.0/8 } }
service whoami { tcpmux = yes  server = "$T/whoami.sh"  $USER_LINE }
service one { tcpmux = plus  server = "/bin/sleep"  args = { "3" }  instances = 1  $USER_LINE }
service Echo { tcpmux = plus  type = builtin  server = echo }
service closed { tcpmux = plus  type = builtin  server = echo  only-from = { 192.0.2.1 } }
service plain { type = builtin  server = echo  address = "127.0.0.1"  port = $((P+1)) }
service mixed { tcpmux = $1  type = builtin  server = echo  address = "127.0.0.1"  port = $((P+2)) }
CONF
	} > "$T/superd.conf"
}
# bad TEXT MESSAGE: superd -t refuses the config with file:line and why.
bad() {
	printf '%s\n' "$1" > "$T/bad.conf"
	"$SUPERD" -t -c "$T/bad.conf" > "$T/bad.out" 2>&1
	rc=$?
	[ $rc -eq 78 ] || fail "-t exit $rc for: $2"
	grep -qF -- "$2" "$T/bad.out" || { cat "$T/bad.out" >&2; fail "not said: $2"; }
}
bad 'service a {
  tcpmux = maybe
  type = builtin  server = echo
}' 'bad.conf:2: service "a": tcpmux "maybe" is not one of: no, yes, plus'
bad 'service a {
  protocol = udp  type = builtin  server = echo
  tcpmux = yes
}' 'bad.conf:3: service "a": tcpmux = yes needs a tcp service with wait = no'
bad 'service my_svc {
  tcpmux = plus  type = builtin  server = echo
}' 'bad.conf:2: service "my_svc": tcpmux = plus: the name "my_svc" cannot be a tcpmux name'
bad 'service help {
  tcpmux = plus  type = builtin  server = echo
}' "is tcpmux's own HELP command"
bad 'service a {
  tcpmux = yes  type = builtin  server = echo
  address = "127.0.0.1"
}' 'bad.conf:3: service "a": address without port'
bad 'service tcpmux {
  type = builtin  server = tcpmux  protocol = udp  port = 1
}' 'bad.conf:2: service "tcpmux": the tcpmux builtin needs a tcp service'
bad 'service tcpmux {
  type = builtin  server = tcpmux  port = 1
  threads = 2
}' 'bad.conf:3: service "tcpmux": threads is not for the tcpmux port'
bad 'service a {
  tcpmux = yes  type = builtin  server = echo
  oob-port = 0
}' 'bad.conf:3: service "a": oob-port needs a service with a socket of its own'
bad 'service echo {
  tcpmux = yes  type = builtin  server = echo
}
service ECHO {
  tcpmux = plus  type = builtin  server = echo
}' 'service "ECHO": tcpmux: clients could not tell it from service "echo"'
ok "bad tcpmux settings are refused with file:line"

# An inetd.conf tcpmux/+NAME line, served through inetd-compat.
printf 'tcpmux/+viainetd\tstream\ttcp\tnowait\t%s\t/bin/cat\tcat\n' \
    "$(id -un)" > "$T/inetd.conf"
mkconf plus
start_superd
wait_log "tcpmux port on 127.0.0.1 port $P" 30 || fail "no tcpmux port"

# ask LINE...: what the tcpmux port answers (nc ends when superd closes).
ask() { printf "$1" | timeout 5 nc -N 127.0.0.1 $P 2>/dev/null | head -c 4096; }

out=$(ask 'ECHO\r\nhello\n')
[ "$out" = "$(printf '+Go\r\nhello')" ] || fail "plus: got '$out'"
ok "tcpmux = plus: +Go from superd, then the service (name in any case)"

out=$(ask 'whoami\r\nsecond line\n')
printf '%s\n' "$out" | grep -q '^+uid ' || fail "yes: got '$out'"
printf '%s\n' "$out" | grep -q '^+Go' && fail "yes: superd wrote +Go"
printf '%s\n' "$out" | grep -q '^after the name: second line$' ||
	fail "the handler lost what followed the name: '$out'"
ok "tcpmux = yes: the handler writes the + line, and reads what follows the name"

if [ "$(id -u)" = 0 ]; then
	uid=$(printf '%s\n' "$out" | sed -n 's/^+uid \([0-9]*\).*/\1/p')
	[ "$uid" = "$(id -u nobody)" ] || fail "handler ran as uid $uid, not nobody"
	ok "the tcpmux handler runs as its user (uid $uid), not as root"
else
	echo "SKIP: the handler's user: not root, superd cannot switch users"
fi

wait_log "viainetd" 50 || true
out=$(ask 'HELP\r\n')
want=$(printf 'whoami\r\none\r\nEcho\r\nclosed\r\nmixed\r\nviainetd\r')
[ "$out" = "$want" ] || fail "HELP: got '$out'"
ok "HELP lists the tcpmux names, and only those"

out=$(ask 'viainetd\r\nfrom inetd.conf\n')
[ "$out" = "$(printf '+Go\r\nfrom inetd.conf')" ] || fail "inetd.conf tcpmux/+ line: got '$out'"
ok "an inetd.conf tcpmux/+NAME line (inetd-compat) is reachable by NAME"

out=$(ask 'nosuch\r\n')
case $out in -*) ;; *) fail "unknown name: got '$out'" ;; esac
out=$(ask 'plain\r\n')
case $out in "-no tcpmux service plain here"*) ;; *) fail "plain: got '$out'" ;; esac
[ "$(count_log 'service plain: session')" = 0 ] || fail "plain was started"
out=$(ask 'tcpmux\r\n')
case $out in -*) ;; *) fail "tcpmux through itself: got '$out'" ;; esac
wait_count 'no such tcpmux service' 1
[ "$(count_log 'no such tcpmux service')" = 1 ] ||
	fail "unknown names from one source not rate-limited in the log: $(count_log 'no such tcpmux service')"
ok "an unknown name, a service without tcpmux and tcpmux itself get a - line (logged once a minute per source)"

out=$(ask 'closed\r\n')
[ "$out" = "$(printf -- '-access denied\r')" ] || fail "acl: got '$out'"
wait_log "service closed: refused 127.0.0.1: " 30 || fail "refusal not logged"
ok "the named service's only-from applies (refused, logged, no +Go)"

out=$(printf 'Echo\r\nx\n' | timeout 5 nc -N 127.0.0.1 $((P+4)) 2>/dev/null | head -c 100)
[ -z "$out" ] || fail "a tcpmux port's no-access let 127.0.0.1 in: '$out'"
wait_log "service guarded-mux: refused 127.0.0.1: acl" 30 || fail "tcpmux port refusal not logged"
ok "a tcpmux port's own no-access refuses before any name is read"

printf 'one\r\n' | timeout 6 nc 127.0.0.1 $P >/dev/null 2>&1 &
holder=$!
wait_log "service one: session S[0-9]* from " 50 || fail "one did not start"
out=$(ask 'one\r\n')
[ "$out" = "$(printf -- '-one: too many connections, try again later\r')" ] ||
	fail "one at its instances: got '$out'"
wait $holder
ok "a service at its instances limit answers - through tcpmux (no backlog to wait in)"

out=$(ask 'mixed\r\nvia mux\n')
[ "$out" = "$(printf '+Go\r\nvia mux')" ] || fail "mixed by name: got '$out'"
[ "$($SDCLIENT -s direct 127.0.0.1 $((P+2)))" = direct ] || fail "mixed direct"
ok "a service with a port of its own is reachable both ways"
kill -USR1 "$SPID"
wait_log "service whoami/tcp: listening, .* on tcpmux," 30 || fail "the dump does not say whoami is on tcpmux"
ok "SIGUSR1: a tcpmux-only service is listed on tcpmux"

rss() { awk '/^VmRSS/ { print $2 }' /proc/$SPID/status; }
before=$(rss)
for i in 1 2 3 4 5 6 7 8 9 10; do
	head -c 1048576 /dev/zero | tr '\0' A |
	    timeout 5 nc -N 127.0.0.1 $P >"$T/big.out" 2>/dev/null
done
kill -0 "$SPID" || fail "superd died on 1 MB names"
wait_log "line longer than 128 bytes" 30 || fail "1 MB name not cut"
out=$(printf 'who\000ami\r\n' | timeout 5 nc -N 127.0.0.1 $P | head -c 200)
[ "$out" = "$(printf -- '-NUL byte in request\r')" ] || fail "NUL: got '$out'"
out=$(printf '\r\n' | timeout 5 nc -N 127.0.0.1 $P | head -c 200)
case $out in -*) ;; *) fail "empty line: got '$out'" ;; esac
out=$(sleep 3 | timeout 5 nc 127.0.0.1 $P | head -c 200)
[ "$out" = "$(printf -- '-no name line within 1000ms\r')" ] || fail "silent client: got '$out'"
after=$(rss)
[ $((after - before)) -lt 4096 ] || fail "RSS grew from ${before} kB to ${after} kB"
ok "10 names of 1 MB, a NUL, an empty line, a silent client: - lines, RSS ${before} -> ${after} kB"

mkconf no
kill -HUP "$SPID"
wait_log "reloaded" 50 || fail "no reload"
out=$(ask 'mixed\r\n')
case $out in -*) ;; *) fail "mixed after tcpmux = no: got '$out'" ;; esac
out=$(ask 'Echo\r\nstill\n')
[ "$out" = "$(printf '+Go\r\nstill')" ] || fail "Echo after reload: got '$out'"
ok "a reload that sets tcpmux = no withdraws the name; the others stay"

# The tcpmux port moves to a port another program holds: superd says so,
# keeps serving, and binds it once it is free.
python3 -c 'import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", '$((P+3))')); s.listen(1); time.sleep(30)' &
holder=$!
for _ in $(seq 50); do ss -ltn 2>/dev/null | grep -q "127.0.0.1:$((P+3)) " && break; sleep 0.1; done
sed -i "s/port = $P }/port = $((P+3)) }/" "$T/superd.conf"
kill -HUP "$SPID"
wait_log "service tcpmux: bind 127.0.0.1 port $((P+3))/tcp: .* (retrying every 10s)" 50 ||
	{ kill $holder; fail "a taken tcpmux port not reported"; }
kill $holder; wait $holder 2>/dev/null
wait_log "tcpmux port on 127.0.0.1 port $((P+3))" 150 || fail "the tcpmux port was not bound once free"
out=$(printf 'Echo\r\nmoved\n' | timeout 5 nc -N 127.0.0.1 $((P+3)) | head -c 100)
[ "$out" = "$(printf '+Go\r\nmoved')" ] || fail "after the move: got '$out'"
ok "a taken tcpmux port is retried until it is free"
kill -0 "$SPID" || fail "superd died"
