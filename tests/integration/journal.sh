#!/bin/sh
# Under systemd, with stderr connected to the journal, superd logs with
# sd_journal_send and structured fields.  A private mount namespace with
# a tmpfs on /run stands in: notify_listen plays journald on
# /run/systemd/journal/socket, and JOURNAL_STREAM names superd's stderr.
. "${top_srcdir}/tests/integration/lib.sh"
grep -q '^#define HAVE_SYSTEMD 1' "$top_builddir/config.h" || skip "built without libsystemd"
[ "$(id -u)" = 0 ] || skip "needs root for a private mount namespace"
command -v unshare >/dev/null || skip "unshare is not installed"
unshare -m sh -c 'mount -t tmpfs tmpfs /run' 2>/dev/null ||
	skip "cannot mount a tmpfs in a private mount namespace here"
P=$BASE
LISTEN=$top_builddir/tests/integration/notify_listen
{ conf_globals; cat <<CONF
service echo { type = builtin  address = "127.0.0.1"  port = $((P+1))  server = echo }
service fail { address = "127.0.0.1"  port = $((P+2))  server = "/bin/sh"  args = {"-c", "exit 3"} }
CONF
} > "$T/superd.conf"
: > "$T/log"
# run.sh runs inside the new mount namespace: /run there is our tmpfs.
{
	echo 'mount -t tmpfs tmpfs /run || exit 1'
	echo 'mkdir -p /run/systemd/journal'
	echo "\"$LISTEN\" /run/systemd/journal/socket 20 > \"$T/journal\" &"
	echo 'for i in $(seq 50); do [ -S /run/systemd/journal/socket ] && break; sleep 0.1; done'
	echo "JOURNAL_STREAM=\$(stat -c '%d:%i' \"$T/log\"); export JOURNAL_STREAM"
	echo "exec \"$SUPERD\" -f -c \"$T/superd.conf\" 2>>\"$T/log\""
} > "$T/run.sh"
unshare -m sh "$T/run.sh" &
SPID=$!
for _ in $(seq 50); do grep -q "started" "$T/journal" 2>/dev/null && break; sleep 0.1; done
grep -q "^MESSAGE=superd .* started" "$T/journal" || fail "no start message in the journal: $(head -5 "$T/journal" 2>&1)"
[ -s "$T/log" ] && fail "superd wrote to stderr instead of the journal: $(head -3 "$T/log")"
ok "stderr is the journal: messages go through sd_journal_send"

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
