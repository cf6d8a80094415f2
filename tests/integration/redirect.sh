#!/bin/sh
# redirect = "HOST PORT": bulk data both ways through the forwarder, a
# half-close from either side carried over, byte counts in the exit line,
# a source refused by only-from that never reaches the backend, and a
# backend that is down.
. "${top_srcdir}/tests/integration/lib.sh"
command -v nc >/dev/null || skip "nc (netcat-openbsd) not installed"
command -v python3 >/dev/null || skip "python3 not installed"
P=$BASE
# Under AddressSanitizer freed buffers sit in its quarantine, which would
# read as growth in the RSS check below: let them be reused at once.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0"
export ASAN_OPTIONS
chmod 755 "$T"
# The backend that closes first: 2 MB, SHUT_WR, then counts what the
# client still sends and writes the count to $T/count.
cat > "$T/first.py" <<PY
import socket
s = socket.socket(fileno=0)
s.sendall(b"b" * 2097152)
s.shutdown(socket.SHUT_WR)
n = 0
while True:
    d = s.recv(65536)
    if not d:
        break
    n += len(d)
open("$T/count.tmp", "w").write(str(n))
import os
os.rename("$T/count.tmp", "$T/count")
PY
# The client for it: reads the backend's 2 MB and its EOF while it is
# still sending 3 MB, then closes its side; prints what it received.
cat > "$T/client.py" <<'PY'
import socket, sys, threading
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
got = bytearray()
eof_seen = threading.Event()
def reader():
    while True:
        d = s.recv(65536)
        if not d:
            break
        got.extend(d)
    eof_seen.set()
t = threading.Thread(target=reader)
t.start()
chunk = b"c" * 65536
sent = 0
while sent < 3145728:
    s.sendall(chunk)
    sent += len(chunk)
    if sent == 1048576:
        eof_seen.wait(20)	# the backend's EOF came while we send
print("early-eof" if eof_seen.is_set() else "no-eof", len(got), flush=True)
s.shutdown(socket.SHUT_WR)
t.join(20)
PY
cat > "$T/reached.sh" <<SH
#!/bin/sh
touch "$T/reached"
SH
chmod 755 "$T/reached.sh"
# bad TEXT MESSAGE: superd -t refuses the config with file:line and why.
bad() {
	printf '%s\n' "$1" > "$T/bad.conf"
	"$SUPERD" -t -c "$T/bad.conf" > "$T/bad.out" 2>&1
	rc=$?
	[ $rc -eq 78 ] || fail "-t exit $rc for: $2"
	grep -qF -- "$2" "$T/bad.out" || { cat "$T/bad.out" >&2; fail "not said: $2"; }
}
bad 'service a {
  port = 7
  redirect = "10.0.0.1"
}' 'bad.conf:3: service "a": redirect "10.0.0.1" is not "HOST PORT"'
bad 'service a {
  port = 7
  server = "/bin/cat"
  redirect = "10.0.0.1 7"
}' 'bad.conf:3: service "a": server and redirect exclude each other'
bad 'service a {
  port = 7
  protocol = udp
  redirect = "10.0.0.1 7"
}' 'bad.conf:4: service "a": redirect needs a tcp service with wait = no'
bad 'service a {
  port = 7
  redirect = "no-such-host.invalid 7"
}' 'bad.conf:3: service "a": redirect: host name "no-such-host.invalid" did not resolve'
ok "bad redirect settings are refused with file:line"

{ conf_globals; cat <<CONF
service echo { type = builtin  server = echo  address = "127.0.0.1"  port = $((P+1)) }
service fwd { redirect = "127.0.0.1 $((P+1))"  address = "127.0.0.1"  port = $P }
service first { server = "/usr/bin/python3"  args = { "$T/first.py" }  address = "127.0.0.1"  port = $((P+3)) }
service fwd-first { redirect = "127.0.0.1 $((P+3))"  address = "127.0.0.1"  port = $((P+2)) }
service backend { server = "$T/reached.sh"  address = "127.0.0.1"  port = $((P+5)) }
service guarded { redirect = "localhost $((P+5))"  only-from = { 192.0.2.0/24 }  address = "127.0.0.1"  port = $((P+4)) }
service down { redirect = "127.0.0.1 $((P+7))"  address = "127.0.0.1"  port = $((P+6)) }
service sleeper { server = "/bin/sleep"  args = { "8" }  address = "127.0.0.1"  port = $((P+9)) }
service slow { redirect = "127.0.0.1 $((P+9))"  address = "127.0.0.1"  port = $((P+8)) }
service brief { redirect = "127.0.0.1 $((P+9))"  timeout = 1  address = "127.0.0.1"  port = $((P+10)) }
CONF
} > "$T/superd.conf"
start_superd

head -c 4194304 /dev/urandom > "$T/bulk"
timeout 30 nc -N 127.0.0.1 $P < "$T/bulk" > "$T/bulk.out" || fail "nc through the redirect"
cmp -s "$T/bulk" "$T/bulk.out" || fail "echo through the redirect differs ($(wc -c < "$T/bulk.out") bytes back)"
wait_log "service fwd: session S[0-9]* .*(redirect: 4194304 bytes from the client, 4194304 bytes to it)" 50 ||
	fail "exit line without the byte counts"
ok "4 MB each way through a redirect to echo; the client's half-close reached the backend; bytes in the exit line"

out=$(timeout 30 python3 "$T/client.py" $((P+2))) || fail "half-close client: $out"
[ "$out" = "early-eof 2097152" ] || fail "backend's half-close: '$out'"
for _ in $(seq 50); do [ -f "$T/count" ] && break; sleep 0.1; done
[ "$(cat "$T/count" 2>/dev/null)" = 3145728 ] || fail "the backend got $(cat "$T/count" 2>/dev/null) bytes after its half-close"
ok "the backend's half-close reached the client, which still sent 3 MB through"

r=0; $SDCLIENT -t 2000 -s hello 127.0.0.1 $((P+4)) >/dev/null 2>&1 || r=$?
wait_log "service guarded: refused 127.0.0.1: " 30 || fail "refusal not logged"
sleep 0.3
[ "$(count_log 'service backend: session')" = 0 ] || fail "a refused source reached the backend"
[ ! -e "$T/reached" ] || fail "the backend ran for a refused source"
ok "a source refused by only-from never reaches the backend"

timeout 10 nc -N 127.0.0.1 $((P+6)) < /dev/null > /dev/null 2>&1
wait_log "service down: session S[0-9]* .*cannot connect to the backend" 50 || fail "backend down not in the exit line"
ok "a backend that is down: the connection is closed, the exit line says why"
(sleep 4 | timeout 6 nc 127.0.0.1 $((P+10)) >/dev/null 2>&1) &
wait_log "service brief: session S[0-9]* .*(redirect: 0 bytes from the client, 0 bytes to it; stopped by superd)" 50 ||
	fail "timeout = 1 did not end the forwarding"
ok "timeout ends a forwarded connection; the exit line says so"

# A backend that reads nothing: superd holds at most its buffer, the rest
# waits in the kernel and then in the client.
cat > "$T/flood.py" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=3)
chunk = b"f" * 1048576
sent = 0
try:
    while sent < 64 * 1048576:
        sent += s.send(chunk)
except socket.timeout:
    pass
open(sys.argv[2], "w").write(str(sent))
time.sleep(3)
PY
rss() { awk '/^VmRSS/ { print $2 }' /proc/$SPID/status; }
before=$(rss)
timeout 20 python3 "$T/flood.py" $((P+8)) "$T/flood.out" &
fp=$!
for _ in $(seq 100); do [ -s "$T/flood.out" ] && break; sleep 0.1; done
[ -s "$T/flood.out" ] || fail "the flood client did not finish sending"
after=$(rss)
wait $fp
sent=$(cat "$T/flood.out")
[ "$sent" -lt $((64 * 1048576)) ] || fail "a backend that reads nothing took 64 MB"
[ $((after - before)) -lt 3072 ] || fail "RSS grew from $before kB to $after kB with $sent bytes sent"
ok "a backend that reads nothing: $sent bytes sent before the client blocked, RSS $before -> $after kB"
kill -0 "$SPID" || fail "superd died"
