#!/bin/sh
# The state file and builtin connections.  A builtin connection lives in
# superd alone (its socket dies with it), so after a crash nothing of it
# is to be re-adopted; the state file is not rewritten for it: each
# rewrite blocks the loop (open, write, rename: about a millisecond on a
# disk), and at one every 100 ms it was the tail of every builtin's
# latency under load.  What the file must still keep is the session ids:
# one given before a crash is never given again after it.
. "${top_srcdir}/tests/integration/lib.sh"
P=$BASE
LOGLEVEL=info
STATE=$T/superd.state
{ conf_globals; cat <<CONF
service e { type = builtin  server = echo  address = "127.0.0.1"
  port = $((P+1)) }
CONF
} > "$T/superd.conf"
start_superd

# The first request writes the file once (the id mark) ...
$SDCLIENT -q -t 3000 -s one -x one 127.0.0.1 $((P+1)) >/dev/null ||
	fail "echo did not answer"
for _ in $(seq 50); do [ -f "$STATE" ] && break; sleep 0.1; done
[ -f "$STATE" ] || fail "no state file after a request"
sleep 0.3
first=$(stat -c %i "$STATE")
# ... and 40 more over a second and a half do not rewrite it.
$SDCLIENT -q -n 40 -i 35 -t 3000 -s two -x two 127.0.0.1 $((P+1)) >/dev/null ||
	fail "echo did not answer 40 times"
sleep 0.3
[ "$(stat -c %i "$STATE")" = "$first" ] ||
	fail "the state file was rewritten for builtin connections"
ok "builtin connections do not rewrite the state file"

# A connection open at the crash, then a crash: no record of it is
# taken over, and the next superd gives no id already given.
$SDCLIENT -q -k -t 30000 -s held 127.0.0.1 $((P+1)) >/dev/null 2>&1 &
HELD=$!
trap 'kill $HELD 2>/dev/null; cleanup' EXIT
wait_count "session S42 from" 1 || fail "no 42nd session"
kill -9 "$SPID"
wait "$SPID" 2>/dev/null
last=$(sed -n 's/.*session S\([0-9]*\) from.*/\1/p' "$T/log" | sort -n |
    tail -1)
start_superd
$SDCLIENT -q -t 3000 -s three -x three 127.0.0.1 $((P+1)) >/dev/null ||
	fail "echo did not answer after the restart"
wait_count "session S[0-9]* from .*builtin" $((last + 1)) ||
	fail "no session logged after the restart"
next=$(sed -n 's/.*session S\([0-9]*\) from.*/\1/p' "$T/log" | tail -1)
[ "$next" -gt "$last" ] ||
	fail "session id S$next given after the crash (S$last before it)"
grep -q "not taken over" "$T/log" &&
	fail "a builtin connection was to be taken over after a crash"
ok "session ids go on above S$last after a crash (S$next)"
