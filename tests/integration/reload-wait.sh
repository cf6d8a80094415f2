#!/bin/sh
# Reloading a service between wait = yes and wait = no while handlers of
# the old mode run.  A wait handler holds the listening socket, a nowait
# handler only its own connection, so:
#  - yes -> no: once the old wait handler exits, new connections are
#    served nowait (and a reload back to wait = yes serves them again);
#  - no -> yes: the wait handler starts at once, while the old nowait
#    handler still runs, and the end of that nowait handler does not
#    let a second wait handler start next to the first;
#  - yes -> yes: no second wait handler either.
. "${top_srcdir}/tests/integration/lib.sh"
P=$BASE
LOGLEVEL=debug
CTL="$top_builddir/superdctl"
WECHO=$top_builddir/tests/integration/tcp_wait_echo
[ -x "$CTL" ] || fail "superdctl not built ($CTL)"
[ -x "$WECHO" ] || fail "tcp_wait_echo not built ($WECHO)"
ctl() { "$CTL" -S "$T/control.sock" -t 5 "$@"; }
# Clients still running when the test ends are stopped with it.
BG=
trap 'kill $BG 2>/dev/null; cleanup' EXIT

# conf MODE-OF-a MODE-OF-b: service a on P+1, b on P+2; "wait" is the
# wait handler (exits after IDLE ms without a connection), "cat" nowait.
svc() {
	if [ "$2" = wait ]; then
		echo "service $1 { address = \"127.0.0.1\"  port = $3  wait = yes  server = \"$WECHO\"  args = {\"$IDLE\"} }"
	else
		echo "service $1 { address = \"127.0.0.1\"  port = $3  server = \"/bin/cat\" }"
	fi
}
conf() {
	{ conf_globals; echo "on-exit = terminate  shutdown-grace = 1"
	  svc a "$1" $((P+1)); svc b "$2" $((P+2)); } > "$T/superd.conf"
}
reload() { ctl reload > "$T/rl" 2>&1 || fail "reload: $(cat "$T/rl")"; }
# handlers NAME: running handlers of service NAME, as superd counts them.
handlers() { ctl sessions "$1" 2>/dev/null | grep -c '^S' || true; }
# wait_handlers NAME N: wait until NAME has N handlers (5 s at most).
wait_handlers() {
	for _ in $(seq 50); do
		[ "$(handlers "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

IDLE=2500
conf wait cat
start_superd

# ---- yes -> no.
r=$($SDCLIENT -t 3000 -s hi 127.0.0.1 $((P+1)))
case "$r" in "pid:"*hi) ;; *) fail "wait handler of a: '$r'";; esac
IDLE=2500
conf cat cat
reload
# The old wait handler exits on its own, 2.5 s after its last client.
wait_handlers a 0 || fail "the old wait handler of a did not exit"
r=$($SDCLIENT -t 3000 -s nowait 127.0.0.1 $((P+1)))
[ "$r" = nowait ] || fail "a, reloaded from wait = yes to wait = no," \
    "after the old wait handler exited: expected /bin/cat to echo" \
    "'nowait', saw '$r' (service: $(ctl services | grep '^a '))"
ok "yes -> no: after the old wait handler exits, served nowait"
conf wait cat
reload
r=$($SDCLIENT -t 3000 -s back 127.0.0.1 $((P+1)))
case "$r" in "pid:"*back) ;; *) fail "a, reloaded back to wait = yes:" \
    "expected 'pid:N back' from a wait handler, saw '$r'";; esac
ok "and back to wait = yes: served by a wait handler"

# ---- no -> yes.
$SDCLIENT -k -t 20000 -s held 127.0.0.1 $((P+2)) > "$T/held" 2>&1 &
held=$!
BG="$BG $held"
wait_handlers b 1 || fail "the nowait handler of b did not start"
IDLE=8000
conf wait wait
reload
# The wait handler starts at once; its client keeps its connection, so
# the (serial) handler takes no other connection meanwhile.
$SDCLIENT -L -k -t 20000 -s w1 127.0.0.1 $((P+2)) > "$T/w1" 2>&1 &
w1=$!
BG="$BG $w1"
for _ in $(seq 30); do grep -q "^pid:" "$T/w1" && break; sleep 0.1; done
grep -q "^pid:" "$T/w1" || fail "b, reloaded from wait = no to wait =" \
    "yes while a nowait handler runs: expected a wait handler to answer" \
    "at once, saw '$(cat "$T/w1")'"
[ "$(handlers b)" = 2 ] || fail "b: expected the old nowait handler and" \
    "the new wait handler (2), saw $(handlers b)"
ok "no -> yes: the wait handler starts while the nowait handler runs"
kill "$held"; wait "$held" 2>/dev/null
wait_handlers b 1 || fail "b: the old nowait handler did not end"
# Another client now: the wait handler is busy, no second one may start.
$SDCLIENT -k -t 20000 -s w2 127.0.0.1 $((P+2)) > "$T/w2" 2>&1 &
w2=$!
BG="$BG $w2"
sleep 1.5
n=$(handlers b)
[ "$n" = 1 ] || fail "b: after the old nowait handler ended, a new client" \
    "made superd start another wait handler beside the running one:" \
    "expected 1 handler, saw $n"
ok "no -> yes: no second wait handler once the nowait handler ends"
kill "$w1" "$w2" 2>/dev/null; wait "$w1" "$w2" 2>/dev/null

# ---- yes -> yes (another argument): still one wait handler.
$SDCLIENT -k -t 20000 -s w3 127.0.0.1 $((P+1)) > "$T/w3" 2>&1 &
w3=$!
BG="$BG $w3"
wait_handlers a 1 || fail "a: no wait handler"
IDLE=7000
conf wait wait
reload
$SDCLIENT -k -t 20000 -s w4 127.0.0.1 $((P+1)) > "$T/w4" 2>&1 &
w4=$!
BG="$BG $w4"
sleep 1.5
n=$(handlers a)
[ "$n" = 1 ] || fail "a: reloaded from wait = yes to wait = yes: expected" \
    "one wait handler, saw $n"
ok "yes -> yes: one wait handler"
kill "$w3" "$w4" 2>/dev/null; wait "$w3" "$w4" 2>/dev/null
kill -0 "$SPID" || fail "superd died"
