#!/bin/sh
# The control socket and superdctl: every command, JSON, permissions,
# bad requests, disable/enable, interrupt, reload errors, a flood on a
# data port while control keeps answering, and drain.
. "${top_srcdir}/tests/integration/lib.sh"
P=$BASE
LOGLEVEL=info
CTL="$top_builddir/superdctl"
[ -x "$CTL" ] || fail "superdctl not built ($CTL)"
command -v python3 >/dev/null || skip "python3 needed for raw socket checks"
SOCK=$T/control.sock
ctl() { "$CTL" -S "$SOCK" -t 5 "$@"; }

conf() {
	{ conf_globals; cat <<CONF
line-max-conns = 16
line-root-reserve = 0
service echo { type = builtin  address = "127.0.0.1"  port = $((P+1))  server = echo }
service sleep { address = "127.0.0.1"  port = $((P+2))  server = "/bin/sleep"  args = {"30"} }
service stubborn { address = "127.0.0.1"  port = $((P+3))  server = "/bin/sh"
  args = {"-c", "trap '' TERM; sleep 30"}  kill-grace = 1 }
service flood { type = builtin  address = "127.0.0.1"  port = $((P+4))  server = echo }
CONF
	[ "${1:-}" ] && printf '%s\n' "$1"
	} > "$T/superd.conf"
}
conf
start_superd
[ -S "$SOCK" ] || fail "no control socket at $SOCK"
[ "$(stat -c %a "$SOCK")" = 600 ] || fail "socket mode $(stat -c %a "$SOCK"), want 600"
ok "control socket created, mode 0600 without control-group"

# json FILE EXPR: evaluate a Python expression on the parsed JSON in FILE.
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

# ---- read commands, table and JSON.
ctl status > "$T/out" || fail "status"
grep -q "^pid  *$SPID$" "$T/out" || fail "status lacks pid: $(cat "$T/out")"
grep -q "^config  *$T/superd.conf$" "$T/out" || fail "status lacks config"
ctl -j status > "$T/st.json" || fail "status --json"
python3 -m json.tool "$T/st.json" >/dev/null || fail "status JSON invalid"
[ "$(json "$T/st.json" "d['pid'], d['services'], d['access']")" = "$SPID 4 operate" ] ||
	fail "status JSON fields: $(cat "$T/st.json")"
ok "status (table and JSON)"

ctl services > "$T/out" || fail "services"
head -1 "$T/out" | grep -q "^NAME  *PROTO  *STATE  *ENDPOINT" || fail "services header"
grep -q "^echo  *tcp  *listening  *127.0.0.1:$((P+1))  *builtin" "$T/out" ||
	fail "services row: $(cat "$T/out")"
ctl -j services > "$T/sv.json" && python3 -m json.tool "$T/sv.json" >/dev/null ||
	fail "services JSON invalid"
[ "$(json "$T/sv.json" "len(d['services'])")" = 4 ] || fail "services JSON count"
ctl service echo | grep -q "^refused.acl  *0$" || fail "service echo"
ctl -j service echo > "$T/s1.json" && python3 -m json.tool "$T/s1.json" >/dev/null ||
	fail "service JSON"
ctl service nosuch 2>"$T/err"; rc=$?
[ $rc = 2 ] || fail "service nosuch: exit $rc, want 2"
grep -q "no service nosuch" "$T/err" || fail "service nosuch message"
ctl help | grep -q "^interrupt  *SESSION" || fail "help"
ctl -j help > "$T/h.json" && python3 -m json.tool "$T/h.json" >/dev/null || fail "help JSON"
ctl version | grep -q "^superd " || fail "version"
ok "services, service NAME (2 when unknown), help, version"

# ---- sessions and interrupt.
$SDCLIENT -k -t 20000 127.0.0.1 $((P+2)) >/dev/null 2>&1 &
c1=$!
for _ in $(seq 50); do ctl sessions sleep | grep -q "^S" && break; sleep 0.1; done
ctl sessions > "$T/out" || fail "sessions"
head -1 "$T/out" | grep -q "^ID  *SERVICE  *PEER  *PID  *STARTED  *AGE" || fail "sessions header"
sid=$(awk '$2 == "sleep" { print $1 }' "$T/out" | head -1)
[ -n "$sid" ] || fail "no sleep session: $(cat "$T/out")"
ctl -j sessions sleep > "$T/se.json" && python3 -m json.tool "$T/se.json" >/dev/null ||
	fail "sessions JSON"
[ "$(json "$T/se.json" "d['sessions'][0]['id']")" = "$sid" ] || fail "sessions JSON id"
ctl sessions nosuch 2>/dev/null; [ $? = 2 ] || fail "sessions nosuch: not exit 2"
ctl interrupt S999999 2>/dev/null; [ $? = 2 ] || fail "interrupt unknown session: not exit 2"
ctl interrupt "$sid" NOSIG 2>/dev/null; [ $? = 1 ] || fail "interrupt bad signal: not exit 1"
ctl interrupt "$sid" || fail "interrupt $sid"
wait_log "service sleep: session $sid .* killed by signal 15" 30 || fail "interrupt did not end $sid"
wait_log "interrupt with signal 15 requested by control uid $(id -u) pid" 10 ||
	fail "interrupt not logged with uid and pid"
wait $c1 2>/dev/null
ok "sessions; interrupt $sid ends the handler (logged with uid/pid)"

$SDCLIENT -k -t 20000 127.0.0.1 $((P+3)) >/dev/null 2>&1 &
c2=$!
for _ in $(seq 50); do ctl sessions stubborn | grep -q "^S" && break; sleep 0.1; done
sid=$(ctl sessions stubborn | awk 'NR == 2 { print $1 }')
[ -n "$sid" ] || fail "no stubborn session"
ctl interrupt "$sid" TERM || fail "interrupt $sid TERM"
wait_log "service stubborn: session $sid .* killed by signal 9" 40 ||
	fail "SIGKILL did not follow the kill-grace"
wait $c2 2>/dev/null
ok "a handler that ignores SIGTERM is killed after kill-grace"

# ---- disable / enable.
ctl disable echo || fail "disable"
wait_log "control uid $(id -u) pid [0-9]*: disable echo" 10 || fail "disable not logged"
ctl service echo | grep -q "^state  *disabled$" || fail "state not disabled"
r=$($SDCLIENT -t 700 -s d 127.0.0.1 $((P+1)) 2>/dev/null)
[ -z "$r" ] || fail "disabled service answered '$r'"
ctl disable nosuch 2>/dev/null; [ $? = 2 ] || fail "disable nosuch: not exit 2"
ctl enable echo || fail "enable"
ctl service echo | grep -q "^state  *listening$" || fail "state not listening after enable"
[ "$($SDCLIENT -s e 127.0.0.1 $((P+1)))" = e ] || fail "enabled service does not answer"
ok "disable: no answer within 0.7s; enable: served again"

# ---- bad requests on the raw socket.
cat > "$T/raw.py" <<'PY'
import socket, sys, time
path, what = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(path)
payload = {"empty": b"\n", "garbage": b"\x00\xff\x01 \x7f{}\n",
	   "crlf": b"status\r\n", "words": b"help " + b"a " * 20 + b"\n",
	   "unknown": b"frobnicate\n", "pipeline": b"version\nversion\n",
	   "huge": b"x" * (1 << 20)}[what]
try:
	s.sendall(payload)
except (BrokenPipeError, ConnectionResetError):
	pass
buf = b""
while True:
	try:
		d = s.recv(65536)
	except ConnectionResetError:
		d = b""	# closed with our unread bytes in its buffer
	except socket.timeout:
		break
	if not d:
		print("CLOSED")
		break
	buf += d
	if what != "huge" and buf.count(b"\n") >= (2 if what == "pipeline" else 1) \
	    and (buf.split(b"\n")[-2].startswith((b"OK", b"ERR"))):
		if what != "pipeline" or buf.count(b"OK") == 2:
			break
sys.stdout.write(buf.decode("latin-1"))
PY
raw() { python3 "$T/raw.py" "$SOCK" "$1"; }
raw empty | grep -q "^ERR EBADREQ" || fail "empty line"
raw garbage | grep -q "^ERR EBADREQ" || fail "garbage"
raw words | grep -q "^ERR EBADREQ" || fail "too many words"
raw unknown | grep -q "^ERR EBADREQ unknown command" || fail "unknown command"
raw crlf | grep -q "^OK 1" || fail "CRLF request"
[ "$(raw pipeline | grep -c '^OK 1')" = 2 ] || fail "two pipelined requests"
raw huge > "$T/huge.out"
grep -q "^ERR ETOOBIG" "$T/huge.out" || fail "1 MiB request: $(head -c 200 "$T/huge.out")"
grep -q "^CLOSED" "$T/huge.out" || fail "1 MiB request: connection not closed"
kill -0 "$SPID" || fail "superd died on bad requests"
ctl status >/dev/null || fail "status after bad requests"
ok "empty, garbage, too many words, unknown, 1 MiB: one ERR each, daemon unharmed"

# 16 connections at most: the 17th is told so.
cat > "$T/many.py" <<'PY'
import socket, sys
conns = []
for i in range(16):
	s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
	s.connect(sys.argv[1])
	conns.append(s)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(sys.argv[1])
print(s.recv(200).decode().strip())
PY
python3 "$T/many.py" "$SOCK" | grep -q "^ERR EBUSY" || fail "17th connection not refused"
ctl status >/dev/null || fail "status after 17 connections"
ok "connection limit (16), freed again on close"

# ---- permissions: an unprivileged uid.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
	chmod 755 "$T"
	NG=$(id -gn nobody)
	cp "$CTL" "$T/superdctl"
	asnobody() { setpriv --reuid=nobody --regid="$NG" --clear-groups "$T/superdctl" -S "$SOCK" -t 5 "$@"; }
	asnobody status 2>"$T/err"; rc=$?
	[ $rc = 1 ] && grep -q "Permission denied" "$T/err" || fail "nobody connected to a 0600 socket (exit $rc)"
	chmod 666 "$SOCK"	# an operator opens reads to everyone
	asnobody -j status > "$T/nb.json" || fail "nobody cannot read status"
	[ "$(json "$T/nb.json" "d['access']")" = read ] || fail "nobody's access is not read"
	asnobody services >/dev/null || fail "nobody cannot read services"
	asnobody disable echo 2>"$T/err"; rc=$?
	[ $rc = 1 ] && grep -q EPERM "$T/err" || fail "nobody could disable (exit $rc)"
	asnobody reload 2>/dev/null && fail "nobody could reload"
	asnobody drain 2>/dev/null && fail "nobody could drain"
	wait_log "control uid $(id -u nobody) pid [0-9]*: disable refused" 10 || fail "refusal not logged"
	ctl service echo | grep -q "^state  *listening$" || fail "echo changed by nobody"
	# control-group: its members (here by primary group) may change things.
	conf
	sed -i "1i control-group = \"$NG\"" "$T/superd.conf"
	ctl reload || fail "reload with control-group"
	[ "$(stat -c '%a %G' "$SOCK")" = "660 $NG" ] || fail "socket with group: $(stat -c '%a %G' "$SOCK")"
	asnobody disable echo || fail "control-group member could not disable"
	asnobody enable echo || fail "control-group member could not enable"
	if setpriv --reuid=nobody --regid=54321 --clear-groups "$T/superdctl" -S "$SOCK" status 2>"$T/err"; then
		fail "a non-member connected to the 0660 socket"
	fi
	grep -q "Permission denied" "$T/err" || fail "non-member: $(cat "$T/err")"
	ok "unprivileged uid: no access at 0600, read-only at 0666 (EPERM logged), operate via control-group"
	conf
	ctl reload || fail "reload back"
else
	echo "SKIP: permission checks need root, setpriv and user nobody"
fi

# ---- reload: errors are returned, the old config keeps serving.
conf 'service broken { address = "127.0.0.1"  port = 70000  server = "/bin/cat" }'
ctl reload 2>"$T/err"; rc=$?
[ $rc = 1 ] || fail "broken reload: exit $rc"
grep -q "superd.conf:[0-9]*:.*broken" "$T/err" || fail "reload error not reported: $(cat "$T/err")"
grep -q "(ECONFIG)" "$T/err" || fail "no ECONFIG"
ctl -j reload > "$T/rl.json" 2>/dev/null
python3 -m json.tool "$T/rl.json" >/dev/null || fail "reload error JSON invalid"
[ "$(json "$T/rl.json" "d['error'], len(d['errors']) > 0")" = "ECONFIG True" ] ||
	fail "reload JSON: $(cat "$T/rl.json")"
[ "$($SDCLIENT -s old 127.0.0.1 $((P+1)))" = old ] || fail "old config not serving"
conf 'service extra { type = builtin  address = "127.0.0.1"  port = '$((P+5))'  server = echo }'
ctl reload || fail "good reload"
[ "$($SDCLIENT -s new 127.0.0.1 $((P+5)))" = new ] || fail "reloaded service not serving"
ok "reload: config errors returned (file:line), good reload applied"

# ---- control under a flood of a data port.
cat > "$T/probe.py" <<'PY'
import socket, sys, time
lat = []
for i in range(int(sys.argv[2])):
	t = time.monotonic()
	s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
	s.settimeout(5)
	s.connect(sys.argv[1])
	s.sendall(b"status\n")
	buf = b""
	while not buf.endswith(b"OK 1\n"):
		d = s.recv(4096)
		if not d:
			break
		buf += d
	s.close()
	lat.append((time.monotonic() - t) * 1000)
	time.sleep(0.01)
lat.sort()
print("p50=%.2f p99=%.2f max=%.2f" % (lat[len(lat) // 2], lat[int(len(lat) * 0.99) - 1], lat[-1]))
PY
fl=
for _ in 1 2 3 4 5 6 7 8; do
	$SDCLIENT -q -n 250 -t 2000 -s f 127.0.0.1 $((P+4)) >/dev/null 2>&1 &
	fl="$fl $!"
done
lat=$(python3 "$T/probe.py" "$SOCK" 200)
t0=$(date +%s%N)
ctl status >/dev/null || fail "superdctl status under flood"
t1=$(( ($(date +%s%N) - t0) / 1000000 ))
for p in $fl; do wait "$p"; done
p99=$(echo "$lat" | sed 's/.*p99=\([0-9.]*\).*/\1/')
python3 -c "import sys; sys.exit(0 if float('$p99') < 100 else 1)" ||
	fail "control status p99 ${p99} ms under a flood ($lat)"
ok "status under a 2000-connection flood: $lat ms; superdctl ${t1} ms"
n=$(ctl -j service flood | python3 -c 'import json,sys; print(json.load(sys.stdin)["services"][0]["accepted"])')
[ "$n" -ge 1000 ] || fail "flood hardly reached the data port ($n accepted)"

# ---- drain: stop accepting, exit when the last handler ends.
$SDCLIENT -k -t 20000 127.0.0.1 $((P+2)) >/dev/null 2>&1 &
c3=$!
for _ in $(seq 50); do ctl sessions sleep | grep -q "^S" && break; sleep 0.1; done
sid=$(ctl sessions sleep | awk 'NR == 2 { print $1 }')
[ -n "$sid" ] || fail "no session before drain"
ctl drain || fail "drain"
wait_log "control uid $(id -u) pid [0-9]*: drain" 10 || fail "drain not logged"
ctl service echo | grep -q "^state  *draining$" || fail "echo not draining"
kill -0 "$SPID" || fail "superd exited with a handler running"
[ -z "$($SDCLIENT -t 500 -s x 127.0.0.1 $((P+1)) 2>/dev/null)" ] || fail "draining superd answered"
ctl interrupt "$sid" || fail "interrupt during drain"
for _ in $(seq 50); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$SPID" 2>/dev/null && fail "superd still running after its last handler ended"
wait "$SPID"; rc=$?
SPID=
[ $rc = 0 ] || fail "superd exit status $rc after drain"
[ ! -e "$SOCK" ] || fail "control socket left behind"
wait $c3 2>/dev/null
ctl status 2>"$T/err"; rc=$?
[ $rc = 1 ] && grep -q "superd is not running.*$SOCK" "$T/err" || fail "not-running message: $(cat "$T/err")"
ok "drain: no new requests, exit 0 after the last handler, socket removed; superdctl says so"
exit 0
