#!/bin/sh
# libsuperd's superd_connect fails over from a dead endpoint (better
# priority, nobody listening) to a live one under the same name.
. "${top_srcdir}/tests/integration/lib.sh"
LOOKUP=${SUPERD_LOOKUP:-$top_builddir/superd-lookup}
LC=$top_builddir/tests/integration/lookup_connect
[ -x "$LOOKUP" ] || fail "superd-lookup not built ($LOOKUP)"
[ -x "$LC" ] || fail "lookup_connect not built ($LC)"
P=$BASE
{ conf_globals; cat <<CONF
service echo { type = builtin  address = "127.0.0.1"  port = $((P+1))  server = echo }
CONF
} > "$T/superd.conf"
start_superd
for _ in $(seq 30); do [ -S "$T/directory.sock" ] && break; sleep 0.1; done
[ -S "$T/directory.sock" ] || skip "this superd has no directory socket"
SUPERD_DIRECTORY=$T/directory.sock; export SUPERD_DIRECTORY

[ "$("$LC" echo)" = ping ] || fail "connect by name to a config service"
ok "superd_connect to a configured service"

dead=$("$LC" -d fo 0) || fail "could not register the dead endpoint"
"$LOOKUP" --register fo tcp $((P+1)) --prio 1 --ttl 60 >/dev/null \
	|| fail "could not register the live endpoint"
[ "$("$LOOKUP" fo | wc -l)" -eq 2 ] || fail "fo should have two endpoints"
for i in 1 2 3; do
	[ "$("$LC" fo)" = ping ] || fail "fail-over, try $i"
done
ok "dead 127.0.0.1:$dead (prio 0) skipped, live echo (prio 1) reached"

"$LC" -d allgone 0 >/dev/null || fail "could not register allgone"
"$LC" allgone 2>/dev/null && fail "connect to only dead endpoints succeeded"
"$LC" nosuch 2>/dev/null && fail "connect to an unknown name succeeded"
ok "no live endpoint: superd_connect fails"
kill -0 "$SPID" || fail "superd died"
