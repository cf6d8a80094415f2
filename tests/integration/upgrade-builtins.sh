#!/bin/sh
# Builtin connections in the middle of their streams across an in-place
# upgrade: a chargen whose client reads slowly (superd holds bytes the
# socket did not take), on the main loop and on worker threads, and an
# echo whose client writes without reading.  After superdctl upgrade
# each stream goes on where it stood: the client reads every byte, in
# order, with nothing lost, repeated or restarted.  The services' send
# buffers are small and each stream is longer than every kernel buffer
# on its way, so bytes lost in superd cannot hide behind the kernel's.
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
defaults { send-buffer = 4096 }
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
import os, random, socket, sys, threading, time
mode, port, go, goal = sys.argv[1], int(sys.argv[2]), sys.argv[3], 8 << 20
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(("127.0.0.1", port))
s.settimeout(30)
def stream(period):
    return (period * (goal // len(period) + 1))[:goal]
if mode == "echo":
    # A period no buffer size divides, so a lost or repeated chunk shows.
    want = stream(random.Random(7).randbytes(100003))
    sent = [0]
    def send_all():
        while sent[0] < goal:
            sent[0] += s.send(want[sent[0]:sent[0] + 65536])
    threading.Thread(target=send_all, daemon=True).start()
    # Until superd stops reading: its buffers and the kernel's are full.
    last = -1
    while last != sent[0]:
        last = sent[0]
        time.sleep(0.3)
else:
    # RFC 864: line i is 72 characters from ' ' + i (mod 95), then CRLF.
    want = stream(b"".join(bytes(32 + (i + c) % 95 for c in range(72)) +
        b"\r\n" for i in range(95)))
    time.sleep(0.5)
print("ready", flush=True)
while not os.path.exists(go):
    time.sleep(0.02)
got = bytearray()
while len(got) < goal:
    b = s.recv(1 << 20)
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
