#!/bin/sh
# superd-lookup --register: a TTL lease printed and removed by id; with a
# command the entry lives exactly as long as the command, signals are
# passed on, and the command's exit status comes back.
. "${top_srcdir}/tests/integration/lib.sh"
LOOKUP=${SUPERD_LOOKUP:-$top_builddir/superd-lookup}
[ -x "$LOOKUP" ] || fail "superd-lookup not built ($LOOKUP)"
P=$BASE
{ conf_globals; cat <<CONF
service echo { type = builtin  address = "127.0.0.1"  port = $((P+1))  server = echo }
CONF
} > "$T/superd.conf"
start_superd
for _ in $(seq 30); do [ -S "$T/directory.sock" ] && break; sleep 0.1; done
[ -S "$T/directory.sock" ] || skip "this superd has no directory socket"
SUPERD_DIRECTORY=$T/directory.sock; export SUPERD_DIRECTORY

# wait_gone NAME: until NAME is no longer in the directory (3 s at most).
wait_gone() {
	for _ in $(seq 30); do
		"$LOOKUP" "$1" >/dev/null 2>&1 || return 0
		sleep 0.1
	done
	return 1
}

"$LOOKUP" --register app1 tcp $((P+2)) 2>/dev/null; rc=$?
[ $rc -eq 1 ] || fail "--register without command or --ttl gave exit $rc"
id=$("$LOOKUP" --register app1 tcp $((P+2)) --ttl 60 --tag version=2) \
	|| fail "--register --ttl: exit $?"
[ -n "$id" ] || fail "no lease id printed"
[ "$("$LOOKUP" app1)" = "127.0.0.1:$((P+2))/tcp" ] || fail "registered entry not found"
"$LOOKUP" --json app1 | grep -q '"version":"2"' || fail "tag not shown"
"$LOOKUP" -l | grep -Eq "^app1 .* registered +$(id -un) " || fail "owner not shown"
"$LOOKUP" --unregister "$id" || fail "--unregister: exit $?"
"$LOOKUP" app1 >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "entry still there after --unregister ($rc)"
"$LOOKUP" --unregister "$id" 2>/dev/null; rc=$?
[ $rc -eq 2 ] || fail "second --unregister gave exit $rc"
ok "TTL lease: register, find, unregister"

# The command sees its own entry; it is gone once the command exits.
"$LOOKUP" --register app2 tcp $((P+3)) -- \
	sh -c "\"$LOOKUP\" app2 >'$T/seen' && exit 7"; rc=$?
[ $rc -eq 7 ] || fail "command status not passed on ($rc)"
[ "$(cat "$T/seen")" = "127.0.0.1:$((P+3))/tcp" ] || fail "command did not see its entry"
wait_gone app2 || fail "entry outlived its command"
ok "connection-bound lease for the command's life, exit status kept"

# SIGTERM to superd-lookup reaches the command; the entry goes away.
"$LOOKUP" --register app3 tcp $((P+4)) --ttl 2 -- sleep 30 &
LP=$!
for _ in $(seq 30); do "$LOOKUP" app3 >/dev/null 2>&1 && break; sleep 0.1; done
"$LOOKUP" app3 >/dev/null 2>&1 || fail "app3 not registered"
sleep 2.5	# past the TTL: only renewal keeps it
"$LOOKUP" app3 >/dev/null 2>&1 || fail "TTL lease not renewed"
kill -TERM $LP
wait $LP; rc=$?
[ $rc -eq 143 ] || fail "SIGTERM: exit $rc, not 143"
wait_gone app3 || fail "entry outlived the command after SIGTERM"
ok "TTL lease renewed; SIGTERM forwarded; entry removed"

# kill -9 of superd-lookup: the connection closes, the lease goes.
"$LOOKUP" --register app4 tcp $((P+5)) -- \
	sh -c "echo \$\$ >'$T/app4.pid'; exec sleep 30" &
LP=$!
for _ in $(seq 30); do "$LOOKUP" app4 >/dev/null 2>&1 && break; sleep 0.1; done
"$LOOKUP" app4 >/dev/null 2>&1 || fail "app4 not registered"
kill -KILL $LP
wait $LP 2>/dev/null
wait_gone app4 || fail "connection-bound entry outlived kill -9"
kill "$(cat "$T/app4.pid")" 2>/dev/null
ok "kill -9 of the registrant removes a connection-bound entry"
kill -0 "$SPID" || fail "superd died"
