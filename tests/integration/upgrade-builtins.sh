#!/bin/sh
# Builtin connections in the middle of their streams across an in-place
# upgrade: a chargen whose client reads slowly (superd holds bytes the
# socket did not take), on the main loop and on worker threads, and an
# echo whose client writes without reading.  After superdctl upgrade
# each stream goes on where it stood: the client reads every byte, in
# order, with nothing lost, repeated or restarted.
. "${top_srcdir}/tests/integration/lib.sh"
command -v python3 >/dev/null || skip "python3 needed for the stream clients"
P=$BASE
LOGLEVEL=info
CTL="$top_builddir/superdctl"
[ -x "$CTL" ] || fail "superdctl not built ($CTL)"
ctl() { "$CTL" -S "$T/control.sock" -t 10 "$@"; }
BG=
trap 'kill $BG 2>/dev/null; cleanup' EXIT

{ conf_globals; cat <<CONF
service chargen { type = builtin  address = "127.0.0.1"  port = $((P+1))  server = chargen }
service tchargen { type = builtin  threads = 2  address = "127.0.0.1"  port = $((P+2))  server = chargen }
service echo { type = builtin  address = "127.0.0.1"  port = $((P+3))  server = echo }
service techo { type = builtin  threads = 2  address = "127.0.0.1"  port = $((P+4))  server = echo }
CONF
} > "$T/superd.conf"
start_superd

# The client: connect, make superd queue (chargen: read nothing; echo:
# send GOAL bytes without reading), say "ready", wait for $T/go, then
# read GOAL bytes and check them against what the stream must be.
cat > "$T/client.py" <<'PY'
import os, socket, sys, time
mode, port, go, goal = sys.argv[1], int(sys.argv[2]), sys.argv[3], 1 << 20
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(("127.0.0.1", port))
s.settimeout(20)
def chargen(n):
    out = bytearray()
    line, col = 0, 0
    for _ in range(n):
        out.append(32 + (line + col) % 95 if col < 72 else (13 if col == 72 else 10))
        col += 1
        if col == 74:
            col, line = 0, (line + 1) % 95
    return bytes(out)
if mode == "echo":
    want = bytes((i * 7 + i // 251) & 0xff for i in range(goal))
    s.setblocking(False)
    sent, t0 = 0, time.time()
    # Until both socket buffers and superd's own are full.
    while sent < goal and time.time() - t0 < 5:
        try:
            sent += s.send(want[sent:sent + 65536])
        except BlockingIOError:
            time.sleep(0.05)
            try:
                sent += s.send(want[sent:sent + 65536])
            except BlockingIOError:
                break
    s.settimeout(20)
else:
    want = chargen(goal)
    time.sleep(0.5)
print("ready", flush=True)
while not os.path.exists(go):
    time.sleep(0.02)
if mode == "echo":
    s.sendall(want[sent:])
got = bytearray()
while len(got) < goal:
    b = s.recv(65536)
    if not b:
        break
    got += b
got = bytes(got[:goal])
if got != want:
    bad = next((i for i in range(min(len(got), len(want))) if got[i] != want[i]), len(got))
    print("stream broken at byte %d of %d (got %d bytes)" % (bad, goal, len(got)))
    sys.exit(1)
print("ok %d" % goal)
PY

for svc in chargen:$((P+1)) tchargen:$((P+2)) echo:$((P+3)) techo:$((P+4)); do
	name=${svc%%:*}; port=${svc#*:}
	mode=chargen; case $name in *echo) mode=echo ;; esac
	python3 "$T/client.py" "$mode" "$port" "$T/go" > "$T/out.$name" 2>&1 &
	BG="$BG $!"
	eval "pid_$name=$!"
done
for name in chargen tchargen echo techo; do
	for _ in $(seq 100); do
		grep -q ready "$T/out.$name" 2>/dev/null && break; sleep 0.05
	done
	grep -q ready "$T/out.$name" || fail "$name client not ready: $(cat "$T/out.$name")"
done
[ "$(ctl sessions | grep -c '^S')" = 4 ] ||
	fail "four builtin sessions expected: $(ctl sessions)"
ctl upgrade > "$T/up" 2>&1 || fail "upgrade: $(cat "$T/up")"
wait_count "upgraded in place" 1 || fail "the upgrade did not happen"
touch "$T/go"
for name in chargen tchargen echo techo; do
	eval "wait \$pid_$name" ||
		fail "$name across the upgrade: $(cat "$T/out.$name")"
	grep -q "^ok " "$T/out.$name" || fail "$name: $(cat "$T/out.$name")"
done
[ "$(count_log "pid 0 (peer .*) handed over")" = 4 ] ||
	fail "four builtin connections handed over expected: $(grep 'handed over' "$T/log")"
ok "chargen and echo streams (main loop and worker threads) go on" \
    "across an upgrade with every byte in order"
