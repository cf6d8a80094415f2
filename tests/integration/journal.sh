#!/bin/sh
# Under systemd, with stderr connected to the journal, superd logs to the
# journal's native socket with structured fields: one datagram per entry,
# a batch of datagrams per sendmmsg().  A private mount namespace with a
# tmpfs on /run stands in: journal_recv plays journald on
# /run/systemd/journal/socket (it parses every datagram and flags one
# that breaks the protocol or carries more than one entry), and
# JOURNAL_STREAM names superd's stderr.
. "${top_srcdir}/tests/integration/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root for a private mount namespace"
command -v unshare >/dev/null || skip "unshare is not installed"
unshare -m sh -c 'mount -t tmpfs tmpfs /run' 2>/dev/null ||
	skip "cannot mount a tmpfs in a private mount namespace here"
P=$BASE
RECV=$top_builddir/tests/integration/journal_recv
N=200
NL='
'
# A configuration path with a newline in it: the start message then has
# one, and a value with a newline needs the protocol's binary form.
CONF="$T/superd${NL}conf"
{ conf_globals; cat <<CONF
service echo { type = builtin  address = "127.0.0.1"  port = $((P+1))  server = echo }
service fail { address = "127.0.0.1"  port = $((P+2))  server = "/bin/sh"  args = {"-c", "exit 3"} }
service burst { type = builtin  address = "127.0.0.1"  port = $((P+3))  server = echo }
service stall { type = builtin  address = "127.0.0.1"  port = $((P+4))  server = echo }
CONF
} > "$CONF"
: > "$T/log"
# run.sh runs inside the new mount namespace: /run there is our tmpfs.
{
	echo 'mount -t tmpfs tmpfs /run || exit 1'
	echo 'mkdir -p /run/systemd/journal'
	echo "\"$RECV\" /run/systemd/journal/socket 300 > \"$T/journal\" &"
	echo "echo \$! > \"$T/recv.pid\""
	echo 'for i in $(seq 50); do [ -S /run/systemd/journal/socket ] && break; sleep 0.1; done'
	echo "JOURNAL_STREAM=\$(stat -c '%d:%i' \"$T/log\"); export JOURNAL_STREAM"
	echo "exec \"$SUPERD\" -f -c \"$CONF\" 2>>\"$T/log\""
} > "$T/run.sh"
unshare -m sh "$T/run.sh" &
SPID=$!
recv_signal() { [ -s "$T/recv.pid" ] && kill "-$1" "$(cat "$T/recv.pid")" 2>/dev/null; }
trap 'recv_signal CONT; recv_signal TERM; cleanup' EXIT
# count_entries SERVICE: entries of SERVICE's requests received so far.
count_entries() { grep -c "^SUPERD_SERVICE=$1\$" "$T/journal" 2>/dev/null || true; }

for _ in $(seq 50); do grep -q "started" "$T/journal" 2>/dev/null && break; sleep 0.1; done
grep -q "^MESSAGE=superd .* started" "$T/journal" || fail "no start message in the journal: $(head -5 "$T/journal" 2>&1)"
[ -s "$T/log" ] && fail "superd wrote to stderr instead of the journal: $(head -3 "$T/log")"
ok "stderr is the journal: messages go to its native socket"
grep -qF "started with $T/superd\\nconf" "$T/journal" ||
	fail "the newline in the start message did not come through: $(grep started "$T/journal")"
ok "a value with a newline comes through whole (the binary-safe form)"

[ "$($SDCLIENT -s hi 127.0.0.1 $((P+1)))" = hi ] || fail "echo"
$SDCLIENT 127.0.0.1 $((P+2)) >/dev/null
for _ in $(seq 50); do grep -q "^EXIT_STATUS=3$" "$T/journal" && break; sleep 0.1; done
# The record of the failed handler, fields and all.
awk 'BEGIN { RS = "--\n" } /EXIT_STATUS=3\n/' "$T/journal" > "$T/rec"
for f in "SUPERD_SERVICE=fail" "REMOTE_ADDR=127.0.0.1" "PRIORITY=5" "SYSLOG_IDENTIFIER=superd"; do
	grep -qx "$f" "$T/rec" || fail "journal record lacks $f: $(cat "$T/rec")"
done
grep -q "^REMOTE_PORT=[0-9]" "$T/rec" && grep -q "^HANDLER_PID=[0-9]" "$T/rec" \
	&& grep -q "^DURATION_USEC=[0-9]" "$T/rec" || fail "journal record lacks fields: $(cat "$T/rec")"
grep -q "^SUPERD_SERVICE=echo$" "$T/journal" || fail "no record for the echo request"
ok "request lines carry SUPERD_SERVICE, REMOTE_ADDR/PORT, HANDLER_PID, EXIT_STATUS, DURATION_USEC"

# A burst: N requests, each with two entries (its start and its end),
# each entry with its fields and its own peer.
$SDCLIENT -n $N -s x -x x 127.0.0.1 $((P+3)) >/dev/null || fail "burst requests failed"
for _ in $(seq 100); do [ "$(count_entries burst)" -ge $((2 * N)) ] && break; sleep 0.1; done
awk -v svc=burst '
	BEGIN { RS = "--\n"; FS = "\n" }
	$0 ~ "\nSUPERD_SERVICE=" svc "\n" {
		delete f
		for (i = 1; i <= NF; i++)
			if ((k = index($i, "=")) > 0)
				f[substr($i, 1, k - 1)] = substr($i, k + 1)
		peer = "127.0.0.1:" f["REMOTE_PORT"]
		if (f["PRIORITY"] != "6" || f["SYSLOG_IDENTIFIER"] != "superd" ||
		    f["REMOTE_ADDR"] != "127.0.0.1" ||
		    f["REMOTE_PORT"] !~ /^[0-9]+$/ || f["HANDLER_PID"] != "0" ||
		    f["EXIT_STATUS"] != "-1" ||
		    index(f["MESSAGE"], "service " svc ": session S") != 1) {
			print "bad entry: " $0; exit 1
		}
		if (index(f["MESSAGE"], "from " peer ": builtin echo") > 0 &&
		    f["DURATION_USEC"] == "-1") {
			if (start[peer]++) { print "peer twice: " $0; exit 1 }
			starts++
		} else if (index(f["MESSAGE"], "(peer " peer ") closed after") > 0 &&
		    f["DURATION_USEC"] ~ /^[0-9]+$/) {
			if (end[peer]++) { print "peer twice: " $0; exit 1 }
			ends++
		} else {
			print "fields do not match the message: " $0; exit 1
		}
	}
	END {
		for (p in end)
			if (!(p in start)) { print "an end without its start: " p; exit 1 }
		if (starts != want || ends != want) {
			print starts " starts and " ends " ends for " want " requests"
			exit 1
		}
	}
' want=$N "$T/journal" > "$T/burst" || fail "burst: $(head -20 "$T/burst")"
ok "$N requests in a burst: $((2 * N)) entries, fields intact, each peer once per start and end"

# The journal stops reading.  The loop serves on; the writer waits for it
# a while, then drops and counts what the journal does not take, and says
# so once the journal reads again.  Enough requests to fill the socket's
# queue (net.unix.max_dgram_qlen datagrams, systemd sets 512).
QLEN=$(cat /proc/sys/net/unix/max_dgram_qlen 2>/dev/null || echo 512)
M=$((QLEN + 50))
[ "$M" -le 2000 ] || skip "net.unix.max_dgram_qlen is $QLEN: too many requests to fill it"
recv_signal STOP || fail "no journal_recv pid"
$SDCLIENT -n $M -s x -x x 127.0.0.1 $((P+4)) >/dev/null ||
	fail "requests failed while the journal did not read"
ok "$M requests served while the journal did not read"
# The writer gives up on the journal after a second without room; there
# is no sign of that moment outside superd, so give it three.
sleep 3
recv_signal CONT
for _ in $(seq 100); do
	grep -q "^MESSAGE=journal: [0-9]* log entries dropped" "$T/journal" && break
	$SDCLIENT -s x 127.0.0.1 $((P+1)) >/dev/null
	sleep 0.2
done
grep -q "^MESSAGE=journal: [1-9][0-9]* log entries dropped" "$T/journal" ||
	fail "no warning about entries the stalled journal did not take: $(grep -c . "$T/journal") lines"
[ "$(grep -c "^MESSAGE=journal: .* dropped" "$T/journal")" = 1 ] ||
	fail "more than one drop warning in a short while: $(grep "^MESSAGE=journal:" "$T/journal")"
ok "the drops are counted and reported once: $(grep "^MESSAGE=journal:" "$T/journal" | cut -d' ' -f2) entries"

# And with the journal stopped again, superd still shuts down.
recv_signal STOP
$SDCLIENT -n $M -s x -x x 127.0.0.1 $((P+4)) >/dev/null || fail "requests failed"
kill -TERM "$SPID"
for _ in $(seq 300); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$SPID" 2>/dev/null && fail "superd does not exit while the journal does not read"
wait "$SPID" 2>/dev/null
SPID=
recv_signal CONT
ok "superd exits while the journal does not read"

grep -q "^BAD=" "$T/journal" && fail "datagrams that break the protocol: $(grep -B3 "^BAD=" "$T/journal" | head -20)"
ok "every datagram is one well-formed entry"
