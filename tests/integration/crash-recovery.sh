#!/bin/sh
# Crash recovery of the request table: superd is killed with SIGKILL
# while a wait-mode handler and three nowait handlers (instances = 3)
# run.  The next superd re-adopts them from its state file:
#  - superdctl sessions lists them, with their ids (and two handlers of
#    a per-source = 2 service);
#  - they count against per-source (a third connection from the same
#    source is refused) and max-children (two more handlers reach it);
#  - a fourth nowait connection waits for a slot (instances counts the
#    adopted handlers) and is served once an adopted one is interrupted
#    through superdctl (interrupt reaches a handler that is not its child);
#  - the wait-mode service starts no second handler while the old one
#    holds its socket (and superd does not fail to bind it), and resumes
#    when the old handler exits.
. "${top_srcdir}/tests/integration/lib.sh"
P=$BASE
LOGLEVEL=info
CTL="$top_builddir/superdctl"
WECHO=$top_builddir/tests/integration/tcp_wait_echo
[ -x "$CTL" ] || fail "superdctl not built ($CTL)"
[ -x "$WECHO" ] || fail "tcp_wait_echo not built ($WECHO)"
ctl() { "$CTL" -S "$T/control.sock" -t 5 "$@"; }
BG=
trap 'kill $BG 2>/dev/null; cleanup' EXIT
[ -e /proc/self/stat ] || skip "no /proc"

{ conf_globals; cat <<CONF
max-children = 8
service w { address = "127.0.0.1"  port = $((P+1))  wait = yes
  server = "$WECHO"  args = {"10000"} }
service n { address = "127.0.0.1"  port = $((P+2))  instances = 3
  server = "/bin/cat" }
service p { address = "127.0.0.1"  port = $((P+3))  per-source = 2
  server = "/bin/cat" }
service q { address = "127.0.0.1"  port = $((P+4))  server = "/bin/cat" }
CONF
} > "$T/superd.conf"
handlers() { ctl sessions "$1" 2>/dev/null | grep -c '^S' || true; }
wait_handlers() {
	for _ in $(seq 50); do
		[ "$(handlers "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
start_superd

r=$($SDCLIENT -t 3000 -s hi 127.0.0.1 $((P+1)))
wpid=${r#pid:}; wpid=${wpid%%[!0-9]*}
[ -n "$wpid" ] || fail "wait handler: '$r'"
for i in 1 2 3; do
	$SDCLIENT -k -t 30000 -s "c$i" 127.0.0.1 $((P+2)) > "$T/c$i" 2>&1 &
	BG="$BG $!"
done
for i in 1 2; do
	$SDCLIENT -k -t 30000 -s "p$i" 127.0.0.1 $((P+3)) > "$T/p$i" 2>&1 &
	BG="$BG $!"
done
wait_handlers n 3 || fail "three nowait handlers did not start"
wait_handlers p 2 || fail "two per-source handlers did not start"
wait_handlers w 1 || fail "no wait handler"
# One request that ends before the crash: its id is not given again.
[ "$($SDCLIENT -t 3000 -s gone 127.0.0.1 $((P+4)))" = gone ] || fail "q"
wait_handlers q 0 || fail "q: the short request did not end"
# The log has its own writer thread: wait for the line, do not just read.
wait_log "service q: session S[0-9]* from" 50 || fail "no log line for the short request"
gone=$(sed -n 's/.*service q: session S\([0-9]*\) from.*/\1/p' "$T/log")
[ -n "$gone" ] || fail "no session id for the short request"
ctl sessions | awk 'NR > 1 { print $1, $2, $4 }' | sort > "$T/before"
# The table is written within 100 ms of a change.
for _ in $(seq 30); do
	[ "$(grep -c '^req ' "$T/superd.state" 2>/dev/null)" = 6 ] &&
	    grep -q " next=$((gone + 1)) " "$T/superd.state" && break
	sleep 0.1
done
[ "$(grep -c '^req ' "$T/superd.state")" = 6 ] ||
	fail "state file: expected 6 requests, saw: $(cat "$T/superd.state")"
v=$("$SUPERD" --handover-version | awk '{ print $NF }')
head -1 "$T/superd.state" | grep -q "^superd version=$v pid=$SPID " ||
	fail "state file header: $(head -1 "$T/superd.state")"
ok "the state file holds the six running requests"

kill -KILL "$SPID"; wait "$SPID" 2>/dev/null; SPID=
kill -0 "$wpid" || fail "the wait handler died with superd"
mv "$T/log" "$T/log.1"
start_superd
grep -q "re-adopting" "$T/log" || fail "no re-adoption logged"
ctl sessions | awk 'NR > 1 { print $1, $2, $4 }' | sort > "$T/after"
cmp -s "$T/before" "$T/after" || fail "sessions before the crash:
$(cat "$T/before")
after:
$(cat "$T/after")"
ok "superdctl sessions lists the six handlers with their ids and pids"

grep -q "Address already in use\|retrying" "$T/log" &&
	fail "superd tried to bind the socket the wait handler holds"
# Listed where the old handler serves (superd itself accepts nothing).
ctl services | grep -Eq "^w +tcp +listening +127\.0\.0\.1:$((P+1)) +wait " ||
	fail "w is not listed at its old handler's socket: $(ctl services)"

# The old wait handler still serves its socket; no second one starts.
r=$($SDCLIENT -t 3000 -s again 127.0.0.1 $((P+1)))
case "$r" in "pid:$wpid"*again) ;; *) fail "w after the restart: expected" \
    "the old handler (pid $wpid) to answer, saw '$r'";; esac
[ "$(handlers w)" = 1 ] || fail "w: a second wait handler started"
ok "the wait-mode service starts no second handler"

# per-source: the two adopted handlers of p hold both slots of 127.0.0.1.
r=$($SDCLIENT -t 3000 -s third 127.0.0.1 $((P+3)))
[ -z "$r" ] || fail "p: a third connection from 127.0.0.1 was served: '$r'"
wait_log "service p: refused 127.0.0.1.*per-source" 30 ||
	fail "p: the third connection was not refused by per-source"
ok "adopted handlers hold their per-source slots"
# max-children = 8: six adopted, two more reach it.
QS=
for i in 1 2; do
	$SDCLIENT -k -t 30000 -s "q$i" 127.0.0.1 $((P+4)) > "$T/q$i" 2>&1 &
	QS="$QS $!"
done
BG="$BG $QS"
wait_handlers q 2 || fail "q: two handlers did not start"
for id in $(ctl sessions q | awk 'NR > 1 { print substr($1, 2) }'); do
	[ "$id" -gt "$gone" ] || fail "session id S$id given again (S$gone ended before the crash)"
done
wait_log "max-children (8) reached" 30 ||
	fail "max-children not reached with 6 adopted and 2 new handlers"
ok "adopted handlers count against max-children"
# Below max-children again, so what follows tests instances alone.
kill $QS; wait $QS 2>/dev/null
wait_handlers q 0 || fail "q: its handlers did not end"

# A fourth nowait connection waits: instances counts adopted handlers.
$SDCLIENT -t 20000 -s fourth 127.0.0.1 $((P+2)) > "$T/c4" 2>&1 &
c4=$!
BG="$BG $c4"
sleep 1
[ "$(handlers n)" = 3 ] || fail "n: expected 3 handlers, saw $(handlers n)"
[ -s "$T/c4" ] && fail "the fourth connection was served over instances = 3"
ok "a fourth nowait connection waits for a slot"
sid=$(ctl sessions n | awk 'NR == 2 { print $1 }')
ctl interrupt "$sid" || fail "interrupt $sid"
wait_log "session $sid .*exited (adopted" 30 ||
	fail "the interrupted adopted handler's end was not seen"
wait "$c4"
[ "$(cat "$T/c4")" = fourth ] || fail "the fourth connection: '$(cat "$T/c4")'"
ok "interrupt reaches an adopted handler; its slot goes to the fourth"

# The old wait handler exits after 10 s idle; then w binds and resumes.
wait_log "the wait handler from before the restart exited; resuming" 150 ||
	fail "w did not resume"
r=$($SDCLIENT -t 3000 -s new 127.0.0.1 $((P+1)))
case "$r" in "pid:$wpid"*) fail "w: still the old handler";;
    "pid:"*new) ;; *) fail "w after resuming: '$r'";; esac
ok "the wait-mode service resumes when its old handler exits"
kill -0 "$SPID" || fail "superd died"
