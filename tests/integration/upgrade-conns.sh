#!/bin/sh
# Open connections across an in-place upgrade.  A client holds a
# connection-bound lease over its directory connection, and keeps a
# control connection open; each has half a request line sent when
# superd re-executes itself (superdctl upgrade, then SIGUSR2).  After
# each upgrade the same connections finish their lines and get the
# answers (a lookup, a renew of the lease, which shows it is still bound
# to that connection, and a status from the same pid); the lease is still
# listed, and it goes when the client then closes.  A control connection
# that has hundreds of replies queued when superd upgrades gets every one
# of them.  superd-lookup holding a lease for a command does not lose it.
# A new binary that does not read this handover format is refused.
. "${top_srcdir}/tests/integration/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "python3 is needed for the client"
P=$BASE
CTL="$top_builddir/superdctl"
LOOKUP=$top_builddir/superd-lookup
[ -x "$CTL" ] || fail "superdctl not built ($CTL)"
[ -x "$LOOKUP" ] || fail "superd-lookup not built ($LOOKUP)"
ctl() { "$CTL" -S "$T/control.sock" -t 10 "$@"; }
SUPERD_DIRECTORY=$T/directory.sock; export SUPERD_DIRECTORY
BG=
trap 'exec 3>&-; kill $BG 2>/dev/null; cleanup' EXIT

{ conf_globals; cat <<CONF
service echo { type = builtin  address = "127.0.0.1"  port = $((P+1))  server = echo }
CONF
} > "$T/superd.conf"
start_superd

# The client: a directory and a control connection, driven by lines on
# a FIFO ("round": finish the half lines and send the next halves;
# "close": close both and exit), answering on stdout.
cat > "$T/holder.py" <<'PY'
import socket, sys

d = socket.socket(socket.AF_UNIX)
d.connect(sys.argv[1])
c = socket.socket(socket.AF_UNIX)
c.connect(sys.argv[2])
for s in (d, c):
    s.settimeout(20)
files = {d: d.makefile("rb"), c: c.makefile("rb")}

def reply(s):
    """Records, then the OK or ERR line; EOF says so."""
    lines = []
    while True:
        l = files[s].readline().decode()
        if l == "":
            lines.append("EOF")
            return lines
        lines.append(l.rstrip("\n"))
        if l.startswith("OK") or l.startswith("ERR"):
            return lines

def say(*words):
    print(*words, flush=True)

d.sendall(b"register name=app proto=tcp addr=127.0.0.1 port=%d ttl=0\n"
    % int(sys.argv[3]))
r = reply(d)[-1]
say("register", r)
lease = r.split("id=")[1].split()[0]
c.sendall(b"version\n")
say("control", reply(c)[-1])
# Half lines, finished after the upgrade.
d.sendall(b"lookup na")
c.sendall(b"sta")
say("ready")
for cmd in open(sys.argv[4]):
    cmd = cmd.strip()
    if cmd == "close":
        break
    d.sendall(b"me=app\n")
    say("lookup", " | ".join(reply(d)))
    d.sendall(b"renew id=%s\n" % lease.encode())
    say("renew", " | ".join(reply(d)))
    c.sendall(b"tus\n")
    say("status", " | ".join(reply(c)))
    d.sendall(b"lookup na")
    c.sendall(b"sta")
    say("ready")
d.close()
c.close()
say("closed")
PY

# The client with many replies queued: N requests sent at once and not
# read until the file GO exists; then every reply is counted.
cat > "$T/flood.py" <<'PY'
import os, socket, sys, time

n = int(sys.argv[2])
c = socket.socket(socket.AF_UNIX)
c.connect(sys.argv[1])
c.settimeout(20)
c.sendall(b"help\n" * n)
print("sent", flush=True)
for _ in range(300):
    if os.path.exists(sys.argv[3]):
        break
    time.sleep(0.1)
c.sendall(b"version\n")
f = c.makefile("rb")
oks = bad = 0
while oks + bad < n + 1:
    l = f.readline()
    if not l:
        break
    if l.startswith(b"OK "):
        oks += 1
    elif not l.startswith(b"HE ") and not l.startswith(b"VE "):
        bad += 1
print("oks", oks, "bad", bad, flush=True)
PY

# wait_out FILE PATTERN [COUNT]: until FILE has COUNT lines matching.
wait_out() {
	for _ in $(seq 100); do
		[ "$(grep -c -- "$2" "$1" 2>/dev/null)" -ge "${3:-1}" ] && return 0
		sleep 0.1
	done
	return 1
}

mkfifo "$T/cmd"
python3 "$T/holder.py" "$T/directory.sock" "$T/control.sock" $((P+9)) \
    "$T/cmd" > "$T/holder" 2>&1 &
HP=$!
BG="$BG $HP"
exec 3>"$T/cmd"
wait_out "$T/holder" "^ready" || fail "the client: $(cat "$T/holder")"
lease=$(sed -n 's/^register OK 0 id=\(L[0-9]*\) ttl=0$/\1/p' "$T/holder")
[ -n "$lease" ] || fail "no connection-bound lease: $(cat "$T/holder")"
[ "$("$LOOKUP" app)" = "127.0.0.1:$((P+9))/tcp" ] || fail "app not listed"

# superd-lookup holds a lease for a command's life over its connection.
"$LOOKUP" --register app2 tcp $((P+8)) -- sleep 60 2> "$T/reg" &
RP=$!
BG="$BG $RP"
for _ in $(seq 50); do "$LOOKUP" app2 >/dev/null 2>&1 && break; sleep 0.1; done
"$LOOKUP" app2 >/dev/null 2>&1 || fail "superd-lookup --register: $(cat "$T/reg")"

python3 "$T/flood.py" "$T/control.sock" 400 "$T/go" > "$T/flood" 2>&1 &
FP=$!
BG="$BG $FP"
wait_out "$T/flood" "^sent" || fail "the flood client: $(cat "$T/flood")"
# Its replies (about 450 KB) fill the socket, then superd's own buffer
# (64 KB), and superd stops reading its requests: give it the time.
sleep 0.5

# round N HOW: upgrade, then finish the half lines on the same connections.
round() {
	if [ "$2" = signal ]; then
		kill -USR2 "$SPID"
	else
		ctl upgrade > "$T/up" 2>&1 || fail "upgrade $1: $(cat "$T/up")"
	fi
	wait_count "upgraded in place" "$1" 100 || fail "upgrade $1 did not happen"
	kill -0 "$SPID" || fail "superd is gone after upgrade $1"
	echo round >&3
	wait_out "$T/holder" "^ready" $(($1 + 1)) ||
		fail "round $1: $(cat "$T/holder")"
	sed -n "/^lookup /p" "$T/holder" | sed -n "${1}p" | grep -q \
	    "^lookup EP name=app proto=tcp addr=127.0.0.1 port=$((P+9)) .* | OK 1$" ||
		fail "lookup over the kept connection after upgrade $1:" \
		    "$(cat "$T/holder")"
	sed -n "/^renew /p" "$T/holder" | sed -n "${1}p" |
	    grep -q "^renew OK 0 ttl=0$" ||
		fail "the lease is not bound to the kept connection after" \
		    "upgrade $1: $(cat "$T/holder")"
	sed -n "/^status /p" "$T/holder" | sed -n "${1}p" |
	    grep -q "^status ST .* pid=$SPID .* | OK 1$" ||
		fail "control after upgrade $1: $(cat "$T/holder")"
	[ "$("$LOOKUP" app)" = "127.0.0.1:$((P+9))/tcp" ] ||
		fail "app is not listed after upgrade $1"
}
round 1 ctl
grep -q "^control OK 1$" "$T/holder" || fail "control before: $(cat "$T/holder")"
touch "$T/go"
wait "$FP"
grep -q "^oks 401 bad 0$" "$T/flood" ||
	fail "replies queued across the upgrade: $(cat "$T/flood")"
ok "a control connection with 400 replies queued gets every one"
round 2 signal
ok "a connection-bound lease and its directory connection, and an" \
    "open control connection, survive superdctl upgrade and SIGUSR2:" \
    "half lines finished, lookup, renew and status answered"

"$LOOKUP" app2 >/dev/null 2>&1 || fail "superd-lookup's lease is gone"
kill -0 "$RP" || fail "superd-lookup ended: $(cat "$T/reg")"
[ ! -s "$T/reg" ] || fail "superd-lookup lost its lease: $(cat "$T/reg")"
ok "superd-lookup --register keeps its lease and connection"

echo close >&3
wait "$HP"
grep -q "^closed$" "$T/holder" || fail "the client: $(cat "$T/holder")"
wait_log "$lease app tcp 127.0.0.1 port $((P+9)) .*removed: closed" ||
	fail "the lease did not end with its connection"
"$LOOKUP" app >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "app still listed after its connection closed ($rc)"
ok "the lease ends when the kept connection closes"

# A new binary that reads another handover format (an older superd) is
# refused before anything is handed over.
cat > "$T/old-superd" <<SH
#!/bin/sh
[ "\$1" = --handover-version ] && { echo "superd handover 1"; exit 0; }
exec "$SUPERD" "\$@"
SH
chmod +x "$T/old-superd"
v=$("$SUPERD" --handover-version | awk '{ print $NF }')
ctl upgrade "$T/old-superd" > "$T/up" 2>&1 && fail "upgrade to format 1 went on"
grep -q "does not read handover format $v " "$T/up" ||
	fail "format 1: $(cat "$T/up")"
[ "$(count_log "upgraded in place")" = 2 ] || fail "a refused upgrade executed"
ok "a binary of handover format 1 is refused; this one writes format $v"
kill -0 "$SPID" || fail "superd died"
